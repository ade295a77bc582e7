"""Fixtures of the estimate tests: Jonas (level 4) builds, Grace (level 5) reviews."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from salesdesk.estimates import services
from salesdesk.estimates.models import EstimateRisk, EstimateTask, RateCardLine


@pytest.fixture
def reviewer(staff_factory):
    """Level 5 bid manager (Grace)."""
    return staff_factory(5, username="grace", first_name="Grace", last_name="Hopper")


@pytest.fixture
def consultant(staff_factory):
    """Level 3 solutions consultant: may read estimates, not change them."""
    return staff_factory(3, username="carla")


def build_estimate(actor, opportunity, **fields):
    """An estimate of four tasks (A → B → D, A → C → D), two roles and one risk on C."""
    estimate = services.estimate_create(
        actor=actor,
        opportunity_id=opportunity.pk,
        data={"title": "Rollout", "start_date": dt.date(2026, 1, 5), **fields},
    )
    for role, cost, sell in (("engineer", "500", "900"), ("pm", "600", "1000")):
        services.line_add(
            actor=actor,
            estimate=estimate,
            model=RateCardLine,
            data={"role": role, "cost_rate": Decimal(cost), "sell_rate": Decimal(sell)},
        )
    tasks = [
        ("A", "Design", "pm", "design", (2, 3, 5), []),
        ("B", "Build", "engineer", "build", (5, 8, 14), ["A"]),
        ("C", "Integrate", "engineer", "integration", (3, 4, 9), ["A"]),
        ("D", "Go live", "pm", "deploy", (1, 1, 2), ["B", {"task": "C", "type": "FS", "lag": 1}]),
    ]
    for code, name, role, kind, (o, m, p), deps in tasks:
        services.line_add(
            actor=actor,
            estimate=estimate,
            model=EstimateTask,
            data={
                "code": code,
                "phase": "Delivery",
                "name": name,
                "role": role,
                "task_type": kind,
                "optimistic": Decimal(o),
                "most_likely": Decimal(m),
                "pessimistic": Decimal(p),
                "dependencies": deps,
            },
        )
    services.line_add(
        actor=actor,
        estimate=estimate,
        model=EstimateRisk,
        data={
            "code": "R1",
            "description": "Legacy API undocumented",
            "probability": Decimal("0.3"),
            "cost_low": Decimal("1000"),
            "cost_most_likely": Decimal("2000"),
            "cost_high": Decimal("5000"),
            "days_low": Decimal("1"),
            "days_most_likely": Decimal("2"),
            "days_high": Decimal("4"),
            "tasks": ["C"],
        },
    )
    estimate.refresh_from_db()
    return estimate


@pytest.fixture
def estimate(presales, world_a):
    return build_estimate(presales, world_a.opportunity)
