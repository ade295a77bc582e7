"""Who am I, and personal API tokens: shown once, stored hashed, revocable."""

from __future__ import annotations

from salesdesk.core.models import ApiToken
from salesdesk.core.tokens import TOKEN_PREFIX
from salesdesk.parties import services as party_services

from .helpers import NOT_FOUND


def test_me_shows_role_organisation_and_capabilities_of_an_agent(api_as, agent, own_org):
    response = api_as(agent).get("/api/me")
    assert response.status_code == 200
    body = response.json()
    shown = ("id", "username", "name", "kind", "support_level", "organisation", "role_label")
    assert {k: body[k] for k in shown} == {
        "id": agent.pk,
        "username": "priya",
        "name": "Priya Raman",
        "kind": "support",
        "support_level": 1,
        "organisation": {"id": own_org.pk, "name": "Acme Systems"},
        "role_label": "Level 1 · Support agent",
    }
    assert "organisation.edit" in body["capabilities"]
    assert "opportunity.edit" not in body["capabilities"]
    assert "user.manage" not in body["capabilities"]


def test_me_capabilities_follow_the_level(api_as, presales):
    capabilities = api_as(presales).get("/api/me").json()["capabilities"]
    assert "opportunity.edit" in capabilities
    assert "estimate.signoff" not in capabilities  # level 5


def test_me_of_a_customer_user(api_as, world_a):
    body = api_as(world_a.customer_user).get("/api/me").json()
    assert (body["kind"], body["support_level"], body["organisation"]) == (
        "customer",
        None,
        {"id": world_a.customer.pk, "name": "Customer A"},
    )
    assert "opportunity.view" not in body["capabilities"]
    assert "case.open" in body["capabilities"]


def test_created_token_is_shown_once_and_stored_only_as_a_hash(api_as, agent):
    # given an agent
    api = api_as(agent)
    # when they create a token
    response = api.post("/api/tokens", {"name": "nightly sync"})
    # then the secret is in the answer, once
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    secret = body["token"]
    assert secret.startswith(TOKEN_PREFIX)
    assert (body["name"], body["prefix"], body["last_used_at"], body["revoked_at"]) == (
        "nightly sync",
        secret[:10],
        None,
        None,
    )
    # and the database holds its digest, never the secret
    token = ApiToken.objects.get(pk=body["id"])
    assert token.digest == ApiToken.digest_of(secret)
    assert secret not in {token.name, token.prefix, token.digest}
    # and the list shows the token without the secret
    listed = api.get("/api/tokens").json()["results"]
    assert [t["id"] for t in listed] == [token.pk]
    assert "token" not in listed[0]
    assert secret not in str(listed)


def test_token_without_a_name_is_refused(api_as, agent):
    response = api_as(agent).post("/api/tokens", {"name": "  "})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "name"
    assert not ApiToken.objects.exists()


def test_token_authenticates_and_records_last_use(api_as, api_with_token, agent):
    # given a token created through the API
    secret = api_as(agent).post("/api/tokens", {"name": "script"}).json()["token"]
    assert ApiToken.objects.get().last_used_at is None
    # when a script uses it
    response = api_with_token(secret).get("/api/me")
    # then it acts as the agent, and the token's last use is recorded
    assert response.status_code == 200
    assert response.json()["username"] == "priya"
    assert ApiToken.objects.get().last_used_at is not None


def test_revoked_token_stops_working(api_as, api_with_token, agent):
    # given a working token
    api = api_as(agent)
    created = api.post("/api/tokens", {"name": "laptop"}).json()
    script = api_with_token(created["token"])
    assert script.get("/api/me").status_code == 200
    # when the agent revokes it
    response = api.delete(f"/api/tokens/{created['id']}")
    # then it is revoked and the next call is refused
    assert response.status_code == 204
    assert ApiToken.objects.get(pk=created["id"]).revoked_at is not None
    assert script.get("/api/me").status_code == 401


def test_someone_elses_token_cannot_be_revoked(api_as, token_for, agent, presales):
    # given presales' token
    token_for(presales)
    token = ApiToken.objects.get(user=presales)
    # when the agent tries to revoke it
    response = api_as(agent).delete(f"/api/tokens/{token.pk}")
    # then it does not exist for them, and it still works
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    token.refresh_from_db()
    assert token.revoked_at is None


def test_tokens_list_shows_only_ones_own(api_as, token_for, agent, presales):
    token_for(agent, "mine")
    token_for(presales, "theirs")
    names = [t["name"] for t in api_as(agent).get("/api/tokens").json()["results"]]
    assert names == ["mine"]


def test_deactivated_users_tokens_stop_working(api_with_token, token_for, agent, admin_user):
    # given an agent's working token
    script = api_with_token(token_for(agent))
    assert script.get("/api/me").status_code == 200
    # when an admin deactivates the agent
    party_services.user_deactivate(actor=admin_user, user=agent)
    # then the token is refused
    assert script.get("/api/me").status_code == 401
    assert ApiToken.objects.get(user=agent).revoked_at is not None


def test_token_of_an_inactive_user_is_refused_even_if_not_revoked(api_with_token, token_for, agent):
    script = api_with_token(token_for(agent))
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    assert script.get("/api/me").status_code == 401
