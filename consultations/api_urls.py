from django.urls import path

from consultations import api

urlpatterns = [
    path("consultations/", api.MechanismList.as_view(), name="api-consultations"),
    path("consultations/<int:pk>/members/", api.MemberList.as_view(), name="api-consultation-members"),
    path("consultations/<int:pk>/decisions/", api.DecisionList.as_view(), name="api-consultation-decisions"),
    path("consultations/<int:pk>/meetings/", api.MeetingList.as_view(), name="api-consultation-meetings"),
    path("consultations/<int:pk>/solicitations/", api.SolicitationList.as_view(),
         name="api-consultation-solicitations"),
    path("consultations/decisions/<int:pk>/", api.DecisionDetail.as_view(), name="api-consultation-decision"),
    path("consultations/decisions/<int:pk>/progress/", api.DecisionProgress.as_view(),
         name="api-consultation-decision-progress"),
    path("consultations/decisions/<int:pk>/complete/", api.DecisionComplete.as_view(),
         name="api-consultation-decision-complete"),
]
