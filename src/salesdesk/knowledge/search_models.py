"""Search index rows, answer usage and knowledge gaps (imported by ``models``).

``SearchDocument`` is one searchable thing (answer, article or product) flattened to
text; the services keep it in sync explicitly (``search.index_object``). The full-text
index over it is database-specific and created by migration 0002: an FTS5 table
``knowledge_search_fts`` on SQLite, a ``search_vector`` tsvector column with a GIN index
on PostgreSQL.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SearchDocument(models.Model):
    kind = models.CharField(max_length=10)  # answer / article / product
    object_id = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    # Alternative phrasings, tags, product names and SKUs, specifications.
    extra = models.TextField(blank=True)
    audience = models.CharField(max_length=10, blank=True)
    # Knowledge: draft / in_review / published / archived; products: their lifecycle.
    status = models.CharField(max_length=12, blank=True)
    product_ids = models.TextField(blank=True)  # "|3|7|": linked products (any number of them)
    needs_review = models.BooleanField(default=False)
    review_by = models.DateField(null=True, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    updated = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="knowledge_searchdoc_unique")
        ]
        indexes = [models.Index(fields=["kind", "status"], name="knowledge_searchdoc_kind")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title[:60]}"

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.object_id}"

    def product_id_set(self) -> frozenset[int]:
        return frozenset(int(p) for p in self.product_ids.strip("|").split("|") if p)


class AnswerUsage(models.Model):
    """An answer sent to a customer: which, by whom, to which contact, for which question."""

    answer = models.ForeignKey("knowledge.Answer", on_delete=models.CASCADE, related_name="usages")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey("parties.Contact", on_delete=models.CASCADE, related_name="+")
    question = models.TextField(blank=True)
    channel = models.CharField(max_length=20, default="email")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"answer {self.answer_id} sent to contact {self.contact_id}"


class KnowledgeGap(models.Model):
    """A customer question no answer matched well enough: what the library is missing."""

    question = models.TextField()
    # The normalised question, so that the same question asked twice counts twice.
    normalised = models.CharField(max_length=300, db_index=True)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    best_score = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.question[:80]


class SearchEmbedding(models.Model):
    """The sentence embedding of one search document (the optional ``semantic`` extra).

    ``vector`` holds float32 bytes (little-endian, L2-normalised), the same on SQLite and
    PostgreSQL; ``text_hash`` tells whether the document changed since it was encoded.
    Written by ``embeddings.compute_embeddings`` (``salesdesk kb index``, the index job).
    """

    document = models.OneToOneField(SearchDocument, on_delete=models.CASCADE, related_name="embedding")
    vector = models.BinaryField()
    model_name = models.CharField(max_length=100)
    text_hash = models.CharField(max_length=64)
    updated = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return f"embedding of document {self.document_id} ({self.model_name})"
