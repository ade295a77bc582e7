"""Every write to organisations, contacts and users: capability check, validation, audit."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from salesdesk.core import audit
from salesdesk.core.errors import ApplicationError
from salesdesk.core.models import ApiToken
from salesdesk.core.permissions import require
from salesdesk.core.validation import apply_changes, check_version, clean_or_raise

from .choices import OrganisationKind, UserKind
from .models import Contact, Organisation, User
from .selectors import visible_organisations

ORGANISATION_FIELDS = {
    "name",
    "kind",
    "managed_by",
    "tier",
    "industry",
    "country",
    "website",
    "phone",
    "email",
    "notes",
    "is_active",
}
CONTACT_FIELDS = {
    "organisation",
    "first_name",
    "last_name",
    "job_title",
    "email",
    "phone",
    "notes",
    "is_active",
}


def _visible_organisation(actor: Any, organisation_id: int | None, field: str) -> Organisation | None:
    """The organisation with this id if the actor may see it; else an error naming ``field``."""
    if organisation_id is None:
        return None
    org = visible_organisations(actor).filter(pk=organisation_id).first()
    if org is None:
        raise ApplicationError(field, f"organisation {organisation_id} does not exist")
    return org


def _resolve_refs(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if "managed_by_id" in data:
        data["managed_by"] = _visible_organisation(actor, data.pop("managed_by_id"), "managed_by_id")
    if "organisation_id" in data:
        org = _visible_organisation(actor, data.pop("organisation_id"), "organisation_id")
        if org is None:
            raise ApplicationError("organisation_id", "is required")
        data["organisation"] = org
    return data


def _check_managed_by(org: Organisation) -> None:
    if org.managed_by is not None:
        if org.kind != OrganisationKind.CUSTOMER:
            raise ApplicationError("managed_by_id", "only a customer can be managed by a partner")
        if org.managed_by.kind != OrganisationKind.PARTNER:
            raise ApplicationError("managed_by_id", "must be a partner organisation")
    if (
        org.kind == OrganisationKind.OWN
        and Organisation.objects.filter(kind=OrganisationKind.OWN).exclude(pk=org.pk).exists()
    ):
        raise ApplicationError("kind", "there is already an organisation of kind 'own' (our company)")


# Records whose meaning depends on the organisation's kind: partner users need a partner,
# a managed customer needs a partner above it, opportunities need a customer account and
# a partner. Named as reverse relations so that parties need not import the apps that
# hold them (deals owns opportunities).
KIND_BOUND_RELATIONS = ("users", "managed_customers", "contacts", "opportunities", "partner_opportunities")


def _check_kind_change(org: Organisation, old_kind: str) -> None:
    """A kind may only be corrected while nothing depends on it; 'own' never changes."""
    if org.kind == old_kind:
        return
    if OrganisationKind.OWN in (old_kind, org.kind):
        raise ApplicationError("kind", "our own organisation's kind cannot be given or taken away")
    in_use = [name.replace("_", " ") for name in KIND_BOUND_RELATIONS if getattr(org, name).exists()]
    if in_use:
        raise ApplicationError(
            "kind",
            f"cannot change from {old_kind} to {org.kind} while the organisation has {', '.join(in_use)}",
        )


@transaction.atomic
def organisation_create(*, actor: Any, data: dict[str, Any]) -> Organisation:
    """Enter a new organisation (customer account, partner or our own company)."""
    require(actor, "organisation.create")
    data = _resolve_refs(actor, data)
    unknown = sorted(set(data) - ORGANISATION_FIELDS)
    if unknown:
        raise ApplicationError(unknown[0], "is not a field of an organisation")
    org = Organisation(**data)
    _check_managed_by(org)
    clean_or_raise(org)
    org.save()
    audit.record_created(actor, org)
    return org


@transaction.atomic
def organisation_update(
    *, actor: Any, organisation: Organisation, data: dict[str, Any], expected_version: int | None = None
) -> Organisation:
    """Correct an organisation's data; ``expected_version`` guards against lost updates."""
    require(actor, "organisation.edit")
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    check_version(organisation, expected_version)
    before = audit.snapshot(organisation)
    old_kind = organisation.kind
    changed = apply_changes(organisation, _resolve_refs(actor, data), allowed=ORGANISATION_FIELDS)
    if not changed:
        return organisation
    _check_kind_change(organisation, old_kind)
    _check_managed_by(organisation)
    clean_or_raise(organisation)
    organisation.save(update_fields=changed)
    audit.record_updated(actor, organisation, before)
    return organisation


@transaction.atomic
def contact_create(*, actor: Any, data: dict[str, Any]) -> Contact:
    """Enter a contact at an organisation the actor can see."""
    require(actor, "contact.edit")
    data = _resolve_refs(actor, data)
    unknown = sorted(set(data) - CONTACT_FIELDS)
    if unknown:
        raise ApplicationError(unknown[0], "is not a field of a contact")
    if "organisation" not in data:
        raise ApplicationError("organisation_id", "is required")
    contact = Contact(**data)
    clean_or_raise(contact)
    contact.save()
    audit.record_created(actor, contact)
    return contact


@transaction.atomic
def contact_update(
    *, actor: Any, contact: Contact, data: dict[str, Any], expected_version: int | None = None
) -> Contact:
    """Correct a contact; moving it to another organisation needs that one to be visible too."""
    require(actor, "contact.edit")
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    check_version(contact, expected_version)
    before = audit.snapshot(contact)
    changed = apply_changes(contact, _resolve_refs(actor, data), allowed=CONTACT_FIELDS)
    if not changed:
        return contact
    clean_or_raise(contact)
    contact.save(update_fields=changed)
    audit.record_updated(actor, contact, before)
    return contact


@transaction.atomic
def contact_delete(*, actor: Any, contact: Contact) -> None:
    """Remove a contact entered by mistake; its history stays in the audit trail."""
    require(actor, "contact.edit")
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    audit.record_deleted(actor, contact)
    contact.delete()


def _check_role(kind: str, support_level: int | None, organisation: Organisation | None) -> None:
    if kind not in UserKind.values:
        raise ApplicationError("kind", f"must be one of {', '.join(UserKind.values)}")
    if kind == UserKind.SUPPORT:
        if support_level is None or not 1 <= int(support_level) <= 6:
            raise ApplicationError("support_level", "support staff need a level from 1 to 6")
    elif support_level is not None:
        raise ApplicationError("support_level", "only support staff have a support level")
    if kind in (UserKind.PARTNER, UserKind.CUSTOMER):
        expected = OrganisationKind.PARTNER if kind == UserKind.PARTNER else OrganisationKind.CUSTOMER
        if organisation is None or organisation.kind != expected:
            raise ApplicationError("organisation_id", f"a {kind} user belongs to a {expected} organisation")
    elif organisation is not None and organisation.kind != OrganisationKind.OWN:
        raise ApplicationError("organisation_id", "staff belong to our own organisation")


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    kind: str,
    support_level: int | None = None,
    organisation_id: int | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    job_title: str = "",
) -> User:
    """Create a user who can sign in. Needs ``user.manage`` (an admin), or ``actor=None`` from the CLI."""
    if actor is not None:
        require(actor, "user.manage")
    organisation = Organisation.objects.filter(pk=organisation_id).first() if organisation_id else None
    if organisation_id and organisation is None:
        raise ApplicationError("organisation_id", f"organisation {organisation_id} does not exist")
    if organisation is None and kind in (UserKind.SUPPORT, UserKind.SALES_REP, UserKind.ADMIN):
        organisation = Organisation.objects.filter(kind=OrganisationKind.OWN).first()
    _check_role(kind, support_level, organisation)
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError("username", f"'{username}' is already taken")
    user = User(
        username=username,
        kind=kind,
        support_level=support_level,
        organisation=organisation,
        first_name=first_name,
        last_name=last_name,
        email=email,
        job_title=job_title,
        is_staff=kind == UserKind.ADMIN,
        is_superuser=kind == UserKind.ADMIN,
    )
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError("password", " ".join(exc.messages)) from exc
    user.set_password(password)
    clean_or_raise(user, exclude=["password"])
    user.save()
    audit.record_created(actor, user)
    return user


@transaction.atomic
def user_change_role(*, actor: Any, user: User, kind: str, support_level: int | None) -> User:
    """Change what a user may do; effective on their next request. Nobody raises their own level."""
    require(actor, "user.manage")
    if actor.pk == user.pk:
        raise ApplicationError("support_level", "you cannot change your own role or level")
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_role(kind, support_level, user.organisation)
    before = audit.snapshot(user)
    user.kind, user.support_level = kind, support_level
    user.is_staff = user.is_superuser = kind == UserKind.ADMIN
    user.save(update_fields=["kind", "support_level", "is_staff", "is_superuser"])
    audit.record_updated(actor, user, before)
    return user


def _end_sessions(user: User) -> int:
    """Delete every session of ``user`` (the session store keeps no index by user)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


def _revoke_tokens(user: User) -> int:
    """Revoke every API token of ``user`` still in use; how many were."""
    now = timezone.now()
    tokens = 0
    for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        tokens += 1
    return tokens


@transaction.atomic
def user_deactivate(*, actor: Any, user: User) -> User:
    """Stop a user from signing in: ends their sessions and revokes their API tokens."""
    if actor is not None:
        require(actor, "user.manage")
        if actor.pk == user.pk:
            raise ApplicationError("user", "you cannot deactivate yourself")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = audit.snapshot(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions = _end_sessions(user)
    tokens = _revoke_tokens(user)
    audit.record_updated(actor, user, before, detail={"sessions_ended": sessions, "tokens_revoked": tokens})
    return user


@transaction.atomic
def user_reactivate(*, actor: Any, user: User) -> User:
    """Let a deactivated user sign in again (their old tokens stay revoked).

    Tokens are revoked on deactivation; any a deactivated user still held (deactivated
    some other way) are revoked here, so no token from before comes back to life.
    """
    require(actor, "user.manage")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        return user
    before = audit.snapshot(user)
    user.is_active = True
    user.save(update_fields=["is_active"])
    tokens = _revoke_tokens(user)
    audit.record_updated(actor, user, before, detail={"tokens_revoked": tokens} if tokens else None)
    return user
