"""The registration demo: pending, approved, rejected and in-conflict registrations, loaded twice.

The full loader is walked by tests/test_demo.py; here the registrations part runs on a small
world of its own (the demo's customer names, partners and product SKUs), which is much faster.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from salesdesk.catalog.models import Category, Product
from salesdesk.core.roles import UserKind
from salesdesk.deals.models import DealRegistration
from salesdesk.demo.registrations import OPPORTUNITY_PRODUCTS, REGISTRATIONS, load_registrations_demo
from tests.factories import OpportunityFactory, OrganisationFactory, PartnerFactory, UserFactory

from . import registration_fixtures as fx

# Shared fixtures (tests/deals/conftest.py belongs to the requirements tests).
manager = fx.manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_users(manager, sales_rep):
    category = Category.objects.create(name="Demo")
    for sku in sorted(
        {s for r in REGISTRATIONS for s in r.skus} | {s for v in OPPORTUNITY_PRODUCTS.values() for s in v}
    ):
        Product.objects.create(sku=sku, name=f"Product {sku}", category=category)
    users = {"grace": manager}
    for username, partner_name in (("lena", "Brightpath"), ("pieter", "Meridian"), ("katrin", "Alpenblick")):
        partner = PartnerFactory(name=partner_name)
        users[username] = UserFactory(
            kind=UserKind.PARTNER, support_level=None, organisation=partner, username=username
        )
    for name, opportunity in (
        ("Northwind Logistics", "Northwind logistics"),
        ("Granite Peak Energy", "Granite Peak edge gateways"),
        ("Rhein Stahl Recycling", None),
    ):
        customer = OrganisationFactory(name=name)
        if opportunity:
            OpportunityFactory(name=opportunity, account=customer, owner=sales_rep)
    return users


def test_every_state_is_there_and_loading_twice_adds_nothing(demo_users):
    created = load_registrations_demo(users=demo_users, today=timezone.localdate())
    assert created["deal registrations"] == len(REGISTRATIONS)
    by_customer = {r.customer_name: r for r in DealRegistration.objects.all()}
    approved = by_customer["Rhein Stahl Recycling GmbH"]
    assert approved.status == "approved" and approved.opportunity.partner.name == "Alpenblick"
    assert by_customer["Juniper Hotels S.L."].status == "rejected"
    assert (
        by_customer["Pellham Media Ltd"].status == "pending"
        and not by_customer["Pellham Media Ltd"].in_conflict
    )
    lena = by_customer["Northwind Logistics Limited"]
    assert lena.status == "pending" and lena.in_conflict and lena.conflicts[0]["products_unknown"]
    assert by_customer["Granite Peak Energy, Inc."].in_conflict
    blocked = by_customer["Rhein-Stahl Recycling"]
    assert blocked.in_conflict and blocked.blocked_until == approved.protected_until
    again = load_registrations_demo(users=demo_users, today=timezone.localdate())
    assert sum(again.values()) == 0 and DealRegistration.objects.count() == len(REGISTRATIONS)
