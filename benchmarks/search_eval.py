"""Retrieval quality of knowledge search over the demo knowledge base (issue 3, "How well").

    .venv/bin/python benchmarks/search_eval.py [--json] [--verbose]

Loads the demo data into a fresh temporary database (SQLite in memory by default; a
throwaway ``test_<name>`` database on PostgreSQL when DATABASE_URL is set), then runs
every question of ``benchmarks/data/search_eval.jsonl`` as Priya (level 1 support)
through ``knowledge.search.search()`` in each available mode and reports recall@1,
recall@5 and MRR (reciprocal rank of the expected item within the first 20, else 0).

Targets: hybrid recall@5 ≥ 0.95 and recall@1 ≥ 0.85; keyword recall@5 ≥ 0.80; hybrid
at least as good as the better of keyword and semantic (recall@5 and MRR).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import benchlib

EVAL_FILE = Path(__file__).resolve().parent / "data" / "search_eval.jsonl"
DEPTH = 20
TARGETS = [
    # (mode, metric, minimum)
    ("keyword", "recall@5", 0.80),
    ("hybrid", "recall@5", 0.95),
    ("hybrid", "recall@1", 0.85),
]


def load_questions(path: Path = EVAL_FILE) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(user: Any, questions: list[dict[str, Any]], mode: str) -> dict[str, Any]:
    from salesdesk.knowledge.search import search

    hits1 = hits5 = 0
    reciprocal = 0.0
    failures = []
    ran_as: set[str] = set()
    started = time.perf_counter()
    for q in questions:
        result = search(user=user, query=q["question"], limit=DEPTH, **benchlib.search_kwargs(mode))
        ran_as.add(getattr(result, "mode", "keyword"))
        ranked = [h.external_id for h in result.hits if h.kind in ("answer", "article")]
        rank = ranked.index(q["expected"]) + 1 if q["expected"] in ranked else None
        if rank == 1:
            hits1 += 1
        if rank is not None and rank <= 5:
            hits5 += 1
        if rank is not None:
            reciprocal += 1 / rank
        if rank != 1:
            first = result.hits[0] if result.hits else None
            failures.append(
                {
                    "id": q["id"],
                    "question": q["question"],
                    "expected": q["expected"],
                    "rank": rank,
                    "first": f"{first.external_id or first.kind} — {first.title}" if first else "(nothing)",
                }
            )
    n = len(questions)
    return {
        "mode": mode,
        "questions": n,
        "recall@1": round(hits1 / n, 4),
        "recall@5": round(hits5 / n, 4),
        "mrr": round(reciprocal / n, 4),
        "seconds": round(time.perf_counter() - started, 2),
        "ran_as": sorted(ran_as),
        "failures": failures,
    }


def check_targets(results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    checks = []
    for mode, metric, minimum in TARGETS:
        value = results.get(mode, {}).get(metric)
        checks.append(
            {
                "target": f"{mode} {metric} ≥ {minimum:.2f}",
                "value": value,
                "met": None if value is None else value >= minimum,
                "gap": None if value is None or value >= minimum else round(minimum - value, 4),
            }
        )
    if {"keyword", "semantic", "hybrid"} <= results.keys():
        for metric in ("recall@5", "mrr"):
            best = max(results["keyword"][metric], results["semantic"][metric])
            value = results["hybrid"][metric]
            checks.append(
                {
                    "target": f"hybrid {metric} ≥ max(keyword, semantic) = {best:.4f}",
                    "value": value,
                    "met": value >= best,
                    "gap": None if value >= best else round(best - value, 4),
                }
            )
    else:
        checks.append(
            {"target": "hybrid ≥ better of keyword and semantic", "value": None, "met": None, "gap": None}
        )
    return checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument(
        "--verbose", action="store_true", help="list the questions whose answer was not first"
    )
    parser.add_argument("--modes", default="", help="comma-separated subset of the available modes")
    args = parser.parse_args(argv)

    benchlib.setup_django()
    questions = load_questions()
    info = benchlib.machine()
    with benchlib.temporary_database():
        from salesdesk.demo import demo_load
        from salesdesk.knowledge.search import rebuild_index
        from salesdesk.parties.models import User

        started = time.perf_counter()
        demo_load()
        rebuild_index()
        load_seconds = time.perf_counter() - started
        modes, missing = benchlib.available_modes()
        semantic_build = ""
        if "semantic" in modes:
            semantic_build = benchlib.build_semantic_index()
        if args.modes:
            modes = [m for m in modes if m in args.modes.split(",")]
        info["database"] = benchlib.database_description()
        user = User.objects.get(username="priya")  # level 1 support
        assert user.support_level == 1, user.support_level
        results = {}
        for mode in modes:
            try:
                results[mode] = evaluate(user, questions, mode)
            except Exception as exc:  # a mode the code announces but cannot run yet
                missing += f"{'; ' if missing else ''}{mode} failed: {type(exc).__name__}: {exc}"
    checks = check_targets(results)
    report = {
        "machine": info,
        "questions": len(questions),
        "eval_file": str(EVAL_FILE.relative_to(benchlib.ROOT)),
        "demo_load_seconds": round(load_seconds, 1),
        "modes": {m: {k: v for k, v in r.items() if k != "failures"} for m, r in results.items()},
        "not_measured": missing,
        "semantic_index": semantic_build,
        "targets": checks,
    }
    if args.verbose:
        report["failures"] = {m: r["failures"] for m, r in results.items()}
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    print(f"Search evaluation — {len(questions)} questions ({report['eval_file']}), as a level-1 agent")
    print(f"Machine: {info['cpu']}, {info['cores']} cores · {info['database']} · {info['date']}")
    print(f"Demo load + index: {report['demo_load_seconds']} s")
    if missing:
        print(f"Not measured: {missing}")
    if semantic_build:
        print(f"Semantic index: {semantic_build}")
    print()
    print(f"{'mode':<10} {'recall@1':>9} {'recall@5':>9} {'MRR':>7} {'time':>8}")
    for mode, r in results.items():
        print(
            f"{mode:<10} {r['recall@1']:>9.3f} {r['recall@5']:>9.3f} {r['mrr']:>7.3f} {r['seconds']:>7.1f}s"
            f"  (ran as: {', '.join(r['ran_as'])})"
        )
    print()
    for c in checks:
        status = "not measured" if c["met"] is None else ("met" if c["met"] else f"MISSED by {c['gap']:.3f}")
        value = "—" if c["value"] is None else f"{c['value']:.3f}"
        print(f"  {c['target']:<48} {value:>6}  {status}")
    if args.verbose:
        for mode, r in results.items():
            print(f"\nNot first in {mode} ({len(r['failures'])}):")
            for f in r["failures"]:
                rank = f"rank {f['rank']}" if f["rank"] else f"not in top {DEPTH}"
                print(
                    f"  [{f['id']}] {f['question']}\n"
                    f"      expected {f['expected']} ({rank}); first: {f['first']}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
