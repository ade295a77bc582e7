"""The demo estimate walks JOURNEYS L4 Jonas step 3 and L5 Grace step 2."""

from __future__ import annotations

import datetime as dt

import pytest

from salesdesk.demo.estimates import OPPORTUNITY, load_estimates_demo
from salesdesk.estimates import planning, services
from salesdesk.estimates.models import Estimate, EstimateRisk, EstimateTask, EstimateVersion, ProjectActual
from salesdesk.estimates.selectors import calibration_for

from ..factories import OpportunityFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 29)


def test_demo_estimate_has_40_tasks_8_risks_a_signed_off_version_and_a_draft(presales, reviewer):
    OpportunityFactory(name=OPPORTUNITY)
    users = {"jonas": presales, "grace": reviewer}
    load_estimates_demo(users=users, today=TODAY)
    estimate = Estimate.objects.get()
    assert EstimateTask.objects.filter(estimate=estimate).count() == 40
    assert EstimateRisk.objects.filter(estimate=estimate).count() == 8
    assert estimate.rates.count() == 5
    assert estimate.status == "draft" and estimate.current_version == 3
    signed = services.signed_off_version(estimate)
    assert signed.number == 2 and signed.signed_off_by == reviewer
    v1 = EstimateVersion.objects.get(estimate=estimate, number=1)
    assert v1.status == "returned" and "R1" in v1.review_comments
    assert signed.result["p80_cost"] and signed.result["tornado"]
    schedule = planning.schedule_of(estimate)
    assert schedule["critical_path"]
    # the six parallel integration streams need more than the three integration specialists
    roles = {w["role"]: w for w in schedule["over_allocations"]}
    assert roles["integration"]["demand"] == 6 and roles["integration"]["over_by"] == 3
    assert roles["integration"]["start_date"] and roles["integration"]["tasks"]
    # the non-labour ranges and the planned mitigations are simulated
    assert estimate.items.count() == 3
    assert signed.result["non_labour_cost"] == "84000.00"
    assert signed.result["non_labour_low"] != signed.result["non_labour_high"]
    assert signed.result["mitigation_cost"] == "3500.00"  # R1 1,500 + R3 0 + R5 2,000
    # the calibration report finds integration under-estimated by about 18 %
    report = calibration_for(presales)
    assert report.by_task_type["integration"].bias == pytest.approx(0.18, abs=0.01)
    # and loading again creates nothing
    models = (Estimate, ProjectActual, EstimateVersion)
    counts = [m.objects.count() for m in models]
    assert not load_estimates_demo(users=users, today=TODAY)
    assert [m.objects.count() for m in models] == counts
