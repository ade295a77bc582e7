"""Reads that depend on who asks. Every read of a party record goes through here."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from salesdesk.core.roles import INTERNAL_KINDS

from .choices import OrganisationKind, UserKind
from .models import Contact, Organisation, User


def visible_organisation_q(user: Any, path: str = "") -> Q:
    """A Q object limiting rows to the organisations ``user`` may see.

    ``path`` is the relation from the queried model to its Organisation ("" when the
    model is Organisation, "organisation" for contacts, "account" for opportunities).
    Internal staff see every organisation; a partner user sees their own organisation
    and the customers it manages; a customer user only their own organisation.
    Anyone else — anonymous, inactive, without organisation — sees nothing.
    """
    nothing = Q(pk__in=[])
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return nothing
    if user.kind in INTERNAL_KINDS:
        return Q()
    org_id = user.organisation_id
    if org_id is None:
        return nothing
    prefix = f"{path}__" if path else ""
    if user.kind == UserKind.PARTNER:
        return Q(**{f"{prefix}pk": org_id}) | Q(**{f"{prefix}managed_by_id": org_id})
    if user.kind == UserKind.CUSTOMER:
        return Q(**{f"{prefix}pk": org_id})
    return nothing


def visible_organisations(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(visible_organisation_q(user)).select_related("managed_by")


def visible_customers(user: Any) -> QuerySet[Organisation]:
    return visible_organisations(user).filter(kind=OrganisationKind.CUSTOMER)


def visible_partners(user: Any) -> QuerySet[Organisation]:
    return visible_organisations(user).filter(kind=OrganisationKind.PARTNER)


def visible_contacts(user: Any) -> QuerySet[Contact]:
    return Contact.objects.filter(visible_organisation_q(user, "organisation")).select_related("organisation")


def visible_users(user: Any) -> QuerySet[User]:
    """Staff see every user; external users see the people of the organisations they see."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return cast("QuerySet[User]", User.objects.none())
    qs = cast("QuerySet[User]", User.objects.select_related("organisation"))
    if user.kind in INTERNAL_KINDS:
        return qs
    return qs.filter(visible_organisation_q(user, "organisation"))


def organisation_get_for_user(*, user: Any, organisation_id: int) -> Organisation:
    return get_object_or_404(visible_organisations(user), pk=organisation_id)


def contact_get_for_user(*, user: Any, contact_id: int) -> Contact:
    return get_object_or_404(visible_contacts(user), pk=contact_id)


def user_get_for_user(*, user: Any, user_id: int) -> User:
    return get_object_or_404(visible_users(user), pk=user_id)


def organisation_search(
    *,
    user: Any,
    query: str = "",
    kind: str = "",
    tier: str = "",
    managed_by_id: int | None = None,
    ordering: str = "name",
) -> QuerySet[Organisation]:
    """Visible organisations matching a free-text query and filters."""
    qs = visible_organisations(user)
    query = query.replace("\x00", "")  # PostgreSQL cannot compare text with NUL in it
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(industry__icontains=query) | Q(email__icontains=query))
    if kind:
        qs = qs.filter(kind=kind)
    if tier:
        qs = qs.filter(tier=tier)
    if managed_by_id:
        qs = qs.filter(managed_by_id=managed_by_id)
    return qs.order_by(ordering, "id")


def contact_search(
    *, user: Any, query: str = "", organisation_id: int | None = None, ordering: str = "last_name"
) -> QuerySet[Contact]:
    qs = visible_contacts(user)
    query = query.replace("\x00", "")  # PostgreSQL cannot compare text with NUL in it
    if query:
        qs = qs.filter(
            Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
            | Q(organisation__name__icontains=query)
        )
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    return qs.order_by(ordering, "id")
