from django.urls import path

from public import views

app_name = "public"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("circulars/<int:pk>.pdf", views.circular_pdf, name="circular_pdf"),
    path("<slug:key>/", views.public_list, name="list"),
]
