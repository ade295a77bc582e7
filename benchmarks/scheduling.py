"""CPM speed and memory at 100,000 tasks (issue 7, "How well"): the engine against a dict-based CPM.

    .venv/bin/python benchmarks/scheduling.py                  # 100,000 tasks, best of 3
    .venv/bin/python benchmarks/scheduling.py --tasks 20000 --repeat 5
    .venv/bin/python benchmarks/scheduling.py --json

Generates a random acyclic network deterministically (seed 7): each task after the first
has a Poisson(1.5) number of predecessors drawn among the 500 tasks before it (plans link
nearby work), link types FS 70 %, SS/FF/SF 10 % each, lags −2…5 days, durations 0…20
days; the tasks are then listed in a shuffled order so the engine must sort them
(Kahn) rather than take the list order. Times ``scheduling.Network.build`` +
``critical_path_method`` (CPU time, ``time.process_time``, best of ``--repeat``) and, in a
separate run, their peak traced memory (``tracemalloc``); then the same for a
straightforward dict-of-dicts CPM (Kahn over dicts, a forward and backward pass branching
on the link type per link) and checks both give the same schedule. Also times the path the
CLI takes: ``plan.parse_plan`` of the decoded PLAN.json + ``schedule_plan``.

Target (2-core machine): engine CPM of 100,000 tasks under 1 s.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import sys
import time
import tracemalloc
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import benchlib
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from salesdesk.estimates.plan import parse_plan
from salesdesk.estimates.scheduling import Network, critical_path_method, schedule_plan

TARGET_S = 1.0
WINDOW = 500

Links = tuple[list[int], list[int], list[str], list[float]]


def generate(n: int, seed: int = 7) -> tuple[list[str], list[float], Links]:
    """Task ids, durations and links (positions) of a random DAG, listed in shuffled order."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(1.5, size=n)
    counts[0] = 0
    src: list[int] = []
    dst: list[int] = []
    for j in range(1, n):
        k = int(counts[j])
        if k:
            low = max(0, j - WINDOW)
            for i in set(rng.integers(low, j, size=k).tolist()):
                src.append(i)
                dst.append(j)
    m = len(src)
    types = rng.choice(["FS", "SS", "FF", "SF"], size=m, p=[0.7, 0.1, 0.1, 0.1]).tolist()
    lags = rng.integers(-2, 6, size=m).astype(float).tolist()
    durations = rng.integers(0, 21, size=n).astype(float)
    # list the tasks in a random order: position p holds generated task perm[p]
    perm = rng.permutation(n)
    where = np.empty(n, dtype=np.int64)
    where[perm] = np.arange(n)
    ids = [f"T{int(t)}" for t in perm]
    return (
        ids,
        durations[perm].tolist(),
        (where[src].tolist(), where[dst].tolist(), types, lags),
    )


def engine(ids: list[str], durations: list[float], links: Links) -> dict[str, Any]:
    """The engine: compile the network (topological sort included), then both passes."""
    network = Network.build(ids, durations, *links)
    schedule = critical_path_method(network)
    return {
        "duration": schedule.duration,
        "early_start": schedule.early_start,
        "total_float": schedule.total_float,
    }


def dict_cpm(ids: list[str], durations: list[float], links: Links) -> dict[str, Any]:
    """The straightforward way: dicts keyed by task id, link type checked on every link."""
    src, dst, types, lags = links
    tasks: dict[str, dict[str, Any]] = {
        task_id: {"duration": d, "preds": [], "succs": []} for task_id, d in zip(ids, durations, strict=True)
    }
    for i, j, kind, lag in zip(src, dst, types, lags, strict=True):
        tasks[ids[j]]["preds"].append({"id": ids[i], "type": kind, "lag": lag})
        tasks[ids[i]]["succs"].append({"id": ids[j], "type": kind, "lag": lag})
    indegree = {t: len(v["preds"]) for t, v in tasks.items()}
    queue = deque(t for t, k in indegree.items() if k == 0)
    order = []
    while queue:
        t = queue.popleft()
        order.append(t)
        for s in tasks[t]["succs"]:
            indegree[s["id"]] -= 1
            if indegree[s["id"]] == 0:
                queue.append(s["id"])
    times: dict[str, dict[str, float]] = {t: {} for t in tasks}
    for t in order:
        d = tasks[t]["duration"]
        es = 0.0
        for p in tasks[t]["preds"]:
            pt = times[p["id"]]
            if p["type"] == "FS":
                es = max(es, pt["ef"] + p["lag"])
            elif p["type"] == "SS":
                es = max(es, pt["es"] + p["lag"])
            elif p["type"] == "FF":
                es = max(es, pt["ef"] + p["lag"] - d)
            else:
                es = max(es, pt["es"] + p["lag"] - d)
        times[t]["es"], times[t]["ef"] = es, es + d
    project = max(v["ef"] for v in times.values())
    for t in reversed(order):
        d = tasks[t]["duration"]
        lf = project
        for s in tasks[t]["succs"]:
            st = times[s["id"]]
            if s["type"] == "FS":
                lf = min(lf, st["ls"] - s["lag"])
            elif s["type"] == "SS":
                lf = min(lf, st["ls"] - s["lag"] + d)
            elif s["type"] == "FF":
                lf = min(lf, st["lf"] - s["lag"])
            else:
                lf = min(lf, st["lf"] - s["lag"] + d)
        times[t]["lf"], times[t]["ls"] = lf, lf - d
        times[t]["total_float"] = max(0.0, times[t]["ls"] - times[t]["es"])
    return {
        "duration": project,
        "early_start": np.array([times[t]["es"] for t in ids]),
        "total_float": np.array([times[t]["total_float"] for t in ids]),
    }


def plan_json(ids: list[str], durations: list[float], links: Links) -> dict[str, Any]:
    """The same network as decoded PLAN.json, for the CLI path."""
    tasks: list[dict[str, Any]] = [
        {"id": t, "name": t, "duration": d, "predecessors": []} for t, d in zip(ids, durations, strict=True)
    ]
    for i, j, kind, lag in zip(*links, strict=True):
        tasks[j]["predecessors"].append({"id": ids[i], "type": kind, "lag": lag})
    return {"tasks": tasks}


def measure(function: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Best CPU time of ``repeat`` runs, and the peak traced memory (MB) of one more."""
    best = math.inf
    result = None
    for _ in range(repeat):
        gc.collect()
        started = time.process_time()
        result = function()
        best = min(best, time.process_time() - started)
    gc.collect()
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak / 1e6, result


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table (or --json)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    ids, durations, links = generate(args.tasks)
    report: dict[str, Any] = {"machine": benchlib.machine(), "tasks": args.tasks, "links": len(links[0])}
    say = (lambda *a: None) if args.json else (lambda *a: print(*a, flush=True))
    info = report["machine"]
    say(f"Scheduling benchmark — {args.tasks:,} tasks, {len(links[0]):,} links, best of {args.repeat}")
    say(f"Machine: {info['cpu']}, {info['cores']} cores · Python {info['python']} · {info['date']}")

    engine_s, engine_mb, ours = measure(lambda: engine(ids, durations, links), args.repeat)
    dict_s, dict_mb, theirs = measure(lambda: dict_cpm(ids, durations, links), args.repeat)
    if ours["duration"] != theirs["duration"] or not np.array_equal(
        ours["early_start"], theirs["early_start"]
    ):
        raise SystemExit("engine and dict-based CPM disagree")
    if not np.allclose(ours["total_float"], theirs["total_float"]):
        raise SystemExit("engine and dict-based CPM disagree on total float")
    data = plan_json(ids, durations, links)
    plan_s, plan_mb, _ = measure(lambda: schedule_plan(parse_plan(data)), args.repeat)

    rows = [
        ("engine: Network.build + critical_path_method", engine_s, engine_mb),
        ("dict-based CPM (baseline)", dict_s, dict_mb),
        ("CLI path: parse_plan + schedule_plan", plan_s, plan_mb),
    ]
    report["results"] = [
        {
            "implementation": name,
            "cpu_s": round(s, 3),
            "peak_mb": round(mb, 1),
            "ratio": round(s / engine_s, 2),
        }
        for name, s, mb in rows
    ]
    report["speedup"] = round(dict_s / engine_s, 1)
    report["memory_ratio"] = round(dict_mb / engine_mb, 1)
    report["target_met"] = engine_s < TARGET_S
    report["project_duration"] = ours["duration"]
    if args.json:
        print(json.dumps(report))
        return 0
    say("")
    say("| implementation | CPU time (s) | peak memory (MB) | time ÷ engine |")
    say("|---|---:|---:|---:|")
    for name, s, mb in rows:
        say(f"| {name} | {s:.3f} | {mb:.1f} | {s / engine_s:.2f} |")
    say("")
    say(
        f"Engine: {report['speedup']}× faster and {report['memory_ratio']}× less peak memory than the "
        f"dict-based CPM; target < {TARGET_S:g} s: {'met' if report['target_met'] else 'NOT met'}."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
