"""Fixtures of the service desk: staff at each level, a Berlin calendar and a gold SLA policy."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from salesdesk.service import services
from salesdesk.service.models import BusinessCalendar, SlaPolicy

BERLIN = ZoneInfo("Europe/Berlin")
# Monday 2026-11-30 10:00 in Berlin: a working morning.
MONDAY_10 = dt.datetime(2026, 11, 30, 10, tzinfo=BERLIN)


@pytest.fixture
def specialist(staff_factory):
    """Level 2 support specialist (Tomás)."""
    return staff_factory(2, username="tomas", first_name="Tomás", last_name="Silva", email="tomas@acme.test")


@pytest.fixture
def bid_manager(staff_factory):
    return staff_factory(5, username="grace", first_name="Grace", last_name="Hopper")


@pytest.fixture
def head(staff_factory):
    """Level 6 head of customer service (Robert)."""
    return staff_factory(6, username="robert", first_name="Robert", last_name="Kim")


@pytest.fixture
def calendar(db):
    return BusinessCalendar.objects.create(name="Berlin office", time_zone="Europe/Berlin")


@pytest.fixture
def gold_policy(calendar):
    return SlaPolicy.objects.create(
        customer_tier="gold",
        priority="high",
        first_response_minutes=60,
        resolution_minutes=8 * 60,
        at_risk_percent=75,
        calendar=calendar,
    )


@pytest.fixture
def gold_world(world_a):
    world_a.customer.tier = "gold"
    world_a.customer.save()
    return world_a


@pytest.fixture
def open_case(agent, gold_world, gold_policy):
    """A high-priority complaint on gold customer A, opened Monday 10:00 by Priya."""

    def make(**data):
        values = {
            "account_id": gold_world.customer.pk,
            "contact_id": gold_world.contact.pk,
            "subject": "Order arrived without licences",
            "case_type": "complaint",
            "priority": "high",
            **data,
        }
        now = values.pop("now", MONDAY_10)
        return services.case_open(actor=agent, data=values, now=now)

    return make
