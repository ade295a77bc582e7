"""An opportunity's products: set on the form and in the API, shown on its page, seen by registrations."""

from __future__ import annotations

import pytest

from salesdesk.catalog.models import Product
from salesdesk.core.audit import events_for
from salesdesk.deals.models import Opportunity
from tests.api.helpers import NOT_FOUND, Api

from . import registration_fixtures as fx
from .registration_fixtures import in_days, register

catalog, manager, northwind = fx.catalog, fx.manager, fx.northwind

pytestmark = pytest.mark.django_db


@pytest.fixture
def retired(catalog):
    """The firewall is end of sale; a planned router is on the internal roadmap."""
    catalog["firewall"].lifecycle = "end_of_sale"
    catalog["firewall"].save(update_fields=["lifecycle"])
    catalog["router"] = Product.objects.create(
        sku="RT-9", name="Roadmap Router 9", category=catalog["gateway"].category, lifecycle="planned"
    )
    return catalog


def form_data(world, **extra):
    return {
        "name": "Harbour WAN",
        "account": world.customer.pk,
        "stage": "qualification",
        "amount": "80000",
        "currency": "EUR",
        **extra,
    }


def names(opportunity: Opportunity) -> list[str]:
    return sorted(p.name for p in opportunity.products.all())


# --- The form and the page ------------------------------------------------------------------------


def test_the_form_offers_the_catalog_items_on_sale_as_checkboxes(client_as, sales_rep, retired):
    html = client_as(sales_rep).get("/opportunities/new/").content.decode()
    assert "<legend>Products</legend>" in html
    assert 'type="checkbox" name="products"' in html
    assert "Edge Gateway 400 (EG-400)" in html and "Access Switch 24 (SW-24)" in html
    assert "Firewall 200" not in html  # end of sale: no longer offered
    # staff see the whole catalog, the roadmap included
    assert "Roadmap Router 9 (RT-9)" in html


def test_creating_from_the_form_sets_the_products_and_the_page_links_them(
    client_as, sales_rep, world_a, catalog
):
    client = client_as(sales_rep)
    response = client.post(
        "/opportunities/new/",
        form_data(world_a, products=[catalog["gateway"].pk, catalog["switch"].pk]),
    )
    assert response.status_code == 302
    opportunity = Opportunity.objects.get(name="Harbour WAN")
    assert names(opportunity) == ["Access Switch 24", "Edge Gateway 400"]
    [created] = events_for(opportunity)
    assert created.detail["products"] == [[], ["Edge Gateway 400", "Access Switch 24"]]
    html = client.get(response["Location"]).content.decode()
    assert f'href="/catalog/{catalog["gateway"].pk}/">Edge Gateway 400</a>' in html
    assert f'href="/catalog/{catalog["switch"].pk}/">Access Switch 24</a>' in html


def test_a_deal_without_products_says_so_and_links_to_adding_them(client_as, presales, world_a, catalog):
    html = client_as(presales).get(f"/opportunities/{world_a.opportunity.pk}/").content.decode()
    assert "None named yet" in html
    assert f"/opportunities/{world_a.opportunity.pk}/edit/#id_products_0" in html


def test_a_retired_product_posted_to_the_form_is_a_field_error(client_as, sales_rep, world_a, retired):
    response = client_as(sales_rep).post(
        "/opportunities/new/", form_data(world_a, products=[retired["firewall"].pk])
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_products-errors"' in html
    assert "Select a valid choice" in html
    assert not Opportunity.objects.filter(name="Harbour WAN").exists()


def test_editing_keeps_a_retired_product_the_deal_already_has(client_as, presales, world_a, retired):
    opportunity = world_a.opportunity
    opportunity.products.set([retired["firewall"]])
    client = client_as(presales)
    html = client.get(f"/opportunities/{opportunity.pk}/edit/").content.decode()
    # offered (checked, marked as end of sale) so saving the form does not drop it silently
    assert "Firewall 200 (FW-200) — end of sale" in html
    data = form_data(
        world_a,
        name=opportunity.name,
        owner=opportunity.owner_id,
        version=opportunity.version,
        products=[retired["firewall"].pk, retired["switch"].pk],
    )
    data["account"] = opportunity.account_id
    response = client.post(f"/opportunities/{opportunity.pk}/edit/", data)
    assert response.status_code == 302
    assert names(opportunity) == ["Access Switch 24", "Firewall 200"]
    page = client.get(f"/opportunities/{opportunity.pk}/").content.decode()
    assert '<span class="badge">End of sale</span>' in page


def test_a_registration_finds_the_deal_created_through_the_form(client_as, sales_rep, world_b, catalog):
    # given a sales rep who opens a deal for Northwind Traders GmbH with the gateway on the form
    customer = fx.OrganisationFactory(name="Northwind Traders GmbH")
    client = client_as(sales_rep)
    response = client.post(
        "/opportunities/new/",
        {
            **form_data(world_b, name="Northwind WAN", products=[catalog["gateway"].pk]),
            "account": customer.pk,
            "expected_close_date": in_days(30).isoformat(),
        },
    )
    assert response.status_code == 302
    opportunity = Opportunity.objects.get(name="Northwind WAN")
    # when a partner registers a gateway deal for the same customer
    registration = register(world_b.partner_user, catalog, "gateway", customer="Northwind Traders")
    # then the registration is in conflict with that deal, on the gateway
    assert registration.in_conflict
    [match] = registration.conflicts
    assert (match["kind"], match["id"]) == ("opportunity", opportunity.pk)
    assert match["product_names"] == ["Edge Gateway 400"]
    # and a registration for another product is not
    assert not register(world_b.partner_user, catalog, "switch", customer="Northwind Traders").in_conflict


# --- The API --------------------------------------------------------------------------------------


def test_the_api_opens_a_deal_with_products(client_as, sales_rep, world_a, catalog):
    api = Api(client_as(sales_rep))
    response = api.post(
        "/api/opportunities",
        {
            "name": "Fleet",
            "account_id": world_a.customer.pk,
            "product_ids": [catalog["switch"].pk, catalog["gateway"].pk, catalog["switch"].pk],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["products"] == [
        {"id": catalog["switch"].pk, "name": "Access Switch 24"},
        {"id": catalog["gateway"].pk, "name": "Edge Gateway 400"},
    ]
    listed = {row["id"]: row for row in api.get("/api/opportunities").json()["results"]}
    assert [p["name"] for p in listed[body["id"]]["products"]] == ["Access Switch 24", "Edge Gateway 400"]


@pytest.mark.parametrize(
    ("ids", "status", "message"),
    [
        (lambda c: [c["gateway"].pk, c["gateway"].pk + 999], 400, "no such product: {missing}"),
        (lambda c: [c["firewall"].pk], 400, "Firewall 200 is end of sale; it cannot be added"),
        (lambda c: ["gateway"], 400, None),
        (lambda c: "not a list", 400, None),
    ],
)
def test_bad_product_ids_are_400_naming_the_field(
    client_as, sales_rep, world_a, retired, ids, status, message
):
    before = Opportunity.objects.count()
    product_ids = ids(retired)
    response = Api(client_as(sales_rep)).post(
        "/api/opportunities", {"name": "Deal", "account_id": world_a.customer.pk, "product_ids": product_ids}
    )
    assert response.status_code == status
    errors = response.json()["errors"]
    assert [e["field"].split(".")[0] for e in errors] == ["product_ids"]
    if message:
        assert errors[0]["message"] == message.format(missing=retired["gateway"].pk + 999)
    assert Opportunity.objects.count() == before


def test_patch_replaces_and_clears_the_products(client_as, presales, world_a, catalog):
    api = Api(client_as(presales))
    url = f"/api/opportunities/{world_a.opportunity.pk}"
    response = api.patch(url, {"product_ids": [catalog["gateway"].pk]})
    assert response.status_code == 200
    assert [p["name"] for p in response.json()["products"]] == ["Edge Gateway 400"]
    assert response.json()["version"] == 2
    # a patch that leaves product_ids out keeps them
    response = api.patch(url, {"description": "WAN refresh"})
    assert [p["name"] for p in response.json()["products"]] == ["Edge Gateway 400"]
    response = api.patch(url, {"product_ids": []})
    assert response.json()["products"] == []
    history = api.get(f"{url}/history").json()["results"]
    assert history[0]["changes"]["products"] == [["Edge Gateway 400"], []]


def test_patch_may_keep_a_retired_product_but_not_add_one(client_as, presales, world_a, retired):
    opportunity = world_a.opportunity
    opportunity.products.set([retired["firewall"]])
    api = Api(client_as(presales))
    url = f"/api/opportunities/{opportunity.pk}"
    response = api.patch(url, {"product_ids": [retired["firewall"].pk, retired["gateway"].pk]})
    assert response.status_code == 200
    assert names(opportunity) == ["Edge Gateway 400", "Firewall 200"]
    opportunity.products.set([])
    response = api.patch(url, {"product_ids": [retired["firewall"].pk]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "product_ids"


def test_a_partner_reads_only_the_products_it_may_see(client_as, world_a, world_b, retired):
    world_a.opportunity.products.set([retired["gateway"], retired["router"]])
    api = Api(client_as(world_a.partner_user))
    body = api.get(f"/api/opportunities/{world_a.opportunity.pk}").json()
    # the roadmap item stays internal
    assert [p["name"] for p in body["products"]] == ["Edge Gateway 400"]
    [row] = api.get("/api/opportunities").json()["results"]
    assert [p["name"] for p in row["products"]] == ["Edge Gateway 400"]
    html = client_as(world_a.partner_user).get(f"/opportunities/{world_a.opportunity.pk}/").content.decode()
    assert "Edge Gateway 400" in html and "Roadmap Router 9" not in html


def test_a_foreign_deal_cannot_be_given_products(client_as, presales, world_a, world_b, catalog, monkeypatch):
    # partner A sees no deal of partner B: even a patch naming valid products is 404
    from salesdesk.core import permissions

    rule = permissions.CAPABILITIES["opportunity.edit"]
    monkeypatch.setitem(
        permissions.CAPABILITIES,
        "opportunity.edit",
        permissions.cap(rule.description, rule.level, *rule.kinds, "partner"),
    )
    response = Api(client_as(world_a.partner_user)).patch(
        f"/api/opportunities/{world_b.opportunity.pk}", {"product_ids": [catalog["gateway"].pk]}
    )
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert names(world_b.opportunity) == []


def test_a_roadmap_item_is_no_such_product_to_a_partner(client_as, world_a, retired, monkeypatch):
    # given partner A, allowed for this test to edit its own deals: the roadmap is hidden from it
    from salesdesk.core import permissions

    rule = permissions.CAPABILITIES["opportunity.edit"]
    monkeypatch.setitem(
        permissions.CAPABILITIES,
        "opportunity.edit",
        permissions.cap(rule.description, rule.level, *rule.kinds, "partner"),
    )
    url = f"/api/opportunities/{world_a.opportunity.pk}"
    api = Api(client_as(world_a.partner_user))
    # then naming the planned router answers exactly as an id that does not exist
    for product_id in (retired["router"].pk, retired["router"].pk + 999):
        response = api.patch(url, {"product_ids": [product_id]})
        assert response.status_code == 400
        assert response.json()["errors"] == [
            {"field": "product_ids", "message": f"no such product: {product_id}"}
        ]
    assert names(world_a.opportunity) == []


def test_the_list_shows_each_deals_products_compactly(client_as, presales, world_a, catalog, northwind):
    world_a.opportunity.products.set([catalog["switch"], catalog["firewall"], catalog["gateway"]])
    extra = Product.objects.create(sku="AP-1", name="Access Point 1", category=catalog["gateway"].category)
    _, other = northwind
    other.products.add(extra)
    html = client_as(presales).get("/opportunities/").content.decode()
    assert '<th scope="col">Products</th>' in html
    # by name, at most three, the rest counted
    assert "Access Switch 24, Edge Gateway 400, Firewall 200" in html
    assert "Access Point 1, Edge Gateway 400" in html
    other.products.add(catalog["switch"], catalog["firewall"])
    html = client_as(presales).get("/opportunities/").content.decode()
    assert 'Access Point 1, Access Switch 24, Edge Gateway 400 <span class="muted">+1 more</span>' in html


def test_the_lost_reason_is_shown_only_for_the_stage_lost(client_as, presales, world_a):
    client = client_as(presales)
    url = f"/opportunities/{world_a.opportunity.pk}/"
    html = client.get(url).content.decode()
    assert "<div data-lost-reason hidden>" in html  # an open deal: hidden until Lost is chosen
    assert "/static/deals/stage.js" in html  # which shows it as the stage changes
    assert "<script>" not in html  # the CSP allows no inline script
    # a reason sent with another stage is ignored, not stored
    client.post(url + "stage/", {"stage": "negotiation", "lost_reason": "Price"})
    world_a.opportunity.refresh_from_db()
    assert world_a.opportunity.stage == "negotiation" and world_a.opportunity.lost_reason == ""
    # Lost without a reason: the field is shown with its error, nothing changes
    response = client.post(url + "stage/", {"stage": "lost", "lost_reason": "  "})
    html = response.content.decode()
    assert response.status_code == 400
    assert "<div data-lost-reason>" in html and "Say why the deal was lost." in html
    world_a.opportunity.refresh_from_db()
    assert world_a.opportunity.stage == "negotiation"
    client.post(url + "stage/", {"stage": "lost", "lost_reason": "Price"})
    html = client.get(url).content.decode()
    assert "<div data-lost-reason>" in html and "lost because: Price" in html


def test_estimates_and_designs_are_buttons_in_their_own_card(client_as, presales, world_a):
    html = client_as(presales).get(f"/opportunities/{world_a.opportunity.pk}/").content.decode()
    card = html.split('id="related-heading"', 1)[1].split("</section>", 1)[0]
    assert f'class="button" href="/estimates/?opportunity={world_a.opportunity.pk}"' in card
    assert "Solution designs</a>" in card
    head = html.split('<div class="grid-main">', 1)[0]
    assert "Estimates and plans" not in head
