"""One keyword search over the catalog and the knowledge base, the same on SQLite and PostgreSQL.

The index is the ``SearchDocument`` table (one row per answer, article and product,
flattened to title / body / extra text) plus a database full-text index over it
(migration 0003): SQLite FTS5 ranked by ``bm25()`` (column weights title 10, body 1,
extra 4), PostgreSQL ``tsvector`` ranked by ``ts_rank`` (weights A/D/B). The
database finds and scores candidates among what the user may see; ``ranking.rank``
combines that score with term coverage and boosts into the final order.

Services call :func:`index_object` after every write and :func:`remove_object` after a
delete; :func:`rebuild_index` rebuilds everything (``salesdesk kb index``, a job).

Scoping: answers and articles are restricted to the ids of ``visible_answers`` /
``visible_articles`` (the one place audience rules live); products follow the
catalog's rule (staff see every product, others all but planned ones; a test proves
it equals ``catalog.selectors.visible_products``).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from salesdesk.catalog.choices import PUBLIC_LIFECYCLES
from salesdesk.core.permissions import holds
from salesdesk.core.roles import INTERNAL_KINDS, UserKind

from . import embeddings, ranking
from .choices import CUSTOMER_AUDIENCES, PARTNER_AUDIENCES, KnowledgeStatus
from .models import Answer, Article, SearchDocument
from .selectors import visible_answers, visible_articles

log = logging.getLogger(__name__)

KINDS = ("answer", "article", "product")
PUBLISHED = str(KnowledgeStatus.PUBLISHED)

# Lifecycles of products partners and customers may see: the catalog's own rule.
PUBLIC_PRODUCT_LIFECYCLES = tuple(str(lifecycle) for lifecycle in PUBLIC_LIFECYCLES)
MAX_CANDIDATES = 300
MAX_LIMIT = 100
MODES = ("keyword", "semantic", "hybrid")


# --- The index ------------------------------------------------------------------------------------


def _kind_of(obj: Any) -> str:
    if isinstance(obj, Answer):
        return "answer"
    if isinstance(obj, Article):
        return "article"
    if obj._meta.label == "catalog.Product":
        return "product"
    raise TypeError(f"{type(obj).__name__} is not searchable")


def _document_values(obj: Any, kind: str) -> dict[str, Any]:
    if kind == "product":
        specs = " ".join(f"{s.name.replace('_', ' ')} {s.display_value}" for s in obj.specs.all())
        return {
            "title": obj.name[:300],
            "body": f"{obj.summary}\n{obj.description}",
            "extra": f"{obj.sku} {obj.category.name} {obj.get_kind_display()} {specs}",
            "audience": "",
            "status": obj.lifecycle,
            "product_ids": f"|{obj.pk}|",
            "needs_review": False,
            "review_by": None,
            "external_id": obj.sku[:100],
            "updated": obj.updated_at,
        }
    products = list(obj.products.all())
    extra = [*getattr(obj, "alternatives", []), *obj.tags]
    extra += [f"{p.name} {p.sku}" for p in products]
    if kind == "article":
        extra.append(obj.get_kind_display())
    return {
        "title": obj.title[:300],
        "body": obj.body,
        "extra": "\n".join(extra),
        "audience": obj.audience,
        "status": obj.status,
        "product_ids": "".join(f"|{p.pk}" for p in products) + "|" if products else "",
        "needs_review": obj.needs_review,
        "review_by": obj.review_by,
        "external_id": obj.external_id or "",
        "updated": obj.updated_at,
    }


def index_object(obj: Any) -> SearchDocument:
    """Write (or rewrite) the search document of an answer, article or product."""
    kind = _kind_of(obj)
    doc, _created = SearchDocument.objects.update_or_create(
        kind=kind, object_id=obj.pk, defaults=_document_values(obj, kind)
    )
    embeddings.forget_if_changed(doc)
    return doc


def remove_object(obj: Any) -> None:
    """Drop an object's search document (after it was deleted)."""
    SearchDocument.objects.filter(kind=_kind_of(obj), object_id=obj.pk).delete()


def index_product_and_linked(product: Any) -> None:
    """A product changed: its own document, and those of the items that name it."""
    index_object(product)
    for model in (Answer, Article):
        for item in model.objects.filter(products=product).prefetch_related("products"):
            index_object(item)


def rebuild_index(progress: Callable[[float, str], None] | None = None) -> int:
    """Rebuild every search document from scratch; returns how many were written.

    Stored vectors of documents whose text did not change are kept; :func:`embeddings.compute_embeddings`
    (run after this by ``kb index`` and the index job) encodes the changed ones again."""
    product_model = apps.get_model("catalog", "Product")
    sources = [
        ("answer", Answer.objects.prefetch_related("products")),
        ("article", Article.objects.prefetch_related("products")),
        ("product", product_model.objects.select_related("category").prefetch_related("specs")),
    ]
    total = sum(qs.count() for _kind, qs in sources) or 1
    done = 0
    vectors = embeddings.stash()  # unchanged documents keep their vectors
    SearchDocument.objects.all().delete()
    for kind, qs in sources:
        batch = []
        for obj in qs.iterator(chunk_size=500):
            batch.append(SearchDocument(kind=kind, object_id=obj.pk, **_document_values(obj, kind)))
            if len(batch) >= 500:
                SearchDocument.objects.bulk_create(batch)
                done += len(batch)
                batch = []
                if progress:
                    progress(100 * done / total, f"{done} of {total} indexed")
        SearchDocument.objects.bulk_create(batch)
        done += len(batch)
        if progress:
            progress(100 * done / total, f"{done} of {total} indexed")
    embeddings.restore(vectors)
    return done


# --- Scoping --------------------------------------------------------------------------------------


def visible_documents(user: Any) -> QuerySet[SearchDocument]:
    """The search documents ``user`` may find: the same rules as the selectors.

    Expressed on the document's own status and audience columns, so the full-text query
    filters one table instead of nesting the answer and article selectors (which made
    every match re-check two subqueries). ``test_visible_documents_equal_the_selectors``
    proves the two agree for every kind of user.
    """
    knowledge = Q(kind__in=("answer", "article"))
    if not holds(user, "knowledge.view"):
        allowed = Q(pk__in=[])
    elif user.kind in INTERNAL_KINDS and holds(user, "knowledge.draft"):
        allowed = knowledge
    elif user.kind in INTERNAL_KINDS:
        # Level 1 agents and sales reps: what is published, and the few items they own.
        # Their ids are fetched first (a handful: level 1 cannot draft), so the scope stays a
        # filter on this table's columns instead of two subqueries over every answer and article.
        own_answers = list(
            visible_answers(user)
            .filter(owner=user)
            .exclude(status=PUBLISHED)
            .order_by()
            .values_list("id", flat=True)
        )
        own_articles = list(
            visible_articles(user)
            .filter(owner=user)
            .exclude(status=PUBLISHED)
            .order_by()
            .values_list("id", flat=True)
        )
        own = Q(kind="answer", object_id__in=own_answers) | Q(kind="article", object_id__in=own_articles)
        allowed = knowledge & (Q(status=PUBLISHED) | own)
    elif user.kind == UserKind.PARTNER:
        allowed = knowledge & Q(status=PUBLISHED, audience__in=[str(a) for a in PARTNER_AUDIENCES])
    elif user.kind == UserKind.CUSTOMER:
        allowed = knowledge & Q(status=PUBLISHED, audience__in=[str(a) for a in CUSTOMER_AUDIENCES])
    else:
        allowed = Q(pk__in=[])
    if holds(user, "catalog.view"):
        products = Q(kind="product")
        if user.kind not in INTERNAL_KINDS:
            products &= Q(status__in=PUBLIC_PRODUCT_LIFECYCLES)
        allowed |= products
    return SearchDocument.objects.filter(allowed)


def stale_document_q() -> Q:
    return (Q(needs_review=True) | Q(review_by__lt=timezone.localdate())) & ~Q(
        status=KnowledgeStatus.ARCHIVED
    )


def _is_stale(doc: SearchDocument, today: dt.date) -> bool:
    if doc.kind == "product" or doc.status == KnowledgeStatus.ARCHIVED:
        return False
    return doc.needs_review or (doc.review_by is not None and doc.review_by < today)


# --- Querying -------------------------------------------------------------------------------------


@dataclass
class Hit:
    kind: str
    id: int
    external_id: str
    title: str
    snippet: str
    score: float
    stale: bool
    status: str


@dataclass
class SearchResult:
    query: str
    terms: list[str]
    total: int
    hits: list[Hit] = field(default_factory=list)
    mode: str = "keyword"  # the mode that actually ran: keyword, semantic or hybrid


# Common terms (Lucene's and Elasticsearch's "common terms" query): in a large index, words
# that occur in a big share of the documents ("kestrel", "gateway", "lite") would make the
# database rank most of the index for every query. When the index holds at least
# COMMON_MIN_DOCUMENTS documents, a word in more than COMMON_SHARE of them is "common":
# - the rare words find the candidates; the common ones only add to their score;
# - a query of common words only needs all of them (AND), relaxed one word at a time,
#   least frequent first, until some document matches.
# Smaller indexes (the demo, most installations' first year) match any word, as before.
COMMON_MIN_DOCUMENTS = 20_000
COMMON_SHARE = 0.01
FREQUENCY_TTL_SECONDS = 600
_frequencies: dict[tuple[str, str, bool, int], tuple[float, int]] = {}
_documents_count: dict[str, tuple[float, int]] = {}


def _quote(term: str, prefix: bool, vendor: str) -> str:
    # Terms hold letters and digits only (ranking.normalise), so quoting them is safe.
    if vendor == "postgresql":
        return f"'{term}'" + (":*" if prefix else "")
    return f'"{term}"' + ("*" if prefix else "")


def _join(parts: list[str], operator: str, vendor: str) -> str:
    symbol = {"or": " | ", "and": " & "} if vendor == "postgresql" else {"or": " OR ", "and": " AND "}
    joined = symbol[operator].join(parts)
    return f"({joined})" if len(parts) > 1 else joined


FREQUENCY_SQL = {
    "sqlite": "SELECT count(*) FROM (SELECT 1 FROM knowledge_search_fts "
    "WHERE knowledge_search_fts MATCH %s LIMIT %s)",
    "postgresql": "SELECT count(*) FROM (SELECT 1 FROM knowledge_searchdocument "
    "WHERE search_vector @@ to_tsquery('english', %s) LIMIT %s) AS f",
}


def _index_size(cursor: Any, vendor: str) -> int:
    now = time.monotonic()
    cached = _documents_count.get(vendor)
    if cached and cached[0] > now:
        return cached[1]
    cursor.execute("SELECT count(*) FROM knowledge_searchdocument")
    size = int(cursor.fetchone()[0])
    _documents_count[vendor] = (now + FREQUENCY_TTL_SECONDS, size)
    return size


def _frequency(cursor: Any, vendor: str, term: str, prefix: bool, cap: int) -> int:
    """How many documents contain ``term``, counted up to ``cap`` (cached for a while)."""
    now = time.monotonic()
    key = (vendor, term, prefix, cap)
    cached = _frequencies.get(key)
    if cached and cached[0] > now:
        return cached[1]
    cursor.execute(FREQUENCY_SQL[vendor], [_quote(term, prefix, vendor), cap])
    found = int(cursor.fetchone()[0])
    if len(_frequencies) > 50_000:
        _frequencies.clear()
    _frequencies[key] = (now + FREQUENCY_TTL_SECONDS, found)
    return found


def match_expressions(
    terms: list[str],
    fixes: dict[str, str],
    vendor: str,
    frequency: Callable[[str, bool], int] | None = None,
    common_from: int = 0,
) -> list[str]:
    """The full-text expressions to try in order, until one finds something.

    Each query word forms a group with its typo correction (``fixes``); the last word also
    matches as a prefix (search as you type). Without ``frequency`` (a small index) any
    word matches. Otherwise ``frequency(word, prefix)`` counts the documents holding a word
    and a group is common from ``common_from`` documents on (see COMMON_SHARE).
    """
    groups = [
        [(term, index == len(terms) - 1)] + ([(fixes[term], False)] if term in fixes else [])
        for index, term in enumerate(terms)
    ]

    def expression(group: list[tuple[str, bool]]) -> str:
        return _join([_quote(word, prefix, vendor) for word, prefix in group], "or", vendor)

    every_word = _join([expression(g) for g in groups], "or", vendor)
    if frequency is None or len(groups) < 2:
        return [every_word]
    counts = [max(frequency(word, prefix) for word, prefix in group) for group in groups]
    rare = [expression(g) for g, n in zip(groups, counts, strict=True) if 0 < n < common_from]
    common = [(n, expression(g)) for g, n in zip(groups, counts, strict=True) if n >= common_from]
    if rare and not common:
        return [every_word]
    if rare:
        # Matches exactly what the rare words match; the common words add to the score.
        rare_words = _join(rare, "or", vendor)
        with_common = _join([rare_words, _join([e for _n, e in common], "or", vendor)], "and", vendor)
        return [_join([rare_words, with_common], "or", vendor)]
    # Only common words (and unknown ones, which match nothing): every word first; when no
    # document holds them all, leave out the least frequent word (the likeliest not to fit),
    # then the next; at last any word.
    plan = []
    kept = [e for _n, e in sorted(common, key=lambda item: item[0])]
    while len(kept) >= 2 and len(plan) < 3:
        plan.append(_join(kept, "and", vendor))
        kept = kept[1:]
    return [*plan, every_word]


# ts_rank, not ts_rank_cd: on the shipped evaluation set (benchmarks/search_eval.py) cover
# density gave keyword recall@5 0.753 and plain frequency ranking 0.922 (docs/benchmarks.md).
POSTGRES_SQL = (
    "SELECT d.id, ts_rank(d.search_vector, q) FROM knowledge_searchdocument d, "
    "to_tsquery('english', %s) q WHERE d.search_vector @@ q "
    "AND EXISTS (SELECT 1 FROM ({scope}) AS s WHERE s.id = d.id) ORDER BY 2 DESC, d.id LIMIT {limit}"
)
# The matches are materialised first: with ``rowid IN (scope)`` beside MATCH, SQLite would
# walk the scope and re-run the full-text query for every row of it. The scope is then a
# correlated EXISTS, checked per match through the primary key: ``IN (scope)`` would build
# the list of every visible document (the whole index, for staff) on every query.
SQLITE_SQL = (
    "WITH m AS MATERIALIZED (SELECT rowid AS id, -bm25(knowledge_search_fts, 10.0, 1.0, 4.0) AS score "
    "FROM knowledge_search_fts WHERE knowledge_search_fts MATCH %s) "
    "SELECT id, score FROM m WHERE EXISTS (SELECT 1 FROM ({scope}) AS s WHERE s.id = m.id) "
    "ORDER BY score DESC, id LIMIT {limit}"
)


def _candidates(
    docs: QuerySet[SearchDocument], terms: list[str], fixes: dict[str, str]
) -> list[tuple[int, float]]:
    """(document id, keyword score — higher is better) of the best matching documents."""
    try:
        scope_sql, scope_params = docs.values("id").query.sql_with_params()
    except EmptyResultSet:
        return []
    vendor = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    # Only Django's compiled scope and constants go into the text; every value is bound.
    sql = (POSTGRES_SQL if vendor == "postgresql" else SQLITE_SQL).format(
        scope=scope_sql, limit=MAX_CANDIDATES
    )
    expression = ""
    try:
        # A savepoint: should the database still refuse a query, the caller's transaction lives on.
        with transaction.atomic(), connection.cursor() as cursor:
            size = _index_size(cursor, vendor)
            common_from = max(1, int(size * COMMON_SHARE))

            def frequency(word: str, prefix: bool) -> int:
                return _frequency(cursor, vendor, word, prefix, common_from)

            rows: list[tuple[int, float]] = []
            plan = match_expressions(
                terms, fixes, vendor, frequency if size >= COMMON_MIN_DOCUMENTS else None, common_from
            )
            for expression in plan:
                cursor.execute(sql, [expression, *scope_params])
                rows = [(int(pk), float(score)) for pk, score in cursor.fetchall()]
                if rows:
                    break
            return rows
    except DatabaseError:
        log.warning("full-text query refused: %r", expression)
        return []


@dataclass(frozen=True)
class _ProductWords:
    names: dict[int, str]
    skus: dict[int, str]
    vocabulary: frozenset[str]


_product_words_cache: dict[tuple[Any, ...], _ProductWords] = {}


def _product_words(
    products: QuerySet[SearchDocument],
) -> tuple[dict[int, str], dict[int, str], frozenset[str]]:
    """Names, SKUs and their words of the products a user may see, for typo tolerance.

    Rebuilt only when those products change: the key is the visibility filter plus the
    count, highest id and latest update of the rows (one indexed aggregate per query).
    """
    stamp = products.aggregate(n=Count("id"), top=Max("id"), last=Max("updated"))
    sql, params = products.values("id").query.sql_with_params()
    key = (sql, tuple(str(p) for p in params), stamp["n"], stamp["top"], stamp["last"])
    words = _product_words_cache.get(key)
    if words is None:
        rows = list(products.values_list("object_id", "title", "external_id"))
        words = _ProductWords(
            names={pk: title for pk, title, _sku in rows},
            skus={pk: sku for pk, _title, sku in rows},
            vocabulary=frozenset(
                w for _pk, title, sku in rows for w in ranking.normalise(f"{title} {sku}").split()
            ),
        )
        if len(_product_words_cache) > 16:
            _product_words_cache.clear()
        _product_words_cache[key] = words
    return words.names, words.skus, words.vocabulary


def search(
    *,
    user: Any,
    query: str,
    mode: str = "hybrid",
    kind: str = "",
    product_id: int | None = None,
    audience: str = "",
    freshness: str = "",
    limit: int = 20,
    offset: int = 0,
) -> SearchResult:
    """Ranked results for ``query`` among what ``user`` may see (the page, API and CLI call this).

    ``mode`` is "keyword", "semantic" or "hybrid" (the default): semantic and hybrid need
    the ``semantic`` extra and stored embeddings, and fall back to keyword search without
    them; ``SearchResult.mode`` says which ran. Hybrid fuses both with ``ranking.fuse``.
    Empty, punctuation-only or hostile queries give an empty result, never an error.
    ``freshness`` is "fresh" or "stale"; ``total`` counts matches the user may see
    (at most MAX_CANDIDATES).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    terms = ranking.tokens(query)
    result = SearchResult(query=ranking.normalise(query), terms=terms, total=0, mode="keyword")
    if not terms:
        return result
    docs = visible_documents(user)
    # Typo tolerance: words of the product names the user may see (one query).
    names, skus, vocabulary = _product_words(docs.filter(kind="product"))
    fixes = ranking.corrections(terms, vocabulary)
    expanded = list(dict.fromkeys([*terms, *fixes.values()]))[: ranking.MAX_TERMS * 2]
    if kind in KINDS:
        docs = docs.filter(kind=kind)
    if product_id:
        docs = docs.filter(product_ids__contains=f"|{int(product_id)}|")
    if audience:
        docs = docs.filter(audience=audience)
    if freshness == "stale":
        docs = docs.filter(stale_document_q()).exclude(kind="product")
    elif freshness == "fresh":
        docs = docs.exclude(stale_document_q())
    if mode != "keyword" and embeddings.has_embeddings():
        result.mode = mode
    found = dict(_candidates(docs, terms, fixes)) if result.mode != "semantic" else {}
    near: dict[int, float] = {}
    if result.mode != "keyword":
        near = embeddings.nearest(
            str(query)[: ranking.MAX_QUERY_CHARS], docs.values_list("id", flat=True), MAX_CANDIDATES
        )
        near = {pk: cos for pk, cos in near.items() if cos >= ranking.SEMANTIC_MIN_COSINE or pk in found}
    if not found and not near:
        return result
    today = timezone.localdate()
    documents = {d.pk: d for d in SearchDocument.objects.filter(pk__in=[*found, *near])}
    key_of = {pk: f"{d.kind}:{d.object_id:012d}" for pk, d in documents.items()}
    by_key = {key_of[pk]: d for pk, d in documents.items()}
    stale = {key_of[pk]: _is_stale(d, today) for pk, d in documents.items()}
    ordered: list[tuple[str, float]] = []
    if found:
        candidates = [
            ranking.Candidate(
                key=key_of[pk],
                kind=documents[pk].kind,
                keyword=found[pk],
                text=f"{documents[pk].title}\n{documents[pk].extra}",
                product_ids=documents[pk].product_id_set(),
                published=documents[pk].kind == "product"
                or documents[pk].status == KnowledgeStatus.PUBLISHED,
                stale=stale[key_of[pk]],
            )
            for pk in found
            if pk in documents
        ]
        ranked = ranking.rank(
            candidates,
            terms=expanded,
            question=ranking.is_question(query),
            named_products=named_products(query, names, skus),
        )
        ordered = [(c.key, c.score) for c in ranked]
        if near:
            ordered = ranking.fuse(
                dict(ordered),
                {key_of[pk]: cos for pk, cos in near.items() if pk in key_of},
                confidence=ranked[0].coverage if ranked else 0.0,
                coverages={c.key: c.coverage for c in ranked},
            )
    else:
        ordered = sorted(
            ((key_of[pk], round(ranking.semantic_score(cos), 4)) for pk, cos in near.items() if pk in key_of),
            key=lambda item: (-item[1], item[0]),
        )
    result.total = len(ordered)
    limit = max(1, min(int(limit), MAX_LIMIT))
    for key, score in ordered[offset : offset + limit]:
        d = by_key[key]
        result.hits.append(
            Hit(
                kind=d.kind,
                id=d.object_id,
                external_id=d.external_id,
                title=d.title,
                snippet=ranking.highlight(d.body or d.extra, expanded),
                score=score,
                stale=stale[key],
                status=d.status,
            )
        )
    return result


def named_products(query: str, names: dict[int, str], skus: dict[int, str]) -> dict[int, float]:
    """{product id: strength} of the products ``query`` names by name or SKU (fuzzy)."""
    named = ranking.match_products(query, names)
    for pk, strength in ranking.match_products(query, skus).items():
        named[pk] = max(strength, named.get(pk, 0.0))
    return named
