"""The feasibility report of a solution version, as PDF (Typst): evidence to attach to a proposal.

Built from one plain description, :class:`FeasibilityReport`: title page with customer,
opportunity, version, date and the verdict; the fit-gap with must-have coverage; the
feasibility checks (pass / warn / fail with the reason); the sizing per contract year with
headroom and cost, and its charts (SVG from :mod:`salesdesk.solutions.charts`); the
practicality score by part; the assumptions and the method.

:func:`report_for_version` fills it from a version through the solutions selectors; every
other function here is pure and testable without a database. As for the requirements
document (:mod:`salesdesk.deals.requirement_documents`), no user text is ever pasted into
Typst markup: the description goes to the template as JSON (``sys.inputs``) and the
template places every value as a string, which Typst never interprets.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from salesdesk.solutions import charts

__all__ = [
    "Chart",
    "CheckLine",
    "FeasibilityReport",
    "FitGapLine",
    "ScoreLine",
    "SizingSection",
    "SizingTierLine",
    "SizingYearLine",
    "charts_for",
    "render_pdf",
    "render_png",
    "report_data",
    "report_filename",
    "report_for_version",
    "sizing_section",
    "verdict",
]

TEMPLATE = Path(__file__).parent / "templates" / "solutions" / "documents" / "feasibility.typ"
STATUSES = ("pass", "warn", "fail")


@dataclass(frozen=True)
class FitGapLine:
    reference: str
    requirement: str
    priority: str  # Must / Should / Could / Won't
    coverage: str  # full / partial / workaround / gap / "" (not assessed)
    components: str = ""
    note: str = ""
    targets: str = ""


@dataclass(frozen=True)
class CheckLine:
    area: str  # compatibility, capacity, lifecycle, lead time, skills, sizing
    subject: str
    status: str  # pass / warn / fail
    reason: str


@dataclass(frozen=True)
class SizingTierLine:
    tier: str
    item: str
    sku: str
    units: int
    servers: int
    unit_price: str
    price: str


@dataclass(frozen=True)
class SizingYearLine:
    year: int
    load: float  # requests per second at peak
    utilisation: str  # "web 50 %, db 40 %"
    busiest: float  # the highest tier utilisation, 0–1
    response_time: float  # seconds, the target's statistic
    headroom: float  # 0.25: 25 % more load fits
    meets: bool


@dataclass(frozen=True)
class SizingSection:
    objective: str  # "p95 response time ≤ 2 s, utilisation ≤ 80 %"
    currency: str
    total_price: str
    tiers: tuple[SizingTierLine, ...] = ()
    years: tuple[SizingYearLine, ...] = ()
    limit: str = ""  # the load at which the first target breaks, in words
    error: str = ""  # why no configuration was found
    redundancy: str = ""


@dataclass(frozen=True)
class ScoreLine:
    name: str
    value: int  # 0–100
    weight: str
    explanation: str


@dataclass(frozen=True)
class Chart:
    title: str
    svg: str
    caption: str = ""


@dataclass(frozen=True)
class FeasibilityReport:
    title: str
    customer: str
    opportunity: str
    version: int | str
    date: str  # "29 November 2026"
    solution: str = ""
    vendor: str = "Salesdesk"
    prepared_by: str = ""
    status: str = ""  # draft / final
    fit_gap: tuple[FitGapLine, ...] = ()
    must_total: int = 0
    must_full: int = 0
    checks: tuple[CheckLine, ...] = ()
    sizing: SizingSection | None = None
    charts: tuple[Chart, ...] = ()
    assumptions: tuple[str, ...] = ()
    score_total: int | None = None
    score_parts: tuple[ScoreLine, ...] = ()
    notes: str = ""
    references: tuple[str, ...] = field(
        default=(
            "Gross, Shortle, Thompson & Harris, Fundamentals of Queueing Theory, 4th ed., Wiley 2008, §2.3 "
            "(M/M/c).",
            "Koole, Call Center Optimization, MG Books 2013, ch. 4 (Erlang C).",
            "Law, Simulation Modeling and Analysis, 5th ed., McGraw-Hill 2015, §9.4 (confidence intervals).",
        )
    )


# --- from a sizing result to report lines (pure) ---------------------------------------------------


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _percent(value: float) -> str:
    return f"{value * 100:.0f} %"


def _amount(value: object) -> str:
    """ "7200.00" as "7,200.00" (left as it is when it is not a number)."""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except ArithmeticError:
        return str(value)


def sizing_section(result: Mapping[str, Any] | None) -> SizingSection | None:
    """The sizing table of a :func:`workload.run_sizing` result (None when never sized)."""
    if not result:
        return None
    objective = result.get("objective") or {}
    statistic = objective.get("statistic", "p95")
    objective_text = (
        f"{statistic} response time ≤ {_seconds(float(objective.get('response_time', 0)))}, "
        f"every tier ≤ {_percent(float(objective.get('max_utilization', 0.8)))} utilised, in every contract "
        "year"
    )
    if not result.get("ok"):
        return SizingSection(
            objective=objective_text,
            currency=str(result.get("currency", "")),
            total_price="",
            error=str(result.get("error") or "no configuration meets the targets"),
        )
    tiers = tuple(
        SizingTierLine(
            tier=str(c["tier"]),
            item=str(c["name"]),
            sku=str(c["sku"]),
            units=int(c["units"]),
            servers=int(c["servers"]),
            unit_price=_amount(c["unit_price"]),
            price=_amount(c["price"]),
        )
        for c in result.get("choices", [])
    )
    years = tuple(
        SizingYearLine(
            year=int(y["year"]),
            load=float(y["arrival_rate"]),
            utilisation=", ".join(f"{tier} {_percent(float(u))}" for tier, u in y["utilization"].items()),
            busiest=max((float(u) for u in y["utilization"].values()), default=0.0),
            response_time=float(y["response_time"]),
            headroom=float(y["headroom"]),
            meets=bool(y.get("meets", True)),
        )
        for y in result.get("years", [])
    )
    capacity = result.get("capacity") or {}
    limit = ""
    if capacity:
        target_rate = float(capacity.get("target_rate", 0.0))
        cap_rate = float(capacity.get("utilization_rate", 0.0))
        first = "the response-time target" if target_rate <= cap_rate else "the utilisation cap"
        limit = (
            f"This configuration carries up to {min(target_rate, cap_rate):,.1f} requests/s before {first} "
            f"is exceeded; the busiest tier saturates at {float(capacity.get('saturation_rate', 0.0)):,.1f} "
            "requests/s."
        )
    redundancy = result.get("redundancy") or {}
    redundancy_text = ""
    if redundancy.get("required"):
        redundancy_text = "Every tier has at least two units (availability target)."
    elif redundancy.get("single_points_of_failure"):
        redundancy_text = (
            "Single units (no redundancy) on: " + ", ".join(redundancy["single_points_of_failure"]) + "."
        )
    return SizingSection(
        objective=objective_text,
        currency=str(result.get("currency", "EUR")),
        total_price=_amount(result.get("total_price", "")),
        tiers=tiers,
        years=years,
        limit=limit,
        redundancy=redundancy_text,
    )


def charts_for(result: Mapping[str, Any] | None) -> tuple[Chart, ...]:
    """The two sizing charts, with captions (none when the result has no configuration)."""
    if not result or not result.get("ok"):
        return ()
    statistic = result["objective"]["statistic"]
    return (
        Chart(
            title=f"Response time ({statistic}) against load",
            svg=charts.response_time_chart(result),
            caption=(
                "The proposed configuration's end-to-end response time as the peak load grows; the dashed "
                "red "
                "line is the requirement, Y1… mark the contract years' peak loads."
            ),
        ),
        Chart(
            title="Utilisation per tier against load",
            svg=charts.utilisation_chart(result),
            caption="Each tier's utilisation as the peak load grows, with the utilisation cap.",
        ),
    )


def verdict(report: FeasibilityReport) -> tuple[str, str, list[str]]:
    """(level, headline, reasons): level is "feasible", "conditional" or "not_feasible"."""
    blockers: list[str] = []
    conditions: list[str] = []
    must_gaps = [
        line.reference for line in report.fit_gap if line.priority == "Must" and line.coverage == "gap"
    ]
    must_open = [
        line.reference
        for line in report.fit_gap
        if line.priority == "Must" and line.coverage in ("partial", "workaround", "")
    ]
    if must_gaps:
        blockers.append(f"Must-have requirements not met: {', '.join(must_gaps)}.")
    if must_open:
        conditions.append(
            f"Must-haves met only in part, by a workaround or not assessed: {', '.join(must_open)}."
        )
    fails = [c for c in report.checks if c.status == "fail"]
    warns = [c for c in report.checks if c.status == "warn"]
    if fails:
        blockers.append(
            f"{len(fails)} check(s) failed: " + "; ".join(f"{c.subject}: {c.reason}" for c in fails[:3])
        )
    if warns:
        conditions.append(
            f"{len(warns)} check(s) need attention: " + ", ".join(c.subject for c in warns[:5]) + "."
        )
    sizing = report.sizing
    if sizing is None:
        conditions.append("Not sized yet: no capacity evidence.")
    elif sizing.error:
        blockers.append(f"Sizing: {sizing.error}.")
    elif not all(y.meets for y in sizing.years):
        blockers.append("Sizing: the targets are not met in every contract year.")
    if blockers:
        return "not_feasible", "Not feasible as designed", blockers + conditions
    if conditions:
        return "conditional", "Feasible, with conditions", conditions
    reasons = []
    if report.must_total:
        reasons.append(f"All {report.must_total} must-have requirements are fully met.")
    if report.checks:
        reasons.append(f"All {len(report.checks)} checks pass.")
    if sizing is not None and sizing.years:
        last = sizing.years[-1]
        reasons.append(
            f"The sized configuration meets {sizing.objective.split(',')[0]} in all {len(sizing.years)} "
            f"contract years, with {_percent(last.headroom)} headroom in year {last.year}."
        )
    return "feasible", "Feasible", reasons


def report_data(report: FeasibilityReport) -> dict[str, Any]:
    """Everything the template shows, as plain JSON-safe values."""
    data = asdict(report)
    level, headline, reasons = verdict(report)
    data["verdict"] = {"level": level, "headline": headline, "reasons": reasons}
    data["version"] = str(report.version)
    data["check_counts"] = {s: sum(1 for c in report.checks if c.status == s) for s in STATUSES}
    coverage: dict[str, int] = {}
    for line in report.fit_gap:
        key = line.coverage or "unassessed"
        coverage[key] = coverage.get(key, 0) + 1
    data["coverage_counts"] = coverage
    if report.sizing is not None:
        data["sizing"]["years"] = [
            {
                **asdict(y),
                "load_text": f"{y.load:,.1f}",
                "response_text": _seconds(y.response_time),
                "headroom_text": _percent(y.headroom),
            }
            for y in report.sizing.years
        ]
    data["score_total"] = "" if report.score_total is None else str(report.score_total)
    return data


def _typst(report: FeasibilityReport, *, png_ppi: float | None = None) -> Any:
    """Compile the template: PDF, or PNG pages at ``png_ppi``."""
    import typst

    inputs = {"data": json.dumps(report_data(report), ensure_ascii=False)}
    if png_ppi is not None:
        return typst.compile(TEMPLATE.read_bytes(), format="png", ppi=png_ppi, sys_inputs=inputs)
    return typst.compile(TEMPLATE.read_bytes(), format="pdf", sys_inputs=inputs)


def render_pdf(report: FeasibilityReport) -> bytes:
    """The report as PDF, compiled by Typst (the ``typst`` package, no system install)."""
    return bytes(_typst(report))


def render_png(report: FeasibilityReport, *, ppi: float = 80) -> list[bytes]:
    """Every page as PNG (to look at the report in tests and reviews)."""
    pages = _typst(report, png_ppi=ppi)
    return [bytes(p) for p in pages] if isinstance(pages, list) else [bytes(pages)]


def report_filename(report: FeasibilityReport) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in report.opportunity.lower()).strip("-") or "solution"
    while "--" in slug:
        slug = slug.replace("--", "-")
    return f"{slug[:60]}-feasibility-v{report.version}.pdf"


# --- from a solution version (Django) ------------------------------------------------------------


def _long_date(day: dt.date) -> str:
    return day.strftime("%-d %B %Y")


def _weight(value: Any) -> str:
    """0.4 (or "0.4") as "40 %"; left as it is when it is not a number."""
    try:
        return f"{Decimal(str(value)) * 100:.0f} %"
    except ArithmeticError:
        return str(value)


def _check_area(rule: str) -> str:
    return rule.replace("_", " ")


def report_for_version(
    version: Any, *, prepared_by: str = "", today: dt.date | None = None
) -> FeasibilityReport:
    """The feasibility report of ``version``, from the solutions selectors (the caller checked access)."""
    from django.conf import settings
    from django.utils import timezone

    from salesdesk.solutions import selectors

    design = version.design
    opportunity = design.opportunity
    matrix = selectors.fit_gap_matrix(version)
    priorities = {"must": "Must", "should": "Should", "could": "Could", "wont": "Won't"}
    fit_gap = tuple(
        FitGapLine(
            reference=row.reference,
            requirement=row.statement,
            priority=priorities.get(row.priority, row.priority_label),
            coverage=row.coverage,
            components=", ".join(row.component_names),
            note=row.note,
            targets=row.targets_text,
        )
        for row in matrix.rows
    )
    frozen_checks = version.checks_result if version.frozen and version.checks_result else None
    checks_lines: list[CheckLine] = []
    score_parts: list[ScoreLine] = []
    score_total: int | None = None
    if frozen_checks:
        for c in frozen_checks.get("checks", []):
            checks_lines.append(
                CheckLine(
                    area=_check_area(str(c.get("rule", ""))),
                    subject=str(c.get("subject", "")),
                    status=str(c.get("status", "")),
                    reason=str(c.get("reason", "")),
                )
            )
        score = frozen_checks.get("score") or {}
        score_total = score.get("total")
        for p in score.get("parts", []):
            score_parts.append(
                ScoreLine(
                    name=str(p.get("name", "")),
                    value=int(p.get("value", 0)),
                    weight=_weight(p.get("weight", "")),
                    explanation=str(p.get("explanation", "")),
                )
            )
    else:
        checks_report = selectors.version_checks(version, today=today)
        checks_lines = [
            CheckLine(area=_check_area(c.rule), subject=c.subject, status=c.status, reason=c.reason)
            for c in checks_report.checks
        ]
        score_total = checks_report.score.total
        score_parts = [
            ScoreLine(name=p.name, value=p.value, weight=_weight(p.weight), explanation=p.explanation)
            for p in checks_report.score.parts
        ]
    result = version.sizing_result or None
    assumptions = [str(a) for a in (version.assumptions or [])]
    if result:
        assumptions += [str(a) for a in result.get("assumptions", [])]
    day = today or timezone.localdate()
    return FeasibilityReport(
        title="Feasibility report",
        customer=str(opportunity.account),
        opportunity=opportunity.name,
        solution=design.title,
        version=version.number,
        date=_long_date(day),
        vendor=str(getattr(settings, "SALESDESK_VENDOR_NAME", "") or "Salesdesk"),
        prepared_by=prepared_by,
        status=str(version.get_status_display()),
        fit_gap=fit_gap,
        must_total=matrix.must_total,
        must_full=matrix.must_full,
        checks=tuple(checks_lines),
        sizing=sizing_section(result),
        charts=charts_for(result),
        assumptions=tuple(assumptions),
        score_total=score_total,
        score_parts=tuple(score_parts),
        notes=version.notes or "",
    )
