"""`salesdesk plan …`: schedule a PLAN.json with the critical path method, or estimate it with PERT.

No database: the plan file goes through ``estimates.plan.load_plan`` (a bad plan exits 2 with
one line naming the task and the problem) into the pure ``estimates.scheduling`` engine.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _number(value: float) -> float:
    """A JSON-safe float: rounded to 6 decimals, no -0.0 (NaN and infinity never reach here)."""
    rounded = round(float(value), 6)
    return 0.0 if rounded == 0 else rounded


def _text(value: float) -> str:
    return f"{_number(value):g}"


def _deadline(text: str, usage_error: type[Exception]) -> float | date:
    if _DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise usage_error(f"--deadline: {text} is not a valid date") from None
    try:
        days = float(text)
    except ValueError:
        raise usage_error("--deadline: a number of working days or a date YYYY-MM-DD") from None
    if not math.isfinite(days):
        raise usage_error("--deadline: a finite number of working days")
    return days


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[c]) for r in rows)) if rows else len(h) for c, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def cmd_plan_schedule(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    """Critical path method of a plan: early/late times, floats, critical path, dates."""
    from salesdesk.estimates.plan import PlanError, load_plan
    from salesdesk.estimates.scheduling import (
        WorkingCalendar,
        plan_over_allocations,
        schedule_dates,
        schedule_plan,
    )

    try:
        plan = load_plan(options.path)
        schedule = schedule_plan(plan)
        calendar = WorkingCalendar.for_plan(plan)
        dates = schedule_dates(schedule, calendar) if calendar else None
        warnings = plan_over_allocations(plan, schedule)
    except PlanError as err:
        raise usage_error(str(err)) from None

    for w in warnings:
        days = f"days {w.first_day}–{w.last_day}" if w.last_day > w.first_day else f"day {w.first_day}"
        if calendar is not None:
            first, last = calendar.day(w.first_day), calendar.day(w.last_day)
            days += f" ({first}" + (f" to {last})" if last != first else ")")
        print(
            f'warning: role "{w.role}" over-allocated on {days}: demand {_text(w.demand)} '
            f"> capacity {_text(w.capacity)} (tasks {', '.join(w.tasks)})",
            file=sys.stderr,
        )

    tasks: dict[str, dict[str, Any]] = {}
    for i, task_id in enumerate(schedule.ids):
        start, finish = dates[i] if dates else (None, None)
        tasks[task_id] = {
            "early_start": _number(schedule.early_start[i]),
            "early_finish": _number(schedule.early_finish[i]),
            "late_start": _number(schedule.late_start[i]),
            "late_finish": _number(schedule.late_finish[i]),
            "total_float": _number(schedule.total_float[i]),
            "free_float": _number(schedule.free_float[i]),
            "critical": bool(schedule.critical[i]),
            "start_date": start.isoformat() if start else None,
            "finish_date": finish.isoformat() if finish else None,
        }
    critical_path = [schedule.ids[i] for i in schedule.critical_path]
    if options.json:
        result = {"duration": _number(schedule.duration), "critical_path": critical_path, "tasks": tasks}
        print(json.dumps(result, ensure_ascii=False))
        return 0

    header = ["ID", "ES", "EF", "LS", "LF", "TF", "FF", "CRIT"] + (["START", "FINISH"] if dates else [])
    rows = []
    for task_id, t in tasks.items():
        row = [task_id] + [
            _text(t[k])
            for k in ("early_start", "early_finish", "late_start", "late_finish", "total_float", "free_float")
        ]
        row.append("*" if t["critical"] else "")
        if dates:
            row += [t["start_date"], t["finish_date"]]
        rows.append(row)
    print(_table(header, rows))
    ending = f", finishing {tasks[critical_path[-1]]['finish_date']}" if dates and critical_path else ""
    print(f"\nDuration: {_text(schedule.duration)} working days{ending}")
    print(f"Critical path: {' -> '.join(critical_path)}")
    return 0


def cmd_plan_pert(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    """Classic PERT of a plan: expected duration, variance and the chance of meeting a deadline."""
    from salesdesk.estimates.plan import PlanError, load_plan
    from salesdesk.estimates.scheduling import WorkingCalendar, pert

    deadline = _deadline(options.deadline, usage_error) if options.deadline is not None else None
    try:
        plan = load_plan(options.path)
        result = pert(plan)
        days: float | None = None
        if isinstance(deadline, date):
            calendar = WorkingCalendar.for_plan(plan)
            if calendar is None:
                raise usage_error("--deadline: a date needs the plan's start_date; give working days instead")
            days = float(calendar.offset_of(deadline))
        elif deadline is not None:
            days = deadline
    except PlanError as err:
        raise usage_error(str(err)) from None

    probability = None if days is None else _number(result.probability_by(days))
    critical_path = [plan.tasks[i].id for i in result.critical_path]
    tasks = {
        task.id: {"expected": _number(result.expected[i]), "variance": _number(result.variance[i])}
        for i, task in enumerate(plan.tasks)
    }
    if options.json:
        out = {
            "expected_duration": _number(result.expected_duration),
            "variance": _number(result.project_variance),
            "std_dev": _number(result.std_dev),
            "critical_path": critical_path,
            "probability_by_deadline": probability,
            "tasks": tasks,
        }
        print(json.dumps(out, ensure_ascii=False))
        return 0

    on_path = set(critical_path)
    rows = [
        [task_id, _text(t["expected"]), _text(t["variance"]), "*" if task_id in on_path else ""]
        for task_id, t in tasks.items()
    ]
    print(_table(["ID", "EXPECTED", "VARIANCE", "CRIT"], rows))
    print(
        f"\nExpected duration: {_text(result.expected_duration)} working days "
        f"(variance {_text(result.project_variance)}, std dev {_text(result.std_dev)})"
    )
    print(f"Critical path: {' -> '.join(critical_path)}")
    if probability is not None and days is not None:
        print(f"Probability of finishing within {_text(days)} working days: {probability:.1%}")
    return 0


def add_plan_commands(command: Callable[..., argparse.ArgumentParser], usage_error: type[Exception]) -> None:
    """Register `plan schedule` and `plan pert` under the `plan` command."""
    group = command("plan", None, "schedule a project plan (PLAN.json): critical path method and PERT")
    plan_sub = group.add_subparsers(title="plan commands", metavar="PLAN_COMMAND", required=True)

    def sub(name: str, handler: Callable[..., int], help_text: str) -> argparse.ArgumentParser:
        """One `plan` subcommand taking PLAN.json and --json."""
        p = plan_sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=lambda options: handler(options, usage_error))
        p.add_argument("path", metavar="PLAN.json", help="the plan file")
        p.add_argument("--json", action="store_true", help="print the result as JSON")
        return p

    sub(
        "schedule",
        cmd_plan_schedule,
        "early/late start and finish, floats and critical path (CPM); dates with start_date",
    )
    p = sub("pert", cmd_plan_pert, "PERT expected duration, variance and chance of meeting a deadline")
    p.add_argument(
        "--deadline",
        metavar="D",
        help="working days from the start, or a date YYYY-MM-DD (needs start_date in the plan)",
    )
