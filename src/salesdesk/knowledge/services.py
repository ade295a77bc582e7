"""Every write to the knowledge base: capability check, version kept, audit recorded.

Lifecycle (DESIGN §1, SSUP): level 2 drafts and submits for review, level 5 publishes,
returns to draft with a comment, and archives. Every change of content (title, body,
alternative phrasings) saves a new numbered version, so any two can be compared.

A content edit of a published item by someone who may not publish puts it back to
draft: customers and partners never read words nobody at level 5 has approved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from salesdesk.core import audit
from salesdesk.core.errors import ApplicationError, StateConflict
from salesdesk.core.permissions import holds, require
from salesdesk.core.roles import UserKind
from salesdesk.core.validation import apply_changes, check_version, clean_or_raise

from . import markdown, search
from .choices import RETIRED_PRODUCT_LIFECYCLES, REVIEW_INTERVAL_DAYS, KnowledgeStatus
from .models import Answer, Article, KnowledgeItem

S = KnowledgeStatus
CONTENT_FIELDS = ("title", "body", "alternatives")
COMMON_FIELDS = {"title", "body", "tags", "audience", "owner", "review_by", "external_id", "products"}
FIELDS: dict[type[KnowledgeItem], set[str]] = {
    Answer: COMMON_FIELDS | {"alternatives"},
    Article: COMMON_FIELDS | {"kind"},
}
MAX_TAGS = 30
MAX_ALTERNATIVES = 50


def _product_model() -> Any:
    # The catalog model by name keeps knowledge free of import cycles with catalog at start-up.
    return apps.get_model("catalog", "Product")


def owner_candidates() -> Any:
    """Who may own knowledge: active support staff (they keep it fresh)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True, kind=UserKind.SUPPORT)


def clean_tags(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.replace(";", ",").split(",")
    if not isinstance(value, list | tuple):
        raise ApplicationError("tags", "must be a list of words")
    tags: list[str] = []
    for raw in value:
        tag = str(raw).strip().lower().replace("|", "")
        if not tag:
            continue
        if len(tag) > 40:
            raise ApplicationError("tags", f"“{tag[:20]}…” is longer than 40 characters")
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ApplicationError("tags", f"at most {MAX_TAGS} tags")
    return tags


def clean_alternatives(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple):
        raise ApplicationError("alternatives", "must be a list of phrasings")
    result = []
    for raw in value:
        text = str(raw).strip()
        if text and text not in result:
            if len(text) > 300:
                raise ApplicationError("alternatives", "a phrasing is longer than 300 characters")
            result.append(text)
    if len(result) > MAX_ALTERNATIVES:
        raise ApplicationError("alternatives", f"at most {MAX_ALTERNATIVES} phrasings")
    return result


def _resolve(data: dict[str, Any]) -> dict[str, Any]:
    """Swap ids for records and tidy lists; refuse anything that does not exist."""
    data = dict(data)
    if "owner_id" in data:
        owner = owner_candidates().filter(pk=data.pop("owner_id")).first()
        if owner is None:
            raise ApplicationError("owner_id", "must be an active member of support staff")
        data["owner"] = owner
    if "product_ids" in data:
        ids = list(dict.fromkeys(data.pop("product_ids") or []))
        products = list(_product_model().objects.filter(pk__in=ids))
        if len(products) != len(ids):
            missing = sorted(set(ids) - {p.pk for p in products})
            raise ApplicationError("product_ids", f"no such product: {missing[0]}")
        data["products"] = products
    if "tags" in data:
        data["tags"] = clean_tags(data["tags"])
    if "alternatives" in data:
        data["alternatives"] = clean_alternatives(data["alternatives"])
    if "external_id" in data:
        data["external_id"] = (data["external_id"] or "").strip() or None
    for text in ("title", "body"):
        if isinstance(data.get(text), str):
            data[text] = data[text].strip()
    return data


def _skus(products: Any) -> list[str]:
    return sorted(p.sku for p in products)


def _add_version(item: KnowledgeItem, actor: Any, note: str = "") -> Any:
    last = item.versions.order_by("-number").values_list("number", flat=True).first()  # type: ignore[attr-defined]
    return item.versions.create(  # type: ignore[attr-defined]
        number=(last or 0) + 1,
        title=item.title,
        body=item.body,
        alternatives=list(getattr(item, "alternatives", []) or []),
        author=actor if getattr(actor, "pk", None) else None,
        note=note[:300],
    )


def _create(model: type[KnowledgeItem], actor: Any, data: dict[str, Any], status: str) -> KnowledgeItem:
    unknown = sorted(set(data) - FIELDS[model])
    if unknown:
        raise ApplicationError(unknown[0], f"is not a field of an {model._meta.verbose_name}")
    products = data.pop("products", [])
    data.setdefault("owner", actor)
    data.setdefault("review_by", timezone.localdate() + dt.timedelta(days=REVIEW_INTERVAL_DAYS))
    item = model(**data, status=status)
    if status == S.PUBLISHED:
        item.published_at = timezone.now()
    clean_or_raise(item, exclude=["owner"] if item.owner_id is None else None)
    if item.owner_id is None:
        raise ApplicationError("owner_id", "is required")
    item.body_html = markdown.render(item.body)
    item.save()
    item.products.set(products)  # type: ignore[attr-defined]
    _add_version(item, actor, "created")
    event = audit.record_created(actor, item)
    if products:
        event.changes["products"] = [None, _skus(products)]
        event.save(update_fields=["changes"])
    search.index_object(item)
    return item


@transaction.atomic
def item_create(*, actor: Any, model: type[KnowledgeItem], data: dict[str, Any]) -> KnowledgeItem:
    """Draft a new answer or article (level 2); the actor owns it unless an owner is named."""
    require(actor, "knowledge.draft")
    return _create(model, actor, _resolve(data), S.DRAFT)


def answer_create(*, actor: Any, data: dict[str, Any]) -> Answer:
    """Draft an answer: ``title`` is the question, ``body`` the answer (Markdown)."""
    return item_create(actor=actor, model=Answer, data=data)  # type: ignore[return-value]


def article_create(*, actor: Any, data: dict[str, Any]) -> Article:
    """Draft an article (how-to, troubleshooting, technical guidance, product note)."""
    return item_create(actor=actor, model=Article, data=data)  # type: ignore[return-value]


def _lock(item: KnowledgeItem) -> KnowledgeItem:
    return type(item).objects.select_for_update().get(pk=item.pk)


def _change(item: KnowledgeItem, actor: Any, data: dict[str, Any], note: str = "") -> list[str]:
    """Apply changes, validate, save, version and audit; returns the changed field names."""
    model = type(item)
    before = audit.snapshot(item)
    products = data.pop("products", None)
    before_skus = _skus(item.products.all())  # type: ignore[attr-defined]
    changed = apply_changes(item, data, allowed=FIELDS[model] - {"products"})
    products_changed = products is not None and _skus(products) != before_skus
    if not changed and not products_changed:
        return []
    clean_or_raise(item)
    content_changed = any(f in changed for f in CONTENT_FIELDS)
    back_to_draft = (
        content_changed
        and item.status in (S.PUBLISHED, S.IN_REVIEW)
        and not holds(actor, "knowledge.publish")
    )
    if back_to_draft:
        item.status = S.DRAFT
        changed.append("status")
    if "body" in changed:
        item.body_html = markdown.render(item.body)
        changed.append("body_html")
    if changed:
        item.save(update_fields=changed)
    if products_changed:
        item.products.set(products)  # type: ignore[attr-defined]
        if not changed:
            item.save(update_fields=[])  # the version counter still goes up: the ETag must change
    if content_changed:
        _add_version(item, actor, note)
    changes = audit.diff(before, audit.snapshot(item))
    if products_changed:
        changes["products"] = [before_skus, _skus(products)]
    if back_to_draft:
        audit.record_step(actor, item, "edited and returned to draft for review", changes)
    else:
        audit.record(actor, item, "updated", changes)
    search.index_object(item)
    return changed


@transaction.atomic
def item_update(
    *, actor: Any, item: KnowledgeItem, data: dict[str, Any], expected_version: int | None = None
) -> KnowledgeItem:
    """Change an item's content or details; a content change keeps a new version."""
    require(actor, "knowledge.draft")
    item = _lock(item)
    check_version(item, expected_version)
    if item.status == S.ARCHIVED:
        raise StateConflict("status", "an archived item cannot be changed")
    _change(item, actor, _resolve(data))
    return item


def _step(
    item: KnowledgeItem,
    actor: Any,
    *,
    allowed_from: tuple[str, ...],
    to: str,
    step: str,
    detail: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> KnowledgeItem:
    item = _lock(item)
    check_version(item, expected_version)
    if item.status not in allowed_from:
        names = " or ".join(S(s).label.lower() for s in allowed_from)
        raise StateConflict(
            "status", f"only a {names} item can be {step} (this one is {item.get_status_display().lower()})"
        )
    before = audit.snapshot(item)
    item.status = to
    fields = ["status"]
    if to == S.PUBLISHED:
        item.published_at = timezone.now()
        fields.append("published_at")
    item.save(update_fields=fields)
    audit.record_step(actor, item, step, audit.diff(before, audit.snapshot(item)), detail)
    search.index_object(item)
    return item


@transaction.atomic
def item_submit(*, actor: Any, item: KnowledgeItem, expected_version: int | None = None) -> KnowledgeItem:
    """Send a draft for review by level 5."""
    require(actor, "knowledge.draft")
    return _step(
        item, actor, allowed_from=(S.DRAFT,), to=S.IN_REVIEW, step="submitted for review",
        expected_version=expected_version,
    )  # fmt: skip


@transaction.atomic
def item_publish(*, actor: Any, item: KnowledgeItem, expected_version: int | None = None) -> KnowledgeItem:
    """Approve an item in review: its audience may read it from now on (level 5)."""
    require(actor, "knowledge.publish")
    return _step(
        item, actor, allowed_from=(S.IN_REVIEW,), to=S.PUBLISHED, step="published",
        expected_version=expected_version,
    )  # fmt: skip


@transaction.atomic
def item_return(
    *, actor: Any, item: KnowledgeItem, comment: str, expected_version: int | None = None
) -> KnowledgeItem:
    """Send an item in review (or a published one) back to draft, saying what to change."""
    require(actor, "knowledge.publish")
    comment = (comment or "").strip()
    if not comment:
        raise ApplicationError("comment", "say what needs to change")
    return _step(
        item, actor, allowed_from=(S.IN_REVIEW, S.PUBLISHED), to=S.DRAFT, step="returned to draft",
        detail={"comment": comment[:1000]}, expected_version=expected_version,
    )  # fmt: skip


@transaction.atomic
def item_archive(*, actor: Any, item: KnowledgeItem, expected_version: int | None = None) -> KnowledgeItem:
    """Withdraw an item: nobody outside the team reads it any more; its history stays."""
    require(actor, "knowledge.publish")
    return _step(
        item, actor, allowed_from=(S.DRAFT, S.IN_REVIEW, S.PUBLISHED), to=S.ARCHIVED, step="archived",
        expected_version=expected_version,
    )  # fmt: skip


def _flag(item: KnowledgeItem, actor: Any, reason: str) -> bool:
    if item.status == S.ARCHIVED or (item.needs_review and item.review_reason == reason[:300]):
        return False
    before = audit.snapshot(item)
    item.needs_review = True
    item.review_reason = reason[:300]
    item.save(update_fields=["needs_review", "review_reason"])
    audit.record_step(actor, item, "flagged for review", audit.diff(before, audit.snapshot(item)))
    search.index_object(item)
    return True


@transaction.atomic
def item_flag(*, actor: Any, item: KnowledgeItem, reason: str) -> KnowledgeItem:
    """Mark an item as needing review, with the reason (e.g. a customer found it out of date)."""
    require(actor, "knowledge.draft")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("reason", "say why the item needs review")
    item = _lock(item)
    _flag(item, actor, reason)
    return item


@transaction.atomic
def item_confirm_reviewed(
    *, actor: Any, item: KnowledgeItem, review_by: dt.date | None = None
) -> KnowledgeItem:
    """The owner (or any level 2+) checked the item: clear the flag, set the next review date."""
    require(actor, "knowledge.draft")
    item = _lock(item)
    if item.status == S.ARCHIVED:
        raise StateConflict("status", "an archived item is not reviewed")
    today = timezone.localdate()
    review_by = review_by or today + dt.timedelta(days=REVIEW_INTERVAL_DAYS)
    if review_by <= today:
        raise ApplicationError("review_by", "must be in the future")
    before = audit.snapshot(item)
    item.needs_review = False
    item.review_reason = ""
    item.review_by = review_by
    item.save(update_fields=["needs_review", "review_reason", "review_by"])
    audit.record_step(actor, item, "reviewed", audit.diff(before, audit.snapshot(item)))
    search.index_object(item)
    return item


@transaction.atomic
def items_flag_for_product(*, product: Any, reason: str, actor: Any = None) -> int:
    """Flag every live answer and article linked to ``product``; returns how many were flagged.

    A consequence of a catalog change the actor was already allowed to make, so no
    knowledge capability is asked of them; each flag is audited in their name.
    """
    count = 0
    for model in (Answer, Article):
        items = model.objects.select_for_update().filter(products=product).exclude(status=S.ARCHIVED)
        for item in items:
            count += _flag(item, actor, reason)
    return count


def on_product_lifecycle_change(product: Any, old: str, new: str, actor: Any) -> None:
    """Catalog listener: a product going end-of-sale or end-of-life flags what we wrote about it."""
    if new in RETIRED_PRODUCT_LIFECYCLES and old != new:
        label = new.replace("_", "-")
        items_flag_for_product(product=product, reason=f"{product.name} is now {label}", actor=actor)


# --- Import -------------------------------------------------------------------------------------


@transaction.atomic
def item_import(
    *, actor: Any, model: type[KnowledgeItem], data: dict[str, Any], status: str
) -> tuple[KnowledgeItem, bool]:
    """Create or update (by ``external_id``) one imported item; (item, created).

    The importer has validated the row already; the status is set as the file says,
    which needs level 5 for anything past review (``io.import_file`` checks it per row).
    """
    if actor is not None:
        require(actor, "knowledge.draft")
        if status in (S.PUBLISHED, S.ARCHIVED):
            require(actor, "knowledge.publish")
    data = _resolve(data)
    external_id = data.get("external_id")
    existing = model.objects.filter(external_id=external_id).first() if external_id else None
    if existing is None:
        return _create(model, actor, data, status), True
    item = _lock(existing)
    data.pop("external_id", None)
    _change(item, actor, data, note="imported")
    if item.status != status:
        before = audit.snapshot(item)
        item.status = status
        fields = ["status"]
        if status == S.PUBLISHED:
            item.published_at = timezone.now()
            fields.append("published_at")
        item.save(update_fields=fields)
        audit.record_step(actor, item, "status set by import", audit.diff(before, audit.snapshot(item)))
        search.index_object(item)
    return item, False
