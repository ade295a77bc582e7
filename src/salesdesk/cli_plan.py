"""`salesdesk plan …`: schedule a PLAN.json with the critical path method, or estimate it with PERT.

No database: the plan file goes through ``estimates.plan.load_plan`` (a bad plan exits 2 with
one line naming the task and the problem) into the pure ``estimates.scheduling`` engine.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from typing import Any


def _number(value: float) -> float:
    from salesdesk.estimates.contracts import number

    return number(value)


def _text(value: float) -> str:
    return f"{_number(value):g}"


def _option_error(err: Exception, usage_error: type[Exception]) -> Exception:
    """An OptionError of the contracts as the CLI's usage error: ``--deadline: problem``."""
    field = getattr(err, "field", "")
    return usage_error(f"--{field.replace('_', '-')}: {getattr(err, 'message', err)}")


def parse_deadline(text: str, usage_error: type[Exception]) -> float | date:
    """``--deadline``: working days from the start, or a date YYYY-MM-DD."""
    from salesdesk.estimates import contracts

    try:
        return contracts.parse_deadline(text)
    except contracts.OptionError as err:
        raise _option_error(err, usage_error) from None


def deadline_days(deadline: float | date, plan: Any, usage_error: type[Exception]) -> float:
    """A deadline in working days from the start: a date counts the plan's working days up to
    and including it (its calendar, or every day without one), so it needs ``start_date``."""
    from salesdesk.estimates import contracts

    try:
        return contracts.deadline_days(deadline, plan)
    except contracts.OptionError as err:
        raise _option_error(err, usage_error) from None


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[c]) for r in rows)) if rows else len(h) for c, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def cmd_plan_schedule(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    """Critical path method of a plan: early/late times, floats, critical path, dates."""
    from salesdesk.estimates.contracts import schedule_contract
    from salesdesk.estimates.plan import PlanError, load_plan

    try:
        outcome = schedule_contract(load_plan(options.path))
    except PlanError as err:
        raise usage_error(str(err)) from None
    calendar, warnings = outcome.calendar, outcome.warnings
    dates = calendar is not None

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

    tasks: dict[str, dict[str, Any]] = outcome.figures["tasks"]
    critical_path: list[str] = outcome.figures["critical_path"]
    if options.json:
        print(json.dumps(outcome.figures, ensure_ascii=False))
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
    print(f"\nDuration: {_text(outcome.schedule.duration)} working days{ending}")
    print(f"Critical path: {' -> '.join(critical_path)}")
    return 0


def cmd_plan_pert(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    """Classic PERT of a plan: expected duration, variance and the chance of meeting a deadline."""
    from salesdesk.estimates.contracts import OptionError, pert_contract
    from salesdesk.estimates.plan import PlanError, load_plan

    deadline = parse_deadline(options.deadline, usage_error) if options.deadline is not None else None
    try:
        out, result, days = pert_contract(load_plan(options.path), deadline)
    except OptionError as err:
        raise _option_error(err, usage_error) from None
    except PlanError as err:
        raise usage_error(str(err)) from None

    probability = out["probability_by_deadline"]
    critical_path = out["critical_path"]
    tasks = out["tasks"]
    if options.json:
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
