"""Deal registration rules: who may register and decide, what conflicts, protection, audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from salesdesk.core.audit import events_for
from salesdesk.core.errors import ApplicationError, StateConflict
from salesdesk.deals import registration_services as services
from salesdesk.deals.models import DealRegistration, Opportunity
from salesdesk.parties.models import Organisation

from . import registration_fixtures as fx
from .registration_fixtures import in_days, register

# Shared fixtures (tests/deals/conftest.py belongs to the requirements tests).
catalog, manager, northwind = fx.catalog, fx.manager, fx.northwind

pytestmark = pytest.mark.django_db


def test_a_registration_for_a_known_customer_with_an_open_deal_is_in_conflict(world_a, catalog, northwind):
    # given Northwind Traders GmbH with an open gateway deal
    customer, opportunity = northwind
    # when partner A registers a gateway deal for "NORTHWIND traders ltd."
    registration = register(
        world_a.partner_user, catalog, "gateway", "switch", customer="NORTHWIND traders ltd."
    )
    # then it is pending, in conflict with that opportunity, and linked to the customer
    assert registration.status == "pending"
    assert registration.in_conflict
    assert registration.account == customer  # same key after normalisation
    [match] = registration.conflicts
    assert match["kind"] == "opportunity" and match["id"] == opportunity.pk
    assert match["score"] == 100.0
    assert match["product_names"] == ["Edge Gateway 400"]
    assert [e.step for e in events_for(registration)] == ["conflict check", ""]


def test_no_conflict_without_overlapping_products(world_a, catalog, northwind):
    registration = register(world_a.partner_user, catalog, "firewall", customer="Northwind Traders")
    assert not registration.in_conflict
    assert registration.conflicts == []


def test_a_misspelt_customer_still_matches(world_a, catalog, northwind):
    registration = register(world_a.partner_user, catalog, "gateway", customer="Nortwind Tradrs AG")
    assert registration.in_conflict
    assert registration.account is None  # close, not the same: the manager decides
    assert 85 <= registration.conflicts[0]["score"] < 100


def test_an_existing_deal_without_products_cannot_be_ruled_out(world_a, catalog, northwind):
    _customer, opportunity = northwind
    opportunity.products.clear()
    registration = register(world_a.partner_user, catalog, "firewall")
    [match] = registration.conflicts
    assert match["products_unknown"] and match["products"] == []


def test_another_partners_pending_registration_conflicts(world_a, world_b, catalog):
    first = register(world_b.partner_user, catalog, "switch", customer="Fabrikam Müller GmbH")
    second = register(world_a.partner_user, catalog, "switch", customer="Fabrikam Muller")
    assert not first.in_conflict
    assert second.in_conflict
    [match] = second.conflicts
    assert (match["kind"], match["id"], match["partner"]) == ("registration", first.pk, world_b.partner.name)


def test_similar_names_that_differ_by_a_letter_do_not_match(world_a, world_b, catalog):
    register(world_b.partner_user, catalog, "switch", customer="Contoso Site B")
    registration = register(world_a.partner_user, catalog, "switch", customer="Contoso Site A")
    assert not registration.in_conflict


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"customer_name": "  "}, "customer_name"),
        ({"customer_name": "GmbH ..."}, None),  # a legal form alone is still a name
        ({"product_ids": []}, "product_ids"),
        ({"product_ids": [999999]}, "product_ids"),
        ({"product_ids": ["x"]}, "product_ids"),
        ({"amount": "lots"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"currency": "euro"}, "currency"),
        ({"expected_close_date": "2020-01-01"}, "expected_close_date"),
        ({"expected_close_date": "31/12/2027"}, "expected_close_date"),
        ({"contact_email": "not-an-address"}, "contact_email"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(world_a, catalog, data, field):
    if field is None:
        register(world_a.partner_user, catalog, **data)
        return
    with pytest.raises(ApplicationError) as exc:
        register(world_a.partner_user, catalog, **data)
    assert exc.value.errors[0].field == field
    assert not DealRegistration.objects.exists()


def test_a_partner_cannot_name_a_customer_it_does_not_manage(world_a, world_b, catalog):
    with pytest.raises(ApplicationError) as exc:
        register(world_a.partner_user, catalog, account_id=world_b.customer.pk)
    assert exc.value.errors[0].field == "account_id"


def test_only_partner_users_register(manager, world_a, catalog, sales_rep):
    for user in (manager, sales_rep, world_a.customer_user):
        with pytest.raises(PermissionDenied):
            register(user, catalog)
    assert not DealRegistration.objects.exists()


def test_approval_creates_the_opportunity_and_protects_it(world_a, manager, catalog, settings):
    settings.SALESDESK_DEAL_REGISTRATION_PROTECTION_DAYS = 30
    registration = register(
        world_a.partner_user, catalog, "gateway", "switch", customer="Tailspin Toys", title="Tailspin SD-WAN"
    )
    registration = services.registration_approve(
        actor=manager, registration=registration, new_account=True, reason="First to register"
    )
    opportunity = registration.opportunity
    assert registration.status == "approved"
    assert registration.protected_until == in_days(30)
    assert registration.decided_by == manager and registration.decision_reason == "First to register"
    assert opportunity.name == "Tailspin SD-WAN"
    assert opportunity.partner == world_a.partner
    assert opportunity.account.name == "Tailspin Toys" and opportunity.account.managed_by == world_a.partner
    assert {p.sku for p in opportunity.products.all()} == {"EG-400", "SW-24"}
    assert opportunity.amount == registration.amount and opportunity.owner == manager
    assert "approved" in [e.step for e in events_for(registration)]
    assert "protected for partner" in [e.step for e in events_for(opportunity)]


def test_approval_of_an_unknown_customer_needs_an_account_choice(world_a, manager, catalog):
    registration = register(world_a.partner_user, catalog, customer="Tailspin Toys")
    before = Opportunity.objects.count()
    with pytest.raises(ApplicationError) as exc:
        services.registration_approve(actor=manager, registration=registration)
    assert exc.value.errors[0].field == "account_id"
    registration.refresh_from_db()
    assert registration.status == "pending" and Opportunity.objects.count() == before


def test_approval_can_link_the_existing_opportunity(world_a, manager, catalog, northwind):
    customer, opportunity = northwind
    registration = register(world_a.partner_user, catalog, "gateway", "switch")
    # a conflict needs a reason
    with pytest.raises(ApplicationError) as exc:
        services.registration_approve(actor=manager, registration=registration, opportunity_id=opportunity.pk)
    assert exc.value.errors[0].field == "reason"
    registration = services.registration_approve(
        actor=manager, registration=registration, opportunity_id=opportunity.pk, reason="Partner sourced it"
    )
    opportunity.refresh_from_db()
    assert registration.opportunity == opportunity and registration.account == customer
    assert opportunity.partner == world_a.partner
    assert {p.sku for p in opportunity.products.all()} == {"EG-400", "SW-24"}
    assert not Opportunity.objects.filter(registrations__isnull=False).exclude(pk=opportunity.pk).exists()


def test_a_protected_opportunity_blocks_a_competing_registration(
    world_a, world_b, manager, catalog, northwind
):
    _customer, opportunity = northwind
    first = register(world_a.partner_user, catalog, "gateway")
    first = services.registration_approve(
        actor=manager, registration=first, opportunity_id=opportunity.pk, reason="A brought it"
    )
    # when partner B registers the same deal
    competing = register(world_b.partner_user, catalog, "gateway", customer="Northwind Traders")
    # then it is shown as blocked until A's protection ends, and cannot be approved
    assert competing.in_conflict and competing.blocked_until == first.protected_until
    [match] = competing.conflicts
    assert match["blocking"] and match["id"] == opportunity.pk and match["partner"] == world_a.partner.name
    with pytest.raises(StateConflict):
        services.registration_approve(actor=manager, registration=competing, new_account=True, reason="x")
    competing.refresh_from_db()
    assert (
        competing.status == "pending"
        and not Organisation.objects.filter(managed_by=world_b.partner, name__startswith="Northwind").exists()
    )
    # but it may be rejected, with a reason
    competing = services.registration_reject(
        actor=manager, registration=competing, reason="Registered by another partner"
    )
    assert competing.status == "rejected"


def test_protection_ends_after_its_date(world_a, world_b, manager, catalog, northwind):
    _customer, opportunity = northwind
    first = register(world_a.partner_user, catalog, "gateway")
    services.registration_approve(
        actor=manager, registration=first, opportunity_id=opportunity.pk, reason="ok"
    )
    first.refresh_from_db()  # protection ended yesterday
    first.protected_until = in_days(-1)
    first.save(update_fields=["protected_until"])
    competing = register(world_b.partner_user, catalog, "gateway")
    assert competing.in_conflict and competing.blocked_until is None


def test_rejection_needs_a_reason_and_happens_once(world_a, manager, catalog):
    registration = register(world_a.partner_user, catalog)
    with pytest.raises(ApplicationError) as exc:
        services.registration_reject(actor=manager, registration=registration, reason="  ")
    assert exc.value.errors[0].field == "reason"
    services.registration_reject(actor=manager, registration=registration, reason="Duplicate")
    with pytest.raises(StateConflict):
        services.registration_reject(actor=manager, registration=registration, reason="Again")
    with pytest.raises(StateConflict):
        services.registration_approve(actor=manager, registration=registration, new_account=True)


def test_only_sales_managers_decide(world_a, staff_factory, catalog, sales_rep, admin_user):
    registration = register(world_a.partner_user, catalog)
    for user in (staff_factory(4), sales_rep, admin_user, world_a.partner_user):
        with pytest.raises(PermissionDenied):
            services.registration_reject(actor=user, registration=registration, reason="no")
        with pytest.raises(PermissionDenied):
            services.registration_approve(actor=user, registration=registration, new_account=True)
    registration.refresh_from_db()
    assert registration.status == "pending"
    assert not Organisation.objects.filter(name=registration.customer_name).exists()


def test_recheck_sees_deals_opened_since(world_a, manager, catalog, sales_rep):
    registration = register(world_a.partner_user, catalog, "firewall", customer="Wingtip Toys")
    assert not registration.in_conflict
    from tests.factories import OpportunityFactory, OrganisationFactory

    wingtip = OrganisationFactory(name="Wingtip Toys Inc.")
    OpportunityFactory(account=wingtip, owner=sales_rep).products.set([catalog["firewall"]])
    registration = services.registration_recheck(actor=manager, registration=registration)
    assert registration.in_conflict


def test_the_name_index_follows_renamed_and_new_customers(world_a, catalog, sales_rep, northwind):
    from salesdesk.parties.services import organisation_update
    from tests.factories import OpportunityFactory, OrganisationFactory

    customer, _opportunity = northwind
    register(world_a.partner_user, catalog, "firewall", customer="Someone Else")  # index built
    # when the customer is renamed and another one is added
    organisation_update(actor=sales_rep, organisation=customer, data={"name": "Contoso Freight plc"})
    fresh = OrganisationFactory(name="Litware Systems")
    OpportunityFactory(account=fresh, owner=sales_rep).products.set([catalog["switch"]])
    # then the next checks find both by their current names, and the old name no longer
    assert register(world_a.partner_user, catalog, "gateway", customer="Contoso Freight").in_conflict
    assert register(world_a.partner_user, catalog, "switch", customer="Litware Systems Ltd").in_conflict
    assert not register(world_a.partner_user, catalog, "gateway", customer="Northwind Traders").in_conflict


def test_decided_and_expired_registrations_do_not_conflict(world_a, world_b, manager, catalog):
    rejected = register(world_b.partner_user, catalog, "switch", customer="Fabrikam")
    services.registration_reject(actor=manager, registration=rejected, reason="No")
    assert not register(world_a.partner_user, catalog, "switch", customer="Fabrikam").in_conflict


def test_a_partners_own_protection_does_not_block_it(world_a, manager, catalog, northwind):
    _customer, opportunity = northwind
    first = register(world_a.partner_user, catalog, "gateway")
    services.registration_approve(
        actor=manager, registration=first, opportunity_id=opportunity.pk, reason="A"
    )
    again = register(world_a.partner_teammate, catalog, "gateway", "switch")
    assert again.in_conflict and again.blocked_until is None
    assert not again.conflicts[0]["blocking"]


def test_linking_an_opportunity_protected_for_another_partner_is_refused(
    world_a, world_b, manager, catalog, northwind
):
    _customer, opportunity = northwind
    first = register(world_a.partner_user, catalog, "gateway")
    services.registration_approve(
        actor=manager, registration=first, opportunity_id=opportunity.pk, reason="A"
    )
    other = register(world_b.partner_user, catalog, "firewall", customer="Tailspin Toys")
    with pytest.raises(StateConflict) as exc:
        services.registration_approve(
            actor=manager, registration=other, opportunity_id=opportunity.pk, reason="steal"
        )
    assert exc.value.errors[0].field == "opportunity_id"
    opportunity.refresh_from_db()
    assert opportunity.partner == world_a.partner


def test_a_partner_may_name_a_customer_it_manages(world_a, catalog):
    registration = register(
        world_a.partner_user, catalog, account_id=world_a.customer.pk, customer="Customer A"
    )
    assert registration.account == world_a.customer
