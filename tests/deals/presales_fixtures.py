"""Fixtures for the presales tests: Grace (level 5), Jonas and Amara with skills, a fixed calendar.

The calendar is set in settings so the worked examples read plainly: UTC, Monday–Friday
09:00–17:00, no public holidays, acknowledgement within 8 business hours.
"""

from __future__ import annotations

import datetime as dt

import pytest

from salesdesk.deals import presales_services as services
from salesdesk.parties.models import ProductSkill

UTC = dt.UTC
# Friday 14:00 UTC, 4 December 2026.
FRIDAY_2PM = dt.datetime(2026, 12, 4, 14, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def presales_calendar(settings):
    settings.SALESDESK_PRESALES_CALENDAR = {
        "time_zone": "UTC",
        "working_days": "12345",
        "opens_at": "09:00",
        "closes_at": "17:00",
        "holiday_country": "",
        "holiday_subdivision": "",
    }
    settings.SALESDESK_PRESALES_ACKNOWLEDGE_HOURS = 8
    settings.SALESDESK_PRESALES_DEFAULT_HOURS = 8
    settings.SALESDESK_PRESALES_CAPACITY_HOURS = 40


@pytest.fixture
def gateway_skill(db):
    return ProductSkill.objects.create(name="Edge Gateway")


@pytest.fixture
def sso_skill(db):
    return ProductSkill.objects.create(name="Identity and SSO")


@pytest.fixture
def manager(staff_factory):
    """Level 5 bid manager (Grace)."""
    return staff_factory(5, username="grace", first_name="Grace", last_name="Lindqvist")


@pytest.fixture
def engineer(staff_factory, gateway_skill, sso_skill):
    """Level 4 presales engineer (Jonas): Edge Gateway and SSO."""
    user = staff_factory(4, username="jonas", first_name="Jonas", last_name="Berg")
    user.skills.set([gateway_skill, sso_skill])
    return user


@pytest.fixture
def architect(staff_factory, gateway_skill):
    """Level 4 solution architect (Felix): Edge Gateway only."""
    user = staff_factory(4, username="felix", first_name="Felix", last_name="Braun")
    user.skills.set([gateway_skill])
    return user


def ask(actor, opportunity, *, now=None, **data):
    """A request on ``opportunity`` with sensible defaults (due a week after ``now``)."""
    now = now or FRIDAY_2PM
    payload = {
        "kind": "demo",
        "description": "Demo the Edge Gateway SSO setup to the customer's IT team",
        "due_date": (now + dt.timedelta(days=7)).date(),
        **data,
    }
    return services.presales_request_create(actor=actor, opportunity=opportunity, data=payload, now=now)
