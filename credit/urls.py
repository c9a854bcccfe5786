from django.urls import path

from credit import views

app_name = "credit"

urlpatterns = [
    path("blacklist/", views.black_list, name="black_list"),
    path("redlist/", views.red_list, name="red_list"),
    path("redlist/new/", views.red_list_new, name="red_list_new"),
    path("penalties/", views.penalties, name="penalties"),
    path("", views.index, name="index"),
    path("new/", views.record_new, name="new"),
    path("records/", views.record_list, name="records"),
    path("records/<int:pk>/", views.record_detail, name="record"),
    path("records/<int:pk>/correct/", views.record_correct, name="record_correct"),
    path("records/<int:pk>/<str:name>/", views.record_action, name="record_action"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("batches/<str:name>/", views.batch_action, name="batch_action"),
    path("export/penalties.csv", views.export_penalties, name="export"),
]
