from django.urls import path

from complaints import api

urlpatterns = [
    path("complaints/", api.ComplaintList.as_view(), name="api-complaints"),
    path("complaints/<int:pk>/", api.ComplaintDetail.as_view(), name="api-complaint"),
    path("complaints/<int:pk>/evidence/", api.EvidenceUpload.as_view(), name="api-complaint-evidence"),
]
