"""Lists and pages do not issue a query per row: the count stays flat as rows are added."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesdesk.estimates import services
from salesdesk.estimates.models import EstimateTask

from .conftest import build_estimate

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _more_rows(actor, estimate, start: int, count: int) -> None:
    for n in range(start, start + count):
        services.line_add(
            actor=actor,
            estimate=estimate,
            model=EstimateTask,
            data={
                "code": f"X{n}",
                "name": f"Extra {n}",
                "role": "engineer",
                "most_likely": Decimal(1),
                "pessimistic": Decimal(2),
                "dependencies": ["A"],
            },
        )


def test_estimate_list_and_detail_query_counts_stay_flat(presales, estimate, world_a, client_as):
    client = client_as(presales)
    services.estimate_simulate(actor=presales, estimate=estimate, iterations=500)
    urls = [
        "/api/estimates",
        f"/api/estimates/{estimate.pk}",
        f"/estimates/{estimate.pk}/",
        "/estimates/",
        f"/api/estimates/{estimate.pk}/versions",
        "/estimates/calibration/",
    ]
    before = [_queries(client, url) for url in urls]
    # when more estimates and more tasks exist
    build_estimate(presales, world_a.opportunity)
    build_estimate(presales, world_a.opportunity)
    _more_rows(presales, estimate, 1, 5)
    # then every list and page asks the database as often as before
    assert [_queries(client, url) for url in urls] == before
