"""Answer suggestions: the best approved answers to a customer's question, and what they lead to.

A level-1 user pastes or types the question; :func:`answer_suggest` finds the published
answers the user may read (search, then a match score 0–100: ``ranking.match_score`` on
the words, or — with the semantic extra and its index — the meaning, ``100 ·
ranking.semantic_score(cosine)``, whichever is higher, so a paraphrase sharing no word
with the answer still scores as the match it is). When no answer reaches GOOD_MATCH
the question is recorded as a gap (the case issue will turn it into a case).
:func:`answer_send` records that an answer went to a contact, as an ``AnswerUsage`` and
an audit step on the contact, and tells SEND_LISTENERS (the service app logs the
interaction on the contact's timeline).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, QuerySet

from salesdesk.core import audit
from salesdesk.core.errors import ApplicationError, StateConflict
from salesdesk.core.permissions import require

from . import embeddings, ranking, search
from .choices import KnowledgeStatus
from .models import Answer, AnswerUsage, KnowledgeGap, SearchDocument
from .selectors import visible_answers

# Called after an answer is sent, inside the same transaction, with (actor, answer, contact,
# question, channel). The service app appends "log the call or e-mail on the contact" here:
# an explicit list rather than a signal, so the call is visible and ordered.
SendListener = Callable[[Any, Answer, Any, str, str], None]
SEND_LISTENERS: list[SendListener] = []

GOOD_MATCH = 50  # a suggestion scoring below this is not good enough to send
MAX_QUESTION_CHARS = 5000
CHANNELS = ("email", "phone", "chat")


@dataclass
class Suggestion:
    answer: Answer
    score: int
    stale: bool
    uses: int


@dataclass
class SuggestionResult:
    question: str  # the customer's words, quotes and signature removed
    suggestions: list[Suggestion] = field(default_factory=list)
    gap: KnowledgeGap | None = None

    @property
    def best_score(self) -> int:
        return max((s.score for s in self.suggestions), default=0)

    @property
    def good(self) -> list[Suggestion]:
        return [s for s in self.suggestions if s.score >= GOOD_MATCH]


def suggestions_for(*, user: Any, question: str, limit: int = 5) -> SuggestionResult:
    """The best published answers ``user`` may read for ``question``, best first. Reads only."""
    text = ranking.strip_email((question or "")[:MAX_QUESTION_CHARS])
    result = SuggestionResult(question=text)
    hits = search.search(user=user, query=text, kind="answer", limit=30).hits
    if not hits:
        return result
    order = {h.id: i for i, h in enumerate(hits)}
    answers = (
        visible_answers(user)
        .filter(pk__in=order, status=KnowledgeStatus.PUBLISHED)
        .annotate(uses=Count("usages"))
    )
    meaning = _semantic_scores(text, list(order))
    scored = [
        Suggestion(
            answer=a,
            score=max(ranking.match_score(text, [a.title, *a.alternatives], a.body), meaning.get(a.pk, 0)),
            stale=a.is_stale,
            uses=a.uses,
        )
        for a in answers
    ]
    scored.sort(key=lambda s: (-s.score, order[s.answer.pk]))
    result.suggestions = scored[: max(1, min(limit, 20))]
    return result


def _semantic_scores(question: str, answer_ids: list[int]) -> dict[int, int]:
    """{answer id: 0–100} from the stored embeddings; empty without the semantic extra or index."""
    if not answer_ids or not embeddings.has_embeddings():
        return {}
    documents = dict(
        SearchDocument.objects.filter(kind="answer", object_id__in=answer_ids).values_list("id", "object_id")
    )
    cosines = embeddings.nearest(question[: ranking.MAX_QUERY_CHARS], list(documents), len(documents))
    return {documents[pk]: round(100 * ranking.semantic_score(cos)) for pk, cos in cosines.items()}


@transaction.atomic
def answer_suggest(*, actor: Any, question: str, limit: int = 5) -> SuggestionResult:
    """Suggest answers; when none is good enough, record the question as a knowledge gap."""
    require(actor, "knowledge.view")
    result = suggestions_for(user=actor, question=question, limit=limit)
    if result.question and not result.good:
        result.gap = KnowledgeGap.objects.create(
            question=result.question[:2000],
            normalised=ranking.normalise(result.question)[:300],
            asked_by=actor,
            best_score=result.best_score,
        )
    return result


@transaction.atomic
def answer_send(
    *, actor: Any, answer: Answer, contact: Any, question: str = "", channel: str = "email"
) -> AnswerUsage:
    """Record that ``answer`` was sent to ``contact`` (usage count, audit step on the contact).

    The caller has fetched both through the actor's selectors (404 for what they may not see).
    """
    require(actor, "interaction.log")
    if answer.status != KnowledgeStatus.PUBLISHED:
        raise StateConflict("answer_id", "only a published answer can be sent to a customer")
    if channel not in CHANNELS:
        raise ApplicationError("channel", f"must be one of {', '.join(CHANNELS)}")
    question = ranking.strip_email(question)[:2000] or answer.title
    usage = AnswerUsage.objects.create(
        answer=answer, user=actor, contact=contact, question=question, channel=channel
    )
    audit.record_step(
        actor,
        contact,
        "answer sent",
        detail={
            "question": question[:500],
            "answer_id": answer.pk,
            "answer": answer.title[:200],
            "channel": channel,
        },
    )
    for listener in list(SEND_LISTENERS):
        listener(actor, answer, contact, question, channel)
    return usage


def gaps_summary(*, user: Any) -> QuerySet[Any]:
    """Recorded gaps grouped by question, the most frequently asked first (level 2+)."""
    require(user, "knowledge.draft")
    return (
        KnowledgeGap.objects.values("normalised")
        .annotate(times=Count("id"), last_at=Max("at"), best=Max("best_score"), question=Max("question"))
        .order_by("-times", "-last_at")
    )


def usage_count(answer: Answer) -> int:
    return AnswerUsage.objects.filter(answer=answer).count()
