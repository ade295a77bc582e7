"""Reads of solution designs, limited to what the asking user may see.

Solution designs are internal work: support staff and sales reps see the designs of the
opportunities they may see; partners and customers see none (a 404, never a 403), as
with estimates. Requirements are read through the deals selectors only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from salesdesk.catalog.selectors import compatibility_rules_for, spec_values_for
from salesdesk.core.permissions import holds
from salesdesk.core.roles import INTERNAL_KINDS
from salesdesk.deals.models import Requirement
from salesdesk.deals.selectors import requirements_of, visible_opportunities
from salesdesk.parties.models import ProductSkill

from . import checks
from .choices import Coverage
from .models import (
    FitGapEntry,
    ProductGap,
    SolutionComponent,
    SolutionDesign,
    SolutionServiceLine,
    SolutionVersion,
)

DEFAULT_CONTRACT_YEARS = 3


def _staff(user: Any) -> bool:
    return bool(holds(user, "solution.view") and getattr(user, "kind", None) in INTERNAL_KINDS)


def visible_designs(user: Any) -> QuerySet[SolutionDesign]:
    """Designs of the opportunities ``user`` may see, for staff and sales reps; none for anyone else."""
    qs = SolutionDesign.objects.select_related("opportunity", "opportunity__account", "owner")
    if not _staff(user):
        return qs.none()
    return qs.filter(opportunity__in=visible_opportunities(user).order_by().values("pk"))


def visible_versions(user: Any) -> QuerySet[SolutionVersion]:
    return SolutionVersion.objects.select_related(
        "design", "design__opportunity", "design__opportunity__account"
    ).filter(design__in=visible_designs(user).order_by().values("pk"))


def visible_product_gaps(user: Any) -> QuerySet[ProductGap]:
    return ProductGap.objects.select_related(
        "design",
        "design__opportunity",
        "design__opportunity__account",
        "solution_version",
        "product",
        "raised_by",
    ).filter(design__in=visible_designs(user).order_by().values("pk"))


def design_get_for_user(*, user: Any, design_id: int) -> SolutionDesign:
    return get_object_or_404(visible_designs(user), pk=design_id)


def version_get_for_user(*, user: Any, design_id: int, version_number: int) -> SolutionVersion:
    return get_object_or_404(visible_versions(user), design_id=design_id, number=version_number)


def version_get_by_id_for_user(*, user: Any, version_id: int) -> SolutionVersion:
    return get_object_or_404(visible_versions(user), pk=version_id)


def product_gap_get_for_user(*, user: Any, gap_id: int) -> ProductGap:
    return get_object_or_404(visible_product_gaps(user), pk=gap_id)


def design_search(
    *, user: Any, query: str = "", opportunity_id: int | None = None, status: str = ""
) -> QuerySet[SolutionDesign]:
    """The list page's filters: title or opportunity/account name, opportunity, current version status."""
    qs = visible_designs(user)
    query = query.replace("\x00", "").strip()[:200]
    if query:
        qs = qs.filter(
            Q(title__icontains=query)
            | Q(opportunity__name__icontains=query)
            | Q(opportunity__account__name__icontains=query)
        )
    if opportunity_id:
        qs = qs.filter(opportunity_id=opportunity_id)
    if status:
        qs = qs.filter(versions__status=status, versions__number=_current_number_ref())
    return qs.order_by("-id")


def _current_number_ref() -> Any:
    from django.db.models import F

    return F("current_version")


def design_versions(design: SolutionDesign) -> QuerySet[SolutionVersion]:
    return SolutionVersion.objects.filter(design=design).select_related("created_by", "finalised_by")


def current_version_of(design: SolutionDesign) -> SolutionVersion:
    return SolutionVersion.objects.select_related(
        "design", "design__opportunity", "design__opportunity__account"
    ).get(design=design, number=design.current_version)


def components_of(version: SolutionVersion) -> QuerySet[SolutionComponent]:
    return SolutionComponent.objects.filter(solution_version=version).select_related(
        "product", "product__category", "product__successor"
    )


def service_lines_of(version: SolutionVersion) -> QuerySet[SolutionServiceLine]:
    return SolutionServiceLine.objects.filter(solution_version=version).select_related(
        "product", "product__successor"
    )


def fit_gap_entries_of(version: SolutionVersion) -> QuerySet[FitGapEntry]:
    return FitGapEntry.objects.filter(solution_version=version).prefetch_related(
        Prefetch("components", queryset=SolutionComponent.objects.select_related("product"))
    )


def designs_of_opportunity(*, user: Any, opportunity_id: int) -> QuerySet[SolutionDesign]:
    return visible_designs(user).filter(opportunity_id=opportunity_id)


# -- requirements and the fit-gap matrix -------------------------------------------------------


def opportunity_requirements(version: SolutionVersion) -> list[Requirement]:
    """The live requirements of the design's opportunity (through the deals selectors).

    The caller already holds a version it may see, so its opportunity is visible too.
    """
    opportunity = version.design.opportunity
    try:
        requirement_set = opportunity.requirement_set
    except ObjectDoesNotExist:
        requirement_set = None
    return list(requirements_of(requirement_set))


def requirements_for_version(version: SolutionVersion) -> list[dict[str, Any]]:
    """The opportunity's requirements as plain dicts (for the sizing engine and the report)."""
    return [{"id": r.pk, **r.as_content()} for r in opportunity_requirements(version)]


@dataclass
class FitGapRow:
    """One row of the matrix: a requirement, and how the version meets it (entry None: not assessed)."""

    reference: str
    statement: str
    priority: str
    priority_label: str
    targets: list[dict[str, str]]
    requirement_id: int | None
    entry: FitGapEntry | None
    gaps: list[ProductGap] = field(default_factory=list)

    @property
    def coverage(self) -> str:
        return self.entry.coverage if self.entry else ""

    @property
    def coverage_label(self) -> str:
        return self.entry.get_coverage_display() if self.entry else "Not assessed"

    @property
    def component_names(self) -> list[str]:
        return [str(c.product) for c in self.entry.components.all()] if self.entry else []

    @property
    def note(self) -> str:
        return self.entry.note if self.entry else ""

    @property
    def targets_text(self) -> str:
        from salesdesk.deals.targets import Target, format_target

        return "; ".join(format_target(Target.from_dict(t), display=True) for t in self.targets)


@dataclass
class FitGapMatrix:
    rows: list[FitGapRow]

    @property
    def must_rows(self) -> list[FitGapRow]:
        return [r for r in self.rows if r.priority == "must"]

    @property
    def must_total(self) -> int:
        return len(self.must_rows)

    @property
    def must_full(self) -> int:
        return sum(1 for r in self.must_rows if r.coverage == Coverage.FULL)

    @property
    def counts(self) -> dict[str, int]:
        counts = {c.value: 0 for c in Coverage}
        counts["unassessed"] = 0
        for row in self.rows:
            counts[row.coverage or "unassessed"] += 1
        return counts

    @property
    def summary(self) -> str:
        if not self.must_total:
            return "No must-have requirements."
        return f"{self.must_full}/{self.must_total} must-haves fully met"


def fit_gap_matrix(version: SolutionVersion) -> FitGapMatrix:
    """Every requirement of the opportunity as a row, with the version's coverage.

    A frozen version shows the requirements it was assessed against (its entries), plus
    any requirement added since as "not assessed"; a draft shows the live requirements.
    """
    entries = {e.requirement_reference: e for e in fit_gap_entries_of(version)}
    gaps: dict[str, list[ProductGap]] = defaultdict(list)
    for gap in ProductGap.objects.filter(solution_version=version).order_by("id"):
        gaps[gap.requirement_reference].append(gap)
    labels = dict(Requirement._meta.get_field("priority").choices or [])
    rows = []
    seen = set()
    for r in opportunity_requirements(version):
        seen.add(r.reference)
        rows.append(
            FitGapRow(
                reference=r.reference,
                statement=r.statement,
                priority=r.priority,
                priority_label=str(labels.get(r.priority, r.priority)),
                targets=list(r.targets),
                requirement_id=r.pk,
                entry=entries.get(r.reference),
                gaps=gaps.get(r.reference, []),
            )
        )
    for reference, entry in sorted(entries.items()):
        if reference not in seen:  # the requirement was removed since: keep what was assessed
            rows.append(
                FitGapRow(
                    reference=reference,
                    statement=entry.requirement_statement,
                    priority="",
                    priority_label="(removed)",
                    targets=[],
                    requirement_id=None,
                    entry=entry,
                    gaps=gaps.get(reference, []),
                )
            )
    return FitGapMatrix(rows)


# -- checks ---------------------------------------------------------------------------------------


def _skill_index() -> list[tuple[str, tuple[str, ...]]]:
    """(skill name, active support staff holding it) for every skill, in two queries."""
    result = []
    for skill in ProductSkill.objects.prefetch_related("people").order_by("name"):
        holders = tuple(
            (p.get_full_name() or p.username)
            for p in skill.people.all()
            if p.is_active and p.kind == "support"
        )
        result.append((skill.name, holders))
    return result


def skills_covering(
    product: Any, skills: list[tuple[str, tuple[str, ...]]]
) -> list[tuple[str, tuple[str, ...]]]:
    """Skills whose name appears in the product's name, SKU, category or summary (case-insensitive)."""
    haystack = " ".join(
        [product.name, product.sku, getattr(product.category, "name", ""), product.summary]
    ).lower()
    return [(name, holders) for name, holders in skills if name.lower() in haystack]


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


def growth_and_years(version: SolutionVersion, requirements: list[Requirement]) -> tuple[Decimal, int]:
    """Growth per year (a fraction) and contract years: the workload's, else the requirements' targets."""
    workload = version.workload or {}
    growth = _decimal(workload.get("growth_per_year"))
    years_raw = workload.get("years") or workload.get("contract_years")
    years = int(years_raw) if isinstance(years_raw, int) and 1 <= years_raw <= 10 else None
    if growth is None:
        for r in requirements:
            for t in r.targets:
                if t.get("metric") in ("growth_per_year", "annual_growth", "yearly_growth"):
                    value = _decimal(t.get("value"))
                    if value is not None:
                        growth = value / 100 if "%" in t.get("unit", "") or value > 1 else value
        if growth is None:
            growth = Decimal("0")
    if years is None:
        for r in requirements:
            for t in r.targets:
                if t.get("metric") in ("contract_years", "term_years"):
                    value = _decimal(t.get("value"))
                    if value is not None and 1 <= value <= 10:
                        years = int(value)
    return growth, years or DEFAULT_CONTRACT_YEARS


def check_inputs(version: SolutionVersion, *, today: dt.date | None = None) -> checks.CheckInputs:
    """Everything the pure rules need, gathered in a fixed number of queries."""
    components = list(components_of(version))
    product_ids = [c.product_id for c in components]
    specs = spec_values_for(product_ids)
    skills = _skill_index()
    infos = []
    for c in components:
        product = c.product
        product_specs = specs.get(product.pk, {})
        covering = skills_covering(product, skills)
        infos.append(
            checks.ComponentInfo(
                sku=product.sku,
                name=product.name,
                quantity=c.quantity,
                kind=product.kind,
                group=product.category.name,
                lifecycle=product.lifecycle,
                successor=str(product.successor) if product.successor_id else "",
                lead_time_days=product.lead_time_days,
                specs={n: s.value_number for n, s in product_specs.items() if s.value_number is not None},
                spec_units={n: s.unit for n, s in product_specs.items()},
                skills=tuple(name for name, _ in covering),
                skill_holders=tuple(sorted({h for _, holders in covering for h in holders})),
            )
        )
    rules = tuple(
        checks.RuleInfo(
            sku=rule.product.sku,
            kind=rule.kind,
            message=rule.message,
            other_sku=rule.other_product.sku if rule.other_product is not None else "",
            other_name=rule.other_product.name if rule.other_product is not None else "",
            spec_name=rule.spec_name,
            limit=rule.limit_value,
        )
        for rule in compatibility_rules_for(product_ids)
    )
    requirements = opportunity_requirements(version)
    targets = []
    for r in requirements:
        for t in r.targets:
            value = _decimal(t.get("value"))
            if value is None:
                continue
            targets.append(
                checks.TargetInfo(
                    requirement=r.reference,
                    metric=str(t.get("metric", "")),
                    operator=str(t.get("operator", "=")),
                    value=value,
                    unit=str(t.get("unit", "")),
                    priority=r.priority,
                )
            )
    coverage = {
        e.requirement_reference: e.coverage for e in FitGapEntry.objects.filter(solution_version=version)
    }
    growth, years = growth_and_years(version, requirements)
    service_products = [line.product for line in service_lines_of(version) if line.product is not None]
    return checks.CheckInputs(
        components=tuple(infos),
        services=tuple(
            checks.ComponentInfo(
                sku=p.sku,
                name=p.name,
                kind=p.kind,
                lifecycle=p.lifecycle,
                successor=p.successor.name if p.successor is not None else "",
            )
            for p in service_products
        ),
        rules=rules,
        targets=tuple(targets),
        requirements=tuple(
            checks.RequirementFit(r.reference, r.priority, coverage.get(r.reference, ""))
            for r in requirements
        ),
        growth_per_year=growth,
        contract_years=years,
        expected_close_date=version.design.opportunity.expected_close_date,
        required_by=version.design.required_by,
        today=today or timezone.localdate(),
    )


def version_checks(version: SolutionVersion, *, today: dt.date | None = None) -> checks.ChecksReport:
    """The feasibility checks and practicality score of a version, computed now."""
    return checks.run_checks(check_inputs(version, today=today))


def component_catalog_items(version: SolutionVersion) -> dict[str, dict[str, Any]]:
    """{sku: {sku, name, price, currency, specs, lifecycle}} of the version's components.

    The price is today's list price in the opportunity's currency if the catalog has one,
    else in EUR (the catalog's own currency), else 0.
    """
    from salesdesk.catalog.models import PriceListEntry

    components = list(components_of(version))
    product_ids = [c.product_id for c in components]
    specs = spec_values_for(product_ids)
    today = timezone.localdate()
    prices: dict[tuple[int, str], Decimal] = {}
    for entry in (
        PriceListEntry.objects.filter(product_id__in=product_ids, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("-valid_from", "id")
    ):
        prices.setdefault((entry.product_id, entry.currency), entry.list_price)
    currency = version.design.opportunity.currency
    items = {}
    for c in components:
        price = prices.get((c.product_id, currency))
        item_currency = currency
        if price is None:
            price = prices.get((c.product_id, "EUR"), Decimal("0"))
            item_currency = "EUR"
        items[c.product.sku] = {
            "sku": c.product.sku,
            "name": c.product.name,
            "price": price,
            "currency": item_currency,
            "specs": {
                n: s.value_number
                for n, s in specs.get(c.product_id, {}).items()
                if s.value_number is not None
            },
            "lifecycle": c.product.lifecycle,
            "quantity": c.quantity,
        }
    return items


def open_product_gaps_count(user: Any) -> int:
    return visible_product_gaps(user).filter(status="open").count()
