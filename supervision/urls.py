from django.urls import path

from supervision import views

app_name = "supervision"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/items/", views.items, name="items"),
]
urlpatterns += [
    path("notices/", views.notices, name="notices"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("notices/<int:pk>/reply/", views.notice_reply, name="notice_reply"),
]
