"""Monte Carlo schedule risk speed and memory (issue 7): ``estimates.montecarlo.simulate``.

    .venv/bin/python benchmarks/estimates.py            # 100,000 iterations; 100, 1,000, 5,000 tasks
    .venv/bin/python benchmarks/estimates.py --quick    # 20,000 iterations; 100 and 1,000 tasks
    .venv/bin/python benchmarks/estimates.py --json

For each network size it generates a plan deterministically (seed 2026): a random acyclic
network with 1–3 predecessors per task among the previous 50 (85 % FS, 5 % each SS/FF/SF; 30 %
of the links with a lag or lead), beta-PERT three-point estimates, a cost per day and a fixed
cost per task, one risk per 20 tasks (probability 5–40 %, impact 1/3/8 days and a cost range,
on 1–3 tasks), and rank correlation 0.5 within groups of ten tasks over the first half of the
plan. Then it measures, each in a forked child process so that one run's memory does not hide
another's:

* ``lean``: ``simulate(with_cost=False, with_sensitivity=False, correlate=False)``;
* ``full``: with cost, sensitivity (tornado) and correlation;
* ``python``: a straightforward per-iteration pure-Python implementation of the lean model
  (``random.betavariate``, dict-based forward and backward passes, the same link types, lags,
  risks and criticality), run on a few iterations and scaled linearly to the full count;
* ``pmcontrols``: ``pmcontrols.pert`` (beta-PERT network Monte Carlo; FS links without lags,
  no risks, cost or correlation), on the same network reduced to what it models (every link
  FS, lag 0, no risks), beside our ``lean`` run on that reduced network (``ours-FS``). It keeps
  every sample of every task in memory, so both run at most 10⁷ task-iterations (10,000
  iterations of 1,000 tasks) and their times are scaled linearly to the full count (their
  memory is what that smaller run used);
* ``mcprojsim`` is reported as not measured when it cannot be imported (it requires
  Python ≥ 3.13).

Imports and the engine's one-off PERT quantile table (≈ 0.2 s, once per process) are done
before the children are forked, so the times are of the simulations alone. CPU time is
``time.process_time`` of the call; peak memory is the increase of the child's
``resource.getrusage(RUSAGE_SELF).ru_maxrss`` over the call (resident set, includes NumPy
buffers). ``process_time`` counts every thread of the process, so the CPU that idle BLAS worker
threads spend spinning would count too; the engine makes no BLAS calls (``np.einsum`` instead of
``@``), which took the full run from about 4.7 to 2.5 s on a quiet machine. Targets (2-core
machine): 100,000 iterations × 1,000 tasks lean < 3 s CPU and < 400 MiB, full < 5 s.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import math
import multiprocessing
import random
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

import benchlib

sys.path.insert(0, str(benchlib.ROOT / "src"))

import numpy as np

from salesdesk.estimates import montecarlo as mc
from salesdesk.estimates.montecarlo import (
    FF,
    FS,
    SF,
    SS,
    CorrelationGroup,
    MonteCarloModel,
    simulate,
)

TARGETS = {"lean_s": 3.0, "full_s": 5.0, "peak_mib": 400.0}
PMCONTROLS_TASK_ITERATIONS = 10_000_000


def make_model(n: int, *, seed: int = 2026, reduced: bool = False) -> MonteCarloModel:
    """The benchmark plan of ``n`` tasks; ``reduced``: FS links, no lags, risks or correlation."""
    rng = np.random.default_rng(seed)
    o = rng.uniform(1, 10, n).round(1)
    m = (o + rng.uniform(0, 10, n)).round(1)
    p = (m + rng.uniform(0, 20, n)).round(1)
    pred: list[int] = []
    succ: list[int] = []
    for j in range(1, n):
        for i in sorted(set(rng.integers(max(0, j - 50), j, size=int(rng.integers(1, 4))).tolist())):
            pred.append(i)
            succ.append(j)
    links = len(pred)
    kind = rng.choice([FS, SS, FF, SF], size=links, p=[0.85, 0.05, 0.05, 0.05])
    lag = np.where(rng.random(links) < 0.3, rng.uniform(-1, 3, links).round(1), 0.0)
    risks = max(1, n // 20)
    risk_tasks = tuple(tuple(rng.integers(0, n, size=int(rng.integers(1, 4))).tolist()) for _ in range(risks))
    groups = tuple(CorrelationGroup(tuple(range(k, k + 10)), 0.5) for k in range(0, n // 2 - 9, 10))
    if reduced:
        kind = np.full(links, FS)
        lag = np.zeros(links)
    return MonteCarloModel(
        task_ids=tuple(f"T{i}" for i in range(n)),
        optimistic=o,
        most_likely=m,
        pessimistic=p,
        link_pred=np.asarray(pred, dtype=np.intp),
        link_succ=np.asarray(succ, dtype=np.intp),
        link_type=np.asarray(kind, dtype=np.intp),
        link_lag=lag,
        cost_per_day=rng.uniform(300, 1200, n).round(),
        fixed_cost=rng.uniform(0, 5000, n).round(),
        risk_ids=() if reduced else tuple(f"R{k}" for k in range(risks)),
        risk_probability=np.zeros(0) if reduced else rng.uniform(0.05, 0.4, risks),
        risk_days=np.zeros((0, 3)) if reduced else np.tile([1.0, 3.0, 8.0], (risks, 1)),
        risk_cost=np.zeros((0, 3)) if reduced else np.tile([1000.0, 5000.0, 20000.0], (risks, 1)),
        risk_tasks=() if reduced else risk_tasks,
        correlation=() if reduced else groups,
    )


# --- the straightforward per-iteration implementation --------------------------------------------


def python_per_iteration(model: MonteCarloModel, iterations: int, seed: int) -> list[float]:
    """The lean model, one iteration at a time in plain Python (the baseline)."""
    rnd = random.Random(seed)
    n = len(model.task_ids)
    o, m, p = model.optimistic.tolist(), model.most_likely.tolist(), model.pessimistic.tolist()
    shape = [(1 + 4 * (m[i] - o[i]) / (p[i] - o[i]), 1 + 4 * (p[i] - m[i]) / (p[i] - o[i])) for i in range(n)]
    incoming: list[list[tuple[int, int, float]]] = [[] for _ in range(n)]
    outgoing: list[list[tuple[int, int, float]]] = [[] for _ in range(n)]
    for i, j, t, lag in zip(
        model.link_pred.tolist(),
        model.link_succ.tolist(),
        model.link_type.tolist(),
        model.link_lag.tolist(),
        strict=True,
    ):
        incoming[j].append((i, t, lag))
        outgoing[i].append((j, t, lag))
    order = model.order.tolist()
    risks = list(
        zip(model.risk_probability.tolist(), model.risk_days.tolist(), model.risk_tasks, strict=True)
    )
    critical = [0] * n
    totals = []
    for _ in range(iterations):
        d = [o[i] + (p[i] - o[i]) * rnd.betavariate(*shape[i]) for i in range(n)]
        for probability, (low, mode, high), tasks in risks:
            if rnd.random() < probability:
                extra = rnd.triangular(low, high, mode)
                for t in tasks:
                    d[t] += extra
        es = [0.0] * n
        ef = [0.0] * n
        for j in order:
            start = 0.0
            for i, t, lag in incoming[j]:
                if t == FS:
                    start = max(start, ef[i] + lag)
                elif t == SS:
                    start = max(start, es[i] + lag)
                elif t == FF:
                    start = max(start, ef[i] + lag - d[j])
                else:
                    start = max(start, es[i] + lag - d[j])
            es[j] = start
            ef[j] = start + d[j]
        finish = max(ef)
        lf = [0.0] * n
        for i in reversed(order):
            late = finish
            for j, t, lag in outgoing[i]:
                if t == FS:
                    late = min(late, lf[j] - d[j] - lag)
                elif t == SS:
                    late = min(late, lf[j] - d[j] - lag + d[i])
                elif t == FF:
                    late = min(late, lf[j] - lag)
                else:
                    late = min(late, lf[j] - lag + d[i])
            lf[i] = late
            if late - ef[i] <= 1e-9 * (1 + finish):
                critical[i] += 1
        totals.append(finish)
    return totals


# --- measuring -----------------------------------------------------------------------------------


def _child(connection: Any, work: Callable[[], dict[str, Any]]) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.process_time()
    try:
        figures = work()
        error = None
    except Exception as exc:  # reported in the table, not hidden
        figures, error = {}, f"{type(exc).__name__}: {exc}"
    cpu = time.process_time() - started
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    connection.send({"cpu_s": cpu, "peak_mib": peak, "error": error, **figures})
    connection.close()


def measure(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``work`` in a forked child; its CPU time, peak-RSS increase and returned figures."""
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(child, work))
    process.start()
    result: dict[str, Any] = parent.recv()
    process.join()
    return result


def ours(model: MonteCarloModel, iterations: int, *, full: bool) -> Callable[[], dict[str, Any]]:
    def work() -> dict[str, Any]:
        result = simulate(
            model,
            iterations=iterations,
            seed=1,
            with_cost=full,
            with_sensitivity=full,
            correlate=full,
        )
        return {"p50": result.duration.p50, "p80": result.duration.p80, "iterations_run": iterations}

    return work


def baseline(model: MonteCarloModel, iterations: int) -> Callable[[], dict[str, Any]]:
    def work() -> dict[str, Any]:
        totals = python_per_iteration(model, iterations, seed=1)
        return {
            "p50": float(np.percentile(totals, 50)),
            "p80": float(np.percentile(totals, 80)),
            "iterations_run": iterations,
        }

    return work


def pmcontrols_run(model: MonteCarloModel, iterations: int) -> Callable[[], dict[str, Any]]:
    def work() -> dict[str, Any]:
        import pmcontrols

        preds: list[list[str]] = [[] for _ in model.task_ids]
        for i, j in zip(model.link_pred.tolist(), model.link_succ.tolist(), strict=True):
            preds[j].append(model.task_ids[i])
        activities = [
            {"id": tid, "a": a, "m": mm, "b": b, "predecessors": preds[k]}
            for k, (tid, a, mm, b) in enumerate(
                zip(
                    model.task_ids,
                    model.optimistic.tolist(),
                    model.most_likely.tolist(),
                    model.pessimistic.tolist(),
                    strict=True,
                )
            )
        ]
        result = pmcontrols.pert(activities, n_sim=iterations, seed=1)
        return {"p50": result.stats["mc_p50"], "p80": result.stats["mc_p80"], "iterations_run": iterations}

    return work


def version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="20,000 iterations, 100 and 1,000 tasks")
    parser.add_argument("--iterations", type=int, help="default 100,000 (20,000 with --quick)")
    parser.add_argument("--sizes", type=int, nargs="+", help="task counts (default 100 1000 5000)")
    parser.add_argument(
        "--baseline-iterations", type=int, help="pure-Python iterations to scale from (default 200·100/n)"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    iterations = args.iterations or (20_000 if args.quick else 100_000)
    sizes = args.sizes or ([100, 1000] if args.quick else [100, 1000, 5000])
    info = benchlib.machine()
    say = (lambda *a: None) if args.json else (lambda *a: print(*a, flush=True))
    networks = ", ".join(f"{n:,}" for n in sizes)
    say(f"Monte Carlo benchmark — {iterations:,} iterations; networks of {networks} tasks")
    say(f"Machine: {info['cpu']}, {info['cores']} cores · Python {info['python']} · {info['date']}")
    packages = {
        "numpy": version("numpy"),
        "pmcontrols": version("pmcontrols"),
        "mcprojsim": version("mcprojsim"),
    }
    say("Packages: " + ", ".join(f"{k} {v or 'not installed'}" for k, v in packages.items()))
    # One-off costs stay out of the timings: the per-process PERT quantile table and pmcontrols'
    # import (pandas) happen here, before the children are forked.
    mc._standard_pert_quantiles()
    if packages["pmcontrols"]:
        import pmcontrols  # noqa: F401
    rows: list[dict[str, Any]] = []
    for n in sizes:
        model = make_model(n)
        reduced = make_model(n, reduced=True)
        links = int(model.link_pred.size)
        runs: list[tuple[str, Callable[[], dict[str, Any]], int]] = [
            ("lean", ours(model, iterations, full=False), iterations),
            ("full", ours(model, iterations, full=True), iterations),
        ]
        few = args.baseline_iterations or max(5, min(iterations, 20_000 // n if args.quick else 100_000 // n))
        runs.append(("python", baseline(model, few), few))
        # pmcontrols keeps every sample: it runs fewer iterations, and ours-FS runs as many.
        pm_iterations = min(iterations, PMCONTROLS_TASK_ITERATIONS // n)
        runs.append(("ours-FS", ours(reduced, pm_iterations, full=False), pm_iterations))
        if packages["pmcontrols"]:
            runs.append(("pmcontrols", pmcontrols_run(reduced, pm_iterations), pm_iterations))
        for name, work, ran in runs:
            figures = measure(work)
            scale = iterations / ran
            row = {
                "tasks": n,
                "links": links,
                "run": name,
                "iterations_run": ran,
                "cpu_s": figures["cpu_s"] * scale,
                "cpu_measured_s": figures["cpu_s"],
                "peak_mib": figures["peak_mib"],
                "p50": figures.get("p50"),
                "p80": figures.get("p80"),
                "error": figures["error"],
            }
            rows.append(row)
            say(f"  {n:>5} tasks  {name:<10} {row['cpu_s']:8.2f} s  (ran {ran:,})")
        if not packages["mcprojsim"]:
            rows.append({"tasks": n, "links": links, "run": "mcprojsim", "error": "not installed"})
    lean = {r["tasks"]: r for r in rows if r["run"] == "lean"}
    for r in rows:
        if r["run"] in ("python", "pmcontrols") and r.get("cpu_s"):
            reference = (
                lean[r["tasks"]]
                if r["run"] == "python"
                else next(x for x in rows if x["tasks"] == r["tasks"] and x["run"] == "ours-FS")
            )
            r["slower_than_ours"] = r["cpu_s"] / reference["cpu_s"]
    checks = []
    if 1000 in lean and iterations == 100_000:
        full = next(r for r in rows if r["tasks"] == 1000 and r["run"] == "full")
        checks = [
            (
                "lean 1,000 tasks < 3 s CPU",
                round(lean[1000]["cpu_s"], 2),
                lean[1000]["cpu_s"] < TARGETS["lean_s"],
            ),
            (
                "lean 1,000 tasks < 400 MiB",
                round(lean[1000]["peak_mib"]),
                lean[1000]["peak_mib"] < TARGETS["peak_mib"],
            ),
            ("full 1,000 tasks < 5 s CPU", round(full["cpu_s"], 2), full["cpu_s"] < TARGETS["full_s"]),
        ]
    report = {
        "machine": info,
        "iterations": iterations,
        "packages": packages,
        "rows": rows,
        "targets": checks,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print()
    print("| tasks | links | run | CPU s (all iterations) | peak MiB | P50 days | P80 days | × ours | note |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        if r.get("error"):
            print(f"| {r['tasks']:,} | {r['links']:,} | {r['run']} | — | — | — | — | — | {r['error']} |")
            continue
        note = ""
        if r["iterations_run"] != iterations:
            note = f"ran {r['iterations_run']:,} iterations ({r['cpu_measured_s']:.2f} s), time scaled"
        ratio = f"{r['slower_than_ours']:.0f}×" if "slower_than_ours" in r else ""
        print(
            f"| {r['tasks']:,} | {r['links']:,} | {r['run']} | {r['cpu_s']:.2f} | {r['peak_mib']:.0f} | "
            f"{r['p50']:.1f} | {r['p80']:.1f} | {ratio} | {note} |"
        )
    print(
        "\nlean = durations, risks, link types and lags, forward/backward passes, criticality; full = lean + "
        "cost + sensitivity + correlation; ours-FS and pmcontrols = the same network reduced to FS links "
        "without lags, risks or correlation. × ours: python against lean, pmcontrols against ours-FS. "
        "Peak = increase of ru_maxrss in a forked child."
    )
    for target, value, met in checks:
        print(f"  {target:<30} {value!s:>8}  {'met' if met else 'MISSED'}")
    if not math.isfinite(sum(r.get("cpu_s") or 0 for r in rows)):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
