"""The estimate rules: capabilities, review workflow, frozen versions, diff, simulation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from salesdesk.core.errors import ApplicationError, StaleWrite, StateConflict
from salesdesk.core.models import Job
from salesdesk.estimates import planning, services
from salesdesk.estimates.models import Estimate, EstimateRisk, EstimateTask, EstimateVersion, RateCardLine
from salesdesk.estimates.selectors import estimate_get_for_user, visible_estimates

from .conftest import build_estimate

pytestmark = pytest.mark.django_db


def _task(estimate, code):
    return EstimateTask.objects.get(estimate=estimate, code=code)


def test_level_3_cannot_create_or_edit_an_estimate(consultant, estimate, world_a):
    # given a level-3 consultant
    # when they try to start an estimate or change one
    with pytest.raises(PermissionDenied):
        services.estimate_create(actor=consultant, opportunity_id=world_a.opportunity.pk, data={"title": "x"})
    with pytest.raises(PermissionDenied):
        services.line_update(actor=consultant, line=_task(estimate, "A"), data={"name": "changed"})
    # then nothing changed
    assert Estimate.objects.count() == 1
    assert _task(estimate, "A").name == "Design"


def test_level_4_cannot_sign_off(presales, staff_factory, estimate):
    other_presales = staff_factory(4, username="olaf")
    services.estimate_submit(actor=presales, estimate=estimate)
    with pytest.raises(PermissionDenied):
        services.estimate_sign_off(actor=other_presales, estimate=estimate)
    estimate.refresh_from_db()
    assert estimate.status == "submitted"
    assert not services.estimate_usable_in_proposal(estimate)


def test_submit_freezes_and_sign_off_makes_it_usable(presales, reviewer, estimate):
    # when Jonas submits and Grace signs off
    version = services.estimate_submit(actor=presales, estimate=estimate)
    assert version.frozen and version.snapshot["tasks"]["C"]["name"] == "Integrate"
    assert version.result["p80_cost"]  # submitting without a run simulates first
    services.estimate_sign_off(actor=reviewer, estimate=estimate, comments="Fine")
    estimate.refresh_from_db()
    # then the estimate may go into a proposal, and the version is frozen
    assert estimate.status == "signed_off"
    assert services.estimate_usable_in_proposal(estimate)
    version.refresh_from_db()
    assert version.signed_off_by == reviewer and version.signed_off_at is not None
    # and any edit is refused with a clear error, changing nothing
    with pytest.raises(StateConflict, match="signed off and frozen"):
        services.line_update(actor=presales, line=_task(estimate, "A"), data={"name": "Changed"})
    with pytest.raises(StateConflict):
        services.estimate_update(actor=presales, estimate=estimate, data={"title": "New"})
    assert _task(estimate, "A").name == "Design"
    assert EstimateVersion.objects.filter(estimate=estimate).count() == 1


def test_revising_a_signed_off_estimate_keeps_the_frozen_version(presales, reviewer, estimate):
    services.estimate_submit(actor=presales, estimate=estimate)
    services.estimate_sign_off(actor=reviewer, estimate=estimate)
    services.estimate_revise(actor=presales, estimate=estimate)
    services.line_update(actor=presales, line=_task(estimate, "A"), data={"name": "Design v2"})
    estimate.refresh_from_db()
    assert estimate.current_version == 2 and estimate.status == "draft"
    v1 = EstimateVersion.objects.get(estimate=estimate, number=1)
    assert v1.snapshot["tasks"]["A"]["name"] == "Design"
    assert services.signed_off_version(estimate) == v1
    assert not services.estimate_usable_in_proposal(estimate)


def test_return_with_comments_then_change_opens_a_new_version_with_a_diff(presales, reviewer, estimate):
    # given a submitted estimate that Grace returns asking for a change to one risk
    services.estimate_submit(actor=presales, estimate=estimate)
    with pytest.raises(ApplicationError, match="say what should change"):
        services.estimate_return(actor=reviewer, estimate=estimate, comments=" ")
    services.estimate_return(actor=reviewer, estimate=estimate, comments="R1 is too optimistic")
    # when Jonas changes the risk
    risk = EstimateRisk.objects.get(estimate=estimate, code="R1")
    services.line_update(actor=presales, line=risk, data={"probability": Decimal("0.5")})
    estimate.refresh_from_db()
    # then the change went into version 2, version 1 is unchanged, and the diff shows it
    assert estimate.current_version == 2 and estimate.status == "draft"
    v1, v2 = EstimateVersion.objects.filter(estimate=estimate).order_by("number")
    assert v1.review_comments == "R1 is too optimistic" and v1.status == "returned"
    changes = services.versions_diff(services.version_content(v1), services.version_content(v2))
    assert {
        "section": "risks",
        "key": "R1",
        "change": "changed",
        "fields": {"probability": ["0.300", "0.500"]},
    } in changes
    # and the new version can be submitted and signed off
    services.estimate_submit(actor=presales, estimate=estimate)
    services.estimate_sign_off(actor=reviewer, estimate=estimate)
    assert services.signed_off_version(estimate).number == 2


def test_submitted_estimate_cannot_be_edited(presales, estimate):
    services.estimate_submit(actor=presales, estimate=estimate)
    with pytest.raises(StateConflict, match="submitted for review"):
        services.line_add(actor=presales, estimate=estimate, model=RateCardLine, data={"role": "qa"})
    assert not RateCardLine.objects.filter(role="qa").exists()


def test_the_submitter_cannot_sign_off_their_own_version(staff_factory, world_a):
    grace = staff_factory(5, username="g2")
    estimate = build_estimate(grace, world_a.opportunity)
    services.estimate_submit(actor=grace, estimate=estimate)
    with pytest.raises(ApplicationError, match="another reviewer"):
        services.estimate_sign_off(actor=grace, estimate=estimate)


def test_stale_version_is_refused(presales, estimate):
    with pytest.raises(StaleWrite):
        services.estimate_update(
            actor=presales, estimate=estimate, data={"title": "x"}, expected_version=estimate.version - 1
        )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"optimistic": Decimal(9), "most_likely": Decimal(3), "pessimistic": Decimal(5)}, "most_likely"),
        ({"dependencies": ["Z"]}, "dependencies"),
        ({"dependencies": [{"task": "A", "type": "XX"}]}, "dependencies"),
        ({"code": "has space"}, "code"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_task_input_names_the_field(presales, estimate, data, field):
    base = {"code": "E", "name": "Extra", "optimistic": 1, "most_likely": 2, "pessimistic": 3}
    with pytest.raises(ApplicationError) as info:
        services.line_add(actor=presales, estimate=estimate, model=EstimateTask, data={**base, **data})
    assert info.value.errors[0].field == field
    assert not EstimateTask.objects.filter(code="E").exists()


def test_a_dependency_cycle_is_refused_naming_the_tasks(presales, estimate):
    with pytest.raises(ApplicationError, match="cycle") as info:
        services.line_update(actor=presales, line=_task(estimate, "A"), data={"dependencies": ["D"]})
    assert info.value.errors[0].field == "dependencies"
    assert _task(estimate, "A").dependencies == []


def test_a_task_others_depend_on_cannot_be_removed(presales, estimate):
    with pytest.raises(ApplicationError, match="predecessor"):
        services.line_remove(actor=presales, line=_task(estimate, "C"))
    services.line_remove(actor=presales, line=_task(estimate, "D"))
    assert list(EstimateTask.objects.filter(estimate=estimate).values_list("code", flat=True)) == [
        "A",
        "B",
        "C",
    ]


def test_schedule_marks_the_critical_path_and_dates(estimate):
    schedule = planning.schedule_of(estimate)
    # A(3) → B(8) → D(1) = 12 days; A → C(4) + lag 1 → D = 9: B is critical, C is not
    assert schedule["duration"] == 12
    assert schedule["critical_path"] == ["A", "B", "D"]
    by_code = {t["code"]: t for t in schedule["tasks"]}
    assert by_code["C"]["total_float"] == 3
    assert by_code["A"]["start_date"] == "2026-01-05"  # a Monday
    assert schedule["finish_date"] == "2026-01-20"  # 12 working days, weekends skipped


def test_simulation_summary_is_stored_on_the_draft(presales, estimate):
    summary = services.estimate_simulate(actor=presales, estimate=estimate, iterations=2000, seed=1)
    assert Decimal(summary["p50_cost"]) <= Decimal(summary["p80_cost"]) <= Decimal(summary["p90_cost"])
    # base = 3×600 + 8×500 + 4×500 + 1×600 = 8,400
    assert summary["base_cost"] == "8400.00"
    assert Decimal(summary["contingency_cost"]) == Decimal(summary["p80_cost"]) - Decimal("8400.00")
    assert summary["criticality"]["B"] > summary["criticality"]["C"]
    assert summary["tornado"][0][0] == "B"
    version = services.current_version(estimate)
    assert version.result["p80_cost"] == summary["p80_cost"]


def test_a_large_simulation_runs_as_a_job(
    presales, estimate, monkeypatch, settings, django_capture_on_commit_callbacks
):
    # given a run too large to answer at once, and a worker that runs tasks at once
    monkeypatch.setattr(services, "INLINE_SIMULATION_ELEMENTS", 100)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # when Jonas starts it
    with django_capture_on_commit_callbacks(execute=True):
        job = services.estimate_simulate(actor=presales, estimate=estimate, iterations=1000)
    # then he gets a job, which stores the summary on the draft when it finishes
    assert isinstance(job, Job)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.progress == 100
    assert services.current_version(estimate).result["iterations"] == 1000


def test_visibility(presales, consultant, sales_rep, estimate, world_a, world_b, staff_factory):
    assert estimate in visible_estimates(presales)
    assert estimate in visible_estimates(consultant)
    assert estimate in visible_estimates(sales_rep)  # owns the opportunity
    other_rep = world_a.opportunity.owner.__class__.objects.create(username="rep2", kind="sales_rep")
    assert estimate not in visible_estimates(other_rep)
    for outsider in (world_a.partner_user, world_a.customer_user, world_b.partner_user):
        assert not visible_estimates(outsider).exists()
        with pytest.raises(Http404):
            estimate_get_for_user(user=outsider, estimate_id=estimate.pk)


def test_apply_calibration_scales_one_task_type(presales, estimate):
    count = services.apply_calibration(
        actor=presales, estimate=estimate, task_type="integration", factor=1.18
    )
    assert count == 1
    task = _task(estimate, "C")
    assert (task.optimistic, task.most_likely, task.pessimistic) == (
        Decimal("3.54"),
        Decimal("4.72"),
        Decimal("10.62"),
    )


def test_simulating_a_returned_estimate_opens_the_next_draft(presales, reviewer, estimate):
    services.estimate_submit(actor=presales, estimate=estimate)
    services.estimate_return(actor=reviewer, estimate=estimate, comments="Check B")
    summary = services.estimate_simulate(actor=presales, estimate=estimate, iterations=500)
    estimate.refresh_from_db()
    assert estimate.current_version == 2 and estimate.status == "draft"
    assert services.current_version(estimate).result["iterations"] == summary["iterations"] == 500
    v1 = EstimateVersion.objects.get(estimate=estimate, number=1)
    assert v1.result["iterations"] == 5000  # the submitted run, kept as it was
