"""Reads of opportunities, limited to what the asking user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from salesdesk.core.permissions import holds
from salesdesk.core.roles import INTERNAL_KINDS, UserKind

from .models import Opportunity


def visible_opportunities(user: Any) -> QuerySet[Opportunity]:
    """Staff see every opportunity; a partner user only the deals their organisation brings.

    Customers see none (their view of a deal is the proposal shared with them).
    """
    qs = Opportunity.objects.select_related("account", "owner", "partner")
    if not holds(user, "opportunity.view"):
        return qs.none()
    if user.kind in INTERNAL_KINDS:
        return qs
    if user.kind == UserKind.PARTNER and user.organisation_id:
        return qs.filter(partner_id=user.organisation_id)
    return qs.none()


def opportunity_get_for_user(*, user: Any, opportunity_id: int) -> Opportunity:
    return get_object_or_404(visible_opportunities(user), pk=opportunity_id)


def opportunity_search(
    *,
    user: Any,
    query: str = "",
    stage: str = "",
    account_id: int | None = None,
    owner_id: int | None = None,
    partner_id: int | None = None,
    open_only: bool = False,
    ordering: str = "expected_close_date",
) -> QuerySet[Opportunity]:
    from .choices import OPEN_STAGES

    qs = visible_opportunities(user)
    query = query.replace("\x00", "")  # PostgreSQL cannot compare text with NUL in it
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(account__name__icontains=query))
    if stage:
        qs = qs.filter(stage=stage)
    if account_id:
        qs = qs.filter(account_id=account_id)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if partner_id:
        qs = qs.filter(partner_id=partner_id)
    if open_only:
        qs = qs.filter(stage__in=OPEN_STAGES)
    return qs.order_by(ordering, "id")
