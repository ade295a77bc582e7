"""Reads of deal registrations, and the conflict check's database side.

A partner user sees only their own organisation's registrations (another partner's is a
404); a sales manager (``deal.approve``) sees all of them. The conflict check itself is not
limited by who asks — it must find every partner's deals — so its result is shown only to
sales managers; a partner learns that a conflict exists, never whose.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Q, QuerySet
from django.shortcuts import get_object_or_404

from salesdesk.core.permissions import holds
from salesdesk.core.roles import UserKind
from salesdesk.parties.choices import OrganisationKind
from salesdesk.parties.models import Organisation

from .choices import OPEN_STAGES
from .conflicts import ConflictMatch, NameIndex, product_overlap
from .models import Opportunity
from .registration_models import DealRegistration, RegistrationStatus


def visible_registrations(user: Any) -> QuerySet[DealRegistration]:
    """Sales managers see every registration; a partner user their organisation's only."""
    qs = DealRegistration.objects.select_related(
        "partner", "account", "registered_by", "decided_by", "opportunity"
    )
    if holds(user, "deal.approve"):
        return qs
    if holds(user, "deal.register") and user.kind == UserKind.PARTNER and user.organisation_id:
        return qs.filter(partner_id=user.organisation_id)
    return qs.none()


def registration_get_for_user(*, user: Any, registration_id: int) -> DealRegistration:
    return get_object_or_404(visible_registrations(user).prefetch_related("products"), pk=registration_id)


REGISTRATION_SORTS = {
    "created": "created_at",
    "customer": "customer_name",
    "close": "expected_close_date",
    "amount": "amount",
    "status": "status",
}


def registration_search(
    *,
    user: Any,
    query: str = "",
    status: str = "",
    in_conflict: bool | None = None,
    partner_id: int | None = None,
    ordering: str = "-created_at",
) -> QuerySet[DealRegistration]:
    """Visible registrations matching the filters (the partner list and the manager queue)."""
    qs = visible_registrations(user).prefetch_related("products")
    query = query.replace("\x00", "")
    if query:
        qs = qs.filter(Q(customer_name__icontains=query) | Q(title__icontains=query))
    if status:
        qs = qs.filter(status=status)
    if in_conflict is not None:
        qs = qs.filter(in_conflict=in_conflict)
    if partner_id:
        qs = qs.filter(partner_id=partner_id)
    return qs.order_by(ordering, "-id")


# --- The conflict check ------------------------------------------------------------------------
# Company names are matched in Python (rapidfuzz over prepared keys): a database cannot index
# a fuzzy score. The prepared keys — of every customer account, and of every registration —
# are kept per process and brought up to date on each check: one aggregate query (count,
# newest change, highest id) tells whether anything changed; rows changed since are re-read
# and re-keyed; a removal (the count drops) rebuilds the index.


@dataclass
class _CachedIndex:
    stamp: tuple[Any, ...]
    changed: Any
    index: NameIndex


_INDEXES: dict[str, _CachedIndex] = {}
_INDEX_LOCK = threading.Lock()


def _name_index(label: str, table: QuerySet[Any], rows: Q, name_field: str) -> NameIndex:
    """The prepared names of the ``rows`` of ``table`` (a model with ``updated_at``), fresh as of now.

    The freshness query reads the whole table in one pass (a filtered count would look every
    row up through an index, slower); a change to a row outside ``rows`` costs one empty read.
    """
    row = table.order_by().aggregate(n=Count("id", filter=rows), changed=Max("updated_at"), top=Max("id"))
    rows_qs = table.filter(rows)
    stamp = (row["n"], row["changed"], row["top"])
    where = f"{label}:{connection.vendor}:{connection.settings_dict.get('NAME')}"
    with _INDEX_LOCK:
        cached = _INDEXES.get(where)
        if cached is not None and cached.stamp == stamp:
            return cached.index
        if cached is not None and cached.changed is not None and row["n"] >= cached.stamp[0]:
            # Added or changed since: re-key those rows (>=: rows saved in the same instant).
            changed = rows_qs.order_by().filter(updated_at__gte=cached.changed).values_list("id", name_field)
            cached.index.update(changed)
            if cached.index.rows_seen == row["n"]:
                cached.stamp, cached.changed = stamp, row["changed"]
                return cached.index
        index = NameIndex(rows_qs.order_by().values_list("id", name_field).iterator(chunk_size=5000))
        _INDEXES[where] = _CachedIndex(stamp, row["changed"], index)
        return index


def customer_name_index() -> NameIndex:
    """Every customer account's name, prepared for matching."""
    return _name_index("customers", Organisation.objects.all(), Q(kind=OrganisationKind.CUSTOMER), "name")


def registration_name_index() -> NameIndex:
    """Every registration's customer name (whatever its status), prepared for matching."""
    return _name_index("registrations", DealRegistration.objects.all(), Q(), "customer_name")


@dataclass
class ConflictReport:
    """What the check found for one registration."""

    matches: list[ConflictMatch] = field(default_factory=list)
    # The best-matching customer account and its score (None: no existing customer matches).
    best_account_id: int | None = None
    best_account_score: float = 0.0
    # A conflicting opportunity protected for another partner until this date.
    blocked_until: dt.date | None = None

    @property
    def in_conflict(self) -> bool:
        return bool(self.matches)


def registration_conflicts(
    *,
    customer_key: str,
    account_id: int | None,
    product_ids: list[int],
    partner_id: int | None,
    exclude_registration_id: int | None = None,
    today: dt.date,
) -> ConflictReport:
    """Open opportunities and live registrations of the same customer with overlapping products.

    "Same customer": the account named on the registration, or any customer account or
    registration whose name key scores at least ``conflicts.MATCH_THRESHOLD``. "Live": pending,
    or approved and still protected. An opportunity protected for another partner blocks the
    registration until its protection ends. Queries: one aggregate (the name cache), the
    opportunities of the matched accounts (by the account index), their products, their
    protections, and the live registrations — whatever the number of opportunities stored.
    """
    report = ConflictReport()
    scores: dict[int, float] = dict(customer_name_index().match(customer_key))
    if account_id is not None:
        scores[account_id] = 100.0
    if scores:
        best = max(scores.items(), key=lambda item: (item[1], -item[0]))
        report.best_account_id, report.best_account_score = best
    mine = set(product_ids)

    # By account only, the stage checked here: a handful of rows per account, and SQLite's
    # planner would otherwise walk the stage index (most opportunities are open).
    opportunities = [
        o
        for o in Opportunity.objects.filter(account_id__in=list(scores))
        .order_by()
        .values("id", "name", "account_id", "account__name", "partner_id", "partner__name", "stage")
        if o["stage"] in OPEN_STAGES
    ]
    opportunity_ids = [o["id"] for o in opportunities]
    products: dict[int, set[int]] = defaultdict(set)
    protections: dict[int, tuple[dt.date, int]] = {}
    if opportunity_ids:
        through = Opportunity.products.through
        for opportunity_id, product_id in through.objects.filter(
            opportunity_id__in=opportunity_ids
        ).values_list("opportunity_id", "product_id"):
            products[opportunity_id].add(product_id)
        for opportunity_id, until, holder in DealRegistration.objects.filter(
            opportunity_id__in=opportunity_ids,
            status=RegistrationStatus.APPROVED,
            protected_until__gte=today,
        ).values_list("opportunity_id", "protected_until", "partner_id"):
            if until is not None and (
                opportunity_id not in protections or until > protections[opportunity_id][0]
            ):
                protections[opportunity_id] = (until, holder)
    for o in opportunities:
        overlap = product_overlap(mine, products.get(o["id"], ()))
        if overlap is None:
            continue
        protection = protections.get(o["id"])
        protected_until = protection[0] if protection else None
        holder_id = protection[1] if protection else None
        blocking = protected_until is not None and holder_id != partner_id
        if (
            blocking
            and protected_until is not None
            and (report.blocked_until is None or protected_until > report.blocked_until)
        ):
            report.blocked_until = protected_until
        report.matches.append(
            ConflictMatch(
                kind="opportunity",
                id=o["id"],
                label=o["name"],
                customer=o["account__name"],
                score=scores[o["account_id"]],
                products=sorted(overlap.products),
                products_unknown=overlap.unknown,
                partner_id=holder_id if holder_id is not None else o["partner_id"],
                partner=o["partner__name"] or "",
                status=o["stage"],
                protected_until=protected_until.isoformat() if protected_until else None,
                blocking=blocking,
                account_id=o["account_id"],
            )
        )

    # Registrations: by name (the index of every registration), or naming a matched account.
    # Live ones only: pending, or approved and still protected (approved ones whose deal was
    # found above are reported as that deal). Two look-ups by primary key and by account,
    # each on its index; the status is checked here.
    named = dict(registration_name_index().match(customer_key))
    found_opportunities = set(opportunity_ids)
    fields = ("id", "account_id", "status", "protected_until", "opportunity_id")
    rows = {
        *DealRegistration.objects.filter(pk__in=list(named)).order_by().values_list(*fields),
        *DealRegistration.objects.filter(account_id__in=list(scores)).order_by().values_list(*fields),
    }
    candidates: dict[int, float] = {}
    for pk, account, status, until, opportunity_id in rows:
        live = status == RegistrationStatus.PENDING or (
            status == RegistrationStatus.APPROVED and until is not None and until >= today
        )
        if not live or pk == exclude_registration_id or opportunity_id in found_opportunities:
            continue
        candidates[pk] = max(named.get(pk, 0.0), scores.get(account, 0.0) if account else 0.0)
    if candidates:
        registered: dict[int, set[int]] = defaultdict(set)
        for registration_id, product_id in DealRegistration.products.through.objects.filter(
            dealregistration_id__in=list(candidates)
        ).values_list("dealregistration_id", "product_id"):
            registered[registration_id].add(product_id)
        for r in (
            DealRegistration.objects.filter(pk__in=list(candidates))
            .order_by("id")
            .values("id", "title", "customer_name", "account_id", "partner_id", "partner__name", "status")
        ):
            overlap = product_overlap(mine, registered.get(r["id"], ()))
            if overlap is None:
                continue
            report.matches.append(
                ConflictMatch(
                    kind="registration",
                    id=r["id"],
                    label=r["title"] or f"Registration #{r['id']}",
                    customer=r["customer_name"],
                    score=candidates[r["id"]],
                    products=sorted(overlap.products),
                    products_unknown=overlap.unknown,
                    partner_id=r["partner_id"],
                    partner=r["partner__name"],
                    status=r["status"],
                    account_id=r["account_id"],
                )
            )
    report.matches.sort(key=lambda m: (not m.blocking, -m.score, m.kind, m.id))
    return report
