"""API for cases, interactions and SLA policies. Thin: selectors read, services write."""

from typing import Any
from urllib import parse

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Router, UploadedFile
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
from salesdesk.core.audit import events_for
from salesdesk.core.errors import ApplicationError
from salesdesk.core.permissions import require
from salesdesk.knowledge.schemas import AnswerOut
from salesdesk.knowledge.selectors import answer_get_for_user
from salesdesk.parties.selectors import visible_users

from . import selectors, services
from .choices import CasePriority, CaseStatus, CaseType
from .keyset import Position, keyset_page
from .models import BusinessCalendar
from .schemas import (
    AssignmentIn,
    AttachmentOut,
    CalendarIn,
    CalendarOut,
    CalendarPatch,
    CaseAnswerDraftIn,
    CaseIn,
    CaseOut,
    CasePatch,
    CommentIn,
    CommentOut,
    ComplaintPatch,
    EscalationIn,
    EscalationOut,
    InteractionIn,
    InteractionOut,
    RatingIn,
    RatingOut,
    SlaPolicyIn,
    SlaPolicyOut,
    SlaPolicyPatch,
    TransitionIn,
)

router = Router(tags=["cases"])

QUEUE_KEYS: dict[tuple[Any, ...], str] = {
    ("resolution_due_at", "id"): "resolution_due_at",
    ("at_risk_at", "id"): "at_risk_at",
}


class CaseCursor(Cursor):
    """The case list's cursor: newest first, but a queue (``?queue=``) in the queue's own order.

    A queue comes ordered by (resolution_due_at, id) or (at_risk_at, id), the keys of its
    partial index; its pages are read with the same keyset as the queue pages
    (``keyset.keyset_page``), so a deep page costs what the first does there too.
    """

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        key = QUEUE_KEYS.get(tuple(queryset.query.order_by))
        if key is None:
            return super().paginate_queryset(queryset, pagination, request, **params)
        if pagination.cursor and Position.decode(pagination.cursor) is None:
            raise ApplicationError("cursor", "is not a cursor this list gave out; start again without it")
        page = keyset_page(queryset, key, pagination.cursor, self._get_page_size(pagination.page_size))
        url = request.build_absolute_uri()
        return {
            "next": _with_cursor(url, page.next_cursor),
            "previous": _with_cursor(url, page.previous_cursor),
            self.items_attribute: page.object_list,
        }


def _with_cursor(url: str, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    scheme, netloc, path, query, fragment = parse.urlsplit(url)
    params = parse.parse_qs(query, keep_blank_values=True)
    params["cursor"] = [cursor]
    return parse.urlunsplit(
        (scheme, netloc, path, parse.urlencode(sorted(params.items()), doseq=True), fragment)
    )


def _enum_values(data: dict[str, Any]) -> dict[str, Any]:
    return {k: getattr(v, "value", v) for k, v in data.items()}


def _case(request: AuthedRequest, case_id: int) -> Any:
    return selectors.case_get_for_user(user=request.auth, case_id=case_id)


def _fresh(request: AuthedRequest, case: Any, response: HttpResponse) -> Any:
    case = _case(request, case.pk)
    set_etag(response, case)
    return case


@router.get(
    "/cases",
    response=list[CaseOut],
    summary="Cases you may see, newest first; a queue (?queue=) soonest due first",
)
@paginate(CaseCursor, ordering=("-id",))
def case_list(
    request: AuthedRequest,
    q: str = "",
    queue: str = "",
    status: CaseStatus | None = None,
    case_type: CaseType | None = None,
    priority: CasePriority | None = None,
    tier: int | None = None,
    account_id: DbId | None = None,
    assignee_id: DbId | None = None,
    open_only: bool = False,
) -> Any:
    if queue:
        if queue not in selectors.QUEUES:
            raise ApplicationError("queue", f"must be one of {', '.join(selectors.QUEUES)}")
        return selectors.case_queue(user=request.auth, queue=queue)
    return selectors.case_search(
        user=request.auth,
        query=q,
        status=status or "",
        case_type=case_type or "",
        priority=priority or "",
        tier=tier,
        account_id=account_id,
        assignee_id=assignee_id,
        open_only=open_only,
    )


@router.post("/cases", response={201: CaseOut}, summary="Open a case; its SLA due times are computed")
def case_add(request: AuthedRequest, payload: CaseIn, response: HttpResponse) -> Any:
    data = _enum_values(payload.dict(exclude_none=True))
    interaction = None
    if "interaction_id" in data:
        interaction_id = data.pop("interaction_id")
        interaction = selectors.visible_interactions(request.auth).filter(pk=interaction_id).first()
        if interaction is None:
            raise services.UnknownReference("interaction_id", "no such interaction")
    case = services.case_open(actor=request.auth, data=data, interaction=interaction)
    return _fresh(request, case, response)


@router.get(
    "/cases/{case_id}",
    response=CaseOut,
    summary="One case with its SLA: due times, state and business time left",
)
def case_detail(request: AuthedRequest, case_id: int, response: HttpResponse) -> Any:
    case = _case(request, case_id)
    if (unchanged := not_modified(request, case)) is not None:
        return unchanged
    set_etag(response, case)
    return case


@router.patch(
    "/cases/{case_id}",
    response=CaseOut,
    summary="Edit a case's subject, description, priority, product, contact or opportunity; If-Match",
)
def case_patch(request: AuthedRequest, case_id: int, payload: CasePatch, response: HttpResponse) -> Any:
    case = _case(request, case_id)
    case = services.case_update(
        actor=request.auth,
        case=case,
        data=_enum_values(payload.dict(exclude_unset=True)),
        expected_version=expected_version(request, case),
    )
    return _fresh(request, case, response)


@router.post(
    "/cases/{case_id}/transitions",
    response=CaseOut,
    summary="Move a case (open, waiting_on_customer, resolved, closed, reopen); If-Match for safety",
)
def case_transition(
    request: AuthedRequest, case_id: int, payload: TransitionIn, response: HttpResponse
) -> Any:
    case = _case(request, case_id)
    case = services.case_transition(
        actor=request.auth,
        case=case,
        to_status=payload.status.value,
        note=payload.note,
        expected_version=expected_version(request, case),
    )
    return _fresh(request, case, response)


@router.post(
    "/cases/{case_id}/assignment",
    response=CaseOut,
    summary="Assign a case (yourself, or anyone at level 5); null returns it to the queue",
)
def case_assignment(
    request: AuthedRequest, case_id: int, payload: AssignmentIn, response: HttpResponse
) -> Any:
    case = _case(request, case_id)
    assignee = None
    if payload.assignee_id is not None:
        assignee = visible_users(request.auth).filter(pk=payload.assignee_id).first()
        if assignee is None:
            raise services.UnknownReference("assignee_id", "no such person")
    case = services.case_assign(
        actor=request.auth, case=case, assignee=assignee, expected_version=expected_version(request, case)
    )
    return _fresh(request, case, response)


@router.post("/cases/{case_id}/take", response=CaseOut, summary="Take a case from your tier's queue")
def case_take(request: AuthedRequest, case_id: int, response: HttpResponse) -> Any:
    case = _case(request, case_id)
    case = services.case_take(actor=request.auth, case=case, expected_version=expected_version(request, case))
    return _fresh(request, case, response)


@router.post(
    "/cases/{case_id}/route",
    response=CaseOut,
    summary="Route a queued case to the least-loaded person at its tier with the product skill",
)
def case_route(request: AuthedRequest, case_id: int, response: HttpResponse) -> Any:
    case = _case(request, case_id)
    case = services.case_route(
        actor=request.auth, case=case, expected_version=expected_version(request, case)
    )
    return _fresh(request, case, response)


@router.patch(
    "/cases/{case_id}/complaint",
    response=CaseOut,
    summary="Record a complaint's acknowledgement, investigation, response, root cause, corrective action",
)
def case_complaint(
    request: AuthedRequest, case_id: int, payload: ComplaintPatch, response: HttpResponse
) -> Any:
    case = _case(request, case_id)
    case = services.case_update_complaint(
        actor=request.auth,
        case=case,
        data=payload.dict(exclude_unset=True),
        expected_version=expected_version(request, case),
    )
    return _fresh(request, case, response)


@router.get(
    "/cases/{case_id}/escalations",
    response=list[EscalationOut],
    summary="A case's escalations (staff only: the reasons are the team's own words)",
)
def escalation_list(request: AuthedRequest, case_id: int) -> Any:
    case = _case(request, case_id)
    return selectors.visible_escalations(request.auth).filter(case=case)


@router.post(
    "/cases/{case_id}/escalations",
    response={201: EscalationOut},
    summary="Escalate to a higher tier with a reason; the case goes to that tier's queue",
)
def escalation_add(request: AuthedRequest, case_id: int, payload: EscalationIn) -> Any:
    case = _case(request, case_id)
    escalation = services.case_escalate(
        actor=request.auth,
        case=case,
        to_tier=payload.to_tier,
        reason=payload.reason,
        expected_version=expected_version(request, case),
    )
    return escalation


@router.post(
    "/cases/{case_id}/draft-answer",
    response={201: AnswerOut},
    summary="Draft a knowledge answer from a case (level 2+); fields left out come from the case",
)
def case_draft_answer(request: AuthedRequest, case_id: int, payload: CaseAnswerDraftIn) -> Any:
    case = _case(request, case_id)
    data = payload.model_dump(exclude_unset=True)
    if "audience" in data:
        data["audience"] = str(data["audience"])
    answer = services.case_draft_answer(actor=request.auth, case=case, data=data)
    return answer_get_for_user(user=request.auth, answer_id=answer.pk)


@router.get(
    "/cases/{case_id}/comments",
    response=list[CommentOut],
    summary="Replies on a case (internal notes for staff only)",
)
@paginate(Cursor, ordering=("id",))
def comment_list(request: AuthedRequest, case_id: int) -> Any:
    case = _case(request, case_id)
    return selectors.visible_comments(request.auth).filter(case=case)


@router.post(
    "/cases/{case_id}/comments",
    response={201: CommentOut},
    summary="Reply; a customer's reply reopens a resolved case or opens a follow-up of a closed one",
)
def comment_add(request: AuthedRequest, case_id: int, payload: CommentIn) -> Any:
    case = _case(request, case_id)
    return services.case_reply(actor=request.auth, case=case, body=payload.body, is_public=payload.is_public)


@router.get("/cases/{case_id}/attachments", response=list[AttachmentOut], summary="Files on a case")
def attachment_list(request: AuthedRequest, case_id: int) -> Any:
    case = _case(request, case_id)
    return selectors.visible_attachments(request.auth).filter(case=case)


@router.post(
    "/cases/{case_id}/attachments",
    response={201: AttachmentOut},
    summary="Attach a file (multipart 'file'): size limit, allowed types only",
)
def attachment_add(
    request: AuthedRequest,
    case_id: int,
    file: UploadedFile | None = File(None),  # noqa: B008
    is_public: bool = True,
) -> Any:
    # The case first: someone else's case is a 404 whatever the body holds.
    case = _case(request, case_id)
    if file is None:
        raise ApplicationError("file", "is required (multipart/form-data)")
    return services.attachment_add(actor=request.auth, case=case, upload=file, is_public=is_public)


@router.get(
    "/attachments/{attachment_id}",
    summary="Download an attachment",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def attachment_download(request: AuthedRequest, attachment_id: int) -> Any:
    attachment = selectors.attachment_get_for_user(user=request.auth, attachment_id=attachment_id)
    return attachment_response(attachment)


def attachment_response(attachment: Any) -> FileResponse:
    """The file as a download, never rendered in the browser (no sniffing, no inline HTML)."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get(
    "/cases/{case_id}/history",
    response=list[AuditEventOut],
    summary="Every change and step of this case, newest first",
)
@paginate(Cursor, ordering=("-id",))
def case_history(request: AuthedRequest, case_id: int) -> Any:
    case = _case(request, case_id)
    require(request.auth, "audit.view")
    return events_for(case)


# --- Interactions -------------------------------------------------------------------------


@router.get("/interactions", response=list[InteractionOut], summary="Calls, meetings and e-mails you may see")
@paginate(Cursor, ordering=("-id",))
def interaction_list(
    request: AuthedRequest,
    account_id: DbId | None = None,
    contact_id: DbId | None = None,
    case_id: DbId | None = None,
    opportunity_id: DbId | None = None,
) -> Any:
    qs = selectors.visible_interactions(request.auth)
    for name, value in (
        ("account_id", account_id),
        ("contact_id", contact_id),
        ("case_id", case_id),
        ("opportunity_id", opportunity_id),
    ):
        if value:
            qs = qs.filter(**{name: value})
    return qs


@router.post(
    "/interactions",
    response={201: InteractionOut},
    summary="Log a call, meeting or e-mail on a contact, account, case or opportunity",
)
def interaction_add(request: AuthedRequest, payload: InteractionIn) -> Any:
    from salesdesk.deals.selectors import visible_opportunities
    from salesdesk.parties.selectors import visible_contacts, visible_customers

    data = _enum_values(payload.dict())
    lookups = {
        "contact_id": visible_contacts,
        "account_id": visible_customers,
        "case_id": selectors.visible_cases,
        "opportunity_id": visible_opportunities,
    }
    links: dict[str, Any] = {}
    for name, visible in lookups.items():
        record_id = data.pop(name)
        if record_id is None:
            continue
        record = visible(request.auth).filter(pk=record_id).first()
        if record is None:
            raise services.UnknownReference(name, f"no such {name.removesuffix('_id')}")
        links[name.removesuffix("_id")] = record
    interaction = services.log_interaction(
        actor=request.auth,
        kind=data.pop("kind"),
        occurred_at=data.pop("occurred_at"),
        direction=data.pop("direction") or "",
        **links,
        **data,
    )
    return interaction


@router.get("/interactions/{interaction_id}", response=InteractionOut, summary="One interaction")
def interaction_detail(request: AuthedRequest, interaction_id: int) -> Any:
    return selectors.interaction_get_for_user(user=request.auth, interaction_id=interaction_id)


# --- SLA policies and calendars -----------------------------------------------------------


@router.get(
    "/sla-policies", response=list[SlaPolicyOut], summary="SLA targets per customer tier and priority"
)
def sla_policy_list(request: AuthedRequest) -> Any:
    return selectors.visible_sla_policies(request.auth)


@router.post("/sla-policies", response={201: SlaPolicyOut}, summary="Add an SLA policy (level 6)")
def sla_policy_add(request: AuthedRequest, payload: SlaPolicyIn, response: HttpResponse) -> Any:
    policy = services.sla_policy_create(actor=request.auth, data=_enum_values(payload.dict()))
    set_etag(response, policy)
    return policy


@router.get("/sla-policies/{policy_id}", response=SlaPolicyOut, summary="One SLA policy")
def sla_policy_detail(request: AuthedRequest, policy_id: int, response: HttpResponse) -> Any:
    policy = selectors.sla_policy_get_for_user(user=request.auth, policy_id=policy_id)
    set_etag(response, policy)
    return policy


@router.patch(
    "/sla-policies/{policy_id}",
    response=SlaPolicyOut,
    summary="Change an SLA policy (level 6); cases already open keep their targets",
)
def sla_policy_patch(
    request: AuthedRequest, policy_id: int, payload: SlaPolicyPatch, response: HttpResponse
) -> Any:
    policy = selectors.sla_policy_get_for_user(user=request.auth, policy_id=policy_id)
    policy = services.sla_policy_update(
        actor=request.auth,
        policy=policy,
        data=payload.dict(exclude_unset=True),
        expected_version=expected_version(request, policy),
    )
    set_etag(response, policy)
    return policy


@router.get("/calendars", response=list[CalendarOut], summary="Business calendars SLAs run on")
def calendar_list(request: AuthedRequest) -> Any:
    return selectors.visible_calendars(request.auth)


@router.post("/calendars", response={201: CalendarOut}, summary="Add a business calendar (level 6)")
def calendar_add(request: AuthedRequest, payload: CalendarIn, response: HttpResponse) -> Any:
    calendar = services.calendar_create(actor=request.auth, data=payload.dict())
    set_etag(response, calendar)
    return calendar


@router.patch(
    "/calendars/{calendar_id}",
    response=CalendarOut,
    summary="Change a business calendar (level 6)",
)
def calendar_patch(
    request: AuthedRequest, calendar_id: int, payload: CalendarPatch, response: HttpResponse
) -> Any:
    calendar: BusinessCalendar = selectors.calendar_get_for_user(user=request.auth, calendar_id=calendar_id)
    calendar = services.calendar_update(
        actor=request.auth,
        calendar=calendar,
        data=payload.dict(exclude_unset=True),
        expected_version=expected_version(request, calendar),
    )
    set_etag(response, calendar)
    return calendar


# --- Satisfaction (no sign-in: the signed link is the permission) -------------------------


@router.post(
    "/ratings",
    auth=None,
    response={201: RatingOut},
    summary="Rate a resolved case 1–5 with the signed token from the resolution e-mail (once)",
)
def rating_add(request: Any, payload: RatingIn) -> Any:
    case = services.case_rate(token=payload.token, score=payload.score, comment=payload.comment)
    return {"reference": case.reference, "satisfaction_score": case.satisfaction_score}
