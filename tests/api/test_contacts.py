"""Contacts: visibility follows the organisation; writes check the organisation too."""

from __future__ import annotations

from salesdesk.core import audit
from salesdesk.core.models import AuditAction, AuditEvent
from salesdesk.parties.models import Contact

from .helpers import NOT_FOUND, walk


def first_names(rows: list[dict]) -> list[str]:
    return sorted(row["first_name"] for row in rows)


def test_partner_sees_the_contacts_of_their_customers_only(api_as, world_a, world_b):
    rows = walk(api_as(world_a.partner_user), "/api/contacts")
    assert first_names(rows) == ["SamA"]


def test_customer_user_sees_their_own_contacts_only(api_as, world_a, world_b):
    rows = walk(api_as(world_b.customer_user), "/api/contacts")
    assert first_names(rows) == ["SamB"]


def test_staff_filter_contacts_by_organisation_and_text(api_as, agent, world_a, world_b):
    api = api_as(agent)
    assert first_names(walk(api, "/api/contacts")) == ["SamA", "SamB"]
    assert first_names(walk(api, "/api/contacts", {"organisation_id": world_b.customer.pk})) == ["SamB"]
    assert first_names(walk(api, "/api/contacts", {"q": "Customer A"})) == ["SamA"]


def test_partner_enters_a_contact_at_their_customer(api_as, world_a):
    # when partner A's user enters a contact at customer A
    response = api_as(world_a.partner_user).post(
        "/api/contacts",
        {
            "organisation_id": world_a.customer.pk,
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@customer-a.example",
        },
    )
    # then it exists, and the creation is audited on customer A's timeline
    assert response.status_code == 201
    body = response.json()
    assert (body["organisation"], body["full_name"], body["version"]) == (
        {"id": world_a.customer.pk, "name": "Customer A"},
        "Ada Lovelace",
        1,
    )
    contact = Contact.objects.get(pk=body["id"])
    event = audit.events_for(contact).get()
    assert (event.action, event.scope_organisation_id) == (AuditAction.CREATED, world_a.customer.pk)


def test_contact_at_a_foreign_organisation_is_refused_and_not_written(api_as, world_a, world_b):
    # given partner A's user
    before = Contact.objects.count()
    # when they enter a contact at customer B, whom they cannot see
    response = api_as(world_a.partner_user).post(
        "/api/contacts", {"organisation_id": world_b.customer.pk, "first_name": "Eve", "last_name": "Spy"}
    )
    # then 400 names organisation_id — without saying whether customer B exists — and nothing is written
    assert response.status_code == 400
    message = f"organisation {world_b.customer.pk} does not exist"
    assert response.json() == {
        "detail": message,
        "errors": [{"field": "organisation_id", "message": message}],
    }
    assert Contact.objects.count() == before
    assert not AuditEvent.objects.exists()


def test_contact_cannot_be_moved_to_a_foreign_organisation(api_as, world_a, world_b):
    contact = world_a.contact
    response = api_as(world_a.partner_user).patch(
        f"/api/contacts/{contact.pk}", {"organisation_id": world_b.customer.pk}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "organisation_id"
    contact.refresh_from_db()
    assert (contact.organisation_id, contact.version) == (world_a.customer.pk, 1)


def test_customer_user_cannot_edit_contacts(api_as, world_a):
    contact = world_a.contact
    response = api_as(world_a.customer_user).patch(f"/api/contacts/{contact.pk}", {"job_title": "CEO"})
    assert response.status_code == 403
    contact.refresh_from_db()
    assert (contact.job_title, contact.version) == ("", 1)


def test_contact_detail_etag_and_patch(api_as, agent, world_a):
    api = api_as(agent)
    url = f"/api/contacts/{world_a.contact.pk}"
    etag = api.get(url)["ETag"]
    assert api.get(url, **{"If-None-Match": etag}).status_code == 304
    response = api.patch(url, {"job_title": "Head of IT"}, **{"If-Match": etag})
    assert response.status_code == 200
    assert (response.json()["job_title"], response["ETag"]) == ("Head of IT", f'"{world_a.contact.pk}.2"')
    stale = api.patch(url, {"job_title": "CTO"}, **{"If-Match": etag})
    assert stale.status_code == 412
    world_a.contact.refresh_from_db()
    assert world_a.contact.job_title == "Head of IT"


def test_delete_removes_the_contact_and_keeps_its_history(api_as, agent, world_a):
    contact_id = world_a.contact.pk
    response = api_as(agent).delete(f"/api/contacts/{contact_id}")
    assert response.status_code == 204
    assert not Contact.objects.filter(pk=contact_id).exists()
    event = AuditEvent.objects.get(object_id=str(contact_id))
    assert (event.action, event.object_repr) == (AuditAction.DELETED, "SamA Smith")


def test_delete_with_stale_if_match_is_refused(api_as, agent, world_a):
    api = api_as(agent)
    url = f"/api/contacts/{world_a.contact.pk}"
    stale = api.get(url)["ETag"]
    api.patch(url, {"phone": "1"})
    response = api.delete(url, **{"If-Match": stale})
    assert response.status_code == 412
    assert Contact.objects.filter(pk=world_a.contact.pk).exists()


def test_missing_contact_is_404(api_as, agent, world_a):
    response = api_as(agent).delete(f"/api/contacts/{world_a.contact.pk + 999}")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_contact_history_lists_changes_newest_first(api_as, agent, world_a):
    api = api_as(agent)
    url = f"/api/contacts/{world_a.contact.pk}"
    api.patch(url, {"job_title": "CIO"})
    api.patch(url, {"phone": "+49 30 1234"})
    rows = api.get(f"{url}/history").json()["results"]
    assert [row["changes"] for row in rows] == [{"phone": ["", "+49 30 1234"]}, {"job_title": ["", "CIO"]}]
    assert {row["actor_label"] for row in rows} == {"Priya Raman"}


def test_foreign_contact_history_is_404(api_as, agent, world_a, world_b):
    api_as(agent).patch(f"/api/contacts/{world_a.contact.pk}", {"job_title": "CIO"})
    response = api_as(world_b.partner_user).get(f"/api/contacts/{world_a.contact.pk}/history")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
