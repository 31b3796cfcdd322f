import pytest
from django.db import transaction

from helpathon.ideas.models import Idea, Theme, ThemeState
from helpathon.ideas.themes_service import themes_recompute
from helpathon.live.models import LiveEvent

pytestmark = pytest.mark.django_db

TRAFFIC = ["Ampel an der Kreuzung zu kurz grün", "Grünphase der Ampel verlängern", "Ampelschaltung für Radfahrer",
           "Kreuzung mit Ampel für Fußgänger", "Ampel an der Schule fehlt", "Längere Grünphase an der Kreuzung"]
PARKING = ["Fahrradständer am Bahnhof", "Mehr Abstellplätze für Fahrräder", "Fahrradparkhaus am Bahnhof",
           "Abstellanlage für Lastenräder", "Fahrradständer vor dem Rathaus", "Abstellplätze am Bahnhof fehlen"]


def _ideas(make_idea):
    return [make_idea(title, title) for title in TRAFFIC + PARKING]


def test_it_groups_the_ideas_and_labels_the_themes(ideation, make_idea):
    ideas = _ideas(make_idea)
    count = themes_recompute(edition_id=ideation.pk)
    assert count >= 2
    themes = list(Theme.objects.filter(edition=ideation))
    assert sum(t.size for t in themes) == len(ideas)
    assert all(t.label for t in themes)
    traffic = {Idea.objects.get(pk=i.pk).theme_id for i in ideas[:6]}
    parking = {Idea.objects.get(pk=i.pk).theme_id for i in ideas[6:]}
    assert traffic.isdisjoint(parking)
    event = LiveEvent.objects.filter(edition=ideation, type="themes.updated").get()
    assert len(event.payload["themes"]) == count


def test_it_leaves_hidden_and_merged_ideas_out(ideation, make_idea):
    ideas = _ideas(make_idea)
    Idea.objects.filter(pk=ideas[0].pk).update(hidden_at=ideas[0].created_at)
    themes_recompute(edition_id=ideation.pk)
    assert Idea.objects.get(pk=ideas[0].pk).theme is None
    assert sum(t.size for t in Theme.objects.filter(edition=ideation)) == len(ideas) - 1


def test_it_recomputes_once_after_a_burst_of_changes(
    ideation, make_idea, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from helpathon.ideas import themes_service

    settings.THEMES_AUTO = True
    settings.THEMES_DELAY_SECONDS = 0
    enqueued, enqueue = [], themes_service._enqueue
    monkeypatch.setattr(themes_service, "_enqueue", lambda edition_id: (enqueued.append(edition_id), enqueue(edition_id)))
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            _ideas(make_idea)
    # Twelve new ideas, one queued recompute (the ImmediateBackend runs it on enqueue).
    assert enqueued == [ideation.pk]
    assert Theme.objects.filter(edition=ideation).exists()
    state = ThemeState.objects.get(edition=ideation)
    assert (state.dirty, state.queued, state.idea_count) == (False, False, 12)


def test_it_recomputes_from_the_command(ideation, make_idea):
    from io import StringIO

    from django.core.management import call_command

    _ideas(make_idea)
    out = StringIO()
    call_command("recompute_themes", "--edition", ideation.slug, stdout=out)
    assert f"{ideation.slug}:" in out.getvalue()
    assert Theme.objects.filter(edition=ideation).exists()
