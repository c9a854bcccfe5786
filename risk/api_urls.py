from django.urls import path

from risk import api

urlpatterns = [
    path("tenders/", api.TenderList.as_view(), name="api-tenders"),
    path("risk/warnings/", api.WarningList.as_view(), name="api-risk-warnings"),
    path("risk/warnings/<int:pk>/", api.WarningDetail.as_view(), name="api-risk-warning"),
]
