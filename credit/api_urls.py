from django.urls import path

from credit import api

urlpatterns = [
    path("credit/records/", api.RecordList.as_view(), name="api-credit-records"),
    path("credit/eligibility/", api.Eligibility.as_view(), name="api-credit-eligibility"),
]
