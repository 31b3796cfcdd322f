"""Copying a past edition into a new draft: what it takes over, what it leaves behind."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from helpathon.editions.models import Announcement, Edition, Licence, Partner, PhaseChange
from helpathon.editions.services import announcement_create, edition_copy, phase_set
from helpathon.evaluation.models import Criterion, EvaluationSettings, JuryMember
from helpathon.ideas.models import Comment, Idea
from helpathon.ideas.services import comment_create, idea_create
from helpathon.live.models import LiveEvent
from helpathon.moderation.models import Report
from helpathon.moderation.services import report_create
from helpathon.registrations.models import Registration
from helpathon.teams.models import Team, TeamSettings
from helpathon.teams.services import team_found
from tests.console.conftest import register
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NEW_START = timezone.now().replace(microsecond=0) + timedelta(days=365)


@pytest.fixture
def source(edition, organizer, participant):
    """An edition full of settings and of people's contributions."""
    partner = Partner.objects.create(name="Stadtwerke", url="https://example.org/")
    edition.partners.add(partner)
    challenge = edition.challenges.first()
    challenge.partner = partner
    challenge.description = "Beschreibung"
    challenge.save()
    edition.licence = Licence.DL_DE_BY
    edition.phase_actions_extra = {"evaluation": ["jury_score"]}
    edition.capacity = 42
    edition.save()
    phase = edition.phases.get(kind="ideation")
    phase.title, phase.description = "Ideen sammeln", "Alle denken mit."
    phase.save()
    EvaluationSettings.objects.create(edition=edition, support_budget=7, rankings_while_open=True)
    Criterion.objects.create(edition=edition, key="impact", name="Wirkung", weight=2.5, order=1, for_jury=False)
    Criterion.objects.create(edition=edition, key="feasibility", weight=1, order=2)
    TeamSettings.objects.create(edition=edition, max_team_size=4, teams_per_person=2)
    co_organizer = make_user("co@example.org", display_name="Co Organizer", is_staff=True)
    edition.organizers.add(co_organizer)
    edition.moderators.add(make_user("mod@example.org"))
    juror = make_user("juror@example.org")
    JuryMember.objects.create(edition=edition, user=juror, appointed_at=timezone.now())
    # People's contributions
    phase_set(actor=organizer, edition=edition, phase=phase)
    other = register(edition, "other@example.org").user
    idea = idea_create(actor=participant, challenge=challenge, title="Eine gute Idee")
    comment = comment_create(actor=other, idea=idea, body="Ein Kommentar")
    report_create(actor=participant, comment=comment, reason="Bitte prüfen")
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="team_building"))
    team_found(actor=participant, challenge=challenge, name="Team Bank", ideas=[idea])
    announcement_create(actor=organizer, edition=edition, text="Hallo zusammen")
    return edition


def test_it_copies_the_edition_into_a_draft_with_shifted_dates(source, organizer):
    copy = edition_copy(actor=organizer, source=source, title="Helpathon 2", slug="", starts_at=NEW_START)
    shift = NEW_START - source.starts_at
    assert copy.status == Edition.Status.DRAFT
    assert copy.slug == "helpathon-2" and copy.title == "Helpathon 2"
    assert (copy.motto, copy.description, copy.capacity) == (source.motto, source.description, 42)
    assert copy.licence == Licence.DL_DE_BY
    assert copy.phase_actions_extra == {"evaluation": ["jury_score"]}
    assert copy.starts_at == NEW_START
    assert copy.ends_at == source.ends_at + shift
    assert copy.registration_opens_at == source.registration_opens_at + shift
    assert copy.registration_closes_at == source.registration_closes_at + shift
    assert copy.phase_override_id is None


def test_it_copies_challenges_partners_and_the_shifted_agenda(source, organizer):
    copy = edition_copy(actor=organizer, source=source, title="Helpathon 2", starts_at=NEW_START)
    shift = NEW_START - source.starts_at

    def challenges(edition):
        return [(c.slug, c.title, c.description, c.guiding_questions, c.partner_id, c.order)
                for c in edition.challenges.order_by("order", "pk")]

    assert challenges(copy) == challenges(source)
    assert copy.challenges.first().question_list == ["Wie kann es gelingen?", "Was brauchen wir dafür?"]
    assert not set(copy.challenges.values_list("pk", flat=True)) & set(source.challenges.values_list("pk", flat=True))
    assert set(copy.partners.values_list("name", flat=True)) == {"Wirtschaftsförderung Test", "Stadtwerke"}
    old = [(p.kind, p.title, p.description, p.starts_at + shift, p.ends_at + shift) for p in source.phases.order_by("starts_at")]
    new = [(p.kind, p.title, p.description, p.starts_at, p.ends_at) for p in copy.phases.order_by("starts_at")]
    assert new == old


def test_it_copies_evaluation_and_team_settings_and_criteria(source, organizer):
    copy = edition_copy(actor=organizer, source=source, title="Helpathon 2", starts_at=NEW_START)
    settings = EvaluationSettings.objects.get(edition=copy)
    assert (settings.support_budget, settings.rankings_while_open) == (7, True)
    assert EvaluationSettings.objects.get(edition=source).support_budget == 7  # the original stays
    criteria = [(c.key, c.name, c.weight, c.order, c.for_participants, c.for_jury) for c in copy.criteria.order_by("order")]
    assert criteria == [("impact", "Wirkung", 2.5, 1, True, False), ("feasibility", "", 1.0, 2, True, True)]
    assert source.criteria.count() == 2
    teams = TeamSettings.objects.get(edition=copy)
    assert (teams.max_team_size, teams.teams_per_person) == (4, 2)


def test_it_copies_the_organizers_and_adds_the_actor(source, organizer):
    admin = make_user("admin@example.org", is_staff=True, is_superuser=True)
    copy = edition_copy(actor=admin, source=source, title="Helpathon 2", starts_at=NEW_START)
    assert set(copy.organizers.values_list("email", flat=True)) == {
        "organizer@example.org", "co@example.org", "admin@example.org",
    }


def test_it_leaves_everything_personal_behind(source, organizer):
    copy = edition_copy(actor=organizer, source=source, title="Helpathon 2", starts_at=NEW_START)
    assert Registration.objects.filter(edition=copy).count() == 0
    assert Idea.objects.filter(edition=copy).count() == 0
    assert Comment.objects.filter(idea__edition=copy).count() == 0
    assert Team.objects.filter(edition=copy).count() == 0
    assert JuryMember.objects.filter(edition=copy).count() == 0
    assert Report.objects.filter(edition=copy).count() == 0
    assert Announcement.objects.filter(edition=copy).count() == 0
    assert PhaseChange.objects.filter(edition=copy).count() == 0
    assert LiveEvent.objects.filter(edition=copy).count() == 0
    assert copy.moderators.count() == 0
    # The source keeps all of it.
    assert source.registrations.count() == 2 and source.ideas.count() == 1 and source.teams.count() == 1
    # Nobody but the organizers is linked to the copy.
    people = {u.email for u in copy.organizers.all()}
    assert "participant@example.org" not in people and "other@example.org" not in people


def test_settings_that_were_never_set_stay_unset(edition, organizer):
    copy = edition_copy(actor=organizer, source=edition, title="Schlicht", starts_at=NEW_START)
    assert not EvaluationSettings.objects.filter(edition=copy).exists()
    assert not TeamSettings.objects.filter(edition=copy).exists()
    assert copy.criteria.count() == 0


def test_a_given_slug_is_used_and_must_be_free(edition, organizer):
    copy = edition_copy(actor=organizer, source=edition, title="X", slug="helpathon-2032", starts_at=NEW_START)
    assert copy.slug == "helpathon-2032"
    for slug in ("helpathon-2032", "Nicht gültig", "a" * 81):
        with pytest.raises(ValidationError) as error:
            edition_copy(actor=organizer, source=edition, title="X", slug=slug, starts_at=NEW_START)
        assert "slug" in error.value.message_dict


@pytest.mark.parametrize("title, starts_at", [("", NEW_START), ("  ", NEW_START), ("x" * 201, NEW_START), ("X", None)])
def test_it_refuses_bad_input(edition, organizer, title, starts_at):
    with pytest.raises(ValidationError):
        edition_copy(actor=organizer, source=edition, title=title, starts_at=starts_at)
    assert Edition.objects.count() == 1


@pytest.mark.parametrize("who", ["participant", "citizen", "stranger_organizer"])
def test_only_the_source_organizers_may_copy(edition, request, who):
    with pytest.raises(PermissionDenied):
        edition_copy(actor=request.getfixturevalue(who), source=edition, title="X", starts_at=NEW_START)
    assert not Edition.objects.filter(title="X").exists()


# --- the page ---------------------------------------------------------------------------------


def test_the_page_copies_and_leads_to_the_new_draft(client, source, organizer):
    client.force_login(organizer)
    url = reverse("console:edition_copy", kwargs={"slug": source.slug})
    page = client.get(url)
    assert f"{source.title} (Kopie)" in page.text or f"{source.title} (copy)" in page.text
    response = client.post(url, {"title": "Helpathon Herbst", "slug": "", "starts_at": "2031-10-01T09:00"})
    copy = Edition.objects.get(slug="helpathon-herbst")
    assert response.status_code == 302
    assert response["Location"] == reverse("console:edition_edit", kwargs={"slug": copy.slug})
    assert copy.challenges.count() == source.challenges.count()


@pytest.mark.parametrize("data, field", [
    ({"title": "", "starts_at": "2031-10-01T09:00"}, "title"),
    ({"title": "X", "starts_at": "gestern"}, "starts_at"),
    ({"title": "X", "starts_at": "2031-10-01T09:00", "slug": "test-edition"}, "slug"),
])
def test_the_page_shows_errors_never_a_500(client, edition, organizer, data, field):
    client.force_login(organizer)
    response = client.post(reverse("console:edition_copy", kwargs={"slug": edition.slug}), data)
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.text
    assert Edition.objects.count() == 1


@pytest.mark.parametrize("starts_at", ["9999-12-31T23:00", "0001-01-01T00:00"])
def test_a_start_that_moves_dates_off_the_calendar_is_an_error_not_a_500(client, edition, organizer, starts_at):
    client.force_login(organizer)
    response = client.post(reverse("console:edition_copy", kwargs={"slug": edition.slug}),
                           {"title": "X", "starts_at": starts_at})
    assert response.status_code == 400
    assert 'id="id_starts_at_error"' in response.text
    assert Edition.objects.count() == 1


def test_a_copy_of_a_copy_works(edition, organizer):
    first = edition_copy(actor=organizer, source=edition, title="Zweite", starts_at=NEW_START)
    second = edition_copy(actor=organizer, source=first, title="Dritte", starts_at=NEW_START + timedelta(days=365))
    assert second.phases.count() == edition.phases.count()
