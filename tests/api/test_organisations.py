"""Organisations: who sees which, entering and correcting them, ETags, the account timeline."""

from __future__ import annotations

import pytest

from salesdesk.core import audit
from salesdesk.core.models import AuditEvent
from salesdesk.parties import services as party_services
from salesdesk.parties.models import Organisation

from .helpers import NOT_FOUND, walk


def names(rows: list[dict]) -> list[str]:
    return [row["name"] for row in rows]


def test_staff_see_every_organisation_by_name(api_as, agent, world_a, world_b):
    rows = walk(api_as(agent), "/api/organisations")
    assert names(rows) == ["Acme Systems", "Customer A", "Customer B", "Partner A", "Partner B"]


def test_partner_sees_itself_and_its_customers_only(api_as, world_a, world_b):
    # given partner A's user, with customer A managed by partner A
    # when they list organisations
    rows = walk(api_as(world_a.partner_user), "/api/organisations")
    # then they see partner A and customer A, and nothing of world B
    assert names(rows) == ["Customer A", "Partner A"]
    assert len(rows) == 2


def test_customer_user_sees_only_their_organisation(api_as, world_a, world_b):
    rows = walk(api_as(world_a.customer_user), "/api/organisations")
    assert names(rows) == ["Customer A"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "customer"}, ["Customer A", "Customer B"]),
        ({"kind": "partner"}, ["Partner A", "Partner B"]),
        ({"tier": "gold"}, ["Customer B"]),
    ],
)
def test_organisation_filters(api_as, agent, world_a, world_b, params, expected):
    party_services.organisation_update(actor=agent, organisation=world_b.customer, data={"tier": "gold"})
    assert names(walk(api_as(agent), "/api/organisations", params)) == expected


def test_filter_by_managing_partner(api_as, agent, world_a, world_b):
    rows = walk(api_as(agent), "/api/organisations", {"managed_by_id": world_b.partner.pk})
    assert names(rows) == ["Customer B"]


def test_invalid_filter_value_is_400(api_as, agent):
    response = api_as(agent).get("/api/organisations", {"kind": "alien"})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["kind"]


def test_agent_enters_a_customer_managed_by_a_partner(api_as, agent, world_a):
    # when an agent enters a customer account looked after by partner A
    response = api_as(agent).post(
        "/api/organisations",
        {
            "name": "Northwind Ltd",
            "kind": "customer",
            "tier": "silver",
            "managed_by_id": world_a.partner.pk,
            "country": "GB",
            "email": "info@northwind.example",
        },
    )
    # then it is created, with its ETag, and the creation is in the audit trail
    assert response.status_code == 201
    body = response.json()
    organisation = Organisation.objects.get(pk=body["id"])
    assert (organisation.name, organisation.kind, organisation.tier, organisation.managed_by_id) == (
        "Northwind Ltd",
        "customer",
        "silver",
        world_a.partner.pk,
    )
    assert body["managed_by"] == {"id": world_a.partner.pk, "name": "Partner A"}
    assert response["ETag"] == f'"{organisation.pk}.1"'
    assert [e.action for e in audit.events_for(organisation)] == ["created"]


def test_model_validation_errors_name_the_field(api_as, agent):
    response = api_as(agent).post("/api/organisations", {"name": "Bad Mail Ltd", "email": "not-an-email"})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["email"]
    assert not Organisation.objects.filter(name="Bad Mail Ltd").exists()


def test_partner_cannot_enter_organisations(api_as, world_a):
    before = Organisation.objects.count()
    response = api_as(world_a.partner_user).post("/api/organisations", {"name": "Partner's pick"})
    assert response.status_code == 403
    assert Organisation.objects.count() == before


def test_managed_by_a_partner_one_cannot_see_is_refused(api_as, world_a, world_b, agent):
    # Staff see every partner; the service check matters for any future kind of user who may
    # enter organisations but not see all partners. Here: a partner id that does not exist.
    missing = Organisation.objects.order_by("-pk").first().pk + 100
    before = Organisation.objects.count()
    response = api_as(agent).post("/api/organisations", {"name": "Orphan Ltd", "managed_by_id": missing})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "managed_by_id", "message": f"organisation {missing} does not exist"}
    ]
    assert Organisation.objects.count() == before


def test_detail_carries_an_etag_and_answers_304_when_unchanged(api_as, agent, world_a):
    api = api_as(agent)
    url = f"/api/organisations/{world_a.customer.pk}"
    # given the client read the organisation
    first = api.get(url)
    etag = first["ETag"]
    assert etag == f'"{world_a.customer.pk}.1"'
    # when it asks again with If-None-Match
    again = api.get(url, **{"If-None-Match": etag})
    # then nothing was sent: 304, same ETag
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    # and after a change, it gets the new version
    party_services.organisation_update(
        actor=agent, organisation=world_a.customer, data={"industry": "Retail"}
    )
    changed = api.get(url, **{"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] == f'"{world_a.customer.pk}.2"'
    assert changed.json()["industry"] == "Retail"


def test_patch_with_current_if_match_changes_only_the_sent_fields(api_as, agent, world_a):
    # given an agent who read customer A
    api = api_as(agent)
    url = f"/api/organisations/{world_a.customer.pk}"
    etag = api.get(url)["ETag"]
    # when they correct its phone number with that ETag
    response = api.patch(url, {"phone": "+44 20 7946 0000"}, **{"If-Match": etag})
    # then only the phone changed, the version went up and the new ETag is returned
    assert response.status_code == 200
    body = response.json()
    assert (body["phone"], body["name"], body["tier"], body["version"]) == (
        "+44 20 7946 0000",
        "Customer A",
        "standard",
        2,
    )
    assert response["ETag"] == f'"{world_a.customer.pk}.2"'
    event = audit.events_for(world_a.customer).get()
    assert event.changes == {"phone": ["", "+44 20 7946 0000"]}


def test_patch_without_if_match_is_last_write_wins(api_as, agent, world_a):
    response = api_as(agent).patch(f"/api/organisations/{world_a.customer.pk}", {"industry": "Logistics"})
    assert response.status_code == 200
    world_a.customer.refresh_from_db()
    assert world_a.customer.industry == "Logistics"


def test_patch_with_stale_if_match_is_412_and_changes_nothing(api_as, agent, world_a):
    api = api_as(agent)
    url = f"/api/organisations/{world_a.customer.pk}"
    stale = api.get(url)["ETag"]
    party_services.organisation_update(
        actor=agent, organisation=world_a.customer, data={"industry": "Retail"}
    )
    response = api.patch(url, {"industry": "Banking"}, **{"If-Match": stale})
    assert response.status_code == 412
    assert response.json()["errors"][0]["field"] == "If-Match"
    world_a.customer.refresh_from_db()
    assert (world_a.customer.industry, world_a.customer.version) == ("Retail", 2)


def test_patch_refuses_null_for_a_required_field(api_as, agent, world_a):
    response = api_as(agent).patch(f"/api/organisations/{world_a.customer.pk}", {"name": None})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["name"]
    world_a.customer.refresh_from_db()
    assert (world_a.customer.name, world_a.customer.version) == ("Customer A", 1)


def test_patch_can_clear_the_managing_partner(api_as, agent, world_a):
    response = api_as(agent).patch(f"/api/organisations/{world_a.customer.pk}", {"managed_by_id": None})
    assert response.status_code == 200
    assert response.json()["managed_by"] is None
    world_a.customer.refresh_from_db()
    assert world_a.customer.managed_by_id is None


def test_partner_cannot_correct_a_customer(api_as, world_a):
    url = f"/api/organisations/{world_a.customer.pk}"
    response = api_as(world_a.partner_user).patch(url, {"industry": "X"})
    assert response.status_code == 403
    world_a.customer.refresh_from_db()
    assert (world_a.customer.industry, world_a.customer.version) == ("", 1)


# --- Timeline -------------------------------------------------------------------------------------


@pytest.fixture
def busy_account(agent, presales, world_a):
    """Customer A with one change to itself, its contact and its opportunity."""
    party_services.organisation_update(
        actor=agent, organisation=world_a.customer, data={"industry": "Retail"}
    )
    party_services.contact_update(actor=agent, contact=world_a.contact, data={"job_title": "CIO"})
    from salesdesk.deals import services as deal_services

    deal_services.opportunity_update(
        actor=presales, opportunity=world_a.opportunity, data={"stage": "discovery"}
    )
    return world_a


def timeline(api, organisation) -> list[tuple[str, str]]:
    response = api.get(f"/api/organisations/{organisation.pk}/timeline")
    assert response.status_code == 200, response.content
    return [(row["object_type"], row["object_repr"]) for row in response.json()["results"]]


def test_staff_timeline_shows_the_account_its_contacts_and_deals_newest_first(api_as, agent, busy_account):
    assert timeline(api_as(agent), busy_account.customer) == [
        ("deals.opportunity", "Deal A"),
        ("parties.contact", "SamA Smith"),
        ("parties.organisation", "Customer A"),
    ]


def test_customer_timeline_leaves_out_the_deals_they_cannot_see(api_as, busy_account):
    # given a customer user, who sees their organisation but none of its opportunities
    # when they open their account's timeline
    rows = timeline(api_as(busy_account.customer_user), busy_account.customer)
    # then the deal's move is not there
    assert rows == [("parties.contact", "SamA Smith"), ("parties.organisation", "Customer A")]


def test_partner_timeline_shows_only_their_own_deals(api_as, presales, sales_rep, busy_account, world_b):
    # given a second deal on customer A, brought by partner B
    from tests.factories import OpportunityFactory

    other = OpportunityFactory(
        name="Deal via B", account=busy_account.customer, partner=world_b.partner, owner=sales_rep
    )
    from salesdesk.deals import services as deal_services

    deal_services.opportunity_update(actor=presales, opportunity=other, data={"description": "B's"})
    # when partner A's user opens customer A's timeline
    rows = timeline(api_as(busy_account.partner_user), busy_account.customer)
    # then they see their own deal but not partner B's
    assert ("deals.opportunity", "Deal A") in rows
    assert ("deals.opportunity", "Deal via B") not in rows
    assert AuditEvent.objects.filter(object_repr="Deal via B").count() == 1


def test_foreign_timeline_is_404(api_as, busy_account, world_b):
    response = api_as(world_b.partner_user).get(f"/api/organisations/{busy_account.customer.pk}/timeline")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_events_of_other_accounts_stay_off_the_timeline(api_as, agent, busy_account, world_b):
    party_services.organisation_update(
        actor=agent, organisation=world_b.customer, data={"industry": "Mining"}
    )
    assert ("parties.organisation", "Customer B") not in timeline(api_as(agent), busy_account.customer)


def test_timeline_lists_the_change_itself(api_as, agent, busy_account):
    rows = api_as(agent).get(f"/api/organisations/{busy_account.customer.pk}/timeline").json()["results"]
    own = next(r for r in rows if r["object_type"] == "parties.organisation")
    assert (own["action"], own["actor_id"], own["actor_label"], own["changes"]) == (
        "updated",
        agent.pk,
        "Priya Raman",
        {"industry": ["", "Retail"]},
    )
