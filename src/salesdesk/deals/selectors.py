"""Reads of opportunities, limited to what the asking user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from salesdesk.core import audit
from salesdesk.core.models import AuditEvent
from salesdesk.core.permissions import holds
from salesdesk.core.roles import INTERNAL_KINDS, UserKind

from .models import Opportunity, Requirement, RequirementBaseline, RequirementQuestion, RequirementSet


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


def with_products(user: Any, qs: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    """``qs`` with each opportunity's products prefetched, limited to those ``user`` may see.

    A roadmap item on a deal stays internal: a partner reads only the catalog items they may see.
    """
    from salesdesk.catalog.selectors import visible_products

    products = visible_products(user).select_related(None).only("id", "name", "sku", "lifecycle")
    return qs.prefetch_related(Prefetch("products", queryset=products.order_by("name", "id")))


def opportunity_get_for_user(*, user: Any, opportunity_id: int, products: bool = False) -> Opportunity:
    """One opportunity ``user`` may see (404 otherwise); ``products`` prefetches its visible products."""
    qs = visible_opportunities(user)
    return get_object_or_404(with_products(user, qs) if products else qs, pk=opportunity_id)


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


# --- Requirements ---------------------------------------------------------------------------------
# Staff and partners see the requirements of the opportunities they may see. A customer user
# sees no opportunity: only the baselines shared with their own organisation, and the
# questions asked of their organisation.


def visible_requirement_sets(user: Any) -> QuerySet[RequirementSet]:
    """Requirement sets of the opportunities ``user`` may see (none for customers)."""
    return RequirementSet.objects.select_related("opportunity", "opportunity__account").filter(
        opportunity__in=visible_opportunities(user).order_by().values("pk")
    )


def visible_requirements(user: Any) -> QuerySet[Requirement]:
    return Requirement.objects.select_related("requirement_set").filter(
        requirement_set__in=visible_requirement_sets(user).order_by().values("pk")
    )


def _customer_org(user: Any) -> int | None:
    if getattr(user, "kind", None) == UserKind.CUSTOMER and user.is_active and user.organisation_id:
        return int(user.organisation_id)
    return None


def visible_questions(user: Any) -> QuerySet[RequirementQuestion]:
    """Questions on requirements the user may see; a customer, those asked of their organisation."""
    qs = RequirementQuestion.objects.select_related(
        "requirement", "requirement__requirement_set__opportunity", "asked_of", "answered_by"
    )
    org = _customer_org(user)
    if org is not None:
        return qs.filter(requirement__requirement_set__opportunity__account_id=org)
    return qs.filter(requirement__in=visible_requirements(user).order_by().values("pk"))


def visible_baselines(user: Any) -> QuerySet[RequirementBaseline]:
    """Baselines of visible sets; a customer sees only those shared with their organisation."""
    qs = RequirementBaseline.objects.select_related(
        "requirement_set__opportunity__account", "shared_with", "signed_off_by", "created_by"
    )
    org = _customer_org(user)
    if org is not None:
        return qs.filter(shared_at__isnull=False, requirement_set__opportunity__account_id=org)
    return qs.filter(requirement_set__in=visible_requirement_sets(user).order_by().values("pk"))


def requirement_set_for_opportunity(
    *, user: Any, opportunity_id: int
) -> tuple[Opportunity, RequirementSet | None]:
    """The opportunity (404 unless visible) and its requirement set, if one was started."""
    opportunity = opportunity_get_for_user(user=user, opportunity_id=opportunity_id)
    return opportunity, RequirementSet.objects.filter(opportunity=opportunity).first()


def requirements_of(requirement_set: RequirementSet | None) -> QuerySet[Requirement]:
    """The set's requirements by reference, with their questions (no query per row)."""
    if requirement_set is None:
        return Requirement.objects.none()
    return (
        Requirement.objects.filter(requirement_set=requirement_set)
        .prefetch_related(
            Prefetch(
                "questions",
                queryset=RequirementQuestion.objects.select_related("asked_of", "answered_by").order_by("id"),
            )
        )
        .order_by("reference", "id")
    )


def requirement_get_for_user(*, user: Any, requirement_id: int) -> Requirement:
    return get_object_or_404(visible_requirements(user), pk=requirement_id)


def question_get_for_user(*, user: Any, question_id: int) -> RequirementQuestion:
    return get_object_or_404(visible_questions(user), pk=question_id)


def baseline_get_for_user(*, user: Any, baseline_id: int) -> RequirementBaseline:
    return get_object_or_404(visible_baselines(user), pk=baseline_id)


def baseline_previous(baseline: RequirementBaseline) -> RequirementBaseline | None:
    """The version before ``baseline`` (for its diff), whoever may see it."""
    return (
        RequirementBaseline.objects.filter(
            requirement_set_id=baseline.requirement_set_id, number__lt=baseline.number
        )
        .order_by("-number")
        .first()
    )


def requirement_summary(opportunity: Opportunity) -> dict[str, Any]:
    """Counts for the opportunity page's Requirements card (call only for a visible opportunity)."""
    requirement_set = RequirementSet.objects.filter(opportunity=opportunity).first()
    if requirement_set is None:
        return {"requirements": 0, "open_questions": 0, "latest": None}
    return {
        "requirements": requirement_set.requirements.count(),
        "open_questions": RequirementQuestion.objects.filter(
            requirement__requirement_set=requirement_set, status="open"
        ).count(),
        "latest": requirement_set.baselines.order_by("-number").first(),
    }


# A deal can pass from one partner to another (a registration approved after the first
# partner's protection ended); its earlier partner is not the new partner's business.
PARTNER_EVENTS = (
    Q(changes__has_key="partner") | Q(changes__has_key="partner_id") | Q(step="protected for partner")
)


def opportunity_events(*, user: Any, opportunity: Opportunity) -> QuerySet[AuditEvent]:
    """The history of ``opportunity`` as ``user`` may read it, newest first.

    Staff read every event. External users read it without the partner changes and the
    protection steps, so that a partner never learns which partner had the deal before.
    """
    events = audit.events_for(opportunity)
    if getattr(user, "is_external", False):
        events = events.exclude(PARTNER_EVENTS)
    return events
