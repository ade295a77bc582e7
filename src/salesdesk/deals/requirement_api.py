"""API for requirements, clarification questions, baselines, documents and sign-off. Thin."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from ninja import File, Form, Router, Status, UploadedFile
from ninja.pagination import paginate

from salesdesk.core.api import AuthedRequest, Cursor, expected_version, set_etag
from salesdesk.core.api_routes import JobOut
from salesdesk.core.errors import ApplicationError

from . import requirement_io
from . import requirement_services as services
from .choices import QuestionStatus
from .requirement_diff import diff_requirements
from .requirement_documents import DOCUMENT_TYPES, baseline_document, document_filename
from .requirement_schemas import (
    RequirementAnswerIn,
    RequirementBaselineDetailOut,
    RequirementBaselineIn,
    RequirementBaselineOut,
    RequirementDocumentJobIn,
    RequirementImportReportOut,
    RequirementIn,
    RequirementOut,
    RequirementPatch,
    RequirementQuestionIn,
    RequirementQuestionOut,
    RequirementSetOut,
    RequirementShareIn,
    RequirementSignoffIn,
)
from .requirement_tasks import requirement_document_start, requirement_import_start
from .selectors import (
    baseline_get_for_user,
    baseline_previous,
    question_get_for_user,
    requirement_get_for_user,
    requirement_set_for_opportunity,
    requirements_of,
    visible_baselines,
)

router = Router(tags=["requirements"])


def _data(payload: Any, **options: bool) -> dict[str, Any]:
    return {k: getattr(v, "value", v) for k, v in payload.dict(**options).items()}


@router.get(
    "/opportunities/{opportunity_id}/requirements",
    response=RequirementSetOut,
    summary="The requirement set (the draft) with its questions and changes since the last version",
)
def requirement_set_detail(request: AuthedRequest, opportunity_id: int) -> Any:
    opportunity, requirement_set = requirement_set_for_opportunity(
        user=request.auth, opportunity_id=opportunity_id
    )
    requirements = list(requirements_of(requirement_set))
    latest = requirement_set.baselines.order_by("-number").first() if requirement_set else None
    changes = (
        diff_requirements(latest.requirements, [r.as_content() for r in requirements]).as_dict()
        if latest
        else None
    )
    return {
        "opportunity_id": opportunity.pk,
        "title": requirement_set.title if requirement_set else "Requirements",
        "requirements": requirements,
        "open_questions": sum(
            1 for r in requirements for q in r.questions.all() if q.status == QuestionStatus.OPEN
        ),
        "latest_version": latest.number if latest else None,
        "changes_since_latest": changes,
    }


@router.post(
    "/opportunities/{opportunity_id}/requirements",
    response={201: RequirementOut},
    summary="Capture a requirement (level 3)",
)
def requirement_add(request: AuthedRequest, opportunity_id: int, payload: RequirementIn) -> Any:
    opportunity, _set = requirement_set_for_opportunity(user=request.auth, opportunity_id=opportunity_id)
    data = _data(payload)
    if not data.get("reference"):
        data.pop("reference")
    return Status(201, services.requirement_add(actor=request.auth, opportunity=opportunity, data=data))


@router.post(
    "/opportunities/{opportunity_id}/requirements/import",
    response={200: RequirementImportReportOut, 400: RequirementImportReportOut},
    summary="Import requirements from CSV, XLSX or DOCX; nothing is imported when a row is bad",
)
def requirement_import(
    request: AuthedRequest,
    opportunity_id: int,
    file: UploadedFile | None = File(None),  # noqa: B008
    skip_bad_rows: Form[bool] = False,
) -> Any:
    # The record first: someone else's opportunity is a 404 whatever the body holds.
    opportunity, _set = requirement_set_for_opportunity(user=request.auth, opportunity_id=opportunity_id)
    if file is None:
        raise ApplicationError("file", "is required: send a CSV, XLSX or DOCX file as multipart form data")
    if (file.size or 0) > requirement_io.MAX_FILE_BYTES:
        raise ApplicationError("file", f"is larger than {requirement_io.MAX_FILE_BYTES // (1024 * 1024)} MB")
    report = requirement_io.import_bytes(
        file.read(),
        name=file.name or "",
        actor=request.auth,
        opportunity=opportunity,
        skip_bad_rows=skip_bad_rows,
    )
    body = report.as_dict()
    if report.imported:
        body["detail"] = f"Imported {report.created} requirement(s)."
    else:
        body["detail"] = (
            f"Nothing imported: {len(report.problems)} problem(s); fix them or set skip_bad_rows."
        )
    body["errors"] = [{"field": f"{p.where}.{p.column}", "message": p.problem} for p in report.problems]
    return Status(200 if report.imported else 400, body)


@router.post(
    "/opportunities/{opportunity_id}/requirements/import-jobs",
    response={202: JobOut},
    tags=["requirements", "jobs"],
    summary="Import requirements from CSV, XLSX or DOCX in the background; follow GET /api/jobs/{job_id}",
    description=(
        "The file is checked at once (format, size, hostile archives, header): a refused file is a "
        "400 naming `file`. Otherwise the answer is 202 with the job; poll `GET /api/jobs/{job_id}` "
        "for `status`, `progress` (0–100) and `message`. When it succeeded, `result` is the import "
        "report (rows, created, skipped, references, problems); when it failed, `error` names the "
        "rows and columns at fault and nothing was imported."
    ),
)
def requirement_import_job(
    request: AuthedRequest,
    opportunity_id: int,
    file: UploadedFile | None = File(None),  # noqa: B008
    skip_bad_rows: Form[bool] = False,
) -> Any:
    opportunity, _set = requirement_set_for_opportunity(user=request.auth, opportunity_id=opportunity_id)
    if file is None:
        raise ApplicationError("file", "is required: send a CSV, XLSX or DOCX file as multipart form data")
    if (file.size or 0) > requirement_io.MAX_FILE_BYTES:
        raise ApplicationError("file", f"is larger than {requirement_io.MAX_FILE_BYTES // (1024 * 1024)} MB")
    return Status(
        202,
        requirement_import_start(
            actor=request.auth,
            opportunity=opportunity,
            filename=file.name or "",
            content=file.read(),
            skip_bad_rows=skip_bad_rows,
        ),
    )


@router.patch(
    "/requirements/{requirement_id}",
    response=RequirementOut,
    summary="Change a requirement of the draft; send If-Match with its ETag",
)
def requirement_patch(
    request: AuthedRequest, requirement_id: int, payload: RequirementPatch, response: HttpResponse
) -> Any:
    requirement = requirement_get_for_user(user=request.auth, requirement_id=requirement_id)
    requirement = services.requirement_update(
        actor=request.auth,
        requirement=requirement,
        data=_data(payload, exclude_unset=True),
        expected_version=expected_version(request, requirement),
    )
    set_etag(response, requirement)
    return requirement


@router.delete(
    "/requirements/{requirement_id}", response={204: None}, summary="Remove a requirement from the draft"
)
def requirement_delete(request: AuthedRequest, requirement_id: int) -> Any:
    requirement = requirement_get_for_user(user=request.auth, requirement_id=requirement_id)
    services.requirement_remove(actor=request.auth, requirement=requirement)
    return Status(204, None)


@router.post(
    "/requirements/{requirement_id}/questions",
    response={201: RequirementQuestionOut},
    summary="Ask the customer's contact an open question; it blocks baselining until answered",
)
def question_raise(request: AuthedRequest, requirement_id: int, payload: RequirementQuestionIn) -> Any:
    requirement = requirement_get_for_user(user=request.auth, requirement_id=requirement_id)
    return Status(
        201,
        services.question_raise(
            actor=request.auth, requirement=requirement, text=payload.text, contact_id=payload.contact_id
        ),
    )


@router.post(
    "/requirement-questions/{question_id}/answer",
    response=RequirementQuestionOut,
    summary="Answer a question (customer, in the portal) or log the answer heard (staff)",
)
def question_answer(request: AuthedRequest, question_id: int, payload: RequirementAnswerIn) -> Any:
    question = question_get_for_user(user=request.auth, question_id=question_id)
    return services.question_answer(
        actor=request.auth,
        question=question,
        answer=payload.answer,
        decision=payload.decision,
        channel=payload.channel.value if payload.channel else "",
    )


@router.get(
    "/requirement-baselines",
    response=list[RequirementBaselineOut],
    summary="Requirement documents you may see (a customer: those shared with them)",
)
@paginate(Cursor, ordering=("-id",))
def baseline_list(request: AuthedRequest) -> Any:
    return visible_baselines(request.auth)


@router.post(
    "/opportunities/{opportunity_id}/requirement-baselines",
    response={201: RequirementBaselineOut},
    summary="Baseline the draft as the next version (refused while a question is open)",
)
def baseline_create(request: AuthedRequest, opportunity_id: int, payload: RequirementBaselineIn) -> Any:
    opportunity, _set = requirement_set_for_opportunity(user=request.auth, opportunity_id=opportunity_id)
    return Status(
        201, services.baseline_create(actor=request.auth, opportunity=opportunity, note=payload.note)
    )


def _detail(baseline: Any) -> Any:
    previous = baseline_previous(baseline)
    baseline.changes = (
        diff_requirements(previous.requirements, baseline.requirements).as_dict() | {"since": previous.number}
        if previous
        else None
    )
    return baseline


@router.get(
    "/requirement-baselines/{baseline_id}",
    response=RequirementBaselineDetailOut,
    summary="One version: its requirements and what changed since the previous version",
)
def baseline_detail(request: AuthedRequest, baseline_id: int) -> Any:
    return _detail(baseline_get_for_user(user=request.auth, baseline_id=baseline_id))


@router.get(
    "/requirement-baselines/{baseline_id}/document",
    summary="The requirements document of a version, as PDF (default) or DOCX (?format=docx)",
    response={200: None},
)
def baseline_document_download(request: AuthedRequest, baseline_id: int, format: str = "pdf") -> HttpResponse:
    baseline = baseline_get_for_user(user=request.auth, baseline_id=baseline_id)
    if format not in DOCUMENT_TYPES:
        raise ApplicationError("format", "must be pdf or docx")
    content = baseline_document(baseline, format, baseline_previous(baseline))
    response = HttpResponse(content, content_type=DOCUMENT_TYPES[format])
    response["Content-Disposition"] = f'attachment; filename="{document_filename(baseline, format)}"'
    return response


@router.post(
    "/requirement-baselines/{baseline_id}/document-jobs",
    response={202: JobOut},
    tags=["requirements", "jobs"],
    summary="Render a version's document in the background; download it from the job's result_url",
    description=(
        "For large versions (the GET …/document answers in the request). Poll `GET /api/jobs/{job_id}`; "
        "when `status` is `succeeded`, `result_url` downloads the PDF or DOCX."
    ),
)
def baseline_document_job(request: AuthedRequest, baseline_id: int, payload: RequirementDocumentJobIn) -> Any:
    baseline = baseline_get_for_user(user=request.auth, baseline_id=baseline_id)
    return Status(
        202,
        requirement_document_start(
            actor=request.auth,
            baseline=baseline,
            fmt=payload.format.value,
            previous=baseline_previous(baseline),
        ),
    )


@router.post(
    "/requirement-baselines/{baseline_id}/share",
    response=RequirementBaselineOut,
    summary="Share a version with the customer's contact (level 3)",
)
def baseline_share(request: AuthedRequest, baseline_id: int, payload: RequirementShareIn) -> Any:
    baseline = baseline_get_for_user(user=request.auth, baseline_id=baseline_id)
    return services.baseline_share(actor=request.auth, baseline=baseline, contact_id=payload.contact_id)


@router.post(
    "/requirement-baselines/{baseline_id}/signoff",
    response=RequirementBaselineOut,
    summary="Sign off a version shared with you (customer users; once)",
)
def baseline_signoff(request: AuthedRequest, baseline_id: int, payload: RequirementSignoffIn) -> Any:
    baseline = baseline_get_for_user(user=request.auth, baseline_id=baseline_id)
    return services.baseline_signoff(actor=request.auth, baseline=baseline, name=payload.name)
