from django.urls import path

from public import api

urlpatterns = [
    path("public/", api.PublicIndex.as_view(), name="api-public"),
    path("public/<slug:key>/", api.PublicListApi.as_view(), name="api-public-list"),
]
