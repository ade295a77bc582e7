"""Service desk at scale (issue "service desk", "How well"): queue pages, the case list API, creation.

    .venv/bin/python benchmarks/service.py                      # default scale (DEFAULT_CASES)
    .venv/bin/python benchmarks/service.py --cases 1000000      # the full figure
    createdb -h 127.0.0.1 -U postgres bench_service_1m
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_service_1m .venv/bin/python \
        benchmarks/service.py --cases 1000000 --keep             # keeps test_bench_service_1m
    .venv/bin/python benchmarks/service.py --cases 1000000 --keep /tmp/bench.sqlite3

Builds a fresh temporary database (SQLite file in a temp dir by default; a throwaway
``test_<name>`` database on PostgreSQL when DATABASE_URL is set), loads the demo data (users,
customer accounts, the SLA calendar and policies), then generates N cases deterministically in
batches of 10,000 rows written without the ORM's per-object cost (COPY on PostgreSQL, one
``executemany`` on SQLite: about 4 minutes for 1,000,000 cases on 2 busy cores). With
``--keep`` the loaded database is kept and the next run with ``--keep`` measures it again
without loading. The distribution: cases opened over the last two years, most closed; the
recent ones active (new, open, waiting on the customer) in tiers 1–4, half of them in a
tier's queue and half assigned to a support agent. Active cases get their due times from the
real business-hours engine and their ``at_risk_at`` from ``selectors.at_risk_moment``;
finished ones wall-clock approximations (nothing lists them by due time).

Measured, through Django's test Client (the whole request: middleware, view, template or
schema): every queue tab as Tomás (level 2 support) — my work, my tier, breaching soon,
waiting on customer, complaints, all open — and the open cases as Sam (a customer user);
``GET /api/cases`` as both, and ``?queue=mine`` / ``?queue=breaching``; each on its first
page and on the page reached by following "Next" (the API's ``next``) ``--deep-pages``
times; the SQL queries of one request; and case creation throughput through the API from
this process against ``salesdesk serve`` in a second process (an API token,
``http.client``, a few threads).

Targets (2-core machine, 1M cases on PostgreSQL): queue and list p95 ≤ 150 ms; keyset
pagination, so a deep page costs about what the first does (checked on the median, the
p95 of a shared machine being mostly its neighbours); no creation errors.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import html
import http.client
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import benchlib

# `make bench` runs every benchmark: 20,000 cases keep this one to a couple of minutes.
DEFAULT_CASES = 20_000
BATCH = 10_000
TARGET_P95_MS = 150.0

SUBJECTS = {
    "query": [
        "How do I export the {f} log from the {p}?",
        "Does the {p} support {f}?",
        "Which firmware do we need on the {p} for {f}?",
        "Licence question about {f} on the {p}",
    ],
    "problem": [
        "{p} drops connections during {f}",
        "{f} stopped working on the {p} after the update",
        "{p} reboots under load",
        "Cannot log in to the {p} management console",
    ],
    "complaint": [
        "Replacement {p} arrived late",
        "Order of {p} arrived without licences",
        "No answer on our {f} issue for three days",
    ],
    "request": [
        "Please add two administrators for {f}",
        "Request an RMA for a faulty {p}",
        "Please extend the {f} trial on the {p}",
    ],
}
PRODUCTS = ["Edge Gateway 400", "Edge Gateway 800", "Access Switch", "Wireless AP", "Firewall 200"]
FEATURES = ["VPN", "SSO", "backup", "IPv6", "syslog", "failover", "PoE", "guest Wi-Fi"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sqlite_value(value: Any) -> Any:
    """What Django's SQLite backend stores for a value (aware datetimes as naive UTC text)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    return value


def _insert(rows: list[tuple[Any, ...]], columns: list[str]) -> None:
    """Rows into service_case the fastest way each database offers: COPY, or one executemany."""
    from django.db import connection, transaction

    table = "service_case"
    with transaction.atomic():
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            connection.ensure_connection()
            marks = ", ".join("?" * len(columns))
            connection.connection.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                [tuple(_sqlite_value(v) for v in row) for row in rows],
            )


def generate_cases(n: int, now: dt.datetime, say: Any) -> dict[str, int]:
    """N cases, deterministic, inserted in batches of BATCH rows without the ORM's per-object cost.

    Active cases (the ones the queues show) get their due times and at-risk moment from the
    real business-hours engine and ``selectors.at_risk_moment``; finished cases get wall-clock
    approximations (nothing reads their SLA but the case page).
    """
    import itertools

    from salesdesk.demo.service import SLA_TARGETS
    from salesdesk.parties.models import Organisation, User
    from salesdesk.service import business_hours
    from salesdesk.service.models import BusinessCalendar, Case, SlaPolicy
    from salesdesk.service.selectors import at_risk_moment

    rng = random.Random(11)
    accounts = list(Organisation.objects.filter(kind="customer").values_list("id", "tier"))
    # Bigger accounts raise more cases: a skewed weight per account.
    cum_weights = list(itertools.accumulate(1.0 / (1 + i) ** 0.6 for i in range(len(accounts))))
    agents: dict[int, list[int]] = {}
    for pk, level in User.objects.filter(kind="support", support_level__in=(1, 2, 3, 4)).values_list(
        "id", "support_level"
    ):
        agents.setdefault(level, []).append(pk)
    calendar = BusinessCalendar.objects.get()
    engine = calendar.as_engine()
    policies = {(p.customer_tier, p.priority): p.pk for p in SlaPolicy.objects.all()}
    statuses = ["closed"] * 78 + ["resolved"] * 7 + ["new"] * 5 + ["open"] * 7 + ["waiting_on_customer"] * 3
    priorities = ["low"] * 20 + ["normal"] * 55 + ["high"] * 20 + ["urgent"] * 5
    types = ["query"] * 45 + ["problem"] * 35 + ["request"] * 15 + ["complaint"] * 5
    tiers = [1] * 60 + [2] * 25 + [3] * 10 + [4] * 5
    channels = ["phone", "email", "web_portal", "partner", "in_person"]
    # Every concrete column but the id; the ones a row does not set take the field's default.
    fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    defaults: dict[str, Any] = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        elif f.attname == "pauses":
            defaults[f.attname] = "[]"
        else:
            defaults[f.attname] = f.get_default()
    counts: dict[str, int] = {}
    span = 730 * 24 * 3600
    done = 0
    while done < n:
        batch = []
        for _ in range(min(BATCH, n - done)):
            status = statuses[rng.randrange(len(statuses))]
            active = status in ("new", "open", "waiting_on_customer")
            account_id, account_tier = rng.choices(accounts, cum_weights=cum_weights)[0]
            account_tier = account_tier or "standard"
            priority = priorities[rng.randrange(len(priorities))]
            case_type = types[rng.randrange(len(types))]
            tier = tiers[rng.randrange(len(tiers))]
            # Active cases are recent (the last three weeks); finished ones spread over two years.
            age = rng.uniform(0, 21 * 24 * 3600) if active else rng.uniform(2 * 24 * 3600, span)
            opened = now - dt.timedelta(seconds=age)
            first, resolution = SLA_TARGETS.get(account_tier, SLA_TARGETS["standard"])[priority]
            assignee = None
            if status != "new" and (not active or rng.random() < 0.5):
                assignee = rng.choice(agents.get(tier) or agents[1])
            responded = opened + dt.timedelta(minutes=rng.uniform(5, first * 3)) if status != "new" else None
            resolved = opened + dt.timedelta(minutes=rng.uniform(30, resolution * 3)) if not active else None
            paused = opened + dt.timedelta(hours=1) if status == "waiting_on_customer" else None
            at_risk = None
            if active:
                # The real engine for the cases the queues show.
                first_due = business_hours.add_business_time(opened, dt.timedelta(minutes=first), engine)
                resolution_due = business_hours.add_business_time(
                    opened, dt.timedelta(minutes=resolution), engine
                )
                probe = Case(
                    sla_calendar=calendar,
                    first_response_minutes=first,
                    resolution_minutes=resolution,
                    at_risk_percent=75,
                    first_response_due_at=first_due,
                    resolution_due_at=resolution_due,
                    first_responded_at=responded,
                )
                at_risk = at_risk_moment(probe)
            else:
                # Business minutes → wall clock, roughly (10 working hours a day, 5 days a week).
                first_due = opened + dt.timedelta(minutes=first * 2.4)
                resolution_due = opened + dt.timedelta(minutes=resolution * 2.4)
            p = rng.choice(PRODUCTS)
            f = rng.choice(FEATURES)
            subject = rng.choice(SUBJECTS[case_type]).format(p=p, f=f)
            policy = policies.get((account_tier, priority))
            row = defaults | {
                "case_type": case_type,
                "channel": rng.choice(channels),
                "priority": priority,
                "status": status,
                "tier": tier,
                "account_id": account_id,
                "subject": subject,
                "description": f"{subject}. Reported by the customer's IT team.",
                "assignee_id": assignee,
                "sla_policy_id": policy,
                "sla_policy_version": 1 if policy else None,
                "sla_calendar_id": calendar.pk,
                "first_response_minutes": first,
                "resolution_minutes": resolution,
                "at_risk_percent": 75,
                "opened_at": opened,
                "first_response_due_at": first_due,
                "resolution_due_at": resolution_due,
                "at_risk_at": at_risk,
                "first_responded_at": responded,
                "resolved_at": resolved,
                "closed_at": resolved + dt.timedelta(days=2) if status == "closed" and resolved else None,
                "paused_at": paused,
                "created_at": opened,
                "updated_at": opened,
            }
            batch.append(tuple(row[f.attname] for f in fields))
            counts[status] = counts.get(status, 0) + 1
        _insert(batch, columns)
        done += len(batch)
        if done % 100_000 == 0 or done == n:
            say(f"  … {done:,} cases")
    return counts


def timed(client: Any, urls: list[str], count: int, budget: float) -> list[dict[str, Any]]:
    """p50/p95 of ``count`` GETs of each URL and the queries of one request of each.

    The URLs (a list's first and deep page) are requested in turn, so both see the same
    moments of a shared machine's load; stops after ``budget`` seconds.
    """
    from django.db import connection

    counts = []
    for url in urls:
        # Counted with an execute wrapper: CaptureQueriesContext's log is reset by request_started.
        queries: list[str] = []

        def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any, log: Any = queries) -> Any:
            log.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(wrapper):
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        counts.append(len(queries))
    samples: list[list[float]] = [[] for _ in urls]
    started = time.perf_counter()
    for _ in range(count):
        for url, taken in zip(urls, samples, strict=True):
            t = time.perf_counter()
            client.get(url)
            taken.append(time.perf_counter() - t)
        if time.perf_counter() - started > budget:
            break
    return [
        {
            "p50_ms": round(benchlib.percentile(taken, 50) * 1000, 1),
            "p95_ms": round(benchlib.percentile(taken, 95) * 1000, 1),
            "n": len(taken),
            "queries": n,
        }
        for taken, n in zip(samples, counts, strict=True)
    ]


def deep_cursor(client: Any, url: str, pages: int) -> tuple[str, int]:
    """The URL of an API list after following ``next`` up to ``pages`` times, and how many it took."""
    done = 0
    for _ in range(pages):
        body = client.get(url).json()
        if not body.get("next"):
            break
        parts = urlsplit(body["next"])
        url = parts.path + ("?" + parts.query if parts.query else "")
        done += 1
    return url, done


NEXT_LINK = re.compile(r'<a href="(\?[^"]*)" rel="next"')


def deep_page_link(client: Any, url: str, pages: int) -> tuple[str, int]:
    """The URL of a queue page after following its "Next" link up to ``pages`` times."""
    path = url.split("?", 1)[0]
    done = 0
    for _ in range(pages):
        match = NEXT_LINK.search(client.get(url).content.decode())
        if match is None:
            break
        url = path + html.unescape(match.group(1))
        done += 1
    return url, done


@contextlib.contextmanager
def database(*, keep: bool) -> Any:
    """A fresh migrated database, or with ``keep`` the one kept from the last run (never dropped)."""
    if not keep:
        with benchlib.temporary_database():
            yield
        return
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment(debug=False)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True, serialize=False)
    yield


def database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def creation_throughput(secret: str, account_id: int, count: int, threads: int) -> dict[str, Any]:
    """POST ``count`` cases to ``salesdesk serve`` in a subprocess; cases per second and errors."""
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url())
    env.pop("DJANGO_SETTINGS_MODULE", None)
    exe = Path(sys.executable).with_name("salesdesk")
    server = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--threads", str(max(4, threads))],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"salesdesk serve did not start: {server.stderr.read()!r}") from None
                time.sleep(0.2)
        errors: list[str] = []
        lock = threading.Lock()
        per_thread = [count // threads + (1 if i < count % threads else 0) for i in range(threads)]

        def work(k: int, todo: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            for i in range(todo):
                body = json.dumps(
                    {
                        "subject": f"Throughput test case {k}-{i}",
                        "account_id": account_id,
                        "priority": "normal",
                        "case_type": "query",
                        "channel": "email",
                    }
                )
                try:
                    conn.request(
                        "POST",
                        "/api/cases",
                        body=body,
                        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
                    )
                    response = conn.getresponse()
                    text = response.read()
                    if response.status != 201:
                        with lock:
                            errors.append(f"{response.status}: {text[:200]!r}")
                except (OSError, http.client.HTTPException) as exc:
                    with lock:
                        errors.append(repr(exc))
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.close()

        started = time.perf_counter()
        workers = [threading.Thread(target=work, args=(k, todo)) for k, todo in enumerate(per_thread)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "created": count - len(errors),
        "errors": len(errors),
        "first_errors": errors[:3],
        "seconds": round(elapsed, 1),
        "per_second": round((count - len(errors)) / elapsed, 1),
        "threads": threads,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES, help="default %(default)s")
    parser.add_argument("--requests", type=int, default=100, help="requests per measurement")
    parser.add_argument(
        "--deep-pages", type=int, default=200, help="Next links / API cursors followed for a deep page"
    )
    parser.add_argument(
        "--budget", type=float, default=20.0, help="seconds per list (first and deep page) at most"
    )
    parser.add_argument("--creations", type=int, default=300)
    parser.add_argument("--threads", type=int, default=4, help="client threads for creation")
    parser.add_argument(
        "--keep",
        metavar="SQLITE_FILE",
        nargs="?",
        const="-",
        help="keep the loaded database (SQLite: this file; PostgreSQL: test_<name>) and reuse it "
        "next time instead of loading the cases again",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    tmp = tempfile.TemporaryDirectory(prefix="sd-bench-")
    if args.keep and args.keep != "-":
        os.environ["SALESDESK_TEST_SQLITE_NAME"] = str(Path(args.keep).resolve())
    os.environ.setdefault("SALESDESK_TEST_SQLITE_NAME", str(Path(tmp.name) / "bench.sqlite3"))
    os.environ.setdefault("SALESDESK_DATA_DIR", tmp.name)
    benchlib.setup_django()
    info = benchlib.machine()
    info["load_average"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    report: dict[str, Any] = {"machine": info, "cases": args.cases}
    say = (lambda *a: None) if args.json else (lambda *a: print(*a, flush=True))
    with database(keep=bool(args.keep)):
        from django.db import connection
        from django.test import Client
        from django.utils import timezone

        from salesdesk.core.tokens import token_create
        from salesdesk.demo import demo_load
        from salesdesk.parties.models import User

        info["database"] = benchlib.database_description()
        say(f"Service desk benchmark — {args.cases:,} cases")
        say(
            f"Machine: {info['cpu']}, {info['cores']} cores · {info['database']} · {info['date']}"
            f" · load {info['load_average']}"
        )
        from salesdesk.service.models import Case

        if Case._base_manager.count() >= args.cases:
            say(f"Reusing the kept database: {Case._base_manager.count():,} cases")
        else:
            demo_load()
            now = timezone.now()
            started = time.perf_counter()
            report["states"] = generate_cases(args.cases, now, say)
            report["generate_s"] = round(time.perf_counter() - started, 1)
            say(f"Generated {args.cases:,} cases in {report['generate_s']} s: {report['states']}")
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            say(f"ANALYZE took {time.perf_counter() - started:.1f} s")

        agent = User.objects.get(username="tomas")  # level 2 support
        customer = User.objects.get(username="sam")  # Northwind Logistics
        staff, cust = Client(), Client()
        staff.force_login(agent)
        cust.force_login(customer)
        deep = args.deep_pages
        lists: list[tuple[str, Any, str, Any]] = [
            ("queue: my work", staff, "/cases/?queue=mine", deep_page_link),
            ("queue: my tier", staff, "/cases/?queue=tier", deep_page_link),
            ("queue: breaching soon", staff, "/cases/?queue=breaching", deep_page_link),
            ("queue: waiting on customer", staff, "/cases/?queue=waiting", deep_page_link),
            ("queue: complaints", staff, "/cases/?queue=complaints", deep_page_link),
            ("queue: all open (staff)", staff, "/cases/?queue=all", deep_page_link),
            ("queue: customer open", cust, "/cases/?queue=all", deep_page_link),
            ("API /api/cases (staff)", staff, "/api/cases", deep_cursor),
            ("API ?queue=mine", staff, "/api/cases?queue=mine", deep_cursor),
            ("API ?queue=breaching", staff, "/api/cases?queue=breaching", deep_cursor),
            ("API /api/cases (customer)", cust, "/api/cases", deep_cursor),
        ]
        results: dict[str, Any] = {}
        for name, client, url, follow in lists:
            deep_url, depth = follow(client, url, deep)
            pages = [(name, url)] + ([(f"{name} · page {depth + 1}", deep_url)] if depth else [])
            measured = timed(client, [target for _label, target in pages], args.requests, args.budget)
            for (label, target), r in zip(pages, measured, strict=True):
                results[label] = r | {"url": target, "deep": label != name}
                say(f"  {label:<44} p50 {r['p50_ms']:>8.1f} ms  p95 {r['p95_ms']:>8.1f} ms  q {r['queries']}")
        report["latency"] = results

        _token, secret = token_create(actor=User.objects.get(username="priya"), name="bench")
        account_id = customer.organisation_id
        report["creation"] = creation_throughput(secret, account_id, args.creations, args.threads)
        say(f"Creation: {report['creation']}")

    pg = "postgresql" in info["database"].lower()
    checks = []
    for name, r in results.items():
        checks.append((f"{name} p95 ≤ {TARGET_P95_MS:.0f} ms", r["p95_ms"], r["p95_ms"] <= TARGET_P95_MS))
    for name, r in results.items():
        if r["deep"]:
            first = results[name.split(" · page ")[0]]
            # Keyset: a deep page costs what the first does. Compared on the median, the typical
            # cost; a p95 of 50 requests on a shared machine is mostly the neighbours' noise.
            ratio = r["p50_ms"] / max(first["p50_ms"], 0.1)
            checks.append((f"{name}: deep / first p50 ≤ 1.5×", round(ratio, 2), ratio <= 1.5))
    checks.append(("creation errors = 0", report["creation"]["errors"], report["creation"]["errors"] == 0))
    report["targets"] = [{"target": t, "value": v, "met": m} for t, v, m in checks]
    if args.cases < 1_000_000 or not pg:
        report["note"] = "the latency targets are for 1,000,000 cases on PostgreSQL; this run differs"
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    print("\n| measurement | p50 ms | p95 ms | n | SQL queries |\n|---|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['n']} | {r['queries']} |")
    c = report["creation"]
    print(
        f"\nCase creation via API ({c['threads']} client threads → salesdesk serve): "
        f"{c['created']} in {c['seconds']} s = {c['per_second']}/s, errors {c['errors']} {c['first_errors']}"
    )
    for t, v, m in checks:
        print(f"  {t:<62} {v!s:>8}  {'met' if m else 'MISSED'}")
    if report.get("note"):
        print(f"  ({report['note']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
