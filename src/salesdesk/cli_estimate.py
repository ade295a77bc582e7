"""`salesdesk estimate simulate PLAN.json`: Monte Carlo schedule and cost risk of a plan (issue 7).

No database: the plan goes through ``estimates.plan.load_plan`` (a bad plan exits 2 with one
line naming the task and the problem) into the pure ``estimates.montecarlo`` engine. PLAN.json
may carry an optional ``"correlation": [{"tasks": ["A", "B", …], "coefficient": 0.5}, …]``
(rank correlation between the durations of each group's tasks; other engines ignore the key).
``--deadline`` is a number of working days from the start or a date YYYY-MM-DD; a date counts
the plan's working days up to and including it (its calendar, or every day without one) and
needs the plan's ``start_date``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

DEFAULT_ITERATIONS = 10_000
DEFAULT_SEED = 1


def _correlation(path: str) -> list[tuple[list[str], float]]:
    from salesdesk.estimates.contracts import correlation_groups

    with open(path, encoding="utf-8") as handle:
        return correlation_groups(json.load(handle))


def _check_options(options: argparse.Namespace, usage_error: type[Exception]) -> None:
    from salesdesk.cli_plan import _option_error
    from salesdesk.estimates.contracts import OptionError, check_simulation_options

    try:
        check_simulation_options(options.iterations, options.seed, options.budget)
    except OptionError as err:
        raise _option_error(err, usage_error) from None


def cmd_estimate_simulate(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    """Monte Carlo of a plan: duration and cost percentiles, probabilities, criticality, tornado."""
    from salesdesk.cli_plan import deadline_days, parse_deadline
    from salesdesk.estimates.contracts import simulation_report
    from salesdesk.estimates.montecarlo import model_from_plan, simulate
    from salesdesk.estimates.plan import PlanError, load_plan

    _check_options(options, usage_error)
    deadline = None if options.deadline is None else parse_deadline(options.deadline, usage_error)
    try:
        plan = load_plan(options.plan)
        days = None if deadline is None else deadline_days(deadline, plan, usage_error)
        model = model_from_plan(plan, correlation=_correlation(options.plan))
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

    report = simulation_report(result, days, options.budget)
    if options.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    _print_summary(options, plan, result, report, days)
    return 0


def _print_summary(
    options: argparse.Namespace, plan: Any, result: Any, report: dict[str, Any], days: float | None
) -> None:
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
    reserve_days, money = result.contingency(0.8)
    print(
        f"Deterministic plan (most likely, no risks): {result.base_duration:,.1f} days, "
        f"cost {result.base_cost:,.0f}; contingency to P80: {reserve_days:+,.1f} days, {money:+,.0f}"
    )
    if days is not None:
        chance = report["probability_by_deadline"]
        by = "" if options.deadline == f"{days:g}" else f" (by {options.deadline})"
        print(f"Probability of finishing within {days:g} working days{by}: {chance:.1%}")
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
        "--deadline",
        metavar="D",
        help="report the probability of finishing by D: working days from the start, or a date "
        "YYYY-MM-DD (needs start_date in the plan)",
    )
    p.add_argument(
        "--budget", type=float, metavar="AMOUNT", help="report the probability of costing at most AMOUNT"
    )
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
