"""The audit trail: creates, updates, deletes and workflow steps are recorded, bulk writes are refused."""

from decimal import Decimal

import pytest
from django.db import transaction

from salesdesk.core import audit
from salesdesk.core.errors import BulkWriteRefused
from salesdesk.core.models import AuditEvent
from salesdesk.deals import services as deal_services
from salesdesk.deals.models import Opportunity
from salesdesk.parties import services
from salesdesk.parties.models import Contact, Organisation

pytestmark = pytest.mark.django_db


def test_create_update_delete_are_recorded_with_old_and_new_values(agent, world_a):
    # given an agent entering a contact
    contact = services.contact_create(
        actor=agent,
        data={"organisation_id": world_a.customer.pk, "first_name": "Ines", "last_name": "Duarte"},
    )
    # when they correct the name and then remove the contact
    contact_id = contact.pk
    services.contact_update(actor=agent, contact=contact, data={"last_name": "Duarte-Silva"})
    services.contact_delete(actor=agent, contact=contact)
    # then three events tell who did what, with old -> new
    events = list(
        AuditEvent.objects.filter(object_id=str(contact_id), content_type__model="contact").order_by(
            "at", "id"
        )
    )
    assert [e.action for e in events] == ["created", "updated", "deleted"]
    assert all(e.actor == agent and e.actor_label == agent.get_full_name() for e in events)
    assert events[0].changes["first_name"] == [None, "Ines"]
    assert events[1].changes == {"last_name": ["Duarte", "Duarte-Silva"]}
    assert events[2].changes["last_name"] == ["Duarte-Silva", None]
    # and all three appear on the account's timeline
    assert set(audit.events_for_organisation(world_a.customer.pk)) >= set(events)


def test_an_update_that_changes_nothing_records_nothing(agent, world_a):
    before = AuditEvent.objects.count()
    services.organisation_update(
        actor=agent, organisation=world_a.customer, data={"name": world_a.customer.name}
    )
    assert AuditEvent.objects.count() == before


def test_stage_change_is_a_workflow_step_on_the_opportunity(presales, world_a):
    opportunity = deal_services.opportunity_update(
        actor=presales, opportunity=world_a.opportunity, data={"stage": "proposal"}
    )
    event = audit.events_for(opportunity).first()
    assert event.action == "step"
    assert event.step == "moved to Proposal"
    assert event.changes["stage"] == ["qualification", "proposal"]
    assert event.scope_organisation_id == world_a.customer.pk


def test_money_and_dates_are_stored_readably(presales, world_a):
    deal_services.opportunity_update(
        actor=presales, opportunity=world_a.opportunity, data={"amount": Decimal("99.50")}
    )
    event = audit.events_for(world_a.opportunity).first()
    assert event.changes["amount"] == ["125000.00", "99.50"]


@pytest.mark.parametrize("model", [Organisation, Contact, Opportunity])
def test_bulk_writes_on_audited_models_are_refused(model, world_a):
    # given rows of an audited model
    qs = model.objects.all()
    count = qs.count()
    # when code tries to change them behind the audit trail's back, it is refused
    with pytest.raises(BulkWriteRefused):
        qs.update(notes="x") if model is not Opportunity else qs.update(description="x")
    with pytest.raises(BulkWriteRefused):
        qs.delete()
    with pytest.raises(BulkWriteRefused):
        model.objects.bulk_update(list(qs), ["created_at"])
    with pytest.raises(BulkWriteRefused):
        model.objects.bulk_create([])
    # and nothing changed
    assert model.objects.count() == count


def test_audited_bulk_update_records_each_row(agent, world_a, world_b):
    with transaction.atomic():
        changed = audit.bulk_update(agent, Organisation.objects.filter(kind="customer"), tier="gold")
    assert changed == 2
    for org in (world_a.customer, world_b.customer):
        org.refresh_from_db()
        assert org.tier == "gold"
        assert audit.events_for(org).first().changes == {"tier": ["standard", "gold"]}


@pytest.mark.django_db(transaction=True)
def test_audit_outside_a_transaction_is_refused(agent, world_a):
    with pytest.raises(RuntimeError, match="transaction"):
        audit.record_created(agent, world_a.customer)


def test_password_never_lands_in_the_audit_trail(admin_user, own_org):
    user = services.user_create(
        actor=admin_user,
        username="newbie",
        password="a-long-unusual-pass-77",
        kind="support",
        support_level=1,
    )
    event = audit.events_for(user).first()
    assert "password" not in event.changes
    assert "a-long-unusual-pass-77" not in str(event.changes)


def test_version_goes_up_on_every_save(agent, world_a):
    org = world_a.customer
    assert org.version == 1
    org = services.organisation_update(actor=agent, organisation=org, data={"industry": "Logistics"})
    assert org.version == 2


def test_references_read_as_names_with_their_ids(agent, world_a, world_b):
    services.organisation_update(
        actor=agent, organisation=world_a.customer, data={"managed_by_id": world_b.partner.pk}
    )
    event = audit.events_for(world_a.customer).first()
    assert event.changes == {
        "managed_by": [f"Partner A (#{world_a.partner.pk})", f"Partner B (#{world_b.partner.pk})"]
    }


def test_an_over_long_step_label_is_shortened_not_refused(agent, world_a):
    # PostgreSQL enforces the column's length; SQLite does not: the label must fit on both.
    with transaction.atomic():
        event = audit.record_step(agent, world_a.contact, "x" * 300)
    event.refresh_from_db()
    assert len(event.step) == 60 and event.step.endswith("…")
