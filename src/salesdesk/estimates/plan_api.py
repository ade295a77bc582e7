"""API for plans as files: the same JSON contracts as ``salesdesk plan schedule|pert`` and
``salesdesk estimate simulate`` (``--json``).

The body is the PLAN.json itself, with the run's options beside its keys (``deadline`` for PERT
and Monte Carlo; ``iterations``, ``seed``, ``distribution``, ``budget`` for Monte Carlo).
Stateless: nothing is stored, so the only check is the capability ("estimate.edit", support
level 4 and up; everyone else 403). The figures come from ``estimates.contracts``, which the CLI
uses too. A bad plan or option is a 400 naming the field. Monte Carlo runs synchronously up to
``MAX_SYNC_WORK`` task-iterations; larger runs belong to a stored estimate, whose simulation
endpoint runs them as a background job.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any, Literal

from ninja import Body, Router

from salesdesk.core.api import AuthedRequest
from salesdesk.core.errors import ApplicationError
from salesdesk.core.permissions import require

from . import contracts
from .plan import Plan, PlanError, parse_plan

router = Router(tags=["plans"])

DEFAULT_ITERATIONS = 10_000  # as `salesdesk estimate simulate`
DEFAULT_SEED = 1
MAX_SYNC_ITERATIONS = 200_000
MAX_SYNC_WORK = 20_000_000  # iterations × tasks: about 2 s of CPU here (docs/benchmarks.md, Monte Carlo)

_PLAN_BODY = Body(
    ...,
    description=(
        "The PLAN.json object (tasks, resources, risks, start_date, calendar, correlation) with the "
        "run's options as extra keys."
    ),
)


def _plan(body: dict[str, Any], options: tuple[str, ...]) -> tuple[Plan, dict[str, Any]]:
    data = {k: v for k, v in body.items() if k not in options}
    try:
        return parse_plan(data), data
    except PlanError as err:
        raise ApplicationError(_field_of(str(err)), str(err)) from None


PLAN_KEYS = ("tasks", "risks", "resources", "calendar", "start_date", "correlation")


def _field_of(message: str) -> str:
    """The plan key a PlanError line is about ("task \"A\": …" and "dependency cycle: …" → "tasks")."""
    head, _, rest = message.partition(":")
    base = head.strip().split("[", 1)[0].split(".", 1)[0]
    if base in PLAN_KEYS:
        return base
    if base.startswith(("task ", "dependency")):
        return "tasks"
    if base.startswith("risk "):
        return "risks"
    return "tasks" if base == "plan" and "tasks" in rest else "plan"


def _deadline(value: Any) -> float | date | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ApplicationError("deadline", "a number of working days or a date YYYY-MM-DD")
    try:
        if isinstance(value, str):
            return contracts.parse_deadline(value)
        if not math.isfinite(value):
            raise contracts.OptionError("deadline", "a finite number of working days")
        return float(value)
    except contracts.OptionError as err:
        raise ApplicationError(err.field, err.message) from None


def _integer(body: dict[str, Any], key: str, default: int) -> int:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApplicationError(key, "must be a whole number")
    return value


@router.post(
    "/plans/schedule",
    response=dict[str, Any],
    summary="Critical path method of a PLAN.json: early/late times, floats, critical path, dates",
)
def plan_schedule(request: AuthedRequest, body: dict[str, Any] = _PLAN_BODY) -> Any:
    require(request.auth, "estimate.edit")
    plan, _ = _plan(body, ())
    try:
        outcome = contracts.schedule_contract(plan)
    except PlanError as err:
        raise ApplicationError(_field_of(str(err)), str(err)) from None
    return outcome.figures


@router.post(
    "/plans/pert",
    response=dict[str, Any],
    summary="PERT of a PLAN.json: expected duration, variance, chance of meeting `deadline`",
)
def plan_pert(request: AuthedRequest, body: dict[str, Any] = _PLAN_BODY) -> Any:
    require(request.auth, "estimate.edit")
    deadline = _deadline(body.get("deadline"))
    plan, _ = _plan(body, ("deadline",))
    try:
        figures, _result, _days = contracts.pert_contract(plan, deadline)
    except contracts.OptionError as err:
        raise ApplicationError(err.field, err.message) from None
    except PlanError as err:
        raise ApplicationError(_field_of(str(err)), str(err)) from None
    return figures


SIMULATION_OPTIONS = ("deadline", "iterations", "seed", "distribution", "budget")


@router.post(
    "/plans/simulate",
    response=dict[str, Any],
    summary="Monte Carlo of a PLAN.json: duration and cost percentiles, criticality, sensitivity",
    description=(
        "Options beside the plan's keys: `iterations` (default 10,000), `seed` (default 1), "
        "`distribution` (`pert` or `triangular`), `deadline` (working days or YYYY-MM-DD), "
        f"`budget`. At most {MAX_SYNC_ITERATIONS:,} iterations and {MAX_SYNC_WORK:,} "
        "iterations × tasks here; larger runs: store the plan as an estimate and POST "
        "/api/estimates/{estimate_id}/simulation (a background job), or use the CLI."
    ),
)
def plan_simulate(request: AuthedRequest, body: dict[str, Any] = _PLAN_BODY) -> Any:
    require(request.auth, "estimate.edit")
    iterations = _integer(body, "iterations", DEFAULT_ITERATIONS)
    seed = _integer(body, "seed", DEFAULT_SEED)
    distribution = body.get("distribution", "pert")
    budget_raw = body.get("budget")
    if budget_raw is not None and (isinstance(budget_raw, bool) or not isinstance(budget_raw, int | float)):
        raise ApplicationError("budget", "must be a number")
    budget = None if budget_raw is None else float(budget_raw)
    if not isinstance(distribution, str):
        raise ApplicationError("distribution", "one of triangular, pert")
    try:
        contracts.check_simulation_options(iterations, seed, budget, distribution)
    except contracts.OptionError as err:
        raise ApplicationError(err.field, err.message) from None
    deadline = _deadline(body.get("deadline"))
    plan, data = _plan(body, SIMULATION_OPTIONS)
    work = iterations * len(plan.tasks)
    if iterations > MAX_SYNC_ITERATIONS or work > MAX_SYNC_WORK:
        raise ApplicationError(
            "iterations",
            f"{iterations:,} iterations × {len(plan.tasks):,} tasks is too large to answer at once "
            f"(at most {MAX_SYNC_ITERATIONS:,} iterations and {MAX_SYNC_WORK:,} iterations × tasks); "
            "store the plan as an estimate and POST /api/estimates/{estimate_id}/simulation, which "
            "runs large simulations as a background job, or use `salesdesk estimate simulate`",
        )
    try:
        days = None if deadline is None else contracts.deadline_days(deadline, plan)
        model = contracts.simulation_model(plan, data)
    except contracts.OptionError as err:
        raise ApplicationError(err.field, err.message) from None
    except PlanError as err:
        raise ApplicationError(_field_of(str(err)), str(err)) from None
    except ValueError as err:  # the engine's own checks (e.g. a correlation group)
        raise ApplicationError("correlation", str(err)) from None
    kind: Literal["triangular", "pert"] = "triangular" if distribution == "triangular" else "pert"
    result = contracts.run_montecarlo(model, iterations=iterations, seed=seed, distribution=kind)
    return contracts.simulation_report(result, days, budget)
