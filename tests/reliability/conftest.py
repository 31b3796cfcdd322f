"""Reliability tests reuse the evaluation tests' set-up: ideas written in ideation by their
author, then the edition in its evaluation phase (where supporting and commenting are allowed)."""

import pytest

from tests.evaluation.conftest import author, evaluation, ideas, make_participant  # noqa: F401
from tests.reliability.clients import SERVER_SECRET


@pytest.fixture
def server_secret(settings):
    """Sessions made in the test process must be the servers' to read."""
    settings.SECRET_KEY = SERVER_SECRET
    return SERVER_SECRET
