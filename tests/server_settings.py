"""Settings of server processes that tests start (uvicorn in a subprocess): the project's
settings with the same test overrides as tests/conftest.py, on the test database that the test
process passes in DATABASE_URL."""

from helpathon.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
THEMES_AUTO = False
RANKINGS_AUTO = False
ACCOUNT_RATE_LIMITS = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
