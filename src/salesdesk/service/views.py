"""Pages of the service desk: the queue, a case, a new case, the quick log and the rating link.

Selectors read, services write; a service's ApplicationError comes back as a form error
on the field it names, and the page answers 400 so scripts and tests can tell.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST

from salesdesk.core import audit
from salesdesk.core.errors import ApplicationError
from salesdesk.core.pages import form_page, optional_id
from salesdesk.core.permissions import holds, require
from salesdesk.core.roles import INTERNAL_KINDS, UserKind
from salesdesk.parties.selectors import organisation_get_for_user

from . import selectors, services
from .api import attachment_response
from .choices import ACTIVE_STATUSES, CasePriority, CaseStatus, CaseType
from .forms import (
    TOP_TIER,
    AttachmentForm,
    BulkAssignForm,
    CaseEditForm,
    CaseForm,
    ComplaintForm,
    EscalateForm,
    InteractionForm,
    RatingForm,
    ReplyForm,
    SlaPolicyForm,
    TransitionForm,
)
from .keyset import keyset_page
from .models import Case

TRANSITION_LABELS = {
    CaseStatus.OPEN: "Start work",
    CaseStatus.WAITING_ON_CUSTOMER: "Wait on customer (pauses the SLA)",
    CaseStatus.RESOLVED: "Resolve",
    CaseStatus.CLOSED: "Close",
}


def _is_staff(user: Any) -> bool:
    return getattr(user, "kind", None) == UserKind.SUPPORT


@login_required
def case_queue(request: HttpRequest) -> HttpResponse:
    """The queue tabs (my work, my tier, breaching soon, waiting, complaints) or filtered lists."""
    user = request.user
    require(user, "case.reply")
    staff = _is_staff(user)
    queue = request.GET.get("queue", "")
    if queue not in selectors.QUEUES:
        # Staff land on the tab holding their most urgent case (an escalation waiting in
        # their tier's queue comes before their own work); others on their open cases.
        queue = selectors.most_urgent_queue(user=user) if staff else "all"
    filters = {
        "query": request.GET.get("q", "").strip(),
        "status": request.GET.get("status", "") if request.GET.get("status") in CaseStatus.values else "",
        "case_type": request.GET.get("type", "") if request.GET.get("type") in CaseType.values else "",
        "priority": request.GET.get("priority", "")
        if request.GET.get("priority") in CasePriority.values
        else "",
    }
    if any(filters.values()):
        cases = selectors.case_search(user=user, **filters)
        queue = ""
    else:
        cases = selectors.case_queue(user=user, queue=queue)
    # Keyset pages (no COUNT, no OFFSET): the "breaching soon" tab in the order cases became
    # at risk, every other list soonest due first.
    key = "at_risk_at" if queue == "breaching" else "resolution_due_at"
    # Only what a row shows: fewer joins, and PostgreSQL plans the query in a third of the time.
    cases = cases.select_related(None).select_related("account", "assignee", "sla_calendar")
    page = keyset_page(cases, key, request.GET.get("cursor"), settings.SALESDESK_PAGE_SIZE)
    rows = [(case, selectors.sla_state(case)) for case in page.object_list]
    params = request.GET.copy()
    for name in ("cursor", "page"):
        params.pop(name, None)
    bulk_form = (
        BulkAssignForm(user=user, cases=selectors.visible_cases(user).filter(status__in=ACTIVE_STATUSES))
        if holds(user, "presales.assign")
        else None
    )
    tabs = selectors.QUEUES if staff else {"all": "Open cases"}
    return render(
        request,
        "service/case_queue.html",
        {
            "page": page,
            "rows": rows,
            "queue": queue,
            "tabs": tabs,
            "filters": filters,
            "querystring": params.urlencode(),
            "statuses": CaseStatus.choices,
            "types": CaseType.choices,
            "priorities": CasePriority.choices,
            "bulk_form": bulk_form,
            "staff": staff,
        },
    )


@login_required
@require_POST
def case_bulk_assign(request: HttpRequest) -> HttpResponse:
    """Assign the ticked cases to one person (level 5); each refused case is reported, the rest go."""
    require(request.user, "presales.assign")
    visible = selectors.visible_cases(request.user).filter(status__in=ACTIVE_STATUSES)
    form = BulkAssignForm(request.POST, user=request.user, cases=visible)
    if not form.is_valid():
        messages.error(request, "Tick at least one case and choose who gets them.")
        return redirect("web:service:case_queue")
    done, refused = 0, []
    for case in form.cleaned_data["cases"]:
        try:
            services.case_assign(actor=request.user, case=case, assignee=form.cleaned_data["assignee"])
            done += 1
        except ApplicationError as exc:
            refused.append(f"{case.reference}: {exc.as_line()}")
    if done:
        messages.success(request, f"{done} case(s) assigned.")
    for line in refused:
        messages.error(request, line)
    return redirect("web:service:case_queue")


def _detail_context(request: HttpRequest, case: Case, **forms: Any) -> dict[str, Any]:
    user = request.user
    staff = _is_staff(user)
    internal = user.kind in INTERNAL_KINDS
    transitions = []
    if staff:
        for status in services.allowed_transitions(case):
            label = TRANSITION_LABELS.get(status, status)
            if status == CaseStatus.OPEN and case.status == CaseStatus.RESOLVED:
                label = "Reopen"
            elif status == CaseStatus.OPEN and case.status == CaseStatus.WAITING_ON_CUSTOMER:
                label = "Customer answered (resume the SLA)"
            transitions.append((status, label))
    interactions = selectors.visible_interactions(user).filter(case=case)
    can_draft = staff and holds(user, "knowledge.draft")
    suggestions = None
    if staff and case.status in ACTIVE_STATUSES and holds(user, "knowledge.view"):
        try:
            from salesdesk.knowledge.suggestions import suggestions_for

            suggestions = suggestions_for(user=user, question=case.subject, limit=3).good
        except Exception:  # a search index not built yet must not break the case page
            suggestions = None
    return {
        "case": case,
        "sla": selectors.sla_state(case),
        "staff": staff,
        "internal": internal,
        "conversation": _conversation(user, case, interactions, internal),
        "attachments": selectors.visible_attachments(user).filter(case=case),
        "transitions": transitions,
        "suggestions": suggestions,
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "transition_form": forms.get("transition_form") or TransitionForm(initial={"version": case.version}),
        "escalate_form": forms.get("escalate_form")
        or EscalateForm(tier=case.tier, initial={"version": case.version}),
        "top_tier": TOP_TIER,
        "complaint_form": forms.get("complaint_form")
        or ComplaintForm(
            initial={
                "acknowledged": case.acknowledged_at is not None,
                "investigation": case.investigation,
                "response": case.response,
                "root_cause": case.root_cause,
                "corrective_action": case.corrective_action,
                "version": case.version,
            }
        ),
        "log_form": forms.get("log_form") or InteractionForm(user=user, account=case.account),
        "attach_form": forms.get("attach_form") or AttachmentForm(),
        "can_escalate": staff and holds(user, "case.escalate"),
        "can_draft_answer": can_draft,
        "drafted_answers": selectors.answers_drafted_from(user=user, case=case) if can_draft else None,
        "can_log": holds(user, "interaction.log"),
        "can_edit": _may_edit(user) and case.status != CaseStatus.CLOSED,
        "can_take": staff and case.assignee_id is None and (user.support_level or 0) >= case.tier,
        "events": audit.events_for(case)[:50] if internal and holds(user, "audit.view") else None,
    }


def home_cases_context(*, user: Any) -> dict[str, Any]:
    """The cases block on the home page: my work and my tier's queue for staff, open cases for others."""
    if not holds(user, "case.reply"):
        return {"home_cases": None}
    if _is_staff(user):
        work = selectors.urgent_work(user=user, limit=10)
        return {
            "home_cases": [(case, selectors.sla_state(case)) for case in work],
            "home_cases_title": "My work and my tier's queue, most urgent first",
            "home_cases_staff": True,
        }
    cases = selectors.case_queue(user=user, queue="all")[:10]
    return {
        "home_cases": [(case, selectors.sla_state(case)) for case in cases],
        "home_cases_title": "Open cases",
    }


def account_cases_context(*, user: Any, organisation: Any) -> dict[str, Any]:
    """The cases block and quick log on an account page (the page itself lives in ``web``)."""
    if organisation.kind != "customer" or not holds(user, "case.reply"):
        return {"account_cases": None}
    return {
        "account_cases": selectors.visible_cases(user).filter(account=organisation)[:20],
        "quick_log_form": InteractionForm(user=user, account=organisation)
        if holds(user, "interaction.log")
        else None,
    }


def _conversation(user: Any, case: Case, interactions: Any, internal: bool) -> list[tuple[str, Any, Any]]:
    """Replies, logged interactions and escalations of a case in one list, oldest first."""
    items: list[tuple[str, Any, Any]] = [
        ("comment", c.created_at, c) for c in selectors.visible_comments(user).filter(case=case)
    ]
    items += [("interaction", i.occurred_at, i) for i in interactions]
    if internal:
        items += [
            ("escalation", e.created_at, e) for e in selectors.visible_escalations(user).filter(case=case)
        ]
    return sorted(items, key=lambda item: item[1])


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    return render(request, "service/case_detail.html", _detail_context(request, case))


def _back(case: Case) -> HttpResponse:
    return redirect("web:service:case_detail", case_id=case.pk)


def _refused(request: HttpRequest, case: Case, **forms: Any) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, case_id=case.pk)
    return render(request, "service/case_detail.html", _detail_context(request, case, **forms), status=400)


def _may_edit(user: Any) -> bool:
    """The service's own check for ``case_update``: support staff holding ``case.reply``."""
    return _is_staff(user) and holds(user, "case.reply")


def _when(value: Any) -> str:
    return date_format(timezone.localtime(value), "j M Y, H:i") if value else "—"


def _edited_message(before: Case, case: Case) -> str:
    """What the edit did; a new priority says whether the SLA due times moved and to when."""
    text = f"{case.reference} was saved."
    if before.priority == case.priority:
        return text
    due_before = (before.sla_policy_id, before.first_response_due_at, before.resolution_due_at)
    due_after = (case.sla_policy_id, case.first_response_due_at, case.resolution_due_at)
    if due_before != due_after:
        return (
            f"{text} The priority is now {case.get_priority_display().lower()}, so the SLA due times "
            f"were re-targeted: first response due {_when(case.first_response_due_at)}, "
            f"resolution due {_when(case.resolution_due_at)}."
        )
    return (
        f"{text} The priority is now {case.get_priority_display().lower()}; the SLA due times stay "
        f"as they were (first response due {_when(case.first_response_due_at)}, "
        f"resolution due {_when(case.resolution_due_at)})."
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    """Edit a case (support staff): subject, description, priority, product, contact, opportunity.

    Another organisation's case is a 404 (the selector); a customer or partner, who may see
    the case but not edit it, gets 403 like the API's PATCH. A closed case offers no form;
    a POST to one shows the service's refusal on the page.
    """
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    if not _may_edit(request.user):
        raise PermissionDenied("You may not do this: only support staff edit cases.")
    before = Case(
        priority=case.priority,
        sla_policy_id=case.sla_policy_id,
        first_response_due_at=case.first_response_due_at,
        resolution_due_at=case.resolution_due_at,
    )
    form = CaseEditForm(request.POST or None, user=request.user, case=case)
    return form_page(
        request,
        form,
        "service/case_edit.html",
        {"case": case},
        save=lambda: services.case_update(
            actor=request.user,
            case=case,
            data=form.service_data(),
            expected_version=form.cleaned_data.get("version"),
        ),
        saved=lambda saved: _edited_message(before, saved),
        then=_back,
    )


@login_required
@require_POST
def case_reply(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            comment = services.case_reply(
                actor=request.user,
                case=case,
                body=form.cleaned_data["body"],
                is_public=form.cleaned_data["is_public"] or request.user.kind not in INTERNAL_KINDS,
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            if comment.case_id != case.pk:
                messages.info(request, f"The case was closed, so your reply opened {comment.case.reference}.")
            else:
                messages.success(request, "Reply added.")
            return _back(comment.case)
    return _refused(request, case, reply_form=form)


@login_required
@require_POST
def case_transition(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            case = services.case_transition(
                actor=request.user,
                case=case,
                to_status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data.get("version"),
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{case.reference} is now {case.get_status_display().lower()}.")
            if request.GET.get("then") == "draft_answer" and case.status == CaseStatus.RESOLVED:
                return redirect("web:service:case_draft_answer", case_id=case.pk)
            return _back(case)
    return _refused(request, case, transition_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def case_draft_answer(request: HttpRequest, case_id: int) -> HttpResponse:
    """Draft a knowledge answer from a case (level 2+): prefilled from the case, edited, saved."""
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    if not _is_staff(request.user):
        raise Http404
    require(request.user, "knowledge.draft")
    from salesdesk.knowledge.forms import ItemForm
    from salesdesk.knowledge.models import Answer

    prefill = selectors.answer_draft_prefill(user=request.user, case=case)
    initial = {
        "title": prefill["title"],
        "body": prefill["body"],
        "alternatives": "\n".join(prefill["alternatives"]),
        "products": prefill["product_ids"],
    }
    form = ItemForm(request.POST or None, model=Answer, initial=initial)
    return form_page(
        request,
        form,
        "service/case_draft_answer.html",
        {"case": case},
        save=lambda: services.case_draft_answer(actor=request.user, case=case, data=form.service_data()),
        saved=lambda answer: f"The answer “{answer.title}” was saved as a draft from {case.reference}.",
        then=lambda answer: _back(case),
    )


@login_required
@require_POST
def case_escalate(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    form = EscalateForm(request.POST, tier=case.tier)
    if form.is_valid():
        try:
            services.case_escalate(
                actor=request.user,
                case=case,
                to_tier=form.cleaned_data["to_tier"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("version"),
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request, f"{case.reference} went to the tier {form.cleaned_data['to_tier']} queue."
            )
            return _back(case)
    return _refused(request, case, escalate_form=form)


@login_required
@require_POST
def case_take(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    try:
        services.case_take(actor=request.user, case=case)
    except ApplicationError as exc:
        messages.error(request, exc.as_line())
    else:
        messages.success(request, f"{case.reference} is yours.")
    return _back(case)


@login_required
@require_POST
def case_complaint(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    form = ComplaintForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.case_update_complaint(
                actor=request.user, case=case, data=data, expected_version=form.cleaned_data.get("version")
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Complaint handling saved.")
            return _back(case)
    return _refused(request, case, complaint_form=form)


@login_required
@require_POST
def case_attach(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(actor=request.user, case=case, upload=form.cleaned_data["file"])
        except ApplicationError as exc:
            form.add_error("file", exc.errors[0].message if exc.errors else exc.detail)
        else:
            messages.success(request, "File attached.")
            return _back(case)
    return _refused(request, case, attach_form=form)


@login_required
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment = selectors.attachment_get_for_user(user=request.user, attachment_id=attachment_id)
    return attachment_response(attachment)


def _log(request: HttpRequest, form: InteractionForm, **links: Any) -> Any:
    data = {k: v for k, v in form.cleaned_data.items() if k not in ("contact", "open_case")}
    return services.log_interaction(
        actor=request.user, contact=form.cleaned_data.get("contact"), **links, **data
    )


@login_required
@require_POST
def case_log(request: HttpRequest, case_id: int) -> HttpResponse:
    """The quick log on a case page: a call, meeting or e-mail about this case."""
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    form = InteractionForm(request.POST, user=request.user, account=case.account)
    if form.is_valid():
        try:
            _log(request, form, case=case)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Interaction logged.")
            return _back(case)
    return _refused(request, case, log_form=form)


@login_required
@require_POST
def interaction_log(request: HttpRequest) -> HttpResponse:
    """The quick log on an account page; "open a case from this call" continues to a new case."""
    account_id = optional_id(request.POST.get("account"))
    if account_id is None:
        return HttpResponse("Say which account.", status=400)
    account = organisation_get_for_user(user=request.user, organisation_id=account_id)
    form = InteractionForm(request.POST, user=request.user, account=account)
    if form.is_valid():
        try:
            interaction = _log(request, form, account=account)
        except ApplicationError as exc:
            messages.error(request, exc.as_line())
        else:
            messages.success(request, "Interaction logged.")
            if form.cleaned_data.get("open_case"):
                url = f"/cases/new/?account={account.pk}&interaction={interaction.pk}"
                if interaction.contact_id:
                    url += f"&contact={interaction.contact_id}"
                return redirect(url)
    else:
        messages.error(
            request,
            "The interaction was not logged: "
            + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
        )
    return redirect("web:organisation_detail", organisation_id=account.pk)


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    """A new case; from a call (``?interaction=``) or an account page (``?account=``)."""
    require(request.user, "case.open")
    initial: dict[str, Any] = {}
    for name in ("account", "contact", "interaction"):
        value = optional_id(request.GET.get(name))
        if value:
            initial[name] = value
    if request.user.kind == UserKind.PARTNER:
        initial.setdefault("channel", "partner")
    form = CaseForm(request.POST or None, user=request.user, initial=initial)
    interaction = None
    interaction_id = optional_id(request.POST.get("interaction") or request.GET.get("interaction"))
    if interaction_id:
        interaction = selectors.visible_interactions(request.user).filter(pk=interaction_id).first()
    return form_page(
        request,
        form,
        "service/case_form.html",
        {"interaction": interaction},
        save=lambda: services.case_open(
            actor=request.user, data=form.service_data(), interaction=interaction
        ),
        saved=lambda case: f"{case.reference} was opened.",
        then=lambda case: redirect("web:service:case_detail", case_id=case.pk),
    )


@require_http_methods(["GET", "POST"])
def case_rate_page(request: HttpRequest) -> HttpResponse:
    """Rate a resolved case from the e-mail link, without signing in (the signature is the key)."""
    token = request.GET.get("t", "")
    try:
        case = services.case_from_rating_token(token)
    except ApplicationError:
        return render(request, "service/rate.html", {"invalid": True}, status=404)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_rate(
                token=token, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
            )
        except ApplicationError as exc:
            form.add_error(None, exc.as_line())
        else:
            return render(request, "service/rate.html", {"thanks": True, "case": case})
    return render(
        request,
        "service/rate.html",
        {"form": form, "case": case, "token": token},
        status=400 if form.is_bound else 200,
    )


@login_required
def sla_policy_list(request: HttpRequest) -> HttpResponse:
    """The SLA targets per customer tier and priority (internal staff read, level 6 edits)."""
    if request.user.kind not in INTERNAL_KINDS:
        raise Http404
    policies = selectors.visible_sla_policies(request.user)
    return render(
        request,
        "service/sla_policy_list.html",
        {"policies": policies, "can_set": holds(request.user, "policy.set")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def sla_policy_edit(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = selectors.sla_policy_get_for_user(user=request.user, policy_id=policy_id)
    require(request.user, "policy.set")
    form = SlaPolicyForm(
        request.POST or None,
        initial={
            "first_response_minutes": policy.first_response_minutes,
            "resolution_minutes": policy.resolution_minutes,
            "at_risk_percent": policy.at_risk_percent,
            "version": policy.version,
        },
    )
    return form_page(
        request,
        form,
        "service/sla_policy_form.html",
        {"policy": policy},
        save=lambda: services.sla_policy_update(
            actor=request.user,
            policy=policy,
            data={k: v for k, v in form.cleaned_data.items() if k != "version"},
            expected_version=form.cleaned_data.get("version"),
        ),
        saved=lambda saved: f"SLA {saved} saved; cases opened from now on use it.",
        then=lambda saved: redirect("web:service:sla_policy_list"),
    )


@login_required
def case_sla_clock(request: HttpRequest, case_id: int) -> HttpResponse:
    """The SLA clock alone, polled by the case page with htmx so it counts down without a reload."""
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    return render(request, "service/_sla_clock.html", {"case": case, "sla": selectors.sla_state(case)})
