"""Every write to requirements: capture, clarification, baselines, sharing and customer sign-off.

SSUP level 3 ("help customers clarify requirements and document conclusions"):
``requirement.manage`` captures requirements and raises and logs questions,
``requirement.baseline`` freezes and shares versions, and a customer user of the
opportunity's account (``requirement.signoff``) answers questions and signs off a version
shared with them, once. Callers find records through the selectors first (a foreign
record is a 404 before any of these run).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from salesdesk.core import audit
from salesdesk.core.errors import ApplicationError, StateConflict
from salesdesk.core.permissions import holds, require
from salesdesk.core.roles import UserKind
from salesdesk.core.validation import apply_changes, check_version, clean_or_raise
from salesdesk.parties.choices import OrganisationKind
from salesdesk.parties.models import Contact, Organisation

from .choices import AnswerChannel, QuestionStatus, RequirementPriority, RequirementSource, RequirementType
from .models import Opportunity, Requirement, RequirementBaseline, RequirementQuestion, RequirementSet
from .requirement_diff import SetDiff, diff_requirements
from .targets import Target, TargetError, parse_targets

REQUIREMENT_FIELDS = {
    "reference",
    "statement",
    "type",
    "priority",
    "acceptance",
    "source",
    "conclusion",
    "targets",
}
MAX_STATEMENT = 5000
DEFAULT_PREFIX = "REQ"
STAFF_CHANNELS = (AnswerChannel.CALL, AnswerChannel.MEETING, AnswerChannel.EMAIL)


def clean_targets(value: Any) -> list[dict[str, str]]:
    """Targets as stored: from text (``peak_users = 2000; p95 <= 2 s``) or a list of dicts/texts."""
    if value in (None, ""):
        return []
    try:
        if isinstance(value, str):
            parsed = parse_targets(value)
        elif isinstance(value, list | tuple):
            parsed = []
            for item in value:
                if isinstance(item, Target):
                    parsed.append(item)
                elif isinstance(item, dict):
                    unit = f" {item.get('unit', '')}" if item.get("unit") else ""
                    text = f"{item.get('metric', '')} {item.get('operator', '')} {item.get('value', '')}"
                    parsed.extend(parse_targets(text + unit))
                else:
                    parsed.extend(parse_targets(str(item)))
        else:
            raise ApplicationError("targets", "must be text such as 'peak_users = 2000' or a list of targets")
    except TargetError as exc:
        raise ApplicationError("targets", exc.message) from exc
    return [t.as_dict() for t in parsed]


def _choice(field: str, value: Any, choices: type[Any]) -> str:
    text = str(value or "").strip().lower()
    if text not in choices.values:
        raise ApplicationError(field, f"must be one of {', '.join(choices.values)}")
    return text


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    for name in ("reference", "statement", "acceptance", "conclusion"):
        if isinstance(data.get(name), str):
            data[name] = data[name].strip()
    if "reference" in data:
        data["reference"] = data["reference"].upper()
    if "statement" in data:
        if not data["statement"]:
            raise ApplicationError("statement", "is required")
        if len(data["statement"]) > MAX_STATEMENT:
            raise ApplicationError("statement", f"is longer than {MAX_STATEMENT} characters")
    if "type" in data:
        data["type"] = _choice("type", data["type"], RequirementType)
    if "priority" in data:
        data["priority"] = _choice("priority", data["priority"], RequirementPriority)
    if "source" in data:
        data["source"] = _choice("source", data["source"], RequirementSource)
    if "targets" in data:
        data["targets"] = clean_targets(data["targets"])
    return data


def next_reference(requirement_set: RequirementSet | None, taken: set[str] | None = None) -> str:
    """The next free ``REQ-nnn`` after the highest number used in the set, its baselines or ``taken``."""
    numbers = [0]
    references = list(taken or ())
    if requirement_set is not None and requirement_set.pk:
        references += list(requirement_set.requirements.values_list("reference", flat=True))
        # A removed requirement's reference stays taken: a baseline still names it.
        for content in requirement_set.baselines.values_list("content", flat=True):
            references += [r["reference"] for r in content.get("requirements", [])]
    for reference in references:
        match = re.match(r"^[A-Za-z][A-Za-z0-9]*-(\d+)$", reference)
        if match:
            numbers.append(int(match.group(1)))
    return f"{DEFAULT_PREFIX}-{max(numbers) + 1:03d}"


def _set_for(actor: Any, opportunity: Opportunity) -> RequirementSet:
    """The opportunity's set, started on first use."""
    requirement_set = RequirementSet.objects.select_for_update().filter(opportunity=opportunity).first()
    if requirement_set is None:
        requirement_set = RequirementSet.objects.create(opportunity=opportunity)
        audit.record_created(actor, requirement_set)
    return requirement_set


@transaction.atomic
def requirement_add(*, actor: Any, opportunity: Opportunity, data: dict[str, Any]) -> Requirement:
    """Capture a requirement; without a reference it gets the next ``REQ-nnn``."""
    require(actor, "requirement.manage")
    unknown = sorted(set(data) - REQUIREMENT_FIELDS)
    if unknown:
        raise ApplicationError(unknown[0], "is not a field of a requirement")
    data = _clean(data)
    if not data.get("statement"):
        raise ApplicationError("statement", "is required")
    requirement_set = _set_for(actor, opportunity)
    if not data.get("reference"):
        data["reference"] = next_reference(requirement_set)
    elif requirement_set.requirements.filter(reference__iexact=data["reference"]).exists():
        raise ApplicationError("reference", f"{data['reference']} is already used in this set")
    requirement = Requirement(requirement_set=requirement_set, **data)
    clean_or_raise(requirement)
    requirement.save()
    audit.record_created(actor, requirement)
    return requirement


@transaction.atomic
def requirements_import(
    *,
    actor: Any,
    opportunity: Opportunity,
    rows: list[tuple[str, dict[str, Any]]],
    progress: Callable[[int], None] | None = None,
) -> list[Requirement]:
    """Add many checked requirements at once (an import): all of them, or none.

    ``rows`` are ``(where, data)`` pairs as ``requirement_io.validate_records`` returns them;
    an error names ``where`` ("row 12, reference: ..."). The set is locked once and the
    references checked against it in memory, so a 2,000-row file costs two inserts per row
    (the requirement and its audit record), not a handful of queries each.
    """
    require(actor, "requirement.manage")
    requirement_set = _set_for(actor, opportunity)
    taken = {r.upper() for r in requirement_set.requirements.values_list("reference", flat=True)}
    numbered = set(taken)
    for content in requirement_set.baselines.values_list("content", flat=True):
        numbered |= {r["reference"].upper() for r in content.get("requirements", [])}
    numbered |= {str(d.get("reference") or "").upper() for _w, d in rows if d.get("reference")}
    created = []
    for index, (where, data) in enumerate(rows, start=1):
        try:
            unknown = sorted(set(data) - REQUIREMENT_FIELDS)
            if unknown:
                raise ApplicationError(unknown[0], "is not a field of a requirement")
            data = _clean(data)
            if not data.get("reference"):
                data["reference"] = next_reference(None, numbered)
                numbered.add(data["reference"])
            if data["reference"] in taken:
                raise ApplicationError("reference", f"{data['reference']} is already used in this set")
            taken.add(data["reference"])
            requirement = Requirement(requirement_set=requirement_set, **data)
            # Uniqueness was checked above, under the set's lock: no query per row for it.
            requirement.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise ApplicationError(field, f"{where}: {messages[0]}") from exc
        except ApplicationError as exc:
            error = exc.errors[0] if exc.errors else None
            raise ApplicationError(
                error.field if error else "file", f"{where}: {error.message if error else exc.detail}"
            ) from exc
        requirement.save()
        audit.record_created(actor, requirement)
        created.append(requirement)
        if progress is not None and (index % 100 == 0 or index == len(rows)):
            progress(index)
    return created


@transaction.atomic
def requirement_update(
    *, actor: Any, requirement: Requirement, data: dict[str, Any], expected_version: int | None = None
) -> Requirement:
    """Change a requirement of the draft (baselined versions keep what they had)."""
    require(actor, "requirement.manage")
    requirement = (
        Requirement.objects.select_for_update().select_related("requirement_set").get(pk=requirement.pk)
    )
    check_version(requirement, expected_version)
    data = _clean(data)
    if "reference" in data and (
        not data["reference"]
        or requirement.requirement_set.requirements.filter(reference__iexact=data["reference"])
        .exclude(pk=requirement.pk)
        .exists()
    ):
        raise ApplicationError("reference", f"{data['reference'] or 'an empty reference'} cannot be used")
    before = audit.snapshot(requirement)
    changed = apply_changes(requirement, data, allowed=REQUIREMENT_FIELDS)
    if not changed:
        return requirement
    clean_or_raise(requirement)
    requirement.save(update_fields=changed)
    audit.record_updated(actor, requirement, before)
    return requirement


@transaction.atomic
def requirement_remove(*, actor: Any, requirement: Requirement) -> None:
    """Remove a requirement from the draft, with its questions (baselines keep their copy)."""
    require(actor, "requirement.manage")
    for question in requirement.questions.all():
        audit.record_deleted(actor, question)
    audit.record_deleted(actor, requirement)
    requirement.delete()


# --- Clarification ------------------------------------------------------------------------------


@transaction.atomic
def question_raise(
    *, actor: Any, requirement: Requirement, text: str, contact_id: int | None = None
) -> RequirementQuestion:
    """Ask the customer's contact an open question about a requirement; it blocks baselining."""
    require(actor, "requirement.manage")
    text = (text or "").strip()
    if not text:
        raise ApplicationError("text", "is required")
    account_id = requirement.requirement_set.opportunity.account_id
    contact = None
    if contact_id is not None:
        contact = Contact.objects.filter(pk=contact_id, organisation_id=account_id).first()
        if contact is None:
            raise ApplicationError("contact_id", "must be a contact of the opportunity's customer")
    question = RequirementQuestion(requirement=requirement, text=text, asked_of=contact, asked_by=actor)
    clean_or_raise(question, exclude=["asked_by"])
    question.save()
    audit.record_created(actor, question)
    return question


@transaction.atomic
def question_answer(
    *, actor: Any, question: RequirementQuestion, answer: str, decision: str = "", channel: str = ""
) -> RequirementQuestion:
    """Record the answer to an open question; the decision becomes the requirement's conclusion.

    A customer user of the account answers in the portal (the answer is the decision); staff
    log an answer heard on a call, in a meeting or by e-mail, with the decision they drew.
    """
    question = (
        RequirementQuestion.objects.select_for_update()
        .select_related("requirement__requirement_set__opportunity")
        .get(pk=question.pk)
    )
    account_id = question.requirement.requirement_set.opportunity.account_id
    if getattr(actor, "kind", None) == UserKind.CUSTOMER:
        if not holds(actor, "requirement.signoff") or actor.organisation_id != account_id:
            raise ApplicationError(
                "question", "only the customer it was asked of may answer it in the portal"
            )
        channel = AnswerChannel.PORTAL
    else:
        require(actor, "requirement.manage")
        channel = (channel or AnswerChannel.CALL).strip().lower()
        if channel not in STAFF_CHANNELS:
            raise ApplicationError("channel", f"must be one of {', '.join(c.value for c in STAFF_CHANNELS)}")
    if question.status != QuestionStatus.OPEN:
        raise StateConflict("question", "is already answered")
    answer = (answer or "").strip()
    if not answer:
        raise ApplicationError("answer", "is required")
    before = audit.snapshot(question)
    question.answer = answer
    question.status = QuestionStatus.ANSWERED
    question.answered_by = actor
    question.answered_at = timezone.now()
    question.channel = channel
    question.save(update_fields=["answer", "status", "answered_by", "answered_at", "channel"])
    audit.record_step(actor, question, "answered", audit.diff(before, audit.snapshot(question)))
    conclusion = (decision or "").strip() or answer
    requirement = Requirement.objects.select_for_update().get(pk=question.requirement_id)
    before = audit.snapshot(requirement)
    requirement.conclusion = (
        f"{requirement.conclusion}\n{conclusion}".strip() if requirement.conclusion else conclusion
    )
    requirement.save(update_fields=["conclusion"])
    audit.record_updated(actor, requirement, before)
    return question


# --- Baselines, sharing, sign-off ---------------------------------------------------------------


def draft_content(requirement_set: RequirementSet) -> list[dict[str, Any]]:
    return [r.as_content() for r in requirement_set.requirements.order_by("reference", "id")]


def draft_diff(requirement_set: RequirementSet | None) -> SetDiff | None:
    """What the draft changes against the latest baseline (None before the first baseline)."""
    if requirement_set is None:
        return None
    latest = requirement_set.baselines.order_by("-number").first()
    if latest is None:
        return None
    return diff_requirements(latest.requirements, draft_content(requirement_set))


def _clarifications(requirement_set: RequirementSet) -> dict[str, list[dict[str, str]]]:
    """The answered questions of each requirement (by reference), oldest first, as a baseline keeps them."""
    result: dict[str, list[dict[str, str]]] = {}
    answered = (
        RequirementQuestion.objects.filter(
            requirement__requirement_set=requirement_set, status=QuestionStatus.ANSWERED
        )
        .select_related("requirement")
        .order_by("id")
    )
    for question in answered:
        result.setdefault(question.requirement.reference, []).append(
            {
                "question": question.text,
                "answer": question.answer,
                "channel": question.channel,
                "answered_on": question.answered_at.date().isoformat() if question.answered_at else "",
            }
        )
    return result


@transaction.atomic
def baseline_create(*, actor: Any, opportunity: Opportunity, note: str = "") -> RequirementBaseline:
    """Freeze the draft as the next numbered version. Refused while any question is open."""
    require(actor, "requirement.baseline")
    requirement_set = RequirementSet.objects.select_for_update().filter(opportunity=opportunity).first()
    if requirement_set is None or not requirement_set.requirements.exists():
        raise ApplicationError("requirements", "there are no requirements to baseline yet")
    open_questions = (
        RequirementQuestion.objects.filter(
            requirement__requirement_set=requirement_set, status=QuestionStatus.OPEN
        )
        .select_related("requirement")
        .order_by("requirement__reference", "id")
    )
    if open_questions:
        references = sorted({q.requirement.reference for q in open_questions})
        verb = "has an open question" if len(references) == 1 else "have open questions"
        raise StateConflict(
            "requirements",
            f"{', '.join(references)} still {verb}; answer them before baselining",
        )
    requirements = draft_content(requirement_set)
    clarifications = _clarifications(requirement_set)
    for requirement in requirements:
        # Kept beside the compared fields (the diff ignores them): the document shows how each
        # conclusion was reached.
        requirement["clarifications"] = clarifications.get(requirement["reference"], [])
    latest = requirement_set.baselines.order_by("-number").first()
    if latest is not None and diff_requirements(latest.requirements, requirements).is_empty:
        raise StateConflict("requirements", f"nothing changed since version {latest.number}")
    number = (requirement_set.baselines.aggregate(n=Max("number"))["n"] or 0) + 1
    account = opportunity.account
    vendor = Organisation.objects.filter(kind=OrganisationKind.OWN).values_list("name", flat=True).first()
    baseline = RequirementBaseline(
        requirement_set=requirement_set,
        number=number,
        note=(note or "").strip()[:300],
        created_by=actor,
        content={
            "title": requirement_set.title,
            "vendor": vendor or "",
            "customer": account.name,
            "opportunity": opportunity.name,
            "version": number,
            "date": timezone.localdate().isoformat(),
            "prepared_by": (actor.get_full_name() or actor.username) if getattr(actor, "pk", None) else "",
            "requirements": requirements,
        },
    )
    baseline.save()
    detail: dict[str, Any] = {"version": number, "requirements": len(requirements)}
    if latest is not None:
        detail["changes"] = diff_requirements(latest.requirements, requirements).as_dict()
    audit.record_step(actor, baseline, f"baselined version {number}", detail=detail)
    return baseline


@transaction.atomic
def baseline_share(*, actor: Any, baseline: RequirementBaseline, contact_id: int) -> RequirementBaseline:
    """Share a version with the customer's contact; the account's customer users may then sign it."""
    require(actor, "requirement.baseline")
    baseline = (
        RequirementBaseline.objects.select_for_update()
        .select_related("requirement_set__opportunity")
        .get(pk=baseline.pk)
    )
    contact = Contact.objects.filter(
        pk=contact_id, organisation_id=baseline.requirement_set.opportunity.account_id
    ).first()
    if contact is None:
        raise ApplicationError("contact_id", "must be a contact of the opportunity's customer")
    if baseline.is_shared:
        raise StateConflict("baseline", f"version {baseline.number} is already shared")
    before = audit.snapshot(baseline)
    baseline.shared_with = contact
    baseline.shared_by = actor
    baseline.shared_at = timezone.now()
    baseline.save(update_fields=["shared_with", "shared_by", "shared_at"])
    audit.record_step(
        actor, baseline, f"shared version {baseline.number}", audit.diff(before, audit.snapshot(baseline))
    )
    return baseline


@transaction.atomic
def baseline_signoff(*, actor: Any, baseline: RequirementBaseline, name: str = "") -> RequirementBaseline:
    """The customer signs off a version shared with them: name, time and version recorded, once."""
    require(actor, "requirement.signoff")
    baseline = (
        RequirementBaseline.objects.select_for_update()
        .select_related("requirement_set__opportunity")
        .get(pk=baseline.pk)
    )
    if actor.organisation_id != baseline.requirement_set.opportunity.account_id or not baseline.is_shared:
        raise StateConflict("baseline", "only a version shared with your organisation can be signed off")
    if baseline.is_signed_off:
        raise StateConflict(
            "baseline", f"version {baseline.number} was already signed off by {baseline.signed_off_name}"
        )
    name = (name or "").strip() or actor.get_full_name() or actor.username
    if len(name) > 200:
        raise ApplicationError("name", "is longer than 200 characters")
    before = audit.snapshot(baseline)
    baseline.signed_off_by = actor
    baseline.signed_off_name = name
    baseline.signed_off_at = timezone.now()
    baseline.save(update_fields=["signed_off_by", "signed_off_name", "signed_off_at"])
    audit.record_step(
        actor, baseline, f"signed off version {baseline.number}", audit.diff(before, audit.snapshot(baseline))
    )
    return baseline
