"""The OpenAPI document builds, every path parameter says what it names, and the docs work offline."""

from __future__ import annotations

import re

import pytest

MODEL_PARAMETERS = {
    "organisation_id",
    "contact_id",
    "opportunity_id",
    "user_id",
    "token_id",
    "job_id",
    "category_id",
    "product_id",
    "spec_id",
    "price_id",
    "rule_id",
    "answer_id",
    "article_id",
    "case_id",
    "attachment_id",
    "interaction_id",
    "policy_id",
    "calendar_id",
    "requirement_id",
    "question_id",
    "baseline_id",
    "estimate_id",
    "task_id",
    "rate_id",
    "item_id",
    "risk_id",
    "version_number",
    "registration_id",
    "presales_request_id",
    "design_id",
    "component_id",
    "service_line_id",
    "gap_id",
    "version_id",
}


@pytest.fixture
def schema(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_openapi_document_builds_with_every_route(schema):
    assert schema["info"]["title"] == "Salesdesk API"
    routes = {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}
    assert {
        ("GET", "/api/me"),
        ("GET", "/api/tokens"),
        ("POST", "/api/tokens"),
        ("DELETE", "/api/tokens/{token_id}"),
        ("GET", "/api/jobs"),
        ("GET", "/api/jobs/{job_id}"),
        ("GET", "/api/jobs/{job_id}/file"),
        ("GET", "/api/organisations"),
        ("POST", "/api/organisations"),
        ("POST", "/api/organisations/export"),
        ("GET", "/api/organisations/{organisation_id}"),
        ("PATCH", "/api/organisations/{organisation_id}"),
        ("GET", "/api/organisations/{organisation_id}/timeline"),
        ("GET", "/api/contacts"),
        ("POST", "/api/contacts"),
        ("GET", "/api/contacts/{contact_id}"),
        ("PATCH", "/api/contacts/{contact_id}"),
        ("DELETE", "/api/contacts/{contact_id}"),
        ("GET", "/api/contacts/{contact_id}/history"),
        ("GET", "/api/users"),
        ("POST", "/api/users"),
        ("GET", "/api/users/{user_id}"),
        ("POST", "/api/users/{user_id}/role"),
        ("POST", "/api/users/{user_id}/deactivate"),
        ("POST", "/api/users/{user_id}/reactivate"),
        ("GET", "/api/opportunities"),
        ("POST", "/api/opportunities"),
        ("GET", "/api/opportunities/{opportunity_id}"),
        ("PATCH", "/api/opportunities/{opportunity_id}"),
        ("GET", "/api/opportunities/{opportunity_id}/history"),
    } <= routes


def test_every_path_parameter_names_its_record(schema):
    for path in schema["paths"]:
        for name in re.findall(r"{(\w+)}", path):
            assert name in MODEL_PARAMETERS, f"{path}: '{name}' does not say which record it is"


def test_money_is_a_string_in_the_schema(schema):
    amount = schema["components"]["schemas"]["OpportunityOut"]["properties"]["amount"]
    assert amount["type"] == "string"


def test_both_ways_to_authenticate_are_documented(schema):
    assert {s["type"] for s in schema["components"]["securitySchemes"].values()} == {"http", "apiKey"}


def test_docs_page_loads_swagger_from_our_own_server(client):
    # when someone opens the API docs
    response = client.get("/api/docs")
    # then the page loads and every script and stylesheet comes from this server
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(url.startswith("/static/") for url in urls), urls
    assert "cdn" not in html.lower()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script>" not in html  # no inline script: the CSP would block it


def test_docs_assets_are_served(client):
    html = client.get("/api/docs").content.decode()
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body, url
