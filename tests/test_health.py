import pytest


@pytest.mark.django_db
def test_it_says_the_process_lives_without_a_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live")
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_it_checks_the_database_and_redis_when_configured(client, settings):
    response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert ("redis" in body) == bool(settings.REDIS_URL)


@pytest.mark.django_db
def test_it_reports_an_unreachable_redis(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["redis"] == "failing"
