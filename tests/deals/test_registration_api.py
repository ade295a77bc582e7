"""The deal-registration API: partners see only their own, managers see the conflicts."""

from __future__ import annotations

import json

import pytest

from salesdesk.deals.models import DealRegistration

from . import registration_fixtures as fx
from .registration_fixtures import in_days, register

# Shared fixtures (tests/deals/conftest.py belongs to the requirements tests).
catalog, manager, northwind = fx.catalog, fx.manager, fx.northwind

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, data=json.dumps(body, default=str), content_type="application/json")


def test_a_partner_registers_and_hears_of_a_conflict_without_seeing_whose(
    client_as, world_a, catalog, northwind
):
    client = client_as(world_a.partner_user)
    response = post(
        client,
        "/api/registrations",
        {
            "customer_name": "Northwind Traders",
            "product_ids": [catalog["gateway"].pk],
            "amount": "42000.50",
            "currency": "EUR",
            "expected_close_date": in_days(30),
            "contact_name": "Nora North",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["in_conflict"] is True
    assert body["conflicts"] is None  # the matches are for the sales manager
    assert body["account"] is None  # Northwind is not a customer partner A manages
    assert body["amount"] == "42000.50"
    assert "Northwind WAN refresh" not in response.content.decode()


def test_the_manager_sees_the_matches(client_as, world_a, manager, catalog, northwind):
    registration = register(world_a.partner_user, catalog)
    body = client_as(manager).get(f"/api/registrations/{registration.pk}").json()
    [match] = body["conflicts"]
    assert match["label"] == "Northwind WAN refresh" and match["product_names"] == ["Edge Gateway 400"]
    assert body["account"]["name"] == "Northwind Traders GmbH"


def test_bad_input_is_a_400_naming_the_field(client_as, world_a, catalog):
    client = client_as(world_a.partner_user)
    base = {
        "customer_name": "Tailspin",
        "product_ids": [catalog["switch"].pk],
        "expected_close_date": in_days(9),
    }
    for change, field in [
        ({"product_ids": []}, "product_ids"),
        ({"product_ids": [987654]}, "product_ids"),
        ({"currency": "E1"}, "currency"),
        ({"expected_close_date": "soon"}, "expected_close_date"),
        ({"expected_close_date": in_days(-3)}, "expected_close_date"),
        ({"amount": "-1"}, "amount"),
        ({"customer_name": ""}, "customer_name"),
        ({"account_id": 2**70}, "account_id"),
    ]:
        response = post(client, "/api/registrations", {**base, **change})
        assert response.status_code == 400, (change, response.content)
        assert response.json()["errors"][0]["field"] == field, (change, response.json())
    assert not DealRegistration.objects.exists()


def test_partners_see_only_their_own(client_as, world_a, world_b, catalog):
    mine = register(world_a.partner_user, catalog, customer="Alpine Ski House")
    theirs = register(world_b.partner_user, catalog, customer="Blue Yonder Airlines")
    client = client_as(world_a.partner_user)
    listed = client.get("/api/registrations").json()["results"]
    assert [r["id"] for r in listed] == [mine.pk]
    assert client.get(f"/api/registrations/{theirs.pk}").status_code == 404
    # a teammate at the same partner sees it too; the customer user sees nothing
    assert client_as(world_a.partner_teammate).get(f"/api/registrations/{mine.pk}").status_code == 200
    assert client_as(world_a.customer_user).get("/api/registrations").json()["results"] == []


def test_manager_approves_and_rejects(client_as, world_a, world_b, manager, catalog):
    first = register(world_a.partner_user, catalog, customer="Tailspin Toys")
    second = register(world_b.partner_user, catalog, customer="Tailspin Toys Ltd")
    client = client_as(manager)
    response = post(
        client, f"/api/registrations/{first.pk}/approve", {"new_account": True, "reason": "First"}
    )
    assert response.status_code == 200, response.content
    approved = response.json()
    assert approved["status"] == "approved" and approved["opportunity_id"]
    assert approved["protected_until"] == str(in_days(90))
    # the second now conflicts with a protected deal: approving it is refused
    response = post(client, f"/api/registrations/{second.pk}/recheck", {})
    assert response.json()["blocked_until"] == str(in_days(90))
    response = post(
        client, f"/api/registrations/{second.pk}/approve", {"reason": "Mine", "new_account": True}
    )
    assert response.status_code == 409 and response.json()["errors"][0]["field"] == "status"
    response = post(client, f"/api/registrations/{second.pk}/reject", {"reason": ""})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "reason"
    response = post(
        client, f"/api/registrations/{second.pk}/reject", {"reason": "Protected for another partner"}
    )
    assert response.json()["status"] == "rejected"
    # the partner reads the reason on their own registration
    body = client_as(world_b.partner_user).get(f"/api/registrations/{second.pk}").json()
    assert body["decision_reason"] == "Protected for another partner" and body["conflicts"] is None


def test_a_partner_cannot_decide(client_as, world_a, catalog):
    registration = register(world_a.partner_user, catalog)
    response = post(client_as(world_a.partner_user), f"/api/registrations/{registration.pk}/approve", {})
    assert response.status_code == 403
    registration.refresh_from_db()
    assert registration.status == "pending"


def test_the_list_does_not_query_per_row(client_as, world_a, manager, catalog, django_assert_max_num_queries):
    for n in range(6):
        register(world_a.partner_user, catalog, "gateway", "switch", customer=f"Customer number {n} AG")
    client = client_as(manager)
    client.get("/api/registrations")
    with django_assert_max_num_queries(8):
        items = client.get("/api/registrations").json()["results"]
    assert len(items) == 6 and all(len(i["products"]) == 2 for i in items)
