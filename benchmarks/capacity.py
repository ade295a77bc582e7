"""Capacity engines (issue 6): simulation speed against SimPy, and sizing-search time.

    .venv/bin/python benchmarks/capacity.py                       # 1,000,000 requests; SimPy 100,000
    .venv/bin/python benchmarks/capacity.py --requests 200000 --simpy-requests 20000 --json

The model: Poisson arrivals at 100 requests/s through three tiers in order — web (4
servers, exponential 30 ms, ρ 0.75), app (2 servers, lognormal 15 ms with cv 1.5, ρ 0.75),
db (1 server, exponential 7 ms, ρ 0.70) — in 5 replications with a 1 % warm-up.

- ``solutions.simulation.simulate`` runs all ``--requests``; its CPU time (time.process_time)
  gives simulated requests per second.
- A plain SimPy model of the same system (one process per request, a ``simpy.Resource`` per
  tier, ``random`` draws) runs ``--simpy-requests`` (fewer: it is slow) with the same
  replications and warm-up; its requests per second are measured on that smaller run and the
  ratio compares the two rates (SimPy's rate does not depend on the run length).
- Agreement: the two mean response times' 95 % confidence intervals overlap, and both are
  near the analytic QNA/Allen–Cunneen estimate (``queueing.open_network``).
- Sizing: ``solutions.sizing.size_system`` over 10 components for 3 tiers and a 5-year
  contract, for a p95 and a mean target (wall-clock, best of 3).

Targets (2-core machine): 1,000,000 requests in under 1.5 s of CPU, at least 13× SimPy.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from decimal import Decimal
from typing import Any

import benchlib
import numpy as np

sys.path.insert(0, str(benchlib.ROOT / "src"))

from salesdesk.solutions.queueing import Station, open_network
from salesdesk.solutions.simulation import (
    Distribution,
    NetworkModel,
    SimulationStation,
    simulate,
)
from salesdesk.solutions.sizing import Component, Objective, Workload, size_system

RATE = 100.0
REPLICATIONS = 5
TIERS = [  # name, servers, distribution, mean seconds, cv
    ("web", 4, "exponential", 0.030, 1.0),
    ("app", 2, "lognormal", 0.015, 1.5),
    ("db", 1, "exponential", 0.007, 1.0),
]
TARGETS = {"engine_cpu_s_per_million": 1.5, "speedup": 13.0}


def engine_model(requests: int) -> NetworkModel:
    duration = requests / REPLICATIONS / RATE
    stations = tuple(
        SimulationStation(
            name,
            servers,
            Distribution.exponential(mean) if kind == "exponential" else Distribution.lognormal(mean, cv=cv),
        )
        for name, servers, kind, mean, cv in TIERS
    )
    return NetworkModel(RATE, stations, duration=duration, warmup=duration / 100, replications=REPLICATIONS)


def run_engine(requests: int, seed: int) -> dict[str, Any]:
    model = engine_model(requests)
    started = time.process_time()
    result = simulate(model, seed=seed)
    cpu = time.process_time() - started
    simulated = round(RATE * model.duration * REPLICATIONS)  # every request, warm-up included
    return {
        "requests": simulated,
        "measured": result.requests,
        "cpu_s": cpu,
        "requests_per_s": simulated / cpu,
        "response_mean": result.response_time.mean,
        "response_ci95": list(result.response_time.ci95_mean),
        "response_p95": result.response_time.p95,
    }


def simpy_replication(duration: float, warmup: float, seed: int) -> tuple[float, int]:
    """One replication of the plain SimPy model: (mean response time after warm-up, requests)."""
    import simpy

    rng = random.Random(seed)
    env = simpy.Environment()
    tiers = [(simpy.Resource(env, capacity=servers), kind, mean, cv) for _, servers, kind, mean, cv in TIERS]
    lognormal = {}
    for _, _, kind, mean, cv in TIERS:
        if kind == "lognormal":
            sigma = math.sqrt(math.log1p(cv**2))
            lognormal[mean] = (math.log(mean) - sigma**2 / 2, sigma)
    responses: list[float] = []

    def request(born: float):
        for resource, kind, mean, _cv in tiers:
            with resource.request() as turn:
                yield turn
                if kind == "exponential":
                    service = rng.expovariate(1 / mean)
                else:
                    service = rng.lognormvariate(*lognormal[mean])
                yield env.timeout(service)
        if born >= warmup:
            responses.append(env.now - born)

    def source():
        while True:
            yield env.timeout(rng.expovariate(RATE))
            if env.now >= duration:
                return
            env.process(request(env.now))

    env.process(source())
    env.run()
    return sum(responses) / len(responses), len(responses)


def run_simpy(requests: int, seed: int) -> dict[str, Any]:
    duration = requests / REPLICATIONS / RATE
    started = time.process_time()
    runs = [simpy_replication(duration, duration / 100, seed + i) for i in range(REPLICATIONS)]
    cpu = time.process_time() - started
    means = np.array([mean for mean, _ in runs])
    from scipy.special import stdtrit

    half = float(stdtrit(REPLICATIONS - 1, 0.975) * means.std(ddof=1) / math.sqrt(REPLICATIONS))
    simulated = round(RATE * duration * REPLICATIONS)
    return {
        "requests": simulated,
        "measured": sum(n for _, n in runs),
        "cpu_s": cpu,
        "requests_per_s": simulated / cpu,
        "response_mean": float(means.mean()),
        "response_ci95": [float(means.mean()) - half, float(means.mean()) + half],
    }


def sizing_case() -> tuple[Workload, list[Component]]:
    workload = Workload(
        peak_arrival_rate=50.0,
        service_demand={"web": 0.04, "app": 0.08, "db": 0.01},
        growth_per_year=0.25,
        years=5,
    )
    components = [
        Component("web", "web-s", Decimal("1200"), 2, 20),
        Component("web", "web-l", Decimal("2000"), 4, 10),
        Component("web", "web-xl", Decimal("3500"), 8, 5),
        Component("app", "app-mini", Decimal("700"), 1, 40),
        Component("app", "app-s", Decimal("1500"), 2, 30),
        Component("app", "app-l", Decimal("2600"), 4, 15),
        Component("app", "app-xl", Decimal("4800"), 8, 8),
        Component("db", "db-single", Decimal("5000"), 1, 1),
        Component("db", "db-ha", Decimal("9000"), 2, 2),
        Component("db", "db-big", Decimal("14000"), 4, 2),
    ]
    return workload, components


def run_sizing() -> dict[str, Any]:
    workload, components = sizing_case()
    report: dict[str, Any] = {"components": len(components), "years": workload.years}
    for statistic, target in (("p95", 0.35), ("mean", 0.2)):
        best = math.inf
        for _ in range(3):
            started = time.perf_counter()
            result = size_system(workload, components, Objective(target, statistic, 0.8))
            best = min(best, time.perf_counter() - started)
        report[statistic] = {
            "target_s": target,
            "seconds": best,
            "price": str(result.total_price),
            "choice": ", ".join(f"{c.units}× {c.component}" for c in result.choices),
        }
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000, help="engine requests (default 1,000,000)")
    parser.add_argument(
        "--simpy-requests", type=int, default=100_000, help="SimPy requests (default 100,000)"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()

    info = benchlib.machine()
    say = (lambda *a: None) if args.json else (lambda *a: print(*a, flush=True))
    say(f"Capacity benchmark — machine: {info['cpu']}, {info['cores']} cores · Python {info['python']}")
    say(f"Date: {info['date']}")
    simulate(engine_model(10_000), seed=0)  # warm-up: imports (scipy.special), first allocations
    engine = run_engine(args.requests, args.seed)
    reference = run_simpy(args.simpy_requests, args.seed)
    analytic = open_network(
        RATE, [Station(name, servers, mean, scv=cv**2) for name, servers, _kind, mean, cv in TIERS]
    ).response_time
    speedup = engine["requests_per_s"] / reference["requests_per_s"]
    low = max(engine["response_ci95"][0], reference["response_ci95"][0])
    high = min(engine["response_ci95"][1], reference["response_ci95"][1])
    agree = low <= high
    sizing = run_sizing()
    cpu_per_million = engine["cpu_s"] / engine["requests"] * 1_000_000
    checks = {
        "engine ≤ 1.5 s CPU per 1,000,000 requests": cpu_per_million <= TARGETS["engine_cpu_s_per_million"],
        "engine ≥ 13× SimPy": speedup >= TARGETS["speedup"],
        "mean response CIs overlap": agree,
    }
    report = {
        "machine": info,
        "engine": engine,
        "simpy": reference,
        "speedup": speedup,
        "analytic_response_mean": analytic,
        "sizing": sizing,
        "checks": checks,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0 if all(checks.values()) else 1

    def ci(values: list[float]) -> str:
        return f"[{1000 * values[0]:.2f}, {1000 * values[1]:.2f}]"

    say()
    say("| engine | requests | CPU s | requests/s | mean response ms (95 % CI) |")
    say("|---|---:|---:|---:|---|")
    for label, row in (("salesdesk simulation", engine), ("plain SimPy (fewer requests)", reference)):
        say(
            f"| {label} | {row['requests']:,} | {row['cpu_s']:.2f} | {row['requests_per_s']:,.0f} | "
            f"{1000 * row['response_mean']:.2f} {ci(row['response_ci95'])} |"
        )
    say(f"| analytic (QNA / Allen–Cunneen) | – | – | – | {1000 * analytic:.2f} |")
    say()
    say(f"Speed-up: {speedup:.1f}× SimPy; engine {cpu_per_million:.2f} s CPU per 1,000,000 requests.")
    say()
    say("| sizing search (3 tiers, 10 components, 5 years) | best of 3 | cheapest | choice |")
    say("|---|---:|---:|---|")
    for statistic in ("p95", "mean"):
        row = sizing[statistic]
        say(
            f"| {statistic} ≤ {row['target_s']} s, utilisation ≤ 0.8 | {1000 * row['seconds']:.0f} ms | "
            f"{row['price']} | {row['choice']} |"
        )
    say()
    for name, ok in checks.items():
        say(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
