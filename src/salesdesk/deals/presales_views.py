"""Pages for presales requests: the list, the level-5 board, asking, one request and its steps.

Every page finds its request through a selector first (someone else's is a 404), then the
service checks the capability and the rules. Forms post and redirect back; a refused step
shows its reason as a message.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesdesk.core.errors import ApplicationError
from salesdesk.core.pages import paginate, query_without_page
from salesdesk.core.permissions import holds, require

from . import presales_services as services
from .presales_forms import AssignForm, CommentForm, PresalesFilterForm, PresalesRequestForm, StepForm
from .presales_models import OPEN_PRESALES_STATUSES, PresalesRequest, PresalesStatus
from .presales_selectors import (
    Workload,
    comments_of,
    presales_request_get_for_user,
    presales_request_search,
    suggest_assignees,
    target_state,
    team_workload,
)
from .selectors import visible_opportunities

BOARD_COLUMNS = (
    PresalesStatus.REQUESTED,
    PresalesStatus.ACKNOWLEDGED,
    PresalesStatus.ASSIGNED,
    PresalesStatus.IN_PROGRESS,
    PresalesStatus.DELIVERED,
)
DELIVERED_ON_BOARD = 10


def _detail_url(request_id: int) -> str:
    return reverse("web:presales_detail", kwargs={"presales_request_id": request_id})


def _person_choice(w: Workload) -> tuple[int, str]:
    cases = f" · {w.open_cases} case{'s' if w.open_cases != 1 else ''}" if w.open_cases is not None else ""
    name = w.person.get_full_name() or w.person.username
    return w.person.pk, f"{name} — {w.open_requests} open, {w.load_hours.normalize():f} h{cases}"


def _with_targets(requests: list[PresalesRequest]) -> list[PresalesRequest]:
    now = timezone.now()
    for item in requests:
        item.target = target_state(item, now)  # type: ignore[attr-defined]
    return requests


@login_required
@require_GET
def presales_list(request: HttpRequest) -> HttpResponse:
    """Requests the user may see: a requester follows theirs (``mine``), staff browse all."""
    can_manage = holds(request.user, "presales.assign")
    people = [_person_choice(w) for w in team_workload()] if can_manage else []
    filters = PresalesFilterForm(request.GET or None, people=people)
    if not can_manage:
        del filters.fields["assignee"]
    criteria = filters.filters() if request.GET else {}
    opportunity = None
    wanted = request.GET.get("opportunity", "")
    if wanted.isdigit() and len(wanted) < 19:
        opportunity = visible_opportunities(request.user).filter(pk=int(wanted)).first()
        criteria["opportunity_id"] = opportunity.pk if opportunity else -1
    page = paginate(
        request, presales_request_search(user=request.user, **criteria).order_by("-requested_at", "-id")
    )
    _with_targets(list(page.object_list))
    context = {
        "page": page,
        "filters": filters,
        "querystring": query_without_page(request),
        "can_request": holds(request.user, "presales.request"),
        "can_manage": can_manage,
        "filtered": any(criteria.values()),
        "opportunity": opportunity,
    }
    return render(request, "deals/presales/list.html", context)


@login_required
@require_GET
def presales_board(request: HttpRequest) -> HttpResponse:
    """Level 5: every open request by status, the suggested person, and each person's workload."""
    require(request.user, "presales.assign")
    workload = team_workload()
    people = [_person_choice(w) for w in workload]
    filters = PresalesFilterForm(request.GET or None, people=people)
    del filters.fields["status"]
    criteria = filters.filters() if request.GET else {}
    criteria.pop("status", None)
    rows = presales_request_search(user=request.user, **criteria)
    open_rows = list(rows.filter(status__in=OPEN_PRESALES_STATUSES).order_by("deliver_due_at", "id"))
    delivered = list(
        rows.filter(status=PresalesStatus.DELIVERED).order_by("-delivered_at", "-id")[:DELIVERED_ON_BOARD]
    )
    _with_targets(open_rows + delivered)
    for item in open_rows:
        needed = {s.pk for s in item.skills.all()}
        ranked = suggest_assignees(needed, workload)
        item.suggested = ranked[0] if ranked else None  # type: ignore[attr-defined]
        # The picker: who holds the skills, best first; then the others, marked.
        fit = {w.person.pk for w in ranked}
        item.choices = [_person_choice(w) for w in ranked] + [  # type: ignore[attr-defined]
            (pk, f"{label} · lacks a needed skill") for pk, label in people if pk not in fit
        ]
    columns = [
        {
            "status": status,
            "label": status.label,
            "requests": delivered
            if status == PresalesStatus.DELIVERED
            else [r for r in open_rows if r.status == status],
        }
        for status in BOARD_COLUMNS
    ]
    context = {
        "columns": columns,
        "workload": workload,
        "capacity_hours": f"{settings.SALESDESK_PRESALES_CAPACITY_HOURS:g}",
        "filters": filters,
        "overdue_count": len([r for r in open_rows if r.target.is_overdue]),  # type: ignore[attr-defined]
        "filtered": any(criteria.values()),
    }
    return render(request, "deals/presales/board.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def presales_create(request: HttpRequest) -> HttpResponse:
    """Ask for support; ``?opportunity=ID`` (from the opportunity page) preselects the deal."""
    require(request.user, "presales.request")
    initial: dict[str, Any] = {}
    wanted = request.GET.get("opportunity", "")
    if wanted.isdigit() and len(wanted) < 19:
        opportunity = visible_opportunities(request.user).filter(pk=int(wanted)).first()
        if opportunity is not None:
            initial["opportunity"] = opportunity.pk
    form = PresalesRequestForm(request.POST or None, user=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = services.presales_request_create(
                    actor=request.user, opportunity=form.cleaned_data["opportunity"], data=form.service_data()
                )
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, f"{created.reference} sent to the presales team.")
                return redirect(_detail_url(created.pk))
        status = 400
    context = {"form": form, "settings_ack_hours": f"{settings.SALESDESK_PRESALES_ACKNOWLEDGE_HOURS:g}"}
    return render(request, "deals/presales/form.html", context, status=status)


@login_required
@require_GET
def presales_detail(request: HttpRequest, presales_request_id: int) -> HttpResponse:
    """One request: what was asked, where it stands against its targets, its timeline and comments."""
    item = presales_request_get_for_user(user=request.user, presales_request_id=presales_request_id)
    user = request.user
    can_manage = holds(user, "presales.assign")
    is_assignee = item.assignee_id == user.pk
    may_work = can_manage or (is_assignee and holds(user, "presales.deliver"))
    may_cancel = item.is_open and (can_manage or services._is_requester_side(user, item))
    assign_form = None
    suggested = None
    if can_manage and item.status in services.ASSIGNABLE_FROM:
        workload = team_workload()
        ranked = suggest_assignees({s.pk for s in item.skills.all()}, workload)
        suggested = ranked[0] if ranked else None
        assign_form = AssignForm(
            choices=[_person_choice(w) for w in workload],
            initial={
                "assignee": suggested.person.pk if suggested else None,
                "estimated_hours": item.estimated_hours,
            },
        )
    timeline = [
        ("Requested", item.requested_at, item.requested_by),
        ("Acknowledged", item.acknowledged_at, None),
        ("Assigned", item.assigned_at, item.assignee),
        ("In progress", item.started_at, None),
        ("Delivered", item.delivered_at, None),
        (item.get_status_display(), item.closed_at, None),
    ]
    context = {
        "item": item,
        "target": target_state(item),
        "timeline": [(label, at, who) for label, at, who in timeline if at is not None],
        "comments": list(comments_of(item)),
        "comment_form": CommentForm() if services.may_comment(user, item) else None,
        "assign_form": assign_form,
        "suggested": suggested,
        "can_acknowledge": can_manage and item.status == PresalesStatus.REQUESTED,
        "can_decline": can_manage and item.status in (PresalesStatus.REQUESTED, PresalesStatus.ACKNOWLEDGED),
        "can_start": may_work and item.status == PresalesStatus.ASSIGNED,
        "can_deliver": may_work and item.status == PresalesStatus.IN_PROGRESS,
        "can_cancel": may_cancel,
    }
    return render(request, "deals/presales/detail.html", context)


@login_required
@require_POST
def presales_step(request: HttpRequest, presales_request_id: int) -> HttpResponse:
    item = presales_request_get_for_user(user=request.user, presales_request_id=presales_request_id)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a step: acknowledge, start, deliver, decline or cancel.")
        return redirect(_detail_url(item.pk))
    try:
        services.presales_request_transition(
            actor=request.user,
            request=item,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data.get("reason") or "",
            note=form.cleaned_data.get("note") or "",
        )
    except ApplicationError as exc:
        messages.error(request, exc.as_line())
    else:
        item.refresh_from_db(fields=["status"])
        messages.success(request, f"{item.reference} is now {item.get_status_display().lower()}.")
    return redirect(
        (request.POST.get("next") == "board" and reverse("web:presales_board")) or _detail_url(item.pk)
    )


@login_required
@require_POST
def presales_assign(request: HttpRequest, presales_request_id: int) -> HttpResponse:
    item = presales_request_get_for_user(user=request.user, presales_request_id=presales_request_id)
    require(request.user, "presales.assign")
    people = [_person_choice(w) for w in team_workload()]
    form = AssignForm(request.POST, choices=people)
    back = reverse("web:presales_board") if request.POST.get("next") == "board" else _detail_url(item.pk)
    if not form.is_valid():
        messages.error(request, "Choose someone of the presales team to assign.")
        return redirect(back)
    try:
        done = services.presales_request_assign(
            actor=request.user,
            request=item,
            assignee_id=form.cleaned_data["assignee"],
            estimated_hours=form.cleaned_data.get("estimated_hours"),
            ignore_skills=form.cleaned_data.get("ignore_skills") or False,
        )
    except ApplicationError as exc:
        messages.error(request, exc.as_line())
    else:
        messages.success(request, f"{done.reference} assigned to {done.assignee}.")
    return redirect(back)


@login_required
@require_POST
def presales_comment(request: HttpRequest, presales_request_id: int) -> HttpResponse:
    item = presales_request_get_for_user(user=request.user, presales_request_id=presales_request_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write a comment first (at most 5,000 characters).")
        return redirect(_detail_url(item.pk) + "#comments")
    try:
        services.presales_comment_add(actor=request.user, request=item, text=form.cleaned_data["text"])
    except ApplicationError as exc:
        messages.error(request, exc.as_line())
    else:
        messages.success(request, "Comment added.")
    return redirect(_detail_url(item.pk) + "#comments")
