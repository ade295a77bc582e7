"""Every write to estimates: capability check, transaction, audit, optimistic version check.

Review workflow (DESIGN §2): draft → submitted → signed off (level 5), or returned with
comments. Submitting freezes the current version with a snapshot of the whole estimate;
a frozen version never changes. Changing a returned estimate opens the next version;
a signed-off one must be revised explicitly (``estimate_revise``) so nobody changes an
approved estimate by accident.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.http import Http404
from django.utils import timezone

from salesdesk.core import audit
from salesdesk.core.errors import ApplicationError, StateConflict
from salesdesk.core.permissions import require
from salesdesk.core.validation import apply_changes, check_version, clean_or_raise
from salesdesk.deals.selectors import visible_opportunities

from . import planning
from .choices import (
    DEFAULT_ITERATIONS,
    INLINE_SIMULATION_ELEMENTS,
    MAX_ITERATIONS,
    DependencyType,
    EstimateStatus,
)
from .models import (
    Estimate,
    EstimateRisk,
    EstimateTask,
    EstimateVersion,
    NonLabourItem,
    ProjectActual,
    RateCardLine,
)

ESTIMATE_FIELDS = {
    "title",
    "currency",
    "distribution",
    "confidence_level",
    "start_date",
    "holiday_country",
    "target_date",
    "target_budget",
}
TASK_FIELDS = {
    "code",
    "position",
    "phase",
    "name",
    "role",
    "task_type",
    "optimistic",
    "most_likely",
    "pessimistic",
    "dependencies",
    "milestone",
    "units",
}
RATE_FIELDS = {"role", "cost_rate", "sell_rate", "currency", "capacity"}
ITEM_FIELDS = {"description", "product", "quantity", "unit_cost", "unit_cost_low", "unit_cost_high"}
RISK_FIELDS = {
    "code",
    "description",
    "probability",
    "cost_low",
    "cost_most_likely",
    "cost_high",
    "days_low",
    "days_most_likely",
    "days_high",
    "tasks",
    "owner",
    "mitigation",
    "mitigation_cost",
    "mitigation_status",
    "mitigated_probability",
    "mitigated_cost_low",
    "mitigated_cost_most_likely",
    "mitigated_cost_high",
    "mitigated_days_low",
    "mitigated_days_most_likely",
    "mitigated_days_high",
    "status",
}
ACTUAL_FIELDS = {
    "project",
    "task_type",
    "role",
    "estimated_effort",
    "actual_effort",
    "estimated_cost",
    "actual_cost",
    "estimated_duration",
    "actual_duration",
    "completed_on",
}
Line = EstimateTask | RateCardLine | NonLabourItem | EstimateRisk


# -- estimates ---------------------------------------------------------------------------------


@transaction.atomic
def estimate_create(*, actor: Any, opportunity_id: int, data: dict[str, Any]) -> Estimate:
    """Start an estimate (version 1, a draft) on an opportunity the actor may see."""
    require(actor, "estimate.edit")
    opportunity = visible_opportunities(actor).filter(pk=opportunity_id).first()
    if opportunity is None:
        raise Http404("no such opportunity")
    unknown = sorted(set(data) - ESTIMATE_FIELDS)
    if unknown:
        raise ApplicationError(unknown[0], "is not a field of an estimate")
    data = _normalise_estimate(data)
    data.setdefault("currency", opportunity.currency)
    estimate = Estimate(opportunity=opportunity, owner=actor, **data)
    clean_or_raise(estimate)
    _check_dates(estimate)
    estimate.save()
    version = EstimateVersion.objects.create(estimate=estimate, number=1)
    audit.record_created(actor, estimate)
    audit.record_created(actor, version)
    return estimate


def _normalise_estimate(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if isinstance(data.get("currency"), str):
        data["currency"] = data["currency"].strip().upper()
    if isinstance(data.get("holiday_country"), str):
        data["holiday_country"] = data["holiday_country"].strip().upper()
    return data


def _check_dates(estimate: Estimate) -> None:
    if estimate.target_date and estimate.start_date and estimate.target_date < estimate.start_date:
        raise ApplicationError("target_date", "is before the start date")
    if estimate.holiday_country and not estimate.start_date:
        raise ApplicationError("start_date", "is needed to apply a holiday calendar")


@transaction.atomic
def estimate_update(
    *, actor: Any, estimate: Estimate, data: dict[str, Any], expected_version: int | None = None
) -> Estimate:
    """Change the estimate's own fields (title, currency, distribution, confidence, dates)."""
    require(actor, "estimate.edit")
    estimate = _lock(estimate)
    check_version(estimate, expected_version)
    estimate = _open_for_edit(actor, estimate)
    before = audit.snapshot(estimate)
    changed = apply_changes(estimate, _normalise_estimate(data), allowed=ESTIMATE_FIELDS)
    if not changed:
        return estimate
    clean_or_raise(estimate)
    _check_dates(estimate)
    estimate.save(update_fields=changed)
    audit.record_updated(actor, estimate, before)
    return estimate


def _lock(estimate: Estimate) -> Estimate:
    return Estimate.objects.select_for_update().select_related("opportunity").get(pk=estimate.pk)


def current_version(estimate: Estimate) -> EstimateVersion:
    return EstimateVersion.objects.get(estimate=estimate, number=estimate.current_version)


def _open_for_edit(actor: Any, estimate: Estimate) -> Estimate:
    """The estimate, ready to change: refused while under review or signed off; a returned
    estimate moves on to a new draft version first."""
    if estimate.status == EstimateStatus.SUBMITTED:
        raise StateConflict(
            "status",
            f"version {estimate.current_version} is submitted for review and frozen; "
            "wait for the review (or ask for it to be returned) before changing it",
        )
    if estimate.status == EstimateStatus.SIGNED_OFF:
        raise StateConflict(
            "status",
            f"version {estimate.current_version} is signed off and frozen; "
            "start a new version to change the estimate",
        )
    if estimate.status == EstimateStatus.RETURNED:
        _new_version(actor, estimate)
    return estimate


def _new_version(actor: Any, estimate: Estimate) -> EstimateVersion:
    before = audit.snapshot(estimate)
    previous = current_version(estimate)
    estimate.current_version += 1
    estimate.status = EstimateStatus.DRAFT
    estimate.save(update_fields=["current_version", "status"])
    version = EstimateVersion.objects.create(
        estimate=estimate, number=estimate.current_version, result=previous.result
    )
    audit.record_step(
        actor,
        estimate,
        f"version {version.number} started",
        audit.diff(before, audit.snapshot(estimate)),
    )
    return version


@transaction.atomic
def estimate_revise(
    *, actor: Any, estimate: Estimate, expected_version: int | None = None
) -> EstimateVersion:
    """Open a new draft version of a signed-off or returned estimate; the frozen one stays as it is."""
    require(actor, "estimate.edit")
    estimate = _lock(estimate)
    check_version(estimate, expected_version)
    if estimate.status not in (EstimateStatus.SIGNED_OFF, EstimateStatus.RETURNED):
        raise StateConflict("status", f"version {estimate.current_version} is not frozen; change it directly")
    return _new_version(actor, estimate)


# -- lines of the working copy ------------------------------------------------------------------


def _task_dependencies(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise ApplicationError("dependencies", "must be a list of {task, type, lag}")
    out = []
    for i, dep in enumerate(value):
        if isinstance(dep, str):
            dep = {"task": dep}
        if not isinstance(dep, dict) or not isinstance(dep.get("task"), str) or not dep["task"]:
            raise ApplicationError("dependencies", f"item {i + 1}: name the predecessor task's code")
        kind = str(dep.get("type", "FS")).upper()
        if kind not in DependencyType.values:
            raise ApplicationError("dependencies", f"item {i + 1}: type must be FS, SS, FF or SF")
        try:
            lag = float(dep.get("lag", 0) or 0)
        except (TypeError, ValueError):
            raise ApplicationError("dependencies", f"item {i + 1}: lag must be a number of days") from None
        out.append({"task": dep["task"], "type": kind, "lag": lag})
    return out


def _check_task(estimate: Estimate, task: EstimateTask) -> None:
    if not task.milestone and not (task.optimistic <= task.most_likely <= task.pessimistic):
        raise ApplicationError(
            "most_likely", "effort must be optimistic ≤ most likely ≤ pessimistic (in person-days)"
        )
    if task.milestone:
        task.optimistic = task.most_likely = task.pessimistic = Decimal("0")
    codes = set(
        EstimateTask.objects.filter(estimate=estimate).exclude(pk=task.pk).values_list("code", flat=True)
    )
    for dep in task.dependencies:
        if dep["task"] == task.code:
            raise ApplicationError("dependencies", "a task cannot depend on itself")
        if dep["task"] not in codes:
            raise ApplicationError("dependencies", f"no task with code {dep['task']!r} in this estimate")


def _check_risk(estimate: Estimate, risk: EstimateRisk) -> None:
    if not (risk.cost_low <= risk.cost_most_likely <= risk.cost_high):
        raise ApplicationError("cost_most_likely", "cost impact must be low ≤ most likely ≤ high")
    if not (risk.days_low <= risk.days_most_likely <= risk.days_high):
        raise ApplicationError("days_most_likely", "schedule impact must be low ≤ most likely ≤ high")
    if not isinstance(risk.tasks, list) or not all(isinstance(c, str) for c in risk.tasks):
        raise ApplicationError("tasks", "must be a list of task codes")
    for kind, label in (("cost", "mitigated cost impact"), ("days", "mitigated schedule impact")):
        triple = [getattr(risk, f"mitigated_{kind}_{end}") for end in ("low", "most_likely", "high")]
        given = [v is not None for v in triple]
        if any(given) and not all(given):
            missing = ("low", "most_likely", "high")[given.index(False)]
            raise ApplicationError(
                f"mitigated_{kind}_{missing}", f"give all three points of the {label}, or none"
            )
        if all(given) and not (triple[0] <= triple[1] <= triple[2]):
            raise ApplicationError(
                f"mitigated_{kind}_most_likely", f"{label} must be low ≤ most likely ≤ high"
            )
    codes = set(EstimateTask.objects.filter(estimate=estimate).values_list("code", flat=True))
    unknown = [c for c in risk.tasks if c not in codes]
    if unknown:
        raise ApplicationError("tasks", f"no task with code {unknown[0]!r} in this estimate")


def _check_item(item: NonLabourItem) -> None:
    if item.unit_cost_low is not None and item.unit_cost_low > item.unit_cost:
        raise ApplicationError("unit_cost_low", "must be at most the (most likely) unit cost")
    if item.unit_cost_high is not None and item.unit_cost_high < item.unit_cost:
        raise ApplicationError("unit_cost_high", "must be at least the (most likely) unit cost")


def _resolve_line_refs(actor: Any, model: type[models.Model], data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if "product_id" in data:
        from salesdesk.catalog.selectors import visible_products

        product_id = data.pop("product_id")
        product = None
        if product_id is not None:
            product = visible_products(actor).filter(pk=product_id).first()
            if product is None:
                raise Http404("no such product")
        data["product"] = product
    if "owner_id" in data:
        from salesdesk.parties.selectors import visible_users

        owner_id = data.pop("owner_id")
        owner = None
        if owner_id is not None:
            owner = visible_users(actor).filter(pk=owner_id, is_active=True, kind="support").first()
            if owner is None:
                # Someone the actor cannot see is not found; a visible non-staff user is a 400.
                if not visible_users(actor).filter(pk=owner_id).exists():
                    raise Http404("no such user")
                raise ApplicationError("owner_id", "must be an active support staff member")
        data["owner"] = owner
    if "dependencies" in data:
        data["dependencies"] = _task_dependencies(data["dependencies"])
    if isinstance(data.get("currency"), str):
        data["currency"] = data["currency"].strip().upper()
    return data


_LINE_FIELDS: dict[type[models.Model], set[str]] = {
    EstimateTask: TASK_FIELDS,
    RateCardLine: RATE_FIELDS,
    NonLabourItem: ITEM_FIELDS,
    EstimateRisk: RISK_FIELDS,
}


def _check_line(estimate: Estimate, line: Line) -> None:
    if isinstance(line, EstimateTask):
        _check_task(estimate, line)
    elif isinstance(line, EstimateRisk):
        _check_risk(estimate, line)
    elif isinstance(line, NonLabourItem):
        _check_item(line)
    elif isinstance(line, RateCardLine) and line.currency != estimate.currency:
        raise ApplicationError("currency", f"must be the estimate's currency, {estimate.currency}")


@transaction.atomic
def line_add(*, actor: Any, estimate: Estimate, model: type[Line], data: dict[str, Any]) -> Line:
    """Add a task, rate, non-labour item or risk to the estimate's draft version."""
    require(actor, "estimate.edit")
    estimate = _open_for_edit(actor, _lock(estimate))
    data = _resolve_line_refs(actor, model, data)
    unknown = sorted(set(data) - _LINE_FIELDS[model])
    if unknown:
        raise ApplicationError(unknown[0], f"is not a field of a {model._meta.verbose_name}")
    if model is RateCardLine:
        data.setdefault("currency", estimate.currency)
    if model is EstimateTask and "position" not in data:
        data["position"] = EstimateTask.objects.filter(estimate=estimate).count() + 1
    line = model(estimate=estimate, **data)
    clean_or_raise(line)
    _check_line(estimate, line)
    line.save()
    _check_plan(estimate, line)
    audit.record_created(actor, line)
    return line


@transaction.atomic
def line_update(*, actor: Any, line: Line, data: dict[str, Any], expected_version: int | None = None) -> Line:
    """Change one row of the draft version."""
    require(actor, "estimate.edit")
    estimate = _open_for_edit(actor, _lock(line.estimate))
    line = type(line).objects.select_for_update().get(pk=line.pk)
    check_version(line, expected_version)
    before = audit.snapshot(line)
    changed = apply_changes(
        line, _resolve_line_refs(actor, type(line), data), allowed=_LINE_FIELDS[type(line)]
    )
    if not changed:
        return line
    clean_or_raise(line)
    _check_line(estimate, line)
    if isinstance(line, EstimateTask) and "code" in changed:
        _refuse_renaming_a_used_task(estimate, before["code"])
    line.save(
        update_fields=[*changed, "optimistic", "most_likely", "pessimistic"]
        if isinstance(line, EstimateTask)
        else changed
    )
    _check_plan(estimate, line)
    audit.record_updated(actor, line, before)
    return line


def _check_plan(estimate: Estimate, line: Line) -> None:
    """A task change that breaks the network (a dependency cycle) is refused, naming the tasks."""
    if isinstance(line, EstimateTask) and line.dependencies:
        try:
            planning.build_plan(estimate)
        except ApplicationError as exc:
            raise ApplicationError("dependencies", exc.errors[0].message) from exc


def _refuse_renaming_a_used_task(estimate: Estimate, code: str) -> None:
    if _task_in_use(estimate, code):
        raise ApplicationError("code", f"task {code} is a predecessor or a risk's task; change those first")


def _task_in_use(estimate: Estimate, code: str) -> bool:
    for task in EstimateTask.objects.filter(estimate=estimate):
        if any(d.get("task") == code for d in task.dependencies):
            return True
    return any(code in risk.tasks for risk in EstimateRisk.objects.filter(estimate=estimate))


@transaction.atomic
def line_remove(*, actor: Any, line: Line) -> None:
    """Remove one row of the draft version (a task others depend on is refused)."""
    require(actor, "estimate.edit")
    estimate = _open_for_edit(actor, _lock(line.estimate))
    if isinstance(line, EstimateTask) and _task_in_use(estimate, line.code):
        raise ApplicationError(
            "code", f"task {line.code} is a predecessor or a risk's task; change those first"
        )
    audit.record_deleted(actor, line)
    line.delete()


@transaction.atomic
def apply_calibration(*, actor: Any, estimate: Estimate, task_type: str, factor: float) -> int:
    """Multiply the three-point effort of every task of ``task_type`` by ``factor``; returns how many."""
    require(actor, "estimate.edit")
    if not (0.2 <= factor <= 5):
        raise ApplicationError("factor", "must be between 0.2 and 5")
    estimate = _lock(estimate)
    if not EstimateTask.objects.filter(estimate=estimate, task_type=task_type).exists():
        types = sorted(
            set(
                EstimateTask.objects.filter(estimate=estimate)
                .exclude(task_type="")
                .values_list("task_type", flat=True)
            )
        )
        raise ApplicationError(
            "task_type",
            f"no task of type “{task_type}” in {estimate.title}"
            + (f"; its task types: {', '.join(types)}" if types else "; it has no typed tasks"),
        )
    estimate = _open_for_edit(actor, estimate)
    k = Decimal(str(round(factor, 4)))
    count = 0
    for task in EstimateTask.objects.select_for_update().filter(estimate=estimate, task_type=task_type):
        before = audit.snapshot(task)
        for name in ("optimistic", "most_likely", "pessimistic"):
            setattr(task, name, planning.money(getattr(task, name) * k))
        task.save(update_fields=["optimistic", "most_likely", "pessimistic"])
        audit.record_updated(actor, task, before, step=f"calibrated ×{k}")
        count += 1
    audit.record_step(
        actor,
        estimate,
        "calibration applied",
        detail={"task_type": task_type, "factor": str(k), "tasks": count},
    )
    return count


# -- simulation --------------------------------------------------------------------------------


def estimate_simulate(
    *, actor: Any, estimate: Estimate, iterations: int = DEFAULT_ITERATIONS, seed: int = 0
) -> dict[str, Any] | Any:
    """Run Monte Carlo on the draft: small runs answer at once (the summary), large ones return a Job."""
    require(actor, "estimate.edit")
    if not (100 <= iterations <= MAX_ITERATIONS):
        raise ApplicationError("iterations", f"must be between 100 and {MAX_ITERATIONS:,}")
    with transaction.atomic():
        # Frozen versions refuse (clear error); a returned estimate moves on to its next draft,
        # which is where the new result belongs.
        estimate = _open_for_edit(actor, _lock(estimate))
    tasks = EstimateTask.objects.filter(estimate=estimate).count()
    if iterations * max(tasks, 1) > INLINE_SIMULATION_ELEMENTS:
        from .tasks import estimate_simulation_start

        return estimate_simulation_start(actor=actor, estimate=estimate, iterations=iterations, seed=seed)
    summary = planning.run_simulation(estimate, iterations=iterations, seed=seed)
    return store_result(actor=actor, estimate_id=estimate.pk, summary=summary)


@transaction.atomic
def store_result(*, actor: Any, estimate_id: int, summary: dict[str, Any]) -> dict[str, Any]:
    """Keep a simulation's summary on the estimate's draft version."""
    estimate = Estimate.objects.select_for_update().get(pk=estimate_id)
    version = current_version(estimate)
    if version.frozen:
        raise StateConflict("status", f"version {version.number} is frozen; its result is kept as it was")
    summary = {**summary, "run_at": timezone.now().isoformat()}
    version.result = summary
    version.save(update_fields=["result"])
    audit.record_step(
        actor,
        version,
        "simulated",
        detail={k: summary.get(k) for k in ("iterations", "p50_cost", "p80_cost", "contingency_cost")},
    )
    return summary


# -- review workflow -----------------------------------------------------------------------------


def estimate_snapshot(estimate: Estimate) -> dict[str, Any]:
    """The whole estimate as plain JSON: fields, every row keyed by its business key, figures."""
    rows = planning.rows_of(estimate)

    def plain(instance: models.Model, drop: tuple[str, ...] = ("estimate",)) -> dict[str, Any]:
        return {k: v for k, v in audit.snapshot(instance).items() if k not in drop}

    estimate_fields = {k: v for k, v in audit.snapshot(estimate).items() if k in ESTIMATE_FIELDS}
    return {
        "estimate": estimate_fields,
        "tasks": {t.code: plain(t) for t in rows.tasks},
        "rates": {r.role: plain(r) for r in rows.rates.values()},
        "items": {f"{i.description} #{n + 1}": plain(i) for n, i in enumerate(rows.items)},
        "risks": {r.code: plain(r) for r in EstimateRisk.objects.filter(estimate=estimate)},
        "figures": {k: str(v) for k, v in planning.cost_figures(rows).items()},
    }


@transaction.atomic
def estimate_submit(
    *, actor: Any, estimate: Estimate, expected_version: int | None = None
) -> EstimateVersion:
    """Submit the draft for review: the version is frozen with a snapshot (and a simulation)."""
    require(actor, "estimate.edit")
    estimate = _lock(estimate)
    check_version(estimate, expected_version)
    if estimate.status == EstimateStatus.RETURNED:
        _new_version(actor, estimate)
    if estimate.status != EstimateStatus.DRAFT:
        raise StateConflict(
            "status",
            f"only a draft can be submitted; this estimate is {estimate.get_status_display().lower()}",
        )
    version = current_version(estimate)
    if not version.result:
        version.result = planning.run_simulation(estimate, iterations=DEFAULT_ITERATIONS, seed=0)
    else:
        planning.build_plan(estimate)  # a plan that no longer schedules is not submitted
    before = audit.snapshot(estimate)
    version.snapshot = estimate_snapshot(estimate)
    version.frozen = True
    version.status = EstimateStatus.SUBMITTED
    version.submitted_by = actor
    version.submitted_at = timezone.now()
    version.save(update_fields=["snapshot", "frozen", "status", "submitted_by", "submitted_at", "result"])
    estimate.status = EstimateStatus.SUBMITTED
    estimate.save(update_fields=["status"])
    audit.record_step(
        actor, estimate, f"version {version.number} submitted", audit.diff(before, audit.snapshot(estimate))
    )
    return version


def _reviewable(
    actor: Any, estimate: Estimate, expected_version: int | None
) -> tuple[Estimate, EstimateVersion]:
    require(actor, "estimate.signoff")
    estimate = _lock(estimate)
    check_version(estimate, expected_version)
    if estimate.status != EstimateStatus.SUBMITTED:
        raise StateConflict("status", "only a submitted estimate can be reviewed")
    version = current_version(estimate)
    if version.submitted_by_id == actor.pk:
        raise ApplicationError("reviewer", "you submitted this version; another reviewer must review it")
    return estimate, version


@transaction.atomic
def estimate_sign_off(
    *, actor: Any, estimate: Estimate, comments: str = "", expected_version: int | None = None
) -> EstimateVersion:
    """Sign off the submitted version (level 5): it stays frozen and may go into a proposal."""
    estimate, version = _reviewable(actor, estimate, expected_version)
    before = audit.snapshot(estimate)
    version.status = EstimateStatus.SIGNED_OFF
    version.signed_off_by = actor
    version.signed_off_at = timezone.now()
    version.review_comments = comments.strip()
    version.save(update_fields=["status", "signed_off_by", "signed_off_at", "review_comments"])
    estimate.status = EstimateStatus.SIGNED_OFF
    estimate.save(update_fields=["status"])
    audit.record_step(
        actor, estimate, f"version {version.number} signed off", audit.diff(before, audit.snapshot(estimate))
    )
    return version


@transaction.atomic
def estimate_return(
    *, actor: Any, estimate: Estimate, comments: str, expected_version: int | None = None
) -> EstimateVersion:
    """Send the submitted version back with comments; the next change opens a new version."""
    if not comments.strip():
        require(actor, "estimate.signoff")
        raise ApplicationError("comments", "say what should change")
    estimate, version = _reviewable(actor, estimate, expected_version)
    before = audit.snapshot(estimate)
    version.status = EstimateStatus.RETURNED
    version.review_comments = comments.strip()
    version.save(update_fields=["status", "review_comments"])
    estimate.status = EstimateStatus.RETURNED
    estimate.save(update_fields=["status"])
    audit.record_step(
        actor,
        estimate,
        f"version {version.number} returned",
        audit.diff(before, audit.snapshot(estimate)),
        detail={"comments": version.review_comments},
    )
    return version


def estimate_usable_in_proposal(estimate: Estimate) -> bool:
    """Only a signed-off estimate may be priced into a proposal."""
    return estimate.usable_in_proposal


def signed_off_version(estimate: Estimate) -> EstimateVersion | None:
    """The latest signed-off version (what a proposal uses), even while a newer draft exists."""
    return (
        EstimateVersion.objects.filter(estimate=estimate, status=EstimateStatus.SIGNED_OFF)
        .order_by("-number")
        .first()
    )


# -- versions and diff ----------------------------------------------------------------------------


def version_content(version: EstimateVersion) -> dict[str, Any]:
    """What a version holds: its frozen snapshot, or the live working copy for the draft."""
    if version.frozen:
        snapshot: dict[str, Any] = version.snapshot
        return snapshot
    return estimate_snapshot(version.estimate)


def versions_diff(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Every difference between two version contents: [{section, key, change, fields}]."""
    changes: list[dict[str, Any]] = []
    for field, values in audit.diff(old.get("estimate", {}), new.get("estimate", {})).items():
        changes.append({"section": "estimate", "key": field, "change": "changed", "fields": {field: values}})
    for section in ("tasks", "rates", "items", "risks", "figures"):
        before: dict[str, Any] = old.get(section, {})
        after: dict[str, Any] = new.get(section, {})
        if section == "figures":
            for key, values in audit.diff(before, after).items():
                changes.append({"section": section, "key": key, "change": "changed", "fields": {key: values}})
            continue
        for key in sorted(set(before) | set(after)):
            if key not in before:
                changes.append({"section": section, "key": key, "change": "added", "fields": {}})
            elif key not in after:
                changes.append({"section": section, "key": key, "change": "removed", "fields": {}})
            else:
                fields = audit.diff(before[key], after[key])
                if fields:
                    changes.append({"section": section, "key": key, "change": "changed", "fields": fields})
    return changes


# -- calibration -----------------------------------------------------------------------------------


@transaction.atomic
def actual_record(*, actor: Any, data: dict[str, Any]) -> ProjectActual:
    """Record what a finished project's task really took, for calibration."""
    require(actor, "estimate.edit")
    unknown = sorted(set(data) - ACTUAL_FIELDS)
    if unknown:
        raise ApplicationError(unknown[0], "is not a field of a project actual")
    actual = ProjectActual(recorded_by=actor, **data)
    clean_or_raise(actual)
    if actual.completed_on and actual.completed_on > dt.date.today():
        raise ApplicationError("completed_on", "is in the future")
    actual.save()
    audit.record_created(actor, actual)
    return actual
