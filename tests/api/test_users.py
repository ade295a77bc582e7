"""Users: who sees whom, and only admins change who may do what — effective on the next request."""

from __future__ import annotations

from salesdesk.core.models import AuditEvent
from salesdesk.parties.models import User

from .helpers import NOT_FOUND, walk

NEW_USER = {
    "username": "marta",
    "password": "a-long-enough-passphrase-7",
    "kind": "support",
    "support_level": 2,
    "first_name": "Marta",
    "last_name": "Lind",
}


def usernames(rows: list[dict]) -> list[str]:
    return [row["username"] for row in rows]


def test_partner_sees_the_people_of_their_organisation_and_customers(api_as, world_a, world_b):
    rows = walk(api_as(world_a.partner_user), "/api/users")
    assert usernames(rows) == ["customer_a", "partner_a", "partner_a_2"]


def test_staff_see_everyone_and_filter(api_as, agent, presales, world_a, world_b):
    api = api_as(agent)
    assert len(walk(api, "/api/users")) == User.objects.count()
    assert usernames(walk(api, "/api/users", {"kind": "support", "support_level": 4})) == ["jonas"]
    assert usernames(walk(api, "/api/users", {"q": "raman"})) == ["priya"]


def test_user_detail_never_shows_the_password(api_as, agent, presales):
    body = api_as(agent).get(f"/api/users/{presales.pk}").json()
    assert body["role_label"] == "Level 4 · Presales engineer"
    assert "password" not in body


def test_foreign_user_is_404(api_as, world_a, world_b):
    response = api_as(world_a.partner_user).get(f"/api/users/{world_b.customer_user.pk}")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_admin_creates_a_user(api_as, admin_user, own_org):
    response = api_as(admin_user).post("/api/users", NEW_USER)
    assert response.status_code == 201
    body = response.json()
    assert (body["username"], body["kind"], body["support_level"], body["organisation"]) == (
        "marta",
        "support",
        2,
        {"id": own_org.pk, "name": "Acme Systems"},
    )
    user = User.objects.get(username="marta")
    assert user.check_password(NEW_USER["password"])
    assert NEW_USER["password"] not in user.password


def test_non_admin_cannot_create_users(api_as, presales):
    before = User.objects.count()
    response = api_as(presales).post("/api/users", NEW_USER)
    assert response.status_code == 403
    assert User.objects.count() == before


def test_weak_password_is_400_naming_the_field(api_as, admin_user):
    response = api_as(admin_user).post("/api/users", {**NEW_USER, "password": "short"})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["password"]
    assert not User.objects.filter(username="marta").exists()


def test_level_out_of_range_is_400(api_as, admin_user):
    response = api_as(admin_user).post("/api/users", {**NEW_USER, "support_level": 7})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["support_level"]
    assert not User.objects.filter(username="marta").exists()


def test_nobody_changes_their_own_role(api_as, admin_user):
    # given an admin
    # when they try to change their own role
    response = api_as(admin_user).post(
        f"/api/users/{admin_user.pk}/role", {"kind": "support", "support_level": 6}
    )
    # then 400, and they are still an admin
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "support_level", "message": "you cannot change your own role or level"}
    ]
    admin_user.refresh_from_db()
    assert (admin_user.kind, admin_user.support_level) == ("admin", None)


def test_non_admin_cannot_change_roles(api_as, presales, agent):
    # given a presales engineer (level 4, not an admin)
    # when they try to raise the agent to level 6
    response = api_as(presales).post(f"/api/users/{agent.pk}/role", {"kind": "support", "support_level": 6})
    # then 403 and the agent is still level 1
    assert response.status_code == 403
    agent.refresh_from_db()
    assert agent.support_level == 1
    assert not AuditEvent.objects.exists()


def test_non_admin_cannot_raise_their_own_level(api_as, agent):
    response = api_as(agent).post(f"/api/users/{agent.pk}/role", {"kind": "support", "support_level": 6})
    assert response.status_code == 403
    agent.refresh_from_db()
    assert agent.support_level == 1


def test_role_change_takes_effect_on_the_next_request(api_as, agent, admin_user, world_a):
    # given a level-1 agent, refused when editing a deal
    agent_api = api_as(agent)
    url = f"/api/opportunities/{world_a.opportunity.pk}"
    assert agent_api.patch(url, {"description": "Needs a demo"}).status_code == 403
    # when an admin raises them to level 4
    raised = api_as(admin_user).post(f"/api/users/{agent.pk}/role", {"kind": "support", "support_level": 4})
    assert raised.status_code == 200
    assert raised.json()["role_label"] == "Level 4 · Presales engineer"
    # then their very next request (same session) may edit the deal
    response = agent_api.patch(url, {"description": "Needs a demo"})
    assert response.status_code == 200
    assert response.json()["description"] == "Needs a demo"


def test_invalid_role_combination_is_400(api_as, admin_user, agent):
    response = api_as(admin_user).post(
        f"/api/users/{agent.pk}/role", {"kind": "sales_rep", "support_level": 3}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "support_level"
    agent.refresh_from_db()
    assert (agent.kind, agent.support_level) == ("support", 1)


def test_deactivated_user_is_signed_out_and_can_be_reactivated(api_as, admin_user, agent):
    # given the agent is signed in
    agent_api = api_as(agent)
    assert agent_api.get("/api/me").status_code == 200
    # when an admin deactivates them
    response = api_as(admin_user).post(f"/api/users/{agent.pk}/deactivate")
    # then their session no longer works
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert agent_api.get("/api/me").status_code == 401
    # and reactivating lets them sign in again
    assert api_as(admin_user).post(f"/api/users/{agent.pk}/reactivate").json()["is_active"] is True
    agent.refresh_from_db()
    assert api_as(agent).get("/api/me").status_code == 200


def test_non_admin_cannot_deactivate(api_as, presales, agent):
    response = api_as(presales).post(f"/api/users/{agent.pk}/deactivate")
    assert response.status_code == 403
    agent.refresh_from_db()
    assert agent.is_active is True
