"""`salesdesk capacity …`: queueing formulas, call-centre staffing and network simulation.

Thin wrappers over the pure engines ``solutions.queueing`` and ``solutions.simulation``; no
database is touched. ``--json`` prints one JSON object with the documented keys; without it a
short table. A bad or unstable input raises the CLI's usage error: one line, exit code 2.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_TARGET_SECONDS = 20.0  # = solutions.contracts.DEFAULT_TARGET_SECONDS (kept here: lazy imports)
# Engine parameter names as the user typed them: "--arrival-rate: must not be negative".
FLAGS = {
    "arrival_rate": "--arrival-rate",
    "service_rate": "--service-rate",
    "servers": "--servers",
    "arrivals_per_hour": "--arrivals-per-hour",
    "service_time": "--service-time",
    "agents": "--agents",
    "target_seconds": "--target-seconds",
    "within": "--target-seconds",
    "service_level": "--service-level",
    "max_occupancy": "--max-occupancy",
    "shrinkage": "--shrinkage",
    "seed": "--seed",
}


def _engine_call(
    usage_error: type[Exception], function: Callable[..., Any], *args: Any, **kwargs: Any
) -> Any:
    """Call an engine function, turning its CapacityError into the CLI's one-line usage error."""
    from salesdesk.solutions.queueing import CapacityError

    try:
        return function(*args, **kwargs)
    except CapacityError as exc:
        parameter, separator, problem = str(exc).partition(":")
        message = f"{FLAGS[parameter]}:{problem}" if separator and parameter in FLAGS else str(exc)
        raise usage_error(message) from None


def _print_table(title: str, rows: list[tuple[str, str]]) -> None:
    print(title)
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


def _seconds(value: float) -> str:
    return f"{value:.3f} s" if value < 100 else f"{value:,.1f} s"


def cmd_mmc(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    """M/M/c figures in the time unit of the rates."""
    from salesdesk.solutions.contracts import mmc_figures, mmc_result

    result = _engine_call(
        usage_error, mmc_result, options.arrival_rate, options.service_rate, options.servers
    )
    figures = mmc_figures(result)
    if options.json:
        print(json.dumps(figures))
        return 0
    _print_table(
        f"M/M/{result.servers}: λ = {result.arrival_rate:g}, μ = {result.service_rate:g} per server "
        f"(times in the rates' unit)",
        [
            ("utilisation", f"{100 * result.utilization:.2f} %"),
            ("P(system empty)", f"{result.p0:.4f}"),
            ("P(wait)", f"{result.probability_wait:.4f}"),
            ("mean queue length", f"{result.lq:.4f}"),
            ("mean number in system", f"{result.l:.4f}"),
            ("mean wait", f"{result.wq:.4f}"),
            ("mean time in system", f"{result.w:.4f}"),
        ],
    )
    return 0


def _call_centre_rows(result: Any) -> list[tuple[str, str]]:
    return [
        ("traffic", f"{result.traffic_erlangs:.2f} erlangs"),
        ("occupancy", f"{100 * result.occupancy:.1f} %"),
        ("P(wait)", f"{100 * result.probability_wait:.2f} %"),
        ("average speed of answer", _seconds(result.average_speed_of_answer)),
        (f"answered within {result.target_seconds:g} s", f"{100 * result.service_level:.2f} %"),
        ("90th percentile wait", _seconds(result.wait_p90)),
    ]


def cmd_erlang_c(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    """Erlang C figures for a given number of agents; times in seconds."""
    from salesdesk.solutions.contracts import erlang_c_figures, erlang_c_result

    result = _engine_call(
        usage_error,
        erlang_c_result,
        options.arrivals_per_hour,
        options.service_time,
        options.agents,
        target_seconds=options.target_seconds,
    )
    if options.json:
        print(json.dumps(erlang_c_figures(result)))
        return 0
    _print_table(
        f"Erlang C: {result.arrivals_per_hour:g} calls/h, {result.service_time:g} s handling, "
        f"{result.agents} agents",
        _call_centre_rows(result),
    )
    return 0


def cmd_staff(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    """The fewest agents meeting a service level (Erlang C), with shrinkage."""
    from salesdesk.solutions.contracts import staff_figures, staff_result

    staffing = _engine_call(
        usage_error,
        staff_result,
        options.arrivals_per_hour,
        options.service_time,
        target_seconds=options.target_seconds,
        service_level=options.service_level,
        max_occupancy=options.max_occupancy,
        shrinkage=options.shrinkage,
    )
    result = staffing.result
    if options.json:
        print(json.dumps(staff_figures(staffing)))
        return 0
    _print_table(
        f"Staffing: {result.arrivals_per_hour:g} calls/h, {result.service_time:g} s handling, "
        f"target {100 * options.service_level:g} % within {result.target_seconds:g} s",
        [
            ("agents on the phones", str(staffing.agents)),
            (
                f"agents rostered ({100 * staffing.shrinkage:g} % shrinkage)",
                str(staffing.agents_with_shrinkage),
            ),
            *_call_centre_rows(result),
        ],
    )
    return 0


def _read_model(path: str, usage_error: type[Exception]) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise usage_error(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise usage_error(f"{path}: not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise usage_error(
            f"{path}: invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None


def cmd_simulate(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    """Simulate the network described in MODEL.json."""
    from salesdesk.solutions.contracts import (
        losses,
        network_model,
        simulation_figures,
        simulation_result,
    )

    model = _engine_call(usage_error, network_model, _read_model(options.model, usage_error))
    result = _engine_call(usage_error, simulation_result, model, seed=options.seed)
    response = result.response_time
    if options.json:
        print(json.dumps(simulation_figures(model, result)))
        return 0
    name_width = max(8, *(len(s.name) for s in result.stations))
    print(
        f"Simulated {result.requests:,} requests after warm-up in {result.replications} replications "
        f"(95 % intervals over replications; times in seconds)"
    )
    header = f"{'utilisation':>18}  {'mean wait':>24}  {'P(wait)':>8}  {'p95 wait':>9}"
    print(f"  {'station':<{name_width}}  {header}")
    for s in result.stations:
        low, high = s.ci95_utilization
        wait_low, wait_high = s.ci95_mean_wait
        print(
            f"  {s.name:<{name_width}}  {100 * s.utilization:6.2f} % ±{100 * (high - low) / 2:5.2f} %"
            f"  {s.mean_wait:10.4f} ±{(wait_high - wait_low) / 2:8.4f} s"
            f"  {100 * s.probability_wait:6.2f} %  {s.wait_p95:9.4f}"
        )
    for s, station in zip(result.stations, model.stations, strict=True):
        station_losses = losses(s, station)
        if station_losses:
            print(
                f"  {s.name}: "
                + ", ".join(f"{100 * share:.2f} % {what}" for what, share in station_losses.items())
            )
    print(
        f"  response time: mean {response.mean:.4f}, p50 {response.p50:.4f}, p90 {response.p90:.4f}, "
        f"p95 {response.p95:.4f}, p99 {response.p99:.4f}"
    )
    return 0


def add_capacity_commands(
    command: Callable[..., argparse.ArgumentParser], usage_error: type[Exception]
) -> None:
    """Register `capacity mmc|erlang-c|staff|simulate` under the `capacity` command."""
    capacity = command("capacity", None, "queueing models, call-centre staffing and network simulation")
    capacity_sub = capacity.add_subparsers(
        title="capacity commands", metavar="CAPACITY_COMMAND", required=True
    )

    def sub(name: str, handler: Callable[..., int], help_text: str) -> argparse.ArgumentParser:
        p = capacity_sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=lambda options: handler(options, usage_error))
        p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
        return p

    p = sub("mmc", cmd_mmc, "M/M/c queue: utilisation, P(wait), queue lengths and waits (Erlang C)")
    p.add_argument("--arrival-rate", type=float, required=True, metavar="L", help="arrivals per time unit")
    p.add_argument(
        "--service-rate", type=float, required=True, metavar="M", help="services per server per unit"
    )
    p.add_argument("--servers", type=int, required=True, metavar="C", help="number of servers")

    def call_centre_arguments(p: argparse.ArgumentParser) -> None:
        p.add_argument("--arrivals-per-hour", type=float, required=True, metavar="A", help="calls per hour")
        p.add_argument(
            "--service-time", type=float, required=True, metavar="S", help="average handling time, seconds"
        )

    p = sub("erlang-c", cmd_erlang_c, "contact-centre figures for a number of agents (Erlang C)")
    call_centre_arguments(p)
    p.add_argument("--agents", type=int, required=True, metavar="N", help="agents taking calls")
    p.add_argument(
        "--target-seconds",
        type=float,
        default=DEFAULT_TARGET_SECONDS,
        metavar="T",
        help=f"service level = share answered within T seconds (default: {DEFAULT_TARGET_SECONDS:g})",
    )

    p = sub("staff", cmd_staff, "the fewest agents meeting a service level (Erlang C), with shrinkage")
    call_centre_arguments(p)
    p.add_argument("--target-seconds", type=float, required=True, metavar="T", help="answer within T seconds")
    p.add_argument(
        "--service-level", type=float, required=True, metavar="X", help="share to answer within T, e.g. 0.8"
    )
    p.add_argument("--max-occupancy", type=float, metavar="O", help="highest agent occupancy, e.g. 0.85")
    p.add_argument(
        "--shrinkage",
        type=float,
        default=0.0,
        metavar="K",
        help="share of paid time off the phones, e.g. 0.3",
    )

    p = sub("simulate", cmd_simulate, "simulate a network of FCFS stations described in a JSON file")
    p.add_argument("model", metavar="MODEL.json", help="arrival, stations, duration, warmup, replications")
    p.add_argument("--seed", type=int, help="random seed (same seed, same figures)")
