"""Deleting one's account (GDPR Art. 17): /profile/delete/ and `account_delete`.

The key test: after deletion no table holds the person's email address or name; what they
wrote stays with "deleted account" as author (or is gone, if they asked), other people's work
is intact, evaluations still count, and the person can no longer sign in."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.utils import translation

from helpathon.accounts.models import User
from helpathon.accounts.services import account_delete
from helpathon.evaluation.models import Comparison, JuryMember, Rating, Support
from helpathon.ideas.models import Comment, Idea, IdeaLink, IdeaVersion
from helpathon.live.models import LiveEvent
from helpathon.notifications.models import ReminderSent
from helpathon.registrations.models import Registration
from helpathon.results.models import TemplateComment, TemplateSupport
from helpathon.teams.models import JoinRequest, Membership, PrototypeDraft, PrototypeVersion, TeamSeeker
from tests.accounts.conftest import EMAIL, MARKERS, NAME
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=False)

URL = "/profile/delete/"


def every_row_as_text() -> str:
    """Every row of every table of the database (sessions and the task queue included), as
    text: what a person with the database file could read."""
    chunks = []
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        assert "django_session" in tables and any(t.startswith("django_tasks") for t in tables)
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                chunks.append(f"{table}: " + " | ".join(
                    bytes(value).decode("utf-8", "replace") if isinstance(value, (bytes, memoryview)) else str(value)
                    for value in row
                ))
    return "\n".join(chunks)


def sessions_of(user) -> list[str]:
    return [s.session_key for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(user.pk)]


def assert_nothing_personal_left(zora) -> None:
    text = every_row_as_text().lower()
    for marker in (EMAIL.lower(), NAME.lower(), *MARKERS):
        leaks = [line for line in text.splitlines() if marker in line]
        assert not leaks, f"{marker!r} is still stored: {leaks[:5]}"
    assert not sessions_of(zora)


def delete(world, *, remove: bool) -> User:
    client = world.clients["zora"]
    client.cookies["django_language"] = "en"
    response = client.post(URL, {
        "contributions": "remove" if remove else "keep", "password": PASSWORD, "confirm": "on",
    }, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/"
    assert "Your account has been deleted." in response.content.decode()
    return User.objects.get(pk=world.zora.pk)


def test_it_leaves_no_personal_data_behind_and_keeps_the_contributions_anonymously(world, participant):
    # The world's tables do hold Zora's data before: the scan would see it.
    before = every_row_as_text().lower()
    assert EMAIL in before and NAME.lower() in before
    counts = {
        "supports": Support.objects.count(), "ratings": Rating.objects.count(),
        "comparisons": Comparison.objects.count(),
    }

    zora = delete(world, remove=False)

    assert_nothing_personal_left(zora)
    with translation.override("en"):
        assert str(zora) == "deleted account"
    assert zora.deleted_at is not None and not zora.is_active and not zora.has_usable_password()
    assert zora.email == f"deleted-{zora.pk}@deleted.invalid"
    assert not EmailAddress.objects.filter(user=zora).exists()
    assert not Registration.objects.filter(user=zora).exists()
    assert not TeamSeeker.objects.filter(user=zora).exists()
    assert not PrototypeDraft.objects.filter(user=zora).exists()
    assert not JoinRequest.objects.filter(user=zora).exists()
    assert not ReminderSent.objects.filter(user=zora).exists()
    assert not TemplateSupport.objects.filter(user=zora).exists()
    # What she wrote stays, anonymous.
    mine = Idea.objects.get(pk=world.ideas["mine"].pk)
    assert mine.title == "Lastenrad-Verleih am Markt" and mine.hidden_at is None
    with translation.override("en"):
        assert mine.public_author == "deleted account"
    assert IdeaVersion.objects.filter(idea=mine).count() == 2
    assert Comment.objects.get(pk=world.comments["zoras"].pk).body == "Schoen, dass du darauf aufbaust!"
    assert TemplateComment.objects.filter(author=zora).exists()
    assert PrototypeVersion.objects.filter(editor=zora).exists()
    # Evaluations still count; the jury seat stays, so that her jury scores still count.
    assert counts == {
        "supports": Support.objects.count(), "ratings": Rating.objects.count(),
        "comparisons": Comparison.objects.count(),
    }
    assert JuryMember.objects.filter(user=zora).exists()
    # She left her team; Paul leads it now.
    assert not Membership.objects.filter(user=zora).exists()
    assert Membership.objects.get(team=world.team, user=participant).role == Membership.Role.LEAD
    # Pages with her contributions still render, her name nowhere.
    for idea in (mine, world.ideas["pauls"]):
        page = Client().get(f"/editions/{world.edition.slug}/ideas/{idea.pk}/")
        assert page.status_code == 200
        assert "quixblatt" not in page.content.decode().lower()


def test_it_can_remove_the_contributions_too(world, participant):
    comment_count = Idea.objects.get(pk=world.ideas["pauls"].pk).comment_count

    zora = delete(world, remove=True)

    assert_nothing_personal_left(zora)
    text = every_row_as_text()
    for written in ("Lastenrad-Verleih", "Ein Verleih im Quartier", "Trinkbrunnen", "Schoen, dass du darauf",
                    "Neben dem Brunnen", "Bitte auch am Bahnhof"):
        assert written not in text, written
    mine = Idea.objects.get(pk=world.ideas["mine"].pk)
    assert mine.hidden_at is not None and mine.body == ""
    assert not mine.tags.exists()
    assert Idea.objects.get(pk=world.ideas["pauls"].pk).comment_count == comment_count - 1
    zoras = Comment.objects.get(pk=world.comments["zoras"].pk)
    assert zoras.deleted_at is not None and zoras.body == ""
    # Other people's work is intact: Paul's idea, its link to hers, the replies in her thread.
    pauls = Idea.objects.get(pk=world.ideas["pauls"].pk)
    assert pauls.title == "Lastenrad-Hubs" and pauls.hidden_at is None
    assert IdeaLink.objects.filter(source=pauls, target=mine).exists()
    assert Comment.objects.get(pk=world.comments["ollis_reply"].pk).body == "Gute Frage."
    assert TemplateComment.objects.filter(body="Sehr gut.").exists()
    # The idea that built on hers still renders, without her idea; hers is gone for the public.
    page = Client().get(f"/editions/{world.edition.slug}/ideas/{pauls.pk}/")
    assert page.status_code == 200
    assert "Lastenrad-Hubs" in page.content.decode()
    assert Client().get(f"/editions/{world.edition.slug}/ideas/{mine.pk}/").status_code == 404
    # Live views hear what disappeared.
    types = set(LiveEvent.objects.values_list("type", flat=True))
    assert {"idea.hidden", "comment.deleted", "team.member_left", "template.feedback"} <= types


def test_the_person_can_no_longer_sign_in_and_all_their_sessions_end(world):
    phone, paul = world.clients["zora_phone"], world.clients["paul"]
    assert phone.get("/profile/").status_code == 200

    delete(world, remove=False)

    assert phone.get("/profile/").status_code == 302
    assert paul.get("/profile/").status_code == 200
    assert not Client().login(email=EMAIL, password=PASSWORD)
    response = Client().post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})
    assert response.status_code == 200  # the form again, with an error


def test_a_wrong_password_deletes_nothing(world):
    client = world.clients["zora"]
    response = client.post(URL, {"contributions": "keep", "password": "not-my-password", "confirm": "on"})
    assert response.status_code == 200
    assert "field-error" in response.content.decode() or "notice-error" in response.content.decode()
    zora = User.objects.get(pk=world.zora.pk)
    assert zora.deleted_at is None and zora.email == EMAIL and zora.is_active


@pytest.mark.parametrize("data", [
    {"contributions": "keep", "password": PASSWORD},  # no confirmation
    {"contributions": "everything", "password": PASSWORD, "confirm": "on"},
    {"contributions": "keep", "confirm": "on"},
    {},
])
def test_it_shows_errors_for_incomplete_forms(participant, data):
    client = Client()
    client.force_login(participant)
    response = client.post(URL, data)
    assert response.status_code == 200
    assert "notice-error" in response.content.decode()
    assert User.objects.get(pk=participant.pk).deleted_at is None


def test_the_page_explains_and_offers_the_choice(participant):
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(participant)
    page = client.get(URL).content.decode()
    assert "Delete your account" in page
    assert 'value="keep"' in page and 'value="remove"' in page
    assert 'type="password"' in page and 'name="confirm"' in page
    assert "/profile/data.json" in page


def test_it_needs_a_signed_in_person():
    response = Client().get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_nobody_deletes_another_persons_account(participant, organizer):
    with pytest.raises(PermissionDenied):
        account_delete(actor=organizer, user=participant, password=PASSWORD, remove_content=False)
    assert User.objects.get(pk=participant.pk).deleted_at is None


def test_the_service_checks_the_password(participant):
    with pytest.raises(ValidationError):
        account_delete(actor=participant, user=participant, password="wrong", remove_content=False)
    assert User.objects.get(pk=participant.pk).is_active


def test_a_freed_place_goes_to_the_waitlist(edition, participant, mailoutbox, django_capture_on_commit_callbacks):
    edition.capacity = 1
    edition.save(update_fields=["capacity"])
    waiting = make_user("wanda.waiting@example.org", display_name="Wanda Waiting")
    registration = Registration.objects.create(
        edition=edition, user=waiting, status=Registration.Status.WAITLISTED, sector="business", role="founder",
        consent_at=edition.starts_at, queued_at=edition.starts_at, email_confirmed_at=edition.starts_at,
    )

    with django_capture_on_commit_callbacks(execute=True):
        account_delete(actor=participant, user=participant, password=PASSWORD, remove_content=False)

    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert [m.to for m in mailoutbox] == [["wanda.waiting@example.org"]]


def test_a_lead_who_is_the_last_member_leaves_a_team_without_lead(world, participant):
    Membership.objects.filter(team=world.team, user=participant).delete()

    account_delete(actor=world.zora, user=world.zora, password=PASSWORD, remove_content=False)

    assert not Membership.objects.filter(team=world.team).exists()
    assert world.team.__class__.objects.filter(pk=world.team.pk).exists()
