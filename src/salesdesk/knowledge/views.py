"""Pages of the knowledge base. Selectors read (audience scoping included), services write.

Answers and articles share these views; the URL conf passes ``kind`` and the record id
under its own name (``answer_id`` / ``article_id``).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from salesdesk.core import audit
from salesdesk.core.errors import ApplicationError
from salesdesk.core.pages import optional_id, paginate, query_without_page, sort_param
from salesdesk.core.permissions import holds, require

from . import services
from .choices import ArticleKind, Audience, KnowledgeStatus
from .forms import FlagForm, ItemForm, ReturnForm, ReviewedForm
from .models import Answer, AnswerUsage, KnowledgeItem
from .selectors import (
    MODELS,
    answer_get_for_user,
    article_get_for_user,
    item_search,
    may_see_versions,
    stale_items_for,
    version_diff,
    versions_of,
)

SORTS = {"updated": "updated_at", "title": "title", "review": "review_by", "created": "created_at"}
LABELS = {"answer": ("answer", "answers"), "article": ("article", "articles")}


def _get(request: HttpRequest, kind: str, ids: dict[str, Any]) -> KnowledgeItem:
    if kind == "answer":
        return answer_get_for_user(user=request.user, answer_id=ids["answer_id"])
    return article_get_for_user(user=request.user, article_id=ids["article_id"])


def _detail_url(item: KnowledgeItem) -> Any:
    kind = item._meta.model_name
    return redirect(f"web:knowledge:{kind}_detail", **{f"{kind}_id": item.pk})


@login_required
def knowledge_home(request: HttpRequest) -> HttpResponse:
    """Answers or articles (``?type=``) with filters; counts only what the user may read."""
    require(request.user, "knowledge.view")
    kind = "article" if request.GET.get("type") == "articles" else "answer"
    status = request.GET.get("status", "")
    audience = request.GET.get("audience", "")
    article_kind = request.GET.get("kind", "")
    filters = {
        "query": request.GET.get("q", "").strip()[:200],
        "status": status if status in KnowledgeStatus.values else "",
        "audience": audience if audience in Audience.values else "",
        "kind": article_kind if kind == "article" and article_kind in ArticleKind.values else "",
        "tag": request.GET.get("tag", "").strip()[:40],
        "product_id": optional_id(request.GET.get("product")),
        "stale_only": request.GET.get("stale") == "1",
    }
    sort, ordering = sort_param(request, SORTS, "-updated")
    qs = item_search(model=MODELS[kind], user=request.user, ordering=ordering, **filters)
    page = paginate(request, qs)
    product = apps.get_model("catalog", "Product")
    internal = may_see_versions(request.user)
    return render(
        request,
        "knowledge/home.html",
        {
            "kind": kind,
            "singular": LABELS[kind][0],
            "plural": LABELS[kind][1],
            "page": page,
            "filters": filters,
            "filtered": any(filters.values()),
            "sort": sort,
            "querystring": query_without_page(request),
            "statuses": KnowledgeStatus.choices if internal else [],
            "audiences": Audience.choices if internal else [],
            "article_kinds": ArticleKind.choices,
            "products": product.objects.only("id", "name").order_by("name"),
            "can_draft": holds(request.user, "knowledge.draft"),
            "internal": internal,
        },
    )


def _detail_context(request: HttpRequest, item: KnowledgeItem, **forms: Any) -> dict[str, Any]:
    user = request.user
    internal = may_see_versions(user)
    status = item.status
    can_draft = holds(user, "knowledge.draft")
    can_publish = holds(user, "knowledge.publish")
    return {
        "item": item,
        "kind": item._meta.model_name,
        "internal": internal,
        "can_edit": can_draft and status != KnowledgeStatus.ARCHIVED,
        "can_submit": can_draft and status == KnowledgeStatus.DRAFT,
        "can_publish": can_publish and status == KnowledgeStatus.IN_REVIEW,
        "can_return": can_publish and status in (KnowledgeStatus.IN_REVIEW, KnowledgeStatus.PUBLISHED),
        "can_archive": can_publish and status != KnowledgeStatus.ARCHIVED,
        "can_review": can_draft and status != KnowledgeStatus.ARCHIVED,
        "return_form": forms.get("return_form") or ReturnForm(),
        "flag_form": forms.get("flag_form") or FlagForm(),
        "reviewed_form": forms.get("reviewed_form") or ReviewedForm(),
        "versions": list(versions_of(item)[:20]) if internal else None,
        "events": audit.events_for(item)[:50] if internal and holds(user, "audit.view") else None,
        # How often agents sent this answer to customers: what the library finds valuable.
        "usage_count": AnswerUsage.objects.filter(answer_id=item.pk).count()
        if internal and isinstance(item, Answer)
        else None,
    }


@login_required
def item_detail(request: HttpRequest, kind: str, **ids: int) -> HttpResponse:
    item = _get(request, kind, ids)
    return render(request, "knowledge/item_detail.html", _detail_context(request, item))


@login_required
def item_versions(request: HttpRequest, kind: str, **ids: int) -> HttpResponse:
    """The saved versions of an item and the difference between two of them."""
    item = _get(request, kind, ids)
    if not may_see_versions(request.user):
        raise PermissionDenied("Versions of knowledge items are for staff.")
    diff = version_diff(item, optional_id(request.GET.get("from")), optional_id(request.GET.get("to")))
    return render(
        request,
        "knowledge/item_versions.html",
        {"item": item, "kind": kind, "versions": versions_of(item), "diff": diff},
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest, kind: str) -> HttpResponse:
    require(request.user, "knowledge.draft")
    model = MODELS[kind]
    form = ItemForm(request.POST or None, model=model)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_create(actor=request.user, model=model, data=form.service_data())
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"The {kind} was saved as a draft.")
            return _detail_url(item)
    status = 400 if form.is_bound else 200
    return render(request, "knowledge/item_form.html", {"form": form, "kind": kind}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, kind: str, **ids: int) -> HttpResponse:
    item = _get(request, kind, ids)
    require(request.user, "knowledge.draft")
    form = ItemForm(request.POST or None, model=type(item), instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_update(
                actor=request.user,
                item=item,
                data=form.service_data(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{item} was saved.")
            return _detail_url(item)
    status = 400 if form.is_bound else 200
    return render(
        request, "knowledge/item_form.html", {"form": form, "kind": kind, "item": item}, status=status
    )


STEP_MESSAGES = {
    "submit": "was sent for review.",
    "publish": "was published.",
    "return": "was returned to draft.",
    "archive": "was archived.",
    "flag": "was flagged for review.",
    "reviewed": "was marked as reviewed.",
}


@login_required
@require_POST
def item_step(request: HttpRequest, kind: str, step: str, **ids: int) -> HttpResponse:
    """One workflow button on the detail page (submit, publish, return, archive, flag, reviewed)."""
    item = _get(request, kind, ids)
    actor = request.user
    forms: dict[str, Any] = {}
    try:
        if step == "submit":
            services.item_submit(actor=actor, item=item)
        elif step == "publish":
            services.item_publish(actor=actor, item=item)
        elif step == "archive":
            services.item_archive(actor=actor, item=item)
        elif step == "return":
            forms["return_form"] = form = ReturnForm(request.POST)
            comment = form.cleaned_data["comment"] if form.is_valid() else ""
            services.item_return(actor=actor, item=item, comment=comment)
        elif step == "flag":
            forms["flag_form"] = form = FlagForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.item_flag(actor=actor, item=item, reason=reason)
        elif step == "reviewed":
            forms["reviewed_form"] = form = ReviewedForm(request.POST)
            review_by = form.cleaned_data.get("review_by") if form.is_valid() else None
            services.item_confirm_reviewed(actor=actor, item=item, review_by=review_by)
        else:  # pragma: no cover - the URL conf names every step
            raise Http404
    except ApplicationError as exc:
        for form in forms.values():
            form.add_service_error(exc)
        if not forms:
            messages.error(request, exc.as_line())
            return _detail_url(item)
        item = _get(request, kind, ids)
        return render(
            request, "knowledge/item_detail.html", _detail_context(request, item, **forms), status=400
        )
    messages.success(request, f"{item} {STEP_MESSAGES[step]}")
    return _detail_url(item)


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    """Items due for review: mine, or (level 5, ``?all=1``) everyone's."""
    require(request.user, "knowledge.draft")
    everyone = request.GET.get("all") == "1" and holds(request.user, "knowledge.publish")
    stale = stale_items_for(user=request.user, everyone=everyone)
    return render(
        request,
        "knowledge/review_list.html",
        {
            "answers": stale["answer"][:200],
            "articles": stale["article"][:200],
            "everyone": everyone,
            "can_see_all": holds(request.user, "knowledge.publish"),
        },
    )
