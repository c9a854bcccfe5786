from django.urls import path

from complaints import views
from complaints.statistics_views import statistics_urlpatterns

app_name = "complaints"

urlpatterns = [
    path("file/", views.file_complaint, name="file"),
    path("receipt/", views.receipt, name="receipt"),
    path("report/", views.report, name="report"),
    path("track/", views.track, name="track"),
    path("track/<int:pk>/letter.pdf", views.track_letter, name="track_letter"),
    path("published/", views.published, name="published"),
    path("", views.complaint_list, name="list"),
    path("new/", views.record_offline, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/print/", views.printable, name="print"),
    path("<int:pk>/<str:name>/", views.action, name="action"),
]
urlpatterns = statistics_urlpatterns + urlpatterns
