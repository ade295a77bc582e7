"""Users are audited records: no bulk write skips the audit, and Django's own sign-in writes still work."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from salesdesk.core.errors import BulkWriteRefused
from salesdesk.core.models import AuditEvent
from salesdesk.parties.models import User

pytestmark = pytest.mark.django_db


def stored_users() -> list[tuple]:
    return list(
        User.objects.order_by("pk").values_list("pk", "username", "kind", "support_level", "is_active")
    )


@pytest.mark.parametrize(
    "bulk_write",
    [
        pytest.param(lambda: User.objects.update(support_level=6), id="update"),
        pytest.param(lambda: User.objects.filter(kind="support").update(support_level=6), id="filter-update"),
        pytest.param(lambda: User.objects.filter(kind="support").delete(), id="delete"),
        pytest.param(lambda: User.objects.bulk_update(list(User.objects.all()), ["kind"]), id="bulk_update"),
        pytest.param(lambda: User.objects.bulk_create([User(username="bulk")]), id="bulk_create"),
        pytest.param(
            lambda: User.objects.update_or_create(username="priya", defaults={"support_level": 6}),
            id="update_or_create",
        ),
    ],
)
def test_bulk_writes_to_users_are_refused_and_change_nothing(agent, admin_user, bulk_write):
    # given an agent and an admin
    before = stored_users()
    events = AuditEvent.objects.count()
    # when someone writes to users in bulk, round the audit trail
    with pytest.raises(BulkWriteRefused):
        bulk_write()
    # then nothing changed and nothing needed auditing
    assert stored_users() == before
    assert AuditEvent.objects.count() == events


def test_user_manager_still_creates_users_and_superusers(own_org):
    user = User.objects.create_user("plain", password="a-long-unusual-pass-77", support_level=1)
    root = User.objects.create_superuser("root", password="a-long-unusual-pass-77")
    assert user.check_password("a-long-unusual-pass-77")
    assert (root.kind, root.organisation, root.is_staff, root.is_superuser) == ("admin", own_org, True, True)
    assert User.objects.get_by_natural_key("root") == root


def test_createsuperuser_command_still_works(own_org, monkeypatch):
    # given our own organisation, when an operator runs Django's createsuperuser
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-unusual-pass-77")
    call_command("createsuperuser", username="ops", email="ops@example.com", interactive=False, verbosity=0)
    # then the operator is an admin of our own organisation
    ops = User.objects.get(username="ops")
    assert (ops.kind, ops.support_level, ops.organisation) == ("admin", None, own_org)
    assert (ops.is_staff, ops.is_superuser, ops.check_password("a-long-unusual-pass-77")) == (
        True,
        True,
        True,
    )


def test_login_and_password_change_still_work(agent, password):
    client = Client()
    # when the agent signs in (axes and the session backend write, last_login is saved)
    response = client.post(reverse("web:login"), {"username": agent.username, "password": password})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(agent.pk)
    agent.refresh_from_db()
    assert agent.last_login is not None
    # and changes their password
    response = client.post(
        reverse("web:password_change"),
        {
            "old_password": password,
            "new_password1": "a-long-unusual-pass-77",
            "new_password2": "a-long-unusual-pass-77",
        },
    )
    # then the new password works, and they stay signed in
    assert response.status_code == 302
    assert response["Location"] == reverse("web:password_change_done")
    agent.refresh_from_db()
    assert agent.check_password("a-long-unusual-pass-77")
    assert client.get("/").status_code == 200
    client.logout()
    response = client.post(
        reverse("web:login"), {"username": agent.username, "password": "a-long-unusual-pass-77"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(agent.pk)
