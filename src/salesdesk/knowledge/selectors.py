"""Reads of the knowledge base, limited to what the asking user may see.

Audience scoping lives here and only here (search reuses ``visible_answers`` and
``visible_articles``): partner users read published items written for partners or
customers; customer users read published items written for customers; staff read every
published item, and from level 2 (who draft) every draft, review and archived item too.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from salesdesk.core.permissions import holds
from salesdesk.core.roles import INTERNAL_KINDS, UserKind

from .choices import CUSTOMER_AUDIENCES, PARTNER_AUDIENCES, KnowledgeStatus
from .models import Answer, Article, KnowledgeItem

MODELS: dict[str, type[KnowledgeItem]] = {"answer": Answer, "article": Article}


def _product_prefetch() -> Prefetch[Any]:
    from django.apps import apps

    product = apps.get_model("catalog", "Product")
    return Prefetch("products", queryset=product.objects.only("id", "sku", "name", "lifecycle"))


def _visible(model: type[KnowledgeItem], user: Any) -> QuerySet[Any]:
    qs = model.objects.select_related("owner").prefetch_related(_product_prefetch())
    if not holds(user, "knowledge.view"):
        return qs.none()
    published = Q(status=KnowledgeStatus.PUBLISHED)
    if user.kind in INTERNAL_KINDS:
        if holds(user, "knowledge.draft"):
            return qs
        # Level 1 agents and sales reps read what is published, and anything they own.
        return qs.filter(published | Q(owner=user))
    if user.kind == UserKind.PARTNER:
        return qs.filter(published, audience__in=PARTNER_AUDIENCES)
    if user.kind == UserKind.CUSTOMER:
        return qs.filter(published, audience__in=CUSTOMER_AUDIENCES)
    return qs.none()


def visible_answers(user: Any) -> QuerySet[Answer]:
    """The answers ``user`` may read (audience and status applied)."""
    return _visible(Answer, user)


def visible_articles(user: Any) -> QuerySet[Article]:
    """The articles ``user`` may read (audience and status applied)."""
    return _visible(Article, user)


def visible_items(model: type[KnowledgeItem], user: Any) -> QuerySet[Any]:
    return visible_answers(user) if model is Answer else visible_articles(user)


def answer_get_for_user(*, user: Any, answer_id: int) -> Answer:
    return get_object_or_404(visible_answers(user), pk=answer_id)


def article_get_for_user(*, user: Any, article_id: int) -> Article:
    return get_object_or_404(visible_articles(user), pk=article_id)


def may_see_versions(user: Any) -> bool:
    """Drafts, old versions and history are the vendor's working papers: staff only."""
    return holds(user, "knowledge.view") and getattr(user, "kind", None) in INTERNAL_KINDS


def stale_q() -> Q:
    """Items due for review: flagged, or past their review-by date, and not archived."""
    return (Q(needs_review=True) | Q(review_by__lt=timezone.localdate())) & ~Q(
        status=KnowledgeStatus.ARCHIVED
    )


def item_search(
    *,
    model: type[KnowledgeItem],
    user: Any,
    query: str = "",
    status: str = "",
    audience: str = "",
    tag: str = "",
    product_id: int | None = None,
    kind: str = "",
    stale_only: bool = False,
    owner_id: int | None = None,
    ordering: str = "-updated_at",
) -> QuerySet[Any]:
    """A filtered list of visible items; ``query`` is a plain substring match (search ranks)."""
    qs = visible_items(model, user)
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(body__icontains=query))
    if status:
        qs = qs.filter(status=status)
    if audience:
        qs = qs.filter(audience=audience)
    if tag:
        qs = qs.filter(tag_index__contains=f"|{tag.strip().lower()}|")
    if product_id:
        qs = qs.filter(products__id=product_id)
    if kind and model is Article:
        qs = qs.filter(kind=kind)
    if stale_only:
        qs = qs.filter(stale_q())
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    return qs.order_by(ordering, "-id")


def stale_items_for(*, user: Any, everyone: bool = False) -> dict[str, QuerySet[Any]]:
    """Items due for review: the user's own, or (level 5, ``everyone``) the whole team's."""
    result = {}
    for name, model in MODELS.items():
        qs = visible_items(model, user).filter(stale_q())
        if not (everyone and holds(user, "knowledge.publish")):
            qs = qs.filter(owner=user)
        result[name] = qs.order_by("review_by", "id")
    return result


def versions_of(item: KnowledgeItem) -> QuerySet[Any]:
    versions: QuerySet[Any] = item.versions.select_related("author").order_by("-number")  # type: ignore[attr-defined]
    return versions


def version_diff(item: KnowledgeItem, from_number: int | None, to_number: int | None) -> dict[str, Any]:
    """Compare two saved versions (default: the one before the latest with the latest).

    Returns the unified diff (``difflib.unified_diff``, 3 lines of context) as text and as
    lines tagged add / del / hunk / context for the page. An unknown number is a 404.
    """
    import difflib

    versions = item.versions  # type: ignore[attr-defined]
    latest = versions.order_by("-number").values_list("number", flat=True).first() or 1
    to_number = to_number or latest
    from_number = from_number or max(1, to_number - 1)
    old = get_object_or_404(versions, number=from_number)
    new = get_object_or_404(versions, number=to_number)
    lines = list(
        difflib.unified_diff(
            old.as_text().splitlines(),
            new.as_text().splitlines(),
            fromfile=f"version {old.number}",
            tofile=f"version {new.number}",
            lineterm="",
        )
    )
    tagged = []
    for line in lines[2:]:
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "context")
        tagged.append((kind, line))
    return {
        "from_version": old.number,
        "to_version": new.number,
        "unified": "\n".join(lines),
        "lines": tagged,
        "old": old,
        "new": new,
    }
