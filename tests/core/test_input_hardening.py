"""Input that would crash the database is refused (API) or ignored (pages), never a 500.

Oversized integers overflow SQLite (OverflowError); NUL characters are refused by
PostgreSQL. The suite runs on both engines, so each case is checked on whichever runs.
"""

from __future__ import annotations

import pytest
from django.test import Client

from salesdesk.core.pages import optional_id
from salesdesk.deals.models import Opportunity
from salesdesk.deals.selectors import opportunity_search
from salesdesk.parties.models import Contact, Organisation
from salesdesk.parties.selectors import contact_search, organisation_search

from ..api.helpers import NOT_FOUND, Api

BIG = "99999999999999999999999"
MAX_DB_ID = 2**63 - 1
TOO_BIG = f"Input should be less than or equal to {MAX_DB_ID}"
NUL = "must not contain NUL characters"


def _api(user) -> Api:
    client = Client(raise_request_exception=False)  # a crash must show as a 500, not raise here
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return Api(client)


# --- Huge ids (C1) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/organisations?managed_by_id=", "managed_by_id"),
        ("/api/contacts?organisation_id=", "organisation_id"),
        ("/api/opportunities?account_id=", "account_id"),
        ("/api/opportunities?owner_id=", "owner_id"),
        ("/api/opportunities?partner_id=", "partner_id"),
    ],
)
def test_a_huge_id_filter_in_the_api_is_a_400_naming_it(sales_rep, path, field):
    response = _api(sales_rep).get(path + BIG)
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"{field}: {TOO_BIG}",
        "errors": [{"field": field, "message": TOO_BIG}],
    }


def test_the_largest_id_is_still_a_valid_filter(sales_rep, world_a):
    response = _api(sales_rep).get(f"/api/organisations?managed_by_id={MAX_DB_ID}")
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_huge_id_in_the_path_is_404(sales_rep):
    response = _api(sales_rep).get(f"/api/organisations/{BIG}")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_a_huge_id_in_a_body_is_a_400_naming_it(sales_rep, world_a):
    before = Opportunity.objects.count()
    response = _api(sales_rep).post("/api/opportunities", {"name": "Big", "account_id": int(BIG)})
    assert response.status_code == 400
    message = f"must be at most {MAX_DB_ID}"
    assert response.json() == {
        "detail": f"account_id: {message}",
        "errors": [{"field": "account_id", "message": message}],
    }
    assert Opportunity.objects.count() == before


@pytest.mark.parametrize(
    "path",
    [f"/organisations/?managed_by={BIG}", f"/opportunities/?account={BIG}", f"/contacts/?organisation={BIG}"],
)
def test_a_huge_id_filter_on_a_page_is_ignored(sales_rep, world_a, path):
    response = _api(sales_rep).get(path)
    assert response.status_code == 200


def test_optional_id_caps_at_the_database_limit():
    assert optional_id(str(MAX_DB_ID)) == MAX_DB_ID
    assert optional_id(str(MAX_DB_ID + 1)) is None
    assert optional_id(BIG) is None
    assert optional_id("0") is None
    assert optional_id("7") == 7


# --- NUL characters (C2) ----------------------------------------------------------------------


def test_a_nul_in_a_new_opportunity_is_a_400_naming_the_field(sales_rep, world_a):
    before = Opportunity.objects.count()
    response = _api(sales_rep).post(
        "/api/opportunities", {"name": "x\u0000y", "account_id": world_a.customer.pk}
    )
    assert response.status_code == 400
    assert response.json() == {"detail": f"name: {NUL}", "errors": [{"field": "name", "message": NUL}]}
    assert Opportunity.objects.count() == before


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/api/organisations", {"name": "Ok", "notes": "a\u0000b"}, "notes"),
        ("patch", "/api/organisations/{customer}", {"industry": "\u0000"}, "industry"),
        (
            "post",
            "/api/contacts",
            {"organisation_id": "{customer}", "first_name": "A", "last_name": "B\u0000"},
            "last_name",
        ),
        ("patch", "/api/contacts/{contact}", {"email": "a\u0000@b.c"}, "email"),
        ("patch", "/api/opportunities/{opportunity}", {"description": "\u0000"}, "description"),
    ],
)
def test_a_nul_in_any_input_is_a_400_and_changes_nothing(sales_rep, world_a, method, path, body, field):
    ids = {
        "customer": world_a.customer.pk,
        "contact": world_a.contact.pk,
        "opportunity": world_a.opportunity.pk,
    }
    path = path.format(**ids)
    body = {
        k: int(v.format(**ids)) if isinstance(v, str) and v.startswith("{") else v for k, v in body.items()
    }
    counts = (Organisation.objects.count(), Contact.objects.count(), Opportunity.objects.count())
    versions = (world_a.customer.version, world_a.contact.version, world_a.opportunity.version)
    response = getattr(_api(sales_rep), method)(path, body)
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": field, "message": NUL}]
    assert (Organisation.objects.count(), Contact.objects.count(), Opportunity.objects.count()) == counts
    for record in (world_a.customer, world_a.contact, world_a.opportunity):
        record.refresh_from_db()
    assert (world_a.customer.version, world_a.contact.version, world_a.opportunity.version) == versions


def test_search_ignores_nul_characters(sales_rep, world_a):
    # given records that match "tomer A" / "Deal A" / "SamA"
    # when the search text carries a NUL in the middle
    # then it finds what the text without it finds
    assert list(organisation_search(user=sales_rep, query="tom\x00er A")) == [world_a.customer]
    assert list(contact_search(user=sales_rep, query="Sa\x00mA")) == [world_a.contact]
    assert list(opportunity_search(user=sales_rep, query="De\x00al A")) == [world_a.opportunity]


@pytest.mark.parametrize(
    "path",
    [
        "/api/organisations?q=a%00b",
        "/api/contacts?q=a%00b",
        "/api/opportunities?q=a%00b",
        "/api/users?q=a%00b",
        "/organisations/?q=a%00b",
        "/contacts/?q=a%00b",
        "/opportunities/?q=a%00b",
    ],
)
def test_a_nul_in_a_search_is_not_a_500(sales_rep, world_a, path):
    response = _api(sales_rep).get(path)
    assert response.status_code == 200
