from django.urls import path

from referrals import api

urlpatterns = [
    path("clues/", api.ClueList.as_view(), name="api-clues"),
    path("clues/<int:pk>/", api.ClueDetail.as_view(), name="api-clue"),
    path("clues/<int:pk>/evidence/", api.EvidenceUpload.as_view(), name="api-clue-evidence"),
    path("clues/<int:pk>/callback/", api.ClueCallback.as_view(), name="api-clue-callback"),
    path("clues/<int:pk>/transfers/<int:tid>/<str:action>/", api.TransferAction.as_view(),
         name="api-clue-transfer-action"),
]
