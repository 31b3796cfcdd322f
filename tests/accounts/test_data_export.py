"""A person downloads everything stored about them (GDPR Art. 15 and 20): /profile/data.json."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from helpathon.editions.services import phase_set
from helpathon.evaluation import services as evaluation
from helpathon.ideas import services as ideas
from helpathon.moderation.services import report_create
from helpathon.registrations.models import Registration
from tests.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/profile/data.json"
PARTS = {"account", "evaluation", "ideas", "notifications", "registrations", "reports", "results", "teams"}


def download(user) -> dict:
    client = Client()
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="helpathon-my-data.json"'
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    return json.loads(response.content)


@pytest.fixture
def activity(edition, organizer, participant):
    """The participant's idea and comment, and their support of someone else's idea."""
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    challenge = edition.challenges.first()
    idea = ideas.idea_create(actor=participant, challenge=challenge, title="Fahrradständer am Bahnhof",
                             body="Mehr Stellplätze.")
    other = make_user("other@example.org", display_name="Olli Other")
    Registration.objects.create(edition=edition, user=other, status="confirmed", sector="business", role="founder",
                                consent_at=idea.created_at, confirmed_at=idea.created_at)
    others_idea = ideas.idea_create(actor=other, challenge=challenge, title="Bänke im Park")
    comment = ideas.comment_create(actor=participant, idea=others_idea, body="Gern mit Schatten!")
    ideas.comment_create(actor=other, idea=idea, body="Gute Idee, Olli war hier.")
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="evaluation"))
    edition.refresh_from_db()
    evaluation.support_add(actor=participant, idea=type(others_idea).objects.select_related("edition", "challenge").get(pk=others_idea.pk))
    return {"idea": idea, "others_idea": others_idea, "comment": comment}


def test_it_holds_everything_the_person_wrote_and_gave(participant, edition, activity):
    data = download(participant)

    assert PARTS <= set(data)
    assert data["account"]["email"] == "participant@example.org"
    assert data["account"]["display_name"] == "Paul Participant"
    assert [r["edition"] for r in data["registrations"]] == [edition.slug]
    assert data["registrations"][0]["status"] == "confirmed"
    assert [i["title"] for i in data["ideas"]["ideas"]] == ["Fahrradständer am Bahnhof"]
    assert [v["number"] for v in data["ideas"]["versions_edited"]] == [1]
    assert [c["body"] for c in data["ideas"]["comments"]] == ["Gern mit Schatten!"]
    assert [s["idea_id"] for s in data["evaluation"]["supports"]] == [activity["others_idea"].pk]


def test_it_holds_nothing_of_other_people(participant, activity):
    text = json.dumps(download(participant), ensure_ascii=False)
    assert "other@example.org" not in text
    assert "Olli" not in text  # neither their name nor what they wrote on the person's idea
    assert "Bänke im Park" not in text  # the idea supported is named by its number only


def test_it_holds_the_reports_a_person_made(participant, activity):
    report_create(actor=participant, idea=activity["others_idea"], reason="Das ist Werbung für einen Laden.")
    assert [r["reason"] for r in download(participant)["reports"]] == ["Das ist Werbung für einen Laden."]


def test_it_needs_a_signed_in_person(client):
    response = Client().get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_refuses_writes(participant):
    client = Client()
    client.force_login(participant)
    assert client.post(URL).status_code == 405


def test_its_query_count_does_not_grow_with_what_a_person_wrote(participant, edition, organizer):
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    challenge = edition.challenges.first()
    client = Client()
    client.force_login(participant)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    ideas.idea_create(actor=participant, challenge=challenge, title="Die erste Idee")
    one = count()
    for n in range(10):
        ideas.idea_create(actor=participant, challenge=challenge, title=f"Noch eine Idee {n}")
    assert count() == one


def test_it_holds_the_settings_template_feedback_and_reminders(world):
    data = download(world.zora)

    assert data["account"]["named_in_results"] is True
    assert data["account"]["emails_wanted"]["email_reminders"] is True
    assert data["account"]["language"] == "de"
    assert [s["template_id"] for s in data["results"]["template_supports"]] == [world.template.pk]
    assert [c["body"] for c in data["results"]["template_comments"]] == ["Bitte auch am Bahnhof."]
    assert [r["edition__slug"] for r in data["notifications"]["reminders_sent"]] == [world.edition.slug]
    assert data["notifications"]["mailings_sent"] == []
    assert data["evaluation"]["jury_seats"] and data["teams"]["memberships"]


def test_it_names_the_editions_a_person_organizes(organizer, edition):
    assert download(organizer)["account"]["organizer_of"] == [edition.slug]
