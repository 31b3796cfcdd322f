from django.urls import path

from helpathon.teams import views

app_name = "teams"
TEAMS = "editions/<slug:slug>/teams/"
TEAM = TEAMS + "<int:pk>/"
urlpatterns = [
    path(TEAMS, views.board, name="board"),
    path(TEAMS + "new/", views.team_new, name="new"),
    path(TEAMS + "looking/", views.looking, name="looking"),
    path(TEAMS + "settings/", views.team_settings, name="settings"),
    path(TEAM, views.team_detail, name="detail"),
    path(TEAM + "edit/", views.team_edit, name="edit"),
    path(TEAM + "join/", views.team_join, name="join"),
    path(TEAM + "invite/", views.team_invite, name="invite"),
    path(TEAM + "requests/<int:request_pk>/", views.request_decide, name="decide"),
    path(TEAM + "leave/", views.team_leave, name="leave"),
    path(TEAM + "lead/", views.lead_hand_over, name="hand_over"),
    path(TEAM + "notes/", views.team_notes, name="notes"),
    path(TEAM + "mentor/", views.mentor_appoint, name="mentor"),
    path(TEAM + "room/", views.room_set, name="room"),
]
