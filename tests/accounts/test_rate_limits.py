import pytest

pytestmark = pytest.mark.django_db


def test_it_stops_password_guessing_through_the_configured_cache(client, citizen, password, settings):
    # The cache is Redis when REDIS_URL is set (CI's PostgreSQL run), local memory otherwise.
    from django.core.cache import cache

    cache.clear()
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
    for _ in range(3):
        client.post("/accounts/login/", {"login": citizen.email, "password": "wrong"})
    # Even the right password is refused now, with a message, not a server error.
    response = client.post("/accounts/login/", {"login": citizen.email, "password": password})
    assert response.status_code in {200, 429}
    assert "_auth_user_id" not in client.session
    cache.clear()
    response = client.post("/accounts/login/", {"login": citizen.email, "password": password})
    assert client.session["_auth_user_id"] == str(citizen.pk)
