"""Shared fixtures: the three personas (owner, teammate, outsider) and clients signed in as anyone.

Two organisations' worlds exist side by side:
- world A: customer A (managed by partner A), its contact and opportunity, a partner-A user
  and a customer-A user;
- world B: the same for customer B and partner B.
Staff of our own organisation see both; everyone external sees only their own world.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from salesdesk.core.roles import UserKind

from .factories import (
    PASSWORD,
    ContactFactory,
    OpportunityFactory,
    OrganisationFactory,
    OwnOrganisationFactory,
    PartnerFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 takes ~0.5 s per user the factories create. Tests of hashing itself put
    # the production hashers back (see tests/test_security.py).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def own_org(db):
    return OwnOrganisationFactory()


@pytest.fixture
def staff_factory(own_org) -> Callable[..., object]:
    def make(level: int = 1, **kwargs):
        return UserFactory(kind=UserKind.SUPPORT, support_level=level, organisation=own_org, **kwargs)

    return make


@pytest.fixture
def agent(staff_factory):
    """Level 1 support agent (Priya)."""
    return staff_factory(1, username="priya", first_name="Priya", last_name="Raman")


@pytest.fixture
def presales(staff_factory):
    """Level 4 presales engineer (Jonas)."""
    return staff_factory(4, username="jonas", first_name="Jonas", last_name="Berg")


@pytest.fixture
def sales_rep(own_org):
    return UserFactory(kind=UserKind.SALES_REP, support_level=None, organisation=own_org, username="rep")


@pytest.fixture
def admin_user(own_org):
    return UserFactory(
        kind=UserKind.ADMIN,
        support_level=None,
        organisation=own_org,
        username="admin",
        is_staff=True,
        is_superuser=True,
    )


class World:
    """One partner, the customer it manages, and the records and people of both."""

    def __init__(self, label: str, sales_rep) -> None:
        self.partner = PartnerFactory(name=f"Partner {label}")
        self.customer = OrganisationFactory(name=f"Customer {label}", managed_by=self.partner)
        self.contact = ContactFactory(organisation=self.customer, first_name=f"Sam{label}")
        self.opportunity = OpportunityFactory(
            name=f"Deal {label}", account=self.customer, partner=self.partner, owner=sales_rep
        )
        self.partner_user = UserFactory(
            kind=UserKind.PARTNER,
            support_level=None,
            organisation=self.partner,
            username=f"partner_{label.lower()}",
        )
        self.customer_user = UserFactory(
            kind=UserKind.CUSTOMER,
            support_level=None,
            organisation=self.customer,
            username=f"customer_{label.lower()}",
        )
        self.partner_teammate = UserFactory(
            kind=UserKind.PARTNER,
            support_level=None,
            organisation=self.partner,
            username=f"partner_{label.lower()}_2",
        )


@pytest.fixture
def world_a(sales_rep) -> World:
    return World("A", sales_rep)


@pytest.fixture
def world_b(sales_rep) -> World:
    return World("B", sales_rep)


@pytest.fixture
def client_as(db) -> Callable[[object], Client]:
    """A test client signed in as the given user (session auth, CSRF enforced)."""

    def make(user, *, enforce_csrf: bool = False) -> Client:
        client = Client(enforce_csrf_checks=enforce_csrf)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


@pytest.fixture
def password() -> str:
    return PASSWORD
