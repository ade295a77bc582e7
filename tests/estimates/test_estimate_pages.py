"""The estimate pages: render for staff, 404 for outsiders, rules shown as form errors."""

from __future__ import annotations

import pytest

from salesdesk.estimates import services
from salesdesk.estimates.models import EstimateTask

pytestmark = pytest.mark.django_db


def test_estimate_page_shows_wbs_charts_and_review(presales, estimate, client_as):
    services.estimate_simulate(actor=presales, estimate=estimate, iterations=1000)
    response = client_as(presales).get(f"/estimates/{estimate.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Work breakdown",
        "Rate card",
        "Risks",
        "P80 cost",
        "Contingency",
        "Critical path: A → B → D",
    ):
        assert text in html
    assert html.count("<svg") >= 4  # Gantt, tornado, S-curve, histogram
    assert 'class="today"' in html or "Gantt chart" in html
    assert "Submit for review" in html


def test_outsiders_get_404_on_every_estimate_page(estimate, world_a, client_as):
    for user in (world_a.partner_user, world_a.customer_user):
        client = client_as(user)
        assert client.get(f"/estimates/{estimate.pk}/").status_code == 404
        assert client.get(f"/estimates/{estimate.pk}/versions/").status_code == 404
        assert client.post(f"/estimates/{estimate.pk}/tasks/", {"code": "Z"}).status_code == 404


def test_adding_a_task_inline_and_a_rule_error_on_the_form(presales, estimate, client_as):
    client = client_as(presales)
    good = {
        "code": "E",
        "name": "Extra",
        "optimistic": "1",
        "most_likely": "2",
        "pessimistic": "3",
        "dependencies": "D",
    }
    response = client.post(f"/estimates/{estimate.pk}/tasks/", good)
    assert response.status_code == 302
    assert EstimateTask.objects.get(code="E").dependencies == [{"task": "D", "type": "FS", "lag": 0.0}]
    bad = {**good, "code": "F", "dependencies": "NOPE SS+2"}
    response = client.post(f"/estimates/{estimate.pk}/tasks/", bad)
    assert response.status_code == 400
    assert "no task with code" in response.content.decode()
    assert not EstimateTask.objects.filter(code="F").exists()


def test_review_rules_show_as_form_errors(presales, reviewer, estimate, client_as):
    client_as(presales).post(f"/estimates/{estimate.pk}/review/", {"action": "submit"})
    response = client_as(reviewer).post(
        f"/estimates/{estimate.pk}/review/", {"action": "return", "comments": ""}
    )
    assert response.status_code == 400
    assert "say what should change" in response.content.decode()
    response = client_as(reviewer).post(f"/estimates/{estimate.pk}/review/", {"action": "sign_off"})
    assert response.status_code == 302
    estimate.refresh_from_db()
    assert estimate.status == "signed_off"
    response = client_as(presales).get(f"/estimates/{estimate.pk}/versions/?from=1&to=1")
    assert response.status_code == 200 and "No differences" in response.content.decode()


def test_level_3_sees_but_cannot_change(consultant, estimate, client_as):
    client = client_as(consultant)
    assert client.get(f"/estimates/{estimate.pk}/").status_code == 200
    assert (
        client.post(
            f"/estimates/{estimate.pk}/rates/", {"role": "x", "cost_rate": "1", "sell_rate": "2"}
        ).status_code
        == 403
    )


def test_calibration_page(presales, client_as):
    client = client_as(presales)
    body = {
        "project": "Old",
        "task_type": "integration",
        "role": "dev",
        "estimated_effort": "10",
        "actual_effort": "11.8",
    }
    assert client.post("/estimates/calibration/", body).status_code == 302
    html = client.get("/estimates/calibration/").content.decode()
    assert "integration" in html and "18 %" in html and "×1.180" in html


def test_export_page_downloads(presales, estimate, client_as):
    response = client_as(presales).get(f"/estimates/{estimate.pk}/export/?format=mspdi")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xml"')
