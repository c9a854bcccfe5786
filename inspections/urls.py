from django.urls import path

from inspections import views

app_name = "inspections"

urlpatterns = [
    # public (no login)
    path("public/", views.public, name="public"),
    path("public/plans/<int:pk>/", views.public_plan, name="public_plan"),
    path("public/plans/<int:pk>/notice.pdf", views.public_notice, name="public_notice"),
    path("public/plans/<int:pk>/draws/<int:number>/", views.public_draw, name="public_draw"),
    path("public/plans/<int:pk>/draws/<int:number>/record.json", views.public_draw_json, name="public_draw_json"),
    path("verify/", views.verify, name="verify"),
    # staff
    path("", views.index, name="index"),
    path("inspectors/", views.inspectors, name="inspectors"),
    path("inspectors/import/", views.inspectors_import, name="inspectors_import"),
    path("inspectors/<int:pk>/", views.inspector_edit, name="inspector"),
    path("projects/", views.projects, name="projects"),
    path("projects/import/", views.projects_import, name="projects_import"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("items/", views.items, name="items"),
    path("items/<int:pk>/retire/", views.item_retire, name="item_retire"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/draws/<int:number>/", views.draw_detail, name="draw"),
    path("plans/<int:pk>/draws/<int:number>/record.json", views.draw_json, name="draw_json"),
    path("plans/<int:pk>/targets/<int:tid>/result/", views.target_result, name="target_result"),
    path("plans/<int:pk>/targets/<int:tid>/notice/", views.target_notice, name="target_notice"),
    path("plans/<int:pk>/targets/<int:tid>/members/<int:mid>/replace/", views.replace_member,
         name="replace_member"),
    path("plans/<int:pk>/<str:action>/", views.plan_action, name="plan_action"),
]
