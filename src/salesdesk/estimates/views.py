"""Pages of estimates: list, estimate page (WBS, rate card, items, risks, Monte Carlo, charts,
review), version diff, exports, calibration report. Thin: selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesdesk.core.errors import ApplicationError
from salesdesk.core.models import Job
from salesdesk.core.pages import ServiceForm, form_page, optional_id, paginate
from salesdesk.core.permissions import holds, require
from salesdesk.deals.selectors import opportunity_get_for_user

from . import charts, io, planning, services
from .forms import (
    ActualForm,
    CalibrationApplyForm,
    EstimateForm,
    ItemForm,
    RateForm,
    ReviewForm,
    RiskForm,
    SimulationForm,
    TaskForm,
)
from .models import Estimate, EstimateRisk, EstimateTask, NonLabourItem, RateCardLine
from .selectors import (
    calibration_for,
    changeable_estimates,
    estimate_get_for_user,
    estimate_versions,
    open_return_note,
    visible_actuals,
    visible_estimates,
)

LINE_KINDS: dict[str, tuple[Any, type[ServiceForm]]] = {
    "tasks": (EstimateTask, TaskForm),
    "rates": (RateCardLine, RateForm),
    "items": (NonLabourItem, ItemForm),
    "risks": (EstimateRisk, RiskForm),
}


@login_required
def estimate_list(request: HttpRequest) -> HttpResponse:
    estimates = visible_estimates(request.user).order_by("-id")
    opportunity = None
    opportunity_id = optional_id(request.GET.get("opportunity"))
    if opportunity_id:
        opportunity = opportunity_get_for_user(user=request.user, opportunity_id=opportunity_id)
        estimates = estimates.filter(opportunity=opportunity)
    return render(
        request,
        "estimates/estimate_list.html",
        {
            "page": paginate(request, estimates),
            "opportunity": opportunity,
            "can_edit": holds(request.user, "estimate.edit"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def estimate_create(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opportunity = opportunity_get_for_user(user=request.user, opportunity_id=opportunity_id)
    require(request.user, "estimate.edit")
    form = EstimateForm(
        request.POST or None,
        initial={"currency": opportunity.currency, "title": f"Estimate for {opportunity}"},
    )
    return form_page(
        request,
        form,
        "estimates/estimate_form.html",
        {"opportunity": opportunity},
        save=lambda: services.estimate_create(
            actor=request.user, opportunity_id=opportunity.pk, data=_without_empty(form.service_data())
        ),
        saved=lambda e: f"Estimate “{e}” started.",
        then=lambda e: redirect("web:estimates:estimate_detail", estimate_id=e.pk),
    )


def _without_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, "")}


def _context(request: HttpRequest, estimate: Estimate, **forms: Any) -> dict[str, Any]:
    can_edit = holds(request.user, "estimate.edit")
    version = services.current_version(estimate)
    result = version.result or {}
    schedule = None
    schedule_error = ""
    try:
        schedule = planning.schedule_of(estimate) if estimate.tasks.exists() else None
    except ApplicationError as exc:
        schedule_error = exc.as_line()
    rows = planning.rows_of(estimate)
    for task in rows.tasks:
        task.criticality = result.get("criticality", {}).get(task.code)  # type: ignore[attr-defined]
    editable = can_edit and estimate.status in ("draft", "returned")
    context: dict[str, Any] = {
        "estimate": estimate,
        "opportunity": estimate.opportunity,
        "version": version,
        "versions": list(estimate_versions(estimate=estimate)),
        "signed_off": services.signed_off_version(estimate),
        "return_note": open_return_note(estimate=estimate),
        "usable_in_proposal": services.estimate_usable_in_proposal(estimate),
        "tasks": rows.tasks,
        "rates": list(rows.rates.values()),
        "items": rows.items,
        "risks": list(estimate.risks.all()),
        "figures": planning.cost_figures(rows),
        "result": result,
        "criticality": result.get("criticality", {}),
        "schedule": schedule,
        "schedule_error": schedule_error,
        "can_edit": can_edit,
        "editable": editable,
        "can_sign_off": holds(request.user, "estimate.signoff"),
        "gantt": charts.gantt(schedule, timezone.localdate()) if schedule else "",
        "s_curve": charts.s_curve(result.get("s_curve_cost", []), "cost") if result else "",
        "histogram": charts.histogram(result.get("histogram_cost", {}), "cost") if result else "",
        "tornado": charts.tornado(result.get("tornado", [])) if result else "",
        "task_form": TaskForm(),
        "rate_form": RateForm(),
        "item_form": ItemForm(),
        "risk_form": RiskForm(),
        "simulation_form": SimulationForm(),
        "review_form": ReviewForm(),
    }
    context.update(forms)
    return context


@login_required
@require_GET
def estimate_detail(request: HttpRequest, estimate_id: int) -> HttpResponse:
    estimate = estimate_get_for_user(user=request.user, estimate_id=estimate_id)
    return render(request, "estimates/estimate_detail.html", _context(request, estimate))


def _back(estimate: Estimate, anchor: str = "") -> HttpResponse:
    response = redirect("web:estimates:estimate_detail", estimate_id=estimate.pk)
    response["Location"] += anchor
    return response


def _refused(request: HttpRequest, estimate: Estimate, name: str, form: ServiceForm) -> HttpResponse:
    return render(
        request, "estimates/estimate_detail.html", _context(request, estimate, **{name: form}), status=400
    )


@login_required
@require_POST
def line_add(request: HttpRequest, estimate_id: int, kind: str) -> HttpResponse:
    estimate = estimate_get_for_user(user=request.user, estimate_id=estimate_id)
    model, form_class = LINE_KINDS[kind]
    require(request.user, "estimate.edit")
    form = form_class(request.POST)
    if form.is_valid():
        try:
            services.line_add(actor=request.user, estimate=estimate, model=model, data=form.service_data())  # type: ignore[attr-defined]
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Saved.")
            return _back(estimate, f"#{kind}")
    return _refused(request, estimate, f"{kind.rstrip('s')}_form", form)


def _line(request: HttpRequest, estimate_id: int, kind: str, line_id: int) -> tuple[Estimate, Any]:
    estimate = estimate_get_for_user(user=request.user, estimate_id=estimate_id)
    model, _form = LINE_KINDS[kind]
    return estimate, get_object_or_404(model, estimate=estimate, pk=line_id)


def _initial(line: Any, form_class: type[ServiceForm]) -> dict[str, Any]:
    initial = {name: getattr(line, name, None) for name in form_class.base_fields}
    if isinstance(line, EstimateTask):
        initial["dependencies"] = ", ".join(
            d["task"]
            + (
                ""
                if d["type"] == "FS" and not d["lag"]
                else f" {d['type']}{d['lag']:+g}"
                if d["lag"]
                else f" {d['type']}"
            )
            for d in line.dependencies
        )
    if isinstance(line, EstimateRisk):
        initial["tasks"] = ", ".join(line.tasks)
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def line_edit(request: HttpRequest, estimate_id: int, kind: str, **ids: int) -> HttpResponse:
    estimate, line = _line(request, estimate_id, kind, next(iter(ids.values())))
    require(request.user, "estimate.edit")
    _model, form_class = LINE_KINDS[kind]
    form = form_class(request.POST or None, initial=_initial(line, form_class))
    return form_page(
        request,
        form,
        "estimates/line_form.html",
        {"estimate": estimate, "line": line, "kind": kind},
        save=lambda: services.line_update(actor=request.user, line=line, data=form.service_data()),  # type: ignore[attr-defined]
        saved=lambda saved_line: f"{saved_line} saved.",
        then=lambda _line: _back(estimate, f"#{kind}"),
    )


@login_required
@require_POST
def line_remove(request: HttpRequest, estimate_id: int, kind: str, **ids: int) -> HttpResponse:
    estimate, line = _line(request, estimate_id, kind, next(iter(ids.values())))
    try:
        services.line_remove(actor=request.user, line=line)
    except ApplicationError as exc:
        messages.error(request, exc.as_line())
    else:
        messages.success(request, f"{line} removed.")
    return _back(estimate, f"#{kind}")


@login_required
@require_POST
def estimate_simulate(request: HttpRequest, estimate_id: int) -> HttpResponse:
    estimate = estimate_get_for_user(user=request.user, estimate_id=estimate_id)
    require(request.user, "estimate.edit")
    form = SimulationForm(request.POST)
    if form.is_valid():
        try:
            outcome = services.estimate_simulate(actor=request.user, estimate=estimate, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            if isinstance(outcome, Job):
                return redirect("web:job_detail", job_id=outcome.pk)
            messages.success(request, f"Simulated {outcome['iterations']:,} iterations.")
            return _back(estimate, "#simulation")
    return _refused(request, estimate, "simulation_form", form)


@login_required
@require_POST
def estimate_review(request: HttpRequest, estimate_id: int) -> HttpResponse:
    """Submit, sign off, return with comments or start a new version; refusals show on the form."""
    estimate = estimate_get_for_user(user=request.user, estimate_id=estimate_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        action, comments = form.cleaned_data["action"], form.cleaned_data["comments"]
        try:
            if action == "submit":
                services.estimate_submit(actor=request.user, estimate=estimate)
            elif action == "sign_off":
                services.estimate_sign_off(actor=request.user, estimate=estimate, comments=comments)
            elif action == "return":
                services.estimate_return(actor=request.user, estimate=estimate, comments=comments)
            else:
                services.estimate_revise(actor=request.user, estimate=estimate)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, dict(form.fields["action"].choices)[action] + ": done.")  # type: ignore[attr-defined]
            return _back(estimate, "#review")
    return _refused(request, estimate, "review_form", form)


@login_required
@require_GET
def estimate_versions_page(request: HttpRequest, estimate_id: int) -> HttpResponse:
    estimate = estimate_get_for_user(user=request.user, estimate_id=estimate_id)
    versions = list(estimate_versions(estimate=estimate))
    numbers = [v.number for v in versions]
    to_number = optional_id(request.GET.get("to")) or estimate.current_version
    from_number = optional_id(request.GET.get("from")) or max(to_number - 1, 1)
    changes = None
    if to_number in numbers and from_number in numbers:
        old = next(v for v in versions if v.number == from_number)
        new = next(v for v in versions if v.number == to_number)
        changes = services.versions_diff(services.version_content(old), services.version_content(new))
    return render(
        request,
        "estimates/estimate_versions.html",
        {
            "estimate": estimate,
            "versions": versions,
            "changes": changes,
            "from_number": from_number,
            "to_number": to_number,
        },
    )


@login_required
@require_GET
def estimate_export(request: HttpRequest, estimate_id: int) -> HttpResponse:
    estimate = estimate_get_for_user(user=request.user, estimate_id=estimate_id)
    fmt = request.GET.get("format", "csv")
    if fmt not in io.EXPORTS:
        fmt = "csv"
    build, content_type, extension = io.EXPORTS[fmt]
    try:
        content = build(estimate)
    except ApplicationError as exc:
        messages.error(request, exc.as_line())
        return _back(estimate)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="estimate-{estimate.pk}-plan.{extension}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def calibration_report(request: HttpRequest) -> HttpResponse:
    require(request.user, "estimate.edit")
    form = ActualForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.actual_record(actor=request.user, data=form.service_data())
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Actual recorded.")
            return redirect("web:estimates:calibration_report")
    return _calibration_page(request, form=form, status=400 if form.is_bound else 200)


def _calibration_page(
    request: HttpRequest,
    *,
    form: ActualForm | None = None,
    failed: CalibrationApplyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The report, one "apply" form per suggested task-type factor and a manual one; a refused
    apply form comes back bound, with its errors, in its place."""
    report = calibration_for(request.user)
    drafts = changeable_estimates(request.user)
    preselect = optional_id(request.GET.get("estimate"))
    if not preselect:
        first_two = list(drafts.values_list("pk", flat=True)[:2])
        preselect = first_two[0] if len(first_two) == 1 else None
    initial = {"estimate": preselect} if preselect else {}
    failed_row = failed.data.get("suggestion") if failed is not None else None
    suggestions = []
    for index, (task_type, accuracy) in enumerate(report.by_task_type.items(), start=1):
        if failed is not None and failed_row == task_type:
            row_form = failed
        else:
            row_form = CalibrationApplyForm(
                estimates=drafts,
                fixed=True,
                initial={
                    **initial,
                    "task_type": task_type,
                    "factor": f"{accuracy.factor:.3f}",
                    "suggestion": task_type,
                },
                auto_id=f"id_apply{index}_%s",
            )
        suggestions.append({"task_type": task_type, "accuracy": accuracy, "form": row_form})
    manual = (
        failed
        if failed is not None and failed_row not in report.by_task_type
        else CalibrationApplyForm(estimates=drafts, initial=initial, auto_id="id_apply_%s")
    )
    return render(
        request,
        "estimates/calibration.html",
        {
            "report": report,
            "form": form or ActualForm(),
            "actuals": visible_actuals(request.user)[:50],
            "suggestions": suggestions,
            "apply_form": manual,
            "has_drafts": drafts.exists(),
            "preselected": preselect,
        },
        status=status,
    )


@login_required
@require_POST
def calibration_apply(request: HttpRequest) -> HttpResponse:
    """Apply a factor to one task type of a draft estimate; says when that started a new version."""
    require(request.user, "estimate.edit")
    fixed = bool(request.POST.get("suggestion"))
    form = CalibrationApplyForm(
        request.POST,
        estimates=changeable_estimates(request.user),
        fixed=fixed,
        auto_id="id_apply_failed_%s",
    )
    if form.is_valid():
        data = form.service_data()
        estimate: Estimate = data.pop("estimate")
        started_from = estimate.current_version
        was_returned = estimate.status == "returned"
        try:
            count = services.apply_calibration(actor=request.user, estimate=estimate, **data)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            estimate.refresh_from_db()
            text = (
                f"Factor ×{data['factor']:g} applied to {count} {data['task_type']} "
                f"task{'' if count == 1 else 's'} of “{estimate.title}”."
            )
            if estimate.current_version != started_from:
                text += f" This started version {estimate.current_version}" + (
                    f" (v{started_from} was returned for review comments)." if was_returned else "."
                )
            messages.success(request, text)
            return _back(estimate, "#tasks")
    return _calibration_page(request, failed=form, status=400)
