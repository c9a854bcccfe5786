from django.urls import path

from supervision import api

urlpatterns = [
    path("supervision/punctuality/", api.Punctuality.as_view(), name="api-supervision-punctuality"),
]
