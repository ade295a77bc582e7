"""Articles and the answer library, with every saved content version kept.

Both kinds share one shape (``KnowledgeItem``): an owner who keeps the item fresh, a
review-by date, an audience, a lifecycle draft → in review → published → archived and an
optional ``external_id`` that import and export keep, so a re-import updates in place.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from salesdesk.core.models import AuditedModel, TimeStampedModel

from .choices import ArticleKind, Audience, KnowledgeStatus


class KnowledgeItem(AuditedModel):
    external_id = models.CharField(
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text="A stable key from another system; kept across import and export.",
    )
    title = models.CharField(max_length=300)
    body = models.TextField(help_text="Markdown.")
    # Rendered and sanitised from ``body`` by the service on every save; never user-edited.
    body_html = models.TextField(blank=True, editable=False)
    tags = models.JSONField(default=list, blank=True)
    # "|vpn|sso|": lets every database filter by one tag (SQLite has no JSON containment).
    tag_index = models.CharField(max_length=1000, blank=True, editable=False, db_index=True)
    audience = models.CharField(
        max_length=10, choices=Audience.choices, default=Audience.INTERNAL, db_index=True
    )
    status = models.CharField(
        max_length=10, choices=KnowledgeStatus.choices, default=KnowledgeStatus.DRAFT, db_index=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who keeps this item correct and reviews it when it is due.",
    )
    review_by = models.DateField(null=True, blank=True, db_index=True)
    needs_review = models.BooleanField(default=False, db_index=True)
    review_reason = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    audit_exclude = (*AuditedModel.audit_exclude, "body_html", "tag_index")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title[:120]

    def save(self, *args, **kwargs) -> None:
        self.tag_index = "".join(f"|{t}" for t in self.tags) + "|" if self.tags else ""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "tags" in update_fields:
            kwargs["update_fields"] = {*update_fields, "tag_index"}
        super().save(*args, **kwargs)

    @property
    def is_overdue(self) -> bool:
        return self.review_by is not None and self.review_by < timezone.localdate()

    @property
    def is_stale(self) -> bool:
        """Due for review: flagged, or past its review-by date (archived items never are)."""
        if self.status == KnowledgeStatus.ARCHIVED:
            return False
        return self.needs_review or self.is_overdue

    @property
    def stale_reason(self) -> str:
        reasons = []
        if self.needs_review:
            reasons.append(self.review_reason or "flagged for review")
        if self.is_overdue and self.review_by is not None:
            reasons.append(f"review was due {self.review_by:%d %b %Y}")
        return "; ".join(reasons)

    def due_in(self) -> dt.timedelta | None:
        if self.review_by is None:
            return None
        return self.review_by - timezone.localdate()


class Answer(KnowledgeItem):
    """An approved answer to a question customers ask, with other ways they ask it.

    ``title`` is the question; ``body`` the approved answer.
    """

    alternatives = models.JSONField(default=list, blank=True, help_text="Other phrasings of the question.")
    products = models.ManyToManyField("catalog.Product", blank=True, related_name="answers")

    class Meta:
        ordering = ["-updated_at", "-id"]

    @property
    def question(self) -> str:
        return self.title


class Article(KnowledgeItem):
    """A how-to, troubleshooting guide, piece of technical guidance or product note."""

    kind = models.CharField(
        max_length=20, choices=ArticleKind.choices, default=ArticleKind.HOW_TO, db_index=True
    )
    products = models.ManyToManyField("catalog.Product", blank=True, related_name="articles")

    class Meta:
        ordering = ["-updated_at", "-id"]


class ContentVersion(TimeStampedModel):
    """One saved state of an item's content (number 1, 2, …), for history and diffs."""

    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField()
    alternatives = models.JSONField(default=list, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"version {self.number}"

    def as_text(self) -> str:
        """The version as one text, the unit a diff compares."""
        parts = [f"# {self.title}", "", self.body.rstrip()]
        if self.alternatives:
            parts += ["", "Also asked as:", *[f"- {a}" for a in self.alternatives]]
        return "\n".join(parts) + "\n"


class AnswerVersion(ContentVersion):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="versions")

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["answer", "number"], name="answer_version_unique")]


class ArticleVersion(ContentVersion):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="article_version_unique")]


# Search index rows, answer usage and gaps live beside, by concept (imported so Django sees them).
from .search_models import AnswerUsage, KnowledgeGap, SearchDocument, SearchEmbedding  # noqa: E402, F401
