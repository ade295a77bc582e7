"""Shared plumbing of the benchmark scripts: Django set-up, a throwaway database, machine facts.

Kept in a package (not ``benchmarks/*.py``) so that ``make bench``, which runs every
``benchmarks/*.py``, does not run it as a benchmark.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import inspect
import math
import os
import platform
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def setup_django() -> None:
    """Configure Django for a benchmark (the project settings; DATABASE_URL picks the engine)."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.config.settings")
    # Semantic search loads its packaged model from site-packages; never download at run time.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import django

    django.setup()
    from django.conf import settings

    # Demo users are created with Argon2 (≈0.5 s each); a benchmark does not need real hashes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@contextlib.contextmanager
def temporary_database(verbosity: int = 0) -> Iterator[str]:
    """A fresh, migrated database for the run, destroyed afterwards (Django's test-database machinery).

    SQLite: an in-memory database unless SALESDESK_TEST_SQLITE_NAME names a file.
    PostgreSQL: ``test_<name>`` next to the database DATABASE_URL names (created and dropped).
    """
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment(debug=False)
    old_name = connection.settings_dict["NAME"]
    name = connection.creation.create_test_db(verbosity=verbosity, autoclobber=True, keepdb=False)
    try:
        yield name
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=verbosity, keepdb=False)
        teardown_test_environment()


def database_description() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            return f"PostgreSQL {version}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def machine() -> dict[str, Any]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def semantic_installed() -> bool:
    return importlib.util.find_spec("sentence_transformers") is not None


def available_modes() -> tuple[list[str], str]:
    """The search modes to measure, and why the others are missing (empty when none are)."""
    from salesdesk.knowledge.search import search

    if "mode" not in inspect.signature(search).parameters:
        return ["keyword"], "search() has no `mode` parameter yet: semantic and hybrid not available"
    try:
        from salesdesk.knowledge import embeddings

        if not embeddings.available():
            return ["keyword"], "knowledge.embeddings.available() is False (semantic extra or model missing)"
    except ImportError:
        pass
    if not semantic_installed():
        return ["keyword"], "the `semantic` extra (sentence-transformers) is not installed"
    return ["keyword", "semantic", "hybrid"], ""


def build_semantic_index() -> str:
    """Compute embeddings if the code offers a way to; returns what was called (or why nothing)."""
    candidates = [
        ("salesdesk.knowledge.semantic", ("rebuild_index", "rebuild_embeddings", "build_index", "index_all")),
        (
            "salesdesk.knowledge.embeddings",
            ("compute_embeddings", "rebuild_index", "rebuild_embeddings", "build_index", "index_all"),
        ),
        ("salesdesk.knowledge.search", ("rebuild_embeddings", "rebuild_semantic_index", "embed_all")),
    ]
    for module_name, functions in candidates:
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        for function in functions:
            if callable(getattr(module, function, None)):
                getattr(module, function)()
                return f"{module_name}.{function}()"
    return "no embedding-build function found"


def search_kwargs(mode: str) -> dict[str, Any]:
    """``mode=`` only when search() takes it (keyword otherwise)."""
    from salesdesk.knowledge.search import search

    if "mode" in inspect.signature(search).parameters:
        return {"mode": mode}
    return {}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0–100) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


class QueryTimeout:
    """Abort any single database query that runs longer than ``seconds`` (both databases).

    search() catches the database error and returns no results, so a timed-out query is
    recorded with its elapsed time (≈ the limit: a lower bound of its real latency).
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = float("inf")

    def install(self) -> None:
        from django.db import connection

        connection.ensure_connection()
        if connection.vendor == "sqlite":
            import time

            def handler() -> int:
                return 1 if time.perf_counter() > self.deadline else 0

            connection.connection.set_progress_handler(handler, 20_000)
        elif connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {int(self.seconds * 1000)}")

    def start(self) -> None:
        import time

        self.deadline = time.perf_counter() + self.seconds
