"""Demo estimate (JOURNEYS L4 Jonas step 3, L5 Grace step 2) and past project actuals.

Jonas's estimate for Northwind: 40 tasks with three-point effort, a rate card (with the
engineers and integration specialists available, so the plan warns where the parallel build and
integration streams need more of them), three non-labour items as cost ranges and 8 risks, three
of them with mitigations in the plan (simulated with their mitigated figures and cost).
Grace returned version 1 asking for a change to one risk, signed off version 2, and Jonas
has started version 3 (a draft). Past projects' actuals show integration work
under-estimated by about 18 % on average, so the calibration report has a finding.

Idempotent like the rest of the loader: the estimate by its title on the opportunity,
actuals by project name; everything through the services, acting as Jonas and Grace.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from salesdesk.deals.models import Opportunity
from salesdesk.estimates import services
from salesdesk.estimates.models import (
    Estimate,
    EstimateRisk,
    EstimateTask,
    NonLabourItem,
    ProjectActual,
    RateCardLine,
)
from salesdesk.parties.models import User

OPPORTUNITY = "Northwind logistics"
TITLE = "Northwind WMS rollout — delivery estimate"

RATES = (  # role, cost per day, sell per day, people available at once (None: no limit)
    ("project manager", "620", "1150", None),
    ("architect", "700", "1350", None),
    ("engineer", "520", "980", "4"),
    ("integration", "560", "1050", "3"),
    ("tester", "430", "820", None),
)

ITEMS = (  # description, quantity, unit cost low / most likely / high
    ("WMS site licences", "4", ("11000", "12000", "15000")),
    ("Handheld scanners", "60", ("380", "450", "520")),
    ("Travel to the warehouses", "10", ("600", "900", "1500")),
)

# code: mitigation status, mitigated probability, mitigated cost (l, m, h), mitigated days (l, m, h)
MITIGATIONS = {
    "R1": ("planned", "0.25", None, None),
    "R3": ("done", "0.10", None, None),
    "R5": ("in_progress", None, (1000, 3000, 8000), (1, 2, 5)),
}

# phase, task type, role, [(name, o, m, p)]; each task follows the previous one in its phase,
# each phase starts when the previous phase's last task is done (FS), except where noted.
PHASES: tuple[tuple[str, str, str, tuple[tuple[str, int, int, int], ...]], ...] = (
    (
        "Initiation",
        "management",
        "project manager",
        (
            ("Kick-off workshop", 1, 1, 2),
            ("Project charter", 1, 2, 3),
            ("Stakeholder map", 1, 1, 2),
            ("Project plan baseline", 2, 3, 5),
        ),
    ),
    (
        "Design",
        "design",
        "architect",
        (
            ("Current-state analysis", 2, 3, 5),
            ("Target architecture", 3, 5, 8),
            ("Network design", 2, 3, 5),
            ("Security design", 2, 3, 6),
            ("Data migration design", 2, 4, 7),
            ("Design sign-off", 1, 1, 2),
        ),
    ),
    (
        "Build",
        "build",
        "engineer",
        (
            ("Provision cloud tenancy", 1, 2, 4),
            ("Edge gateways staging", 2, 3, 5),
            ("SSO configuration", 2, 3, 6),
            ("WMS base install", 3, 4, 7),
            ("Warehouse zones setup", 2, 3, 5),
            ("Label printing", 1, 2, 4),
            ("Handheld scanners", 2, 3, 5),
            ("Backup policies", 1, 2, 3),
            ("Monitoring", 1, 2, 4),
            ("Build complete", 0, 0, 0),
        ),
    ),
    (
        "Integration",
        "integration",
        "integration",
        (
            ("ERP order interface", 4, 6, 12),
            ("ERP stock interface", 3, 5, 10),
            ("Carrier APIs", 3, 5, 11),
            ("Customs documents", 2, 3, 7),
            ("Customer portal feed", 2, 4, 8),
            ("EDI partners", 3, 5, 12),
            ("Data migration run", 2, 3, 6),
            ("Integration sign-off", 1, 1, 2),
        ),
    ),
    (
        "Testing",
        "testing",
        "tester",
        (
            ("Test plan", 1, 2, 3),
            ("System test", 4, 6, 10),
            ("Performance test", 2, 3, 6),
            ("Security test", 2, 3, 5),
            ("User acceptance test", 3, 5, 9),
            ("Go/no-go", 0, 0, 0),
        ),
    ),
    (
        "Deployment",
        "deployment",
        "engineer",
        (
            ("Cut-over rehearsal", 1, 2, 3),
            ("Pilot warehouse go-live", 2, 3, 5),
            ("Remaining sites", 3, 5, 9),
            ("Decommission legacy", 1, 2, 4),
        ),
    ),
    ("Hypercare", "management", "project manager", (("Hypercare", 5, 5, 8), ("Project closure", 1, 1, 2))),
)

RISKS = (  # code, description, probability, cost (l, m, h), days (l, m, h), tasks, mitigation, cost
    (
        "R1",
        "ERP vendor's API is undocumented",
        "0.40",
        (3000, 8000, 20000),
        (2, 5, 12),
        ("T21", "T22"),
        "Ask the ERP vendor for a sandbox and a named contact.",
        "1500",
    ),
    ("R2", "Carrier API rate limits in test", "0.30", (1000, 3000, 6000), (1, 3, 6), ("T23",), "", "0"),
    (
        "R3",
        "Key client SME unavailable in UAT",
        "0.25",
        (2000, 5000, 9000),
        (2, 4, 8),
        ("T33",),
        "Book SMEs at kick-off.",
        "0",
    ),
    ("R4", "Scanner firmware incompatibility", "0.20", (1500, 4000, 10000), (1, 3, 7), ("T17",), "", "0"),
    (
        "R5",
        "Data quality of legacy stock records",
        "0.50",
        (2000, 6000, 15000),
        (2, 4, 10),
        ("T27",),
        "Profile the data in the design phase.",
        "2000",
    ),
    ("R6", "Security findings need rework", "0.20", (1000, 3000, 8000), (1, 3, 6), ("T32",), "", "0"),
    ("R7", "Site readiness delays (cabling)", "0.30", (1000, 4000, 9000), (2, 5, 10), ("T37",), "", "0"),
    ("R8", "EDI partners onboard late", "0.35", (1000, 3000, 7000), (2, 4, 9), ("T26",), "", "0"),
)

# Past projects: (project, task type, role, estimated, actual) in person-days.
ACTUALS = (
    ("Harbour Foods WMS", "integration", "integration", 20, 24),
    ("Harbour Foods WMS", "integration", "integration", 10, 11.5),
    ("Harbour Foods WMS", "build", "engineer", 30, 31),
    ("Harbour Foods WMS", "design", "architect", 12, 12),
    ("Baltic Freight SD-WAN", "integration", "integration", 15, 17.4),
    ("Baltic Freight SD-WAN", "build", "engineer", 25, 26.5),
    ("Baltic Freight SD-WAN", "testing", "tester", 10, 10.5),
    ("Meridian Retail cloud", "integration", "integration", 25, 29),
    ("Meridian Retail cloud", "integration", "integration", 8, 9.8),
    ("Meridian Retail cloud", "design", "architect", 10, 9.5),
    ("Meridian Retail cloud", "testing", "tester", 12, 13),
    ("Meridian Retail cloud", "management", "project manager", 20, 21),
)


def _next_monday(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 or 7)


def _build(jonas: User, opportunity: Opportunity, today: dt.date) -> Estimate:
    estimate = services.estimate_create(
        actor=jonas,
        opportunity_id=opportunity.pk,
        data={
            "title": TITLE,
            "start_date": _next_monday(today + dt.timedelta(days=14)),
            "holiday_country": "GB",
            "target_date": _next_monday(today + dt.timedelta(days=14)) + dt.timedelta(days=150),
            "currency": opportunity.currency,
        },
    )
    for role, cost_rate, sell, capacity in RATES:
        services.line_add(
            actor=jonas,
            estimate=estimate,
            model=RateCardLine,
            data={
                "role": role,
                "cost_rate": Decimal(cost_rate),
                "sell_rate": Decimal(sell),
                "currency": estimate.currency,
                "capacity": None if capacity is None else Decimal(capacity),
            },
        )
    for description, quantity, (low, likely, high) in ITEMS:
        services.line_add(
            actor=jonas,
            estimate=estimate,
            model=NonLabourItem,
            data={
                "description": description,
                "quantity": Decimal(quantity),
                "unit_cost_low": Decimal(low),
                "unit_cost": Decimal(likely),
                "unit_cost_high": Decimal(high),
            },
        )
    number = 0
    previous_phase_end = ""
    for phase, task_type, role, tasks in PHASES:
        # Build and Integration run as parallel streams after their first task; the phase's
        # last task waits for all of them. Other phases are a chain.
        parallel = phase in ("Build", "Integration")
        codes: list[str] = []
        for position, (name, o, m, p) in enumerate(tasks):
            number += 1
            code = f"T{number}"
            if not codes:
                predecessors = [previous_phase_end] if previous_phase_end else []
            elif parallel and position == len(tasks) - 1:
                predecessors = codes[1:] or codes
            elif parallel:
                predecessors = codes[:1]
            else:
                predecessors = codes[-1:]
            services.line_add(
                actor=jonas,
                estimate=estimate,
                model=EstimateTask,
                data={
                    "code": code,
                    "phase": phase,
                    "name": name,
                    "role": role,
                    "task_type": task_type,
                    "optimistic": Decimal(o),
                    "most_likely": Decimal(m),
                    "pessimistic": Decimal(p),
                    "dependencies": [{"task": c, "type": "FS", "lag": 0} for c in predecessors],
                    "milestone": o == m == p == 0,
                },
            )
            codes.append(code)
        previous_phase_end = codes[-1]
    for code, text, probability, cost, days, task_codes, mitigation, mitigation_cost in RISKS:
        services.line_add(
            actor=jonas,
            estimate=estimate,
            model=EstimateRisk,
            data={
                "code": code,
                "description": text,
                "probability": Decimal(probability),
                "cost_low": Decimal(cost[0]),
                "cost_most_likely": Decimal(cost[1]),
                "cost_high": Decimal(cost[2]),
                "days_low": Decimal(days[0]),
                "days_most_likely": Decimal(days[1]),
                "days_high": Decimal(days[2]),
                "tasks": list(task_codes),
                "mitigation": mitigation,
                "mitigation_cost": Decimal(mitigation_cost),
                "owner_id": jonas.pk,
                **_mitigated(code),
            },
        )
    return estimate


def _mitigated(code: str) -> dict[str, object]:
    if code not in MITIGATIONS:
        return {}
    status, probability, cost, days = MITIGATIONS[code]
    data: dict[str, object] = {"mitigation_status": status}
    if probability is not None:
        data["mitigated_probability"] = Decimal(probability)
    for kind, triple in (("cost", cost), ("days", days)):
        if triple is not None:
            for end, value in zip(("low", "most_likely", "high"), triple, strict=True):
                data[f"mitigated_{kind}_{end}"] = Decimal(value)
    return data


def load_estimates_demo(*, users: dict[str, User], today: dt.date) -> Counter[str]:
    """Create what is missing of the estimate demo; returns what was created."""
    created: Counter[str] = Counter()
    jonas, grace = users.get("jonas"), users.get("grace")
    if jonas is None or grace is None:
        return created
    opportunity = Opportunity.objects.filter(name=OPPORTUNITY).first()
    if opportunity is not None and not Estimate.objects.filter(opportunity=opportunity, title=TITLE).exists():
        estimate = _build(jonas, opportunity, today)
        services.estimate_simulate(actor=jonas, estimate=estimate, iterations=2000, seed=7)
        services.estimate_submit(actor=jonas, estimate=estimate)
        services.estimate_return(
            actor=grace, estimate=estimate, comments="R1 looks optimistic: raise its probability to 0.5."
        )
        r1 = EstimateRisk.objects.get(estimate=estimate, code="R1")
        services.line_update(actor=jonas, line=r1, data={"probability": Decimal("0.5")})
        services.estimate_simulate(actor=jonas, estimate=estimate, iterations=2000, seed=7)
        services.estimate_submit(actor=jonas, estimate=estimate)
        services.estimate_sign_off(actor=grace, estimate=estimate, comments="Signed off for the proposal.")
        services.estimate_revise(actor=jonas, estimate=estimate)
        hypercare = EstimateTask.objects.get(estimate=estimate, name="Hypercare")
        services.line_update(
            actor=jonas, line=hypercare, data={"most_likely": Decimal(6), "pessimistic": Decimal(10)}
        )
        created["estimates"] += 1
        created["estimate versions"] += 3
    known = set(ProjectActual.objects.values_list("project", flat=True))
    for project, task_type, role, estimated, actual in ACTUALS:
        if project in known:
            continue
        services.actual_record(
            actor=jonas,
            data={
                "project": project,
                "task_type": task_type,
                "role": role,
                "estimated_effort": Decimal(str(estimated)),
                "actual_effort": Decimal(str(actual)),
                "completed_on": today - dt.timedelta(days=200),
            },
        )
        created["project actuals"] += 1
    return created
