"""Opportunity pages: lists, forms with Decimal money, and the htmx inline stage change."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from salesdesk.core.models import AuditEvent
from salesdesk.deals.choices import OpportunityStage
from salesdesk.deals.models import Opportunity
from tests.factories import OpportunityFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

LIST = reverse("web:opportunity_list")
HTMX = {"HTTP_HX_REQUEST": "true"}


def detail_url(opportunity) -> str:
    return reverse("web:opportunity_detail", kwargs={"opportunity_id": opportunity.pk})


def stage_url(opportunity) -> str:
    return reverse("web:opportunity_stage", kwargs={"opportunity_id": opportunity.pk})


def test_partner_sees_only_their_deals(client_as, world_a, world_b):
    client = client_as(world_a.partner_user)
    html = client.get(LIST).content.decode()
    assert "Deal A" in html and "Deal B" not in html
    assert client.get(detail_url(world_b.opportunity)).status_code == 404
    assert client.post(stage_url(world_b.opportunity), {"stage": "won"}, **HTMX).status_code == 404


def test_customers_have_no_opportunity_pages(client_as, world_a):
    assert client_as(world_a.customer_user).get(LIST).status_code == 403
    assert client_as(world_a.customer_user).get(detail_url(world_a.opportunity)).status_code == 404


def test_filters_and_sorting(client_as, presales, sales_rep, world_a, world_b):
    OpportunityFactory(
        name="Big one",
        account=world_b.customer,
        owner=sales_rep,
        amount=Decimal("900000"),
        stage=OpportunityStage.WON,
    )
    client = client_as(presales)
    html = client.get(LIST, {"stage": "won"}).content.decode()
    assert "Big one" in html and "Deal A" not in html
    html = client.get(LIST, {"open": "1"}).content.decode()
    assert "Big one" not in html and "Deal A" in html
    html = client.get(LIST, {"account": world_a.customer.pk}).content.decode()
    assert "Deal A" in html and "Deal B" not in html
    html = client.get(LIST, {"owner": sales_rep.pk, "sort": "-amount"}).content.decode()
    assert html.index("Big one") < html.index("Deal A")
    assert "900,000.00 EUR" in html
    html = client.get(LIST, {"q": "Deal B"}).content.decode()
    assert "1 opportunity" in html


def test_list_queries_do_not_grow_with_rows(
    client_as, presales, sales_rep, world_a, count_queries, django_assert_max_num_queries
):
    client = client_as(presales)
    baseline = count_queries(lambda: client.get(LIST))
    for _ in range(20):
        OpportunityFactory(account=OrganisationFactory(), owner=sales_rep, partner=world_a.partner)
    with django_assert_max_num_queries(baseline):
        assert client.get(LIST).status_code == 200


def test_create_with_decimal_amount_records_history(client_as, presales, world_a):
    client = client_as(presales)
    assert client.get(reverse("web:opportunity_create"), {"account": world_a.customer.pk}).status_code == 200
    response = client.post(
        reverse("web:opportunity_create"),
        {
            "name": "Northwind rollout",
            "account": world_a.customer.pk,
            "stage": "qualification",
            "amount": "1234567.89",
            "currency": "gbp",
            "expected_close_date": "2030-06-30",
        },
    )
    opportunity = Opportunity.objects.get(name="Northwind rollout")
    assert response.status_code == 302 and response["Location"] == detail_url(opportunity)
    assert opportunity.amount == Decimal("1234567.89") and opportunity.currency == "GBP"
    assert opportunity.owner == presales
    html = client.get(detail_url(opportunity)).content.decode()
    assert "1,234,567.89 GBP" in html
    assert "Jonas Berg" in html and "created" in html


def test_a_bad_currency_is_an_error_on_the_currency_field(client_as, presales, world_a):
    response = client_as(presales).post(
        reverse("web:opportunity_create"),
        {
            "name": "Bad money",
            "account": world_a.customer.pk,
            "stage": "qualification",
            "amount": "10",
            "currency": "EURO",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["currency"]
    assert "three-letter" in errors["currency"][0]
    assert 'id="id_currency-errors"' in response.content.decode()
    assert not Opportunity.objects.filter(name="Bad money").exists()


def test_edit_through_the_form(client_as, presales, world_a, sales_rep):
    client = client_as(presales)
    url = reverse("web:opportunity_edit", kwargs={"opportunity_id": world_a.opportunity.pk})
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "Deal A",
            "account": world_a.customer.pk,
            "owner": sales_rep.pk,
            "partner": world_a.partner.pk,
            "stage": "qualification",
            "amount": "130000.50",
            "currency": "EUR",
            "version": world_a.opportunity.version,
        },
    )
    assert response.status_code == 302
    world_a.opportunity.refresh_from_db()
    assert world_a.opportunity.amount == Decimal("130000.50")
    html = client.get(detail_url(world_a.opportunity)).content.decode()
    assert "<del>125000.00</del>" in html and "<ins>130000.50</ins>" in html


def test_an_agent_sees_the_stage_but_cannot_change_it(client_as, agent, world_a):
    client = client_as(agent)
    html = client.get(detail_url(world_a.opportunity)).content.decode()
    assert "Qualification" in html and "hx-post" not in html
    assert client.post(stage_url(world_a.opportunity), {"stage": "won"}, **HTMX).status_code == 403


def test_htmx_stage_change_returns_the_partial_and_records_a_workflow_step(client_as, presales, world_a):
    client = client_as(presales)
    page = client.get(detail_url(world_a.opportunity)).content.decode()
    assert f'hx-post="{stage_url(world_a.opportunity)}"' in page and 'hx-target="#stage-block"' in page
    response = client.post(
        stage_url(world_a.opportunity), {"stage": "discovery", "version": world_a.opportunity.version}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # a partial, not a page
    assert 'id="stage-block"' in html and "Stage saved." in html
    assert 'id="timeline"' in html and 'hx-swap-oob="true"' in html
    assert "moved to Discovery" in html
    world_a.opportunity.refresh_from_db()
    assert world_a.opportunity.stage == OpportunityStage.DISCOVERY
    step = AuditEvent.objects.get(object_id=str(world_a.opportunity.pk), action="step")
    assert step.step == "moved to Discovery" and step.actor == presales
    assert step.changes["stage"] == ["qualification", "discovery"]


def test_htmx_stage_change_to_lost_without_reason_shows_the_error_in_the_partial(
    client_as, presales, world_a
):
    response = client_as(presales).post(stage_url(world_a.opportunity), {"stage": "lost"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps 2xx only; the error must be seen
    assert "say why the deal was lost" in html.lower() and 'id="id_lost_reason-errors"' in html
    world_a.opportunity.refresh_from_db()
    assert world_a.opportunity.stage == OpportunityStage.QUALIFICATION


def test_stage_change_without_javascript_redirects_back(client_as, presales, world_a):
    client = client_as(presales)
    response = client.post(stage_url(world_a.opportunity), {"stage": "lost", "lost_reason": "Price"})
    assert response.status_code == 302 and response["Location"] == detail_url(world_a.opportunity)
    world_a.opportunity.refresh_from_db()
    assert world_a.opportunity.stage == OpportunityStage.LOST and world_a.opportunity.closed_at


def test_htmx_post_without_csrf_token_is_refused(client_as, presales, world_a):
    client = client_as(presales, enforce_csrf=True)
    response = client.post(stage_url(world_a.opportunity), {"stage": "won"}, **HTMX)
    assert response.status_code == 403
    world_a.opportunity.refresh_from_db()
    assert world_a.opportunity.stage == OpportunityStage.QUALIFICATION


def test_htmx_post_with_the_token_from_the_body_header_works(client_as, presales, world_a):
    # the page puts the token in <body hx-headers>; htmx sends it as X-CSRFToken
    client = client_as(presales, enforce_csrf=True)
    client.get(detail_url(world_a.opportunity))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        stage_url(world_a.opportunity), {"stage": "discovery"}, HTTP_X_CSRFTOKEN=token, **HTMX
    )
    assert response.status_code == 200
    world_a.opportunity.refresh_from_db()
    assert world_a.opportunity.stage == OpportunityStage.DISCOVERY
