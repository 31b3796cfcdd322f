import csv
import io

import pytest
from django.utils import timezone

from helpathon.registrations.models import Registration
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _register(edition, email, status="confirmed"):
    user = make_user(email)
    return Registration.objects.create(
        edition=edition, user=user, status=status, sector="science", role="student", consent_at=timezone.now()
    )


def test_it_lets_organizers_see_only_their_editions(client, edition, organizer, stranger_organizer):
    client.force_login(stranger_organizer)
    listing = client.get("/admin/editions/edition/").content.decode()
    assert edition.title not in listing
    assert "Helpathon other-edition" in listing
    assert client.get(f"/admin/editions/edition/{edition.pk}/change/").status_code in {302, 404}
    client.force_login(organizer)
    assert edition.title in client.get("/admin/editions/edition/").content.decode()
    assert client.get(f"/admin/editions/edition/{edition.pk}/change/").status_code == 200


def test_it_lets_organizers_edit_their_edition_in_the_admin(client, edition, organizer):
    client.force_login(organizer)
    response = client.get(f"/admin/editions/challenge/{edition.challenges.first().pk}/change/")
    assert response.status_code == 200


def test_it_keeps_user_accounts_from_organizers(client, organizer):
    client.force_login(organizer)
    assert client.get("/admin/accounts/user/").status_code == 403


def test_it_exports_registrations_as_csv_for_the_organizers_edition(client, edition, organizer, stranger_organizer):
    mine = _register(edition, "mine@example.org")
    other_edition = stranger_organizer.organized_editions.get()
    theirs = _register(other_edition, "theirs@example.org")
    client.force_login(organizer)
    response = client.post(
        "/admin/registrations/registration/",
        {"action": "export_csv", "_selected_action": [mine.pk, theirs.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["email"] for row in rows] == ["mine@example.org"]
    assert rows[0]["status"] == "confirmed"
    assert rows[0]["sector"] == "science"


def test_it_does_not_let_the_admin_add_registrations_around_the_flow(client, organizer):
    client.force_login(organizer)
    assert client.get("/admin/registrations/registration/add/").status_code == 403
