"""The JSON contracts of plan scheduling, PERT and Monte Carlo (issue 7), shared by the CLI and the API.

``salesdesk plan schedule|pert --json``, ``salesdesk estimate simulate --json`` and
``POST /api/plans/schedule|pert|simulate`` answer with the same objects, built here from the pure
engines ``scheduling`` and ``montecarlo``. No Django. A bad plan is a ``PlanError`` (one line
naming the task and the problem); a bad option (deadline, iterations, seed, budget) is an
``OptionError`` naming the option, which the CLI prints as ``--option: problem`` and the API as
the body field.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from .montecarlo import MAX_ITERATIONS, MonteCarloModel, SimulationResult, model_from_plan
from .montecarlo import simulate as run_montecarlo
from .plan import Plan, PlanError
from .scheduling import (
    OverAllocation,
    PertResult,
    Schedule,
    WorkingCalendar,
    pert,
    plan_over_allocations,
    schedule_dates,
    schedule_plan,
)

DISTRIBUTIONS = ("triangular", "pert")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class OptionError(ValueError):
    """A bad option of a run (not of the plan): ``field`` names it, ``message`` says what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def number(value: float) -> float:
    """A JSON-safe float: rounded to 6 decimals, no -0.0 (NaN and infinity never reach here)."""
    rounded = round(float(value), 6)
    return 0.0 if rounded == 0 else rounded


def plain(value: float) -> float:
    """A JSON-safe float: finite (NaN never reaches here), no -0.0."""
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"non-finite result {result}")
    return 0.0 if result == 0 else result


# -- deadlines -------------------------------------------------------------------------------


def parse_deadline(text: str) -> float | date:
    """A deadline as typed: working days from the start, or a date YYYY-MM-DD."""
    if _DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise OptionError("deadline", f"{text} is not a valid date") from None
    try:
        days = float(text)
    except ValueError:
        raise OptionError("deadline", "a number of working days or a date YYYY-MM-DD") from None
    if not math.isfinite(days):
        raise OptionError("deadline", "a finite number of working days")
    return days


def deadline_days(deadline: float | date, plan: Plan) -> float:
    """A deadline in working days from the start: a date counts the plan's working days up to
    and including it (its calendar, or every day without one), so it needs ``start_date``."""
    if not isinstance(deadline, date):
        return deadline
    calendar = WorkingCalendar.for_plan(plan)
    if calendar is None:
        raise OptionError("deadline", "a date needs the plan's start_date; give working days instead")
    return float(calendar.offset_of(deadline))


# -- CPM schedule ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleOutcome:
    figures: dict[str, Any]  # {"duration", "critical_path", "tasks"}
    schedule: Schedule
    calendar: WorkingCalendar | None
    warnings: list[OverAllocation]


def schedule_contract(plan: Plan) -> ScheduleOutcome:
    """Critical path method: early/late times, floats, critical path and dates (with a start date)."""
    schedule = schedule_plan(plan)
    calendar = WorkingCalendar.for_plan(plan)
    dates = schedule_dates(schedule, calendar) if calendar else None
    warnings = list(plan_over_allocations(plan, schedule))
    tasks: dict[str, dict[str, Any]] = {}
    for i, task_id in enumerate(schedule.ids):
        start, finish = dates[i] if dates else (None, None)
        tasks[task_id] = {
            "early_start": number(schedule.early_start[i]),
            "early_finish": number(schedule.early_finish[i]),
            "late_start": number(schedule.late_start[i]),
            "late_finish": number(schedule.late_finish[i]),
            "total_float": number(schedule.total_float[i]),
            "free_float": number(schedule.free_float[i]),
            "critical": bool(schedule.critical[i]),
            "start_date": start.isoformat() if start else None,
            "finish_date": finish.isoformat() if finish else None,
        }
    critical_path = [schedule.ids[i] for i in schedule.critical_path]
    figures = {"duration": number(schedule.duration), "critical_path": critical_path, "tasks": tasks}
    return ScheduleOutcome(figures=figures, schedule=schedule, calendar=calendar, warnings=warnings)


def over_allocation_dict(warning: OverAllocation) -> dict[str, Any]:
    return {
        "role": warning.role,
        "first_day": warning.first_day,
        "last_day": warning.last_day,
        "demand": number(warning.demand),
        "capacity": number(warning.capacity),
        "tasks": list(warning.tasks),
    }


# -- PERT ------------------------------------------------------------------------------------


def pert_contract(
    plan: Plan, deadline: float | date | None = None
) -> tuple[dict[str, Any], PertResult, float | None]:
    """Classic PERT: expected duration, variance and the chance of finishing by ``deadline``
    (working days or a date); returns the figures, the engine's result and the deadline in days."""
    result = pert(plan)
    days = None if deadline is None else deadline_days(deadline, plan)
    probability = None if days is None else number(result.probability_by(days))
    figures = {
        "expected_duration": number(result.expected_duration),
        "variance": number(result.project_variance),
        "std_dev": number(result.std_dev),
        "critical_path": [plan.tasks[i].id for i in result.critical_path],
        "probability_by_deadline": probability,
        "tasks": {
            task.id: {"expected": number(result.expected[i]), "variance": number(result.variance[i])}
            for i, task in enumerate(plan.tasks)
        },
    }
    return figures, result, days


# -- Monte Carlo -----------------------------------------------------------------------------


def correlation_groups(data: object) -> list[tuple[list[str], float]]:
    """The plan's optional ``"correlation": [{"tasks": [...], "coefficient": x}, …]``."""
    groups = data.get("correlation", []) if isinstance(data, dict) else []
    if not isinstance(groups, list):
        raise PlanError('correlation: must be a list of {"tasks": [...], "coefficient": x}')
    out = []
    for k, group in enumerate(groups):
        where = f"correlation[{k}]"
        if not isinstance(group, dict):
            raise PlanError(f"{where}: must be an object with tasks and coefficient")
        tasks, coefficient = group.get("tasks"), group.get("coefficient")
        if not isinstance(tasks, list) or not all(isinstance(t, str) for t in tasks):
            raise PlanError(f"{where}: tasks must be a list of task ids")
        if isinstance(coefficient, bool) or not isinstance(coefficient, int | float):
            raise PlanError(f"{where}: coefficient must be a number between 0 and 1")
        out.append((tasks, float(coefficient)))
    return out


def check_simulation_options(
    iterations: int, seed: int, budget: float | None, distribution: str = "pert"
) -> None:
    if not (1 <= iterations <= MAX_ITERATIONS):
        raise OptionError("iterations", f"between 1 and {MAX_ITERATIONS:,}, not {iterations}")
    if seed < 0:
        raise OptionError("seed", "a non-negative integer")
    if budget is not None and not math.isfinite(budget):
        raise OptionError("budget", "a finite number")
    if distribution not in DISTRIBUTIONS:
        raise OptionError("distribution", f"one of {', '.join(DISTRIBUTIONS)}, not {distribution!r}")


def simulation_model(plan: Plan, data: object) -> MonteCarloModel:
    """The Monte Carlo model of ``plan`` with the correlation groups of its raw JSON ``data``."""
    return model_from_plan(plan, correlation=correlation_groups(data))


def simulation_report(
    result: SimulationResult, days: float | None = None, budget: float | None = None
) -> dict[str, Any]:
    """Duration and cost percentiles, probabilities, criticality and sensitivity."""
    assert result.cost is not None
    return {
        "iterations": result.iterations,
        "duration": {k: plain(v) for k, v in result.duration.as_dict().items()},
        "cost": {k: plain(v) for k, v in result.cost.as_dict().items()},
        "probability_by_deadline": None if days is None else plain(result.probability_by(days)),
        "probability_within_budget": None if budget is None else plain(result.probability_within(budget)),
        "criticality": {k: plain(v) for k, v in result.criticality.items()},
        "sensitivity": {k: plain(v) for k, v in result.sensitivity.items()},
    }


__all__ = [
    "DISTRIBUTIONS",
    "OptionError",
    "PlanError",
    "check_simulation_options",
    "correlation_groups",
    "deadline_days",
    "number",
    "over_allocation_dict",
    "parse_deadline",
    "pert_contract",
    "plain",
    "run_montecarlo",
    "schedule_contract",
    "simulation_model",
    "simulation_report",
]
