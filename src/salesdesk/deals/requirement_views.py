"""Pages for requirements: the workshop workbench, documents, sharing and the customer's sign-off.

Every page finds its record through a selector first (someone else's is a 404), then the
service checks the capability and the rules. Forms post and redirect back (htmx boosts
them, so the page keeps its place); a refused action shows its reason as a message.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesdesk.core.errors import ApplicationError
from salesdesk.core.jobs import visible_jobs
from salesdesk.core.models import Job
from salesdesk.core.permissions import holds, require
from salesdesk.core.roles import UserKind

from . import requirement_io
from . import requirement_services as services
from .choices import QuestionStatus
from .requirement_diff import diff_requirements
from .requirement_documents import DOCUMENT_TYPES, baseline_document, document_filename
from .requirement_forms import (
    AnswerForm,
    BaselineForm,
    ImportForm,
    QuestionForm,
    RequirementForm,
    ShareForm,
    SignoffForm,
)
from .requirement_tasks import (
    INLINE_IMPORT_ROWS,
    document_needs_job,
    requirement_document_start,
    requirement_import_upload,
)
from .selectors import (
    baseline_get_for_user,
    baseline_previous,
    question_get_for_user,
    requirement_get_for_user,
    requirement_set_for_opportunity,
    requirements_of,
    visible_baselines,
    visible_questions,
)


def _workbench_url(opportunity_id: int, anchor: str = "") -> str:
    url = reverse("web:requirement_workbench", kwargs={"opportunity_id": opportunity_id})
    return f"{url}#{anchor}" if anchor else url


def _error_message(request: HttpRequest, exc: ApplicationError) -> None:
    messages.error(request, exc.as_line())


@login_required
@require_http_methods(["GET", "POST"])
def requirement_workbench(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """The Requirements tab of an opportunity: capture, questions, versions, documents."""
    opportunity, requirement_set = requirement_set_for_opportunity(
        user=request.user, opportunity_id=opportunity_id
    )
    can_manage = holds(request.user, "requirement.manage")
    form = RequirementForm(request.POST or None) if can_manage else None
    status = 200
    if request.method == "POST":
        require(request.user, "requirement.manage")
        assert form is not None
        if form.is_valid():
            try:
                requirement = services.requirement_add(
                    actor=request.user, opportunity=opportunity, data=form.service_data()
                )
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, f"{requirement.reference} added.")
                return redirect(_workbench_url(opportunity.pk, "capture"))
        status = 400
    requirements = list(requirements_of(requirement_set))
    baselines = (
        list(requirement_set.baselines.select_related("shared_with").order_by("-number"))
        if requirement_set
        else []
    )
    latest = baselines[0] if baselines else None
    changes = (
        diff_requirements(latest.requirements, [r.as_content() for r in requirements]) if latest else None
    )
    open_questions = [q for r in requirements for q in r.questions.all() if q.status == QuestionStatus.OPEN]
    account_id = opportunity.account_id
    context: dict[str, Any] = {
        "opportunity": opportunity,
        "requirements": requirements,
        "baselines": baselines,
        "latest": latest,
        "changes": changes,
        "open_questions": open_questions,
        "form": form,
        "can_manage": can_manage,
        "can_baseline": holds(request.user, "requirement.baseline"),
        "import_form": ImportForm() if can_manage else None,
        "question_form": QuestionForm(account_id=account_id) if can_manage else None,
        "answer_form": AnswerForm() if can_manage else None,
        "baseline_form": BaselineForm(),
        "share_form": ShareForm(account_id=account_id),
        "import_job": _import_job(request, opportunity.pk, request.GET.get("import_job")),
        "inline_import_rows": INLINE_IMPORT_ROWS,
    }
    return render(request, "deals/requirements.html", context, status=status)


@login_required
@require_POST
def requirement_import(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """Import a file: a small one at once (messages), a large one as a job with a progress bar."""
    opportunity, _set = requirement_set_for_opportunity(user=request.user, opportunity_id=opportunity_id)
    require(request.user, "requirement.manage")
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a CSV, XLSX or DOCX file to import.")
        return redirect(_workbench_url(opportunity.pk, "import"))
    upload = form.cleaned_data["file"]
    try:
        if upload.size > requirement_io.MAX_FILE_BYTES:
            raise ApplicationError(
                "file", f"is larger than {requirement_io.MAX_FILE_BYTES // (1024 * 1024)} MB"
            )
        outcome = requirement_import_upload(
            actor=request.user,
            opportunity=opportunity,
            filename=upload.name,
            content=upload.read(),
            skip_bad_rows=form.cleaned_data["skip_bad_rows"],
        )
    except ApplicationError as exc:
        messages.error(request, f"{upload.name} {exc.errors[0].message if exc.errors else exc.detail}")
        return redirect(_workbench_url(opportunity.pk, "import"))
    if isinstance(outcome, Job):
        url = reverse("web:requirement_workbench", kwargs={"opportunity_id": opportunity.pk})
        return redirect(f"{url}?{urlencode({'import_job': outcome.pk})}#import")
    report = outcome
    if report.imported:
        skipped = f"; skipped {report.skipped} bad row(s)" if report.skipped else ""
        messages.success(request, f"Imported {report.created} requirement(s) from {upload.name}{skipped}.")
        for problem in report.problems[:20]:
            messages.warning(request, str(problem))
    else:
        messages.error(request, f"Nothing imported from {upload.name}: {len(report.problems)} problem(s).")
        for problem in report.problems[:20]:
            messages.error(request, str(problem))
    return redirect(_workbench_url(opportunity.pk, "import"))


def _import_job(request: HttpRequest, opportunity_id: int, job_id: Any) -> Job | None:
    """The person's own import job into this opportunity (None for anything else)."""
    try:
        job_id = int(job_id)
    except (TypeError, ValueError):
        return None
    return (
        visible_jobs(request.user)
        .filter(pk=job_id, created_by_id=request.user.pk, kind="requirements.import")
        .filter(params__opportunity_id=opportunity_id)
        .first()
    )


@never_cache
@login_required
@require_GET
def requirement_import_progress(request: HttpRequest, opportunity_id: int, job_id: int) -> HttpResponse:
    """The import's progress block alone; it polls itself every second until the job has finished."""
    opportunity, _set = requirement_set_for_opportunity(user=request.user, opportunity_id=opportunity_id)
    job = _import_job(request, opportunity.pk, job_id)
    if job is None:
        raise Http404("No such import.")
    return render(request, "deals/requirements/_import_job.html", {"job": job, "opportunity": opportunity})


@login_required
@require_POST
def requirement_baseline(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opportunity, _set = requirement_set_for_opportunity(user=request.user, opportunity_id=opportunity_id)
    require(request.user, "requirement.baseline")
    form = BaselineForm(request.POST)
    form.is_valid()
    try:
        baseline = services.baseline_create(
            actor=request.user, opportunity=opportunity, note=form.cleaned_data.get("note", "")
        )
    except ApplicationError as exc:
        _error_message(request, exc)
        return redirect(_workbench_url(opportunity.pk, "versions"))
    messages.success(request, f"Version {baseline.number} baselined.")
    return redirect("web:baseline_detail", baseline_id=baseline.pk)


@login_required
@require_http_methods(["GET", "POST"])
def requirement_edit(request: HttpRequest, requirement_id: int) -> HttpResponse:
    requirement = requirement_get_for_user(user=request.user, requirement_id=requirement_id)
    require(request.user, "requirement.manage")
    initial = {**requirement.as_content(), "version": requirement.version}
    initial["targets"] = "\n".join(
        f"{t['metric']} {t['operator']} {t['value']}{' ' + t['unit'] if t['unit'] else ''}"
        for t in requirement.targets
    )
    form = RequirementForm(request.POST or None, initial=initial, editing=True)
    opportunity_id = requirement.requirement_set.opportunity_id
    if request.method == "POST" and form.is_valid():
        try:
            services.requirement_update(
                actor=request.user,
                requirement=requirement,
                data=form.service_data(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{requirement.reference} saved.")
            return redirect(_workbench_url(opportunity_id, f"req-{requirement.pk}"))
    return render(
        request,
        "deals/requirement_form.html",
        {"form": form, "requirement": requirement, "opportunity": requirement.requirement_set.opportunity},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def requirement_remove(request: HttpRequest, requirement_id: int) -> HttpResponse:
    requirement = requirement_get_for_user(user=request.user, requirement_id=requirement_id)
    opportunity_id = requirement.requirement_set.opportunity_id
    reference = requirement.reference
    services.requirement_remove(actor=request.user, requirement=requirement)
    messages.success(request, f"{reference} removed from the draft.")
    return redirect(_workbench_url(opportunity_id))


@login_required
@require_POST
def question_raise(request: HttpRequest, requirement_id: int) -> HttpResponse:
    requirement = requirement_get_for_user(user=request.user, requirement_id=requirement_id)
    require(request.user, "requirement.manage")
    opportunity = requirement.requirement_set.opportunity
    form = QuestionForm(request.POST, account_id=opportunity.account_id)
    if form.is_valid():
        contact = form.cleaned_data.get("contact")
        try:
            services.question_raise(
                actor=request.user,
                requirement=requirement,
                text=form.cleaned_data["text"],
                contact_id=contact.pk if contact else None,
            )
        except ApplicationError as exc:
            _error_message(request, exc)
        else:
            messages.success(request, f"Question raised on {requirement.reference}.")
    else:
        messages.error(request, "Type the question to ask.")
    return redirect(_workbench_url(opportunity.pk, f"req-{requirement.pk}"))


@login_required
@require_POST
def question_answer(request: HttpRequest, question_id: int) -> HttpResponse:
    question = question_get_for_user(user=request.user, question_id=question_id)
    customer = request.user.kind == UserKind.CUSTOMER
    form = AnswerForm(request.POST, customer=customer)
    if form.is_valid():
        try:
            services.question_answer(
                actor=request.user,
                question=question,
                answer=form.cleaned_data["answer"],
                decision=form.cleaned_data.get("decision", ""),
                channel=form.cleaned_data.get("channel", ""),
            )
        except ApplicationError as exc:
            _error_message(request, exc)
        else:
            messages.success(request, f"Answer recorded on {question.requirement.reference}.")
    else:
        messages.error(request, "Type the answer.")
    if customer:
        return redirect("web:requirement_documents")
    opportunity_id = question.requirement.requirement_set.opportunity_id
    return redirect(_workbench_url(opportunity_id, f"req-{question.requirement_id}"))


@login_required
@require_GET
def requirement_documents(request: HttpRequest) -> HttpResponse:
    """The portal page: requirement documents shared with the customer, and questions for them."""
    baselines = list(visible_baselines(request.user).order_by("-shared_at", "-id")[:100])
    customer = request.user.kind == UserKind.CUSTOMER
    questions = (
        list(visible_questions(request.user).filter(status=QuestionStatus.OPEN).order_by("id")[:100])
        if customer
        else []
    )
    return render(
        request,
        "deals/requirement_documents.html",
        {
            "baselines": baselines,
            "questions": questions,
            "customer": customer,
            "answer_form": AnswerForm(customer=True),
        },
    )


def _document_job(request: HttpRequest, baseline_id: int, job_id: Any) -> Job | None:
    try:
        job_id = int(job_id)
    except (TypeError, ValueError):
        return None
    return (
        visible_jobs(request.user)
        .filter(pk=job_id, created_by_id=request.user.pk, kind="requirements.document")
        .filter(params__baseline_id=baseline_id)
        .first()
    )


@login_required
@require_GET
def baseline_detail(request: HttpRequest, baseline_id: int) -> HttpResponse:
    baseline = baseline_get_for_user(user=request.user, baseline_id=baseline_id)
    previous = baseline_previous(baseline)
    opportunity = baseline.requirement_set.opportunity
    may_sign = (
        holds(request.user, "requirement.signoff")
        and request.user.organisation_id == opportunity.account_id
        and baseline.is_shared
        and not baseline.is_signed_off
    )
    user_name = request.user.get_full_name() or request.user.username
    return render(
        request,
        "deals/baseline_detail.html",
        {
            "baseline": baseline,
            "opportunity": opportunity,
            "previous": previous,
            "changes": diff_requirements(previous.requirements, baseline.requirements) if previous else None,
            "requirements": sorted(baseline.requirements, key=lambda r: r["reference"]),
            "staff": request.user.kind in (UserKind.SUPPORT, UserKind.SALES_REP, UserKind.ADMIN),
            "can_share": holds(request.user, "requirement.baseline") and not baseline.is_shared,
            "share_form": ShareForm(account_id=opportunity.account_id),
            "may_sign": may_sign,
            "signoff_form": SignoffForm(initial={"name": user_name}) if may_sign else None,
            "document_in_background": document_needs_job(baseline),
            "document_job": _document_job(request, baseline.pk, request.GET.get("document_job")),
        },
    )


@login_required
@require_POST
def baseline_document_job(request: HttpRequest, baseline_id: int) -> HttpResponse:
    """Render a large version's document in the background; the page shows its progress and link."""
    baseline = baseline_get_for_user(user=request.user, baseline_id=baseline_id)
    fmt = request.POST.get("format", "")
    if fmt not in DOCUMENT_TYPES:
        messages.error(request, "format: must be pdf or docx")
        return redirect("web:baseline_detail", baseline_id=baseline.pk)
    job = requirement_document_start(
        actor=request.user, baseline=baseline, fmt=fmt, previous=baseline_previous(baseline)
    )
    url = reverse("web:baseline_detail", kwargs={"baseline_id": baseline.pk})
    return redirect(f"{url}?{urlencode({'document_job': job.pk})}")


def _document(request: HttpRequest, baseline_id: int, fmt: str) -> HttpResponse:
    baseline = baseline_get_for_user(user=request.user, baseline_id=baseline_id)
    content = baseline_document(baseline, fmt, baseline_previous(baseline))
    response = HttpResponse(content, content_type=DOCUMENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{document_filename(baseline, fmt)}"'
    return response


@login_required
@require_GET
def baseline_pdf(request: HttpRequest, baseline_id: int) -> HttpResponse:
    return _document(request, baseline_id, "pdf")


@login_required
@require_GET
def baseline_docx(request: HttpRequest, baseline_id: int) -> HttpResponse:
    return _document(request, baseline_id, "docx")


@login_required
@require_POST
def baseline_share(request: HttpRequest, baseline_id: int) -> HttpResponse:
    baseline = baseline_get_for_user(user=request.user, baseline_id=baseline_id)
    require(request.user, "requirement.baseline")
    form = ShareForm(request.POST, account_id=baseline.requirement_set.opportunity.account_id)
    if form.is_valid():
        try:
            services.baseline_share(
                actor=request.user, baseline=baseline, contact_id=form.cleaned_data["contact"].pk
            )
        except ApplicationError as exc:
            _error_message(request, exc)
        else:
            messages.success(
                request, f"Version {baseline.number} shared with {form.cleaned_data['contact']}."
            )
    else:
        messages.error(request, "Choose the contact to share it with.")
    return redirect("web:baseline_detail", baseline_id=baseline.pk)


@login_required
@require_POST
def baseline_signoff(request: HttpRequest, baseline_id: int) -> HttpResponse:
    baseline = baseline_get_for_user(user=request.user, baseline_id=baseline_id)
    require(request.user, "requirement.signoff")
    form = SignoffForm(request.POST)
    if form.is_valid():
        try:
            services.baseline_signoff(actor=request.user, baseline=baseline, name=form.cleaned_data["name"])
        except ApplicationError as exc:
            _error_message(request, exc)
        else:
            messages.success(request, f"You signed off version {baseline.number}. Thank you.")
    else:
        messages.error(request, "Type your name and tick the confirmation to sign off.")
    return redirect("web:baseline_detail", baseline_id=baseline.pk)
