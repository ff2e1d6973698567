"""Fixtures for the interview flow's API tests."""

import pytest

from tests.interview import Interview, load_bank


@pytest.fixture
def flow(app, client, auth):
    """Three seed questions in organisation "acme", and the calls of the flow."""
    load_bank(app, count=3)
    return Interview(client, auth)
