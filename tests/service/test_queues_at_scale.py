"""The queues at scale: the stored at-risk moment, keyset pages and a constant number of queries."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from salesdesk.service import business_hours, selectors, services
from salesdesk.service.business_hours import Calendar, business_time_between, subtract_business_time
from salesdesk.service.models import BusinessCalendar, Case

from .conftest import BERLIN, MONDAY_10

H = dt.timedelta(hours=1)
GERMANY = Calendar(time_zone="Europe/Berlin", holiday_country="DE", holiday_subdivision="BY")
CALENDAR_ROW = BusinessCalendar(
    name="Bavaria", time_zone="Europe/Berlin", holiday_country="DE", holiday_subdivision="BY"
)
instants = st.datetimes(
    min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31), timezones=st.just(BERLIN)
)


# --- The at-risk moment ------------------------------------------------------------------


def test_subtracting_business_time_worked_examples():
    # Monday 2026-11-30 10:00 minus 3 h: 2 h on Monday, 1 h back into Friday -> Friday 17:00
    assert subtract_business_time(dt.datetime(2026, 11, 30, 10, tzinfo=BERLIN), 3 * H, GERMANY) == (
        dt.datetime(2026, 11, 27, 17, tzinfo=BERLIN)
    )
    # Used up exactly at Monday's opening: from Friday's closing on, nothing more is left.
    assert subtract_business_time(dt.datetime(2026, 11, 30, 10, tzinfo=BERLIN), 2 * H, GERMANY) == (
        dt.datetime(2026, 11, 27, 18, tzinfo=BERLIN)
    )
    # Monday 28 Dec 09:00 minus 2 h skips the Christmas holidays and the weekend to the 24th.
    assert subtract_business_time(dt.datetime(2026, 12, 28, 9, tzinfo=BERLIN), 2 * H, GERMANY) == (
        dt.datetime(2026, 12, 24, 17, tzinfo=BERLIN)
    )


@settings(max_examples=150, deadline=None)
@given(end=instants, minutes=st.integers(0, 5000))
def test_subtract_is_the_earliest_instant_with_at_most_that_much_left(end, minutes):
    duration = dt.timedelta(minutes=minutes)
    moment = subtract_business_time(end, duration, GERMANY)
    assert moment <= end
    assert business_time_between(moment, end, GERMANY) <= duration
    # A microsecond earlier there is more left: it is the earliest such instant.
    assert business_time_between(moment - dt.timedelta(microseconds=1), end, GERMANY) > duration


@settings(max_examples=150, deadline=None)
@given(
    opened=instants,
    first=st.integers(15, 960),
    resolution=st.integers(60, 4800),
    percent=st.integers(1, 99),
    answered=st.booleans(),
    later=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=30)),
)
def test_the_stored_at_risk_moment_agrees_with_sla_state(opened, first, resolution, percent, answered, later):
    engine = CALENDAR_ROW.as_engine()
    case = Case(
        status="open",
        sla_calendar=CALENDAR_ROW,
        first_response_minutes=first,
        resolution_minutes=resolution,
        at_risk_percent=percent,
        opened_at=opened,
        first_response_due_at=business_hours.add_business_time(opened, dt.timedelta(minutes=first), engine),
        resolution_due_at=business_hours.add_business_time(opened, dt.timedelta(minutes=resolution), engine),
        first_responded_at=opened if answered else None,
    )
    at_risk_at = selectors.at_risk_moment(case)
    now = opened + later
    state = selectors.sla_state(case, now).state
    assert (now >= at_risk_at) == (state in ("at_risk", "breached")), (at_risk_at, state)


@pytest.mark.django_db
def test_services_keep_the_at_risk_moment(open_case, specialist):
    case = open_case(case_type="query")  # Monday 10:00; first response 1 h, resolution 8 h, 75 %
    # First response due 11:00; at risk with a quarter (15 min) left.
    assert case.at_risk_at == dt.datetime(2026, 11, 30, 10, 45, tzinfo=BERLIN)
    services.case_reply(actor=specialist, case=case, body="On it", now=MONDAY_10 + H)
    case.refresh_from_db()
    # Now the resolution target counts: due 18:00, at risk with 2 h left.
    assert case.at_risk_at == dt.datetime(2026, 11, 30, 16, tzinfo=BERLIN)
    services.case_transition(
        actor=specialist, case=case, to_status="waiting_on_customer", now=MONDAY_10 + 2 * H
    )
    case.refresh_from_db()
    services.case_transition(actor=specialist, case=case, to_status="open", now=MONDAY_10 + 5 * H)
    case.refresh_from_db()
    # Three working hours paused: due Tuesday 11:00, at risk from Tuesday 09:00.
    assert case.resolution_due_at == dt.datetime(2026, 12, 1, 11, tzinfo=BERLIN)
    assert case.at_risk_at == dt.datetime(2026, 12, 1, 9, tzinfo=BERLIN)
    assert selectors.sla_state(case, case.at_risk_at - dt.timedelta(seconds=1)).state == "on_track"
    assert selectors.sla_state(case, case.at_risk_at).state == "at_risk"


@pytest.mark.django_db
def test_the_migration_fills_the_at_risk_moment_of_existing_cases(open_case, specialist):
    import importlib

    migration = importlib.import_module("salesdesk.service.migrations.0002_case_at_risk_at_and_queue_indexes")
    fresh, answered = open_case(case_type="query"), open_case(case_type="query")
    services.case_reply(actor=specialist, case=answered, body="On it", now=MONDAY_10 + H)
    expected = {c.pk: c.at_risk_at for c in Case.objects.all()}
    assert expected[fresh.pk] != expected[answered.pk]
    Case._base_manager.update(at_risk_at=None)  # as the rows were before the migration
    migration.fill_at_risk_at(django_apps, None)
    assert {c.pk: c.at_risk_at for c in Case.objects.all()} == expected


# --- Keyset pages --------------------------------------------------------------------------

NEXT = re.compile(r'<a href="(\?[^"]*)" rel="next"')
PREVIOUS = re.compile(r'<a href="(\?[^"]*)" rel="prev"')
REFERENCE = re.compile(r">(CS-\d+)</a>")


def _walk(client, url, link):
    """The references of each page, following ``link`` (Next or Previous) from ``url``."""
    pages = []
    while True:
        html = client.get(url).content.decode()
        pages.append(REFERENCE.findall(html))
        match = link.search(html)
        if match is None:
            return pages, url
        url = "/cases/" + unescape(match.group(1))


@pytest.mark.django_db
def test_queue_pages_walk_forward_and_back_soonest_due_first(
    settings, client_as, specialist, open_case, gold_world, calendar
):
    settings.SALESDESK_PAGE_SIZE = 3
    cases = [open_case(tier=2, now=MONDAY_10 + k * H * 7) for k in (3, 0, 5, 1, 4, 2, 6)]
    cases.append(open_case(tier=2, now=MONDAY_10 + 3 * H * 7))  # the same due time as the first
    # No policy for gold/low: a case without an SLA (no due time) comes last.
    no_sla = open_case(tier=2, priority="low")
    assert no_sla.resolution_due_at is None
    expected = [c.reference for c in sorted(cases, key=lambda c: (c.resolution_due_at, c.pk))]
    expected.append(no_sla.reference)
    client = client_as(specialist)
    forward, last_url = _walk(client, "/cases/?queue=tier", NEXT)
    assert [len(p) for p in forward] == [3, 3, 3]
    assert [ref for page in forward for ref in page] == expected
    backward, _ = _walk(client, last_url, PREVIOUS)
    assert backward == forward[::-1]
    # A page reached by a link keeps the queue and offers the first page again.
    html = client.get(last_url).content.decode()
    assert "queue=tier" in last_url and "« First" in html and 'rel="next"' not in html


@pytest.mark.django_db
def test_api_queues_page_in_the_queue_order_with_the_same_keyset(client_as, specialist, open_case):
    cases = [open_case(tier=2, now=MONDAY_10 + k * H * 7) for k in (3, 0, 5, 1, 4, 2, 6)]
    expected = [c.pk for c in sorted(cases, key=lambda c: (c.resolution_due_at, c.pk))]
    client = client_as(specialist)
    url, pages = "/api/cases?queue=tier&page_size=3", []
    while url:
        body = client.get(url).json()
        pages.append([row["id"] for row in body["results"]])
        url = body["next"]
    assert [pk for page in pages for pk in page] == expected and len(pages) == 3
    back = client.get(client.get(body["previous"]).json()["next"]).json()
    assert [row["id"] for row in back["results"]] == pages[-1]
    # Without a queue the list stays newest first; a cursor of one kind is refused by the other.
    newest = client.get("/api/cases?page_size=3").json()
    assert [row["id"] for row in newest["results"]] == sorted(expected, reverse=True)[:3]
    foreign = newest["next"].split("cursor=")[1].split("&")[0]
    refused = client.get(f"/api/cases?queue=tier&cursor={foreign}")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "cursor"


@pytest.mark.django_db
def test_a_cursor_that_is_not_ours_starts_at_the_first_page(client_as, specialist, open_case):
    case = open_case(tier=2)
    client = client_as(specialist)
    for cursor in ("nonsense", "eyJ4Ijox", "W10", "WyJhIiwgIm5vdCBhIGRhdGUiLCAxXQ", "%00"):
        page = client.get(f"/cases/?queue=tier&cursor={cursor}")
        assert page.status_code == 200 and case.reference in page.content.decode()


# --- A constant number of queries per page ---------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries), response


def _fill(open_case, specialist, n):
    """n cases in every queue Tomás (level 2) sees: his, his tier's, breaching, waiting, complaints."""
    long_ago = MONDAY_10 - 30 * 24 * H  # breached by now
    for _ in range(n):
        open_case(tier=2, now=long_ago)
        mine = open_case(tier=2, now=long_ago)
        services.case_assign(actor=specialist, case=mine, assignee=specialist)
        waiting = open_case(tier=2, now=long_ago)
        services.case_transition(actor=specialist, case=waiting, to_status="waiting_on_customer")


PAGES = [
    "/cases/?queue=mine",
    "/cases/?queue=tier",
    "/cases/?queue=breaching",
    "/cases/?queue=waiting",
    "/cases/?queue=complaints",
    "/cases/?queue=all",
    "/cases/?q=licences",
]
API_LISTS = [
    "/api/cases?page_size=3",
    "/api/cases?page_size=3&queue=mine",
    "/api/cases?page_size=3&queue=tier",
    "/api/cases?page_size=3&queue=breaching",
    "/api/cases?page_size=3&queue=waiting",
    "/api/cases?page_size=3&queue=complaints",
    "/api/cases?page_size=3&open_only=true",
    "/api/interactions?page_size=3",
]


def _first_and_second(client, url):
    """Query counts of a list's first page and of the page its Next link (or API cursor) leads to."""
    count, response = _queries(client, url)
    if url.startswith("/api/"):
        following = response.json()["next"]
        assert following, url
        second = following.split("://", 1)[-1].split("/", 1)[-1]
        return count, _queries(client, "/" + second)[0]
    match = NEXT.search(response.content.decode())
    assert match, url
    return count, _queries(client, url.split("?")[0] + unescape(match.group(1)))[0]


@pytest.mark.django_db
def test_every_list_page_runs_the_same_number_of_queries_at_any_size(
    settings, client_as, specialist, open_case, gold_world, django_assert_num_queries
):
    settings.SALESDESK_PAGE_SIZE = 3
    for _ in range(7):  # some interactions for the interactions list
        services.log_interaction(actor=specialist, kind="call", account=gold_world.customer, notes="Called")
    _fill(open_case, specialist, 7)  # full first and second pages everywhere
    staff, customer = client_as(specialist), client_as(gold_world.customer_user)
    plan = [(staff, url) for url in PAGES + API_LISTS] + [
        (customer, "/cases/?queue=all"),
        (customer, "/api/cases?page_size=3"),
    ]
    small = {url + str(client is customer): _first_and_second(client, url) for client, url in plan}
    _fill(open_case, specialist, 10)  # more than twice the cases
    for _ in range(10):
        services.log_interaction(actor=specialist, kind="call", account=gold_world.customer, notes="Again")
    for client, url in plan:
        first, second = small[url + str(client is customer)]
        with django_assert_num_queries(first):
            response = client.get(url)
        assert response.status_code == 200
        assert _first_and_second(client, url) == (first, second), url
        # A deep page costs the queries of the first (the page after it may be the short last page).
        assert second == first, url


@pytest.mark.django_db
def test_the_breaching_queue_is_one_indexed_range_query(client_as, specialist, open_case):
    open_case(tier=2, now=MONDAY_10 - 30 * 24 * H)
    queue = selectors.case_queue(user=specialist, queue="breaching")
    sql = str(queue.query)
    assert "at_risk_at" in sql and sql.count("SELECT") == 1
    assert list(queue)


def _pretend_a_million_cases(cursor):
    """SQLite statistics of a big case table (most cases closed), so the planner chooses as it would."""
    cursor.execute("ANALYZE")
    cursor.execute("SELECT name, partial FROM pragma_index_list('service_case')")
    for name, partial in cursor.fetchall():
        cursor.execute("SELECT count(*) FROM pragma_index_info(%s)", [name])
        columns = cursor.fetchone()[0]
        # A partial index covers the 15 % active cases; a plain one every case, few distinct values.
        stat = "150000 5000" + " 2" * (columns - 1) if partial else "1000000" + " 100000" * columns
        cursor.execute("DELETE FROM sqlite_stat1 WHERE idx = %s", [name])
        cursor.execute(
            "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('service_case', %s, %s)", [name, stat]
        )
    # … and a thousand customer accounts, not the test's three.
    cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'parties_organisation'")
    cursor.execute("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('parties_organisation', NULL, '1000')")
    cursor.execute("ANALYZE sqlite_schema")  # reload the statistics


@pytest.mark.django_db
def test_indexes_serve_the_queues(specialist, open_case):
    """The planner reads the partial indexes for the queues (EXPLAIN on the database in use)."""
    for k in range(3):
        open_case(tier=2, now=MONDAY_10 - k * 24 * H)
    expectations = {
        "mine": "case_active_assignee_due",
        "tier": "case_active_tier_queue_due",
        "breaching": "case_running_at_risk",
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")
        else:
            _pretend_a_million_cases(cursor)
        for queue, index in expectations.items():
            qs = selectors.case_queue(user=specialist, queue=queue).order_by(
                "at_risk_at" if queue == "breaching" else "resolution_due_at", "id"
            )[:26]
            plan = qs.explain()
            assert index in plan, (queue, plan)
