"""Keyset (cursor) pagination for the queue pages: a deep page costs what the first one does.

A page is ordered by ``(key, id)`` with ``key`` a nullable date-time (``resolution_due_at``
or ``at_risk_at``), rows without a key last, ordered by id. The cursor in the link names
the row a page starts after (Next) or ends before (Previous); the database seeks to it with
a range condition on an index ``(…, key, id)`` instead of counting and skipping rows, and
no ``COUNT(*)`` is run. The condition is ``key >= value AND (key > value OR id > last id)``:
the first term bounds the index range, the second skips the rows of the same key already
shown (many cases share a due time: a target of whole working days started outside hours
ends exactly at closing time). A row comparison ``(key, id) > (value, id)`` reads the same
on PostgreSQL but misleads its planner into sorting whole filtered queues, so it is not used.
Rows without a key are read by a second query only when a page reaches the end of the keyed
rows.

The queue pages and the API's queue lists (``api.CaseCursor``) use it.

The cursor is opaque text (base64 of JSON); one that cannot be read starts at the first page.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet

MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Position:
    """Where a page starts (``forward``: after it) or ends (not ``forward``: before it)."""

    forward: bool
    key: dt.datetime | None
    id: int

    def encode(self) -> str:
        raw = json.dumps(["a" if self.forward else "b", self.key.isoformat() if self.key else None, self.id])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str | None) -> Position | None:
        """The position in a cursor, or None when there is none or it is not one we gave out."""
        if not text:
            return None
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            direction, key, pk = json.loads(raw)
            when = dt.datetime.fromisoformat(key) if key is not None else None
            if direction not in ("a", "b") or not isinstance(pk, int) or not 0 <= pk <= MAX_ID:
                return None
            if when is not None and when.tzinfo is None:
                return None
        except (ValueError, TypeError, binascii.Error, UnicodeError, RecursionError):
            return None
        return cls(direction == "a", when, pk)


@dataclass
class KeysetPage:
    """One page of rows with the cursors of its neighbours (None: there is no such page)."""

    object_list: list[Any]
    next_cursor: str | None = None
    previous_cursor: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def __len__(self) -> int:
        return len(self.object_list)

    def __iter__(self) -> Any:
        return iter(self.object_list)


def _position_of(row: Any, key: str, forward: bool) -> Position:
    return Position(forward, getattr(row, key), row.pk)


def keyset_page(queryset: QuerySet[Any], key: str, cursor: str | None, size: int) -> KeysetPage:
    """The page of ``queryset`` (ordered by ``key`` then id, rows without ``key`` last) at ``cursor``."""
    position = Position.decode(cursor)
    keyed = queryset.filter(**{f"{key}__isnull": False})
    unkeyed = queryset.filter(**{f"{key}__isnull": True})
    if position is None or position.forward:
        if position is None:
            rows = list(keyed.order_by(key, "id")[: size + 1])
        elif position.key is None:
            rows = []
            unkeyed = unkeyed.filter(id__gt=position.id)
        else:
            after = Q(**{f"{key}__gt": position.key}) | Q(id__gt=position.id)
            rows = list(
                keyed.filter(**{f"{key}__gte": position.key}).filter(after).order_by(key, "id")[: size + 1]
            )
        if len(rows) <= size:
            rows += list(unkeyed.order_by("id")[: size + 1 - len(rows)])
        more_after = len(rows) > size
        rows = rows[:size]
        more_before = position is not None
    else:
        if position.key is None:
            rows = list(unkeyed.filter(id__lt=position.id).order_by("-id")[: size + 1])
            if len(rows) <= size:
                rows += list(keyed.order_by(F(key).desc(), "-id")[: size + 1 - len(rows)])
        else:
            before = Q(**{f"{key}__lt": position.key}) | Q(id__lt=position.id)
            rows = list(
                keyed.filter(**{f"{key}__lte": position.key})
                .filter(before)
                .order_by(F(key).desc(), "-id")[: size + 1]
            )
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        more_after = True
    page = KeysetPage(rows)
    if rows and more_after:
        page.next_cursor = _position_of(rows[-1], key, True).encode()
    if rows and more_before:
        page.previous_cursor = _position_of(rows[0], key, False).encode()
    return page
