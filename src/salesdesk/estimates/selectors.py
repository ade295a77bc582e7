"""Reads of estimates, limited to what the asking user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from salesdesk.core.audit import events_for
from salesdesk.core.roles import UserKind
from salesdesk.deals.selectors import visible_opportunities

from .calibration import Actual, CalibrationReport, calibration_report
from .choices import EstimateStatus
from .models import Estimate, EstimateVersion, ProjectActual


def visible_estimates(user: Any) -> QuerySet[Estimate]:
    """Support staff (and admins) see every estimate; a sales rep those of opportunities they own.

    Partners and customers see none: an estimate holds our cost rates and margins.
    """
    qs = Estimate.objects.select_related("opportunity", "opportunity__account", "owner")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    opportunities = visible_opportunities(user)
    kind = getattr(user, "kind", None)
    if kind in (UserKind.SUPPORT, UserKind.ADMIN):
        return qs.filter(opportunity__in=opportunities.values("pk"))
    if kind == UserKind.SALES_REP:
        return qs.filter(opportunity__in=opportunities.filter(owner=user).values("pk"))
    return qs.none()


def changeable_estimates(user: Any) -> QuerySet[Estimate]:
    """The estimates the user sees whose working copy may change: drafts and returned ones."""
    return (
        visible_estimates(user)
        .filter(status__in=(EstimateStatus.DRAFT, EstimateStatus.RETURNED))
        .order_by("-id")
    )


def estimate_get_for_user(*, user: Any, estimate_id: int) -> Estimate:
    """One estimate the user may see; 404 otherwise (never 403: its existence is not disclosed)."""
    return get_object_or_404(visible_estimates(user), pk=estimate_id)


def estimates_of_opportunity(*, user: Any, opportunity_id: int) -> QuerySet[Estimate]:
    return visible_estimates(user).filter(opportunity_id=opportunity_id)


def estimate_versions(*, estimate: Estimate) -> QuerySet[EstimateVersion]:
    return EstimateVersion.objects.filter(estimate=estimate).select_related("submitted_by", "signed_off_by")


def version_get(*, estimate: Estimate, number: int) -> EstimateVersion:
    return get_object_or_404(estimate_versions(estimate=estimate), number=number)


def visible_actuals(user: Any) -> QuerySet[ProjectActual]:
    """Project actuals are internal: support staff and admins only."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ProjectActual.objects.none()
    if getattr(user, "kind", None) in (UserKind.SUPPORT, UserKind.ADMIN):
        return ProjectActual.objects.all()
    return ProjectActual.objects.none()


def calibration_for(user: Any) -> CalibrationReport:
    """Bias, MMRE and PRED(25) of the project actuals the user may see, by role and task type."""
    records = [
        Actual(a.task_type, a.role, float(a.estimated_effort), float(a.actual_effort))
        for a in visible_actuals(user)
    ]
    return calibration_report(records)


@dataclass(frozen=True)
class ReturnNote:
    """The reviewer's comments on a returned version: which one, by whom, when."""

    number: int
    comments: str
    returned_by: str
    returned_at: dt.datetime | None


def open_return_note(*, estimate: Estimate) -> ReturnNote | None:
    """The comments the author still has to address: those of the current version while it is
    returned, or of the version just before while its follow-up draft is open (not yet submitted)."""
    if estimate.status == EstimateStatus.RETURNED:
        number = estimate.current_version
    elif estimate.status == EstimateStatus.DRAFT and estimate.current_version > 1:
        number = estimate.current_version - 1
    else:
        return None
    version = (
        EstimateVersion.objects.filter(estimate=estimate, number=number, status=EstimateStatus.RETURNED)
        .only("number", "review_comments")
        .first()
    )
    if version is None:
        return None
    event = events_for(estimate).filter(step=f"version {number} returned").first()
    return ReturnNote(
        number=number,
        comments=version.review_comments,
        returned_by=event.actor_label if event else "",
        returned_at=event.at if event else None,
    )
