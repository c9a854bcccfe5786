from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.clue_list, name="list"),
    path("new/", views.clue_new, name="new"),
    path("<int:pk>/", views.clue_detail, name="clue"),
    path("<int:pk>/disputes/<int:did>/decide/", views.dispute_decide, name="dispute_decide"),
    path("<int:pk>/transfers/<int:tid>/<str:action>/", views.transfer_action, name="transfer_action"),
    path("<int:pk>/<str:action>/", views.clue_action, name="clue_action"),
]
