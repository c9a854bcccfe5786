from django.urls import path

from casework import views
from casework.attachments import views as attachment_views
from casework.exportjobs import views as export_views
from casework.letters import views as letter_views
from casework.savedviews import views as saved_views

app_name = "casework"

urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("clocks/", views.clock_list, name="clocks"),
    path("handoffs/", views.handoff_list, name="handoffs"),
    path("clocks/table/", views.clock_table, name="clock_table"),
    path("clocks/<int:pk>/", views.clock_detail, name="clock"),
    path("clocks/<int:pk>/pause/", views.clock_pause, name="clock_pause"),
    path("clocks/<int:pk>/resume/", views.clock_resume, name="clock_resume"),
    path("handoffs/<int:pk>/", views.handoff_detail, name="handoff"),
    path("handoffs/<int:pk>/<str:action>/", views.handoff_action, name="handoff_action"),
    path("views/save/", saved_views.save, name="saved_view_save"),
    path("views/<int:pk>/delete/", saved_views.delete, name="saved_view_delete"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", views.inbox_read, name="inbox_read"),
    path("inbox/settings/", views.inbox_settings, name="inbox_settings"),
    path("inbox/read-all/", views.inbox_read_all, name="inbox_read_all"),
    path("letters/", letter_views.letter_list, name="letters"),
    path("letters/<int:pk>.pdf", letter_views.letter_pdf, name="letter_pdf"),
    path("letters/<int:pk>/", letter_views.letter_page, name="letter"),
    path("letters/drafts/<int:pk>/", letter_views.draft_page, name="letter_draft"),
    path("letters/drafts/<int:pk>/<str:step>/", letter_views.draft_step, name="letter_draft_step"),
    path("files/<int:pk>/", attachment_views.download, name="attachment"),
    path("exports/", export_views.job_list, name="exports"),
    path("exports/<int:pk>/", export_views.job_page, name="export_job"),
    path("exports/<int:pk>/status.json", export_views.job_status, name="export_status"),
    path("exports/<int:pk>/download/", export_views.job_download, name="export_download"),
    path("notices/<int:pk>.pdf", letter_views.public_letter_pdf, name="public_letter_pdf"),
]
