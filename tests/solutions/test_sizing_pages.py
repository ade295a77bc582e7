"""The sizing page of a solution version and its feasibility report, as people use them."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from salesdesk.catalog.models import PriceListEntry, Product, ProductSpec
from salesdesk.core.audit import events_for
from salesdesk.solutions import services

from .test_designs_support import *  # noqa: F403 - fixtures
from .test_designs_support import add_component

pytestmark = pytest.mark.django_db


def _server(category, sku, name, cores, price):
    product = Product.objects.create(sku=sku, name=name, category=category, kind="product")
    ProductSpec.objects.create(product=product, name="cores", value_number=Decimal(cores), unit="cores")
    PriceListEntry.objects.create(product=product, list_price=Decimal(price), valid_from=dt.date(2020, 1, 1))
    return product


@pytest.fixture
def servers(catalog):
    """A web range with cores (small in the solution, large as an alternative) and a database."""
    category = catalog.as440.category
    return {
        "small": _server(category, "WEB-S", "Web server S", 2, "1000"),
        "large": _server(category, "WEB-L", "Web server L", 4, "1700"),
        "db": _server(category, "DB-2", "Database pair", 2, "5500"),
    }


@pytest.fixture
def version(draft, presales, servers):
    add_component(presales, draft, servers["small"])
    add_component(presales, draft, servers["db"])
    return draft


def url(version, name="sizing"):
    return reverse(
        f"web:solutions:{name}", kwargs={"design_id": version.design_id, "version_number": version.number}
    )


FORM = {
    "peak_arrival_rate": "40",
    "growth_percent": "20",
    "years": "3",
    "response_time": "0.25",
    "statistic": "p95",
    "max_utilization_percent": "80",
    "tiers-TOTAL_FORMS": "3",
    "tiers-INITIAL_FORMS": "0",
    "tiers-MIN_NUM_FORMS": "0",
    "tiers-MAX_NUM_FORMS": "8",
    "tiers-0-name": "web",
    "tiers-0-service_demand_ms": "50",
    "tiers-0-skus": ["WEB-S", "WEB-L"],
    "tiers-0-max_units": "8",
    "tiers-1-name": "db",
    "tiers-1-service_demand_ms": "20",
    "tiers-1-skus": ["DB-2"],
    "tiers-1-max_units": "2",
}


def test_the_page_shows_the_requirements_targets_and_the_items_to_choose_from(client_as, presales, version):
    response = client_as(presales).get(url(version))
    assert response.status_code == 200
    page = response.content.decode()
    assert "peak_users = 2000 users" in page and "growth_per_year = 20 %" in page
    assert "<td>Peak users</td>" in page
    assert "Web server S (WEB-S; EUR 1,000.00, 2 cores)" in page
    assert (
        "Web server L (WEB-L; EUR 1,700.00, 4 cores) — alternative" in page
    )  # same range, not in the solution
    assert "Not sized yet." in page
    assert "Download feasibility report (PDF)" in page
    # the statistic is named as such, with what each choice means
    assert 'for="id_statistic">Response-time statistic' in page and "The target is a" not in page
    assert "95 of 100 requests are at least this fast" in page


def test_sizing_finds_the_cheapest_configuration_and_shows_it_with_charts(client_as, presales, version):
    client = client_as(presales)
    response = client.post(url(version), FORM)
    assert response.status_code == 302
    version.refresh_from_db()
    # given 40 requests/s growing 20 % a year, when sized, then the large web server (an alternative)
    # and the database pair are the cheapest that keep p95 ≤ 250 ms for three years
    assert version.workload["tiers"][0] == {
        "name": "web",
        "service_demand": 0.05,
        "skus": ["WEB-S", "WEB-L"],
        "max_units": 8,
        "servers_spec": "cores",
    }
    assert version.sizing_result["ok"] is True
    assert version.sizing_result["total_price"] == "7200.00"
    assert {"workload saved", "sized"} <= {e.step for e in events_for(version)}

    page = client.get(url(version)).content.decode()
    assert "Sized: EUR 7,200.00 at list prices; meets the targets in all 3 contract years" in page
    assert "Web server L <code>WEB-L</code>" in page
    assert "EUR 7,200.00" in page
    assert page.count("<svg") == 2
    assert "Requirement: p95 ≤ 250 ms" in page and "Cap: 80 % utilisation" in page
    assert "Year 3: 57.6 requests/s, p95 233 ms, headroom 5 %" in page


def test_the_form_comes_back_filled_with_the_saved_workload(client_as, presales, version):
    client = client_as(presales)
    client.post(url(version), FORM)
    page = client.get(url(version)).content.decode()
    assert 'name="tiers-0-name" value="web"' in page
    assert 'name="growth_percent" value="20"' in page
    assert re.search(r'name="tiers-0-skus" value="WEB-L"[^>]*checked', page)


def test_a_missing_target_is_asked_for_on_its_field(client_as, presales, version):
    form = {**FORM, "response_time": ""}
    response = client_as(presales).post(url(version), form)
    assert response.status_code == 400
    assert "no p95_response_seconds or mean_response_seconds target found" in response.content.decode()
    version.refresh_from_db()
    assert version.sizing_result == {}


def test_a_tier_without_items_is_refused_on_that_tier(client_as, presales, version):
    form = {**FORM, "tiers-1-skus": []}
    response = client_as(presales).post(url(version), form)
    assert response.status_code == 400
    assert "Tick at least one catalog item." in response.content.decode()
    version.refresh_from_db()
    assert version.workload == {}


def test_targets_no_configuration_can_meet_are_explained(client_as, presales, version):
    client = client_as(presales)
    response = client.post(url(version), {**FORM, "peak_arrival_rate": "900"}, follow=True)
    page = response.content.decode()
    assert "No configuration meets the targets" in page
    assert "keeps utilisation ≤ 0.8 at 1296 requests/s" in page
    version.refresh_from_db()
    assert version.sizing_result["ok"] is False


def test_a_level_1_agent_reads_but_cannot_size(client_as, agent, version):
    client = client_as(agent)
    page = client.get(url(version)).content.decode()
    assert '<button type="submit" class="button">Save workload and size</button>' not in page
    assert "Not sized yet." in page
    assert client.post(url(version), FORM).status_code == 403
    version.refresh_from_db()
    assert version.workload == {} and version.sizing_result == {}


def test_a_frozen_version_keeps_its_workload(client_as, presales, version):
    client = client_as(presales)
    client.post(url(version), FORM)
    services.version_finalise(actor=presales, version=version)
    response = client.post(url(version), {**FORM, "peak_arrival_rate": "10"}, follow=True)
    assert "is frozen" in response.content.decode()
    version.refresh_from_db()
    assert version.workload["peak_arrival_rate"] == 40


def test_other_organisations_get_not_found(client_as, world_b, version):
    client = client_as(world_b.partner_user)
    assert client.get(url(version)).status_code == 404
    assert client.get(url(version, "report")).status_code == 404
    by_id = reverse("web:solutions:version-sizing", kwargs={"version_id": version.pk})
    assert client.get(by_id).status_code == 404


def test_the_version_id_link_opens_the_same_page(client_as, presales, version):
    by_id = reverse("web:solutions:version-sizing", kwargs={"version_id": version.pk})
    assert "Sizing: Northwind tracking platform, version 1" in client_as(presales).get(by_id).content.decode()


def test_the_feasibility_report_downloads_as_a_pdf_with_the_evidence(client_as, presales, version):
    client = client_as(presales)
    client.post(url(version), FORM)
    response = client.get(url(version, "report"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="deal-a-feasibility-v1.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    for expected in (
        "Northwind tracking platform",
        "Customer A",
        "Prepared by Jonas Berg",
        "Support the peak-season workforce.",
        "EUR 7,200.00",
        "Per contract year",
        "Figure 1",
    ):
        assert expected in text, expected


def test_the_page_reads_a_bounded_number_of_queries(
    client_as, presales, version, django_assert_max_num_queries
):
    client = client_as(presales)
    client.post(url(version), FORM)
    with django_assert_max_num_queries(30):
        assert client.get(url(version)).status_code == 200


def test_a_large_report_is_prepared_by_a_job_with_the_pdf_to_download(
    client_as, presales, version, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from salesdesk.core.models import Job
    from salesdesk.solutions import report_tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(report_tasks, "INLINE_REPORT_ROWS", 3)  # 5 requirements + 2 components is "large"
    client = client_as(presales)
    client.post(url(version), FORM)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url(version, "report"))
    job = Job.objects.get(kind="solutions.report")
    assert response.status_code == 302 and response["Location"] == reverse(
        "web:job_detail", kwargs={"job_id": job.pk}
    )
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.result["requirements"] == 5
    download = client.get(reverse("web:job_download", kwargs={"job_id": job.pk}))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


# --- the same through the service (what an API or the CLI calls) ----------------------------------

WORKLOAD = {
    "peak_arrival_rate": 40,
    "growth_per_year": 0.2,
    "years": 3,
    "response_time": 0.25,
    "tiers": [
        {"name": "web", "service_demand": 0.05, "skus": ["WEB-S", "WEB-L"], "max_units": 8},
        {"name": "db", "service_demand": 0.02, "skus": ["DB-2"], "max_units": 2},
    ],
}


def test_version_size_saves_sizes_and_records(presales, version):
    from salesdesk.solutions.sizing_runs import version_size

    result = version_size(actor=presales, version=version, workload=WORKLOAD)
    version.refresh_from_db()
    assert result["total_price"] == "7200.00"
    assert version.sizing_result["total_price"] == "7200.00"
    assert version.workload["response_time"] == 0.25


def test_version_size_without_a_workload_asks_for_one(presales, version):
    from salesdesk.core.errors import ApplicationError
    from salesdesk.solutions.sizing_runs import version_size

    with pytest.raises(ApplicationError) as raised:
        version_size(actor=presales, version=version)
    assert raised.value.errors[0].field == "workload"


def test_version_size_refuses_below_level_4_and_changes_nothing(agent, version):
    from django.core.exceptions import PermissionDenied

    from salesdesk.solutions.sizing_runs import version_size

    with pytest.raises(PermissionDenied):
        version_size(actor=agent, version=version, workload=WORKLOAD)
    version.refresh_from_db()
    assert version.workload == {} and version.sizing_result == {}


def test_a_workload_mistake_found_while_sizing_saves_nothing(presales, version):
    from salesdesk.core.errors import ApplicationError
    from salesdesk.solutions.sizing_runs import version_size

    with pytest.raises(ApplicationError) as raised:
        version_size(actor=presales, version=version, workload={**WORKLOAD, "response_time": None})
    assert raised.value.errors[0].field == "response_time"
    version.refresh_from_db()
    assert version.workload == {} and version.sizing_result == {}
