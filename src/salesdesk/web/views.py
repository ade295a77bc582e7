"""Shared pages: home, the account page, API tokens, background jobs and user administration.

Views are thin: selectors read, services write, and a service's ApplicationError
becomes a form error on the field it names.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from salesdesk.core import audit, tokens
from salesdesk.core.errors import ApplicationError
from salesdesk.core.jobs import job_get_for_user, visible_jobs
from salesdesk.core.pages import paginate, query_without_page
from salesdesk.core.permissions import holds, require
from salesdesk.core.roles import UserKind
from salesdesk.deals.choices import OpportunityStage
from salesdesk.deals.selectors import opportunity_search, visible_opportunities
from salesdesk.parties import services as party_services
from salesdesk.parties.choices import OrganisationKind
from salesdesk.parties.selectors import (
    contact_search,
    organisation_get_for_user,
    organisation_search,
    user_get_for_user,
    visible_customers,
    visible_users,
)
from salesdesk.service.views import account_cases_context, home_cases_context

from .forms import TokenForm, UserRoleForm
from .selectors import recent_audit_events

# Stages where an opportunity typically needs presales help (DESIGN §2).
PRESALES_STAGES = (OpportunityStage.QUALIFICATION, OpportunityStage.DISCOVERY, OpportunityStage.SOLUTION)
HOME_ROWS = 10


# --- Home -------------------------------------------------------------------------------------


def _home_support(user: Any) -> dict[str, Any]:
    return {
        "presales_needed": visible_opportunities(user)
        .filter(stage__in=PRESALES_STAGES)
        .order_by("expected_close_date", "id")[:HOME_ROWS],
        "recent_accounts": visible_customers(user).order_by("-updated_at", "-id")[:HOME_ROWS],
    }


def _home_sales_rep(user: Any) -> dict[str, Any]:
    return {"my_opportunities": opportunity_search(user=user, owner_id=user.pk, open_only=True)[:20]}


def _home_partner(user: Any) -> dict[str, Any]:
    if user.organisation_id is None:
        return {"managed_customers": [], "partner_deals": []}
    return {
        "managed_customers": organisation_search(
            user=user, kind=OrganisationKind.CUSTOMER, managed_by_id=user.organisation_id
        )[:20],
        "partner_deals": opportunity_search(user=user, open_only=True)[:20],
    }


def _home_customer(user: Any) -> dict[str, Any]:
    if user.organisation_id is None:
        return {"my_organisation": None, "my_contacts": []}
    return {
        "my_organisation": organisation_get_for_user(user=user, organisation_id=user.organisation_id),
        "my_contacts": contact_search(user=user, organisation_id=user.organisation_id)[:20],
    }


def _home_admin(user: Any) -> dict[str, Any]:
    users = visible_users(user)
    return {
        "users_total": users.count(),
        "users_active": users.filter(is_active=True).count(),
        "recent_events": recent_audit_events(user=user),
    }


HOME_SECTIONS = {
    UserKind.SUPPORT: _home_support,
    UserKind.SALES_REP: _home_sales_rep,
    UserKind.PARTNER: _home_partner,
    UserKind.CUSTOMER: _home_customer,
    UserKind.ADMIN: _home_admin,
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What needs my attention, by the kind of user I am."""
    sections = HOME_SECTIONS.get(request.user.kind)
    context = sections(request.user) if sections else {}
    context["home_kind"] = request.user.kind
    # The question box (Priya's journey): suggestions for those who log what they send.
    context["can_suggest"] = holds(request.user, "interaction.log")
    context.update(home_cases_context(user=request.user))
    return render(request, "web/home.html", context)


# --- The account page ----------------------------------------------------------------------------


@login_required
def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """An organisation with its people, deals, managed customers and timeline.

    Composed here because it shows opportunities, which the ``parties`` app may not import.
    """
    organisation = organisation_get_for_user(user=request.user, organisation_id=organisation_id)
    require(request.user, "organisation.view")
    user = request.user
    context: dict[str, Any] = {
        "organisation": organisation,
        "contacts": contact_search(user=user, organisation_id=organisation.pk)[:50]
        if holds(user, "contact.view")
        else None,
        "events": audit.organisation_timeline(user=user, organisation_id=organisation.pk)[:50]
        if holds(user, "audit.view")
        else None,
    }
    if organisation.kind == OrganisationKind.PARTNER:
        context["managed_customers"] = organisation_search(
            user=user, kind=OrganisationKind.CUSTOMER, managed_by_id=organisation.pk
        )[:50]
    if holds(user, "opportunity.view"):
        if organisation.kind == OrganisationKind.PARTNER:
            context["opportunities"] = opportunity_search(user=user, partner_id=organisation.pk)[:50]
        elif organisation.kind == OrganisationKind.CUSTOMER:
            context["opportunities"] = opportunity_search(user=user, account_id=organisation.pk)[:50]
    context.update(account_cases_context(user=user, organisation=organisation))
    return render(request, "web/organisation_detail.html", context)


# --- API tokens ----------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """List one's own tokens and create a new one; the secret is shown on this answer only."""
    require(request.user, "token.manage")
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                token, secret = tokens.token_create(actor=request.user, name=form.cleaned_data["name"])
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                return render(
                    request, "web/token_created.html", {"token": token, "secret": secret}, status=201
                )
    return render(
        request,
        "web/token_list.html",
        {
            "form": form,
            "tokens": tokens.visible_tokens(request.user),
        },
        status=status,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(tokens.visible_tokens(request.user), pk=token_id)
    try:
        tokens.token_revoke(actor=request.user, token=token)
    except ApplicationError as exc:
        messages.error(request, exc.as_line())
    else:
        messages.success(request, f"Token {token} was revoked; scripts using it are refused from now on.")
    return redirect("web:token_list")


# --- Background jobs -----------------------------------------------------------------------------


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "job.view")
    page = paginate(request, visible_jobs(request.user).filter(created_by=request.user))
    return render(request, "web/job_list.html", {"page": page, "querystring": query_without_page(request)})


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_get_for_user(user=request.user, job_id=job_id)
    return render(request, "web/job_detail.html", {"job": job})


@never_cache
@login_required
def job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress block alone; it polls itself every second until the job has finished."""
    job = job_get_for_user(user=request.user, job_id=job_id)
    return render(request, "web/_job_progress.html", {"job": job})


@login_required
def job_download(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job's result file, to its owner only (media files are not served publicly)."""
    job = job_get_for_user(user=request.user, job_id=job_id)
    if not job.result_file:
        raise Http404("This job has no file.")
    try:
        handle = job.result_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is no longer there.") from exc
    return FileResponse(handle, as_attachment=True, filename=PurePath(job.result_file.name).name)


# --- Users (administrators) -------------------------------------------------------------------------


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "user.manage")
    query = request.GET.get("q", "").strip()
    users = visible_users(request.user).order_by("username")
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    page = paginate(request, users)
    return render(
        request,
        "web/user_list.html",
        {"page": page, "query": query, "querystring": query_without_page(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    """Change a user's kind and level (the service refuses a change to one's own role)."""
    # Not found before not allowed: someone who cannot see the user learns nothing about them.
    person = user_get_for_user(user=request.user, user_id=user_id)
    require(request.user, "user.manage")
    form = UserRoleForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            party_services.user_change_role(
                actor=request.user,
                user=person,
                kind=form.cleaned_data["kind"],
                support_level=form.cleaned_data["support_level"],
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            person.refresh_from_db()
            messages.success(
                request, f"{person} is now {person.role_label}; it applies from their next request."
            )
            return redirect("web:user_detail", user_id=person.pk)
    return render(
        request,
        "web/user_detail.html",
        {"person": person, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    person = user_get_for_user(user=request.user, user_id=user_id)
    try:
        party_services.user_deactivate(actor=request.user, user=person)
    except ApplicationError as exc:
        messages.error(request, exc.as_line())
    else:
        messages.success(
            request, f"{person} can no longer sign in; their sessions and API tokens have ended."
        )
    return redirect("web:user_detail", user_id=person.pk)


@login_required
@require_POST
def user_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    person = user_get_for_user(user=request.user, user_id=user_id)
    try:
        party_services.user_reactivate(actor=request.user, user=person)
    except ApplicationError as exc:
        messages.error(request, exc.as_line())
    else:
        messages.success(request, f"{person} can sign in again.")
    return redirect("web:user_detail", user_id=person.pk)
