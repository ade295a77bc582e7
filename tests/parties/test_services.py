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
    # the deactivated agent is sent to the login page; the admin stays signed in
    signed_out = client.get("/")
    assert signed_out.status_code == 302
    assert signed_out["Location"].startswith("/login/")
    assert other.get("/").status_code == 200


def test_reactivation_does_not_revive_old_tokens(admin_user, agent):
    # given an agent with an API token, deactivated and reactivated
    _token, secret = tokens.token_create(actor=agent, name="script")
    services.user_deactivate(actor=admin_user, user=agent)
    # when they are let back in
    services.user_reactivate(actor=admin_user, user=agent)
    # then they are active, but the old token still fails
    agent.refresh_from_db()
    assert agent.is_active is True
    assert tokens.token_authenticate(secret) is None


def test_reactivation_revokes_tokens_left_by_a_deactivation_outside_the_service(admin_user, agent):
    # given an agent whose token survived a deactivation that did not go through the service
    token, secret = tokens.token_create(actor=agent, name="script")
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    assert tokens.token_authenticate(secret) is None
    # when they are reactivated
    services.user_reactivate(actor=admin_user, user=agent)
    # then the old token stays dead, and the audit says so
    assert tokens.token_authenticate(secret) is None
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.filter(object_id=str(agent.pk), action="updated").first()
    assert event.changes == {"is_active": [False, True]}
    assert event.detail == {"tokens_revoked": 1}


def _organisation_state(org: Organisation) -> tuple:
    org.refresh_from_db()
    return org.kind, org.version, AuditEvent.objects.filter(object_id=str(org.pk), action="updated").count()


@pytest.mark.parametrize(
    ("which", "new_kind", "in_use"),
    [
        ("partner", "customer", "users, managed customers, partner opportunities"),
        ("customer", "partner", "users, contacts, opportunities"),
    ],
)
def test_kind_cannot_change_while_records_depend_on_it(agent, world_a, which, new_kind, in_use):
    # given partner A (users, a managed customer, deals) or customer A (users, a contact, a deal)
    org = world_a.partner if which == "partner" else world_a.customer
    data = {"kind": new_kind} if which == "partner" else {"kind": new_kind, "managed_by_id": None}
    before = _organisation_state(org)
    # when a level 1 agent changes its kind
    with pytest.raises(ApplicationError) as exc:
        services.organisation_update(actor=agent, organisation=org, data=data)
    # then it is refused, naming what depends on the kind, and nothing changed
    assert exc.value.errors[0].field == "kind"
    assert (
        exc.value.errors[0].message
        == f"cannot change from {which} to {new_kind} while the organisation has {in_use}"
    )
    assert _organisation_state(org) == before


def test_kind_of_an_unused_organisation_can_be_corrected(agent):
    # given a customer entered by mistake, with nothing attached yet
    org = services.organisation_create(actor=agent, data={"name": "Contoso", "kind": "customer"})
    # when the agent corrects it to a partner
    services.organisation_update(actor=agent, organisation=org, data={"kind": "partner"})
    # then it is a partner
    org.refresh_from_db()
    assert org.kind == "partner"


@pytest.mark.parametrize(("start", "new_kind"), [("own", "customer"), ("customer", "own")])
def test_kind_own_is_never_given_or_taken_away(agent, start, new_kind):
    # given our own organisation (the agent's), or an unused customer while no 'own' one would clash
    if start == "own":
        org = agent.organisation
    else:
        org = services.organisation_create(actor=agent, data={"name": "Contoso", "kind": "customer"})
    before = _organisation_state(org)
    # when the agent changes the kind to or from 'own'
    with pytest.raises(ApplicationError) as exc:
        services.organisation_update(actor=agent, organisation=org, data={"kind": new_kind})
    # then it is refused and nothing changed
    assert exc.value.errors[0].field == "kind"
    assert exc.value.errors[0].message == "our own organisation's kind cannot be given or taken away"
    assert _organisation_state(org) == before
