"""Every list: a cursor walks all rows exactly once, and the query count does not grow with rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesdesk.core import audit
from salesdesk.core.models import Job
from salesdesk.core.roles import UserKind
from salesdesk.core.tokens import token_create
from tests.factories import (
    ContactFactory,
    OpportunityFactory,
    OrganisationFactory,
    PartnerFactory,
    UserFactory,
)

from .helpers import walk


def test_cursor_walks_every_organisation_once_even_with_equal_names(api_as, agent, own_org):
    # given 23 organisations, several with the same name
    partner = PartnerFactory(name="Partner Z")
    for n in range(20):
        OrganisationFactory(name=f"Shop {n % 4}", managed_by=partner)
    OrganisationFactory(name="Éclair Bakery")
    # when a client walks the list 4 rows at a time
    rows = walk(api_as(agent), "/api/organisations", {"page_size": 4})
    # then it sees every row once, in name order
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) == 23
    assert [r["name"] for r in rows] == sorted(r["name"] for r in rows)


def test_cursor_walks_every_opportunity_once(api_as, presales, world_a):
    for _ in range(12):
        OpportunityFactory(account=world_a.customer, owner=presales)
    rows = walk(api_as(presales), "/api/opportunities", {"page_size": 5})
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) == 13
    assert ids == sorted(ids, reverse=True)


def test_cursor_keeps_the_filters(api_as, agent, world_a):
    for _ in range(7):
        ContactFactory(organisation=world_a.customer)
    ContactFactory()  # elsewhere
    rows = walk(api_as(agent), "/api/contacts", {"page_size": 3, "organisation_id": world_a.customer.pk})
    assert len(rows) == 8
    assert {r["organisation"]["id"] for r in rows} == {world_a.customer.pk}


def test_previous_link_goes_back(api_as, agent, own_org):
    for n in range(6):
        OrganisationFactory(name=f"Org {n}")
    api = api_as(agent)
    first = api.get("/api/organisations", {"page_size": 3}).json()
    second = api.client.get(first["next"]).json()
    back = api.client.get(second["previous"]).json()
    assert [r["id"] for r in back["results"]] == [r["id"] for r in first["results"]]


def test_page_size_is_capped(api_as, agent, own_org):
    response = api_as(agent).get("/api/organisations", {"page_size": 100000})
    assert response.status_code == 200


def test_tampered_cursor_is_400_not_500(api_as, agent, own_org):
    api = api_as(agent)
    for cursor in ("not base64!", "cD1hYmM=", "bz1hYmM="):  # garbage, p=abc, o=abc
        response = api.get("/api/opportunities", {"cursor": cursor})
        assert response.status_code == 400, cursor
        assert [e["field"] for e in response.json()["errors"]] == ["cursor"]


# --- No query per row -----------------------------------------------------------------------------
#
# Each case: the list's URL, and a function adding ``n`` more rows to it. The count with a
# few rows is the budget for many.


def _organisations(world: Any, user: Any, n: int) -> None:
    for _ in range(n):
        OrganisationFactory(managed_by=world.partner)


def _contacts(world: Any, user: Any, n: int) -> None:
    for _ in range(n):
        ContactFactory(organisation=world.customer)


def _opportunities(world: Any, user: Any, n: int) -> None:
    for _ in range(n):
        OpportunityFactory(account=world.customer, partner=world.partner, owner=user)


def _users(world: Any, user: Any, n: int) -> None:
    for _ in range(n):
        UserFactory(kind=UserKind.CUSTOMER, support_level=None, organisation=world.customer)


def _tokens(world: Any, user: Any, n: int) -> None:
    for i in range(n):
        token_create(actor=user, name=f"token {i}")


def _jobs(world: Any, user: Any, n: int) -> None:
    for i in range(n):
        Job.objects.create(kind="test", title=f"job {i}", created_by=user)


def _events_on(*records: str) -> Callable[[Any, Any, int], None]:
    """Adds n audit events, spread over the named records of the world."""

    def add(world: Any, user: Any, n: int) -> None:
        for i in range(n):
            audit.record(user, getattr(world, records[i % len(records)]), "updated", {"notes": ["", str(i)]})

    return add


LISTS: dict[str, tuple[Callable[[Any], str], Callable[[Any, Any, int], None]]] = {
    "organisations": (lambda w: "/api/organisations", _organisations),
    "contacts": (lambda w: "/api/contacts", _contacts),
    "opportunities": (lambda w: "/api/opportunities", _opportunities),
    "users": (lambda w: "/api/users", _users),
    "tokens": (lambda w: "/api/tokens", _tokens),
    "jobs": (lambda w: "/api/jobs", _jobs),
    "timeline": (
        lambda w: f"/api/organisations/{w.customer.pk}/timeline",
        _events_on("customer", "contact", "opportunity"),
    ),
    "contact history": (lambda w: f"/api/contacts/{w.contact.pk}/history", _events_on("contact")),
    "opportunity history": (
        lambda w: f"/api/opportunities/{w.opportunity.pk}/history",
        _events_on("opportunity"),
    ),
}


@pytest.mark.parametrize("name", list(LISTS))
def test_list_query_count_does_not_grow_with_rows(
    name, api_as, presales, world_a, django_assert_max_num_queries
):
    url_of, add_rows = LISTS[name]
    url = url_of(world_a)
    api = api_as(presales)
    # given a list with a couple of rows
    add_rows(world_a, presales, 2)
    api.get(url)  # warm per-process caches (content types)
    with CaptureQueriesContext(connection) as few:
        response = api.get(url)
    assert response.status_code == 200
    assert len(response.json()["results"]) >= 2
    # when it has twenty more
    add_rows(world_a, presales, 20)
    # then reading a full page costs no more queries than before
    with django_assert_max_num_queries(len(few)):
        response = api.get(url)
    assert response.status_code == 200
    assert len(response.json()["results"]) >= 22
