"""`salesdesk estimate simulate PLAN.json`: Monte Carlo schedule and cost risk of a plan (issue 7).

No database: the plan goes through ``estimates.plan.load_plan`` (a bad plan exits 2 with one
line naming the task and the problem) into the pure ``estimates.montecarlo`` engine. PLAN.json
may carry an optional ``"correlation": [{"tasks": ["A", "B", …], "coefficient": 0.5}, …]``
(rank correlation between the durations of each group's tasks; other engines ignore the key).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from typing import Any

DEFAULT_ITERATIONS = 10_000
DEFAULT_SEED = 1


def _plain(value: float) -> float:
    """A JSON-safe float: finite (NaN never reaches here), no -0.0."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"non-finite result {number}")
    return 0.0 if number == 0 else number


def _correlation(path: str, usage_error: type[Exception]) -> list[tuple[list[str], float]]:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    groups = data.get("correlation", []) if isinstance(data, dict) else []
    if not isinstance(groups, list):
        raise usage_error('correlation: must be a list of {"tasks": [...], "coefficient": x}')
    out = []
    for k, group in enumerate(groups):
        where = f"correlation[{k}]"
        if not isinstance(group, dict):
            raise usage_error(f"{where}: must be an object with tasks and coefficient")
        tasks, coefficient = group.get("tasks"), group.get("coefficient")
        if not isinstance(tasks, list) or not all(isinstance(t, str) for t in tasks):
            raise usage_error(f"{where}: tasks must be a list of task ids")
        if isinstance(coefficient, bool) or not isinstance(coefficient, int | float):
            raise usage_error(f"{where}: coefficient must be a number between 0 and 1")
        out.append((tasks, float(coefficient)))
    return out


def _check_options(options: argparse.Namespace, usage_error: type[Exception]) -> None:
    from salesdesk.estimates.montecarlo import MAX_ITERATIONS

    if not (1 <= options.iterations <= MAX_ITERATIONS):
        raise usage_error(f"--iterations: between 1 and {MAX_ITERATIONS:,}, not {options.iterations}")
    if options.seed < 0:
        raise usage_error("--seed: a non-negative integer")
    for flag, value in (("--deadline", options.deadline), ("--budget", options.budget)):
        if value is not None and not math.isfinite(value):
            raise usage_error(f"{flag}: a finite number")


def cmd_estimate_simulate(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    """Monte Carlo of a plan: duration and cost percentiles, probabilities, criticality, tornado."""
    from salesdesk.estimates.montecarlo import model_from_plan, simulate
    from salesdesk.estimates.plan import PlanError, load_plan

    _check_options(options, usage_error)
    try:
        plan = load_plan(options.plan)
        model = model_from_plan(plan, correlation=_correlation(options.plan, usage_error))
    except PlanError as err:
        raise usage_error(str(err)) from None
    except ValueError as err:  # the engine's own checks (e.g. a correlation group)
        raise usage_error(f"{options.plan}: {err}") from None

    def run(progress: Callable[[int, int], None] | None) -> Any:
        return simulate(
            model,
            iterations=options.iterations,
            seed=options.seed,
            distribution=options.distribution,
            progress=progress,
        )

    if options.json or not sys.stderr.isatty():
        result = run(None)
    else:
        from rich.console import Console
        from rich.progress import Progress

        with Progress(transient=True, console=Console(stderr=True)) as bar:
            task = bar.add_task("Simulating", total=options.iterations)
            result = run(lambda done, total: bar.update(task, completed=done))

    assert result.cost is not None
    report = {
        "iterations": result.iterations,
        "duration": {k: _plain(v) for k, v in result.duration.as_dict().items()},
        "cost": {k: _plain(v) for k, v in result.cost.as_dict().items()},
        "probability_by_deadline": (
            None if options.deadline is None else _plain(result.probability_by(options.deadline))
        ),
        "probability_within_budget": (
            None if options.budget is None else _plain(result.probability_within(options.budget))
        ),
        "criticality": {k: _plain(v) for k, v in result.criticality.items()},
        "sensitivity": {k: _plain(v) for k, v in result.sensitivity.items()},
    }
    if options.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    _print_summary(options, plan, result, report)
    return 0


def _print_summary(options: argparse.Namespace, plan: Any, result: Any, report: dict[str, Any]) -> None:
    from salesdesk.estimates.montecarlo import tornado

    kind = "beta-PERT" if options.distribution == "pert" else "triangular"
    print(
        f"{options.plan}: {len(plan.tasks)} task(s), {len(plan.risks)} risk(s); "
        f"{result.iterations:,} iterations, {kind}, seed {options.seed}"
    )
    keys = ["mean", "std", "p10", "p50", "p80", "p90", "p95"]
    print(f"{'':<16}" + "".join(f"{k.upper() if k[0] == 'p' else k:>12}" for k in keys))
    print(f"{'duration (days)':<16}" + "".join(f"{report['duration'][k]:>12,.1f}" for k in keys))
    print(f"{'cost':<16}" + "".join(f"{report['cost'][k]:>12,.0f}" for k in keys))
    days, money = result.contingency(0.8)
    print(
        f"Deterministic plan (most likely, no risks): {result.base_duration:,.1f} days, "
        f"cost {result.base_cost:,.0f}; contingency to P80: {days:+,.1f} days, {money:+,.0f}"
    )
    if options.deadline is not None:
        chance = report["probability_by_deadline"]
        print(f"Probability of finishing within {options.deadline:g} days: {chance:.1%}")
    if options.budget is not None:
        print(
            f"Probability of costing at most {options.budget:,.0f}: {report['probability_within_budget']:.1%}"
        )
    critical = sorted(result.criticality.items(), key=lambda item: -item[1])[:10]
    print("Criticality (share of iterations on the critical path):")
    for task_id, share in critical:
        print(f"  {task_id:<20} {share:>7.1%}")
    print(f"Sensitivity (rank correlation with the duration, {result.sensitivity_sample:,} iterations):")
    for name, value in tornado(result, limit=10):
        bar = "█" * round(abs(value) * 20)
        print(f"  {name:<20} {value:>+6.2f} {bar}")


def add_estimate_commands(
    command: Callable[..., argparse.ArgumentParser], usage_error: type[Exception]
) -> None:
    """Register `estimate simulate` under the `estimate` command."""
    estimate = command("estimate", None, "schedule and cost risk of a plan (Monte Carlo)")
    estimate_sub = estimate.add_subparsers(
        title="estimate commands", metavar="ESTIMATE_COMMAND", required=True
    )
    help_text = "Monte Carlo of a PLAN.json: duration and cost percentiles, criticality, sensitivity"
    p = estimate_sub.add_parser("simulate", help=help_text, description=help_text)
    p.set_defaults(handler=lambda options: cmd_estimate_simulate(options, usage_error))
    p.add_argument("plan", metavar="PLAN.json", help="the plan (tasks, links, three-point estimates, risks)")
    p.add_argument(
        "--iterations",
        type=int,
        default=DEFAULT_ITERATIONS,
        help=f"how many iterations, 1 to 10,000,000 (default: {DEFAULT_ITERATIONS:,})",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"random seed: the same plan and seed give the same figures (default: {DEFAULT_SEED})",
    )
    p.add_argument(
        "--distribution",
        choices=["triangular", "pert"],
        default="pert",
        help="distribution of each three-point estimate (default: pert, i.e. beta-PERT)",
    )
    p.add_argument(
        "--deadline", type=float, metavar="DAYS", help="report the probability of finishing within DAYS"
    )
    p.add_argument(
        "--budget", type=float, metavar="AMOUNT", help="report the probability of costing at most AMOUNT"
    )
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
