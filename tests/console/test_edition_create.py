"""Creating an edition from scratch: the service and the console's form."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from helpathon.editions.models import Challenge, Edition, Licence, PhaseKind
from helpathon.editions.services import default_agenda, edition_create

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2031, 5, 9, 9, 0, tzinfo=BERLIN)
END = datetime(2031, 5, 10, 18, 0, tzinfo=BERLIN)


def _values(**overrides):
    values = {
        "title": "Helpathon 2031", "motto": "Gemeinsam", "description": "Worum es geht.",
        "starts_at": START, "ends_at": END,
        "registration_opens_at": START - timedelta(days=30), "registration_closes_at": START,
        "capacity": 80, "licence": Licence.CC_BY_SA_4,
    }
    values.update(overrides)
    return values


def _form(**overrides):
    data = {
        "title": "Helpathon Mobilität", "slug": "", "motto": "", "description": "",
        "starts_at": "2031-06-01T09:00", "ends_at": "2031-06-02T17:00",
        "registration_opens_at": "2031-04-01T09:00", "registration_closes_at": "2031-05-31T23:00",
        "capacity": "60", "licence": "CC-BY-4.0",
        "challenges-TOTAL_FORMS": "3", "challenges-INITIAL_FORMS": "0",
        "challenges-MIN_NUM_FORMS": "0", "challenges-MAX_NUM_FORMS": "20",
        "challenges-0-title": "Sichere Schulwege", "challenges-0-guiding_questions": "Wo ist es gefährlich?\n\nWer hilft?",
        "challenges-1-title": "", "challenges-1-guiding_questions": "",
        "challenges-2-title": "Radwege", "challenges-2-guiding_questions": "",
    }
    data.update(overrides)
    return data


def test_it_creates_a_draft_the_actor_organizes(organizer):
    edition = edition_create(actor=organizer, challenges=[{"title": "Grüne Höfe", "guiding_questions": "Wie?"}], **_values())
    assert edition.status == Edition.Status.DRAFT
    assert edition.slug == "helpathon-2031"
    assert list(edition.organizers.all()) == [organizer]
    assert edition.licence == Licence.CC_BY_SA_4 and edition.capacity == 80
    challenge = edition.challenges.get()
    assert (challenge.slug, challenge.title, challenge.question_list) == ("grune-hofe", "Grüne Höfe", ["Wie?"])


def test_the_default_agenda_has_every_phase_kind_once_over_the_dates(organizer):
    edition = edition_create(actor=organizer, **_values())
    phases = list(edition.phases.order_by("starts_at"))
    assert [p.kind for p in phases] == list(PhaseKind.values)
    assert phases[0].starts_at == START and phases[-1].ends_at == END
    for before, after in zip(phases, phases[1:]):
        assert before.ends_at == after.starts_at
        assert before.starts_at < before.ends_at
    prototyping = next(p for p in phases if p.kind == PhaseKind.PROTOTYPING)
    kickoff = next(p for p in phases if p.kind == PhaseKind.KICKOFF)
    assert prototyping.ends_at - prototyping.starts_at > kickoff.ends_at - kickoff.starts_at


def test_the_default_agenda_fits_a_one_hour_edition():
    agenda = default_agenda(START, START + timedelta(hours=1))
    assert all(start < end for _kind, start, end in agenda)


def test_a_taken_title_gets_a_numbered_slug_and_a_taken_slug_is_refused(organizer, edition):
    first = edition_create(actor=organizer, **_values())
    second = edition_create(actor=organizer, **_values())
    assert (first.slug, second.slug) == ("helpathon-2031", "helpathon-2031-2")
    with pytest.raises(ValidationError) as error:
        edition_create(actor=organizer, slug=edition.slug, **_values())
    assert "slug" in error.value.message_dict


@pytest.mark.parametrize("overrides, field", [
    ({"title": "  "}, "title"),
    ({"ends_at": START}, "ends_at"),
    ({"ends_at": START + timedelta(minutes=30)}, "ends_at"),
    ({"registration_closes_at": START - timedelta(days=30)}, "registration_closes_at"),
    ({"registration_closes_at": END + timedelta(days=1)}, "registration_closes_at"),
    ({"capacity": 0}, "capacity"),
    ({"licence": "all-rights-reserved"}, "licence"),
    ({"starts_at": "tomorrow"}, "starts_at"),
])
def test_it_refuses_bad_input_by_field(organizer, overrides, field):
    with pytest.raises(ValidationError) as error:
        edition_create(actor=organizer, **_values(**overrides))
    assert field in error.value.message_dict
    assert not Edition.objects.filter(title="Helpathon 2031").exists()


def test_it_refuses_questions_without_a_challenge(organizer):
    with pytest.raises(ValidationError):
        edition_create(actor=organizer, challenges=[{"title": "", "guiding_questions": "Warum?"}], **_values())


@pytest.mark.parametrize("who", ["participant", "stranger_organizer"])
def test_only_staff_of_the_organizers_group_create(request, who):
    user = request.getfixturevalue(who)
    if who == "stranger_organizer":
        user.groups.clear()
    with pytest.raises(PermissionDenied):
        edition_create(actor=user, **_values())


# --- the page ---------------------------------------------------------------------------------


def test_the_form_creates_the_edition_and_its_challenges(client, organizer):
    client.force_login(organizer)
    response = client.post(reverse("console:edition_create"), _form())
    edition = Edition.objects.get(slug="helpathon-mobilitat")
    assert response.status_code == 302
    assert response["Location"] == reverse("console:edition_edit", kwargs={"slug": edition.slug})
    assert [c.title for c in edition.challenges.all()] == ["Sichere Schulwege", "Radwege"]
    assert Challenge.objects.get(title="Sichere Schulwege").question_list == ["Wo ist es gefährlich?", "Wer hilft?"]
    # The local time as typed (the site's time zone).
    assert edition.starts_at == datetime(2031, 6, 1, 9, 0, tzinfo=BERLIN)
    assert edition.phases.count() == len(PhaseKind.values)


@pytest.mark.parametrize("overrides, field", [
    ({"title": ""}, "title"),
    ({"starts_at": "nicht-ein-datum"}, "starts_at"),
    ({"ends_at": "2031-05-01T09:00"}, "ends_at"),
    ({"capacity": "-3"}, "capacity"),
    ({"capacity": "9" * 30}, "capacity"),
    ({"licence": "<script>"}, "licence"),
    ({"slug": "Kein Slug!"}, "slug"),
    ({"slug": "test-edition"}, "slug"),
    ({"title": "A\x00B"}, "title"),
    ({"registration_closes_at": "2031-03-01T09:00"}, "registration_closes_at"),
    ({"registration_closes_at": "2031-07-01T09:00"}, "registration_closes_at"),
])
def test_bad_input_shows_errors_beside_the_field_never_a_500(client, organizer, overrides, field):
    client.force_login(organizer)
    response = client.post(reverse("console:edition_create"), _form(**overrides))
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.text
    assert Edition.objects.count() == 1  # only the fixture's


def test_a_broken_challenge_list_shows_an_error_never_a_500(client, organizer):
    client.force_login(organizer)
    data = _form()
    del data["challenges-TOTAL_FORMS"]
    response = client.post(reverse("console:edition_create"), data)
    assert response.status_code == 400
    assert Edition.objects.count() == 1
    response = client.post(reverse("console:edition_create"), _form(**{"challenges-TOTAL_FORMS": "5000"}))
    assert response.status_code == 400


def test_a_date_the_database_cannot_keep_is_an_error_not_a_500(client, organizer):
    # 0001-01-01 00:00 in Berlin is still year 0 in UTC.
    client.force_login(organizer)
    data = _form(starts_at="0001-01-01T00:00", ends_at="0001-01-01T05:00",
                 registration_opens_at="0001-01-01T02:00", registration_closes_at="0001-01-01T03:00")
    response = client.post(reverse("console:edition_create"), data)
    assert response.status_code == 400
    assert 'id="id_starts_at_error"' in response.text
    assert Edition.objects.count() == 1  # the organizer's own edition only


def test_errors_come_in_the_users_language(client, organizer):
    client.force_login(organizer)
    german = client.post(reverse("console:edition_create"), _form(title=""))
    assert "Dieses Feld ist zwingend erforderlich." in german.text
    client.cookies["django_language"] = "en"
    english = client.post(reverse("console:edition_create"), _form(title=""))
    assert "This field is required." in english.text
