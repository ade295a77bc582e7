"""API for organisations, contacts and users. Thin: selectors read, services write."""

from typing import Annotated, Any

from django.db.models import Q
from django.http import HttpResponse
from ninja import Field, Router
from ninja.pagination import paginate

from salesdesk.core.api import (
    AuditEventOut,
    AuthedRequest,
    Cursor,
    DbId,
    expected_version,
    not_modified,
    set_etag,
)
from salesdesk.core.api_routes import JobOut
from salesdesk.core.audit import events_for
from salesdesk.core.audit import organisation_timeline as account_timeline
from salesdesk.core.permissions import require

from . import services
from .choices import CustomerTier, OrganisationKind, UserKind
from .schemas import (
    ContactIn,
    ContactOut,
    ContactPatch,
    OrganisationExportIn,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    RoleIn,
    UserIn,
    UserOut,
)
from .selectors import (
    contact_get_for_user,
    contact_search,
    organisation_get_for_user,
    organisation_search,
    user_get_for_user,
    visible_users,
)
from .tasks import organisations_export_start

router = Router(tags=["parties"])


# --- Organisations ------------------------------------------------------------------------------


@router.get(
    "/organisations",
    response=list[OrganisationOut],
    tags=["organisations"],
    summary="Organisations you may see, by name",
)
@paginate(Cursor, ordering=("name", "id"))
def organisation_list(
    request: AuthedRequest,
    q: str = "",
    kind: OrganisationKind | None = None,
    tier: CustomerTier | None = None,
    managed_by_id: DbId | None = None,
) -> Any:
    return organisation_search(
        user=request.auth, query=q, kind=kind or "", tier=tier or "", managed_by_id=managed_by_id
    )


@router.post(
    "/organisations", response={201: OrganisationOut}, tags=["organisations"], summary="Enter an organisation"
)
def organisation_add(request: AuthedRequest, payload: OrganisationIn, response: HttpResponse) -> Any:
    organisation = services.organisation_create(actor=request.auth, data=payload.dict())
    set_etag(response, organisation)
    return organisation


@router.post(
    "/organisations/export",
    response={202: JobOut},
    tags=["organisations", "jobs"],
    summary="Export the organisations you see as CSV, in the background",
)
def organisation_export(request: AuthedRequest, payload: OrganisationExportIn) -> Any:
    return organisations_export_start(
        actor=request.auth,
        query=payload.q,
        kind=payload.kind.value if payload.kind else "",
        tier=payload.tier.value if payload.tier else "",
    )


@router.get(
    "/organisations/{organisation_id}",
    response=OrganisationOut,
    tags=["organisations"],
    summary="One organisation; send its ETag as If-None-Match to get 304 when unchanged",
)
def organisation_detail(request: AuthedRequest, organisation_id: int, response: HttpResponse) -> Any:
    organisation = organisation_get_for_user(user=request.auth, organisation_id=organisation_id)
    if (unchanged := not_modified(request, organisation)) is not None:
        return unchanged
    set_etag(response, organisation)
    return organisation


@router.patch(
    "/organisations/{organisation_id}",
    response=OrganisationOut,
    tags=["organisations"],
    summary="Correct an organisation; send If-Match with its ETag (412 when it changed)",
)
def organisation_patch(
    request: AuthedRequest, organisation_id: int, payload: OrganisationPatch, response: HttpResponse
) -> Any:
    organisation = organisation_get_for_user(user=request.auth, organisation_id=organisation_id)
    organisation = services.organisation_update(
        actor=request.auth,
        organisation=organisation,
        data=payload.dict(exclude_unset=True),
        expected_version=expected_version(request, organisation),
    )
    set_etag(response, organisation)
    return organisation


@router.get(
    "/organisations/{organisation_id}/timeline",
    response=list[AuditEventOut],
    tags=["organisations"],
    summary="What happened on this account: its own, its contacts' and its deals' events",
)
@paginate(Cursor, ordering=("-id",))
def organisation_timeline(request: AuthedRequest, organisation_id: int) -> Any:
    organisation = organisation_get_for_user(user=request.auth, organisation_id=organisation_id)
    require(request.auth, "audit.view")
    return account_timeline(user=request.auth, organisation_id=organisation.pk)


# --- Contacts -----------------------------------------------------------------------------------


@router.get(
    "/contacts", response=list[ContactOut], tags=["contacts"], summary="Contacts you may see, newest first"
)
@paginate(Cursor, ordering=("-id",))
def contact_list(request: AuthedRequest, q: str = "", organisation_id: DbId | None = None) -> Any:
    return contact_search(user=request.auth, query=q, organisation_id=organisation_id)


@router.post("/contacts", response={201: ContactOut}, tags=["contacts"], summary="Enter a contact")
def contact_add(request: AuthedRequest, payload: ContactIn, response: HttpResponse) -> Any:
    contact = services.contact_create(actor=request.auth, data=payload.dict())
    set_etag(response, contact)
    return contact


@router.get("/contacts/{contact_id}", response=ContactOut, tags=["contacts"], summary="One contact")
def contact_detail(request: AuthedRequest, contact_id: int, response: HttpResponse) -> Any:
    contact = contact_get_for_user(user=request.auth, contact_id=contact_id)
    if (unchanged := not_modified(request, contact)) is not None:
        return unchanged
    set_etag(response, contact)
    return contact


@router.patch(
    "/contacts/{contact_id}",
    response=ContactOut,
    tags=["contacts"],
    summary="Correct a contact; send If-Match with its ETag (412 when it changed)",
)
def contact_patch(
    request: AuthedRequest, contact_id: int, payload: ContactPatch, response: HttpResponse
) -> Any:
    contact = contact_get_for_user(user=request.auth, contact_id=contact_id)
    contact = services.contact_update(
        actor=request.auth,
        contact=contact,
        data=payload.dict(exclude_unset=True),
        expected_version=expected_version(request, contact),
    )
    set_etag(response, contact)
    return contact


@router.delete(
    "/contacts/{contact_id}",
    response={204: None},
    tags=["contacts"],
    summary="Remove a contact entered by mistake (its history stays)",
)
def contact_delete(request: AuthedRequest, contact_id: int) -> None:
    contact = contact_get_for_user(user=request.auth, contact_id=contact_id)
    expected_version(request, contact)  # a stale If-Match refuses the delete with 412
    services.contact_delete(actor=request.auth, contact=contact)


@router.get(
    "/contacts/{contact_id}/history",
    response=list[AuditEventOut],
    tags=["contacts"],
    summary="Every change to this contact, newest first",
)
@paginate(Cursor, ordering=("-id",))
def contact_history(request: AuthedRequest, contact_id: int) -> Any:
    contact = contact_get_for_user(user=request.auth, contact_id=contact_id)
    require(request.auth, "audit.view")
    return events_for(contact)


# --- Users --------------------------------------------------------------------------------------


@router.get("/users", response=list[UserOut], tags=["users"], summary="People you may see, by username")
@paginate(Cursor, ordering=("username", "id"))
def user_list(
    request: AuthedRequest,
    q: str = "",
    kind: UserKind | None = None,
    support_level: Annotated[int, Field(ge=1, le=6)] | None = None,
) -> Any:
    users = visible_users(request.auth)
    q = q.replace("\x00", "")  # PostgreSQL cannot compare text with NUL in it
    if q:
        users = users.filter(
            Q(username__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(email__icontains=q)
        )
    if kind:
        users = users.filter(kind=kind)
    if support_level is not None:
        users = users.filter(support_level=support_level)
    return users


@router.post("/users", response={201: UserOut}, tags=["users"], summary="Create a user (admins)")
def user_add(request: AuthedRequest, payload: UserIn) -> Any:
    data = payload.dict()
    data["kind"] = payload.kind.value
    return services.user_create(actor=request.auth, **data)


@router.get("/users/{user_id}", response=UserOut, tags=["users"], summary="One person")
def user_detail(request: AuthedRequest, user_id: int) -> Any:
    return user_get_for_user(user=request.auth, user_id=user_id)


@router.post(
    "/users/{user_id}/role",
    response=UserOut,
    tags=["users"],
    summary="Change a user's kind and support level (admins; effective on their next request)",
)
def user_role(request: AuthedRequest, user_id: int, payload: RoleIn) -> Any:
    user = user_get_for_user(user=request.auth, user_id=user_id)
    return services.user_change_role(
        actor=request.auth, user=user, kind=payload.kind.value, support_level=payload.support_level
    )


@router.post(
    "/users/{user_id}/deactivate",
    response=UserOut,
    tags=["users"],
    summary="Stop a user signing in: ends their sessions and revokes their API tokens (admins)",
)
def user_deactivate(request: AuthedRequest, user_id: int) -> Any:
    user = user_get_for_user(user=request.auth, user_id=user_id)
    return services.user_deactivate(actor=request.auth, user=user)


@router.post(
    "/users/{user_id}/reactivate",
    response=UserOut,
    tags=["users"],
    summary="Let a deactivated user sign in again (admins)",
)
def user_reactivate(request: AuthedRequest, user_id: int) -> Any:
    user = user_get_for_user(user=request.auth, user_id=user_id)
    return services.user_reactivate(actor=request.auth, user=user)
