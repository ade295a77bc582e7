"""API for solution designs: designs, versions, components, services, fit-gap, checks, product gaps.

Thin: selectors read, services write. A design another user may not see is a 404.
"""

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from salesdesk.core.api import (
    AuthedRequest,
    Cursor,
    DbId,
    InputSchema,
    expected_version,
    not_modified,
    set_etag,
)

from . import report, report_tasks, services, sizing_runs
from .models import SolutionComponent, SolutionServiceLine, SolutionVersion
from .schemas import (
    ChecksOut,
    ComponentIn,
    ComponentOut,
    ComponentPatch,
    DesignIn,
    DesignOut,
    DesignPatch,
    FitGapIn,
    FitGapOut,
    FitGapRowOut,
    ProductGapDecisionIn,
    ProductGapIn,
    ProductGapOut,
    ServiceLineIn,
    ServiceLineOut,
    ServiceLinePatch,
    VersionDetailOut,
    VersionOut,
    VersionPatch,
    WorkloadIn,
)
from .selectors import (
    components_of,
    design_get_for_user,
    design_versions,
    fit_gap_matrix,
    product_gap_get_for_user,
    service_lines_of,
    version_checks,
    version_get_for_user,
    visible_designs,
    visible_product_gaps,
)

router = Router(tags=["solutions"])

VERSION_PATH = "/solutions/{design_id}/versions/{version_number}"


def _version(request: AuthedRequest, design_id: int, version_number: int) -> SolutionVersion:
    return version_get_for_user(user=request.auth, design_id=design_id, version_number=version_number)


def _fit_gap(version: SolutionVersion) -> dict[str, Any]:
    matrix = fit_gap_matrix(version)
    return {
        "summary": matrix.summary,
        "must_total": matrix.must_total,
        "must_full": matrix.must_full,
        "counts": matrix.counts,
        "rows": [
            {
                "requirement_id": row.requirement_id,
                "reference": row.reference,
                "statement": row.statement,
                "priority": row.priority,
                "targets": row.targets,
                "coverage": row.coverage,
                "components": row.component_names,
                "component_ids": [c.pk for c in row.entry.components.all()] if row.entry else [],
                "note": row.note,
            }
            for row in matrix.rows
        ],
    }


def _version_detail(version: SolutionVersion) -> dict[str, Any]:
    return {
        **{f: getattr(version, f) for f in VersionOut.model_fields},
        "design_id": version.design_id,
        "components": list(components_of(version)),
        "services": list(service_lines_of(version)),
        "workload": version.workload,
        "sizing_result": version.sizing_result,
        "fit_gap": _fit_gap(version),
    }


# -- designs --------------------------------------------------------------------------------------


@router.get("/solutions", response=list[DesignOut], summary="Solution designs you may see, newest first")
@paginate(Cursor, ordering=("-id",))
def design_list(request: AuthedRequest, opportunity_id: DbId | None = None) -> Any:
    qs = visible_designs(request.auth)
    if opportunity_id:
        qs = qs.filter(opportunity_id=opportunity_id)
    return qs


@router.post("/solutions", response={201: DesignOut}, summary="Start a solution design on an opportunity")
def design_add(request: AuthedRequest, payload: DesignIn, response: HttpResponse) -> Any:
    data = payload.dict(exclude_none=True)
    opportunity_id = data.pop("opportunity_id")
    design = services.design_create(actor=request.auth, opportunity_id=opportunity_id, data=data)
    set_etag(response, design)
    return Status(201, design)


@router.get("/solutions/{design_id}", response=DesignOut, summary="One solution design")
def design_detail(request: AuthedRequest, design_id: int, response: HttpResponse) -> Any:
    design = design_get_for_user(user=request.auth, design_id=design_id)
    if (unchanged := not_modified(request, design)) is not None:
        return unchanged
    set_etag(response, design)
    return design


@router.patch("/solutions/{design_id}", response=DesignOut, summary="Change a design (If-Match: its ETag)")
def design_patch(request: AuthedRequest, design_id: int, payload: DesignPatch, response: HttpResponse) -> Any:
    design = design_get_for_user(user=request.auth, design_id=design_id)
    design = services.design_update(
        actor=request.auth,
        design=design,
        data=payload.dict(exclude_unset=True),
        expected_version=expected_version(request, design),
    )
    set_etag(response, design)
    return design


# -- versions -------------------------------------------------------------------------------------


@router.get(
    "/solutions/{design_id}/versions", response=list[VersionOut], summary="Every version, newest first"
)
def version_list(request: AuthedRequest, design_id: int) -> Any:
    return list(design_versions(design_get_for_user(user=request.auth, design_id=design_id)))


@router.post(
    "/solutions/{design_id}/versions",
    response={201: VersionDetailOut},
    summary="Start the next version as a copy of the newest (which is frozen as superseded)",
)
def version_add(request: AuthedRequest, design_id: int) -> Any:
    design = design_get_for_user(user=request.auth, design_id=design_id)
    version = services.version_new(
        actor=request.auth, design=design, expected_version=expected_version(request, design)
    )
    return Status(201, _version_detail(version))


@router.get(VERSION_PATH, response=VersionDetailOut, summary="One version with its whole content")
def version_detail(request: AuthedRequest, design_id: int, version_number: int) -> Any:
    return _version_detail(_version(request, design_id, version_number))


@router.patch(VERSION_PATH, response=VersionDetailOut, summary="Change the draft's notes or assumptions")
def version_patch(request: AuthedRequest, design_id: int, version_number: int, payload: VersionPatch) -> Any:
    version = _version(request, design_id, version_number)
    version = services.version_update(
        actor=request.auth,
        version=version,
        data=payload.dict(exclude_unset=True),
        expected_version=expected_version(request, version),
    )
    return _version_detail(version)


@router.post(VERSION_PATH + "/finalise", response=VersionDetailOut, summary="Make the draft final (frozen)")
def version_finalise(request: AuthedRequest, design_id: int, version_number: int) -> Any:
    version = services.version_finalise(
        actor=request.auth, version=_version(request, design_id, version_number)
    )
    return _version_detail(version)


@router.put(
    VERSION_PATH + "/workload", response=VersionDetailOut, summary="Keep the capacity model's workload"
)
def version_workload(request: AuthedRequest, design_id: int, version_number: int, payload: WorkloadIn) -> Any:
    version = services.save_workload(
        request.auth, _version(request, design_id, version_number), payload.workload
    )
    return _version_detail(version)


@router.get(
    VERSION_PATH + "/checks",
    response=ChecksOut,
    summary="Feasibility checks (pass / warn / fail with reasons and numbers) and the practicality score",
)
def version_checks_view(
    request: AuthedRequest, design_id: int, version_number: int, fresh: bool = False
) -> Any:
    version = _version(request, design_id, version_number)
    if version.frozen and version.checks_result and not fresh:
        return {**version.checks_result, "computed": "when frozen"}
    return {**version_checks(version).as_dict(), "computed": "now"}


class SizingIn(InputSchema):
    workload: dict[str, Any] | None = Field(
        None, description="A workload to keep first (as PUT …/workload); omit it to size the one kept."
    )


class ReportJobRef(Schema):
    """A report being prepared: poll GET /api/jobs/{job_id}, then download its file."""

    job_id: int
    status: str


@router.post(
    VERSION_PATH + "/sizing",
    response=dict[str, Any],
    summary="Size the version: the cheapest configuration meeting the targets in every contract year",
    description=(
        "Keeps `workload` first when given, then sizes the version's components (and same-category "
        'alternatives) against the requirements\' targets and records the result. `"ok": false` with '
        "`error` when no configuration of the offered items meets them."
    ),
)
def version_sizing(
    request: AuthedRequest, design_id: int, version_number: int, payload: SizingIn | None = None
) -> Any:
    version = _version(request, design_id, version_number)
    workload = payload.workload if payload is not None else None
    return sizing_runs.version_size(actor=request.auth, version=version, workload=workload)


@router.get(
    VERSION_PATH + "/report.pdf",
    response={200: None, 202: ReportJobRef},
    summary="The feasibility report as PDF (large ones: 202 with a job whose file is the PDF)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def version_report(request: AuthedRequest, design_id: int, version_number: int) -> Any:
    version = _version(request, design_id, version_number)
    user: Any = request.auth
    prepared_by = user.get_full_name() or user.get_username()
    if report_tasks.report_needs_job(version):
        job = report_tasks.report_start(actor=user, version=version, prepared_by=prepared_by)
        return Status(202, {"job_id": job.pk, "status": job.status})
    feasibility = report.report_for_version(version, prepared_by=prepared_by)
    response = HttpResponse(report.render_pdf(feasibility), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.report_filename(feasibility)}"'
    return response


# -- components and services ------------------------------------------------------------------


def _component(request: AuthedRequest, design_id: int, version_number: int, component_id: int) -> Any:
    version = _version(request, design_id, version_number)
    return get_object_or_404(
        SolutionComponent.objects.select_related("solution_version"),
        solution_version=version,
        pk=component_id,
    )


@router.get(VERSION_PATH + "/components", response=list[ComponentOut], summary="The version's components")
def component_list(request: AuthedRequest, design_id: int, version_number: int) -> Any:
    return list(components_of(_version(request, design_id, version_number)))


@router.post(VERSION_PATH + "/components", response={201: ComponentOut}, summary="Add a catalog item")
def component_add(request: AuthedRequest, design_id: int, version_number: int, payload: ComponentIn) -> Any:
    version = _version(request, design_id, version_number)
    data = payload.dict(exclude_none=True)
    return Status(201, services.component_add(actor=request.auth, version=version, data=data))


@router.patch(
    VERSION_PATH + "/components/{component_id}", response=ComponentOut, summary="Change a component"
)
def component_patch(
    request: AuthedRequest, design_id: int, version_number: int, component_id: int, payload: ComponentPatch
) -> Any:
    component = _component(request, design_id, version_number, component_id)
    return services.component_update(
        actor=request.auth,
        component=component,
        data=payload.dict(exclude_unset=True),
        expected_version=expected_version(request, component),
    )


@router.delete(
    VERSION_PATH + "/components/{component_id}", response={204: None}, summary="Remove a component"
)
def component_remove(request: AuthedRequest, design_id: int, version_number: int, component_id: int) -> Any:
    services.component_remove(
        actor=request.auth, component=_component(request, design_id, version_number, component_id)
    )
    return Status(204, None)


def _service_line(request: AuthedRequest, design_id: int, version_number: int, service_line_id: int) -> Any:
    version = _version(request, design_id, version_number)
    return get_object_or_404(
        SolutionServiceLine.objects.select_related("solution_version"),
        solution_version=version,
        pk=service_line_id,
    )


@router.get(VERSION_PATH + "/services", response=list[ServiceLineOut], summary="The version's services")
def service_line_list(request: AuthedRequest, design_id: int, version_number: int) -> Any:
    return list(service_lines_of(_version(request, design_id, version_number)))


@router.post(VERSION_PATH + "/services", response={201: ServiceLineOut}, summary="Add a service")
def service_line_add(
    request: AuthedRequest, design_id: int, version_number: int, payload: ServiceLineIn
) -> Any:
    version = _version(request, design_id, version_number)
    data = payload.dict(exclude_none=True)
    line = services.service_line_add(actor=request.auth, version=version, data=data)
    return Status(201, service_lines_of(version).get(pk=line.pk))  # stored values (2.50, not 2.5)


@router.patch(
    VERSION_PATH + "/services/{service_line_id}", response=ServiceLineOut, summary="Change a service"
)
def service_line_patch(
    request: AuthedRequest,
    design_id: int,
    version_number: int,
    service_line_id: int,
    payload: ServiceLinePatch,
) -> Any:
    line = _service_line(request, design_id, version_number, service_line_id)
    line = services.service_line_update(
        actor=request.auth,
        line=line,
        data=payload.dict(exclude_unset=True),
        expected_version=expected_version(request, line),
    )
    return service_lines_of(line.solution_version).get(pk=line.pk)


@router.delete(VERSION_PATH + "/services/{service_line_id}", response={204: None}, summary="Remove a service")
def service_line_remove(
    request: AuthedRequest, design_id: int, version_number: int, service_line_id: int
) -> Any:
    services.service_line_remove(
        actor=request.auth, line=_service_line(request, design_id, version_number, service_line_id)
    )
    return Status(204, None)


# -- fit-gap ------------------------------------------------------------------------------------


@router.get(VERSION_PATH + "/fit-gap", response=FitGapOut, summary="The fit-gap matrix: every requirement")
def fit_gap(request: AuthedRequest, design_id: int, version_number: int) -> Any:
    return _fit_gap(_version(request, design_id, version_number))


@router.put(
    VERSION_PATH + "/fit-gap/{requirement_id}",
    response=FitGapRowOut,
    summary="Say how the draft meets one requirement (coverage, components, note)",
)
def fit_gap_set(
    request: AuthedRequest, design_id: int, version_number: int, requirement_id: int, payload: FitGapIn
) -> Any:
    version = _version(request, design_id, version_number)
    services.fit_gap_set(
        actor=request.auth,
        version=version,
        requirement_id=requirement_id,
        coverage=payload.coverage,
        component_ids=list(payload.component_ids),
        note=payload.note,
    )
    row = next(r for r in _fit_gap(version)["rows"] if r["requirement_id"] == requirement_id)
    return row


@router.delete(
    VERSION_PATH + "/fit-gap/{requirement_id}",
    response={204: None},
    summary="Clear a requirement's assessment",
)
def fit_gap_clear(request: AuthedRequest, design_id: int, version_number: int, requirement_id: int) -> Any:
    from .models import FitGapEntry

    version = _version(request, design_id, version_number)
    entry = get_object_or_404(
        FitGapEntry.objects.select_related("solution_version"),
        solution_version=version,
        requirement_id=requirement_id,
    )
    services.fit_gap_clear(actor=request.auth, entry=entry)
    return Status(204, None)


# -- product gaps --------------------------------------------------------------------------------


@router.get(
    "/product-gaps", response=list[ProductGapOut], summary="Product gaps raised from solution designs"
)
@paginate(Cursor, ordering=("-id",))
def product_gap_list(request: AuthedRequest, status: str = "", design_id: DbId | None = None) -> Any:
    qs = visible_product_gaps(request.auth).select_related("decided_by")
    if status:
        qs = qs.filter(status=status)
    if design_id:
        qs = qs.filter(design_id=design_id)
    return qs


@router.post(
    VERSION_PATH + "/product-gaps",
    response={201: ProductGapOut},
    summary="Raise a product gap from a requirement assessed as a gap",
)
def product_gap_raise(
    request: AuthedRequest, design_id: int, version_number: int, payload: ProductGapIn
) -> Any:
    version = _version(request, design_id, version_number)
    gap = services.product_gap_raise(
        actor=request.auth,
        version=version,
        requirement_id=payload.requirement_id,
        description=payload.description,
        product_id=payload.product_id,
        revenue_at_stake=payload.revenue_at_stake,
    )
    return Status(201, product_gap_get_for_user(user=request.auth, gap_id=gap.pk))


@router.get("/product-gaps/{gap_id}", response=ProductGapOut, summary="One product gap")
def product_gap_detail(request: AuthedRequest, gap_id: int) -> Any:
    return product_gap_get_for_user(user=request.auth, gap_id=gap_id)


@router.post(
    "/product-gaps/{gap_id}/decision",
    response=ProductGapOut,
    summary="Decide on a product gap (level 6): accepted, planned or declined",
)
def product_gap_decide(request: AuthedRequest, gap_id: int, payload: ProductGapDecisionIn) -> Any:
    gap = product_gap_get_for_user(user=request.auth, gap_id=gap_id)
    services.product_gap_decide(actor=request.auth, gap=gap, status=payload.status, note=payload.note)
    return product_gap_get_for_user(user=request.auth, gap_id=gap_id)
