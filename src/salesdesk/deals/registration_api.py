"""API for deal registrations: list, register, read, approve, reject, re-check. Thin."""

from typing import Any

from ninja import Router, Status
from ninja.pagination import paginate

from salesdesk.core.api import AuthedRequest, Cursor, DbId
from salesdesk.core.permissions import holds

from . import registration_services as services
from .registration_models import RegistrationStatus
from .registration_schemas import RegistrationApproveIn, RegistrationIn, RegistrationOut, RegistrationRejectIn
from .registration_selectors import registration_get_for_user, registration_search

router = Router(tags=["deal registrations"])


@router.get(
    "/registrations",
    response=list[RegistrationOut],
    summary="Deal registrations you may see (a partner: their own), newest first",
)
@paginate(Cursor, ordering=("-id",))
def registration_list(
    request: AuthedRequest,
    q: str = "",
    status: RegistrationStatus | None = None,
    in_conflict: bool | None = None,
    partner_id: DbId | None = None,
) -> Any:
    return registration_search(
        user=request.auth,
        query=q,
        status=status or "",
        in_conflict=in_conflict,
        partner_id=partner_id if holds(request.auth, "deal.approve") else None,
    )


@router.post(
    "/registrations",
    response={201: RegistrationOut},
    summary="Register a deal (partner users); it is checked for conflicts at once",
)
def registration_add(request: AuthedRequest, payload: RegistrationIn) -> Any:
    registration = services.registration_create(actor=request.auth, data=payload.dict())
    return Status(201, registration_get_for_user(user=request.auth, registration_id=registration.pk))


@router.get("/registrations/{registration_id}", response=RegistrationOut, summary="One registration")
def registration_detail(request: AuthedRequest, registration_id: int) -> Any:
    return registration_get_for_user(user=request.auth, registration_id=registration_id)


@router.post(
    "/registrations/{registration_id}/approve",
    response=RegistrationOut,
    summary="Approve (level 5): create or link the opportunity and protect it for the partner",
)
def registration_approve(request: AuthedRequest, registration_id: int, payload: RegistrationApproveIn) -> Any:
    registration = registration_get_for_user(user=request.auth, registration_id=registration_id)
    services.registration_approve(actor=request.auth, registration=registration, **payload.dict())
    return registration_get_for_user(user=request.auth, registration_id=registration_id)


@router.post(
    "/registrations/{registration_id}/reject",
    response=RegistrationOut,
    summary="Reject (level 5) with a reason the partner sees",
)
def registration_reject(request: AuthedRequest, registration_id: int, payload: RegistrationRejectIn) -> Any:
    registration = registration_get_for_user(user=request.auth, registration_id=registration_id)
    services.registration_reject(actor=request.auth, registration=registration, reason=payload.reason)
    return registration_get_for_user(user=request.auth, registration_id=registration_id)


@router.post(
    "/registrations/{registration_id}/recheck",
    response=RegistrationOut,
    summary="Run the conflict check again on a pending registration (level 5)",
)
def registration_recheck(request: AuthedRequest, registration_id: int) -> Any:
    registration = registration_get_for_user(user=request.auth, registration_id=registration_id)
    services.registration_recheck(actor=request.auth, registration=registration)
    return registration_get_for_user(user=request.auth, registration_id=registration_id)
