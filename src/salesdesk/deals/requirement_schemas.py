"""Request and response shapes of the requirements API."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from ninja import Field, Schema

from salesdesk.core.api import InputSchema

from .choices import AnswerChannel, RequirementPriority, RequirementSource, RequirementType


class RequirementTargetOut(Schema):
    metric: str
    operator: str = Field(..., description="One of =, <, <=, >, >=.")
    value: str = Field(..., description='A decimal number as a string, e.g. "99.9".')
    unit: str


class RequirementQuestionOut(Schema):
    id: int
    requirement_id: int
    text: str
    status: str
    asked_of_id: int | None
    asked_of_name: str
    answer: str
    answered_by_label: str
    answered_at: dt.datetime | None
    channel: str
    created_at: dt.datetime

    @staticmethod
    def resolve_asked_of_name(obj: Any) -> str:
        return obj.asked_of.full_name if obj.asked_of_id else ""

    @staticmethod
    def resolve_answered_by_label(obj: Any) -> str:
        user = obj.answered_by
        return (user.get_full_name() or user.username) if user is not None else ""


class RequirementOut(Schema):
    id: int
    reference: str
    statement: str
    type: str
    priority: str
    acceptance: str
    source: str
    conclusion: str
    targets: list[RequirementTargetOut]
    questions: list[RequirementQuestionOut]
    version: int
    updated_at: dt.datetime

    @staticmethod
    def resolve_questions(obj: Any) -> list[Any]:
        return list(obj.questions.all())


class RequirementIn(InputSchema):
    reference: str = Field("", max_length=16, description="e.g. REQ-012; the next free one when left out.")
    statement: str = Field(..., min_length=1, max_length=5000)
    type: RequirementType = RequirementType.FUNCTIONAL
    priority: RequirementPriority = RequirementPriority.MUST
    acceptance: str = Field("", max_length=5000)
    source: RequirementSource = RequirementSource.WORKSHOP
    conclusion: str = Field("", max_length=5000)
    targets: str = Field(
        "", max_length=5000, description="e.g. 'peak_users = 2000; p95_response_seconds <= 2 s'"
    )


class RequirementPatch(InputSchema):
    reference: str = Field(None, max_length=16)  # type: ignore[assignment]
    statement: str = Field(None, min_length=1, max_length=5000)  # type: ignore[assignment]
    type: RequirementType = None  # type: ignore[assignment]
    priority: RequirementPriority = None  # type: ignore[assignment]
    acceptance: str = Field(None, max_length=5000)  # type: ignore[assignment]
    source: RequirementSource = None  # type: ignore[assignment]
    conclusion: str = Field(None, max_length=5000)  # type: ignore[assignment]
    targets: str = Field(None, max_length=5000)  # type: ignore[assignment]


class RequirementSetOut(Schema):
    opportunity_id: int
    title: str
    requirements: list[RequirementOut]
    open_questions: int
    latest_version: int | None
    changes_since_latest: dict[str, Any] | None


class RequirementQuestionIn(InputSchema):
    text: str = Field(..., min_length=1, max_length=5000)
    contact_id: int | None = Field(None, description="The customer's contact the question is asked of.")


class RequirementAnswerIn(InputSchema):
    answer: str = Field(..., min_length=1, max_length=5000)
    decision: str = Field("", max_length=5000, description="The conclusion drawn; the answer when left out.")
    channel: AnswerChannel | None = Field(
        None, description="Staff: call, meeting or email. Customers: portal."
    )


class RequirementBaselineIn(InputSchema):
    note: str = Field("", max_length=300)


class RequirementShareIn(InputSchema):
    contact_id: int = Field(..., description="The customer's contact the version is shared with.")


class RequirementSignoffIn(InputSchema):
    name: str = Field(
        "", max_length=200, description="Your name as it should appear; your account's when empty."
    )


class RequirementBaselineOut(Schema):
    id: int
    number: int
    opportunity_id: int
    customer: str
    opportunity: str
    note: str
    created_at: dt.datetime
    shared_at: dt.datetime | None
    shared_with_name: str
    signed_off_name: str
    signed_off_at: dt.datetime | None

    @staticmethod
    def resolve_opportunity_id(obj: Any) -> int:
        return int(obj.requirement_set.opportunity_id)

    @staticmethod
    def resolve_customer(obj: Any) -> str:
        return str(obj.content.get("customer", ""))

    @staticmethod
    def resolve_opportunity(obj: Any) -> str:
        return str(obj.content.get("opportunity", ""))

    @staticmethod
    def resolve_shared_with_name(obj: Any) -> str:
        return obj.shared_with.full_name if obj.shared_with_id else ""


class RequirementBaselineDetailOut(RequirementBaselineOut):
    requirements: list[dict[str, Any]]
    changes: dict[str, Any] | None = Field(
        None, description="Added, removed and changed since the previous version."
    )


class RequirementImportReportOut(Schema):
    """The import's report; ``detail`` and ``errors`` follow the API's one error shape."""

    detail: str
    errors: list[dict[str, str]]
    rows: int
    created: int
    skipped: int
    imported: bool
    references: list[str]
    problems: list[dict[str, str]]


class DocumentFormat(StrEnum):
    PDF = "pdf"
    DOCX = "docx"


class RequirementDocumentJobIn(InputSchema):
    format: DocumentFormat = Field(DocumentFormat.PDF, description="pdf (default) or docx.")
