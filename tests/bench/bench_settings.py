"""Settings of the `make bench` server (tests/bench/run.py): the production settings with the
per-person write limits of django-ratelimit off (`RATELIMIT_ENABLE`), so that the write figures
measure the writes and not the limiter's refusals. allauth's limits go off with
DISABLE_RATE_LIMITS=1, which run.py sets for the server process too. Nothing else differs."""

from helpathon.settings import *  # noqa: F403

RATELIMIT_ENABLE = False
