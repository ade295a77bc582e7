"""Presales targets on the business calendar: acknowledge within N business hours, deliver by the due date.

Worked example (calendar: UTC, Monday–Friday 09:00–17:00, 8-hour acknowledgement target):
a request made on Friday 4 December 2026 at 14:00 has 3 business hours left that Friday
(14:00–17:00); the weekend does not count; the remaining 5 hours run Monday 09:00–14:00,
so it must be acknowledged by Monday 7 December 14:00. Due on Saturday 12 December, it
must be delivered by the close of the last working day before: Friday 11 December 17:00.
"""

from __future__ import annotations

import datetime as dt

import pytest

from salesdesk.deals import presales_services as services
from salesdesk.deals.presales_selectors import (
    TargetState,
    acknowledge_due,
    deliver_due,
    presales_request_search,
    target_state,
)

from .presales_fixtures import *  # noqa: F403 - the fixtures
from .presales_fixtures import FRIDAY_2PM, ask

pytestmark = pytest.mark.django_db
UTC = dt.UTC
MONDAY_2PM = dt.datetime(2026, 12, 7, 14, 0, tzinfo=UTC)


def test_the_acknowledgement_target_skips_the_weekend(sales_rep, world_a):
    request = ask(sales_rep, world_a.opportunity, due_date=dt.date(2026, 12, 12))
    assert request.acknowledge_due_at == MONDAY_2PM
    assert request.deliver_due_at == dt.datetime(2026, 12, 11, 17, 0, tzinfo=UTC)


def test_a_due_date_on_a_working_day_means_its_close_of_business():
    assert deliver_due(dt.date(2026, 12, 9)) == dt.datetime(2026, 12, 9, 17, 0, tzinfo=UTC)


def test_the_target_follows_the_configured_hours(settings):
    settings.SALESDESK_PRESALES_ACKNOWLEDGE_HOURS = 2
    assert acknowledge_due(FRIDAY_2PM) == dt.datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
    settings.SALESDESK_PRESALES_ACKNOWLEDGE_HOURS = 3
    # used up exactly at closing time: due at closing time, not Monday morning (the SLA convention)
    assert acknowledge_due(FRIDAY_2PM) == dt.datetime(2026, 12, 4, 17, 0, tzinfo=UTC)


def test_public_holidays_of_the_calendar_do_not_count(settings):
    settings.SALESDESK_PRESALES_CALENDAR = {
        **settings.SALESDESK_PRESALES_CALENDAR,
        "time_zone": "Europe/London",
        "holiday_country": "GB",
        "holiday_subdivision": "ENG",
    }
    # Thursday 24 December 2026, 12:00 London: 5 h that day, then Christmas Day (Friday) and
    # the weekend, Boxing Day substitute Monday 28th closed too; 3 h on Tuesday 29th.
    asked = dt.datetime(2026, 12, 24, 12, 0, tzinfo=UTC)
    assert acknowledge_due(asked) == dt.datetime(2026, 12, 29, 12, 0, tzinfo=UTC)


def test_states_over_the_weekend(sales_rep, world_a):
    request = ask(sales_rep, world_a.opportunity, due_date=dt.date(2026, 12, 12))
    saturday = dt.datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    state = target_state(request, saturday)
    assert state.state == TargetState.ACKNOWLEDGE_DUE
    assert state.time_left == dt.timedelta(hours=5)  # the weekend does not eat into it
    assert state.label == "acknowledge due · 5 h 0 m left"
    late = target_state(request, MONDAY_2PM + dt.timedelta(hours=1, minutes=30))
    assert late.state == TargetState.ACKNOWLEDGE_OVERDUE
    assert late.is_overdue
    assert late.label == "acknowledge overdue · 1 h 30 m over"


def test_after_acknowledgement_the_delivery_target_counts(sales_rep, world_a, manager):
    request = ask(sales_rep, world_a.opportunity, due_date=dt.date(2026, 12, 12))
    request = services.presales_request_acknowledge(actor=manager, request=request, now=MONDAY_2PM)
    on_track = target_state(request, MONDAY_2PM)
    # Monday 14–17 (3 h) + Tuesday to Friday (4 × 8 h)
    assert (on_track.state, on_track.time_left) == (TargetState.ON_TRACK, dt.timedelta(hours=35))
    overdue = target_state(request, dt.datetime(2026, 12, 14, 10, 0, tzinfo=UTC))
    assert overdue.state == TargetState.OVERDUE
    assert overdue.time_left == -dt.timedelta(hours=1)  # Monday 09–10 after the Friday deadline


def test_delivered_on_time_or_late(sales_rep, world_a, manager, engineer):
    request = ask(sales_rep, world_a.opportunity, due_date=dt.date(2026, 12, 12))
    services.presales_request_assign(actor=manager, request=request, assignee_id=engineer.pk)
    services.presales_request_start(actor=engineer, request=request)
    late = dt.datetime(2026, 12, 14, 9, 30, tzinfo=UTC)
    request = services.presales_request_deliver(actor=engineer, request=request, now=late)
    assert target_state(request, late).state == TargetState.DELIVERED_LATE


def test_the_overdue_filter_finds_both_kinds_of_miss(sales_rep, world_a, manager):
    unacknowledged = ask(sales_rep, world_a.opportunity, due_date=dt.date(2026, 12, 18))
    late_delivery = ask(sales_rep, world_a.opportunity, due_date=dt.date(2026, 12, 4))
    services.presales_request_acknowledge(actor=manager, request=late_delivery, now=FRIDAY_2PM)
    fine = ask(sales_rep, world_a.opportunity, due_date=dt.date(2026, 12, 18))
    services.presales_request_acknowledge(actor=manager, request=fine, now=FRIDAY_2PM)
    tuesday = dt.datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
    found = set(presales_request_search(user=manager, overdue=True, now=tuesday))
    assert found == {unacknowledged, late_delivery}


def test_past_the_due_time_over_a_weekend_reads_overdue_not_zero_minutes_over(sales_rep, world_a, manager):
    request = ask(sales_rep, world_a.opportunity, due_date=dt.date(2026, 12, 4))
    request = services.presales_request_acknowledge(actor=manager, request=request, now=FRIDAY_2PM)
    saturday = dt.datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    state = target_state(request, saturday)
    assert (state.state, state.label) == (TargetState.OVERDUE, "overdue")
