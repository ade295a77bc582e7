"""Pages for organisations and contacts. Thin: selectors read, services write.

The organisation detail page shows opportunities too, so it is composed in
``salesdesk.web.views`` (``parties`` may not import ``deals``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from salesdesk.core import audit
from salesdesk.core.errors import ApplicationError
from salesdesk.core.pages import form_page, optional_id, paginate, query_without_page, sort_param
from salesdesk.core.permissions import holds, require

from . import services
from .choices import CustomerTier, OrganisationKind
from .forms import ContactForm, OrganisationForm
from .selectors import (
    contact_get_for_user,
    contact_search,
    organisation_get_for_user,
    organisation_search,
    visible_organisations,
    visible_partners,
)
from .tasks import organisations_export_start

ORGANISATION_SORTS = {"name": "name", "created": "created_at"}
CONTACT_SORTS = {"name": "last_name", "organisation": "organisation__name", "created": "created_at"}


def _organisation_filters(params: QueryDict) -> dict:
    kind = params.get("kind", "")
    tier = params.get("tier", "")
    return {
        "query": params.get("q", "").strip(),
        "kind": kind if kind in OrganisationKind.values else "",
        "tier": tier if tier in CustomerTier.values else "",
        "managed_by_id": optional_id(params.get("managed_by")),
    }


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "organisation.view")
    filters = _organisation_filters(request.GET)
    sort, ordering = sort_param(request, ORGANISATION_SORTS, "name")
    page = paginate(request, organisation_search(user=request.user, ordering=ordering, **filters))
    return render(
        request,
        "parties/organisation_list.html",
        {
            "page": page,
            "filters": filters,
            "sort": sort,
            "querystring": query_without_page(request),
            "kinds": OrganisationKind.choices,
            "tiers": CustomerTier.choices,
            "partners": visible_partners(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "organisation.create")
    form = OrganisationForm(request.POST or None, user=request.user)
    return form_page(
        request,
        form,
        "parties/organisation_form.html",
        save=lambda: services.organisation_create(actor=request.user, data=form.service_data()),
        saved=lambda organisation: f"{organisation} was created.",
        then=lambda organisation: redirect("web:organisation_detail", organisation_id=organisation.pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, organisation_id=organisation_id)
    require(request.user, "organisation.edit")
    form = OrganisationForm(request.POST or None, user=request.user, instance=organisation)
    return form_page(
        request,
        form,
        "parties/organisation_form.html",
        {"organisation": organisation},
        save=lambda: services.organisation_update(
            actor=request.user,
            organisation=organisation,
            data=form.service_data(),
            expected_version=form.cleaned_data.get("version"),
        ),
        saved=lambda saved: f"{saved} was saved.",
        then=lambda saved: redirect("web:organisation_detail", organisation_id=saved.pk),
    )


@login_required
@require_POST
def organisation_export(request: HttpRequest) -> HttpResponse:
    """Start a CSV export of the list as filtered, then follow it on the job page."""
    filters = _organisation_filters(request.POST)
    job = organisations_export_start(
        actor=request.user, query=filters["query"], kind=filters["kind"], tier=filters["tier"]
    )
    messages.info(request, "The export has started; this page shows its progress.")
    return redirect("web:job_detail", job_id=job.pk)


@login_required
def contact_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "contact.view")
    organisation_id = optional_id(request.GET.get("organisation"))
    query = request.GET.get("q", "").strip()
    sort, ordering = sort_param(request, CONTACT_SORTS, "name")
    page = paginate(
        request,
        contact_search(user=request.user, query=query, organisation_id=organisation_id, ordering=ordering),
    )
    return render(
        request,
        "parties/contact_list.html",
        {
            "page": page,
            "filters": {"query": query, "organisation_id": organisation_id},
            "sort": sort,
            "querystring": query_without_page(request),
            "organisations": visible_organisations(request.user).select_related(None).only("id", "name"),
        },
    )


@login_required
def contact_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = contact_get_for_user(user=request.user, contact_id=contact_id)
    require(request.user, "contact.view")
    events = audit.events_for(contact)[:50] if holds(request.user, "audit.view") else None
    return render(request, "parties/contact_detail.html", {"contact": contact, "events": events})


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "contact.edit")
    initial = {}
    organisation_id = optional_id(request.GET.get("organisation"))
    if organisation_id:
        initial["organisation"] = organisation_id
    form = ContactForm(request.POST or None, user=request.user, initial=initial)
    return form_page(
        request,
        form,
        "parties/contact_form.html",
        save=lambda: services.contact_create(actor=request.user, data=form.service_data()),
        saved=lambda contact: f"{contact} was added.",
        then=lambda contact: redirect("web:contact_detail", contact_id=contact.pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = contact_get_for_user(user=request.user, contact_id=contact_id)
    require(request.user, "contact.edit")
    form = ContactForm(request.POST or None, user=request.user, instance=contact)
    return form_page(
        request,
        form,
        "parties/contact_form.html",
        {"contact": contact},
        save=lambda: services.contact_update(
            actor=request.user,
            contact=contact,
            data=form.service_data(),
            expected_version=form.cleaned_data.get("version"),
        ),
        saved=lambda saved: f"{saved} was saved.",
        then=lambda saved: redirect("web:contact_detail", contact_id=saved.pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_delete(request: HttpRequest, contact_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    contact = contact_get_for_user(user=request.user, contact_id=contact_id)
    require(request.user, "contact.edit")
    if request.method == "POST":
        organisation_id = contact.organisation_id
        try:
            services.contact_delete(actor=request.user, contact=contact)
        except ApplicationError as exc:
            messages.error(request, exc.as_line())
            return redirect("web:contact_detail", contact_id=contact.pk)
        messages.success(request, f"{contact} was deleted.")
        return redirect("web:organisation_detail", organisation_id=organisation_id)
    return render(request, "parties/contact_confirm_delete.html", {"contact": contact})
