"""Every write to solution designs: capability check, transaction, audit.

A design is devised by level 4 (``solution.design``). Its newest version is the working
copy; starting the next version copies the content and freezes the one before
(superseded), so nothing a customer, a proposal or a report saw can change. A version is
also frozen when it is made final or referenced as evidence. Product gaps raised from a
gap in the fit-gap matrix are decided by level 6 (``product_gap.triage``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from salesdesk.catalog.selectors import visible_products
from salesdesk.core import audit
from salesdesk.core.errors import ApplicationError, StateConflict
from salesdesk.core.permissions import require
from salesdesk.core.validation import apply_changes, check_version, clean_or_raise
from salesdesk.deals.selectors import requirement_get_for_user, visible_opportunities

from .choices import (
    MAX_ASSUMPTION_LENGTH,
    MAX_ASSUMPTIONS,
    MAX_CONFIGURATION_BYTES,
    Coverage,
    ProductGapStatus,
    SolutionStatus,
)
from .models import (
    FitGapEntry,
    ProductGap,
    SolutionComponent,
    SolutionDesign,
    SolutionServiceLine,
    SolutionVersion,
)

DESIGN_FIELDS = {"title", "description", "required_by"}
VERSION_FIELDS = {"notes", "assumptions"}
COMPONENT_FIELDS = {"product", "quantity", "configuration", "notes", "position"}
SERVICE_FIELDS = {"product", "description", "quantity", "unit"}


# -- designs and versions -------------------------------------------------------------------


@transaction.atomic
def design_create(*, actor: Any, opportunity_id: int, data: dict[str, Any]) -> SolutionDesign:
    """Start a solution design (version 1, a draft) on an opportunity the actor may see."""
    require(actor, "solution.design")
    opportunity = visible_opportunities(actor).filter(pk=opportunity_id).first()
    if opportunity is None:
        raise Http404("no such opportunity")
    unknown = sorted(set(data) - DESIGN_FIELDS)
    if unknown:
        raise ApplicationError(unknown[0], "is not a field of a solution design")
    data = {**data, "title": str(data.get("title", "")).strip()}
    design = SolutionDesign(opportunity=opportunity, owner=actor, **data)
    clean_or_raise(design)
    design.save()
    version = SolutionVersion(design=design, number=1, created_by=actor)
    version.save()
    audit.record_created(actor, design)
    audit.record_created(actor, version)
    return design


@transaction.atomic
def design_update(
    *, actor: Any, design: SolutionDesign, data: dict[str, Any], expected_version: int | None = None
) -> SolutionDesign:
    """Change the design's title, description or required date."""
    require(actor, "solution.design")
    design = SolutionDesign.objects.select_for_update().select_related("opportunity").get(pk=design.pk)
    check_version(design, expected_version)
    before = audit.snapshot(design)
    if isinstance(data.get("title"), str):
        data = {**data, "title": data["title"].strip()}
    changed = apply_changes(design, data, allowed=DESIGN_FIELDS)
    if not changed:
        return design
    clean_or_raise(design)
    design.save(update_fields=changed)
    audit.record_updated(actor, design, before)
    return design


def _lock_version(version: SolutionVersion) -> SolutionVersion:
    return (
        SolutionVersion.objects.select_for_update()
        .select_related("design", "design__opportunity")
        .get(pk=version.pk)
    )


def _editable(version: SolutionVersion) -> SolutionVersion:
    """The version, locked, ready to change: a frozen version is refused (409)."""
    version = _lock_version(version)
    if version.frozen:
        raise StateConflict(
            "status",
            f"version {version.number} is {version.get_status_display().lower()} and frozen; "
            "start a new version to change the design",
        )
    return version


def _assumptions(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
        raise ApplicationError("assumptions", "must be a list of sentences")
    cleaned = [a.strip() for a in value if a.strip()]
    if len(cleaned) > MAX_ASSUMPTIONS:
        raise ApplicationError("assumptions", f"at most {MAX_ASSUMPTIONS} assumptions")
    for index, text in enumerate(cleaned, start=1):
        if len(text) > MAX_ASSUMPTION_LENGTH:
            raise ApplicationError(
                "assumptions", f"assumption {index} is longer than {MAX_ASSUMPTION_LENGTH} characters"
            )
    return cleaned


@transaction.atomic
def version_update(
    *, actor: Any, version: SolutionVersion, data: dict[str, Any], expected_version: int | None = None
) -> SolutionVersion:
    """Change the draft version's notes or assumptions."""
    require(actor, "solution.design")
    version = _editable(version)
    check_version(version, expected_version)
    if "assumptions" in data:
        data = {**data, "assumptions": _assumptions(data["assumptions"])}
    before = audit.snapshot(version)
    changed = apply_changes(version, data, allowed=VERSION_FIELDS)
    if not changed:
        return version
    clean_or_raise(version)
    version.save(update_fields=changed)
    audit.record_updated(actor, version, before)
    return version


@transaction.atomic
def version_new(
    *, actor: Any, design: SolutionDesign, expected_version: int | None = None
) -> SolutionVersion:
    """Start the next version as a copy of the newest one, which is frozen as superseded.

    Copied: components (quantity, configuration, notes), services, assumptions, notes,
    workload and the fit-gap entries (pointing at the copied components). Not copied:
    the sizing result (evidence of the old version) and product gaps (raised once).
    """
    require(actor, "solution.design")
    design = SolutionDesign.objects.select_for_update().get(pk=design.pk)
    check_version(design, expected_version)
    previous = _lock_version(SolutionVersion.objects.get(design=design, number=design.current_version))
    version = SolutionVersion(
        design=design,
        number=previous.number + 1,
        created_by=actor,
        notes=previous.notes,
        assumptions=list(previous.assumptions),
        workload=dict(previous.workload),
    )
    version.save()
    copies: dict[int, SolutionComponent] = {}
    for component in SolutionComponent.objects.filter(solution_version=previous).order_by("position", "id"):
        copies[component.pk] = SolutionComponent.objects.create(
            solution_version=version,
            product_id=component.product_id,
            quantity=component.quantity,
            configuration=dict(component.configuration),
            notes=component.notes,
            position=component.position,
        )
    for line in SolutionServiceLine.objects.filter(solution_version=previous):
        SolutionServiceLine.objects.create(
            solution_version=version,
            product_id=line.product_id,
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
        )
    for entry in FitGapEntry.objects.filter(solution_version=previous).prefetch_related("components"):
        copy = FitGapEntry.objects.create(
            solution_version=version,
            requirement_id=entry.requirement_id,
            requirement_reference=entry.requirement_reference,
            requirement_statement=entry.requirement_statement,
            coverage=entry.coverage,
            note=entry.note,
        )
        copy.components.set([copies[c.pk] for c in entry.components.all() if c.pk in copies])
    if not previous.frozen:
        _freeze(previous, reason=f"superseded by version {version.number}")
    previous.status = SolutionStatus.SUPERSEDED
    previous.save(update_fields=["status"])
    before = audit.snapshot(design)
    design.current_version = version.number
    design.save(update_fields=["current_version"])
    audit.record_created(actor, version, detail={"copied_from": previous.number})
    audit.record_step(
        actor,
        design,
        f"version {version.number} started",
        audit.diff(before, audit.snapshot(design)),
        detail={"copied_from": previous.number, "components": len(copies)},
    )
    return version


def _freeze(version: SolutionVersion, *, reason: str) -> None:
    """Keep the checks as they are now with the version, and mark it frozen (caller saves status)."""
    from .selectors import version_checks

    version.checks_result = version_checks(version).as_dict()
    version.frozen = True
    version.frozen_reason = reason[:200]
    version.save(update_fields=["checks_result", "frozen", "frozen_reason"])


@transaction.atomic
def version_finalise(*, actor: Any, version: SolutionVersion) -> SolutionVersion:
    """Make the draft final: frozen, with its checks kept as they were."""
    require(actor, "solution.design")
    version = _editable(version)
    if version.number != version.design.current_version:
        raise StateConflict("status", "only the newest version can be made final")
    before = audit.snapshot(version)
    _freeze(version, reason="made final")
    version.status = SolutionStatus.FINAL
    version.finalised_by = actor
    version.finalised_at = timezone.now()
    version.save(update_fields=["status", "finalised_by", "finalised_at"])
    audit.record_step(actor, version, "made final", audit.diff(before, audit.snapshot(version)))
    return version


@transaction.atomic
def version_reference(*, actor: Any, version: SolutionVersion, by: str) -> SolutionVersion:
    """Freeze a version because something refers to it (a proposal, a feasibility report)."""
    require(actor, "solution.view")
    version = _lock_version(version)
    by = (by or "").strip()
    if not by:
        raise ApplicationError("by", "say what refers to this version")
    if version.frozen:
        return version
    before = audit.snapshot(version)
    _freeze(version, reason=f"referenced by {by}")
    audit.record_step(
        actor, version, "frozen", audit.diff(before, audit.snapshot(version)), detail={"by": by}
    )
    return version


# -- components and services ------------------------------------------------------------------


def _product(actor: Any, product_id: Any, field: str = "product_id") -> Any:
    if product_id is None:
        return None
    product = visible_products(actor).filter(pk=product_id).first()
    if product is None:
        raise Http404("no such product")
    return product


def _configuration(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ApplicationError("configuration", 'must be an object of settings, e.g. {"memory_gb": 256}')
    import json

    if len(json.dumps(value)) > MAX_CONFIGURATION_BYTES:
        raise ApplicationError("configuration", f"is larger than {MAX_CONFIGURATION_BYTES:,} bytes")
    return value


def _component_data(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if "product_id" in data:
        product = _product(actor, data.pop("product_id"))
        if product is None:
            raise ApplicationError("product_id", "name a catalog product")
        data["product"] = product
    if "configuration" in data:
        data["configuration"] = _configuration(data["configuration"])
    return data


@transaction.atomic
def component_add(*, actor: Any, version: SolutionVersion, data: dict[str, Any]) -> SolutionComponent:
    """Add a catalog item to the draft version."""
    require(actor, "solution.design")
    version = _editable(version)
    data = _component_data(actor, data)
    unknown = sorted(set(data) - COMPONENT_FIELDS)
    if unknown:
        raise ApplicationError(unknown[0], "is not a field of a component")
    if "product" not in data:
        raise ApplicationError("product_id", "name a catalog product")
    data.setdefault("position", SolutionComponent.objects.filter(solution_version=version).count() + 1)
    component = SolutionComponent(solution_version=version, **data)
    clean_or_raise(component)
    component.save()
    audit.record_created(actor, component)
    return component


@transaction.atomic
def component_update(
    *, actor: Any, component: SolutionComponent, data: dict[str, Any], expected_version: int | None = None
) -> SolutionComponent:
    """Change a component's product, quantity, configuration or notes on the draft version."""
    require(actor, "solution.design")
    _editable(component.solution_version)
    component = SolutionComponent.objects.select_for_update().get(pk=component.pk)
    check_version(component, expected_version)
    before = audit.snapshot(component)
    changed = apply_changes(component, _component_data(actor, data), allowed=COMPONENT_FIELDS)
    if not changed:
        return component
    clean_or_raise(component)
    component.save(update_fields=changed)
    audit.record_updated(actor, component, before)
    return component


@transaction.atomic
def component_remove(*, actor: Any, component: SolutionComponent) -> None:
    """Remove a component from the draft; fit-gap rows that named it no longer do.

    Refused while a fit-gap row is met by this component alone (the row would claim a fit
    that nothing provides): change the row first.
    """
    require(actor, "solution.design")
    _editable(component.solution_version)
    for entry in FitGapEntry.objects.filter(components=component).exclude(coverage=Coverage.GAP):
        if entry.components.count() == 1:
            raise ApplicationError(
                "component",
                f"{entry.requirement_reference} is met by {component.product} alone; "
                "change its fit-gap row first",
            )
    audit.record_deleted(actor, component)
    component.delete()


def _service_data(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if "product_id" in data:
        product = _product(actor, data.pop("product_id"))
        if product is not None and product.kind != "service":
            raise ApplicationError(
                "product_id", f"{product} is a product, not a service; add it as a component"
            )
        data["product"] = product
    if isinstance(data.get("description"), str):
        data["description"] = data["description"].strip()
    return data


def _check_service(line: SolutionServiceLine) -> None:
    if line.product_id is None and not line.description:
        raise ApplicationError("description", "describe the service, or choose a catalog service")


@transaction.atomic
def service_line_add(*, actor: Any, version: SolutionVersion, data: dict[str, Any]) -> SolutionServiceLine:
    """Add a service (a catalog service or a line of free text) to the draft version."""
    require(actor, "solution.design")
    version = _editable(version)
    data = _service_data(actor, data)
    unknown = sorted(set(data) - SERVICE_FIELDS)
    if unknown:
        raise ApplicationError(unknown[0], "is not a field of a service line")
    line = SolutionServiceLine(solution_version=version, **data)
    _check_service(line)
    clean_or_raise(line)
    line.save()
    audit.record_created(actor, line)
    return line


@transaction.atomic
def service_line_update(
    *, actor: Any, line: SolutionServiceLine, data: dict[str, Any], expected_version: int | None = None
) -> SolutionServiceLine:
    require(actor, "solution.design")
    _editable(line.solution_version)
    line = SolutionServiceLine.objects.select_for_update().get(pk=line.pk)
    check_version(line, expected_version)
    before = audit.snapshot(line)
    changed = apply_changes(line, _service_data(actor, data), allowed=SERVICE_FIELDS)
    if not changed:
        return line
    _check_service(line)
    clean_or_raise(line)
    line.save(update_fields=changed)
    audit.record_updated(actor, line, before)
    return line


@transaction.atomic
def service_line_remove(*, actor: Any, line: SolutionServiceLine) -> None:
    require(actor, "solution.design")
    _editable(line.solution_version)
    audit.record_deleted(actor, line)
    line.delete()


# -- fit-gap ------------------------------------------------------------------------------------


@transaction.atomic
def fit_gap_set(
    *,
    actor: Any,
    version: SolutionVersion,
    requirement_id: int,
    coverage: str,
    component_ids: list[int] | None = None,
    note: str = "",
) -> FitGapEntry:
    """Say how the draft meets one requirement of its opportunity, and with which components.

    A full, partial or workaround fit names at least one component; a gap names none.
    """
    require(actor, "solution.design")
    version = _editable(version)
    requirement = requirement_get_for_user(user=actor, requirement_id=requirement_id)
    if requirement.requirement_set.opportunity_id != version.design.opportunity_id:
        raise ApplicationError("requirement_id", "is not a requirement of this design's opportunity")
    if coverage not in Coverage.values:
        raise ApplicationError("coverage", f"must be one of {', '.join(Coverage.values)}")
    ids = list(dict.fromkeys(int(i) for i in (component_ids or [])))
    components = list(SolutionComponent.objects.filter(solution_version=version, pk__in=ids))
    if len(components) != len(ids):
        raise ApplicationError("component_ids", "name components of this version only")
    if coverage == Coverage.GAP and components:
        raise ApplicationError("component_ids", "a gap is met by no component; choose partial or workaround")
    if coverage != Coverage.GAP and not components:
        raise ApplicationError("component_ids", "name the components that meet the requirement")
    note = (note or "").strip()
    entry = (
        FitGapEntry.objects.select_for_update()
        .filter(solution_version=version, requirement_reference=requirement.reference)
        .first()
    )
    names = sorted(str(c.product) for c in components)
    if entry is None:
        entry = FitGapEntry(
            solution_version=version,
            requirement=requirement,
            requirement_reference=requirement.reference,
            requirement_statement=requirement.statement,
            coverage=coverage,
            note=note,
        )
        clean_or_raise(entry, exclude=["requirement_reference"])
        entry.save()
        entry.components.set(components)
        audit.record_created(actor, entry, detail={"components": names})
        return entry
    before = audit.snapshot(entry)
    old_names = sorted(str(c.product) for c in entry.components.all())
    entry.requirement = requirement
    entry.requirement_statement = requirement.statement
    entry.coverage = coverage
    entry.note = note
    clean_or_raise(entry, exclude=["requirement_reference"])
    entry.save(update_fields=["requirement", "requirement_statement", "coverage", "note"])
    entry.components.set(components)
    changes = audit.diff(before, audit.snapshot(entry))
    if old_names != names:
        changes["components"] = [old_names, names]
    if changes:
        audit.record(actor, entry, "updated", changes)
    return entry


@transaction.atomic
def fit_gap_clear(*, actor: Any, entry: FitGapEntry) -> None:
    """Take a requirement's assessment off the draft (it shows as not assessed)."""
    require(actor, "solution.design")
    _editable(entry.solution_version)
    audit.record_deleted(actor, entry)
    entry.delete()


# -- product gaps --------------------------------------------------------------------------------


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ApplicationError(field, "must be an amount such as 125000.00") from None
    if not amount.is_finite() or amount < 0:
        raise ApplicationError(field, "must be zero or more")
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def product_gap_raise(
    *,
    actor: Any,
    version: SolutionVersion,
    requirement_id: int,
    description: str,
    product_id: int | None = None,
    revenue_at_stake: Any = None,
) -> ProductGap:
    """Raise a product gap from a requirement the version assesses as a gap.

    The revenue at stake is the opportunity's amount unless one is entered. One open gap
    per requirement and version: raising it again is refused.
    """
    require(actor, "solution.design")
    version = _lock_version(version)
    requirement = requirement_get_for_user(user=actor, requirement_id=requirement_id)
    opportunity = version.design.opportunity
    if requirement.requirement_set.opportunity_id != opportunity.pk:
        raise ApplicationError("requirement_id", "is not a requirement of this design's opportunity")
    entry = FitGapEntry.objects.filter(
        solution_version=version, requirement_reference=requirement.reference
    ).first()
    if entry is None or entry.coverage != Coverage.GAP:
        raise ApplicationError(
            "requirement_id", f"{requirement.reference} is not assessed as a gap in version {version.number}"
        )
    description = (description or "").strip()
    if not description:
        raise ApplicationError("description", "say what the product lacks")
    if ProductGap.objects.filter(
        solution_version=version, requirement_reference=requirement.reference, status=ProductGapStatus.OPEN
    ).exists():
        raise StateConflict("requirement_id", f"a product gap for {requirement.reference} is already open")
    amount = (
        opportunity.amount if revenue_at_stake in (None, "") else _money(revenue_at_stake, "revenue_at_stake")
    )
    gap = ProductGap(
        design=version.design,
        solution_version=version,
        requirement=requirement,
        requirement_reference=requirement.reference,
        product=_product(actor, product_id),
        description=description,
        revenue_at_stake=amount,
        currency=opportunity.currency,
        raised_by=actor,
    )
    clean_or_raise(gap)
    gap.save()
    audit.record_created(actor, gap)
    return gap


@transaction.atomic
def product_gap_decide(*, actor: Any, gap: ProductGap, status: str, note: str = "") -> ProductGap:
    """Level 6 decides: accepted, planned (development work to start) or declined, with a note."""
    require(actor, "product_gap.triage")
    gap = ProductGap.objects.select_for_update().select_related("design__opportunity").get(pk=gap.pk)
    if status not in (ProductGapStatus.ACCEPTED, ProductGapStatus.PLANNED, ProductGapStatus.DECLINED):
        raise ApplicationError("status", "must be accepted, planned or declined")
    note = (note or "").strip()
    if status == ProductGapStatus.DECLINED and not note:
        raise ApplicationError("note", "say why the gap is declined")
    if gap.status == ProductGapStatus.DECLINED:
        raise StateConflict("status", "the gap was declined; raise it again if it matters now")
    before = audit.snapshot(gap)
    gap.status = status
    gap.decision_note = note
    gap.decided_by = actor
    gap.decided_at = timezone.now()
    gap.save(update_fields=["status", "decision_note", "decided_by", "decided_at"])
    audit.record_step(actor, gap, status, audit.diff(before, audit.snapshot(gap)))
    return gap


# -- capacity model: workload and sizing -----------------------------------------------------------


def _validate_workload(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ApplicationError("workload", "must be an object")
    try:
        from . import workload as workload_module
    except ImportError:  # pragma: no cover - the workload module ships with the app
        return dict(data)
    validate = getattr(workload_module, "validate_workload", None)
    if validate is None:  # pragma: no cover
        return dict(data)
    try:
        cleaned: dict[str, Any] = validate(data)
    except ValueError as exc:
        field = getattr(exc, "field", "workload") or "workload"
        message = getattr(exc, "message", str(exc))
        raise ApplicationError(field, message) from exc
    return cleaned


@transaction.atomic
def save_workload(user: Any, version: SolutionVersion, data: dict[str, Any]) -> SolutionVersion:
    """Keep the capacity model's workload on the draft (checked by ``workload.validate_workload``)."""
    require(user, "capacity.model")
    version = _editable(version)
    cleaned = _validate_workload(data)
    before = audit.snapshot(version)
    version.workload = cleaned
    version.save(update_fields=["workload"])
    audit.record_updated(user, version, before, step="workload saved")
    return version


@transaction.atomic
def record_sizing(user: Any, version: SolutionVersion, result: dict[str, Any]) -> SolutionVersion:
    """Keep the last sizing result on a draft or final version (a superseded one keeps its own)."""
    require(user, "capacity.model")
    version = _lock_version(version)
    if version.status == SolutionStatus.SUPERSEDED:
        raise StateConflict("status", f"version {version.number} is superseded; size the newest version")
    if not isinstance(result, dict):
        raise ApplicationError("sizing_result", "must be an object")
    version.sizing_result = {**result, "recorded_at": timezone.now().isoformat()}
    version.save(update_fields=["sizing_result"])
    audit.record_step(
        user,
        version,
        "sized",
        detail={k: result.get(k) for k in ("ok", "total_price", "currency", "error") if k in result},
    )
    return version
