"""Feasibility and practicality checks of a solution version — pure rules, plain data in and out.

``selectors.version_checks`` gathers the data from the database (components with their
specs, lifecycle and lead times, compatibility rules, the requirements' targets, who holds
which skill) into :class:`CheckInputs`; :func:`run_checks` applies the rules. Each check
says pass / warn / fail with the reason and the numbers it used, so a person can redo the
arithmetic:

- **compatibility**: a catalog rule "A requires B" fails when A is in and B is not;
  "A excludes B" fails when both are in; "A capacity limit spec ≤ L" fails when the load
  per unit of A (the target divided by A's quantity) exceeds L.
- **capacity**: for each measurable target on users, throughput or storage, the need in
  the last contract year is ``value × (1 + g)^(years − 1)`` (g: growth per year, as the
  sizing engine compounds it), against the capacity of every group of components (a
  catalog category, e.g. the application servers) that has the matching spec:
  ``Σ quantity × spec``. Fail below the need, warn with less than 10 % headroom.
- **lifecycle**: end-of-sale and end-of-life items fail (naming the successor), planned
  items warn (not orderable yet).
- **lead time**: an order placed at the expected close date arrives ``lead_time_days``
  later; fail after the required date, warn with less than 7 days to spare or when the
  lead time or close date is unknown.
- **skills**: someone active must hold a skill covering each component's product; one
  person only is a warning (a single point of knowledge), nobody is a fail.

The practicality score (0–100) has three parts, each 0–100, weighted fit 40 %, risk 35 %,
effort 25 % (see :func:`practicality_score` for how each part is computed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

PASS, WARN, FAIL = "pass", "warn", "fail"
HEADROOM_WARN = Decimal("0.10")  # less than 10 % spare capacity in the last year is a warning
LEAD_TIME_SLACK_DAYS = 7

# Which spec of a component meets which kind of target, and the target metrics of each kind.
CAPACITY_METRICS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    # kind: (label, target metrics, component spec names)
    "users": (
        "concurrent users",
        ("peak_users", "concurrent_users", "max_concurrent_users", "users", "concurrent_sessions"),
        ("max_concurrent_users",),
    ),
    "throughput": (
        "throughput",
        (
            "throughput",
            "requests_per_second",
            "peak_requests_per_second",
            "api_requests_per_second",
            "transactions_per_second",
        ),
        ("throughput",),
    ),
    "storage": (
        "storage",
        ("storage_tb", "protected_tb", "data_tb", "capacity_tb"),
        ("usable_capacity_tb", "storage_tb"),
    ),
}
# Units people write for the same thing; a spec and a target are compared only in one unit.
UNIT_ALIASES = {
    "": "",
    "user": "users",
    "users": "users",
    "sessions": "users",
    "session": "users",
    "req/s": "req/s",
    "requests/s": "req/s",
    "rps": "req/s",
    "tps": "req/s",
    "tb": "tb",
    "tib": "tb",
}
PRIORITY_WEIGHTS = {"must": 3, "should": 2, "could": 1, "wont": 0}
COVERAGE_VALUES = {
    "full": Decimal("1"),
    "workaround": Decimal("0.6"),
    "partial": Decimal("0.5"),
    "gap": Decimal("0"),
}
SCORE_WEIGHTS = {"fit": Decimal("0.40"), "risk": Decimal("0.35"), "effort": Decimal("0.25")}


# -- inputs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentInfo:
    """One catalog item in the solution, as the checks need it."""

    sku: str
    name: str
    quantity: int = 1
    kind: str = "product"
    group: str = ""  # the catalog category: components of one group share the load
    lifecycle: str = "available"
    successor: str = ""  # name of the item that replaces a retired one
    lead_time_days: int | None = None
    specs: dict[str, Decimal] = field(default_factory=dict)
    spec_units: dict[str, str] = field(default_factory=dict)
    skills: tuple[str, ...] = ()  # skills that cover this product
    skill_holders: tuple[str, ...] = ()  # active staff holding one of them


@dataclass(frozen=True)
class RuleInfo:
    """A catalog compatibility rule on ``sku`` (requires / excludes / capacity_limit)."""

    sku: str
    kind: str
    message: str = ""
    other_sku: str = ""
    other_name: str = ""
    spec_name: str = ""
    limit: Decimal | None = None


@dataclass(frozen=True)
class TargetInfo:
    """One measurable target of a requirement (``deals.targets.Target`` plus where it comes from)."""

    requirement: str
    metric: str
    operator: str
    value: Decimal
    unit: str = ""
    priority: str = "must"


@dataclass(frozen=True)
class RequirementFit:
    """A requirement's priority and its coverage in the fit-gap ("" when not assessed)."""

    reference: str
    priority: str
    coverage: str = ""


@dataclass(frozen=True)
class CheckInputs:
    components: tuple[ComponentInfo, ...] = ()
    services: tuple[ComponentInfo, ...] = ()  # catalog services of the solution (lifecycle only)
    rules: tuple[RuleInfo, ...] = ()
    targets: tuple[TargetInfo, ...] = ()
    requirements: tuple[RequirementFit, ...] = ()
    growth_per_year: Decimal = Decimal("0")  # a fraction: 0.2 is 20 % a year
    contract_years: int = 1
    expected_close_date: dt.date | None = None
    required_by: dt.date | None = None
    today: dt.date | None = None


# -- outputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    """One check's verdict, the reason in words, and the numbers behind it."""

    rule: str  # compatibility | capacity | lifecycle | lead_time | skills
    subject: str
    status: str  # pass | warn | fail
    reason: str
    numbers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ScorePart:
    name: str
    value: int  # 0–100
    weight: Decimal
    explanation: str


@dataclass(frozen=True)
class PracticalityScore:
    total: int
    parts: tuple[ScorePart, ...]

    def part(self, name: str) -> ScorePart:
        return next(p for p in self.parts if p.name == name)


@dataclass(frozen=True)
class ChecksReport:
    checks: tuple[CheckResult, ...]
    score: PracticalityScore

    def count(self, status: str) -> int:
        return sum(1 for c in self.checks if c.status == status)

    @property
    def passed(self) -> int:
        return self.count(PASS)

    @property
    def warnings(self) -> int:
        return self.count(WARN)

    @property
    def failures(self) -> int:
        return self.count(FAIL)

    @property
    def status(self) -> str:
        """The worst verdict: fail if any check fails, else warn if any warns, else pass."""
        if self.failures:
            return FAIL
        return WARN if self.warnings else PASS

    def by_rule(self, rule: str) -> list[CheckResult]:
        return [c for c in self.checks if c.rule == rule]

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe (numbers as strings where they are Decimal), for the API and frozen versions."""
        plain: dict[str, Any] = _plain(
            {
                "status": self.status,
                "passed": self.passed,
                "warnings": self.warnings,
                "failures": self.failures,
                "checks": [asdict(c) for c in self.checks],
                "score": {
                    "total": self.score.total,
                    "parts": [asdict(p) for p in self.score.parts],
                },
            }
        )
        return plain


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _fmt(value: Decimal | int | float) -> str:
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def _unit(unit: str) -> str:
    key = unit.strip().lower()
    return UNIT_ALIASES.get(key, key)


# -- the rules ----------------------------------------------------------------------------------


def check_compatibility(inputs: CheckInputs) -> list[CheckResult]:
    """Requires / excludes / capacity-limit rules between the chosen components."""
    chosen = {c.sku: c for c in inputs.components}
    results: list[CheckResult] = []
    for rule in inputs.rules:
        component = chosen.get(rule.sku)
        if component is None:
            continue
        if rule.kind == "requires":
            ok = rule.other_sku in chosen
            results.append(
                CheckResult(
                    "compatibility",
                    f"{component.name} requires {rule.other_name or rule.other_sku}",
                    PASS if ok else FAIL,
                    f"{rule.other_name or rule.other_sku} is in the solution."
                    if ok
                    else (rule.message or f"Add {rule.other_name or rule.other_sku}."),
                    {"product": component.sku, "requires": rule.other_sku, "present": ok},
                )
            )
        elif rule.kind == "excludes":
            clash = rule.other_sku in chosen
            results.append(
                CheckResult(
                    "compatibility",
                    f"{component.name} excludes {rule.other_name or rule.other_sku}",
                    FAIL if clash else PASS,
                    (rule.message or f"Remove {rule.other_name or rule.other_sku}.")
                    if clash
                    else f"{rule.other_name or rule.other_sku} is not in the solution.",
                    {"product": component.sku, "excludes": rule.other_sku, "present": clash},
                )
            )
        elif rule.kind == "capacity_limit" and rule.limit is not None:
            if rule.other_sku and rule.other_sku not in chosen:
                continue  # the limit applies only together with the other product
            results.extend(_capacity_limit(inputs, component, rule))
    return results


def _capacity_limit(inputs: CheckInputs, component: ComponentInfo, rule: RuleInfo) -> list[CheckResult]:
    assert rule.limit is not None
    results = []
    for kind, (label, _metrics, specs) in CAPACITY_METRICS.items():
        if rule.spec_name not in specs:
            continue
        for target in _targets_of(inputs, kind):
            need = _final_year_need(inputs, target.value)
            per_unit = need / component.quantity
            ok = per_unit <= rule.limit
            results.append(
                CheckResult(
                    "compatibility",
                    f"{component.name}: {rule.spec_name} limit",
                    PASS if ok else FAIL,
                    (
                        f"{_fmt(need)} {label} over {component.quantity} unit(s) is "
                        f"{_fmt(per_unit)} per unit, "
                        f"within the limit of {_fmt(rule.limit)}."
                    )
                    if ok
                    else (
                        f"{rule.message} {_fmt(need)} {label} over {component.quantity} unit(s) is "
                        f"{_fmt(per_unit)} per unit, above the limit of {_fmt(rule.limit)}."
                    ).strip(),
                    {
                        "requirement": target.requirement,
                        "need": need,
                        "quantity": component.quantity,
                        "per_unit": per_unit.quantize(Decimal("0.01")),
                        "limit": rule.limit,
                    },
                )
            )
    return results


def _targets_of(inputs: CheckInputs, kind: str) -> list[TargetInfo]:
    _label, metrics, _specs = CAPACITY_METRICS[kind]
    return [
        t for t in inputs.targets if t.metric in metrics and t.operator in ("=", ">=", ">") and t.value > 0
    ]


def _final_year_need(inputs: CheckInputs, value: Decimal) -> Decimal:
    years = max(int(inputs.contract_years), 1)
    need = value * (1 + inputs.growth_per_year) ** (years - 1)
    return need.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def check_capacity(inputs: CheckInputs) -> list[CheckResult]:
    """Each users / throughput / storage target against each group of components that carries it."""
    results: list[CheckResult] = []
    years = max(int(inputs.contract_years), 1)
    for kind, (label, _metrics, specs) in CAPACITY_METRICS.items():
        for target in _targets_of(inputs, kind):
            groups: dict[str, tuple[Decimal, list[str]]] = {}
            for c in inputs.components:
                spec = next((s for s in specs if s in c.specs), None)
                if spec is None:
                    continue
                spec_unit = _unit(c.spec_units.get(spec, ""))
                if target.unit and spec_unit and _unit(target.unit) != spec_unit:
                    continue  # e.g. a gateway's Mbit/s is not an application's req/s
                total, parts = groups.get(c.group or c.sku, (Decimal("0"), []))
                total += c.specs[spec] * c.quantity
                parts.append(f"{c.quantity} × {c.name} at {_fmt(c.specs[spec])}")
                groups[c.group or c.sku] = (total, parts)
            need = _final_year_need(inputs, target.value)
            numbers_base = {
                "requirement": target.requirement,
                "target": target.value,
                "unit": target.unit,
                "growth_per_year": inputs.growth_per_year,
                "contract_years": years,
                "need_last_year": need,
            }
            if not groups:
                results.append(
                    CheckResult(
                        "capacity",
                        f"{target.requirement} {label}",
                        WARN,
                        f"No component states its {label} ({', '.join(specs)}), so "
                        f"{_fmt(need)} {target.unit or label} in year {years} cannot be checked.",
                        numbers_base,
                    )
                )
                continue
            for group, (capacity, parts) in sorted(groups.items()):
                headroom = (capacity - need) / need if need else Decimal("0")
                if capacity < need:
                    status = FAIL
                    verdict = "falls short of"
                elif headroom < HEADROOM_WARN:
                    status = WARN
                    verdict = "meets, with less than 10 % headroom,"
                else:
                    status = PASS
                    verdict = "meets"
                growth = (
                    f" ({_fmt(target.value)} growing {_fmt(inputs.growth_per_year * 100)} % a year)"
                    if inputs.growth_per_year and years > 1
                    else ""
                )
                results.append(
                    CheckResult(
                        "capacity",
                        f"{target.requirement} {label} · {group}",
                        status,
                        f"{group}: {' + '.join(parts)} = {_fmt(capacity)} {verdict} the need of "
                        f"{_fmt(need)} in year {years}{growth}; headroom {_fmt(headroom * 100)} %.",
                        {
                            **numbers_base,
                            "group": group,
                            "capacity": capacity,
                            "headroom_percent": (headroom * 100).quantize(Decimal("0.1")),
                        },
                    )
                )
    return results


def check_lifecycle(inputs: CheckInputs) -> list[CheckResult]:
    """No end-of-sale or end-of-life items (products or services); planned items are not orderable yet."""
    results = []
    for c in (*inputs.components, *inputs.services):
        if c.lifecycle in ("end_of_sale", "end_of_life"):
            words = "end of sale" if c.lifecycle == "end_of_sale" else "end of life"
            instead = f" Offer {c.successor} instead." if c.successor else " No successor is recorded."
            results.append(
                CheckResult(
                    "lifecycle",
                    c.name,
                    FAIL,
                    f"{c.name} is {words}.{instead}",
                    {"lifecycle": c.lifecycle, "successor": c.successor},
                )
            )
        elif c.lifecycle == "planned":
            results.append(
                CheckResult(
                    "lifecycle",
                    c.name,
                    WARN,
                    f"{c.name} is planned and cannot be ordered yet.",
                    {"lifecycle": c.lifecycle},
                )
            )
        else:
            results.append(
                CheckResult("lifecycle", c.name, PASS, f"{c.name} is available.", {"lifecycle": c.lifecycle})
            )
    return results


def check_lead_times(inputs: CheckInputs) -> list[CheckResult]:
    """Ordered at the expected close date, does each item arrive by the required date?"""
    today = inputs.today or dt.date.today()
    order_date = inputs.expected_close_date
    if order_date is not None and order_date < today:
        order_date = today  # a close date in the past: the order can only be placed from today
    results = []
    for c in inputs.components:
        if c.kind == "service":
            continue
        if c.lead_time_days is None:
            results.append(
                CheckResult(
                    "lead_time",
                    c.name,
                    WARN,
                    f"No lead time is recorded for {c.name}; ask the supplier.",
                    {"lead_time_days": None},
                )
            )
            continue
        if order_date is None:
            results.append(
                CheckResult(
                    "lead_time",
                    c.name,
                    WARN,
                    f"{c.name} takes {c.lead_time_days} days, "
                    "but the opportunity has no expected close date.",
                    {"lead_time_days": c.lead_time_days},
                )
            )
            continue
        arrives = order_date + dt.timedelta(days=c.lead_time_days)
        numbers: dict[str, Any] = {
            "lead_time_days": c.lead_time_days,
            "order_date": order_date,
            "arrives": arrives,
            "required_by": inputs.required_by,
        }
        if inputs.required_by is None:
            results.append(
                CheckResult(
                    "lead_time",
                    c.name,
                    PASS,
                    f"Ordered on {order_date:%d %b %Y}, {c.name} arrives on {arrives:%d %b %Y} "
                    f"({c.lead_time_days} days); no required date is set.",
                    numbers,
                )
            )
            continue
        slack = (inputs.required_by - arrives).days
        numbers["slack_days"] = slack
        if slack < 0:
            status, verdict = FAIL, f"{-slack} days after"
        elif slack < LEAD_TIME_SLACK_DAYS:
            status, verdict = WARN, f"only {slack} days before"
        else:
            status, verdict = PASS, f"{slack} days before"
        results.append(
            CheckResult(
                "lead_time",
                c.name,
                status,
                f"Ordered on {order_date:%d %b %Y}, {c.name} arrives on {arrives:%d %b %Y} "
                f"({c.lead_time_days} days), {verdict} the required date {inputs.required_by:%d %b %Y}.",
                numbers,
            )
        )
    return results


def check_skills(inputs: CheckInputs) -> list[CheckResult]:
    """Someone active holds a skill covering each component (two people: no single point of knowledge)."""
    results = []
    for c in inputs.components:
        holders = sorted(set(c.skill_holders))
        numbers = {"skills": list(c.skills), "holders": holders, "people": len(holders)}
        if not c.skills:
            results.append(
                CheckResult(
                    "skills",
                    c.name,
                    WARN,
                    f"No skill in the skills list covers {c.name}; record one so work can be routed.",
                    numbers,
                )
            )
        elif not holders:
            results.append(
                CheckResult(
                    "skills",
                    c.name,
                    FAIL,
                    f"Nobody active holds {', '.join(c.skills)}, needed for {c.name}.",
                    numbers,
                )
            )
        elif len(holders) == 1:
            results.append(
                CheckResult(
                    "skills",
                    c.name,
                    WARN,
                    f"Only {holders[0]} holds {', '.join(c.skills)} for {c.name}: "
                    "a single point of knowledge.",
                    numbers,
                )
            )
        else:
            results.append(
                CheckResult(
                    "skills",
                    c.name,
                    PASS,
                    f"{len(holders)} people hold {', '.join(c.skills)} for {c.name}: {', '.join(holders)}.",
                    numbers,
                )
            )
    return results


def practicality_score(inputs: CheckInputs, checks: Iterable[CheckResult]) -> PracticalityScore:
    """Fit, risk and effort (each 0–100) and their weighted total.

    - fit: requirements weighted by priority (must 3, should 2, could 1, won't 0), each
      counted by its coverage (full 1, workaround 0.6, partial 0.5, gap or not assessed 0):
      ``100 × Σ weight × coverage / Σ weight``;
    - risk: ``100 − 20 per failed check − 5 per warning`` (not below 0);
    - effort: ``100 − 4 per distinct item beyond the first − 8 per workaround − 10 per gap``
      (not below 0): many parts, workarounds and gaps make a solution harder to deliver.
    """
    checks = list(checks)
    weights = [
        (PRIORITY_WEIGHTS.get(r.priority, 1), COVERAGE_VALUES.get(r.coverage, Decimal("0")))
        for r in inputs.requirements
    ]
    total_weight = sum(w for w, _ in weights)
    if total_weight:
        fit_value = Decimal(100) * sum(w * c for w, c in weights) / total_weight
        assessed = sum(1 for r in inputs.requirements if r.coverage)
        fit_text = (
            f"{assessed} of {len(inputs.requirements)} requirements assessed; priority-weighted coverage "
            f"{_fmt(fit_value)} % (must ×3, should ×2, could ×1; full 1, workaround 0.6, partial 0.5, gap 0)."
        )
    else:
        fit_value = Decimal(0)
        fit_text = "No requirements to fit (or only won't-haves): fit is 0."
    failures = sum(1 for c in checks if c.status == FAIL)
    warnings = sum(1 for c in checks if c.status == WARN)
    risk_value = Decimal(max(0, 100 - 20 * failures - 5 * warnings))
    risk_text = f"100 − 20 × {failures} failed − 5 × {warnings} warnings = {_fmt(risk_value)}."
    distinct = len({c.sku for c in inputs.components})
    workarounds = sum(1 for r in inputs.requirements if r.coverage == "workaround")
    gaps = sum(1 for r in inputs.requirements if r.coverage == "gap")
    effort_value = Decimal(max(0, 100 - 4 * max(distinct - 1, 0) - 8 * workarounds - 10 * gaps))
    effort_text = (
        f"100 − 4 × {max(distinct - 1, 0)} extra items − 8 × {workarounds} workarounds − 10 × {gaps} gaps "
        f"= {_fmt(effort_value)}."
    )
    values = {"fit": fit_value, "risk": risk_value, "effort": effort_value}
    texts = {"fit": fit_text, "risk": risk_text, "effort": effort_text}
    parts = tuple(
        ScorePart(
            name,
            int(values[name].quantize(Decimal("1"), rounding=ROUND_HALF_UP)),
            SCORE_WEIGHTS[name],
            texts[name],
        )
        for name in ("fit", "risk", "effort")
    )
    total = sum(values[n] * SCORE_WEIGHTS[n] for n in values)
    return PracticalityScore(int(Decimal(total).quantize(Decimal("1"), rounding=ROUND_HALF_UP)), parts)


def run_checks(inputs: CheckInputs) -> ChecksReport:
    """Every rule over the inputs, and the practicality score."""
    checks = [
        *check_compatibility(inputs),
        *check_capacity(inputs),
        *check_lifecycle(inputs),
        *check_lead_times(inputs),
        *check_skills(inputs),
    ]
    return ChecksReport(tuple(checks), practicality_score(inputs, checks))
