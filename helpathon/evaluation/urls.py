from django.urls import path

from helpathon.evaluation import views

app_name = "evaluation"
EDITION = "editions/<slug:slug>/"
CHALLENGE = EDITION + "challenges/<slug:challenge_slug>/"
urlpatterns = [
    path(EDITION + "evaluate/", views.hub, name="hub"),
    path(CHALLENGE + "evaluate/", views.hub, name="challenge_hub"),
    path(EDITION + "ideas/<int:pk>/support/", views.support, name="support"),
    path(EDITION + "ideas/<int:pk>/rate/", views.rate, name="rate"),
    path(CHALLENGE + "compare/", views.compare, name="compare"),
    path(CHALLENGE + "compare/<int:comparison_pk>/", views.compare_answer, name="compare_answer"),
    path(EDITION + "rankings/", views.rankings, name="rankings"),
    path(CHALLENGE + "rankings/", views.rankings, name="challenge_rankings"),
    path(EDITION + "evaluate/settings/", views.evaluation_settings, name="settings"),
    path(EDITION + "jury/", views.jury, name="jury"),
    path(EDITION + "jury/<int:member_pk>/challenges/", views.jury_assign, name="jury_assign"),
    path(EDITION + "jury/<int:member_pk>/dismiss/", views.jury_dismiss, name="jury_dismiss"),
    path(EDITION + "jury/score/", views.jury_score, name="jury_score"),
    path(EDITION + "jury/score/<slug:kind>/<int:pk>/", views.jury_score_item, name="jury_score_item"),
    path(EDITION + "jury/export.csv", views.jury_export, name="jury_export"),
    path(EDITION + "jury/results/", views.jury_results, name="jury_results"),
]
