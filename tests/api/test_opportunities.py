"""Opportunities: partners see their own deals, money stays exact, references are checked."""

from __future__ import annotations

from decimal import Decimal

import pytest

from salesdesk.core.models import AuditAction
from salesdesk.deals.models import Opportunity
from tests.factories import OpportunityFactory

from .helpers import NOT_FOUND, walk


def deal_names(rows: list[dict]) -> list[str]:
    return sorted(row["name"] for row in rows)


def test_partner_sees_only_the_deals_they_bring(api_as, world_a, world_b):
    rows = walk(api_as(world_a.partner_user), "/api/opportunities")
    assert deal_names(rows) == ["Deal A"]


def test_customer_sees_no_deals(api_as, world_a, world_b):
    assert walk(api_as(world_a.customer_user), "/api/opportunities") == []


def test_foreign_deal_is_404(api_as, world_a, world_b):
    response = api_as(world_a.partner_user).get(f"/api/opportunities/{world_b.opportunity.pk}")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_staff_filter_deals(api_as, agent, sales_rep, presales, world_a, world_b):
    OpportunityFactory(name="Won deal", account=world_a.customer, owner=presales, stage="won")
    api = api_as(agent)
    assert deal_names(walk(api, "/api/opportunities")) == ["Deal A", "Deal B", "Won deal"]
    assert deal_names(walk(api, "/api/opportunities", {"open_only": "true"})) == ["Deal A", "Deal B"]
    assert deal_names(walk(api, "/api/opportunities", {"stage": "won"})) == ["Won deal"]
    assert deal_names(walk(api, "/api/opportunities", {"account_id": world_b.customer.pk})) == ["Deal B"]
    assert deal_names(walk(api, "/api/opportunities", {"owner_id": presales.pk})) == ["Won deal"]
    assert deal_names(walk(api, "/api/opportunities", {"partner_id": world_a.partner.pk})) == ["Deal A"]
    assert deal_names(walk(api, "/api/opportunities", {"q": "customer b"})) == ["Deal B"]


def test_sales_rep_opens_a_deal_with_an_exact_amount(api_as, sales_rep, world_a):
    # when a sales rep opens a deal worth 1,234,567.89 (sent as a string), in lower-case dollars
    response = api_as(sales_rep).post(
        "/api/opportunities",
        {
            "name": "Fleet tracking",
            "account_id": world_a.customer.pk,
            "partner_id": world_a.partner.pk,
            "amount": "1234567.89",
            "currency": "usd",
            "expected_close_date": "2030-03-31",
        },
    )
    # then the deal is theirs, the amount comes back exactly as a string, the currency upper-cased
    assert response.status_code == 201
    body = response.json()
    assert (body["amount"], body["currency"], body["owner"]["id"]) == ("1234567.89", "USD", sales_rep.pk)
    assert (body["stage"], body["expected_close_date"]) == ("qualification", "2030-03-31")
    opportunity = Opportunity.objects.get(pk=body["id"])
    assert opportunity.amount == Decimal("1234567.89")
    assert response["ETag"] == f'"{opportunity.pk}.1"'


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "10.999"}, "amount"),
        ({"amount": "not money"}, "amount"),
        ({"currency": "EURO"}, "currency"),
        ({"currency": "E1R"}, "currency"),
        ({"stage": "dreaming"}, "stage"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_deal_input_is_400_naming_the_field(api_as, sales_rep, world_a, change, field):
    before = Opportunity.objects.count()
    response = api_as(sales_rep).post(
        "/api/opportunities", {"name": "Deal", "account_id": world_a.customer.pk, **change}
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert Opportunity.objects.count() == before


def test_account_that_is_not_a_visible_customer_is_refused(api_as, sales_rep, world_a):
    # given a partner organisation and an id that does not exist, offered as the account
    before = Opportunity.objects.count()
    api = api_as(sales_rep)
    for account_id in (world_a.partner.pk, world_a.partner.pk + 999):
        # when the rep opens a deal on it
        response = api.post("/api/opportunities", {"name": "Deal", "account_id": account_id})
        # then 400 names account_id, and no deal was written
        assert response.status_code == 400
        assert response.json()["errors"] == [{"field": "account_id", "message": "no such customer account"}]
    assert Opportunity.objects.count() == before


def test_foreign_account_in_a_deal_is_refused_and_no_row_written(api_as, monkeypatch, world_a, world_b):
    # given partner A's user, allowed for this test to open deals: partners are the users who
    # see some customers and not others, so they show that the account is checked for
    # visibility — whoever may open deals in future
    from salesdesk.core import permissions

    rule = permissions.CAPABILITIES["opportunity.create"]
    monkeypatch.setitem(
        permissions.CAPABILITIES,
        "opportunity.create",
        permissions.cap(rule.description, rule.level, *rule.kinds, "partner"),
    )
    before = Opportunity.objects.count()
    # when they open a deal on customer B
    response = api_as(world_a.partner_user).post(
        "/api/opportunities", {"name": "Poached deal", "account_id": world_b.customer.pk}
    )
    # then 400 names account_id as if it did not exist, and no deal was written
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "account_id", "message": "no such customer account"}]
    assert Opportunity.objects.count() == before


def test_partner_cannot_open_deals(api_as, world_a):
    before = Opportunity.objects.count()
    response = api_as(world_a.partner_user).post(
        "/api/opportunities", {"name": "Deal", "account_id": world_a.customer.pk}
    )
    assert response.status_code == 403
    assert Opportunity.objects.count() == before


def test_stage_change_is_a_workflow_step_in_the_history(api_as, presales, world_a):
    api = api_as(presales)
    url = f"/api/opportunities/{world_a.opportunity.pk}"
    etag = api.get(url)["ETag"]
    response = api.patch(url, {"stage": "lost", "lost_reason": "Budget cut"}, **{"If-Match": etag})
    assert response.status_code == 200
    body = response.json()
    assert (body["stage"], body["version"]) == ("lost", 2)
    assert body["closed_at"] is not None
    history = api.get(f"{url}/history").json()["results"]
    assert [(h["action"], h["step"]) for h in history] == [(AuditAction.STEP, "moved to Lost")]
    assert history[0]["changes"]["stage"] == ["qualification", "lost"]


def test_lost_without_a_reason_is_refused(api_as, presales, world_a):
    response = api_as(presales).patch(f"/api/opportunities/{world_a.opportunity.pk}", {"stage": "lost"})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "lost_reason", "message": "say why the deal was lost"}]
    world_a.opportunity.refresh_from_db()
    assert (world_a.opportunity.stage, world_a.opportunity.version) == ("qualification", 1)


def test_patch_to_a_foreign_partner_is_refused(api_as, presales, world_a):
    missing = world_a.partner.pk + 999
    response = api_as(presales).patch(f"/api/opportunities/{world_a.opportunity.pk}", {"partner_id": missing})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "partner_id"
    world_a.opportunity.refresh_from_db()
    assert world_a.opportunity.partner_id == world_a.partner.pk


def test_if_none_match_on_a_deal(api_as, presales, world_a):
    api = api_as(presales)
    url = f"/api/opportunities/{world_a.opportunity.pk}"
    etag = api.get(url)["ETag"]
    assert api.get(url, **{"If-None-Match": etag}).status_code == 304
    assert api.get(url, **{"If-None-Match": '"0.0"'}).status_code == 200
