"""Pages for deal registration: the partner's "My registrations" and form, the manager's queue.

Every page finds its registration through ``registration_selectors`` first (another
partner's is a 404), then the service checks the capability and the rules. A partner sees
that a registration conflicts, never with whom; the manager sees every match.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from salesdesk.core import audit
from salesdesk.core.errors import ApplicationError
from salesdesk.core.pages import form_page, optional_id, paginate, query_without_page, sort_param
from salesdesk.core.permissions import holds, require
from salesdesk.parties.selectors import visible_partners

from . import registration_services as services
from .registration_forms import ApproveForm, RegistrationForm, RejectForm
from .registration_models import DealRegistration, RegistrationStatus
from .registration_selectors import REGISTRATION_SORTS, registration_get_for_user, registration_search


def _detail_url(registration: DealRegistration) -> str:
    from django.urls import reverse

    return reverse("web:registrations:registration_detail", kwargs={"registration_id": registration.pk})


@login_required
def registration_list(request: HttpRequest) -> HttpResponse:
    """The manager's queue (pending first, conflicts highlighted) or the partner's own list."""
    is_manager = holds(request.user, "deal.approve")
    if not is_manager and not holds(request.user, "deal.register"):
        raise PermissionDenied("You may not do this: deal registrations are for partners and sales managers.")
    default_status = RegistrationStatus.PENDING if is_manager else ""
    status = request.GET.get("status", default_status)
    conflict = request.GET.get("conflict", "")
    filters: dict[str, Any] = {
        "query": request.GET.get("q", "").strip(),
        "status": status if status in RegistrationStatus.values else "",
        "in_conflict": {"1": True, "0": False}.get(conflict),
        "partner_id": optional_id(request.GET.get("partner")) if is_manager else None,
    }
    sort, ordering = sort_param(request, REGISTRATION_SORTS, "-created")
    page = paginate(request, registration_search(user=request.user, ordering=ordering, **filters))
    return render(
        request,
        "deals/registrations/list.html",
        {
            "page": page,
            "filters": filters,
            "conflict": conflict if conflict in ("0", "1") else "",
            "sort": sort,
            "querystring": query_without_page(request),
            "statuses": RegistrationStatus.choices,
            "is_manager": is_manager,
            "can_register": holds(request.user, "deal.register"),
            "partners": visible_partners(request.user).select_related(None).only("id", "name")
            if is_manager
            else [],
            "filtered": bool(
                filters["query"] or conflict or filters["partner_id"] or status != default_status
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def registration_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "deal.register")
    form = RegistrationForm(request.POST or None, user=request.user)
    return form_page(
        request,
        form,
        "deals/registrations/form.html",
        save=lambda: services.registration_create(actor=request.user, data=form.service_data()),
        saved=lambda r: (
            f"Registered {r.customer_name}. It may conflict with a deal already known to us; "
            "a sales manager will review it."
            if r.in_conflict
            else f"Registered {r.customer_name}. A sales manager will review it."
        ),
        then=lambda r: redirect(_detail_url(r)),
    )


def _detail(
    request: HttpRequest,
    registration: DealRegistration,
    *,
    approve_form: ApproveForm | None = None,
    reject_form: RejectForm | None = None,
    status: int = 200,
) -> HttpResponse:
    is_manager = holds(request.user, "deal.approve")
    context: dict[str, Any] = {
        "registration": registration,
        "products": list(registration.products.all()),
        "is_manager": is_manager,
        "events": audit.events_for(registration)[:50] if is_manager else None,
    }
    if is_manager and registration.is_pending:
        context["approve_form"] = approve_form or ApproveForm(user=request.user, registration=registration)
        context["reject_form"] = reject_form or RejectForm()
    if is_manager:
        context["conflicts"] = registration.conflicts
    return render(request, "deals/registrations/detail.html", context, status=status)


@login_required
def registration_detail(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = registration_get_for_user(user=request.user, registration_id=registration_id)
    return _detail(request, registration)


@login_required
@require_POST
def registration_approve(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = registration_get_for_user(user=request.user, registration_id=registration_id)
    require(request.user, "deal.approve")
    form = ApproveForm(request.POST, user=request.user, registration=registration)
    if form.is_valid():
        try:
            registration = services.registration_approve(
                actor=request.user, registration=registration, **form.service_data()
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                f"Approved. {registration.opportunity} is protected for {registration.partner} "
                f"until {registration.protected_until:%-d %b %Y}.",
            )
            return redirect(_detail_url(registration))
    registration = registration_get_for_user(user=request.user, registration_id=registration_id)
    return _detail(request, registration, approve_form=form, status=400)


@login_required
@require_POST
def registration_reject(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = registration_get_for_user(user=request.user, registration_id=registration_id)
    require(request.user, "deal.approve")
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.registration_reject(
                actor=request.user, registration=registration, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Rejected; the partner sees your reason.")
            return redirect(_detail_url(registration))
    return _detail(request, registration, reject_form=form, status=400)


@login_required
@require_POST
def registration_recheck(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = registration_get_for_user(user=request.user, registration_id=registration_id)
    try:
        registration = services.registration_recheck(actor=request.user, registration=registration)
    except ApplicationError as exc:
        messages.error(request, exc.as_line())
    else:
        found = len(registration.conflicts)
        messages.success(request, f"Checked again: {found} conflict{'s' if found != 1 else ''}.")
    return redirect(_detail_url(registration))
