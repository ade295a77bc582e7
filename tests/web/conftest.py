"""Fixtures for the page tests: a rendered-HTML helper and a client that counts queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesdesk.core.roles import UserKind
from tests.factories import UserFactory


@pytest.fixture
def bid_manager(staff_factory):
    """Level 5 bid manager (Grace)."""
    return staff_factory(5, username="grace", first_name="Grace", last_name="Okafor")


@pytest.fixture
def customer_user_without_org(db):
    return UserFactory(kind=UserKind.CUSTOMER, support_level=None, organisation=None, username="orphan")


@pytest.fixture
def count_queries():
    """count_queries(callable) -> number of SQL queries the call ran."""

    def run(call) -> int:
        with CaptureQueriesContext(connection) as ctx:
            call()
        return len(ctx.captured_queries)

    return run


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Factories hash a password for every user; Argon2 makes that the slowest part of these tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
