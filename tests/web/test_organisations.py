"""Organisation pages: visible rows only, foreign records 404, forms write through services with audit."""

import pytest
from django.urls import reverse

from salesdesk.core.models import AuditEvent, Job
from salesdesk.deals import services as deal_services
from salesdesk.parties.choices import CustomerTier, OrganisationKind
from salesdesk.parties.models import Organisation
from tests.factories import OpportunityFactory, OrganisationFactory, PartnerFactory

pytestmark = pytest.mark.django_db

LIST = reverse("web:organisation_list")


def detail_url(org) -> str:
    return reverse("web:organisation_detail", kwargs={"organisation_id": org.pk})


def test_staff_see_every_organisation_with_a_result_count(client_as, agent, world_a, world_b):
    html = client_as(agent).get(LIST).content.decode()
    for name in ("Customer A", "Customer B", "Partner A", "Partner B", "Acme Systems"):
        assert name in html
    assert "5 organisations" in html


def test_partner_a_never_sees_customer_b(client_as, world_a, world_b):
    html = client_as(world_a.partner_user).get(LIST).content.decode()
    assert "Customer A" in html and "Partner A" in html
    assert "Customer B" not in html and "Partner B" not in html
    assert client_as(world_a.partner_user).get(detail_url(world_b.customer)).status_code == 404
    assert client_as(world_a.partner_user).get(detail_url(world_b.partner)).status_code == 404


def test_customer_user_sees_only_their_organisation(client_as, world_a, world_b):
    client = client_as(world_a.customer_user)
    html = client.get(LIST).content.decode()
    assert "Customer A" in html and "Customer B" not in html
    assert detail_url(world_a.partner) not in html  # their partner's name shows, but not as a row
    assert client.get(detail_url(world_b.customer)).status_code == 404
    assert (
        client.get(
            reverse("web:organisation_edit", kwargs={"organisation_id": world_b.customer.pk})
        ).status_code
        == 404
    )


def test_search_filters_and_sorting(client_as, agent, world_a, world_b):
    OrganisationFactory(name="Zenith Gold", tier=CustomerTier.GOLD, industry="Mining")
    client = client_as(agent)
    html = client.get(LIST, {"q": "mining"}).content.decode()
    assert "Zenith Gold" in html and "Customer A" not in html and "1 organisation" in html
    html = client.get(LIST, {"kind": OrganisationKind.PARTNER}).content.decode()
    assert "Partner A" in html and "Customer A" not in html
    html = client.get(LIST, {"tier": CustomerTier.GOLD}).content.decode()
    assert "Zenith Gold" in html and "Customer B" not in html
    html = client.get(LIST, {"managed_by": world_b.partner.pk}).content.decode()
    assert "Customer B" in html and "Customer A" not in html
    rows = client.get(LIST, {"sort": "-name"}).content.decode().split("<tbody>")[1]
    assert rows.index("Zenith Gold") < rows.index("Acme Systems")
    rows = client.get(LIST, {"sort": "name"}).content.decode().split("<tbody>")[1]
    assert rows.index("Acme Systems") < rows.index("Zenith Gold")
    # nonsense parameters fall back to the defaults instead of failing
    assert (
        client.get(LIST, {"sort": "password", "kind": "x", "managed_by": "abc", "page": "99"}).status_code
        == 200
    )


def test_empty_search_shows_an_empty_state(client_as, agent):
    html = client_as(agent).get(LIST, {"q": "nothing-like-this"}).content.decode()
    assert "No organisation matches these filters." in html


def test_list_paginates_by_25(client_as, agent):
    for n in range(30):
        OrganisationFactory(name=f"Bulk {n:02d}")
    client = client_as(agent)
    first = client.get(LIST, {"q": "Bulk"}).content.decode()
    assert "30 organisations, showing 1–25" in first and "Page 1 of 2" in first
    assert "q=Bulk&amp;page=2" in first
    second = client.get(LIST, {"q": "Bulk", "page": 2}).content.decode()
    assert "Bulk 29" in second and "Bulk 00" not in second


def test_list_queries_do_not_grow_with_rows(client_as, agent, count_queries, django_assert_max_num_queries):
    partner = PartnerFactory()
    OrganisationFactory(managed_by=partner)
    client = client_as(agent)
    baseline = count_queries(lambda: client.get(LIST))
    for _ in range(20):
        OrganisationFactory(managed_by=PartnerFactory())
    with django_assert_max_num_queries(baseline):
        response = client.get(LIST)
    assert response.status_code == 200


def test_create_through_the_form_records_an_audit_event_on_the_timeline(client_as, agent, world_a):
    client = client_as(agent)
    assert client.get(reverse("web:organisation_create")).status_code == 200
    response = client.post(
        reverse("web:organisation_create"),
        {
            "name": "Northwind Logistics",
            "kind": "customer",
            "tier": "gold",
            "managed_by": world_a.partner.pk,
            "country": "de",
            "is_active": "on",
        },
    )
    org = Organisation.objects.get(name="Northwind Logistics")
    assert response.status_code == 302 and response["Location"] == detail_url(org)
    assert org.country == "DE" and org.managed_by == world_a.partner
    event = AuditEvent.objects.get(object_id=str(org.pk), content_type__model="organisation")
    assert event.action == "created" and event.actor == agent
    html = client.get(detail_url(org)).content.decode()
    assert "Timeline" in html and "Priya Raman" in html and "created" in html
    assert "was created" in html  # the message


def test_edit_shows_old_and_new_values_on_the_timeline(client_as, agent, world_a):
    client = client_as(agent)
    url = reverse("web:organisation_edit", kwargs={"organisation_id": world_a.customer.pk})
    form = client.get(url)
    assert form.status_code == 200 and 'value="Customer A"' in form.content.decode()
    response = client.post(
        url,
        {
            "name": "Customer A",
            "kind": "customer",
            "tier": "platinum",
            "managed_by": world_a.partner.pk,
            "industry": "Retail",
            "is_active": "on",
            "version": world_a.customer.version,
        },
    )
    assert response.status_code == 302
    html = client.get(detail_url(world_a.customer)).content.decode()
    assert "<del>standard</del>" in html and "<ins>platinum</ins>" in html
    assert "<ins>Retail</ins>" in html


def test_a_service_error_is_shown_on_the_field_it_names(client_as, agent, world_a):
    # a partner cannot itself be managed by a partner: the service refuses, naming managed_by
    response = client_as(agent).post(
        reverse("web:organisation_create"),
        {
            "name": "Odd partner",
            "kind": "partner",
            "tier": "standard",
            "managed_by": world_a.partner.pk,
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["managed_by"] == ["only a customer can be managed by a partner"]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Organisation.objects.filter(name="Odd partner").exists()


def test_a_stale_edit_is_refused_above_the_form(client_as, agent, world_a):
    url = reverse("web:organisation_edit", kwargs={"organisation_id": world_a.customer.pk})
    response = client_as(agent).post(
        url,
        {
            "name": "Customer A2",
            "kind": "customer",
            "tier": "standard",
            "version": world_a.customer.version - 1 or 99,
        },
    )
    assert response.status_code == 400
    assert "the record changed since you read it" in response.content.decode()
    world_a.customer.refresh_from_db()
    assert world_a.customer.name == "Customer A"


def test_only_those_allowed_may_create_or_edit(client_as, world_a):
    client = client_as(world_a.partner_user)
    assert client.get(reverse("web:organisation_create")).status_code == 403
    edit = reverse("web:organisation_edit", kwargs={"organisation_id": world_a.customer.pk})
    assert client.post(edit, {"name": "Hijack", "kind": "customer", "tier": "gold"}).status_code == 403
    html = client.get(detail_url(world_a.customer)).content.decode()
    assert edit not in html


def test_partner_detail_lists_managed_customers_and_their_deals(client_as, agent, world_a, world_b):
    html = client_as(agent).get(detail_url(world_a.partner)).content.decode()
    assert "Customers managed by Partner A" in html
    assert "Customer A" in html and "Customer B" not in html
    assert "Deal A" in html and "Deal B" not in html


def test_customer_detail_shows_contacts_and_opportunities(client_as, agent, world_a):
    html = client_as(agent).get(detail_url(world_a.customer)).content.decode()
    assert "SamA" in html and "Deal A" in html and "125,000.00 EUR" in html


def test_timeline_hides_deals_the_viewer_cannot_see(client_as, presales, sales_rep, world_a, world_b):
    # given a direct deal on customer A (no partner), changed by staff
    direct = OpportunityFactory(name="Direct secret deal", account=world_a.customer, owner=sales_rep)
    deal_services.opportunity_update(actor=presales, opportunity=direct, data={"amount": "987654"})
    deal_services.opportunity_update(actor=presales, opportunity=world_a.opportunity, data={"amount": "4321"})
    # staff see both changes on the account's timeline
    staff_html = client_as(presales).get(detail_url(world_a.customer)).content.decode()
    assert "Direct secret deal" in staff_html and "987654" in staff_html
    # partner A sees its own deal's history, not the direct deal's
    partner_html = client_as(world_a.partner_user).get(detail_url(world_a.customer)).content.decode()
    assert "Deal A" in partner_html and "4321" in partner_html
    assert "Direct secret deal" not in partner_html and "987654" not in partner_html
    # the customer sees no opportunity history at all
    customer_html = client_as(world_a.customer_user).get(detail_url(world_a.customer)).content.decode()
    assert "987654" not in customer_html and "4321" not in customer_html


def test_export_starts_a_job_and_redirects_to_its_page(client_as, agent, world_a):
    client = client_as(agent)
    assert "Export CSV" in client.get(LIST).content.decode()
    response = client.post(reverse("web:organisation_export"), {"q": "", "kind": "customer", "tier": ""})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:job_detail", kwargs={"job_id": job.pk})
    assert job.created_by == agent and job.params["kind"] == "customer"


def test_export_needs_the_capability(client_as, world_a):
    client = client_as(world_a.customer_user)
    assert "Export CSV" not in client.get(LIST).content.decode()
    assert client.post(reverse("web:organisation_export")).status_code == 403
    assert not Job.objects.exists()
