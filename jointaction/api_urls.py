from django.urls import path

from jointaction import api

urlpatterns = [
    path("assistance/", api.AssistanceList.as_view(), name="api-assistance"),
    path("assistance/<int:pk>/", api.AssistanceDetail.as_view(), name="api-assistance-detail"),
    path("assistance/<int:pk>/answer/", api.AssistanceAnswer.as_view(), name="api-assistance-answer"),
    path("joint-actions/", api.JointActionList.as_view(), name="api-joint-actions"),
    path("joint-actions/<int:pk>/", api.JointActionDetail.as_view(), name="api-joint-action"),
]
