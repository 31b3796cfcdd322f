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

# Prototypes (helpathon/teams/prototype_views.py)
from helpathon.teams import prototype_views  # noqa: E402

PROTOTYPE = TEAM + "prototype/"
urlpatterns += [
    path("editions/<slug:slug>/prototypes/", prototype_views.gallery, name="gallery"),
    path(PROTOTYPE, prototype_views.prototype_detail, name="prototype"),
    path(PROTOTYPE + "edit/", prototype_views.prototype_edit, name="prototype_edit"),
    path(PROTOTYPE + "draft/", prototype_views.prototype_draft, name="prototype_draft"),
    path(PROTOTYPE + "submit/", prototype_views.prototype_submit, name="prototype_submit"),
    path(PROTOTYPE + "reopen/", prototype_views.prototype_reopen, name="prototype_reopen"),
    path(PROTOTYPE + "history/", prototype_views.prototype_history, name="prototype_history"),
    path(PROTOTYPE + "images/", prototype_views.image_add, name="prototype_image_add"),
    path(PROTOTYPE + "images/<int:image_pk>/", prototype_views.image_file, name="prototype_image"),
    path(PROTOTYPE + "images/<int:image_pk>/remove/", prototype_views.image_remove, name="prototype_image_remove"),
    path(PROTOTYPE + "pitch/", prototype_views.pitch_pdf_set, name="prototype_pitch_set"),
    path(PROTOTYPE + "pitch.pdf", prototype_views.pitch_file, name="prototype_pitch"),
]
