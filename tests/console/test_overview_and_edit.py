"""The control room (phase control, announcements, counts) and editing / publishing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from helpathon.editions.models import Announcement, Edition
from helpathon.editions.services import edition_update, phase_set
from helpathon.ideas.services import comment_create, idea_create
from helpathon.moderation.services import report_create
from helpathon.registrations.models import Registration
from tests.console.conftest import register

pytestmark = pytest.mark.django_db


def _url(name, edition):
    return reverse(f"console:{name}", kwargs={"slug": edition.slug})


def test_the_control_room_shows_phase_control_announcements_and_counts(organizer_client, edition, participant):
    register(edition, "w@example.org", status=Registration.Status.WAITLISTED)
    response = organizer_client.get(_url("overview", edition))
    text = response.text
    assert reverse("editions:phase_control", kwargs={"slug": edition.slug}) in text
    assert reverse("editions:announcement_create", kwargs={"slug": edition.slug}) in text
    assert reverse("moderation:queue", kwargs={"slug": edition.slug}) in text
    assert reverse("console:mailings", kwargs={"slug": edition.slug}) in text
    assert reverse("console:downloads", kwargs={"slug": edition.slug}) in text
    assert response.context["registration_counts"]["confirmed"] == 1
    assert response.context["registration_counts"]["waitlisted"] == 1
    assert response.context["open_reports"] == 0


def test_it_counts_open_reports(organizer_client, edition, organizer, participant):
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    idea = idea_create(actor=participant, challenge=edition.challenges.first(), title="Idee")
    other = register(edition, "o@example.org").user
    comment = comment_create(actor=other, idea=idea, body="Hm")
    report_create(actor=participant, comment=comment, reason="Bitte ansehen")
    response = organizer_client.get(_url("overview", edition))
    assert response.context["open_reports"] == 1


def test_the_counts_refresh_as_a_fragment(organizer_client, edition):
    response = organizer_client.get(_url("overview", edition) + "?part=counts", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="console-counts"' in response.text


def test_an_announcement_sent_from_the_control_room_returns_there(organizer_client, edition):
    console = _url("overview", edition)
    response = organizer_client.post(
        reverse("editions:announcement_create", kwargs={"slug": edition.slug}), {"text": "Pause bis 13 Uhr", "next": console}
    )
    assert response["Location"] == console + "#announcement-control"
    assert Announcement.objects.get().text == "Pause bis 13 Uhr"
    page = organizer_client.get(console)
    assert "Pause bis 13 Uhr" in page.text
    # Elsewhere a `next` is not followed.
    response = organizer_client.post(
        reverse("editions:announcement_create", kwargs={"slug": edition.slug}), {"text": "Zweite", "next": "https://evil.example/"}
    )
    assert response["Location"] == edition.get_absolute_url() + "#announcement-control"


def test_the_phase_control_returns_to_the_control_room(organizer_client, edition):
    console = _url("overview", edition)
    response = organizer_client.post(
        reverse("editions:phase_control", kwargs={"slug": edition.slug}), {"command": "next", "next": console}
    )
    assert response["Location"] == console + "#agenda"
    edition.refresh_from_db()
    assert edition.phase_override_id is not None


# --- edit and publish -------------------------------------------------------------------------


def _edit_form(edition, **overrides):
    fmt = "%Y-%m-%dT%H:%M"
    local = timezone.localtime
    data = {
        "title": edition.title, "motto": edition.motto, "description": edition.description,
        "starts_at": local(edition.starts_at).strftime(fmt), "ends_at": local(edition.ends_at).strftime(fmt),
        "registration_opens_at": local(edition.registration_opens_at).strftime(fmt),
        "registration_closes_at": local(edition.registration_closes_at).strftime(fmt),
        "capacity": str(edition.capacity), "licence": edition.licence, "shift_agenda": "on",
    }
    data.update(overrides)
    return data


def test_editing_saves_the_fields(organizer_client, edition):
    response = organizer_client.post(_url("edition_edit", edition), _edit_form(edition, title="Neuer Titel", capacity="12"))
    assert response.status_code == 302
    edition.refresh_from_db()
    assert (edition.title, edition.capacity) == ("Neuer Titel", 12)


def test_moving_the_start_moves_the_agenda_when_asked(organizer, edition):
    before = list(edition.phases.order_by("starts_at").values_list("starts_at", flat=True))
    day = timedelta(days=1)
    edition_update(actor=organizer, edition=edition, starts_at=edition.starts_at + day, ends_at=edition.ends_at + day,
                   shift_agenda=True)
    after = list(edition.phases.order_by("starts_at").values_list("starts_at", flat=True))
    assert after == [start + day for start in before]
    edition_update(actor=organizer, edition=Edition.objects.get(pk=edition.pk), starts_at=edition.starts_at + 2 * day,
                   ends_at=edition.ends_at + 2 * day, shift_agenda=False)
    assert list(edition.phases.order_by("starts_at").values_list("starts_at", flat=True)) == after


@pytest.mark.parametrize("overrides, field", [
    ({"title": ""}, "title"),
    ({"ends_at": "2000-01-01T00:00"}, "ends_at"),
    ({"capacity": "0"}, "capacity"),
    ({"starts_at": "x"}, "starts_at"),
    ({"licence": "proprietary"}, "licence"),
])
def test_editing_with_bad_input_shows_errors(organizer_client, edition, overrides, field):
    response = organizer_client.post(_url("edition_edit", edition), _edit_form(edition, **overrides))
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.text


def test_a_start_that_moves_the_agenda_off_the_calendar_is_an_error_not_a_500(organizer_client, edition):
    # The dates are fine, but the phases would move beyond the year 9999 with them.
    data = _edit_form(edition, starts_at="9999-12-31T20:00", ends_at="9999-12-31T22:00",
                      registration_opens_at="9999-12-31T18:00", registration_closes_at="9999-12-31T19:00")
    before = list(edition.phases.values_list("starts_at", flat=True))
    response = organizer_client.post(_url("edition_edit", edition), data)
    assert response.status_code == 400
    assert 'id="id_starts_at_error"' in response.text
    edition.refresh_from_db()
    assert edition.starts_at.year < 9999 and list(edition.phases.values_list("starts_at", flat=True)) == before


def test_publishing_and_back_to_draft(organizer_client, edition):
    response = organizer_client.post(_url("edition_edit", edition), {"status": "draft"})
    assert response.status_code == 302
    edition.refresh_from_db()
    assert edition.status == Edition.Status.DRAFT
    organizer_client.post(_url("edition_edit", edition), {"status": "published"})
    edition.refresh_from_db()
    assert edition.status == Edition.Status.PUBLISHED
    response = organizer_client.post(_url("edition_edit", edition), {"status": "secret"})
    assert response.status_code == 400
    edition.refresh_from_db()
    assert edition.status == Edition.Status.PUBLISHED


def test_an_edition_without_agenda_cannot_be_published(organizer_client, edition):
    edition.phases.all().delete()
    organizer_client.post(_url("edition_edit", edition), {"status": "draft"})
    response = organizer_client.post(_url("edition_edit", edition), {"status": "published"})
    assert response.status_code == 400
    edition.refresh_from_db()
    assert edition.status == Edition.Status.DRAFT
