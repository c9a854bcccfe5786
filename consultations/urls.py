from django.urls import path

from consultations import views

app_name = "consultations"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.establish, name="establish"),
    path("<int:pk>/", views.mechanism_detail, name="mechanism"),
    path("<int:pk>/apply/", views.apply, name="apply"),
    path("<int:pk>/applications/<int:aid>/<str:verdict>/", views.decide_application, name="decide_application"),
    path("<int:pk>/members/", views.member_list, name="members"),
    path("<int:pk>/members.csv", views.member_csv, name="members_csv"),
    path("<int:pk>/members/print/", views.member_print, name="members_print"),
    path("<int:pk>/members/note-change/", views.note_change, name="note_change"),
    path("<int:pk>/members/<int:mid>/contacts/", views.report_contacts, name="report_contacts"),
    path("<int:pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("<int:pk>/decisions/", views.decision_board, name="decisions"),
    path("<int:pk>/meetings/", views.meeting_list, name="meetings"),
    path("<int:pk>/solicitations/", views.solicitation_list, name="solicitations"),
    path("<int:pk>/solicitations/new/", views.solicitation_new, name="solicitation_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/<str:action>/", views.meeting_action, name="meeting_action"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision"),
    path("decisions/<int:pk>/<str:action>/", views.decision_action, name="decision_action"),
    path("solicitations/<int:pk>/", views.solicitation_detail, name="solicitation"),
    path("solicitations/<int:pk>/<str:action>/", views.solicitation_action, name="solicitation_action"),
    path("letters/<int:pk>.pdf", views.letter_pdf, name="letter"),
]
