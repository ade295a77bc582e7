"""API for presales requests: list, ask, detail, steps, assignment, comments, workload. Thin."""

from typing import Any

from ninja import Router, Status
from ninja.pagination import paginate

from salesdesk.core.api import AuthedRequest, Cursor, DbId
from salesdesk.core.permissions import require
from salesdesk.parties.models import ProductSkill

from . import presales_services as services
from .presales_models import PresalesKind, PresalesStatus
from .presales_schemas import (
    PresalesAssignIn,
    PresalesCommentIn,
    PresalesCommentOut,
    PresalesRequestDetailOut,
    PresalesRequestIn,
    PresalesRequestOut,
    PresalesTransitionIn,
    WorkloadOut,
    workload_out,
)
from .presales_selectors import (
    comments_of,
    presales_request_get_for_user,
    presales_request_search,
    suggest_assignees,
    team_workload,
)
from .selectors import opportunity_get_for_user

router = Router(tags=["presales"])


def _detail(request: Any) -> Any:
    request.comment_list = list(comments_of(request))
    return request


@router.get(
    "/presales-requests",
    response=list[PresalesRequestOut],
    summary="Presales requests you may see (a partner: its own organisation's), newest first",
)
@paginate(Cursor, ordering=("-id",))
def presales_request_list(
    request: AuthedRequest,
    status: PresalesStatus | None = None,
    kind: PresalesKind | None = None,
    skill_id: DbId | None = None,
    assignee_id: DbId | None = None,
    opportunity_id: DbId | None = None,
    overdue: bool = False,
    mine: bool = False,
    open_only: bool = False,
) -> Any:
    return presales_request_search(
        user=request.auth,
        status=status.value if status else "",
        kind=kind.value if kind else "",
        skill_id=skill_id,
        assignee_id=assignee_id,
        opportunity_id=opportunity_id,
        overdue=overdue,
        mine=mine,
        open_only=open_only,
    )


@router.post(
    "/presales-requests",
    response={201: PresalesRequestDetailOut},
    summary="Ask for presales support on an opportunity (sales reps, partners, staff)",
)
def presales_request_create(request: AuthedRequest, payload: PresalesRequestIn) -> Any:
    opportunity = opportunity_get_for_user(user=request.auth, opportunity_id=payload.opportunity_id)
    data = payload.dict(exclude={"opportunity_id"})
    data = {k: getattr(v, "value", v) for k, v in data.items()}
    created = services.presales_request_create(actor=request.auth, opportunity=opportunity, data=data)
    return Status(
        201, _detail(presales_request_get_for_user(user=request.auth, presales_request_id=created.pk))
    )


@router.get(
    "/presales-requests/{presales_request_id}",
    response=PresalesRequestDetailOut,
    summary="One request with its targets ('acknowledge due', 'overdue') and comments",
)
def presales_request_detail(request: AuthedRequest, presales_request_id: int) -> Any:
    return _detail(presales_request_get_for_user(user=request.auth, presales_request_id=presales_request_id))


@router.post(
    "/presales-requests/{presales_request_id}/transitions",
    response=PresalesRequestDetailOut,
    summary="Move a request on: acknowledge, start, deliver, decline or cancel (409 from a wrong status)",
)
def presales_request_transition(
    request: AuthedRequest, presales_request_id: int, payload: PresalesTransitionIn
) -> Any:
    found = presales_request_get_for_user(user=request.auth, presales_request_id=presales_request_id)
    services.presales_request_transition(
        actor=request.auth,
        request=found,
        action=payload.action.value,
        reason=payload.reason,
        note=payload.note,
    )
    return _detail(presales_request_get_for_user(user=request.auth, presales_request_id=found.pk))


@router.post(
    "/presales-requests/{presales_request_id}/assign",
    response=PresalesRequestDetailOut,
    summary="Assign (or reassign) a request to someone of the presales team (level 5)",
)
def presales_request_assign(
    request: AuthedRequest, presales_request_id: int, payload: PresalesAssignIn
) -> Any:
    found = presales_request_get_for_user(user=request.auth, presales_request_id=presales_request_id)
    services.presales_request_assign(
        actor=request.auth,
        request=found,
        assignee_id=payload.assignee_id,
        estimated_hours=payload.estimated_hours,
        ignore_skills=payload.ignore_skills,
    )
    return _detail(presales_request_get_for_user(user=request.auth, presales_request_id=found.pk))


@router.post(
    "/presales-requests/{presales_request_id}/comments",
    response={201: PresalesCommentOut},
    summary="Comment on a request (requester side, assignee, presales team)",
)
def presales_comment_add(request: AuthedRequest, presales_request_id: int, payload: PresalesCommentIn) -> Any:
    found = presales_request_get_for_user(user=request.auth, presales_request_id=presales_request_id)
    return Status(201, services.presales_comment_add(actor=request.auth, request=found, text=payload.text))


@router.get(
    "/presales-requests/{presales_request_id}/candidates",
    response=list[WorkloadOut],
    summary="Who could take this request: people holding its skills, least loaded first (level 5)",
)
def presales_request_candidates(request: AuthedRequest, presales_request_id: int) -> Any:
    found = presales_request_get_for_user(user=request.auth, presales_request_id=presales_request_id)
    require(request.auth, "presales.assign")
    names = dict(ProductSkill.objects.values_list("pk", "name"))
    return workload_out(suggest_assignees({s.pk for s in found.skills.all()}), names)


@router.get(
    "/presales-workload",
    response=list[WorkloadOut],
    summary="The presales team's workload: open requests, their hours, open cases (level 5)",
)
def presales_workload(request: AuthedRequest, skill_id: DbId | None = None) -> Any:
    require(request.auth, "presales.assign")
    names = dict(ProductSkill.objects.values_list("pk", "name"))
    rows = team_workload()
    if skill_id:
        rows = [w for w in rows if skill_id in w.skill_ids]
    return workload_out(rows, names)
