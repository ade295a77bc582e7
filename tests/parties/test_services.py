"""Writes to parties: capabilities, validation with field names, references, users' roles and sessions."""

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied

from salesdesk.core import tokens
from salesdesk.core.errors import ApplicationError, StaleWrite
from salesdesk.core.models import ApiToken, AuditEvent
from salesdesk.parties import services
from salesdesk.parties.models import Contact, Organisation

pytestmark = pytest.mark.django_db


def test_agent_enters_a_customer_account(agent, world_a):
    org = services.organisation_create(
        actor=agent,
        data={"name": "Fabrikam", "kind": "customer", "managed_by_id": world_a.partner.pk, "tier": "gold"},
    )
    assert org.managed_by == world_a.partner
    assert AuditEvent.objects.filter(object_id=str(org.pk), action="created").exists()


def test_partner_users_cannot_create_organisations(world_a):
    with pytest.raises(PermissionDenied):
        services.organisation_create(actor=world_a.partner_user, data={"name": "X", "kind": "customer"})
    assert not Organisation.objects.filter(name="X").exists()


def test_only_customers_can_be_managed_and_only_by_partners(agent, world_a):
    with pytest.raises(ApplicationError) as exc:
        services.organisation_create(
            actor=agent, data={"name": "P2", "kind": "partner", "managed_by_id": world_a.partner.pk}
        )
    assert exc.value.errors[0].field == "managed_by_id"
    with pytest.raises(ApplicationError) as exc:
        services.organisation_create(
            actor=agent, data={"name": "C2", "kind": "customer", "managed_by_id": world_a.customer.pk}
        )
    assert exc.value.errors[0].field == "managed_by_id"
    assert not Organisation.objects.filter(name__in=["P2", "C2"]).exists()


def test_bad_fields_are_named(agent):
    with pytest.raises(ApplicationError) as exc:
        services.organisation_create(actor=agent, data={"name": "", "kind": "planet", "website": "not a url"})
    fields = {e.field for e in exc.value.errors}
    assert fields == {"name", "kind", "website"}


def test_unknown_field_is_an_error_not_ignored(agent, world_a):
    with pytest.raises(ApplicationError) as exc:
        services.organisation_update(actor=agent, organisation=world_a.customer, data={"owner": "me"})
    assert exc.value.errors[0].field == "owner"


def test_partner_cannot_put_a_contact_into_another_partners_customer(world_a, world_b):
    with pytest.raises(ApplicationError) as exc:
        services.contact_create(
            actor=world_a.partner_user,
            data={"organisation_id": world_b.customer.pk, "first_name": "Eve", "last_name": "Spy"},
        )
    assert exc.value.errors[0].field == "organisation_id"
    assert "does not exist" in exc.value.errors[0].message
    assert not Contact.objects.filter(first_name="Eve").exists()


def test_partner_enters_a_contact_at_a_managed_customer(world_a):
    contact = services.contact_create(
        actor=world_a.partner_user,
        data={"organisation_id": world_a.customer.pk, "first_name": "Li", "last_name": "Wei"},
    )
    assert contact.organisation == world_a.customer


def test_stale_version_is_refused_and_changes_nothing(agent, world_a):
    with pytest.raises(StaleWrite):
        services.organisation_update(
            actor=agent,
            organisation=world_a.customer,
            data={"name": "Renamed"},
            expected_version=world_a.customer.version + 1,
        )
    world_a.customer.refresh_from_db()
    assert world_a.customer.name == "Customer A"


def test_admin_creates_users_with_valid_roles_only(admin_user, world_a):
    user = services.user_create(
        actor=admin_user,
        username="tomas",
        password="a-long-unusual-pass-77",
        kind="support",
        support_level=2,
        first_name="Tomás",
    )
    assert user.check_password("a-long-unusual-pass-77")
    cases = [
        ({"kind": "support", "support_level": 7}, "support_level"),
        ({"kind": "support", "support_level": None}, "support_level"),
        ({"kind": "sales_rep", "support_level": 3}, "support_level"),
        ({"kind": "partner", "organisation_id": world_a.customer.pk}, "organisation_id"),
        ({"kind": "wizard"}, "kind"),
    ]
    for n, (kwargs, field) in enumerate(cases):
        with pytest.raises(ApplicationError) as exc:
            services.user_create(
                actor=admin_user, username=f"bad{n}", password="a-long-unusual-pass-77", **kwargs
            )
        assert exc.value.errors[0].field == field, kwargs
    with pytest.raises(ApplicationError) as exc:
        services.user_create(
            actor=admin_user,
            username="weak",
            password="password",
            kind="customer",
            organisation_id=world_a.customer.pk,
        )
    assert exc.value.errors[0].field == "password"


def test_only_admins_manage_users_and_nobody_changes_their_own_role(admin_user, agent, staff_factory):
    head = staff_factory(6)
    with pytest.raises(PermissionDenied):
        services.user_change_role(actor=head, user=agent, kind="support", support_level=6)
    with pytest.raises(PermissionDenied):
        services.user_change_role(actor=agent, user=agent, kind="support", support_level=6)
    with pytest.raises(ApplicationError):
        services.user_change_role(actor=admin_user, user=admin_user, kind="support", support_level=6)
    agent.refresh_from_db()
    assert agent.support_level == 1
    services.user_change_role(actor=admin_user, user=agent, kind="support", support_level=3)
    agent.refresh_from_db()
    assert agent.support_level == 3


def test_deactivation_ends_sessions_and_revokes_tokens(admin_user, agent, client_as):
    client = client_as(agent)
    other = client_as(admin_user)
    _token, secret = tokens.token_create(actor=agent, name="script")
    assert tokens.token_authenticate(secret) == agent
    services.user_deactivate(actor=admin_user, user=agent)
    remaining = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(agent.pk) not in remaining
    assert str(admin_user.pk) in remaining
    assert tokens.token_authenticate(secret) is None
    assert ApiToken.objects.get(user=agent).revoked_at is not None
    assert client.get("/").status_code in (302, 404)  # signed out
    assert other is not None
