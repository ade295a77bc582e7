"""The solution pages as Jonas, Robert and outsiders use them."""

from __future__ import annotations

import pytest

from salesdesk.solutions import services
from salesdesk.solutions.models import FitGapEntry, ProductGap, SolutionComponent, SolutionDesign

from .test_designs_support import *  # noqa: F403 - fixtures
from .test_designs_support import add_component

pytestmark = pytest.mark.django_db


def url(design, number, suffix=""):
    return f"/solutions/{design.pk}/v{number}/{suffix}"


def test_the_opportunity_page_links_to_its_solution_designs(client_as, presales, world_a):
    response = client_as(presales).get(f"/opportunities/{world_a.opportunity.pk}/")
    assert f"/solutions/?opportunity={world_a.opportunity.pk}" in response.content.decode()


def test_list_filters_paginates_and_shows_an_empty_state(client_as, presales, world_a, design):
    client = client_as(presales)
    page = client.get("/solutions/").content.decode()
    assert "Northwind tracking platform" in page
    page = client.get("/solutions/?q=nothing-like-this").content.decode()
    assert "No solution design matches these filters." in page
    page = client.get(f"/solutions/?opportunity={world_a.opportunity.pk}").content.decode()
    assert "New solution design" in page


def test_list_queries_do_not_grow_with_rows(client_as, presales, world_a, requirements):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(presales)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get("/solutions/").status_code == 200
        return len(context)

    services.design_create(actor=presales, opportunity_id=world_a.opportunity.pk, data={"title": "Design 0"})
    one = queries()
    for n in range(1, 12):
        services.design_create(
            actor=presales, opportunity_id=world_a.opportunity.pk, data={"title": f"Design {n}"}
        )
    assert queries() == one


def test_jonas_starts_a_design_from_the_opportunity(client_as, presales, world_a, requirements):
    client = client_as(presales)
    response = client.post(f"/solutions/new/{world_a.opportunity.pk}/", {"title": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = client.post(f"/solutions/new/{world_a.opportunity.pk}/", {"title": "Tracking"})
    design = SolutionDesign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/solutions/{design.pk}/"


def test_the_version_page_adds_components_and_shows_checks(client_as, presales, draft, catalog, skills):
    client = client_as(presales)
    response = client.post(url(draft.design, 1, "components/"), {"product": catalog.as110.pk, "quantity": 2})
    assert response.status_code == 302
    assert SolutionComponent.objects.get().quantity == 2
    page = client.get(f"/solutions/{draft.design.pk}/").content.decode()
    assert "App Server 110 is end of sale. Offer App Server 880 instead." in page
    assert "Practicality score" in page
    # a bad configuration comes back on its field
    response = client.post(
        url(draft.design, 1, "components/"),
        {"product": catalog.as440.pk, "quantity": 1, "configuration": "{oops"},
    )
    assert response.status_code == 400
    assert "is not valid JSON" in response.content.decode()
    assert SolutionComponent.objects.count() == 1


def test_the_version_page_summarises_the_last_sizing(client_as, presales, draft):
    services.record_sizing(
        presales, draft, {"ok": True, "currency": "EUR", "total_price": "32800.00", "years": [{}, {}, {}]}
    )
    page = client_as(presales).get(url(draft.design, 1)).content.decode()
    assert "EUR 32800.00" in page and "3 contract years" in page


def test_assumptions_are_saved_one_per_line(client_as, presales, draft):
    response = client_as(presales).post(
        url(draft.design, 1, "assumptions/"),
        {"assumptions": "UK hosting\n\nCustomer provides racks", "notes": ""},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.assumptions == ["UK hosting", "Customer provides racks"]


def test_the_matrix_has_a_row_per_requirement_and_edits_a_row_with_htmx(
    client_as, presales, draft, catalog, requirements
):
    server = add_component(presales, draft, catalog.as440)
    client = client_as(presales)
    page = client.get(url(draft.design, 1, "fit-gap/")).content.decode()
    for requirement in requirements:
        assert requirement.reference in page
    assert "0/3 must-haves fully met" in page
    row_url = url(draft.design, 1, f"fit-gap/{requirements[0].pk}/")
    form = client.get(row_url, HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and "<form" in form.content.decode()
    response = client.post(
        row_url,
        {"coverage": "full", "components": [server.pk], "note": "two servers"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Full fit" in response.content.decode()
    assert FitGapEntry.objects.get().coverage == "full"
    # with htmx, a refused row comes back as the form with its error, in place
    response = client.post(
        url(draft.design, 1, f"fit-gap/{requirements[2].pk}/"),
        {"coverage": "gap", "components": [server.pk]},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "a gap is met by no component" in response.content.decode()
    # a full fit without components is refused on the field
    response = client.post(url(draft.design, 1, f"fit-gap/{requirements[2].pk}/"), {"coverage": "full"})
    assert response.status_code == 400
    assert "name the components that meet the requirement" in response.content.decode()
    page = client.get(url(draft.design, 1, "fit-gap/")).content.decode()
    assert "1/3 must-haves fully met" in page


def test_a_gap_row_raises_a_product_gap_and_robert_decides(client_as, presales, head, draft, requirements):
    services.fit_gap_set(actor=presales, version=draft, requirement_id=requirements[4].pk, coverage="gap")
    client = client_as(presales)
    page = client.get(url(draft.design, 1, "fit-gap/")).content.decode()
    assert "Raise product gap" in page
    response = client.post(
        url(draft.design, 1, f"fit-gap/{requirements[4].pk}/product-gap/"), {"description": ""}
    )
    assert response.status_code == 400
    response = client.post(
        url(draft.design, 1, f"fit-gap/{requirements[4].pk}/product-gap/"),
        {"description": "Offline scanning"},
    )
    assert response.status_code == 302
    gap = ProductGap.objects.get()
    # Jonas may not decide; Robert (level 6) may
    assert client.post(f"/solutions/product-gaps/{gap.pk}/decide/", {"status": "planned"}).status_code == 403
    robert = client_as(head)
    assert "Offline scanning" in robert.get("/solutions/product-gaps/?status=open").content.decode()
    response = robert.post(f"/solutions/product-gaps/{gap.pk}/decide/", {"status": "declined", "note": ""})
    assert response.status_code == 400
    response = robert.post(f"/solutions/product-gaps/{gap.pk}/decide/", {"status": "planned", "note": "Q3"})
    assert response.status_code == 302
    gap.refresh_from_db()
    assert gap.status == "planned"


def test_new_version_and_final_from_the_page(client_as, presales, draft, catalog):
    add_component(presales, draft, catalog.as440)
    client = client_as(presales)
    assert client.post(f"/solutions/{draft.design.pk}/versions/new/").status_code == 302
    page = client.get(url(draft.design, 1)).content.decode()
    assert "This is an earlier version." in page
    assert "Add component" not in page  # frozen: no editing forms
    assert client.post(url(draft.design, 2, "finalise/")).status_code == 302
    assert "Final" in client.get(url(draft.design, 2)).content.decode()
    # the list filters on the current version's status
    assert "Northwind tracking platform" in client.get("/solutions/?status=final").content.decode()
    assert "Northwind tracking platform" not in client.get("/solutions/?status=draft").content.decode()


def test_checks_page_filters_by_rule(client_as, presales, draft, catalog):
    add_component(presales, draft, catalog.as110)
    page = client_as(presales).get(url(draft.design, 1, "checks/?rule=lifecycle")).content.decode()
    assert "end of sale" in page
    assert "nobody" not in page.lower()


@pytest.mark.parametrize("who", ["partner_user", "customer_user"])
def test_outsiders_get_404_on_every_solution_page(client_as, draft, world_a, who):
    client = client_as(getattr(world_a, who))
    for path in (f"/solutions/{draft.design.pk}/", url(draft.design, 1), url(draft.design, 1, "fit-gap/")):
        assert client.get(path).status_code == 404
    assert client.get("/solutions/").status_code == 403


def test_a_consultant_reads_but_cannot_change(client_as, consultant, draft, catalog):
    client = client_as(consultant)
    page = client.get(url(draft.design, 1)).content.decode()
    assert "Add component" not in page
    response = client.post(url(draft.design, 1, "components/"), {"product": catalog.as440.pk, "quantity": 1})
    assert response.status_code == 403
    assert not SolutionComponent.objects.exists()


def test_version_and_matrix_pages_do_not_query_per_row(
    client_as, presales, draft, catalog, requirements, skills
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(presales)

    def queries() -> tuple[int, int]:
        counts = []
        for path in (url(draft.design, 1), url(draft.design, 1, "fit-gap/")):
            with CaptureQueriesContext(connection) as context:
                assert client.get(path).status_code == 200
            counts.append(len(context))
        return counts[0], counts[1]

    first = add_component(presales, draft, catalog.as440)
    services.fit_gap_set(
        actor=presales,
        version=draft,
        requirement_id=requirements[0].pk,
        coverage="full",
        component_ids=[first.pk],
    )
    before = queries()
    for product in (catalog.as880, catalog.gateway, catalog.licence, catalog.old_gateway):
        component = add_component(presales, draft, product)
        services.fit_gap_set(
            actor=presales,
            version=draft,
            requirement_id=requirements[2].pk,
            coverage="partial",
            component_ids=[first.pk, component.pk],
        )
    services.fit_gap_set(actor=presales, version=draft, requirement_id=requirements[4].pk, coverage="gap")
    assert queries() == before
