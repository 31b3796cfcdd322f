"""`manage.py seed_demo`: the demo editions, their agenda and the demo accounts."""

import itertools
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from helpathon.accounts.models import User
from helpathon.editions.agenda import agenda_for, edition_timing, registration_is_open
from helpathon.editions.management.commands.seed_demo import comeback_dates, quartier_dates
from helpathon.editions.models import Edition, Partner, Phase, PhaseKind
from helpathon.editions.rules import is_organizer, is_participant, may
from helpathon.registrations.models import Registration

BERLIN = ZoneInfo("Europe/Berlin")
COMEBACK = "comeback-stronger"
QUARTIER = "leben-und-wirtschaft-im-quartier"
ORGANIZER = "organisation@helpathon.localhost"
ADMIN = "admin@helpathon.localhost"
PARTICIPANT = "teilnehmerin@helpathon.localhost"

COMEBACK_AGENDA = [
    PhaseKind.REGISTRATION, PhaseKind.KICKOFF, PhaseKind.IDEATION, PhaseKind.EVALUATION, PhaseKind.TEAM_BUILDING,
    PhaseKind.PROTOTYPING, PhaseKind.PITCHES, PhaseKind.JURY, PhaseKind.PUBLIC_FEEDBACK, PhaseKind.RESULTS,
]
QUARTIER_AGENDA = [
    PhaseKind.REGISTRATION, PhaseKind.KICKOFF, PhaseKind.IDEATION, PhaseKind.EVALUATION, PhaseKind.TEAM_BUILDING,
    PhaseKind.PROTOTYPING, PhaseKind.PITCHES, PhaseKind.RESULTS,
]


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """Every row of every table (including many-to-many tables), by model."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
    }


def local(moment: datetime) -> datetime:
    return moment.astimezone(BERLIN)


@pytest.fixture
def seeded(db):
    seed()
    return Edition.objects.get(slug=COMEBACK), Edition.objects.get(slug=QUARTIER)


def test_it_creates_the_two_editions_with_their_challenges_in_order(seeded):
    comeback, quartier = seeded
    assert [c.title for c in comeback.challenges.all()] == [
        "Comeback Handel und lokale Wirtschaft", "Comeback Ausbildung", "Comeback Tourismus", "Comeback Freizeit",
    ]
    assert [c.partner.name for c in comeback.challenges.all()] == [
        "IHK zu Dortmund", "Handwerkskammer Dortmund", "DORTMUNDtourismus", "Wirtschaftsförderung Dortmund",
    ]
    assert [c.title for c in quartier.challenges.all()] == ["Zusammenleben im Quartier", "Wirtschaften im Quartier"]
    for challenge in [*comeback.challenges.all(), *quartier.challenges.all()]:
        assert challenge.description
        assert len(challenge.question_list) >= 2
        assert all(question.endswith("?") for question in challenge.question_list)
    assert "Was können wir schon jetzt anpacken, um die Welt nach der Krise ein Stückchen besser zu machen?" in (
        quartier.challenges.get(slug="zusammenleben-im-quartier").question_list
    )
    assert set(comeback.partners.values_list("name", flat=True)) == {
        "Wirtschaftsförderung Dortmund", "IHK zu Dortmund", "Handwerkskammer Dortmund", "DORTMUNDtourismus",
    }
    assert list(quartier.partners.values_list("name", flat=True)) == ["Wirtschaftsförderung Dortmund"]
    assert comeback.motto == "Stärker und krisenfester aus der Krise"
    assert "Innovationsvorlage" in comeback.description and "IHK zu Dortmund" in comeback.description
    assert comeback.status == quartier.status == Edition.Status.PUBLISHED
    assert comeback.capacity == 150


@pytest.mark.parametrize(("slug", "kinds"), [(COMEBACK, COMEBACK_AGENDA), (QUARTIER, QUARTIER_AGENDA)])
def test_it_creates_a_full_agenda_in_order_without_overlaps(seeded, slug, kinds):
    edition = Edition.objects.get(slug=slug)
    phases = list(edition.phases.all())
    assert [p.kind for p in phases] == kinds
    for phase in phases:
        assert phase.title and phase.description
        assert phase.ends_at > phase.starts_at
    for earlier, later in itertools.pairwise(phases):
        assert earlier.ends_at <= later.starts_at
    registration = phases[0]
    assert (registration.starts_at, registration.ends_at) == (
        edition.registration_opens_at, edition.registration_closes_at,
    )
    assert phases[1].starts_at == edition.starts_at  # the kickoff opens the event


def test_the_comeback_agenda_runs_over_two_days(seeded):
    comeback, _ = seeded
    times = {
        p.kind: (local(p.starts_at), local(p.ends_at)) for p in comeback.phases.all()
    }
    saturday = local(comeback.starts_at).date()
    sunday = saturday + timedelta(days=1)

    def hm(moment):
        return moment.date(), moment.hour, moment.minute

    assert hm(times[PhaseKind.KICKOFF][0]) == (saturday, 10, 0)
    assert hm(times[PhaseKind.EVALUATION][0]) == (saturday, 13, 30)
    assert hm(times[PhaseKind.PROTOTYPING][0]) == (saturday, 16, 0)
    assert hm(times[PhaseKind.PROTOTYPING][1]) == (sunday, 12, 0)
    assert hm(times[PhaseKind.PITCHES][0]) == (sunday, 13, 0)
    assert hm(times[PhaseKind.JURY][1]) == (sunday, 15, 30)
    assert hm(times[PhaseKind.PUBLIC_FEEDBACK][1]) == (sunday + timedelta(days=14), 15, 30)
    assert hm(times[PhaseKind.RESULTS][1]) == (sunday + timedelta(days=44), 15, 30)
    assert [p.title for p in comeback.phases.all()][1:] == [
        "Auftakt", "Ideenfindung", "Bewertung", "Teambildung", "Prototyping", "Pitches", "Jury",
        "Stimme der Stadt", "Ergebnisse",
    ]


def test_the_current_edition_is_upcoming_and_open_for_registration(seeded, citizen):
    comeback, _ = seeded
    now = timezone.now()
    assert edition_timing(comeback) == "upcoming"
    assert registration_is_open(comeback)
    assert agenda_for(comeback).current.kind == PhaseKind.REGISTRATION
    assert may(citizen, "register", comeback)
    starts, ends = local(comeback.starts_at), local(comeback.ends_at)
    assert starts - now >= timedelta(days=14)
    assert (starts.weekday(), starts.hour, starts.minute) == (5, 10, 0)
    assert ends.date() == starts.date() + timedelta(days=1) and (ends.hour, ends.minute) == (18, 0)
    opens, closes = local(comeback.registration_opens_at), local(comeback.registration_closes_at)
    assert opens.date() == local(now).date() - timedelta(days=7) and (opens.hour, opens.minute) == (0, 0)
    assert closes.date() == starts.date() - timedelta(days=1) and (closes.hour, closes.minute) == (23, 59)


def test_the_first_edition_is_past_and_took_one_saturday(seeded):
    _, quartier = seeded
    assert edition_timing(quartier) == "past"
    assert not registration_is_open(quartier)
    assert quartier.registration_closes_at < quartier.starts_at
    starts, ends = local(quartier.starts_at), local(quartier.ends_at)
    assert starts.weekday() == 5 and (starts.hour, ends.hour) == (10, 18) and starts.date() == ends.date()
    assert timedelta(days=170) < timezone.now() - quartier.starts_at < timedelta(days=200)


@pytest.mark.parametrize(
    "start", ["2026-03-10T08:00:00+00:00", "2026-10-08T23:30:00+00:00", "2027-01-01T00:00:00+00:00"]
)
def test_the_dates_keep_their_wall_clock_times_for_any_day_and_hour(start):
    # Every hour over three weeks, across the changes to and from summer time.
    moment = datetime.fromisoformat(start)
    for _ in range(21 * 24):
        dates = comeback_dates(moment)
        starts = local(dates.starts_at)
        assert starts.weekday() == 5 and (starts.hour, starts.minute) == (10, 0)
        # At least two weeks ahead, at most one more week (and the hour a DST change may add).
        assert timedelta(days=14) <= dates.starts_at - moment < timedelta(days=21, hours=1)
        assert (local(dates.ends_at).hour, local(dates.registration_closes_at).hour) == (18, 23)
        assert dates.registration_opens_at <= moment - timedelta(days=6) < dates.registration_closes_at
        past = quartier_dates(moment)
        assert local(past.starts_at).weekday() == 5 and local(past.starts_at).hour == 10
        assert local(past.ends_at) - local(past.starts_at) == timedelta(hours=8)
        assert past.registration_closes_at < past.starts_at
        moment += timedelta(hours=1)


def test_running_it_again_changes_nothing_even_days_later(seeded, monkeypatch):
    before = snapshot()
    assert before["editions.Edition"] and before["editions.Phase"] and before["account.EmailAddress"]
    later = timezone.now() + timedelta(days=9, hours=5)
    monkeypatch.setattr(timezone, "now", lambda: later)
    output = seed()
    assert "created: nothing" in output and "updated: nothing" in output
    assert snapshot() == before


def test_running_it_again_restores_texts_and_missing_rows_but_keeps_dates(seeded):
    comeback, _ = seeded
    kickoff = comeback.phases.get(kind=PhaseKind.KICKOFF)
    kickoff_times = (kickoff.starts_at, kickoff.ends_at)
    kickoff.delete()
    Phase.objects.filter(edition=comeback, kind=PhaseKind.JURY).update(
        title="Geändert", starts_at=comeback.starts_at + timedelta(days=1, hours=4, minutes=45)
    )
    Edition.objects.filter(pk=comeback.pk).update(motto="anders", starts_at=comeback.starts_at + timedelta(hours=1))
    organizer = User.objects.get(email=ORGANIZER)
    organizer.set_password("changed-by-the-organizer")
    organizer.save()

    output = seed()

    comeback.refresh_from_db()
    assert comeback.motto == "Stärker und krisenfester aus der Krise"
    assert local(comeback.starts_at).hour == 11  # an existing edition keeps its dates
    restored = comeback.phases.get(kind=PhaseKind.KICKOFF)
    assert (restored.starts_at, restored.ends_at) == kickoff_times
    jury = comeback.phases.get(kind=PhaseKind.JURY)
    assert jury.title == "Jury" and (local(jury.starts_at).hour, local(jury.starts_at).minute) == (14, 45)
    assert User.objects.get(email=ORGANIZER).check_password("changed-by-the-organizer")
    assert "created: 1 phase" in output
    assert "updated: 1 edition, 1 phase" in output


def test_if_empty_does_nothing_when_an_edition_exists(edition):
    before = snapshot()
    output = seed("--if-empty")
    assert "left the database as it is" in output
    assert snapshot() == before
    assert not Edition.objects.filter(slug=COMEBACK).exists()
    assert not User.objects.filter(email=ORGANIZER).exists()


def test_if_empty_seeds_an_empty_database(db):
    seed("--if-empty")
    assert set(Edition.objects.values_list("slug", flat=True)) == {COMEBACK, QUARTIER}
    assert Partner.objects.count() == 4


def test_the_organizer_can_log_in_and_organizes_both_editions(seeded, client):
    comeback, quartier = seeded
    organizer = User.objects.get(email=ORGANIZER)
    assert organizer.display_name == "Team Wirtschaftsförderung"
    assert organizer.is_staff and not organizer.is_superuser
    assert organizer.groups.filter(name="Organisatoren").exists()
    assert EmailAddress.objects.filter(user=organizer, email=ORGANIZER, verified=True, primary=True).exists()
    assert client.login(email=ORGANIZER, password="helpathon-demo")
    for edition in (comeback, quartier):
        assert edition.organizers.filter(pk=organizer.pk).exists()
        assert is_organizer(organizer, edition)
        assert may(organizer, "manage_edition", edition)
    # Staff in the group see the editions in the admin.
    assert organizer.has_perm("editions.change_edition")


def test_the_admin_can_log_in(seeded, client):
    admin = User.objects.get(email=ADMIN)
    assert admin.is_superuser and admin.is_staff
    assert EmailAddress.objects.filter(user=admin, verified=True, primary=True).exists()
    assert client.login(email=ADMIN, password="helpathon-admin")
    assert client.get("/admin/").status_code == 200


def test_the_participant_holds_a_confirmed_place(seeded, client):
    comeback, quartier = seeded
    lea = User.objects.get(email=PARTICIPANT)
    assert (lea.display_name, lea.sector, lea.role) == ("Lea Beispiel", "civil_society", "citizen")
    assert EmailAddress.objects.filter(user=lea, verified=True, primary=True).exists()
    assert client.login(email=PARTICIPANT, password="helpathon-demo")
    registration = Registration.objects.get(user=lea)
    assert registration.edition == comeback
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.consent_at and registration.confirmed_at and registration.email_confirmed_at
    assert (registration.sector, registration.role) == ("civil_society", "citizen")
    assert is_participant(lea, comeback) and not is_participant(lea, quartier)
    assert not is_organizer(lea, comeback)


@pytest.mark.django_db
def test_it_refuses_to_seed_published_passwords_on_a_public_site(settings):
    from django.core.management.base import CommandError

    settings.SITE_URL = "https://helpathon.dortmund.example"
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
    assert not Edition.objects.exists()
