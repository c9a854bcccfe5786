from django.urls import path

from casework import api

urlpatterns = [
    path("departments/", api.DepartmentList.as_view(), name="api-departments"),
    path("clocks/", api.ClockList.as_view(), name="api-clocks"),
    path("clocks/<int:pk>/", api.ClockDetail.as_view(), name="api-clock"),
]
