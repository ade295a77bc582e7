"""Request and response shapes of the presales API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ninja import Field, Schema

from salesdesk.core.api import DbId, InputSchema

from .presales_models import PresalesKind, PresalesPriority
from .presales_selectors import target_state


class PresalesAction(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    START = "start"
    DELIVER = "deliver"
    DECLINE = "decline"
    CANCEL = "cancel"


class PersonRef(Schema):
    id: int
    name: str


def _person(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.username}


class SkillOut(Schema):
    id: int
    name: str


class TargetOut(Schema):
    state: str = Field(
        ...,
        description="acknowledge_due, acknowledge_overdue, on_track, overdue, delivered_on_time, "
        "delivered_late or closed",
    )
    label: str
    due_at: dt.datetime | None
    business_minutes_left: int | None = Field(None, description="Negative once overdue.")
    overdue: bool


class PresalesRequestOut(Schema):
    id: int
    reference: str
    opportunity_id: int
    opportunity_name: str
    account_name: str
    kind: str
    description: str
    due_date: dt.date
    priority: str
    status: str
    skills: list[SkillOut]
    requested_by: PersonRef
    assignee: PersonRef | None
    estimated_hours: Decimal | None
    requested_at: dt.datetime
    acknowledge_due_at: dt.datetime
    deliver_due_at: dt.datetime
    acknowledged_at: dt.datetime | None
    assigned_at: dt.datetime | None
    started_at: dt.datetime | None
    delivered_at: dt.datetime | None
    closed_at: dt.datetime | None
    close_reason: str
    delivery_note: str
    target: TargetOut
    version: int

    @staticmethod
    def resolve_opportunity_name(obj: Any) -> str:
        return str(obj.opportunity.name)

    @staticmethod
    def resolve_account_name(obj: Any) -> str:
        return str(obj.opportunity.account.name)

    @staticmethod
    def resolve_skills(obj: Any) -> list[Any]:
        return list(obj.skills.all())

    @staticmethod
    def resolve_requested_by(obj: Any) -> dict[str, Any] | None:
        return _person(obj.requested_by)

    @staticmethod
    def resolve_assignee(obj: Any) -> dict[str, Any] | None:
        return _person(obj.assignee)

    @staticmethod
    def resolve_target(obj: Any) -> dict[str, Any]:
        target = target_state(obj)
        left = target.time_left
        return {
            "state": target.state,
            "label": target.label,
            "due_at": target.due_at,
            "business_minutes_left": int(left.total_seconds() // 60) if left is not None else None,
            "overdue": target.is_overdue,
        }


class PresalesCommentOut(Schema):
    id: int
    author: PersonRef | None
    text: str
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj: Any) -> dict[str, Any] | None:
        return _person(obj.author)


class PresalesRequestDetailOut(PresalesRequestOut):
    comments: list[PresalesCommentOut]

    @staticmethod
    def resolve_comments(obj: Any) -> list[Any]:
        return list(getattr(obj, "comment_list", []))


class PresalesRequestIn(InputSchema):
    opportunity_id: DbId
    kind: PresalesKind
    description: str = Field(..., max_length=5000)
    due_date: dt.date
    priority: PresalesPriority = PresalesPriority.NORMAL
    skill_ids: list[DbId] = Field(default_factory=list, max_length=50)
    estimated_hours: Decimal | None = None


class PresalesTransitionIn(InputSchema):
    action: PresalesAction
    reason: str = Field("", max_length=500, description="Required to decline or cancel.")
    note: str = Field("", max_length=5000, description="What was delivered (deliver only).")


class PresalesAssignIn(InputSchema):
    assignee_id: DbId
    estimated_hours: Decimal | None = None
    ignore_skills: bool = Field(False, description="Assign although the person lacks a needed skill.")


class PresalesCommentIn(InputSchema):
    text: str = Field(..., max_length=5000)


class WorkloadOut(Schema):
    person: PersonRef
    level: int | None
    skills: list[str]
    open_requests: int
    estimated_hours: Decimal
    load_hours: Decimal = Field(..., description="Recorded hours plus the default for unestimated requests.")
    open_cases: int | None
    overloaded: bool = Field(..., description="Load above SALESDESK_PRESALES_CAPACITY_HOURS.")


def workload_out(rows: list[Any], skill_names: dict[int, str]) -> list[dict[str, Any]]:
    return [
        {
            "person": _person(w.person),
            "level": w.person.support_level,
            "skills": sorted(skill_names[s] for s in w.skill_ids if s in skill_names),
            "open_requests": w.open_requests,
            "estimated_hours": w.estimated_hours,
            "load_hours": w.load_hours,
            "open_cases": w.open_cases,
            "overloaded": w.is_overloaded,
        }
        for w in rows
    ]
