from django.urls import path

from casework.events import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_log, name="log"),
    path("verify/", views.audit_verify, name="verify"),
    path("export.csv", views.audit_export, name="export"),
]
