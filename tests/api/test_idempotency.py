"""Idempotency-Key on POST: a retry gets the first answer, and nothing is created twice."""

from __future__ import annotations

from salesdesk.core.models import IdempotencyRecord
from salesdesk.parties.models import Organisation


def test_replay_returns_the_stored_response_and_creates_nothing(api_as, agent):
    # given an organisation created with an Idempotency-Key
    api = api_as(agent)
    body = {"name": "Retry Ltd"}
    first = api.post("/api/organisations", body, **{"Idempotency-Key": "create-retry-ltd"})
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    # when the client retries the same request with the same key (say after a timeout)
    again = api.post("/api/organisations", body, **{"Idempotency-Key": "create-retry-ltd"})
    # then it gets the first answer back, marked as a replay, and there is still one organisation
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Organisation.objects.filter(name="Retry Ltd").count() == 1


def test_same_key_with_a_different_body_is_422_and_creates_nothing(api_as, agent):
    api = api_as(agent)
    api.post("/api/organisations", {"name": "First Ltd"}, **{"Idempotency-Key": "k-1"})
    before = Organisation.objects.count()
    response = api.post("/api/organisations", {"name": "Second Ltd"}, **{"Idempotency-Key": "k-1"})
    assert response.status_code == 422
    message = "was already used with a different request; use a new key for a new request"
    assert response.json() == {
        "detail": f"Idempotency-Key: {message}",
        "errors": [{"field": "Idempotency-Key", "message": message}],
    }
    assert Organisation.objects.count() == before
    assert not Organisation.objects.filter(name="Second Ltd").exists()


def test_keys_belong_to_one_user(api_as, agent, staff_factory):
    # given the agent used a key
    api_as(agent).post("/api/organisations", {"name": "Agent Ltd"}, **{"Idempotency-Key": "shared"})
    # when a colleague happens to use the same key
    colleague = staff_factory(1, username="colleague")
    response = api_as(colleague).post(
        "/api/organisations", {"name": "Agent Ltd"}, **{"Idempotency-Key": "shared"}
    )
    # then their request runs on its own
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Organisation.objects.filter(name="Agent Ltd").count() == 2


def test_replay_works_with_token_auth(api_with_token, token_for, agent):
    api = api_with_token(token_for(agent))
    body = {"organisation_id": agent.organisation_id, "first_name": "A", "last_name": "B"}
    first = api.post("/api/contacts", body, **{"Idempotency-Key": "contact-1"})
    again = api.post("/api/contacts", body, **{"Idempotency-Key": "contact-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]


def test_refusals_before_the_request_ran_are_not_stored(client_as, agent):
    # given a POST refused for a missing CSRF token
    from .helpers import Api

    client = client_as(agent, enforce_csrf=True)
    api = Api(client)
    refused = api.post("/api/organisations", {"name": "Later Ltd"}, **{"Idempotency-Key": "k-csrf"})
    assert refused.status_code == 403
    assert not IdempotencyRecord.objects.exists()
    # when the client fixes the token and retries with the same key
    client.get("/api/docs")
    retried = api.post(
        "/api/organisations",
        {"name": "Later Ltd"},
        **{"Idempotency-Key": "k-csrf", "X-CSRFToken": client.cookies["csrftoken"].value},
    )
    # then the request runs for real
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried
    assert Organisation.objects.filter(name="Later Ltd").count() == 1


def test_overlong_key_is_400(api_as, agent):
    before = Organisation.objects.count()
    response = api_as(agent).post("/api/organisations", {"name": "X"}, **{"Idempotency-Key": "k" * 256})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Organisation.objects.count() == before
