"""The Django admin cannot get round the role rules: roles and access change through the services."""

import pytest
from django.contrib.sessions.models import Session

from salesdesk.core import tokens
from salesdesk.core.models import ApiToken, AuditEvent
from salesdesk.parties.models import User

pytestmark = pytest.mark.django_db

ROLE_FIELDS = ("kind", "support_level", "organisation_id", "is_active", "is_staff", "is_superuser")


def role_of(user: User) -> dict[str, object]:
    user = User.objects.get(pk=user.pk)
    return {name: getattr(user, name) for name in ROLE_FIELDS} | {
        "groups": list(user.groups.all()),
        "user_permissions": list(user.user_permissions.all()),
    }


def change_form_data(user: User, **overrides: object) -> dict[str, object]:
    """Everything a tampered admin change form could send, role fields included."""
    data: dict[str, object] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "job_title": user.job_title,
        "phone": user.phone,
        "teams": [],
        "skills": [],
    }
    data.update(overrides)
    return data


def test_admin_cannot_raise_a_users_level_or_kind_in_the_change_form(admin_user, agent, world_a, client_as):
    # given a level 1 agent, and their role as stored
    before = role_of(agent)
    # when an admin posts the agent's change form with a new kind, level, organisation and flags
    response = client_as(admin_user).post(
        f"/admin/parties/user/{agent.pk}/change/",
        change_form_data(
            agent,
            first_name="Priyanka",
            kind="admin",
            support_level="6",
            organisation=str(world_a.partner.pk),
            is_active="",
            is_staff="on",
            is_superuser="on",
        ),
    )
    # then the harmless field is saved, and the role fields are ignored
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.first_name == "Priyanka"
    assert role_of(agent) == before
    assert before["support_level"] == 1 and before["is_staff"] is False
    # and the change is audited as an admin edit of the name only
    event = AuditEvent.objects.get(object_id=str(agent.pk), action="updated")
    assert event.changes == {"first_name": ["Priya", "Priyanka"]}
    assert event.detail == {"via": "admin"}


def test_admin_cannot_change_their_own_role_in_the_change_form(admin_user, client_as):
    # given an admin
    before = role_of(admin_user)
    # when they post their own change form making themselves level 6 support staff
    response = client_as(admin_user).post(
        f"/admin/parties/user/{admin_user.pk}/change/",
        change_form_data(admin_user, kind="support", support_level="6", is_superuser=""),
    )
    # then nothing about their role changed
    assert response.status_code == 302
    assert role_of(admin_user) == before


def test_change_form_shows_role_fields_read_only_and_links_to_the_users_page(admin_user, agent, client_as):
    # when an admin opens a user's change form
    response = client_as(admin_user).get(f"/admin/parties/user/{agent.pk}/change/")
    # then no role field is an input, and the role is changed on the user's page
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert not {"kind", "support_level", "organisation", "is_active", "is_staff", "is_superuser"} & set(
        form.fields
    )
    assert not {"groups", "user_permissions"} & set(form.fields)
    assert f'href="/users/{agent.pk}/"' in response.content.decode()


def test_users_are_not_added_or_deleted_in_the_admin(admin_user, agent, client_as):
    client = client_as(admin_user)
    count = User.objects.count()
    # when an admin tries to add a user with a raw form, or to delete one
    add = client.post(
        "/admin/parties/user/add/",
        {"username": "sneaky", "password1": "a-long-unusual-pass-77", "password2": "a-long-unusual-pass-77"},
    )
    delete = client.post(f"/admin/parties/user/{agent.pk}/delete/", {"post": "yes"})
    # then both are refused and no user was added or removed
    assert add.status_code == 403
    assert delete.status_code == 403
    assert User.objects.count() == count
    assert not User.objects.filter(username="sneaky").exists()


def test_admin_action_deactivates_through_the_service(admin_user, agent, client_as):
    # given an agent signed in with an API token
    agent_client = client_as(agent)
    _token, secret = tokens.token_create(actor=agent, name="script")
    # when an admin deactivates them with the admin action
    response = client_as(admin_user).post(
        "/admin/parties/user/", {"action": "deactivate_users", "_selected_action": [str(agent.pk)]}
    )
    # then the agent cannot sign in, their sessions ended and their token is revoked
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.is_active is False
    assert str(agent.pk) not in [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert tokens.token_authenticate(secret) is None
    assert ApiToken.objects.get(user=agent).revoked_at is not None
    signed_out = agent_client.get("/")
    assert signed_out.status_code == 302
    assert signed_out["Location"].startswith("/login/")


def test_admin_action_cannot_deactivate_oneself(admin_user, client_as):
    client = client_as(admin_user)
    # when an admin selects themselves for deactivation
    response = client.post(
        "/admin/parties/user/", {"action": "deactivate_users", "_selected_action": [str(admin_user.pk)]}
    )
    # then it is refused, and they are still active and signed in
    assert response.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.is_active is True
    assert client.get("/admin/parties/user/").status_code == 200


def test_admin_action_reactivates_without_reviving_old_tokens(admin_user, agent, client_as):
    # given an agent deactivated with a token they held
    _token, secret = tokens.token_create(actor=agent, name="script")
    client = client_as(admin_user)
    client.post("/admin/parties/user/", {"action": "deactivate_users", "_selected_action": [str(agent.pk)]})
    # when an admin reactivates them
    response = client.post(
        "/admin/parties/user/", {"action": "reactivate_users", "_selected_action": [str(agent.pk)]}
    )
    # then they may sign in again, but the old token stays dead
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.is_active is True
    assert tokens.token_authenticate(secret) is None


def test_admin_cannot_change_an_organisations_kind(admin_user, world_a, client_as):
    # given a partner with users and managed customers
    partner = world_a.partner
    # when an admin posts its change form with kind customer
    response = client_as(admin_user).post(
        f"/admin/parties/organisation/{partner.pk}/change/",
        {"name": "Partner A renamed", "kind": "customer", "tier": partner.tier, "is_active": "on"},
    )
    # then the name is corrected but the kind stays
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.name == "Partner A renamed"
    assert partner.kind == "partner"
