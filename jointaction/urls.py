from django.urls import path

from jointaction import views

app_name = "jointaction"

urlpatterns = [
    path("", views.index, name="index"),
    path("public/", views.public, name="public"),
    path("assistance/", views.assistance_list, name="assistance_list"),
    path("actions/", views.action_list, name="action_list"),
    path("assistance/new/", views.assistance_new, name="assistance_new"),
    path("assistance/<int:pk>/", views.assistance_detail, name="assistance"),
    path("assistance/<int:pk>/<str:name>/", views.assistance_action, name="assistance_action"),
    path("actions/new/", views.action_new, name="action_new"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("actions/<int:pk>/plan/print/", views.action_plan_print, name="action_plan_print"),
    path("actions/<int:pk>/<str:name>/", views.action_step, name="action_step"),
]
