"""Request and response shapes of the knowledge API (answers and articles).

Patch schemas: a field left out is not changed (``exclude_unset``), as in ``parties.schemas``.
"""

import datetime as dt
from typing import Any

from ninja import Field, Schema

from salesdesk.core.api import InputSchema, Ref

from .choices import ArticleKind, Audience


class ProductRef(Schema):
    id: int
    sku: str
    name: str
    lifecycle: str


class ItemOut(Schema):
    id: int
    external_id: str | None
    title: str
    body: str
    body_html: str = Field(..., description="The body rendered from Markdown and sanitised.")
    tags: list[str]
    audience: str
    status: str
    owner: Ref
    review_by: dt.date | None
    needs_review: bool
    review_reason: str
    stale: bool = Field(..., description="Due for review: flagged, or past its review-by date.")
    products: list[ProductRef]
    published_at: dt.datetime | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_stale(obj: Any) -> bool:
        return obj.is_stale

    @staticmethod
    def resolve_products(obj: Any) -> list[Any]:
        return list(obj.products.all())


class AnswerOut(ItemOut):
    alternatives: list[str]


class ArticleOut(ItemOut):
    kind: str


class ItemIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=300)
    body: str = Field(..., min_length=1, max_length=100_000, description="Markdown.")
    tags: list[str] = []
    audience: Audience = Audience.INTERNAL
    owner_id: int | None = Field(None, description="Who keeps it fresh; you, when left out.")
    review_by: dt.date | None = None
    external_id: str | None = Field(None, max_length=100)
    product_ids: list[int] = []


class AnswerIn(ItemIn):
    alternatives: list[str] = []


class ArticleIn(ItemIn):
    kind: ArticleKind = ArticleKind.HOW_TO


class ItemPatch(InputSchema):
    title: str = Field(None, min_length=1, max_length=300)  # type: ignore[assignment]
    body: str = Field(None, min_length=1, max_length=100_000)  # type: ignore[assignment]
    tags: list[str] = None  # type: ignore[assignment]
    audience: Audience = None  # type: ignore[assignment]
    owner_id: int = None  # type: ignore[assignment]
    review_by: dt.date | None = None
    external_id: str | None = Field(None, max_length=100)
    product_ids: list[int] = None  # type: ignore[assignment]


class AnswerPatch(ItemPatch):
    alternatives: list[str] = None  # type: ignore[assignment]


class ArticlePatch(ItemPatch):
    kind: ArticleKind = None  # type: ignore[assignment]


class ReturnIn(InputSchema):
    comment: str = Field(..., min_length=1, max_length=1000, description="What needs to change.")


class VersionOut(Schema):
    number: int
    title: str
    body: str
    alternatives: list[str]
    author: Ref | None
    note: str
    created_at: dt.datetime


class DiffOut(Schema):
    from_version: int
    to_version: int
    unified: str = Field(..., description="A unified diff (difflib), three lines of context.")
