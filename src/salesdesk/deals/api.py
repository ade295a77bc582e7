"""API for opportunities. Thin: selectors read, services write."""

from typing import Any

from django.http import HttpResponse
from ninja import Router
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
from salesdesk.core.permissions import require

from . import services
from .choices import OpportunityStage
from .schemas import OpportunityIn, OpportunityOut, OpportunityPatch
from .selectors import opportunity_events, opportunity_get_for_user, opportunity_search, with_products

router = Router(tags=["opportunities"])


def _data(payload: Any, **options: bool) -> dict[str, Any]:
    data = payload.dict(**options)
    if isinstance(data.get("stage"), OpportunityStage):
        data["stage"] = data["stage"].value
    return data


def _fresh(request: AuthedRequest, opportunity: Any) -> Any:
    """The opportunity as the caller reads it (only the products they may see)."""
    return opportunity_get_for_user(user=request.auth, opportunity_id=opportunity.pk, products=True)


@router.get(
    "/opportunities", response=list[OpportunityOut], summary="Opportunities you may see, newest first"
)
@paginate(Cursor, ordering=("-id",))
def opportunity_list(
    request: AuthedRequest,
    q: str = "",
    stage: OpportunityStage | None = None,
    account_id: DbId | None = None,
    owner_id: DbId | None = None,
    partner_id: DbId | None = None,
    open_only: bool = False,
) -> Any:
    return with_products(
        request.auth,
        opportunity_search(
            user=request.auth,
            query=q,
            stage=stage or "",
            account_id=account_id,
            owner_id=owner_id,
            partner_id=partner_id,
            open_only=open_only,
        ),
    )


@router.post(
    "/opportunities", response={201: OpportunityOut}, summary="Open an opportunity on a customer account"
)
def opportunity_add(request: AuthedRequest, payload: OpportunityIn, response: HttpResponse) -> Any:
    # Left out or null: the service's default (the actor owns it, no partner).
    opportunity = services.opportunity_create(actor=request.auth, data=_data(payload, exclude_none=True))
    set_etag(response, opportunity)
    return _fresh(request, opportunity)


@router.get(
    "/opportunities/{opportunity_id}",
    response=OpportunityOut,
    summary="One opportunity; send its ETag as If-None-Match to get 304 when unchanged",
)
def opportunity_detail(request: AuthedRequest, opportunity_id: int, response: HttpResponse) -> Any:
    opportunity = opportunity_get_for_user(user=request.auth, opportunity_id=opportunity_id, products=True)
    if (unchanged := not_modified(request, opportunity)) is not None:
        return unchanged
    set_etag(response, opportunity)
    return opportunity


@router.patch(
    "/opportunities/{opportunity_id}",
    response=OpportunityOut,
    summary="Change an opportunity; send If-Match with its ETag (412 when it changed)",
)
def opportunity_patch(
    request: AuthedRequest, opportunity_id: int, payload: OpportunityPatch, response: HttpResponse
) -> Any:
    opportunity = opportunity_get_for_user(user=request.auth, opportunity_id=opportunity_id)
    opportunity = services.opportunity_update(
        actor=request.auth,
        opportunity=opportunity,
        data=_data(payload, exclude_unset=True),
        expected_version=expected_version(request, opportunity),
    )
    set_etag(response, opportunity)
    return _fresh(request, opportunity)


@router.get(
    "/opportunities/{opportunity_id}/history",
    response=list[AuditEventOut],
    summary="Every change and stage move of this opportunity, newest first",
)
@paginate(Cursor, ordering=("-id",))
def opportunity_history(request: AuthedRequest, opportunity_id: int) -> Any:
    opportunity = opportunity_get_for_user(user=request.auth, opportunity_id=opportunity_id)
    require(request.auth, "audit.view")
    return opportunity_events(user=request.auth, opportunity=opportunity)
