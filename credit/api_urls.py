from django.urls import path

from credit import api

urlpatterns = [
    path("credit/eligibility/", api.Eligibility.as_view(), name="api-credit-eligibility"),
]
