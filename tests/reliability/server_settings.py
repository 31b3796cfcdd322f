"""Settings of the servers the reliability tests start: those of every test server
(tests/server_settings.py) with django-ratelimit's per-person write limits off, so that a
refusal the tests see is the budget's (409), never the limiter's (429). allauth's limits are off
in tests/server_settings.py already."""

from tests.server_settings import *  # noqa: F403

RATELIMIT_ENABLE = False
