"""Contact pages: list and filter, history, create, edit and delete with confirmation."""

import pytest
from django.urls import reverse

from salesdesk.core.models import AuditEvent
from salesdesk.parties.models import Contact
from tests.factories import ContactFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

LIST = reverse("web:contact_list")


def detail_url(contact) -> str:
    return reverse("web:contact_detail", kwargs={"contact_id": contact.pk})


def test_partner_sees_only_contacts_of_their_world(client_as, world_a, world_b):
    client = client_as(world_a.partner_user)
    html = client.get(LIST).content.decode()
    assert "SamA" in html and "SamB" not in html
    assert client.get(detail_url(world_b.contact)).status_code == 404
    assert (
        client.get(reverse("web:contact_edit", kwargs={"contact_id": world_b.contact.pk})).status_code == 404
    )
    assert (
        client.post(reverse("web:contact_delete", kwargs={"contact_id": world_b.contact.pk})).status_code
        == 404
    )
    assert Contact.objects.filter(pk=world_b.contact.pk).exists()


def test_search_and_organisation_filter(client_as, agent, world_a, world_b):
    client = client_as(agent)
    html = client.get(LIST, {"organisation": world_b.customer.pk}).content.decode()
    assert "SamB" in html and "SamA" not in html
    html = client.get(LIST, {"q": "Customer A"}).content.decode()
    assert "SamA" in html and "SamB" not in html
    assert "No contact matches" in client.get(LIST, {"q": "zzz"}).content.decode()


def test_list_queries_do_not_grow_with_rows(client_as, agent, count_queries, django_assert_max_num_queries):
    ContactFactory()
    client = client_as(agent)
    baseline = count_queries(lambda: client.get(LIST))
    for _ in range(20):
        ContactFactory(organisation=OrganisationFactory())
    with django_assert_max_num_queries(baseline):
        assert client.get(LIST).status_code == 200


def test_create_edit_and_history(client_as, agent, world_a):
    client = client_as(agent)
    form = client.get(reverse("web:contact_create"), {"organisation": world_a.customer.pk}).content.decode()
    assert f'<option value="{world_a.customer.pk}" selected>' in form
    response = client.post(
        reverse("web:contact_create"),
        {
            "organisation": world_a.customer.pk,
            "first_name": "Ines",
            "last_name": "Duarte",
            "email": "ines@example.com",
            "is_active": "on",
        },
    )
    contact = Contact.objects.get(first_name="Ines")
    assert response.status_code == 302 and response["Location"] == detail_url(contact)
    response = client.post(
        reverse("web:contact_edit", kwargs={"contact_id": contact.pk}),
        {
            "organisation": world_a.customer.pk,
            "first_name": "Ines",
            "last_name": "Duarte-Silva",
            "email": "ines@example.com",
            "is_active": "on",
            "version": contact.version,
        },
    )
    assert response.status_code == 302
    html = client.get(detail_url(contact)).content.decode()
    assert "History" in html
    assert "<del>Duarte</del>" in html and "<ins>Duarte-Silva</ins>" in html
    assert [
        e.action for e in AuditEvent.objects.filter(object_id=str(contact.pk), content_type__model="contact")
    ] == ["updated", "created"]


def test_form_errors_name_the_field(client_as, agent, world_a):
    response = client_as(agent).post(
        reverse("web:contact_create"),
        {"organisation": world_a.customer.pk, "first_name": "", "last_name": "X", "email": "not-an-email"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "first_name" in errors and "email" in errors


def test_partner_cannot_add_a_contact_to_another_world(client_as, world_a, world_b):
    response = client_as(world_a.partner_user).post(
        reverse("web:contact_create"),
        {"organisation": world_b.customer.pk, "first_name": "Eve", "last_name": "Spy"},
    )
    assert response.status_code == 400
    assert "organisation" in response.context["form"].errors
    assert not Contact.objects.filter(first_name="Eve").exists()


def test_delete_asks_for_confirmation_then_deletes_and_keeps_history(client_as, agent, world_a):
    client = client_as(agent)
    url = reverse("web:contact_delete", kwargs={"contact_id": world_a.contact.pk})
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Yes, delete the contact" in confirm.content.decode()
    assert Contact.objects.filter(pk=world_a.contact.pk).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert not Contact.objects.filter(pk=world_a.contact.pk).exists()
    html = client.get(response["Location"]).content.decode()
    assert "deleted" in html and "SamA Smith" in html


def test_customer_may_read_but_not_change_contacts(client_as, world_a):
    client = client_as(world_a.customer_user)
    html = client.get(detail_url(world_a.contact)).content.decode()
    assert "SamA" in html and "Delete…" not in html
    assert (
        client.post(reverse("web:contact_delete", kwargs={"contact_id": world_a.contact.pk})).status_code
        == 403
    )
