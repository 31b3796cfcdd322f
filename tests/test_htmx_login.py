"""An htmx request that needs a login, from someone signed out, loads the login page instead
of swapping it into the page."""

import pytest

pytestmark = pytest.mark.django_db


def test_it_tells_htmx_to_load_the_login_page(client, edition):
    page = f"/editions/{edition.slug}/evaluate/"
    response = client.post(
        f"/editions/{edition.slug}/ideas/1/support/", {"action": "add"},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"},
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/accounts/login/?next={page}"
    assert response.content == b""


def test_it_leaves_plain_requests_to_the_usual_redirect(client, edition):
    response = client.post(f"/editions/{edition.slug}/ideas/1/support/", {"action": "add"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
