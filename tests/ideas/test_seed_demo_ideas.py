from io import StringIO

import pytest
from django.core.management import call_command

from helpathon.editions.models import Edition
from helpathon.ideas.models import Comment, Idea, IdeaLink

pytestmark = pytest.mark.django_db


def test_it_writes_a_demo_discussion_once():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo_ideas", stdout=StringIO())
    edition = Edition.objects.get(slug="leben-und-wirtschaft-im-quartier")
    ideas = Idea.objects.filter(edition=edition)
    assert ideas.count() == 5
    assert ideas.get(title="Digitaler Wochenmarkt fürs Quartier").version == 2
    merged = ideas.get(status="merged")
    assert merged.merged_into.title == "Nachbarschaftshilfe-Brett"
    assert IdeaLink.objects.filter(kind="builds_on", source__edition=edition).count() == 2
    assert Comment.objects.filter(idea__edition=edition, parent__isnull=False).count() == 1
    edition.refresh_from_db()
    assert edition.phase_override is None
    call_command("seed_demo_ideas", stdout=StringIO())
    assert Idea.objects.filter(edition=edition).count() == 5
