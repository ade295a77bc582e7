"""From an estimate's rows to the engines and back: Plan, CPM schedule, Monte Carlo summary.

Reads only. The engines (``plan``, ``scheduling``, ``montecarlo``) work in floats; money
leaves this module as strings of Decimals rounded to cents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

from salesdesk.core.errors import ApplicationError

from .montecarlo import SimulationResult, model_from_plan, s_curve, simulate
from .plan import Plan, PlanError, parse_plan
from .scheduling import WorkingCalendar, country_holidays, plan_over_allocations, schedule_plan

CENT = Decimal("0.01")


def money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class EstimateRows:
    """The working copy of an estimate, read once."""

    tasks: list[Any]
    rates: dict[str, Any]
    items: list[Any]
    risks: list[Any]


def rows_of(estimate: Any) -> EstimateRows:
    return EstimateRows(
        tasks=list(estimate.tasks.all()),
        rates={r.role: r for r in estimate.rates.all()},
        items=list(estimate.items.all()),
        risks=[r for r in estimate.risks.all() if r.status == "open"],
    )


def build_plan(estimate: Any, rows: EstimateRows | None = None) -> Plan:
    """The estimate as a checked ``Plan``; a problem is an ApplicationError naming the task."""
    rows = rows or rows_of(estimate)
    if not rows.tasks:
        raise ApplicationError("tasks", "the estimate has no tasks yet; add the work breakdown first")
    data: dict[str, Any] = {
        "tasks": [],
        "resources": {
            role: float(rate.capacity) for role, rate in rows.rates.items() if rate.capacity is not None
        },
    }
    if estimate.start_date:
        data["start_date"] = estimate.start_date.isoformat()
    for task in rows.tasks:
        rate = rows.rates.get(task.role)
        points = (
            (0.0, 0.0, 0.0)
            if task.milestone
            else (float(task.optimistic), float(task.most_likely), float(task.pessimistic))
        )
        data["tasks"].append(
            {
                "id": task.code,
                "name": task.name,
                "optimistic": points[0],
                "most_likely": points[1],
                "pessimistic": points[2],
                "predecessors": [
                    {"id": d.get("task"), "type": d.get("type", "FS"), "lag": d.get("lag", 0)}
                    for d in task.dependencies
                ],
                "cost_per_day": float(rate.cost_rate) if rate else 0.0,
                "role": task.role or None,
                "units": float(task.units),
            }
        )
    try:
        return parse_plan(data)
    except PlanError as exc:
        raise ApplicationError("tasks", str(exc)) from exc


def calendar_of(estimate: Any, plan: Plan) -> WorkingCalendar | None:
    if not estimate.start_date:
        return None
    holidays: frozenset[date] = frozenset()
    if estimate.holiday_country:
        years = range(estimate.start_date.year, estimate.start_date.year + 4)
        try:
            holidays = country_holidays(estimate.holiday_country, years)
        except PlanError as exc:
            raise ApplicationError("holiday_country", str(exc)) from exc
    return WorkingCalendar(estimate.start_date, holidays=holidays)


def finish_date(calendar: WorkingCalendar | None, days: float) -> str | None:
    """The date a plan of ``days`` working days ends on (inclusive), or None without a start date."""
    if calendar is None:
        return None
    return calendar.day(max(math.ceil(round(days, 9)) - 1, 0)).isoformat()


def schedule_of(estimate: Any, rows: EstimateRows | None = None) -> dict[str, Any]:
    """CPM of the most-likely plan: every task's early/late start, float, dates; the critical path."""
    rows = rows or rows_of(estimate)
    plan = build_plan(estimate, rows)
    schedule = schedule_plan(plan)
    calendar = calendar_of(estimate, plan)
    by_code = {t.code: t for t in rows.tasks}
    tasks = []
    for i, task_id in enumerate(schedule.ids):
        row = by_code[task_id]
        start, finish = float(schedule.early_start[i]), float(schedule.early_finish[i])
        dates = calendar.task_dates(start, finish) if calendar else None
        tasks.append(
            {
                "code": task_id,
                "name": row.name,
                "phase": row.phase,
                "role": row.role,
                "milestone": row.milestone,
                "duration": round(float(schedule.durations[i]), 4),
                "early_start": round(start, 4),
                "early_finish": round(finish, 4),
                "late_start": round(float(schedule.late_start[i]), 4),
                "late_finish": round(float(schedule.late_finish[i]), 4),
                "total_float": round(float(schedule.total_float[i]), 4),
                "critical": bool(schedule.critical[i]),
                "start_date": dates[0].isoformat() if dates else None,
                "finish_date": dates[1].isoformat() if dates else None,
                "predecessors": [dict(d) for d in row.dependencies],
            }
        )
    return {
        "duration": round(schedule.duration, 4),
        "start_date": estimate.start_date.isoformat() if estimate.start_date else None,
        "finish_date": finish_date(calendar, schedule.duration),
        "critical_path": [schedule.ids[i] for i in schedule.critical_path],
        "tasks": tasks,
        "over_allocations": over_allocation_warnings(plan, schedule, calendar),
    }


def over_allocation_warnings(
    plan: Plan, schedule: Any, calendar: WorkingCalendar | None
) -> list[dict[str, Any]]:
    """Where the early schedule asks a role for more people than its rate-card capacity: the role,
    the working days (offsets from 0, inclusive; dates when the estimate has a start date),
    the peak demand, the capacity, how much over, and the tasks running then."""
    warnings = []
    for over in plan_over_allocations(plan, schedule):
        first, last = over.first_day, over.last_day
        warnings.append(
            {
                "role": over.role,
                "first_day": first,
                "last_day": last,
                "days": last - first + 1,
                "start_date": calendar.day(first).isoformat() if calendar else None,
                "finish_date": calendar.day(last).isoformat() if calendar else None,
                "demand": round(over.demand, 2),
                "capacity": round(over.capacity, 2),
                "over_by": round(over.demand - over.capacity, 2),
                "tasks": list(over.tasks),
            }
        )
    return warnings


def cost_figures(rows: EstimateRows) -> dict[str, Decimal]:
    """Most-likely labour cost and sell price, non-labour cost (most likely, and its low/high
    ends), the cost of the mitigations in the plan (planned, in progress or done), and the base
    cost = labour + non-labour + planned mitigation."""
    labour = sell = Decimal("0")
    for task in rows.tasks:
        rate = rows.rates.get(task.role)
        if rate and not task.milestone:
            labour += task.most_likely * rate.cost_rate
            sell += task.most_likely * rate.sell_rate
    non_labour = sum((i.quantity * i.unit_cost for i in rows.items), Decimal("0"))
    non_labour_low = sum((i.quantity * i.unit_cost_range[0] for i in rows.items), Decimal("0"))
    non_labour_high = sum((i.quantity * i.unit_cost_range[2] for i in rows.items), Decimal("0"))
    mitigation = mitigation_cost(rows)
    return {
        "labour_cost": money(labour),
        "labour_sell": money(sell),
        "non_labour_cost": money(non_labour),
        "non_labour_low": money(non_labour_low),
        "non_labour_high": money(non_labour_high),
        "mitigation_cost": money(mitigation),
        "base_cost": money(labour + non_labour + mitigation),
    }


def mitigation_cost(rows: EstimateRows) -> Decimal:
    """The cost of the open risks' mitigations that are part of the plan."""
    return sum((r.mitigation_cost for r in rows.risks if r.mitigation_active), Decimal("0"))


def run_simulation(
    estimate: Any,
    *,
    iterations: int,
    seed: int,
    progress: Any = None,
) -> dict[str, Any]:
    """Monte Carlo of the estimate; returns the JSON summary stored on the version."""
    rows = rows_of(estimate)
    plan = build_plan(estimate, rows)
    model = model_from_plan(plan)
    index = plan.index()
    for risk in rows.risks:
        unknown = [code for code in risk.tasks if code not in index]
        if unknown:
            raise ApplicationError("risks", f"risk {risk.code}: unknown task {unknown[0]}")
    if rows.risks:
        simulated = [r.simulated() for r in rows.risks]  # mitigated figures where planned
        model = replace(
            model,
            risk_ids=tuple(r.code for r in rows.risks),
            risk_probability=np.asarray([float(p) for p, _, _ in simulated]),
            risk_days=np.asarray([[float(v) for v in days] for _, _, days in simulated]),
            risk_cost=np.asarray([[float(v) for v in cost] for _, cost, _ in simulated]),
            risk_tasks=tuple(tuple(index[c] for c in r.tasks) for r in rows.risks),
        )
    if rows.items:  # non-labour items as three-point ranges of quantity × unit cost
        model = replace(
            model,
            item_cost=np.asarray(
                [[float(item.quantity * v) for v in item.unit_cost_range] for item in rows.items]
            ),
        )
    try:
        result = simulate(
            model,
            iterations=iterations,
            seed=seed,
            distribution=estimate.distribution,
            progress=(lambda done, total: progress(100 * done / total, f"{done:,} of {total:,} iterations"))
            if progress
            else None,
        )
    except ValueError as exc:
        raise ApplicationError("tasks", str(exc)) from exc
    return summarise(estimate, rows, plan, result)


def summarise(estimate: Any, rows: EstimateRows, plan: Plan, result: SimulationResult) -> dict[str, Any]:
    costs = cost_figures(rows)
    # non-labour items are in the simulated cost; planned mitigations are a fixed amount on top
    extra = float(costs["mitigation_cost"])
    assert result.costs is not None and result.cost is not None
    total_costs = result.costs + extra
    confidence = estimate.confidence_level
    calendar = calendar_of(estimate, plan)
    names = {t.code: t.name for t in rows.tasks} | {r.code: r.description for r in rows.risks}

    def pct(values: Any, p: float) -> float:
        return float(np.percentile(values, p))

    base_cost = result.base_cost + extra
    days_reserve, _ = result.contingency(confidence / 100)
    summary: dict[str, Any] = {
        "iterations": result.iterations,
        "seed": result.seed,
        "distribution": result.distribution,
        "confidence": confidence,
        "currency": estimate.currency,
        "base_duration": round(result.base_duration, 2),
        "base_cost": str(money(base_cost)),
        **{k: str(v) for k, v in costs.items() if k != "base_cost"},
        "contingency_cost": str(money(pct(total_costs, confidence) - base_cost)),
        "contingency_days": round(days_reserve, 2),
        "mean_cost": str(money(float(np.mean(total_costs)))),
        "mean_duration": round(result.duration.mean, 2),
    }
    for p in (50, 80, 90):
        summary[f"p{p}_cost"] = str(money(pct(total_costs, p)))
        summary[f"p{p}_duration"] = round(pct(result.durations, p), 2)
        summary[f"p{p}_finish"] = finish_date(calendar, pct(result.durations, p))
    summary[f"p{confidence}_cost"] = str(money(pct(total_costs, confidence)))
    summary["criticality"] = {k: round(v, 4) for k, v in result.criticality.items()}
    summary["tornado"] = [
        [key, names.get(key, key), round(value, 4)]
        for key, value in sorted(result.sensitivity.items(), key=lambda kv: -abs(kv[1]))[:10]
    ]
    values, probability = s_curve(total_costs, 21)
    summary["s_curve_cost"] = [
        [round(float(v), 2), round(float(q), 3)] for v, q in zip(values, probability, strict=True)
    ]
    values, probability = s_curve(result.durations, 21)
    summary["s_curve_duration"] = [
        [round(float(v), 2), round(float(q), 3)] for v, q in zip(values, probability, strict=True)
    ]
    counts, edges = np.histogram(total_costs, bins=20)
    summary["histogram_cost"] = {"counts": counts.tolist(), "edges": [round(float(e), 2) for e in edges]}
    if estimate.target_budget is not None:
        summary["probability_within_budget"] = round(
            float(np.count_nonzero(total_costs <= float(estimate.target_budget))) / result.iterations, 4
        )
    if estimate.target_date is not None and calendar is not None:
        deadline = calendar.offset_of(estimate.target_date)
        summary["probability_by_target_date"] = round(result.probability_by(deadline), 4)
    return summary
