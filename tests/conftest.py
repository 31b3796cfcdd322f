"""The fixed cast of test users, reused everywhere (as healthchecks does in hc/test.py):
visitor (anonymous), citizen (verified account, not registered), participant (confirmed place),
organizer (organizes the edition), stranger_organizer (organizes another edition)."""

import os

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from helpathon.registrations.models import Registration
from tests.factories import PASSWORD, make_edition, make_user, organizers_group


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests do not run collectstatic; serve static files by their plain names.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Tasks run on the spot; automatic theme recomputes only where a test asks for them.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.THEMES_AUTO = False
    settings.RANKINGS_AUTO = False
    settings.ACCOUNT_RATE_LIMITS = False


@pytest.fixture(autouse=True)
def _own_redis_database(settings):
    # With Redis, each pytest-xdist worker gets a database of its own: clearing the cache
    # (FLUSHDB) in one worker must not wipe another worker's rate-limit counters.
    if settings.REDIS_URL:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
        base = settings.REDIS_URL.rsplit("/", 1)[0] if settings.REDIS_URL.rsplit("/", 1)[-1].isdigit() else settings.REDIS_URL
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"{base}/{1 + int(worker.removeprefix('gw') or 0)}",
            }
        }


@pytest.fixture(autouse=True)
def _fresh_cache(_own_redis_database):
    # Rate-limit counters live in the cache and user ids repeat between tests.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _steady_rate_limit_windows(monkeypatch):
    # django-ratelimit counts in fixed windows of wall-clock time; a test that sends a few
    # hundred requests could straddle a window's end and see its count restart. Its clock
    # stands still in tests, so that a limit test counts in one window.
    import time
    from types import SimpleNamespace

    import django_ratelimit.core

    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The default hasher costs a quarter second per user; tests create hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def phases(edition):
    return list(edition.phases.order_by("starts_at"))


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def edition(db):
    return make_edition()


@pytest.fixture
def visitor():
    return AnonymousUser()


@pytest.fixture
def citizen(db):
    return make_user("citizen@example.org", display_name="Cora Citizen")


@pytest.fixture
def participant(db, edition):
    user = make_user("participant@example.org", display_name="Paul Participant")
    now = timezone.now()
    Registration.objects.create(
        edition=edition, user=user, status=Registration.Status.CONFIRMED, sector="business", role="founder",
        consent_at=now, confirmed_at=now, email_confirmed_at=now,
    )
    return user


@pytest.fixture
def organizer(db, edition):
    user = make_user("organizer@example.org", display_name="Olga Organizer", is_staff=True)
    user.groups.add(organizers_group())
    edition.organizers.add(user)
    return user


@pytest.fixture
def stranger_organizer(db):
    other = make_edition(slug="other-edition")
    user = make_user("stranger@example.org", display_name="Stefan Stranger", is_staff=True)
    user.groups.add(organizers_group())
    other.organizers.add(user)
    return user
