"""Who may call the API, and the one error shape every refusal has."""

from __future__ import annotations

from salesdesk.deals.models import Opportunity
from salesdesk.parties.models import Organisation

from .helpers import NOT_FOUND, Api


def test_unauthenticated_request_gets_401_with_the_error_shape(anonymous_api):
    # given nobody signed in and no token
    # when they ask who they are
    response = anonymous_api.get("/api/me")
    # then they are told to sign in or send a token
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Sign in, or send 'Authorization: Bearer <token>' with an active API token.",
        "errors": [],
    }


def test_unauthenticated_write_is_refused_and_writes_nothing(anonymous_api, own_org):
    # given nobody signed in
    before = Organisation.objects.count()
    # when they try to create an organisation
    response = anonymous_api.post("/api/organisations", {"name": "Sneaky Ltd"})
    # then 401, and no organisation was created
    assert response.status_code == 401
    assert Organisation.objects.count() == before


def test_unknown_token_gets_401(api_with_token, own_org):
    # given a made-up token
    api = api_with_token("sd_not-a-real-token")
    # when it is used
    response = api.get("/api/me")
    # then 401
    assert response.status_code == 401
    assert response.json()["errors"] == []


def test_schema_validation_error_is_400_naming_the_field(api_as, agent):
    # given a support agent
    before = Organisation.objects.count()
    # when they post an organisation without a name and with an unknown kind
    response = api_as(agent).post("/api/organisations", {"name": "", "kind": "alien"})
    # then 400 lists both fields, and nothing was created
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "The request is not valid."
    assert sorted(e["field"] for e in body["errors"]) == ["kind", "name"]
    assert all(e["message"] for e in body["errors"])
    assert Organisation.objects.count() == before


def test_path_parameter_that_is_not_a_number_is_400_naming_it(api_as, agent):
    response = api_as(agent).get("/api/organisations/abc")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["organisation_id"]


def test_service_error_is_400_naming_the_field(api_as, agent, world_a):
    # given a customer (not a partner) offered as the manager of another customer
    before = Organisation.objects.count()
    # when the agent creates it
    body = {"name": "New Co", "managed_by_id": world_a.customer.pk}
    response = api_as(agent).post("/api/organisations", body)
    # then 400 names managed_by_id, and nothing was created
    assert response.status_code == 400
    assert response.json() == {
        "detail": "must be a partner organisation",
        "errors": [{"field": "managed_by_id", "message": "must be a partner organisation"}],
    }
    assert Organisation.objects.count() == before


def test_missing_capability_is_403_and_changes_nothing(api_as, agent, world_a):
    # given a level-1 agent, who may see but not edit opportunities
    opportunity = world_a.opportunity
    # when they try to move the deal on
    response = api_as(agent).patch(f"/api/opportunities/{opportunity.pk}", {"stage": "proposal"})
    # then 403 with the error shape, and the deal is as it was
    assert response.status_code == 403
    body = response.json()
    assert body["errors"] == []
    assert "work with sales on prospects' opportunities" in body["detail"]
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.version) == ("qualification", 1)


def test_foreign_record_is_404_with_the_same_body_as_a_missing_one(api_as, world_a, world_b):
    # given partner A's user
    api = api_as(world_a.partner_user)
    missing_id = Organisation.objects.order_by("-pk").first().pk + 1000
    # when they ask for customer B (someone else's) and for an id that does not exist
    foreign = api.get(f"/api/organisations/{world_b.customer.pk}")
    missing = api.get(f"/api/organisations/{missing_id}")
    # then both answers are the same 404: nothing tells them customer B exists
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json() == NOT_FOUND


def test_foreign_record_cannot_be_written_either(api_as, world_a, world_b):
    # given partner A's user and customer B's contact
    contact = world_b.contact
    api = api_as(world_a.partner_user)
    # when they try to change and to delete it
    patched = api.patch(f"/api/contacts/{contact.pk}", {"first_name": "Hijacked"})
    deleted = api.delete(f"/api/contacts/{contact.pk}")
    # then 404 both times, and the contact is untouched
    assert patched.status_code == deleted.status_code == 404
    assert patched.json() == deleted.json() == NOT_FOUND
    contact.refresh_from_db()
    assert (contact.first_name, contact.version) == ("SamB", 1)


def test_stale_if_match_is_412_and_changes_nothing(api_as, presales, world_a):
    # given a deal someone changed after presales read it
    api = api_as(presales)
    opportunity = world_a.opportunity
    etag = api.get(f"/api/opportunities/{opportunity.pk}")["ETag"]
    assert api.patch(f"/api/opportunities/{opportunity.pk}", {"description": "first"}).status_code == 200
    # when presales writes with the ETag they read
    response = api.patch(
        f"/api/opportunities/{opportunity.pk}", {"description": "second"}, **{"If-Match": etag}
    )
    # then 412 names If-Match, and the other change stands
    assert response.status_code == 412
    assert response.json() == {
        "detail": "the record changed since you read it; fetch it again and retry",
        "errors": [
            {"field": "If-Match", "message": "the record changed since you read it; fetch it again and retry"}
        ],
    }
    opportunity.refresh_from_db()
    assert (opportunity.description, opportunity.version) == ("first", 2)


def test_session_write_without_csrf_token_is_refused_and_with_it_succeeds(client_as, agent):
    # given an agent's browser session with CSRF checks on, as in real life
    client = client_as(agent, enforce_csrf=True)
    api = Api(client)
    before = Organisation.objects.count()
    # when they post without the CSRF token
    refused = api.post("/api/organisations", {"name": "Forged Ltd"})
    # then it is refused and nothing was written
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("CSRF check failed")
    assert Organisation.objects.count() == before
    # when they fetch a page that hands out the token and send it back
    assert client.get("/api/docs").status_code == 200
    csrf = client.cookies["csrftoken"].value
    accepted = api.post("/api/organisations", {"name": "Real Ltd"}, **{"X-CSRFToken": csrf})
    # then the write goes through
    assert accepted.status_code == 201
    assert Organisation.objects.filter(name="Real Ltd").count() == 1


def test_session_reads_need_no_csrf_token(client_as, agent):
    api = Api(client_as(agent, enforce_csrf=True))
    assert api.get("/api/me").status_code == 200


def test_session_patch_and_delete_without_csrf_token_are_refused(client_as, presales, world_a):
    api = Api(client_as(presales, enforce_csrf=True))
    contact = world_a.contact
    assert api.patch(f"/api/contacts/{contact.pk}", {"first_name": "Forged"}).status_code == 403
    assert api.delete(f"/api/contacts/{contact.pk}").status_code == 403
    contact.refresh_from_db()
    assert (contact.first_name, contact.version) == ("SamA", 1)


def test_token_writes_need_no_csrf_token(token_for, agent):
    # given a script holding an API token (not sent automatically by a browser)
    from django.test import Client

    api = Api(Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token_for(agent)}"}))
    # when it posts without any CSRF token
    response = api.post("/api/organisations", {"name": "Scripted Ltd"})
    # then the write goes through
    assert response.status_code == 201


def test_unauthenticated_post_is_401_not_a_csrf_403(own_org):
    from django.test import Client

    response = Api(Client(enforce_csrf_checks=True)).post("/api/organisations", {"name": "X"})
    assert response.status_code == 401


def test_customer_user_sees_no_opportunities(api_as, world_a):
    response = api_as(world_a.customer_user).get(f"/api/opportunities/{world_a.opportunity.pk}")
    assert response.status_code == 404
    assert Opportunity.objects.filter(pk=world_a.opportunity.pk).exists()
