"""Bad input gets a clear answer, never a server error: odd paths, odd forms, every role."""

import pytest

pytestmark = pytest.mark.django_db

ODD = ["x" * 300, "ä-ö-ü", "%00", "..", "1;DROP TABLE x", "<script>"]


@pytest.fixture
def urls(edition):
    challenge = edition.challenges.first()
    return {
        "get": [
            "/",
            edition.get_absolute_url(),
            challenge.get_absolute_url(),
            f"/editions/{edition.slug}/register/",
            f"/editions/{edition.slug}/calendar.ics",
            "/profile/",
            "/privacy/",
            "/api/v1/editions",
            f"/api/v1/editions/{edition.slug}",
        ],
        "post": [
            f"/editions/{edition.slug}/register/",
            f"/editions/{edition.slug}/register/cancel/",
            f"/editions/{edition.slug}/register/resend/",
            f"/editions/{edition.slug}/agenda/control/",
            "/registrations/confirm/nonsense/",
            "/profile/",
        ],
    }


@pytest.mark.parametrize("who", ["visitor", "citizen", "participant", "organizer"])
def test_it_never_answers_with_a_server_error(client, urls, who, request):
    user = request.getfixturevalue(who)
    if who != "visitor":
        client.force_login(user)
    for url in urls["get"]:
        for query in ("", "?page=-1&limit=abc&offset=x", "?q=%00"):
            assert client.get(url + query).status_code < 500, url + query
    junk = [
        {},
        {"sector": "x" * 5000, "role": "\x00", "consent": "maybe", "preferred_challenges": ["1", "a", "-5"]},
        {"command": "set", "phase": "99999999999999999999"},
        {"display_name": "\u202e" * 100, "join_waitlist": "1"},
    ]
    for url in urls["post"]:
        for data in junk:
            assert client.post(url, data).status_code < 500, (url, data)


@pytest.mark.parametrize("odd", ODD)
def test_it_answers_odd_paths_with_not_found(client, odd):
    for url in (f"/editions/{odd}/", f"/editions/{odd}/challenges/{odd}/", f"/api/v1/editions/{odd}"):
        assert client.get(url).status_code in {404, 400}, url


def test_it_requires_csrf_tokens_on_forms(edition, citizen):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    response = client.post(f"/editions/{edition.slug}/register/", {"sector": "science"})
    assert response.status_code == 403
