"""The audit trail: every create, update, delete and workflow step on a business record.

Services call these functions explicitly (no signals), inside their transaction, so a
change and its audit record are committed together or not at all — on SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import CharField, Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Cast

from .models import AuditAction, AuditedModel, AuditEvent
from .permissions import holds
from .roles import INTERNAL_KINDS


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value, readable in a timeline."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The audited field values of ``instance``, keyed by field name.

    A reference to another record reads as "Customer A (#3)": a timeline says who or
    what, and the id stays for anyone who needs to look the record up.
    """
    exclude = set(getattr(instance, "audit_exclude", ()))
    values: dict[str, Any] = {}
    for f in instance._meta.concrete_fields:
        if f.name in exclude or f.primary_key:
            continue
        raw = getattr(instance, f.attname)
        if f.is_relation and raw is not None:
            values[f.name] = f"{getattr(instance, f.name)} (#{raw})"
        else:
            values[f.name] = _plain(raw)
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field whose value changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    label = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return label or getattr(actor, "username", None) or str(actor)


def _scope(instance: models.Model) -> int | None:
    getter = getattr(instance, "audit_scope_organisation_id", None)
    return getter() if callable(getter) else None


def record(
    actor: Any,
    instance: models.Model,
    action: str,
    changes: dict[str, Any] | None = None,
    *,
    step: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event about ``instance``. Call inside the service's transaction."""
    if not transaction.get_connection().in_atomic_block:
        # Outside a transaction the record and its audit could part ways on a crash.
        raise RuntimeError("audit.record must run inside the service's transaction.atomic block")
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_actor_label(actor),
        action=action,
        # A step is a short label ("escalated"); details belong in ``detail``. Never let
        # an over-long label fail a user's action on PostgreSQL, which enforces the length.
        step=step if len(step) <= STEP_MAX else step[: STEP_MAX - 1] + "…",
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes or {},
        detail=detail or {},
        scope_organisation_id=_scope(instance),
    )


def record_created(actor: Any, instance: models.Model, **kwargs: Any) -> AuditEvent:
    after = snapshot(instance)
    return record(
        actor,
        instance,
        AuditAction.CREATED,
        {k: [None, v] for k, v in after.items() if v not in (None, "")},
        **kwargs,
    )


def record_updated(
    actor: Any, instance: models.Model, before: dict[str, Any], **kwargs: Any
) -> AuditEvent | None:
    """Record what changed since ``before`` (a snapshot); nothing when nothing changed."""
    changes = diff(before, snapshot(instance))
    if not changes:
        return None
    return record(actor, instance, AuditAction.UPDATED, changes, **kwargs)


def record_deleted(actor: Any, instance: models.Model, **kwargs: Any) -> AuditEvent:
    before = snapshot(instance)
    return record(actor, instance, AuditAction.DELETED, {k: [v, None] for k, v in before.items()}, **kwargs)


def record_step(
    actor: Any,
    instance: models.Model,
    step: str,
    changes: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """A workflow step (escalated, approved, signed off …), with whatever it changed."""
    return record(actor, instance, AuditAction.STEP, changes, step=step, detail=detail)


@transaction.atomic
def bulk_update(actor: Any, queryset: models.QuerySet[Any], **values: Any) -> int:
    """The audited way to change many rows: each row is saved and recorded on its own."""
    count = 0
    for instance in queryset.select_for_update():
        before = snapshot(instance)
        for name, value in values.items():
            setattr(instance, name, value)
        instance.save(update_fields=list(values))
        record_updated(actor, instance, before)
        count += 1
    return count


def events_for(instance: models.Model) -> models.QuerySet[AuditEvent]:
    """The history of one record, newest first."""
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
    ).select_related("actor", "content_type")


def events_for_organisation(organisation_id: int) -> models.QuerySet[AuditEvent]:
    """Every event scoped to an account, unfiltered: use :func:`organisation_timeline` for people."""
    return AuditEvent.objects.filter(scope_organisation_id=organisation_id).select_related(
        "actor", "content_type"
    )


# An account's timeline gathers the events of many kinds of record (the organisation, its
# contacts, its opportunities, later cases and proposals). Someone who may see the account
# need not see all of them — a customer user sees their organisation but no opportunity —
# so each app says, for its own models, which records a user may see (in its AppConfig.ready).
# Kinds nobody registered stay off external users' timelines: a new app's events are hidden
# until it says who sees them.
STEP_MAX = AuditEvent._meta.get_field("step").max_length or 60

TimelineRule = Callable[[Any], "QuerySet[Any] | None"]
_TIMELINE_RULES: dict[type[models.Model], TimelineRule] = {}
_TIMELINE_HIDDEN: dict[type[models.Model], Q] = {}


def timeline_register(model: type[models.Model], visible: TimelineRule, *, hidden: Q | None = None) -> None:
    """Show ``model``'s events on account timelines to users for whom ``visible(user)`` has the record.

    ``visible`` returns the records the user may see, or None when every event of this kind
    on a timeline the user may open is theirs to see (e.g. the organisation's own events).
    ``hidden`` matches events of the kind that external users never see even on their own
    records (e.g. which partner held a deal before them).
    """
    _TIMELINE_RULES[model] = visible
    if hidden is not None:
        _TIMELINE_HIDDEN[model] = hidden


def _timeline_visible_q(user: Any) -> Q:
    q = Q(pk__in=[])
    for model, visible in _TIMELINE_RULES.items():
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
        records = visible(user)
        if records is None:
            q |= Q(content_type=content_type)
        else:
            # object_id is text (it holds any model's key), so compare as text.
            ids = records.order_by().annotate(_object_id=Cast("pk", output_field=CharField()))
            q |= Q(content_type=content_type, object_id__in=ids.values("_object_id"))
    for model, hidden in _TIMELINE_HIDDEN.items():
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
        q &= ~(Q(content_type=content_type) & hidden)
    return q


def organisation_timeline(*, user: Any, organisation_id: int) -> QuerySet[AuditEvent]:
    """An account's timeline as ``user`` may read it, newest first.

    Call it only for an organisation the user may see (its selector decides). Staff see
    every event on the account; external users see only the events of records they may see.
    """
    if not holds(user, "audit.view"):
        return AuditEvent.objects.none()
    events = events_for_organisation(organisation_id)
    if user.kind in INTERNAL_KINDS:
        return events
    return events.filter(_timeline_visible_q(user))


__all__ = [
    "AuditedModel",
    "bulk_update",
    "diff",
    "events_for",
    "events_for_organisation",
    "organisation_timeline",
    "record",
    "record_created",
    "record_deleted",
    "record_step",
    "record_updated",
    "snapshot",
    "timeline_register",
]
