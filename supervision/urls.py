from django.urls import path

from supervision import views

app_name = "supervision"

urlpatterns = [
    # /supervision/ itself: this overview replaces casework's older list (same path, so casework:supervision
    # still reverses here), adding item names, holders, 督办 and the export, and opening it to DRC leaders.
    path("", views.overview, name="overview"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/items/", views.items, name="items"),
    path("dashboard/case/<int:clock_id>/", views.case, name="case"),
]
urlpatterns += [
    path("notices/", views.notices, name="notices"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("notices/<int:pk>/reply/", views.notice_reply, name="notice_reply"),
]
urlpatterns += [
    path("circulars/", views.circulars, name="circulars"),
    path("circulars/new/", views.circular_new, name="circular_new"),
    path("circulars/<int:pk>/", views.circular_detail, name="circular"),
    path("circulars/<int:pk>/<str:action>/", views.circular_action, name="circular_action"),
]
urlpatterns += [
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/file/<str:kind>", views.report_file, name="report_file"),
    path("reports/<int:pk>/do/<str:action>/", views.report_action, name="report_action"),
]
