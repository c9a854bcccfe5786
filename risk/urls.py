from django.urls import path

from risk import views

app_name = "risk"

urlpatterns = [
    path("", views.warning_list, name="list"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning"),
    path("warnings/<int:pk>/<str:action>/", views.warning_action, name="warning_action"),
    path("bidders/<str:uscc>/", views.bidder_history, name="bidder"),
]
