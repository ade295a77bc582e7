"""The business calendar engine: worked examples and properties (no database)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesdesk.service.business_hours import (
    Calendar,
    CalendarError,
    add_business_time,
    business_time_between,
    format_duration,
    is_working_instant,
)

BERLIN = ZoneInfo("Europe/Berlin")
H = dt.timedelta(hours=1)
OFFICE = Calendar(time_zone="Europe/Berlin")  # Mon–Fri 08:00–18:00
GERMANY = Calendar(time_zone="Europe/Berlin", holiday_country="DE", holiday_subdivision="BY")


def berlin(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BERLIN)


def test_friday_afternoon_plus_two_hours_is_monday_morning():
    # 2026-11-27 is a Friday
    assert add_business_time(berlin(2026, 11, 27, 17), 2 * H, OFFICE) == berlin(2026, 11, 30, 9)


def test_a_target_used_up_at_closing_time_is_due_at_closing_time():
    assert add_business_time(berlin(2026, 11, 27, 16), 2 * H, OFFICE) == berlin(2026, 11, 27, 18)


def test_a_start_outside_hours_counts_from_the_next_opening():
    assert add_business_time(berlin(2026, 11, 28, 12), H, OFFICE) == berlin(2026, 11, 30, 9)
    assert add_business_time(berlin(2026, 11, 30, 6), H, OFFICE) == berlin(2026, 11, 30, 9)


def test_public_holidays_and_closures_are_skipped():
    # Thursday 2026-12-24 17:00 + 2 h: 1 h on the 24th, then Christmas (25th, 26th), the weekend
    # -> Monday the 28th 09:00
    assert add_business_time(berlin(2026, 12, 24, 17), 2 * H, GERMANY) == berlin(2026, 12, 28, 9)
    closed_monday = Calendar(time_zone="Europe/Berlin", closures=frozenset({dt.date(2026, 11, 30)}))
    assert add_business_time(berlin(2026, 11, 27, 17), 2 * H, closed_monday) == berlin(2026, 12, 1, 9)


def test_subdivision_holidays_apply_only_there():
    # 2026-01-06 (Epiphany) is a holiday in Bavaria, not in Berlin
    berlin_state = Calendar(time_zone="Europe/Berlin", holiday_country="DE", holiday_subdivision="BE")
    start = berlin(2026, 1, 5, 17)
    assert add_business_time(start, 2 * H, GERMANY) == berlin(2026, 1, 7, 9)
    assert add_business_time(start, 2 * H, berlin_state) == berlin(2026, 1, 6, 9)


def test_dst_change_weekend_in_berlin():
    # Clocks go forward on Sunday 2026-03-29; Friday 17:00 CET + 2 h = Monday 09:00 CEST,
    # which is 07:00 UTC (not 08:00 UTC as in winter)
    due = add_business_time(berlin(2026, 3, 27, 17), 2 * H, OFFICE)
    assert due == berlin(2026, 3, 30, 9)
    assert due.astimezone(dt.UTC) == dt.datetime(2026, 3, 30, 7, tzinfo=dt.UTC)
    # and a whole working week still has 50 working hours across the change
    assert business_time_between(berlin(2026, 3, 27, 8), berlin(2026, 4, 3, 8), OFFICE) == 50 * H


def test_a_dst_change_inside_opening_hours():
    # A (made-up) Sunday opening 00:00–06:00 on 2026-10-25, when Berlin's clocks go back at 03:00:
    # the day has seven hours of opening time, not six.
    sunday = Calendar(time_zone="Europe/Berlin", hours={6: (dt.time(0), dt.time(6))})
    assert business_time_between(berlin(2026, 10, 25, 0), berlin(2026, 10, 25, 6), sunday) == 7 * H


def test_time_zones_are_respected():
    tokyo = Calendar(time_zone="Asia/Tokyo")
    # 2026-11-30 00:00 UTC is Monday 09:00 in Tokyo
    start = dt.datetime(2026, 11, 30, 0, tzinfo=dt.UTC)
    assert add_business_time(start, 9 * H, tokyo) == dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC)
    assert add_business_time(start, 10 * H, tokyo) == dt.datetime(2026, 11, 30, 23, 0, tzinfo=dt.UTC) + H


def test_pauses_stop_the_clock():
    start = berlin(2026, 11, 30, 8)
    pause = (berlin(2026, 11, 30, 9), berlin(2026, 11, 30, 11))
    assert add_business_time(start, 3 * H, OFFICE, [pause]) == berlin(2026, 11, 30, 13)
    assert business_time_between(start, berlin(2026, 11, 30, 13), OFFICE, [pause]) == 3 * H


def test_between_is_signed_and_zero_for_equal_instants():
    a, b = berlin(2026, 11, 30, 8), berlin(2026, 11, 30, 10)
    assert business_time_between(a, b, OFFICE) == 2 * H
    assert business_time_between(b, a, OFFICE) == -2 * H
    assert business_time_between(a, a, OFFICE) == dt.timedelta(0)


def test_bad_calendars_and_inputs_are_refused():
    with pytest.raises(CalendarError):
        Calendar(time_zone="Mars/Olympus")
    with pytest.raises(CalendarError):
        Calendar(hours={0: (dt.time(18), dt.time(8))})
    with pytest.raises(CalendarError):
        add_business_time(berlin(2026, 1, 1), H, Calendar(hours={}))
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_time(dt.datetime(2026, 1, 1), H, OFFICE)


def test_format_duration():
    assert format_duration(dt.timedelta(hours=2, minutes=10, seconds=59)) == "2 h 10 m"
    assert format_duration(dt.timedelta(minutes=5)) == "5 m"
    assert format_duration(-dt.timedelta(minutes=90)) == "-1 h 30 m"


# Properties: any instant in 2026–2027, any duration up to two working weeks, any pauses.
instants = st.datetimes(
    min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31), timezones=st.just(dt.UTC)
)
durations = st.integers(min_value=1, max_value=100 * 60).map(lambda m: dt.timedelta(minutes=m))
pause_lists = st.lists(
    st.tuples(instants, st.integers(min_value=1, max_value=72 * 60)).map(
        lambda p: (p[0], p[0] + dt.timedelta(minutes=p[1]))
    ),
    max_size=3,
)
calendars = st.sampled_from([OFFICE, GERMANY, Calendar(time_zone="America/New_York", holiday_country="US")])


@settings(max_examples=60, deadline=None)
@given(start=instants, duration=durations, calendar=calendars, pauses=pause_lists)
def test_a_due_time_is_inside_working_hours(start, duration, calendar, pauses):
    due = add_business_time(start, duration, calendar, pauses)
    assert due > start
    assert is_working_instant(due, calendar)
    assert business_time_between(start, due, calendar, pauses) == duration


@settings(max_examples=60, deadline=None)
@given(start=instants, duration=durations, calendar=calendars, pauses=pause_lists, extra=pause_lists)
def test_more_pauses_never_move_a_due_time_earlier(start, duration, calendar, pauses, extra):
    assert add_business_time(start, duration, calendar, pauses + extra) >= add_business_time(
        start, duration, calendar, pauses
    )


@settings(max_examples=60, deadline=None)
@given(start=instants, duration=durations, more=durations, calendar=calendars)
def test_more_duration_never_moves_a_due_time_earlier(start, duration, more, calendar):
    assert add_business_time(start, duration + more, calendar) > add_business_time(start, duration, calendar)
