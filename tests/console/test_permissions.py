"""Every console page is for the organizers of its edition: visitors go to the login, everyone
else gets 403 (a draft they may not see stays a 404)."""

import pytest
from django.urls import reverse

from helpathon.editions.models import Edition
from tests.factories import make_edition, make_user, organizers_group

pytestmark = pytest.mark.django_db

EDITION_PAGES = ["overview", "edition_copy", "edition_edit", "registrations", "downloads"]


def _url(name, edition):
    return reverse(f"console:{name}", kwargs={"slug": edition.slug})


@pytest.mark.parametrize("name", EDITION_PAGES)
def test_it_sends_visitors_to_the_login(client, edition, name):
    response = client.get(_url(name, edition))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", EDITION_PAGES)
@pytest.mark.parametrize("who", ["citizen", "participant", "stranger_organizer"])
def test_it_refuses_everyone_but_the_editions_organizers(client, edition, name, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(name, edition)).status_code == 403


@pytest.mark.parametrize("name", EDITION_PAGES)
def test_it_shows_the_organizer_every_page(client, edition, organizer, name):
    client.force_login(organizer)
    response = client.get(_url(name, edition))
    assert response.status_code == 200
    assert response.content.count(b"<h1") == 1


def test_a_superuser_may_run_any_edition(client, edition):
    admin = make_user("admin@example.org", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get(_url("overview", edition)).status_code == 200


def test_a_draft_of_someone_else_stays_hidden(client, stranger_organizer):
    draft = make_edition(slug="secret-draft", status=Edition.Status.DRAFT)
    client.force_login(stranger_organizer)
    assert client.get(_url("overview", draft)).status_code == 404


def test_writes_are_refused_too(client, edition, participant, stranger_organizer):
    registration = edition.registrations.get(user=participant)
    client.force_login(stranger_organizer)
    url = reverse("console:check_in", kwargs={"slug": edition.slug, "pk": registration.pk})
    assert client.post(url, {"checked_in": "1"}).status_code == 403
    assert client.post(_url("edition_copy", edition), {"title": "X", "starts_at": "2031-01-01T10:00"}).status_code == 403
    assert client.post(_url("edition_edit", edition), {"status": "draft"}).status_code == 403
    registration.refresh_from_db()
    edition.refresh_from_db()
    assert registration.checked_in_at is None
    assert edition.status == Edition.Status.PUBLISHED
    assert Edition.objects.count() == 2


# --- the console's home and creating editions ------------------------------------------------


def test_home_sends_visitors_to_the_login(client):
    response = client.get(reverse("console:home"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["citizen", "participant"])
def test_home_refuses_people_who_organize_nothing(client, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("console:home")).status_code == 403
    assert client.get(reverse("console:edition_create")).status_code == 403


def test_home_lists_only_the_editions_one_organizes(client, edition, organizer, stranger_organizer):
    client.force_login(organizer)
    response = client.get(reverse("console:home"))
    assert response.status_code == 200
    assert edition.title in response.text
    assert "Helpathon other-edition" not in response.text
    assert reverse("console:edition_create") in response.text


def test_home_lists_all_editions_for_a_superuser(client, edition, stranger_organizer):
    client.force_login(make_user("admin@example.org", is_staff=True, is_superuser=True))
    response = client.get(reverse("console:home"))
    assert edition.title in response.text and "Helpathon other-edition" in response.text


def test_staff_of_the_organizers_group_may_start_an_edition_without_organizing_one(client, db):
    newcomer = make_user("new@example.org", is_staff=True)
    newcomer.groups.add(organizers_group())
    client.force_login(newcomer)
    response = client.get(reverse("console:home"))
    assert response.status_code == 200
    assert reverse("console:edition_create") in response.text
    assert client.get(reverse("console:edition_create")).status_code == 200


def test_staff_outside_the_group_may_not_start_an_edition(client, db):
    client.force_login(make_user("staff@example.org", is_staff=True))
    assert client.get(reverse("console:home")).status_code == 403
    assert client.get(reverse("console:edition_create")).status_code == 403


def test_an_organizer_outside_the_group_runs_their_edition_but_starts_none(client, edition):
    helper = make_user("helper@example.org")
    edition.organizers.add(helper)
    client.force_login(helper)
    response = client.get(reverse("console:home"))
    assert response.status_code == 200
    assert reverse("console:edition_create") not in response.text
    assert client.get(reverse("console:edition_create")).status_code == 403
    assert client.get(_url("edition_copy", edition)).status_code == 403
    assert client.get(_url("overview", edition)).status_code == 200


def test_the_navigation_links_staff_to_the_console(client, organizer, participant):
    client.force_login(organizer)
    assert reverse("console:home") in client.get("/").text
    client.force_login(participant)
    assert reverse("console:home") not in client.get("/").text
