"""Pages of solution designs: list, version page (components, services, assumptions, checks),
fit-gap matrix with quick edit per row (htmx), product gaps. Thin: selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesdesk.catalog.selectors import visible_products
from salesdesk.core.errors import ApplicationError
from salesdesk.core.pages import ServiceForm, form_page, optional_id, paginate, query_without_page
from salesdesk.core.permissions import holds, require
from salesdesk.deals.selectors import opportunity_get_for_user

from . import services
from .choices import ProductGapStatus, SolutionStatus
from .forms import (
    AssumptionsForm,
    ComponentForm,
    DesignForm,
    FitGapForm,
    ProductGapDecisionForm,
    ProductGapForm,
    ServiceLineForm,
)
from .models import SolutionComponent, SolutionServiceLine, SolutionVersion
from .selectors import (
    components_of,
    current_version_of,
    design_get_for_user,
    design_search,
    design_versions,
    fit_gap_matrix,
    product_gap_get_for_user,
    service_lines_of,
    version_checks,
    version_get_for_user,
    visible_product_gaps,
)


def _can_view(request: HttpRequest) -> None:
    require(request.user, "solution.view")


def _products(user: Any) -> Any:
    return visible_products(user).filter(kind="product").order_by("name", "id")


def _service_products(user: Any) -> Any:
    return visible_products(user).filter(kind="service").order_by("name", "id")


def _url(name: str, **kwargs: Any) -> str:
    """A URL of h2's sizing pages, or "" while they are not there."""
    try:
        return reverse(f"web:solutions:{name}", kwargs=kwargs)
    except NoReverseMatch:
        return ""


# -- list and create --------------------------------------------------------------------------------


@login_required
@require_GET
def design_list(request: HttpRequest) -> HttpResponse:
    _can_view(request)
    opportunity = None
    opportunity_id = optional_id(request.GET.get("opportunity"))
    if opportunity_id:
        opportunity = opportunity_get_for_user(user=request.user, opportunity_id=opportunity_id)
    status = request.GET.get("status", "")
    if status not in SolutionStatus.values:
        status = ""
    designs = design_search(
        user=request.user, query=request.GET.get("q", ""), opportunity_id=opportunity_id, status=status
    )
    return render(
        request,
        "solutions/design_list.html",
        {
            "page": paginate(request, designs),
            "opportunity": opportunity,
            "query": request.GET.get("q", ""),
            "status": status,
            "statuses": SolutionStatus.choices,
            "querystring": query_without_page(request),
            "can_design": holds(request.user, "solution.design"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def design_create(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opportunity = opportunity_get_for_user(user=request.user, opportunity_id=opportunity_id)
    require(request.user, "solution.design")
    form = DesignForm(request.POST or None, initial={"title": f"Solution for {opportunity}"})
    return form_page(
        request,
        form,
        "solutions/design_form.html",
        {"opportunity": opportunity},
        save=lambda: services.design_create(
            actor=request.user, opportunity_id=opportunity.pk, data=_without_empty(form.service_data())
        ),
        saved=lambda d: f"Solution design “{d}” started.",
        then=lambda d: redirect("web:solutions:design_detail", design_id=d.pk),
    )


def _without_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, "")}


@login_required
@require_http_methods(["GET", "POST"])
def design_edit(request: HttpRequest, design_id: int) -> HttpResponse:
    design = design_get_for_user(user=request.user, design_id=design_id)
    require(request.user, "solution.design")
    form = DesignForm(
        request.POST or None,
        initial={"title": design.title, "description": design.description, "required_by": design.required_by},
    )
    return form_page(
        request,
        form,
        "solutions/design_form.html",
        {"opportunity": design.opportunity, "design": design},
        save=lambda: services.design_update(actor=request.user, design=design, data=form.service_data()),
        saved=lambda d: "Saved.",
        then=lambda d: redirect("web:solutions:design_detail", design_id=d.pk),
    )


# -- the version page -------------------------------------------------------------------------------


@login_required
@require_GET
def design_detail(request: HttpRequest, design_id: int) -> HttpResponse:
    design = design_get_for_user(user=request.user, design_id=design_id)
    return _version_page(request, current_version_of(design))


@login_required
@require_GET
def version_detail(request: HttpRequest, design_id: int, version_number: int) -> HttpResponse:
    version = version_get_for_user(user=request.user, design_id=design_id, version_number=version_number)
    return _version_page(request, version)


def _checks_of(version: SolutionVersion) -> tuple[dict[str, Any], str]:
    if version.frozen and version.checks_result:
        return version.checks_result, "when the version was frozen"
    return version_checks(version).as_dict(), "now"


def _version_context(request: HttpRequest, version: SolutionVersion, **forms: Any) -> dict[str, Any]:
    design = version.design
    can_design = holds(request.user, "solution.design")
    editable = can_design and not version.frozen
    checks, checks_when = _checks_of(version)
    matrix = fit_gap_matrix(version)
    context: dict[str, Any] = {
        "design": design,
        "opportunity": design.opportunity,
        "version": version,
        "versions": list(design_versions(design)),
        "components": list(components_of(version)),
        "service_lines": list(service_lines_of(version)),
        "matrix": matrix,
        "checks": checks,
        "checks_when": checks_when,
        "product_gaps": list(visible_product_gaps(request.user).filter(solution_version=version)),
        "can_design": can_design,
        "editable": editable,
        "is_current": version.number == design.current_version,
        "sizing_url": _url("sizing", design_id=design.pk, version_number=version.number),
        "report_url": _url("report", design_id=design.pk, version_number=version.number),
    }
    if editable:
        context.update(
            component_form=ComponentForm(products=_products(request.user)),
            service_form=ServiceLineForm(services=_service_products(request.user)),
            assumptions_form=AssumptionsForm(
                initial={"assumptions": "\n".join(version.assumptions), "notes": version.notes}
            ),
        )
    context.update(forms)
    return context


def _version_page(
    request: HttpRequest, version: SolutionVersion, status: int = 200, **forms: Any
) -> HttpResponse:
    return render(
        request, "solutions/version_detail.html", _version_context(request, version, **forms), status=status
    )


def _back(version: SolutionVersion, anchor: str = "") -> HttpResponse:
    response = redirect("web:solutions:version", design_id=version.design_id, version_number=version.number)
    response["Location"] += anchor
    return response


def _post_form(
    request: HttpRequest,
    version: SolutionVersion,
    form: ServiceForm,
    name: str,
    save: Any,
    anchor: str,
) -> HttpResponse:
    if form.is_valid():
        try:
            save(form.service_data())  # type: ignore[attr-defined]
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Saved.")
            return _back(version, anchor)
    return _version_page(request, version, status=400, **{name: form})


def _version(request: HttpRequest, design_id: int, version_number: int) -> SolutionVersion:
    version = version_get_for_user(user=request.user, design_id=design_id, version_number=version_number)
    require(request.user, "solution.design")
    return version


@login_required
@require_POST
def component_add(request: HttpRequest, design_id: int, version_number: int) -> HttpResponse:
    version = _version(request, design_id, version_number)
    form = ComponentForm(request.POST, products=_products(request.user))
    return _post_form(
        request,
        version,
        form,
        "component_form",
        lambda data: services.component_add(actor=request.user, version=version, data=data),
        "#components",
    )


@login_required
@require_http_methods(["GET", "POST"])
def component_edit(
    request: HttpRequest, design_id: int, version_number: int, component_id: int
) -> HttpResponse:
    version = _version(request, design_id, version_number)
    component = get_object_or_404(
        SolutionComponent.objects.select_related("product"), solution_version=version, pk=component_id
    )
    import json

    form = ComponentForm(
        request.POST or None,
        products=_products(request.user),
        initial={
            "product": component.product,
            "quantity": component.quantity,
            "configuration": json.dumps(component.configuration) if component.configuration else "",
            "notes": component.notes,
        },
    )
    return form_page(
        request,
        form,
        "solutions/component_form.html",
        {"version": version, "design": version.design, "component": component},
        save=lambda: services.component_update(
            actor=request.user, component=component, data=form.service_data()
        ),
        saved=lambda c: f"{c} saved.",
        then=lambda c: _back(version, "#components"),
    )


@login_required
@require_POST
def component_remove(
    request: HttpRequest, design_id: int, version_number: int, component_id: int
) -> HttpResponse:
    version = _version(request, design_id, version_number)
    component = get_object_or_404(SolutionComponent, solution_version=version, pk=component_id)
    try:
        services.component_remove(actor=request.user, component=component)
    except ApplicationError as exc:
        messages.error(request, exc.as_line())
    else:
        messages.success(request, f"{component} removed.")
    return _back(version, "#components")


@login_required
@require_POST
def service_line_add(request: HttpRequest, design_id: int, version_number: int) -> HttpResponse:
    version = _version(request, design_id, version_number)
    form = ServiceLineForm(request.POST, services=_service_products(request.user))
    return _post_form(
        request,
        version,
        form,
        "service_form",
        lambda data: services.service_line_add(actor=request.user, version=version, data=data),
        "#services",
    )


@login_required
@require_POST
def service_line_remove(
    request: HttpRequest, design_id: int, version_number: int, service_line_id: int
) -> HttpResponse:
    version = _version(request, design_id, version_number)
    line = get_object_or_404(SolutionServiceLine, solution_version=version, pk=service_line_id)
    try:
        services.service_line_remove(actor=request.user, line=line)
    except ApplicationError as exc:
        messages.error(request, exc.as_line())
    else:
        messages.success(request, f"{line} removed.")
    return _back(version, "#services")


@login_required
@require_POST
def assumptions_save(request: HttpRequest, design_id: int, version_number: int) -> HttpResponse:
    version = _version(request, design_id, version_number)
    form = AssumptionsForm(request.POST)
    return _post_form(
        request,
        version,
        form,
        "assumptions_form",
        lambda data: services.version_update(actor=request.user, version=version, data=data),
        "#assumptions",
    )


@login_required
@require_POST
def version_new(request: HttpRequest, design_id: int) -> HttpResponse:
    design = design_get_for_user(user=request.user, design_id=design_id)
    require(request.user, "solution.design")
    try:
        version = services.version_new(actor=request.user, design=design)
    except ApplicationError as exc:
        messages.error(request, exc.as_line())
        return redirect("web:solutions:design_detail", design_id=design.pk)
    messages.success(
        request, f"Version {version.number} started as a copy; version {version.number - 1} is frozen."
    )
    return _back(version)


@login_required
@require_POST
def version_finalise(request: HttpRequest, design_id: int, version_number: int) -> HttpResponse:
    version = _version(request, design_id, version_number)
    try:
        version = services.version_finalise(actor=request.user, version=version)
    except ApplicationError as exc:
        messages.error(request, exc.as_line())
    else:
        messages.success(request, f"Version {version.number} is final and frozen.")
    return _back(version)


# -- checks ---------------------------------------------------------------------------------------


@login_required
@require_GET
def version_checks_page(request: HttpRequest, design_id: int, version_number: int) -> HttpResponse:
    version = version_get_for_user(user=request.user, design_id=design_id, version_number=version_number)
    checks, when = _checks_of(version)
    rule = request.GET.get("rule", "")
    rows = [c for c in checks.get("checks", []) if not rule or c["rule"] == rule]
    return render(
        request,
        "solutions/checks.html",
        {
            "design": version.design,
            "version": version,
            "checks": checks,
            "rows": rows,
            "rule": rule,
            "rules": ["compatibility", "capacity", "lifecycle", "lead_time", "skills"],
            "checks_when": when,
        },
    )


# -- fit-gap matrix ------------------------------------------------------------------------------


@login_required
@require_GET
def fit_gap_page(request: HttpRequest, design_id: int, version_number: int) -> HttpResponse:
    version = version_get_for_user(user=request.user, design_id=design_id, version_number=version_number)
    coverage = request.GET.get("coverage", "")
    matrix = fit_gap_matrix(version)
    rows = [r for r in matrix.rows if not coverage or (r.coverage or "unassessed") == coverage]
    return render(
        request,
        "solutions/fit_gap.html",
        {
            "design": version.design,
            "version": version,
            "matrix": matrix,
            "rows": rows,
            "coverage": coverage,
            "editable": holds(request.user, "solution.design") and not version.frozen,
            "can_raise": holds(request.user, "solution.design"),
        },
    )


def _row(version: SolutionVersion, requirement_id: int) -> Any:
    matrix = fit_gap_matrix(version)
    row = next((r for r in matrix.rows if r.requirement_id == requirement_id), None)
    if row is None:
        from django.http import Http404

        raise Http404("no such requirement on this opportunity")
    return row


@login_required
@require_http_methods(["GET", "POST"])
def fit_gap_row(
    request: HttpRequest, design_id: int, version_number: int, requirement_id: int
) -> HttpResponse:
    """GET: the row's quick-edit form (an htmx partial, or a page); POST: save it, answer the row."""
    version = _version(request, design_id, version_number)
    row = _row(version, requirement_id)
    components = components_of(version).order_by("position", "id")
    entry = row.entry
    form = FitGapForm(
        request.POST or None,
        components=components,
        initial={
            "coverage": entry.coverage if entry else "",
            "components": list(entry.components.all()) if entry else [],
            "note": entry.note if entry else "",
        },
    )
    context = {
        "design": version.design,
        "version": version,
        "row": row,
        "form": form,
        "editable": True,
        "can_raise": True,
    }
    if request.method == "POST" and form.is_valid():
        try:
            services.fit_gap_set(
                actor=request.user, version=version, requirement_id=requirement_id, **form.service_data()
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            if request.htmx:  # type: ignore[attr-defined]
                context["row"] = _row(version, requirement_id)
                return render(request, "solutions/_fit_gap_row.html", context)
            messages.success(request, f"{row.reference} saved.")
            response = redirect("web:solutions:fit_gap", design_id=design_id, version_number=version_number)
            response["Location"] += f"#row-{requirement_id}"
            return response
    template = "solutions/_fit_gap_row_form.html" if request.htmx else "solutions/fit_gap_row_form.html"  # type: ignore[attr-defined]
    # htmx swaps only 2xx answers: the partial with its field errors comes back as a 200.
    status = 400 if form.is_bound and not request.htmx else 200  # type: ignore[attr-defined]
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def product_gap_raise(
    request: HttpRequest, design_id: int, version_number: int, requirement_id: int
) -> HttpResponse:
    version = version_get_for_user(user=request.user, design_id=design_id, version_number=version_number)
    require(request.user, "solution.design")
    row = _row(version, requirement_id)
    form = ProductGapForm(
        request.POST or None, products=visible_products(request.user).order_by("name", "id")
    )
    return form_page(
        request,
        form,
        "solutions/product_gap_form.html",
        {"design": version.design, "version": version, "row": row},
        save=lambda: services.product_gap_raise(
            actor=request.user, version=version, requirement_id=requirement_id, **form.service_data()
        ),
        saved=lambda g: f"Product gap raised for {g.requirement_reference}.",
        then=lambda g: redirect("web:solutions:fit_gap", design_id=design_id, version_number=version_number),
    )


# -- product gaps (level 6) -------------------------------------------------------------------------


@login_required
@require_GET
def product_gap_list(request: HttpRequest) -> HttpResponse:
    _can_view(request)
    status = request.GET.get("status", "")
    gaps = visible_product_gaps(request.user).select_related("decided_by").order_by("-id")
    if status in ProductGapStatus.values:
        gaps = gaps.filter(status=status)
    else:
        status = ""
    return render(
        request,
        "solutions/product_gap_list.html",
        {
            "page": paginate(request, gaps),
            "status": status,
            "statuses": ProductGapStatus.choices,
            "querystring": query_without_page(request),
            "can_triage": holds(request.user, "product_gap.triage"),
            "decision_form": ProductGapDecisionForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_gap_decide(request: HttpRequest, gap_id: int) -> HttpResponse:
    gap = product_gap_get_for_user(user=request.user, gap_id=gap_id)
    require(request.user, "product_gap.triage")
    form = ProductGapDecisionForm(request.POST or None)
    return form_page(
        request,
        form,
        "solutions/product_gap_decide.html",
        {"gap": gap},
        save=lambda: services.product_gap_decide(actor=request.user, gap=gap, **form.cleaned_data),
        saved=lambda g: f"Product gap {g.get_status_display().lower()}.",
        then=lambda g: redirect("web:solutions:product_gaps"),
    )
