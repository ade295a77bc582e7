"""Business calendars: how much *working* time lies between two instants, and when a target falls due.

A pure engine (no Django): plain dataclasses and ``datetime`` in, ``datetime`` out, so the
services, the CLI, benchmarks and tests use it without a database.

The model
---------
A calendar is a time zone, the opening hours of each working weekday (one interval per
day, local wall-clock time), the public holidays of a country (and optional subdivision)
from the ``holidays`` package, and extra closure dates. Working time is the union of the
daily opening intervals, converted to UTC *day by day* through ``zoneinfo``, so a DST
change is handled where it happens: on the Sunday Berlin moves its clocks, an 08:00–18:00
Monday is still ten working hours, and the UTC offset of each opening and closing instant
is the one valid on that local date. (A local opening time that does not exist because of
a DST gap is read with ``fold=0``, the offset before the change, as PEP 495 specifies.)

Pauses (the SLA clock stopped while a case waits on the customer) are half-open UTC
intervals removed from working time.

The due-time convention
-----------------------
``add_business_time(start, d)`` returns the **earliest instant** at which ``d`` of
working time (outside pauses) has elapsed since ``start``. For ``d > 0`` that instant
always lies inside working hours, in the half-open interval ``(opening, closing]`` of a
working day: a target that is used up exactly at closing time is due *at closing time*
(Friday 16:00 + 2 h on 08–18 is Friday 18:00, not Monday 08:00), and a target that
crosses the night resumes at the next opening (Friday 17:00 + 2 h is Monday 09:00).
For ``d == 0`` the start itself is returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

UTC = dt.UTC
ZERO = dt.timedelta(0)

# How far the engine looks for working time before it decides a calendar has none.
MAX_SEARCH_DAYS = 3 * 366

Interval = tuple[dt.datetime, dt.datetime]


class CalendarError(ValueError):
    """A calendar that cannot be used: unknown zone, bad hours, no working time at all."""


@dataclass(frozen=True)
class Calendar:
    """A business calendar.

    ``hours`` maps an ISO weekday minus one (0 = Monday … 6 = Sunday) to the local
    opening and closing time of that day; a weekday not in it is closed.
    """

    time_zone: str = "UTC"
    hours: Mapping[int, tuple[dt.time, dt.time]] = field(
        default_factory=lambda: {d: (dt.time(8), dt.time(18)) for d in range(5)}
    )
    holiday_country: str = ""
    holiday_subdivision: str = ""
    closures: frozenset[dt.date] = frozenset()

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except Exception as exc:  # ZoneInfoNotFoundError, ValueError on odd names
            raise CalendarError(f"unknown time zone {self.time_zone!r}") from exc
        for day, (opens, closes) in self.hours.items():
            if not 0 <= day <= 6:
                raise CalendarError(f"weekday {day} is not 0 (Monday) … 6 (Sunday)")
            if not opens < closes:
                raise CalendarError(f"weekday {day}: opening time must be before closing time")
        if self.holiday_country:
            _holidays(self.holiday_country, self.holiday_subdivision)  # fail early on a bad code

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_working_day(self, day: dt.date) -> bool:
        if day.weekday() not in self.hours or day in self.closures:
            return False
        holidays = _holidays(self.holiday_country, self.holiday_subdivision) if self.holiday_country else ()
        return day not in holidays

    def opening_interval(self, day: dt.date) -> Interval | None:
        """The UTC interval the calendar is open on local date ``day``, or None when closed."""
        if not self.is_working_day(day):
            return None
        opens, closes = self.hours[day.weekday()]
        zone = self.zone
        start = dt.datetime.combine(day, opens, tzinfo=zone).astimezone(UTC)
        end = dt.datetime.combine(day, closes, tzinfo=zone).astimezone(UTC)
        if end <= start:  # only a DST gap swallowing the whole opening could do this
            return None
        return start, end


@lru_cache(maxsize=64)
def _holidays(country: str, subdivision: str) -> Any:
    import holidays  # local: the engine stays importable when only part of it is used

    try:
        return holidays.country_holidays(country.upper(), subdiv=subdivision or None)
    except (NotImplementedError, KeyError) as exc:
        raise CalendarError(f"no public holidays known for {country!r} {subdivision!r}".strip()) from exc


def _aware(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.astimezone(UTC)


def _merge(pauses: Iterable[Interval]) -> list[Interval]:
    """Pauses as sorted, disjoint UTC intervals (empty and reversed ones dropped)."""
    items = sorted((_aware(a, "pause start"), _aware(b, "pause end")) for a, b in pauses if b > a)
    merged: list[Interval] = []
    for a, b in items:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _minus(interval: Interval, pauses: Sequence[Interval]) -> Iterator[Interval]:
    """``interval`` with the (sorted, disjoint) pauses cut out."""
    start, end = interval
    for a, b in pauses:
        if b <= start:
            continue
        if a >= end:
            break
        if a > start:
            yield start, a
        start = max(start, b)
        if start >= end:
            return
    if start < end:
        yield start, end


def working_segments(
    start: dt.datetime, calendar: Calendar, pauses: Sequence[Interval] = ()
) -> Iterator[Interval]:
    """Working, unpaused UTC intervals from ``start`` on, in order (clipped to begin at ``start``)."""
    start = _aware(start, "start")
    merged = _merge(pauses)
    # The day before, in local time: an opening that started yesterday UTC may still be running.
    day = start.astimezone(calendar.zone).date() - dt.timedelta(days=1)
    empty_days = 0
    while True:
        interval = calendar.opening_interval(day)
        day += dt.timedelta(days=1)
        if interval is None or interval[1] <= start:
            empty_days += 1
            if empty_days > MAX_SEARCH_DAYS:
                raise CalendarError("the calendar has no working time in the next three years")
            continue
        empty_days = 0
        clipped = (max(interval[0], start), interval[1])
        produced = False
        for segment in _minus(clipped, merged):
            produced = True
            yield segment
        if not produced:
            empty_days += 1
            if empty_days > MAX_SEARCH_DAYS:
                raise CalendarError("the calendar has no unpaused working time in the next three years")


def add_business_time(
    start: dt.datetime,
    duration: dt.timedelta,
    calendar: Calendar,
    pauses: Sequence[Interval] = (),
) -> dt.datetime:
    """The earliest UTC instant by which ``duration`` of working time outside ``pauses`` has elapsed.

    See the module docstring for the boundary convention: the result lies in
    ``(opening, closing]`` of a working day whenever ``duration > 0``.
    """
    start = _aware(start, "start")
    if duration < ZERO:
        raise ValueError("duration must not be negative")
    if duration == ZERO:
        return start
    remaining = duration
    for a, b in working_segments(start, calendar, pauses):
        length = b - a
        if remaining <= length:
            return a + remaining
        remaining -= length
    raise CalendarError("unreachable")  # pragma: no cover - working_segments never ends


def working_segments_before(end: dt.datetime, calendar: Calendar) -> Iterator[Interval]:
    """Working UTC intervals before ``end``, latest first (the last one clipped to end at ``end``)."""
    end = _aware(end, "end")
    day = end.astimezone(calendar.zone).date() + dt.timedelta(days=1)
    empty_days = 0
    while True:
        interval = calendar.opening_interval(day)
        day -= dt.timedelta(days=1)
        if interval is None or interval[0] >= end:
            empty_days += 1
            if empty_days > MAX_SEARCH_DAYS:
                raise CalendarError("the calendar has no working time in the last three years")
            continue
        empty_days = 0
        yield interval[0], min(interval[1], end)


def subtract_business_time(end: dt.datetime, duration: dt.timedelta, calendar: Calendar) -> dt.datetime:
    """The earliest UTC instant from which at most ``duration`` of working time is left until ``end``.

    The inverse of ``add_business_time`` for a deadline: with ``t`` the result,
    ``business_time_between(x, end) <= duration`` holds exactly for every ``x >= t``. When
    ``duration`` is used up exactly at an opening time, the result is the closing time of
    the working day before (nothing is left to work in between).
    """
    end = _aware(end, "end")
    if duration < ZERO:
        raise ValueError("duration must not be negative")
    remaining = duration
    for a, b in working_segments_before(end, calendar):
        length = b - a
        if remaining < length:
            return b - remaining
        remaining -= length
    raise CalendarError("unreachable")  # pragma: no cover - working_segments_before never ends


def business_time_between(
    a: dt.datetime, b: dt.datetime, calendar: Calendar, pauses: Sequence[Interval] = ()
) -> dt.timedelta:
    """Working time outside ``pauses`` from ``a`` to ``b``; negative when ``b`` is before ``a``."""
    a, b = _aware(a, "a"), _aware(b, "b")
    if b < a:
        return -business_time_between(b, a, calendar, pauses)
    total = ZERO
    zone = calendar.zone
    merged = _merge(pauses)
    day = a.astimezone(zone).date() - dt.timedelta(days=1)
    last = b.astimezone(zone).date() + dt.timedelta(days=1)
    while day <= last:
        interval = calendar.opening_interval(day)
        day += dt.timedelta(days=1)
        if interval is None:
            continue
        lo, hi = max(interval[0], a), min(interval[1], b)
        if lo < hi:
            total += sum((y - x for x, y in _minus((lo, hi), merged)), ZERO)
    return total


def is_working_instant(instant: dt.datetime, calendar: Calendar) -> bool:
    """Whether ``instant`` lies in ``(opening, closing]`` of a working day (the due-time convention)."""
    instant = _aware(instant, "instant")
    local_day = instant.astimezone(calendar.zone).date()
    for day in (local_day - dt.timedelta(days=1), local_day):
        interval = calendar.opening_interval(day)
        if interval is not None and interval[0] < instant <= interval[1]:
            return True
    return False


def format_duration(value: dt.timedelta) -> str:
    """'2 h 10 m' (minutes rounded down); '0 m' for less than a minute; sign kept."""
    sign = "-" if value < ZERO else ""
    minutes = int(abs(value).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{sign}{hours} h {minutes} m"
    return f"{sign}{minutes} m"
