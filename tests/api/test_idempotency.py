"""Idempotency-Key on POST: a retry gets the first answer, and nothing is created twice."""

from __future__ import annotations

import json
from datetime import timedelta

from django.http import JsonResponse
from django.test import RequestFactory
from django.utils import timezone

from salesdesk.core import middleware as middleware_module
from salesdesk.core.middleware import IdempotencyMiddleware, request_digest
from salesdesk.core.models import ApiToken, IdempotencyRecord
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


# --- Secrets are never stored nor shown again (S1) ------------------------------------------------

TOKEN_RETRY = "this request was already carried out; the token secret is shown only once"


def test_a_token_secret_is_not_stored_and_a_retry_is_409(api_as, agent):
    # given a token created with an Idempotency-Key
    api = api_as(agent)
    first = api.post("/api/tokens", {"name": "ci"}, **{"Idempotency-Key": "token-ci"})
    assert first.status_code == 201
    secret = first.json()["token"]
    # then only the outcome is kept, not the body that holds the secret
    record = IdempotencyRecord.objects.get(user=agent, key="token-ci")
    assert (record.status_code, record.withheld, bytes(record.body), record.headers) == (201, True, b"", {})
    # when the client retries with the same key
    again = api.post("/api/tokens", {"name": "ci"}, **{"Idempotency-Key": "token-ci"})
    # then it is told the token exists, without the secret, and no second token is made
    assert again.status_code == 409
    assert again.json() == {
        "detail": TOKEN_RETRY,
        "errors": [{"field": "Idempotency-Key", "message": TOKEN_RETRY}],
    }
    assert secret not in again.content.decode()
    assert ApiToken.objects.filter(user=agent).count() == 1


def test_a_replay_carries_the_cache_and_version_headers(rf, agent):
    # given a response with Cache-Control, ETag and Location, stored under a key
    calls = []

    def view(request):
        calls.append(request)
        response = JsonResponse({"id": 7}, status=201)
        response["Cache-Control"] = "private, max-age=0"
        response["ETag"] = '"7.1"'
        response["Location"] = "/api/things/7"
        return response

    middleware = IdempotencyMiddleware(view)

    def post():
        request = rf.post(
            "/api/things", {"a": 1}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="h-1"
        )
        request.user = agent
        return middleware(request)

    post()
    # when the request is retried
    replay = post()
    # then the replay has the same headers, and the view ran once
    assert len(calls) == 1
    assert replay["Idempotent-Replayed"] == "true"
    assert (replay["Cache-Control"], replay["ETag"], replay["Location"]) == (
        "private, max-age=0",
        '"7.1"',
        "/api/things/7",
    )
    assert json.loads(replay.content) == {"id": 7}


# --- Concurrent retries, failures, key order (S4) -------------------------------------------------


def test_a_retry_while_the_first_request_runs_is_409_and_creates_nothing(api_as, agent):
    # given a request with this key that has started but not finished (its pending record)
    api = api_as(agent)
    body = {"name": "Slow Ltd"}
    request = RequestFactory().post("/api/organisations", body, content_type="application/json")
    IdempotencyRecord.objects.create(
        user=agent,
        key="slow",
        method="POST",
        path="/api/organisations",
        request_digest=request_digest(request),
    )
    # when the client retries it
    response = api.post("/api/organisations", body, **{"Idempotency-Key": "slow"})
    # then it is told to wait, and nothing is created twice
    assert response.status_code == 409
    assert response.json() == {
        "detail": "a request with this Idempotency-Key is still in progress",
        "errors": [
            {
                "field": "Idempotency-Key",
                "message": "is still in use by a request that has not finished; retry when it has",
            }
        ],
    }
    assert not Organisation.objects.filter(name="Slow Ltd").exists()


def test_the_pending_record_is_written_before_the_view_runs(api_as, agent, monkeypatch):
    from salesdesk.parties import services

    seen = []
    create = services.organisation_create

    def spy(**kwargs):
        seen.append(list(IdempotencyRecord.objects.filter(key="early").values_list("status_code", flat=True)))
        return create(**kwargs)

    monkeypatch.setattr(services, "organisation_create", spy)
    response = api_as(agent).post("/api/organisations", {"name": "Early Ltd"}, **{"Idempotency-Key": "early"})
    assert response.status_code == 201
    assert seen == [[None]]  # pending while the view ran
    assert IdempotencyRecord.objects.get(key="early").status_code == 201


def test_a_failed_request_lets_its_key_go_so_a_retry_runs(api_as, agent, monkeypatch):
    from salesdesk.parties import services

    # given the first attempt crashes
    create = services.organisation_create
    attempts = []

    def flaky(**kwargs):
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("database hiccup")
        return create(**kwargs)

    monkeypatch.setattr(services, "organisation_create", flaky)
    api = api_as(agent)
    failed = api.post("/api/organisations", {"name": "Flaky Ltd"}, **{"Idempotency-Key": "flaky"})
    assert failed.status_code == 500
    assert not IdempotencyRecord.objects.filter(key="flaky").exists()
    # when the client retries with the same key
    retried = api.post("/api/organisations", {"name": "Flaky Ltd"}, **{"Idempotency-Key": "flaky"})
    # then it runs for real
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried
    assert Organisation.objects.filter(name="Flaky Ltd").count() == 1


def test_the_same_json_in_another_key_order_is_the_same_request(api_as, agent):
    api = api_as(agent)
    first = api.client.post(
        "/api/organisations",
        '{"name": "Order Ltd", "industry": "Steel"}',
        content_type="application/json",
        headers={"Idempotency-Key": "order"},
    )
    again = api.client.post(
        "/api/organisations",
        '{"industry":"Steel","name":"Order Ltd"}',
        content_type="application/json",
        headers={"Idempotency-Key": "order"},
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert Organisation.objects.filter(name="Order Ltd").count() == 1


# --- Expired records are purged -------------------------------------------------------------------


def test_expired_records_are_purged_now_and_then(api_as, agent, settings, monkeypatch):
    # given a record older than the TTL and a recent one
    settings.SALESDESK_IDEMPOTENCY_TTL_HOURS = 24
    old = IdempotencyRecord.objects.create(
        user=agent, key="old", method="POST", path="/api/x", request_digest="d", status_code=201
    )
    IdempotencyRecord.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    recent = IdempotencyRecord.objects.create(
        user=agent, key="recent", method="POST", path="/api/x", request_digest="d", status_code=201
    )
    # and the last purge was long ago
    monkeypatch.setattr(middleware_module, "_last_purge", -1e9)
    # when any POST with a key comes in
    api_as(agent).post("/api/organisations", {"name": "P Ltd"}, **{"Idempotency-Key": "p-1"})
    # then the expired record is gone and the recent ones stay
    assert set(IdempotencyRecord.objects.values_list("key", flat=True)) == {"recent", "p-1"}
    assert IdempotencyRecord.objects.filter(pk=recent.pk).exists()
    # and within the next PURGE_EVERY_SECONDS nothing is purged again
    IdempotencyRecord.objects.filter(pk=recent.pk).update(created_at=timezone.now() - timedelta(hours=25))
    api_as(agent).post("/api/organisations", {"name": "Q Ltd"}, **{"Idempotency-Key": "p-2"})
    assert IdempotencyRecord.objects.filter(pk=recent.pk).exists()
