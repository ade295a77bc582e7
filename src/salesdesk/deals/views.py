"""Pages for opportunities, including the inline stage change (htmx). Selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from salesdesk.catalog.models import Product
from salesdesk.core.errors import ApplicationError
from salesdesk.core.pages import form_page, optional_id, paginate, query_without_page, sort_param
from salesdesk.core.permissions import holds, require
from salesdesk.parties.selectors import visible_customers

from . import services
from .choices import OpportunityStage
from .forms import OpportunityForm, StageForm, owner_choices
from .models import Opportunity
from .registration_services import protection_of
from .selectors import opportunity_events, opportunity_get_for_user, opportunity_search, requirement_summary

OPPORTUNITY_SORTS = {
    "close": "expected_close_date",
    "name": "name",
    "amount": "amount",
    "stage": "stage",
    "account": "account__name",
    "created": "created_at",
}


@login_required
def opportunity_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "opportunity.view")
    stage = request.GET.get("stage", "")
    filters = {
        "query": request.GET.get("q", "").strip(),
        "stage": stage if stage in OpportunityStage.values else "",
        "account_id": optional_id(request.GET.get("account")),
        "owner_id": optional_id(request.GET.get("owner")),
        "open_only": request.GET.get("open") == "1",
    }
    sort, ordering = sort_param(request, OPPORTUNITY_SORTS, "close")
    # The products column: one extra query for the page, not one per row.
    opportunities = opportunity_search(user=request.user, ordering=ordering, **filters).prefetch_related(
        Prefetch(
            "products",
            queryset=Product.objects.select_related(None).only("id", "name").order_by("name", "id"),
        )
    )
    page = paginate(request, opportunities)
    return render(
        request,
        "deals/opportunity_list.html",
        {
            "page": page,
            "filters": filters,
            "sort": sort,
            "querystring": query_without_page(request),
            "stages": OpportunityStage.choices,
            "accounts": visible_customers(request.user).select_related(None).only("id", "name"),
            "owners": owner_choices(request.user)
            .select_related(None)
            .only("id", "username", "first_name", "last_name"),
        },
    )


def _detail_context(
    request: HttpRequest, opportunity: Opportunity, stage_form: StageForm | None = None
) -> dict:
    can_edit = holds(request.user, "opportunity.edit")
    if stage_form is None and can_edit:
        stage_form = StageForm(
            initial={
                "stage": opportunity.stage,
                "lost_reason": opportunity.lost_reason,
                "version": opportunity.version,
            }
        )
    return {
        "opportunity": opportunity,
        "stage_form": stage_form,
        "can_edit": can_edit,
        "events": (
            opportunity_events(user=request.user, opportunity=opportunity)[:50]
            if holds(request.user, "audit.view")
            else None
        ),
        "requirement_summary": requirement_summary(opportunity),
        "protection": protection_of(opportunity),
    }


@login_required
def opportunity_detail(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opportunity = opportunity_get_for_user(user=request.user, opportunity_id=opportunity_id, products=True)
    return render(request, "deals/opportunity_detail.html", _detail_context(request, opportunity))


@login_required
@require_POST
def opportunity_stage(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """Move an opportunity to another stage from its page.

    With htmx the answer is the stage block plus the history (swapped out of band);
    without JavaScript the form posts normally and lands back on the page.
    """
    opportunity = opportunity_get_for_user(user=request.user, opportunity_id=opportunity_id, products=True)
    require(request.user, "opportunity.edit")
    form = StageForm(request.POST)
    ok = False
    if form.is_valid():
        try:
            opportunity = services.opportunity_update(
                actor=request.user,
                opportunity=opportunity,
                data=form.service_data(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            ok = True
    if request.htmx:
        if ok:
            opportunity = opportunity_get_for_user(
                user=request.user, opportunity_id=opportunity.pk, products=True
            )
        context: dict[str, Any] = _detail_context(request, opportunity, None if ok else form)
        context["saved"] = ok
        # A refused change still swaps in: htmx does not swap 4xx answers by default, and
        # the person must see why it was refused next to the field.
        return render(request, "deals/_stage_response.html", context)
    if ok:
        messages.success(request, f"{opportunity} moved to {opportunity.get_stage_display()}.")
        return redirect("web:opportunity_detail", opportunity_id=opportunity.pk)
    return render(
        request, "deals/opportunity_detail.html", _detail_context(request, opportunity, form), status=400
    )


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "opportunity.create")
    initial = {}
    account_id = optional_id(request.GET.get("account"))
    if account_id:
        initial["account"] = account_id
    form = OpportunityForm(request.POST or None, user=request.user, initial=initial)
    return form_page(
        request,
        form,
        "deals/opportunity_form.html",
        save=lambda: services.opportunity_create(actor=request.user, data=form.service_data()),
        saved=lambda opportunity: f"{opportunity} was created.",
        then=lambda opportunity: redirect("web:opportunity_detail", opportunity_id=opportunity.pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_edit(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opportunity = opportunity_get_for_user(user=request.user, opportunity_id=opportunity_id)
    require(request.user, "opportunity.edit")
    form = OpportunityForm(request.POST or None, user=request.user, instance=opportunity)
    return form_page(
        request,
        form,
        "deals/opportunity_form.html",
        {"opportunity": opportunity},
        save=lambda: services.opportunity_update(
            actor=request.user,
            opportunity=opportunity,
            data=form.service_data(),
            expected_version=form.cleaned_data.get("version"),
        ),
        saved=lambda saved: f"{saved} was saved.",
        then=lambda saved: redirect("web:opportunity_detail", opportunity_id=saved.pk),
    )
