"""Sizing a solution version and downloading its feasibility report through the API."""

from __future__ import annotations

import io
import json
import re

import pytest
from pypdf import PdfReader

from salesdesk.core.audit import events_for
from salesdesk.solutions import services

from .test_designs_support import *  # noqa: F403 - fixtures
from .test_designs_support import add_component
from .test_sizing_pages import WORKLOAD, _server

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(draft, presales, catalog):
    """The draft with a small web server (a larger one in the range as an alternative) and a database."""
    category = catalog.as440.category
    add_component(presales, draft, _server(category, "WEB-S", "Web server S", 2, "1000"))
    _server(category, "WEB-L", "Web server L", 4, "1700")
    add_component(presales, draft, _server(category, "DB-2", "Database pair", 2, "5500"))
    return draft


def path(version, tail: str) -> str:
    return f"/api/solutions/{version.design_id}/versions/{version.number}/{tail}"


def post(client, url: str, body=None):
    data = "" if body is None else json.dumps(body)
    return client.post(url, data, content_type="application/json")


def test_sizing_with_a_workload_keeps_it_sizes_and_answers_the_result(client_as, presales, version):
    response = post(client_as(presales), path(version, "sizing"), {"workload": WORKLOAD})
    assert response.status_code == 200, response.content
    result = response.json()
    # 40 requests/s growing 20 % a year: the large web server and the database pair, EUR 7,200
    assert result["ok"] is True and result["total_price"] == "7200.00"
    assert {c["sku"] for c in result["choices"]} == {"WEB-L", "DB-2"}
    assert [y["meets"] for y in result["years"]] == [True, True, True]
    version.refresh_from_db()
    assert version.workload["response_time"] == 0.25
    assert version.sizing_result["total_price"] == "7200.00"
    assert "sized" in {e.step for e in events_for(version)}


def test_sizing_without_a_body_sizes_the_workload_kept(client_as, presales, version):
    client = client_as(presales)
    assert post(client, path(version, "sizing"), {"workload": WORKLOAD}).status_code == 200
    for body in (None, {}):
        response = post(client, path(version, "sizing"), body)
        assert response.status_code == 200, response.content
        assert response.json()["total_price"] == "7200.00"


def test_sizing_with_nothing_to_size_asks_for_the_workload(client_as, presales, version):
    response = post(client_as(presales), path(version, "sizing"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "workload"


def test_a_workload_mistake_is_a_400_on_its_field_and_saves_nothing(client_as, presales, version):
    response = post(
        client_as(presales), path(version, "sizing"), {"workload": {**WORKLOAD, "response_time": None}}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "response_time"
    version.refresh_from_db()
    assert version.workload == {} and version.sizing_result == {}


def test_targets_nobody_can_meet_answer_ok_false_with_the_reason(client_as, presales, version):
    response = post(
        client_as(presales), path(version, "sizing"), {"workload": {**WORKLOAD, "peak_arrival_rate": 900}}
    )
    assert response.status_code == 200
    result = response.json()
    assert result["ok"] is False and result["error"]


def test_a_frozen_version_cannot_be_given_a_new_workload(client_as, presales, version):
    client = client_as(presales)
    post(client, path(version, "sizing"), {"workload": WORKLOAD})
    services.version_finalise(actor=presales, version=version)
    response = post(client, path(version, "sizing"), {"workload": {**WORKLOAD, "peak_arrival_rate": 10}})
    assert 400 <= response.status_code < 500
    assert "frozen" in response.json()["detail"]
    version.refresh_from_db()
    assert version.workload["peak_arrival_rate"] == 40


def test_below_level_4_may_not_size(client_as, agent, version):
    response = post(client_as(agent), path(version, "sizing"), {"workload": WORKLOAD})
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.workload == {}


def test_the_report_downloads_as_the_pdf_the_page_gives(client_as, presales, version):
    client = client_as(presales)
    post(client, path(version, "sizing"), {"workload": WORKLOAD})
    response = client.get(path(version, "report.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="deal-a-feasibility-v1.pdf"'
    text = re.sub(
        r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    )
    assert (
        "Northwind tracking platform" in text and "EUR 7,200.00" in text and "Prepared by Jonas Berg" in text
    )


def test_a_large_report_answers_202_with_its_job(
    client_as, presales, version, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from salesdesk.core.models import Job
    from salesdesk.solutions import report_tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(report_tasks, "INLINE_REPORT_ROWS", 3)
    client = client_as(presales)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(path(version, "report.pdf"))
    assert response.status_code == 202
    job = Job.objects.get(kind="solutions.report")
    assert response.json() == {"job_id": job.pk, "status": response.json()["status"]}
    assert client.get(f"/api/jobs/{job.pk}").json()["status"] == "succeeded"


def test_other_organisations_get_not_found(client_as, world_b, version):
    client = client_as(world_b.partner_user)
    assert post(client, path(version, "sizing"), {"workload": WORKLOAD}).status_code == 404
    assert client.get(path(version, "report.pdf")).status_code == 404
    version.refresh_from_db()
    assert version.workload == {}
