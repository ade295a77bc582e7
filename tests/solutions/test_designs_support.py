"""Fixtures of the solution-design tests (imported by the other test_designs*/checks/api/pages modules).

Jonas (level 4) designs for world A's opportunity, whose requirements Amara (level 3)
captured: 2,000 peak users growing 20 % a year, SSO, 200 API requests per second and a
gap (offline scanning). The catalog has app servers with specs, an end-of-sale server,
a licence that requires a server, and a gateway that excludes it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from salesdesk.catalog.models import Category, CompatibilityRule, PriceListEntry, Product, ProductSpec
from salesdesk.deals import requirement_services
from salesdesk.parties.models import ProductSkill
from salesdesk.solutions import services


def _product(
    category, sku, name, *, kind="product", lifecycle="available", lead=None, specs=(), price="1000"
):
    product = Product.objects.create(
        sku=sku, name=name, category=category, kind=kind, lifecycle=lifecycle, lead_time_days=lead
    )
    for spec_name, value, unit in specs:
        ProductSpec.objects.create(product=product, name=spec_name, value_number=Decimal(value), unit=unit)
    PriceListEntry.objects.create(product=product, list_price=Decimal(price), valid_from=dt.date(2020, 1, 1))
    return product


@pytest.fixture
def catalog(db):
    servers = Category.objects.create(name="Application servers")
    gateways = Category.objects.create(name="Edge gateways")
    services_cat = Category.objects.create(name="Professional services")
    c = SimpleNamespace()
    c.as440 = _product(
        servers,
        "KS-AS440",
        "App Server 440",
        lead=14,
        specs=(("max_concurrent_users", "2000", "users"), ("throughput", "4800", "req/s")),
        price="16400",
    )
    c.as880 = _product(
        servers,
        "KS-AS880",
        "App Server 880",
        lead=21,
        specs=(("max_concurrent_users", "6000", "users"), ("throughput", "12000", "req/s")),
        price="31800",
    )
    c.as110 = _product(
        servers,
        "KS-AS110",
        "App Server 110",
        lifecycle="end_of_sale",
        specs=(("max_concurrent_users", "200", "users"),),
        price="5200",
    )
    c.as110.successor = c.as880
    c.as110.save()
    c.licence = _product(servers, "KS-LIC-ASENT", "App Server Enterprise licence", price="2400")
    c.gateway = _product(
        gateways, "KS-EG-400", "Edge Gateway 400", lead=10, specs=(("throughput", "5000", "Mbit/s"),)
    )
    c.old_gateway = _product(gateways, "KS-EG-100", "Edge Gateway 100", lifecycle="end_of_life")
    c.sso = _product(services_cat, "KS-PS-SSO", "SSO integration package", kind="service", price="3800")
    CompatibilityRule.objects.create(
        product=c.licence,
        kind="requires",
        other_product=c.as440,
        message="The licence runs on an App Server 440.",
    )
    CompatibilityRule.objects.create(
        product=c.gateway,
        kind="excludes",
        other_product=c.old_gateway,
        message="Do not mix the 400 and the 100.",
    )
    CompatibilityRule.objects.create(
        product=c.as440,
        kind="capacity_limit",
        spec_name="max_concurrent_users",
        limit_value=Decimal("2000"),
        message="An App Server 440 serves at most 2,000 users.",
    )
    return c


@pytest.fixture
def consultant(staff_factory):
    return staff_factory(3, username="amara", first_name="Amara", last_name="Okafor")


@pytest.fixture
def head(staff_factory):
    """Level 6 head of customer service (Robert)."""
    return staff_factory(6, username="robert", first_name="Robert", last_name="Hughes")


@pytest.fixture
def skills(presales, agent):
    skill = ProductSkill.objects.create(name="App Server")
    presales.skills.add(skill)
    agent.skills.add(skill)
    gateway = ProductSkill.objects.create(name="Edge Gateway")
    presales.skills.add(gateway)
    return SimpleNamespace(app_server=skill, gateway=gateway)


REQUIREMENTS = (
    ("Support the peak-season workforce.", "capacity", "must", "peak_users = 2000 users"),
    ("Grow over the contract term.", "capacity", "should", "growth_per_year = 20 %"),
    ("Single sign-on with Azure AD.", "security", "must", ""),
    ("Provide an API for the portal team.", "integration", "should", "api_requests_per_second >= 200 req/s"),
    ("Work offline on scanners for an hour.", "availability", "must", "offline_minutes >= 60 min"),
)


@pytest.fixture
def requirements(world_a, consultant):
    made = []
    for statement, kind, priority, targets in REQUIREMENTS:
        made.append(
            requirement_services.requirement_add(
                actor=consultant,
                opportunity=world_a.opportunity,
                data={"statement": statement, "type": kind, "priority": priority, "targets": targets},
            )
        )
    return made


@pytest.fixture
def design(presales, world_a, requirements):
    return services.design_create(
        actor=presales, opportunity_id=world_a.opportunity.pk, data={"title": "Northwind tracking platform"}
    )


@pytest.fixture
def draft(design):
    return design.versions.get(number=1)


def add_component(actor, version, product, quantity=1, **data):
    return services.component_add(
        actor=actor, version=version, data={"product_id": product.pk, "quantity": quantity, **data}
    )
