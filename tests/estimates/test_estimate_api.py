"""The estimates API: CRUD, errors naming the field, visibility, review, versions, exports."""

from __future__ import annotations

import io
import json
from xml.etree import ElementTree as ET

import pytest
from openpyxl import load_workbook

from salesdesk.estimates.models import Estimate, EstimateTask

pytestmark = pytest.mark.django_db

MSPDI = "{http://schemas.microsoft.com/project}"


def post(client, url, body=None, **headers):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json", **headers)


def patch(client, url, body, **headers):
    return client.patch(url, data=json.dumps(body), content_type="application/json", **headers)


def test_jonas_builds_an_estimate_through_the_api(presales, world_a, client_as):
    client = client_as(presales)
    # when he starts an estimate and adds a rate and two tasks
    response = post(
        client, "/api/estimates", {"opportunity_id": world_a.opportunity.pk, "title": "API estimate"}
    )
    assert response.status_code == 201, response.json()
    estimate_id = response.json()["id"]
    assert response.json()["status"] == "draft"
    assert response.json()["currency"] == world_a.opportunity.currency
    base = f"/api/estimates/{estimate_id}"
    assert (
        post(client, f"{base}/rates", {"role": "dev", "cost_rate": "400", "sell_rate": "800"}).status_code
        == 201
    )
    first = {
        "code": "T1",
        "name": "Build",
        "role": "dev",
        "optimistic": "2",
        "most_likely": "3",
        "pessimistic": "6",
    }
    assert post(client, f"{base}/tasks", first).status_code == 201
    second = {**first, "code": "T2", "name": "Test", "dependencies": [{"task": "T1", "type": "SS", "lag": 1}]}
    response = post(client, f"{base}/tasks", second)
    assert response.status_code == 201
    task_id = response.json()["id"]
    # then the plan and a simulation answer
    plan = client.get(f"{base}/plan").json()
    assert plan["critical_path"] == ["T1"] or "T1" in plan["critical_path"]
    response = post(client, f"{base}/simulation", {"iterations": 1000, "seed": 3})
    assert response.status_code == 200
    assert response.json()["base_cost"] == "2400.00"
    # and a task changes with If-Match
    etag = f'"{task_id}.1"'
    response = patch(client, f"{base}/tasks/{task_id}", {"name": "System test"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200 and response.json()["name"] == "System test"
    response = patch(client, f"{base}/tasks/{task_id}", {"name": "Stale"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert client.delete(f"{base}/tasks/{task_id}").status_code == 204
    assert not EstimateTask.objects.filter(pk=task_id).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"code": "X", "name": "x", "optimistic": "5", "most_likely": "2", "pessimistic": "9"},
            "most_likely",
        ),
        ({"code": "X", "name": "x", "optimistic": "-1"}, "optimistic"),
        ({"code": "X", "name": "x", "dependencies": [{"task": "NOPE"}]}, "dependencies"),
        ({"code": "X", "name": "x", "dependencies": [{"task": "A", "type": "ZZ"}]}, "dependencies.0.type"),
        ({"code": "bad code", "name": "x"}, "code"),
        ({"name": "no code"}, "code"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(presales, estimate, client_as, body, field):
    response = post(client_as(presales), f"/api/estimates/{estimate.pk}/tasks", body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_outsiders_get_404_and_level_3_gets_403(consultant, estimate, world_a, world_b, client_as):
    for user in (world_a.partner_user, world_a.customer_user, world_b.partner_user):
        client = client_as(user)
        assert client.get(f"/api/estimates/{estimate.pk}").status_code == 404
        assert client.get("/api/estimates").json()["results"] == []
    client = client_as(consultant)
    assert client.get(f"/api/estimates/{estimate.pk}").status_code == 200
    response = patch(client, f"/api/estimates/{estimate.pk}", {"title": "Hijack"})
    assert response.status_code == 403
    assert Estimate.objects.get().title == "Rollout"


def test_review_versions_and_diff_over_the_api(presales, reviewer, estimate, client_as):
    jonas, grace = client_as(presales), client_as(reviewer)
    base = f"/api/estimates/{estimate.pk}"
    assert post(jonas, f"{base}/submit").status_code == 200
    # Jonas may not sign off (level 4); Grace returns it without comments: 400 naming comments
    assert post(jonas, f"{base}/sign-off").status_code == 403
    response = post(grace, f"{base}/return", {"comments": ""})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "comments"
    assert post(grace, f"{base}/return", {"comments": "Raise R1"}).status_code == 200
    risk_id = estimate.risks.get().pk
    assert patch(jonas, f"{base}/risks/{risk_id}", {"probability": "0.6"}).status_code == 200
    diff = jonas.get(f"{base}/diff").json()
    assert diff["from_version"] == 1 and diff["to_version"] == 2
    assert any(c["key"] == "R1" and "probability" in c["fields"] for c in diff["changes"])
    assert post(jonas, f"{base}/submit").status_code == 200
    response = post(grace, f"{base}/sign-off", {"comments": "OK"})
    assert response.status_code == 200 and response.json()["signed_off_by"]["name"]
    # a signed-off estimate refuses edits with 409 and a clear message
    response = patch(jonas, f"{base}/risks/{risk_id}", {"probability": "0.1"})
    assert response.status_code == 409
    assert "signed off and frozen" in response.json()["detail"]
    versions = jonas.get(f"{base}/versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    assert jonas.get(f"{base}/versions/1").json()["content"]["risks"]["R1"]["probability"] == "0.300"
    assert jonas.get(f"{base}").json()["usable_in_proposal"] is True


def test_exports_parse_back(presales, estimate, client_as):
    client = client_as(presales)
    base = f"/api/estimates/{estimate.pk}/export"
    csv_text = client.get(f"{base}?format=csv").content.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("code,phase,name") and len(lines) == 5
    workbook = load_workbook(io.BytesIO(client.get(f"{base}?format=xlsx").content))
    rows = list(workbook["Plan"].iter_rows(values_only=True))
    assert rows[0][0] == "code" and [r[0] for r in rows[1:]] == ["A", "B", "C", "D"]
    assert rows[2][10] == "yes"  # B is critical
    root = ET.fromstring(client.get(f"{base}?format=mspdi").content)
    assert root.tag == f"{MSPDI}Project"
    tasks = root.findall(f"{MSPDI}Tasks/{MSPDI}Task")
    assert [t.findtext(f"{MSPDI}UID") for t in tasks] == ["1", "2", "3", "4"]
    b = tasks[1]
    assert b.findtext(f"{MSPDI}Duration") == "PT64H0M0S"  # 8 days × 8 hours
    assert b.findtext(f"{MSPDI}Start") == "2026-01-08T08:00:00"
    d_links = tasks[3].findall(f"{MSPDI}PredecessorLink")
    assert [(lk.findtext(f"{MSPDI}PredecessorUID"), lk.findtext(f"{MSPDI}Type")) for lk in d_links] == [
        ("2", "1"),
        ("3", "1"),
    ]
    assert d_links[1].findtext(f"{MSPDI}LinkLag") == "4800"  # 1 day = 8 h × 60 min × 10
    assert client.get(f"{base}?format=pdf").status_code == 400


def test_calibration_api(presales, client_as, world_a):
    client = client_as(presales)
    for estimated, actual in (("10", "12"), ("10", "8")):
        body = {
            "project": "P",
            "task_type": "integration",
            "role": "dev",
            "estimated_effort": estimated,
            "actual_effort": actual,
        }
        assert post(client, "/api/estimate-actuals", body).status_code == 201
    report = client.get("/api/estimate-calibration").json()
    assert report["by_task_type"]["integration"]["count"] == 2
    assert report["overall"]["bias"] == pytest.approx(0.0)
    assert client_as(world_a.partner_user).get("/api/estimate-calibration").status_code == 403


def test_foreign_ids_in_a_body_are_404(presales, estimate, world_a, world_b, client_as):
    client = client_as(presales)
    response = post(client, "/api/estimates", {"opportunity_id": 2**62, "title": "Ghost"})
    assert response.status_code == 404
    risk = {"code": "R9", "description": "x", "probability": "0.1", "owner_id": 2**62}
    assert post(client, f"/api/estimates/{estimate.pk}/risks", risk).status_code == 404
    item = {"description": "x", "unit_cost": "1", "product_id": 2**62}
    assert post(client, f"/api/estimates/{estimate.pk}/items", item).status_code == 404
    assert estimate.risks.count() == 1 and estimate.items.count() == 0
