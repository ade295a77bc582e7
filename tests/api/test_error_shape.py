"""Every answer under /api/ that is an error has the one shape {"detail", "errors"}: no HTML pages."""

from __future__ import annotations

import logging
import re

import pytest
from django.conf import settings as django_settings
from django.test import Client, override_settings

from salesdesk.parties.models import Organisation

from .helpers import NOT_FOUND

WITH_SHAPE_MIDDLEWARE = [
    *django_settings.MIDDLEWARE[:1],
    "salesdesk.core.middleware.ApiErrorShapeMiddleware",
    *django_settings.MIDDLEWARE[1:],
]


@pytest.mark.parametrize("path", ["/api/nope", "/api/organisations/nope/deeper"])
def test_an_unknown_api_url_is_the_json_404(api_as, agent, path):
    response = api_as(agent).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == NOT_FOUND


def test_a_trailing_slash_is_a_json_404_that_says_why(api_as, agent, anonymous_api):
    for api in (api_as(agent), anonymous_api):
        response = api.get("/api/organisations/")
        assert response.status_code == 404
        assert response.json() == {
            "detail": "Not found. API paths have no trailing slash: /api/organisations",
            "errors": [],
        }


def test_an_unexpected_error_is_a_json_500_with_an_error_id(agent, monkeypatch, caplog):
    from salesdesk.parties import services

    # given a bug deep in a service
    def broken(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services, "organisation_create", broken)
    client = Client(raise_request_exception=False)
    client.force_login(agent, backend="django.contrib.auth.backends.ModelBackend")
    # when the API runs into it
    with caplog.at_level(logging.ERROR, logger="salesdesk.core.api"):
        response = client.post("/api/organisations", {"name": "Bug Ltd"}, content_type="application/json")
    # then the client gets the one error shape with an id, and nothing of the code
    assert response.status_code == 500
    body = response.json()
    assert body["errors"] == []
    match = re.fullmatch(
        r"Something went wrong \(error id ([0-9a-f]{8})\); "
        r"the administrator can find the details in the log\.",
        body["detail"],
    )
    assert match, body
    assert "secret internals" not in response.content.decode()
    # and the log has the traceback under that id
    [record] = [r for r in caplog.records if r.name == "salesdesk.core.api"]
    assert match.group(1) in record.getMessage()
    assert record.exc_info[0] is RuntimeError
    assert not Organisation.objects.filter(name="Bug Ltd").exists()


def test_a_too_big_body_is_a_json_413(api_as, agent, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = api_as(agent).post("/api/organisations", {"name": "x" * 200})
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is too large: at most 100 bytes.", "errors": []}


def test_a_too_big_body_with_an_idempotency_key_is_a_json_413(api_as, agent, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = api_as(agent).post("/api/organisations", {"name": "x" * 200}, **{"Idempotency-Key": "big"})
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is too large: at most 100 bytes.", "errors": []}
    assert not Organisation.objects.filter(name="x" * 200).exists()


@override_settings(MIDDLEWARE=WITH_SHAPE_MIDDLEWARE)
def test_a_wrong_method_is_a_json_405_with_allow(api_as, agent, own_org):
    response = api_as(agent).client.put(
        f"/api/organisations/{own_org.pk}", "{}", content_type="application/json"
    )
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    allowed = response["Allow"]
    assert set(allowed.split(", ")) == {"GET", "PATCH"}
    assert response.json() == {"detail": f"PUT is not allowed here; allowed: {allowed}.", "errors": []}


@override_settings(MIDDLEWARE=WITH_SHAPE_MIDDLEWARE)
def test_the_shape_middleware_leaves_pages_and_json_alone(api_as, agent, client_as):
    # pages keep their HTML error pages
    page = client_as(agent).get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
    # API errors that already have the shape pass unchanged
    response = api_as(agent).get("/api/organisations/999999")
    assert response.json() == NOT_FOUND
    # and the docs page is not an error
    assert api_as(agent).get("/api/docs").status_code == 200


@override_settings(MIDDLEWARE=WITH_SHAPE_MIDDLEWARE)
def test_the_api_root_is_a_json_404(api_as, agent):
    # ninja's own root view raises Http404, which Django renders as a page: the middleware shapes it
    response = api_as(agent).get("/api/")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
