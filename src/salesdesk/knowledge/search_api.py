"""API of search and answer suggestions. Thin: ``search.search`` and ``suggestions.suggestions_for``."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Query, Router, Schema

from salesdesk.core.api import AuthedRequest
from salesdesk.core.permissions import require

from . import search, suggestions
from .selectors import may_see_versions

router = Router(tags=["search"])


class SearchFilters(Schema):
    q: str = ""
    type: str = ""
    product_id: int | None = None
    audience: Literal["", "internal", "partners", "customers"] = ""
    freshness: Literal["", "fresh", "stale"] = ""
    mode: Literal["keyword", "semantic", "hybrid"] = Field(
        "hybrid",
        description="hybrid (default) fuses keyword and meaning; semantic and hybrid fall back to "
        "keyword when the semantic extra or its index is missing (the response's `mode` says which ran).",
    )
    limit: int = 20
    offset: int = Field(0, ge=0, le=10_000)


class SearchHitOut(Schema):
    kind: str
    id: int
    external_id: str
    title: str
    snippet: str
    score: float
    stale: bool


class SearchOut(Schema):
    mode: str
    total: int
    results: list[SearchHitOut]


@router.get("/search", response=SearchOut)
def search_all(request: AuthedRequest, filters: Query[SearchFilters]) -> dict:
    """Products, answers and articles matching ``q``, best first (the search page's ranking).

    ``type`` is answer, article or product; ``snippet`` is HTML with matches in ``<mark>``.
    An empty or punctuation-only ``q`` returns no results.
    """
    require(request.user, "knowledge.view")
    result = search.search(
        user=request.user,
        query=filters.q[:1000],
        kind=filters.type if filters.type in search.KINDS else "",
        product_id=filters.product_id,
        audience=filters.audience if may_see_versions(request.user) else "",
        freshness=filters.freshness,
        mode=filters.mode,
        limit=max(1, min(filters.limit, search.MAX_LIMIT)),
        offset=filters.offset,
    )
    return {"mode": result.mode, "total": result.total, "results": result.hits}


class SuggestionOut(Schema):
    id: int
    external_id: str | None
    title: str
    score: int
    stale: bool
    used: int
    product_ids: list[int]


class SuggestionsOut(Schema):
    question: str
    good_match: int
    results: list[SuggestionOut]


@router.get("/suggestions", response=SuggestionsOut)
def suggest(request: AuthedRequest, question: str = "", limit: int = 5) -> dict:
    """The best published answers for a customer's question, with a match score 0–100.

    Reads only (the page records knowledge gaps); ``good_match`` is the score an answer
    needs to be worth sending.
    """
    require(request.user, "knowledge.view")
    result = suggestions.suggestions_for(user=request.user, question=question, limit=limit)
    return {
        "question": result.question,
        "good_match": suggestions.GOOD_MATCH,
        "results": [
            {
                "id": s.answer.pk,
                "external_id": s.answer.external_id,
                "title": s.answer.title,
                "score": s.score,
                "stale": s.stale,
                "used": s.uses,
                "product_ids": [p.pk for p in s.answer.products.all()],
            }
            for s in result.suggestions
        ],
    }
