"""API for estimates: CRUD of the estimate and its rows, simulation, plan, review, versions, exports.

Thin: selectors read, services write. An estimate another user may not see is a 404.
"""

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import paginate

from salesdesk.core.api import AuthedRequest, Cursor, DbId, expected_version, not_modified, set_etag
from salesdesk.core.errors import ApplicationError
from salesdesk.core.models import Job
from salesdesk.core.permissions import require

from . import io, planning, services
from .models import Estimate, EstimateRisk, EstimateTask, NonLabourItem, RateCardLine
from .schemas import (
    ActualIn,
    ActualOut,
    CalibrationOut,
    DiffOut,
    EstimateDetailOut,
    EstimateIn,
    EstimateOut,
    EstimatePatch,
    ItemIn,
    ItemOut,
    ItemPatch,
    JobRef,
    RateIn,
    RateOut,
    RatePatch,
    ReviewIn,
    RiskIn,
    RiskOut,
    RiskPatch,
    SimulationIn,
    TaskIn,
    TaskOut,
    TaskPatch,
    VersionDetailOut,
    VersionOut,
)
from .selectors import (
    calibration_for,
    estimate_get_for_user,
    estimate_versions,
    version_get,
    visible_actuals,
    visible_estimates,
)

router = Router(tags=["estimates"])


def _estimate(request: AuthedRequest, estimate_id: int) -> Estimate:
    return estimate_get_for_user(user=request.auth, estimate_id=estimate_id)


def _detail(estimate: Estimate) -> dict[str, Any]:
    version = services.current_version(estimate)
    return {
        **{f: getattr(estimate, f) for f in EstimateOut.model_fields if hasattr(estimate, f)},
        "opportunity": estimate.opportunity,
        "owner": estimate.owner,
        "usable_in_proposal": services.estimate_usable_in_proposal(estimate),
        "tasks": list(estimate.tasks.all()),
        "rates": list(estimate.rates.all()),
        "items": list(estimate.items.all()),
        "risks": list(estimate.risks.all()),
        "result": version.result,
    }


@router.get("/estimates", response=list[EstimateOut], summary="Estimates you may see, newest first")
@paginate(Cursor, ordering=("-id",))
def estimate_list(request: AuthedRequest, opportunity_id: DbId | None = None, status: str = "") -> Any:
    qs = visible_estimates(request.auth)
    if opportunity_id:
        qs = qs.filter(opportunity_id=opportunity_id)
    if status:
        qs = qs.filter(status=status)
    return qs


@router.post("/estimates", response={201: EstimateDetailOut}, summary="Start an estimate on an opportunity")
def estimate_add(request: AuthedRequest, payload: EstimateIn, response: HttpResponse) -> Any:
    data = payload.dict(exclude_none=True)
    opportunity_id = data.pop("opportunity_id")
    estimate = services.estimate_create(actor=request.auth, opportunity_id=opportunity_id, data=data)
    set_etag(response, estimate)
    return Status(201, _detail(estimate))


@router.get("/estimates/{estimate_id}", response=EstimateDetailOut, summary="One estimate with all its rows")
def estimate_detail(request: AuthedRequest, estimate_id: int, response: HttpResponse) -> Any:
    estimate = _estimate(request, estimate_id)
    if (unchanged := not_modified(request, estimate)) is not None:
        return unchanged
    set_etag(response, estimate)
    return _detail(estimate)


@router.patch(
    "/estimates/{estimate_id}", response=EstimateDetailOut, summary="Change an estimate (If-Match: its ETag)"
)
def estimate_patch(
    request: AuthedRequest, estimate_id: int, payload: EstimatePatch, response: HttpResponse
) -> Any:
    estimate = _estimate(request, estimate_id)
    estimate = services.estimate_update(
        actor=request.auth,
        estimate=estimate,
        data=payload.dict(exclude_unset=True),
        expected_version=expected_version(request, estimate),
    )
    set_etag(response, estimate)
    return _detail(estimate)


# -- rows: tasks, rates, non-labour items, risks -------------------------------------------------


def _line_routes(
    kind: str, param: str, model: Any, schema_in: Any, schema_patch: Any, schema_out: Any
) -> None:
    """List, add, change and remove one kind of row; ``param`` names the row's id in the path."""

    def line_of(request: AuthedRequest, estimate_id: int, line_id: int) -> Any:
        estimate = _estimate(request, estimate_id)
        return get_object_or_404(model.objects.select_related("estimate"), estimate=estimate, pk=line_id)

    def rows(request: AuthedRequest, estimate_id: int) -> Any:
        return list(model.objects.filter(estimate=_estimate(request, estimate_id)))

    def add(request: AuthedRequest, estimate_id: int, payload: Any) -> Any:
        estimate = _estimate(request, estimate_id)
        line = services.line_add(
            actor=request.auth, estimate=estimate, model=model, data=_data(payload.dict(exclude_none=True))
        )
        return Status(201, line)

    def change(request: AuthedRequest, estimate_id: int, payload: Any, **ids: int) -> Any:
        line = line_of(request, estimate_id, ids[param])
        return services.line_update(
            actor=request.auth,
            line=line,
            data=_data(payload.dict(exclude_unset=True)),
            expected_version=expected_version(request, line),
        )

    def remove(request: AuthedRequest, estimate_id: int, **ids: int) -> Any:
        services.line_remove(actor=request.auth, line=line_of(request, estimate_id, ids[param]))
        return Status(204, None)

    singular = kind.rstrip("s")
    rows.__name__ = f"estimate_{kind}_list"
    add.__name__ = f"estimate_{singular}_add"
    change.__name__ = f"estimate_{singular}_patch"
    remove.__name__ = f"estimate_{singular}_remove"
    rows.__annotations__ = {"request": AuthedRequest, "estimate_id": int}
    add.__annotations__ = {"request": AuthedRequest, "estimate_id": int, "payload": schema_in}
    change.__signature__ = _signature(param, schema_patch)  # type: ignore[attr-defined]
    remove.__signature__ = _signature(param, None)  # type: ignore[attr-defined]
    router.get(
        f"/estimates/{{estimate_id}}/{kind}", response=list[schema_out], summary=f"The estimate's {kind}"
    )(rows)
    router.post(
        f"/estimates/{{estimate_id}}/{kind}", response={201: schema_out}, summary=f"Add to the {kind}"
    )(add)
    router.patch(
        f"/estimates/{{estimate_id}}/{kind}/{{{param}}}",
        response=schema_out,
        summary=f"Change one of the {kind}",
    )(change)
    router.delete(
        f"/estimates/{{estimate_id}}/{kind}/{{{param}}}",
        response={204: None},
        summary=f"Remove one of the {kind}",
    )(remove)


def _signature(param: str, schema: Any) -> Any:
    import inspect

    parameters = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=AuthedRequest),
        inspect.Parameter("estimate_id", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=int),
        inspect.Parameter(param, inspect.Parameter.KEYWORD_ONLY, annotation=int),
    ]
    if schema is not None:
        parameters.append(inspect.Parameter("payload", inspect.Parameter.KEYWORD_ONLY, annotation=schema))
    return inspect.Signature(parameters)


def _data(data: dict[str, Any]) -> dict[str, Any]:
    return data


_line_routes("tasks", "task_id", EstimateTask, TaskIn, TaskPatch, TaskOut)
_line_routes("rates", "rate_id", RateCardLine, RateIn, RatePatch, RateOut)
_line_routes("items", "item_id", NonLabourItem, ItemIn, ItemPatch, ItemOut)
_line_routes("risks", "risk_id", EstimateRisk, RiskIn, RiskPatch, RiskOut)


# -- simulation and plan ------------------------------------------------------------------------


@router.post(
    "/estimates/{estimate_id}/simulation",
    response={200: dict[str, Any], 202: JobRef},
    summary="Run Monte Carlo: small runs answer with the summary, large ones with a job (202)",
)
def estimate_simulation(request: AuthedRequest, estimate_id: int, payload: SimulationIn) -> Any:
    estimate = _estimate(request, estimate_id)
    outcome = services.estimate_simulate(
        actor=request.auth, estimate=estimate, iterations=payload.iterations, seed=payload.seed
    )
    if isinstance(outcome, Job):
        return Status(202, {"job_id": outcome.pk, "status": outcome.status})
    return Status(200, outcome)


@router.get(
    "/estimates/{estimate_id}/plan",
    response=dict[str, Any],
    summary="The critical-path schedule of the most-likely plan, with dates and over-allocation warnings",
)
def estimate_plan(request: AuthedRequest, estimate_id: int) -> Any:
    return planning.schedule_of(_estimate(request, estimate_id))


@router.get(
    "/estimates/{estimate_id}/export",
    response={200: None},
    summary="Download the plan: format=csv, xlsx or mspdi (MS Project XML)",
)
def estimate_export(request: AuthedRequest, estimate_id: int, format: str = "csv") -> Any:
    estimate = _estimate(request, estimate_id)
    if format not in io.EXPORTS:
        raise ApplicationError("format", "must be csv, xlsx or mspdi")
    build, content_type, extension = io.EXPORTS[format]
    response = HttpResponse(build(estimate), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="estimate-{estimate.pk}-plan.{extension}"'
    return response


# -- review workflow ----------------------------------------------------------------------------


@router.post("/estimates/{estimate_id}/submit", response=VersionOut, summary="Submit the draft for review")
def estimate_submit(request: AuthedRequest, estimate_id: int) -> Any:
    estimate = _estimate(request, estimate_id)
    return services.estimate_submit(
        actor=request.auth, estimate=estimate, expected_version=expected_version(request, estimate)
    )


@router.post(
    "/estimates/{estimate_id}/sign-off", response=VersionOut, summary="Sign off the submitted version"
)
def estimate_sign_off(request: AuthedRequest, estimate_id: int, payload: ReviewIn) -> Any:
    estimate = _estimate(request, estimate_id)
    return services.estimate_sign_off(
        actor=request.auth,
        estimate=estimate,
        comments=payload.comments,
        expected_version=expected_version(request, estimate),
    )


@router.post(
    "/estimates/{estimate_id}/return",
    response=VersionOut,
    summary="Return the submitted version with comments",
)
def estimate_return(request: AuthedRequest, estimate_id: int, payload: ReviewIn) -> Any:
    estimate = _estimate(request, estimate_id)
    return services.estimate_return(
        actor=request.auth,
        estimate=estimate,
        comments=payload.comments,
        expected_version=expected_version(request, estimate),
    )


@router.post(
    "/estimates/{estimate_id}/revise",
    response=VersionOut,
    summary="Start a new draft version of a frozen estimate",
)
def estimate_revise(request: AuthedRequest, estimate_id: int) -> Any:
    estimate = _estimate(request, estimate_id)
    return services.estimate_revise(
        actor=request.auth, estimate=estimate, expected_version=expected_version(request, estimate)
    )


@router.get(
    "/estimates/{estimate_id}/versions", response=list[VersionOut], summary="Every version, newest first"
)
def estimate_version_list(request: AuthedRequest, estimate_id: int) -> Any:
    return list(estimate_versions(estimate=_estimate(request, estimate_id)))


@router.get(
    "/estimates/{estimate_id}/versions/{version_number}",
    response=VersionDetailOut,
    summary="One version with its whole content (the snapshot, or the live draft)",
)
def estimate_version_detail(request: AuthedRequest, estimate_id: int, version_number: int) -> Any:
    version = version_get(estimate=_estimate(request, estimate_id), number=version_number)
    version.content = services.version_content(version)  # type: ignore[attr-defined]
    return version


@router.get(
    "/estimates/{estimate_id}/diff",
    response=DiffOut,
    summary="What changed between two versions (default: the previous and the current one)",
)
def estimate_diff(
    request: AuthedRequest, estimate_id: int, from_version: int | None = None, to_version: int | None = None
) -> Any:
    estimate = _estimate(request, estimate_id)
    to_number = to_version or estimate.current_version
    from_number = from_version or max(to_number - 1, 1)
    old = version_get(estimate=estimate, number=from_number)
    new = version_get(estimate=estimate, number=to_number)
    changes = services.versions_diff(services.version_content(old), services.version_content(new))
    return {"from_version": from_number, "to_version": to_number, "changes": changes}


# -- calibration --------------------------------------------------------------------------------


@router.get("/estimate-actuals", response=list[ActualOut], summary="Project actuals recorded for calibration")
@paginate(Cursor, ordering=("-id",))
def actual_list(request: AuthedRequest) -> Any:
    require(request.auth, "estimate.edit")
    return visible_actuals(request.auth)


@router.post(
    "/estimate-actuals", response={201: ActualOut}, summary="Record what a finished task really took"
)
def actual_add(request: AuthedRequest, payload: ActualIn) -> Any:
    return Status(201, services.actual_record(actor=request.auth, data=payload.dict()))


@router.get(
    "/estimate-calibration",
    response=CalibrationOut,
    summary="Bias, MMRE and PRED(25) by role and task type, with the suggested factor",
)
def calibration(request: AuthedRequest) -> Any:
    require(request.auth, "estimate.edit")
    report = calibration_for(request.auth)
    return {
        "overall": report.overall.as_dict() if report.overall else None,
        "by_role": {k: v.as_dict() for k, v in report.by_role.items()},
        "by_task_type": {k: v.as_dict() for k, v in report.by_task_type.items()},
    }
