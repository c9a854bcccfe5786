from django.urls import path

from credit import views

app_name = "credit"

urlpatterns = [
    path("blacklist/", views.black_list, name="black_list"),
    path("redlist/", views.red_list, name="red_list"),
    path("penalties/", views.penalties, name="penalties"),
    path("", views.index, name="index"),
    path("new/", views.record_new, name="new"),
    path("records/<int:pk>/", views.record_detail, name="record"),
    path("records/<int:pk>/<str:name>/", views.record_action, name="record_action"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("export/penalties.csv", views.export_penalties, name="export"),
]
