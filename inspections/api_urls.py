from django.urls import path

from inspections import api

urlpatterns = [
    path("inspections/projects/", api.ProjectList.as_view(), name="api-inspection-projects"),
    path("inspections/plans/", api.PlanList.as_view(), name="api-inspection-plans"),
    path("inspections/plans/<int:pk>/", api.PlanDetail.as_view(), name="api-inspection-plan"),
    path("inspections/plans/<int:pk>/draws/<int:number>/", api.DrawRecord.as_view(), name="api-inspection-draw"),
    path("inspections/draws/verify/", api.DrawVerify.as_view(), name="api-inspection-draw-verify"),
]
