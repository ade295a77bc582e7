"""Pages of search and answer suggestions: thin, over ``search``, ``suggestions`` and the selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from salesdesk.core.errors import ApplicationError
from salesdesk.core.pages import optional_id, query_without_page
from salesdesk.core.permissions import holds, require
from salesdesk.parties.selectors import contact_get_for_user, visible_contacts

from . import embeddings, search, suggestions
from .choices import Audience
from .selectors import answer_get_for_user, may_see_versions

PER_PAGE = 20
TYPES = {"answer": "Answers", "article": "Articles", "product": "Products"}

# How results are ranked; "hybrid" is the default and falls back to keywords without the
# semantic extra or its index.
MODE_LABELS = {
    "hybrid": "Words and meaning",
    "keyword": "Exact words only",
    "semantic": "Meaning only",
}


def _page_number(request: HttpRequest) -> int:
    value = optional_id(request.GET.get("page")) or 1
    return max(1, min(value, 1000))


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    """One query box over catalog and knowledge: ranked, highlighted, filtered, paginated."""
    require(request.user, "knowledge.view")
    user = request.user
    internal = may_see_versions(user)
    query = request.GET.get("q", "")[:1000]
    kind = request.GET.get("type", "")
    audience = request.GET.get("audience", "")
    freshness = request.GET.get("freshness", "")
    mode = request.GET.get("mode", "")
    filters: dict[str, Any] = {
        "kind": kind if kind in TYPES else "",
        "product_id": optional_id(request.GET.get("product")),
        "audience": audience if internal and audience in Audience.values else "",
        "freshness": freshness if freshness in ("fresh", "stale") else "",
        "mode": mode if mode in search.MODES else "hybrid",
    }
    number = _page_number(request)
    result = search.search(user=user, query=query, limit=PER_PAGE, offset=(number - 1) * PER_PAGE, **filters)
    paginator = Paginator(range(result.total), PER_PAGE)
    page = paginator.get_page(number)
    return render(
        request,
        "knowledge/search.html",
        {
            "query": query.strip(),
            "result": result,
            "page": page,
            "filters": filters,
            "types": TYPES.items(),
            "audiences": Audience.choices if internal else [],
            "products": search.visible_documents(user)
            .filter(kind="product")
            .order_by("title")
            .values_list("object_id", "title"),
            "querystring": query_without_page(request),
            "can_suggest": holds(user, "interaction.log"),
            "modes": MODE_LABELS.items(),
            "semantic_available": embeddings.available(),
        },
    )


def _suggest_context(request: HttpRequest, result: Any = None, question: str = "") -> dict[str, Any]:
    return {
        "question": question,
        "result": result,
        "good_match": suggestions.GOOD_MATCH,
        "contacts": visible_contacts(request.user).order_by("last_name", "first_name")[:500],
        "channels": suggestions.CHANNELS,
    }


@login_required
@require_http_methods(["GET", "POST"])
def suggest_page(request: HttpRequest) -> HttpResponse:
    """A customer's question in, the best approved answers out, each with a Send button.

    POST, because asking records a knowledge gap when no answer is good enough.
    """
    require(request.user, "interaction.log")
    if request.method == "GET":
        return render(request, "knowledge/search_suggest.html", _suggest_context(request))
    question = request.POST.get("question", "")[: suggestions.MAX_QUESTION_CHARS]
    result = suggestions.answer_suggest(actor=request.user, question=question)
    return render(
        request, "knowledge/search_suggest.html", _suggest_context(request, result, question.strip())
    )


@login_required
@require_POST
def answer_send(request: HttpRequest, answer_id: int) -> HttpResponse:
    """ "Sent to customer": record the usage and the step on the contact, then back to the answer."""
    answer = answer_get_for_user(user=request.user, answer_id=answer_id)
    require(request.user, "interaction.log")
    contact_id = optional_id(request.POST.get("contact_id"))
    if contact_id is None:
        messages.error(request, "Choose the contact you sent the answer to.")
        return redirect("web:knowledge:suggest")
    contact = contact_get_for_user(user=request.user, contact_id=contact_id)
    try:
        suggestions.answer_send(
            actor=request.user,
            answer=answer,
            contact=contact,
            question=request.POST.get("question", ""),
            channel=request.POST.get("channel", "email"),
        )
    except ApplicationError as exc:
        messages.error(request, exc.as_line())
        return redirect("web:knowledge:suggest")
    messages.success(request, f"Logged on {contact}: answer sent.")
    return redirect("web:knowledge:answer_detail", answer_id=answer.pk)


@login_required
def gaps_page(request: HttpRequest) -> HttpResponse:
    """Questions no answer matched well enough, the most frequently asked first (level 2+)."""
    require(request.user, "knowledge.draft")
    gaps = suggestions.gaps_summary(user=request.user)[:200]
    return render(request, "knowledge/search_gaps.html", {"gaps": gaps})
