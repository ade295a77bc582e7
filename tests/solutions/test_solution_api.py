"""The solutions API: CRUD of designs, versions, components, services, fit-gap, checks, product gaps."""

from __future__ import annotations

import json

import pytest

from salesdesk.solutions import services
from salesdesk.solutions.models import (
    FitGapEntry,
    ProductGap,
    SolutionComponent,
    SolutionDesign,
    SolutionVersion,
)

from .test_designs_support import *  # noqa: F403 - fixtures
from .test_designs_support import add_component

pytestmark = pytest.mark.django_db


def call(client, method, path, body=None, **headers):
    return getattr(client, method)(
        f"/api{path}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        **headers,
    )


def test_create_read_and_patch_a_design(client_as, presales, world_a, requirements):
    client = client_as(presales)
    response = call(
        client, "post", "/solutions", {"opportunity_id": world_a.opportunity.pk, "title": "Tracking"}
    )
    assert response.status_code == 201, response.content
    design = response.json()
    assert (design["current_version"], design["opportunity"]["id"]) == (1, world_a.opportunity.pk)
    etag = response["ETag"]
    response = call(
        client, "patch", f"/solutions/{design['id']}", {"required_by": "2027-03-01"}, HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200
    assert response.json()["required_by"] == "2027-03-01"
    # a stale ETag is refused and changes nothing
    response = call(client, "patch", f"/solutions/{design['id']}", {"title": "Other"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert SolutionDesign.objects.get().title == "Tracking"
    listed = call(client, "get", f"/solutions?opportunity_id={world_a.opportunity.pk}").json()
    assert [d["id"] for d in listed["results"]] == [design["id"]]


def test_bad_input_names_the_field(client_as, presales, world_a):
    client = client_as(presales)
    response = call(client, "post", "/solutions", {"opportunity_id": world_a.opportunity.pk, "title": ""})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "title"
    response = call(client, "post", "/solutions", {"opportunity_id": 0, "title": "x"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "opportunity_id"


def test_components_services_and_the_version_detail(client_as, presales, draft, catalog):
    client = client_as(presales)
    base = f"/solutions/{draft.design.pk}/versions/1"
    response = call(client, "post", f"{base}/components", {"product_id": catalog.as440.pk, "quantity": 2})
    assert response.status_code == 201
    component = response.json()
    response = call(client, "patch", f"{base}/components/{component['id']}", {"quantity": 3})
    assert response.json()["quantity"] == 3
    response = call(client, "post", f"{base}/components", {"product_id": 999999})
    assert response.status_code == 404
    response = call(
        client, "post", f"{base}/services", {"description": "Workshop", "quantity": "2.5", "unit": "days"}
    )
    assert response.status_code == 201
    assert response.json()["quantity"] == "2.50"
    response = call(client, "post", f"{base}/services", {"description": ""})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "description"
    detail = call(client, "get", base).json()
    assert [c["product"]["sku"] for c in detail["components"]] == ["KS-AS440"]
    assert detail["fit_gap"]["summary"] == "0/3 must-haves fully met"
    assert call(client, "delete", f"{base}/components/{component['id']}").status_code == 204
    assert not SolutionComponent.objects.exists()


def test_fit_gap_put_and_product_gap_over_the_api(
    client_as, presales, head, draft, catalog, requirements, world_a
):
    server = add_component(presales, draft, catalog.as440)
    client = client_as(presales)
    base = f"/solutions/{draft.design.pk}/versions/1"
    response = call(
        client,
        "put",
        f"{base}/fit-gap/{requirements[0].pk}",
        {"coverage": "full", "component_ids": [server.pk], "note": "sized"},
    )
    assert response.status_code == 200, response.content
    assert (response.json()["coverage"], response.json()["components"]) == ("full", ["App Server 440"])
    response = call(
        client,
        "put",
        f"{base}/fit-gap/{requirements[4].pk}",
        {"coverage": "gap", "component_ids": [server.pk]},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "component_ids"
    call(client, "put", f"{base}/fit-gap/{requirements[4].pk}", {"coverage": "gap"})
    matrix = call(client, "get", f"{base}/fit-gap").json()
    assert (matrix["must_full"], matrix["must_total"]) == (1, 3)
    response = call(
        client,
        "post",
        f"{base}/product-gaps",
        {"requirement_id": requirements[4].pk, "description": "Offline scanning"},
    )
    assert response.status_code == 201, response.content
    gap = response.json()
    assert (gap["revenue_at_stake"], gap["status"], gap["version_number"]) == ("125000.00", "open", 1)
    # only level 6 decides
    response = call(client, "post", f"/product-gaps/{gap['id']}/decision", {"status": "planned"})
    assert response.status_code == 403
    response = call(client_as(head), "post", f"/product-gaps/{gap['id']}/decision", {"status": "planned"})
    assert response.json()["status"] == "planned"
    listed = call(client, "get", "/product-gaps?status=planned").json()
    assert [g["id"] for g in listed["results"]] == [gap["id"]]


def test_checks_workload_versions_and_frozen_versions(client_as, presales, draft, catalog):
    add_component(presales, draft, catalog.as110)
    client = client_as(presales)
    base = f"/solutions/{draft.design.pk}/versions/1"
    checks = call(client, "get", f"{base}/checks").json()
    assert checks["status"] == "fail" and checks["computed"] == "now"
    lifecycle = [c for c in checks["checks"] if c["rule"] == "lifecycle"]
    assert lifecycle[0]["numbers"] == {"lifecycle": "end_of_sale", "successor": "App Server 880"}
    response = call(client, "put", f"{base}/workload", {"workload": {"tiers": "x"}})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"].startswith("tiers")
    response = call(client, "post", f"/solutions/{draft.design.pk}/versions")
    assert response.status_code == 201
    assert response.json()["number"] == 2
    # version 1 is frozen now: changes are a 409, its checks are those kept when it froze
    response = call(client, "post", f"{base}/components", {"product_id": catalog.as880.pk})
    assert response.status_code == 409
    assert call(client, "get", f"{base}/checks").json()["computed"] == "when frozen"
    versions = call(client, "get", f"/solutions/{draft.design.pk}/versions").json()
    assert [(v["number"], v["status"]) for v in versions] == [(2, "draft"), (1, "superseded")]
    assert (
        call(client, "post", f"/solutions/{draft.design.pk}/versions/2/finalise").json()["status"] == "final"
    )
    assert SolutionVersion.objects.get(number=2).frozen


@pytest.mark.parametrize("who", ["partner_user", "customer_user"])
def test_outsiders_get_404_and_change_nothing(
    client_as, presales, draft, catalog, requirements, world_a, who
):
    server = add_component(presales, draft, catalog.as440)
    services.fit_gap_set(actor=presales, version=draft, requirement_id=requirements[4].pk, coverage="gap")
    gap = services.product_gap_raise(
        actor=presales, version=draft, requirement_id=requirements[4].pk, description="Offline"
    )
    client = client_as(getattr(world_a, who))
    base = f"/solutions/{draft.design.pk}/versions/1"
    assert call(client, "get", f"/solutions/{draft.design.pk}").status_code == 404
    assert call(client, "get", base).status_code == 404
    assert call(client, "get", f"{base}/checks").status_code == 404
    assert call(client, "patch", f"{base}/components/{server.pk}", {"quantity": 9}).status_code == 404
    assert call(client, "get", f"/product-gaps/{gap.pk}").status_code == 404
    assert call(client, "get", "/solutions").json()["results"] == []
    server.refresh_from_db()
    assert server.quantity == 1
    assert FitGapEntry.objects.count() == 1 and ProductGap.objects.count() == 1


def test_list_endpoint_query_count_does_not_grow(client_as, presales, world_a, requirements):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(presales)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert call(client, "get", "/solutions").status_code == 200
        return len(context)

    services.design_create(actor=presales, opportunity_id=world_a.opportunity.pk, data={"title": "D0"})
    one = queries()
    for n in range(1, 8):
        services.design_create(actor=presales, opportunity_id=world_a.opportunity.pk, data={"title": f"D{n}"})
    assert queries() == one
