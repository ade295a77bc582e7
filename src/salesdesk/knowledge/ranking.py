"""The keyword-ranking engine: query clean-up, typo tolerance, highlighting and scoring.

Pure Python (no Django): the database finds candidates with its full-text index
(SQLite FTS5 ``bm25()``, PostgreSQL ``ts_rank``), and this module turns what the
database says into one ranked list, the same on both databases.

The final score of a candidate (0–1, higher is better) is

    score = (0.55 · k̂ + 0.30 · c + boosts) / 1.21

where ``k̂`` is the database's keyword score min-max normalised over the candidate set
(``(k - min) / (max - min)``; 1 when all are equal), ``c`` the share of query terms the
document contains (:func:`coverage`, typo-tolerant), and the boosts are +0.15 when the
document is, or is linked to, a product the query names (exact or fuzzy, see
:func:`match_products`), +0.03 for published, +0.03 for fresh (not due for review)
+0.08 for answers when the query reads as a question (:func:`is_question`), otherwise
+0.15 · strength for the named product itself; 1.21 is the largest possible sum.

With the ``semantic`` extra, :func:`fuse` combines this score with cosine similarities
(formula in its docstring).

Answer suggestions use an absolute score instead (:func:`match_score`, 0–100), so that
"no good answer" means the same whatever else is in the library.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

MAX_QUERY_CHARS = 300
MAX_TERMS = 16
FUZZY_MIN_LENGTH = 4
FUZZY_CUTOFF = 80.0  # rapidfuzz ratio (0–100) a misspelt word needs to count as a product word

WEIGHT_KEYWORD = 0.55
WEIGHT_COVERAGE = 0.30
BOOST_PRODUCT = 0.15
BOOST_PUBLISHED = 0.03
BOOST_FRESH = 0.03
BOOST_ANSWER_FOR_QUESTION = 0.08
BOOST_PRODUCT_ITSELF = 0.15
MAX_SUM = (
    WEIGHT_KEYWORD + WEIGHT_COVERAGE + BOOST_PRODUCT + BOOST_PUBLISHED + BOOST_FRESH
    + max(BOOST_ANSWER_FOR_QUESTION, BOOST_PRODUCT_ITSELF)
)  # fmt: skip

# Words that carry no meaning for matching (kept short: product words like "edge" stay).
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "could",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "please",
        "should",
        "so",
        "that",
        "the",
        "their",
        "there",
        "this",
        "to",
        "us",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)
QUESTION_WORDS = frozenset(
    [
        "how",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "does",
        "do",
        "can",
        "could",
        "is",
        "are",
        "will",
        "would",
        "should",
    ]
)
_WORD = re.compile(r"[^\W_]+")
_SUFFIXES = ("ing", "ies", "es", "ed", "ly", "s")


def normalise(query: str | None) -> str:
    """Lower-case words of ``query`` separated by single spaces; all punctuation, operators and
    symbols (FTS5 ``NEAR(``, ``*``, quotes, SQL) removed; at most MAX_QUERY_CHARS read."""
    if not query:
        return ""
    return _normalise(str(query)[:MAX_QUERY_CHARS])


# Product names and SKUs are normalised on every query: remember them.
@lru_cache(maxsize=65536)
def _normalise(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def tokens(query: str | None) -> list[str]:
    """The distinct meaningful words of ``query`` in order (stopwords dropped, at most MAX_TERMS).

    If every word is a stopword, the words are kept: "Is it?" still searches for something.
    """
    words = normalise(query).split()
    kept = [w for w in words if w not in STOPWORDS] or words
    return list(dict.fromkeys(kept))[:MAX_TERMS]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A crude suffix-stripping stem ("gateways" → "gateway", "supported" → "support")."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def is_question(query: str | None) -> bool:
    """Whether ``query`` reads as a question: it ends with "?" or starts with a question word."""
    text = (query or "").strip()
    if not text:
        return False
    words = normalise(text).split()
    return text.endswith("?") or (bool(words) and words[0] in QUESTION_WORDS)


def corrections(terms: Sequence[str], vocabulary: Iterable[str]) -> dict[str, str]:
    """{term: the closest vocabulary word} for each term not in ``vocabulary`` (typo tolerance).

    ``vocabulary`` holds the words of product names and SKUs. A term of at least
    FUZZY_MIN_LENGTH letters whose best rapidfuzz ``ratio`` (normalised Indel similarity)
    reaches FUZZY_CUTOFF is corrected to that word: "gatway" → "gateway".
    """
    vocab = sorted({v for v in vocabulary if v})
    known = set(vocab)
    found: dict[str, str] = {}
    for term in terms:
        if term in known or len(term) < FUZZY_MIN_LENGTH or term.isdigit():
            continue
        best = process.extractOne(term, vocab, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if best is not None and best[0] not in terms:
            found[term] = best[0]
    return found


def correct_terms(terms: Sequence[str], vocabulary: Iterable[str]) -> list[str]:
    """``terms`` followed by the corrections of the misspelt ones (see :func:`corrections`)."""
    result = list(terms)
    for word in corrections(terms, vocabulary).values():
        if word not in result:
            result.append(word)
    return result[: MAX_TERMS * 2]


def match_products(query: str | None, products: Mapping[int, str]) -> dict[int, float]:
    """Products the query names: {product id: strength 0–1}.

    1.0 when the normalised product name (or SKU) appears in the normalised query. Otherwise
    the similarity s = max(rapidfuzz ``ratio``, 0.95 · ``partial_ratio``) (0–100), when it
    reaches 85, maps linearly onto 0.5–1.0 (s = 85 → 0.5, s = 100 → 1.0): "edge gatway 400"
    names "Edge Gateway 400" (≈ 0.89) more than "Edge Gateway 400 HA Pair" (≈ 0.62).
    Names shorter than 4 characters only match exactly.
    """
    text = normalise(query)
    found: dict[int, float] = {}
    if not text:
        return found
    padded = f" {text} "
    names = {pk: normalise(name) for pk, name in products.items()}
    for pk, norm in names.items():
        if norm and f" {norm} " in padded:
            found[pk] = 1.0
    if len(text) < 4:
        return found
    # The whole name matching beats a part of it: "edge gatway 400" names the "Edge Gateway
    # 400" more than the "Edge Gateway 400 HA Pair". rapidfuzz scores every name in one call.
    cutoff = FUZZY_CUTOFF + 5
    candidates = {
        pk: n for pk, n in names.items() if pk not in found and len(n) >= 4 and len(text) >= 0.6 * len(n)
    }
    similar: dict[int, float] = {}
    for scorer, factor in ((fuzz.ratio, 1.0), (fuzz.partial_ratio, 0.95)):
        for _name, score, pk in process.extract(
            text, candidates, scorer=scorer, score_cutoff=cutoff / factor, limit=None
        ):
            similar[pk] = max(similar.get(pk, 0.0), factor * score)
    for pk, similarity in similar.items():
        if similarity >= cutoff:
            found[pk] = round(0.5 + 0.5 * (similarity - cutoff) / (95 - FUZZY_CUTOFF), 4)
    return found


# Ranking compares every query word with every word of up to MAX_CANDIDATES texts, and the
# same pairs recur from query to query: remembering the answers keeps ranking cheap.
@lru_cache(maxsize=262144)
def _matches(word: str, term: str) -> bool:
    if word == term or stem(word) == stem(term):
        return True
    if len(term) >= FUZZY_MIN_LENGTH and len(word) >= FUZZY_MIN_LENGTH:
        return word.startswith(term) or fuzz.ratio(word, term) >= FUZZY_CUTOFF + 5
    return False


def coverage(terms: Sequence[str], text: str) -> float:
    """The share (0–1) of ``terms`` found among the words of ``text`` (stemmed, typo-tolerant)."""
    if not terms:
        return 0.0
    words = set(normalise(text).split())
    stems = {stem(w) for w in words}
    hits = 0
    for term in terms:
        if term in words or stem(term) in stems or any(_matches(w, term) for w in words):
            hits += 1
    return hits / len(terms)


def match_score(question: str, phrasings: Sequence[str], body: str) -> int:
    """How well an answer matches a question, 0–100 (answer suggestions).

    100 · (0.75 · max over phrasings of coverage(question terms, phrasing)
           + 0.25 · coverage(question terms, phrasings and body)),
    rounded. The phrasings are the answer's question and its alternative phrasings.
    """
    terms = tokens(question)
    if not terms:
        return 0
    best = max((coverage(terms, p) for p in phrasings), default=0.0)
    everything = coverage(terms, " ".join([*phrasings, body]))
    return round(100 * (0.75 * best + 0.25 * everything))


def highlight(text: str, terms: Sequence[str], width: int = 240) -> str:
    """An HTML-safe snippet of ``text`` (about ``width`` characters) around the first match,
    matched words wrapped in ``<mark>``. Everything else is escaped with ``html.escape``."""
    text = text or ""
    lowered = text.lower()
    start = 0
    for term in terms:
        pos = lowered.find(term[:5]) if term else -1
        if pos >= 0:
            start = max(0, pos - width // 4)
            break
    snippet = text[start : start + width]
    parts: list[str] = ["…" if start > 0 else ""]
    last = 0
    for m in _WORD.finditer(snippet):
        parts.append(html.escape(snippet[last : m.start()]))
        word = m.group(0)
        if any(_matches(word.lower(), t) for t in terms):
            parts.append(f"<mark>{html.escape(word)}</mark>")
        else:
            parts.append(html.escape(word))
        last = m.end()
    parts.append(html.escape(snippet[last:]))
    if start + width < len(text):
        parts.append("…")
    return "".join(parts)


@dataclass
class Candidate:
    """One document the keyword index found, with what the score needs to know."""

    key: str  # "answer:12"
    kind: str  # answer / article / product
    keyword: float  # the database's score, higher is better
    text: str = ""
    product_ids: frozenset[int] = field(default_factory=frozenset)
    published: bool = True
    stale: bool = False
    score: float = 0.0
    coverage: float = 0.0  # share of the query terms the document contains (set by rank)


def min_max(values: Sequence[float]) -> list[float]:
    """Min-max normalisation to [0, 1]; all-equal values (or one value) map to 1."""
    if not values:
        return []
    low, high = min(values), max(values)
    if high - low < 1e-12:
        return [1.0 for _ in values]
    return [(v - low) / (high - low) for v in values]


def rank(
    candidates: Sequence[Candidate],
    *,
    terms: Sequence[str],
    question: bool = False,
    named_products: Mapping[int, float] | None = None,
) -> list[Candidate]:
    """Score ``candidates`` with the formula in the module docstring; best first (ties by key)."""
    named = named_products or {}
    normalised = min_max([c.keyword for c in candidates])
    for c, k in zip(candidates, normalised, strict=True):
        c.coverage = coverage(terms, c.text)
        score = WEIGHT_KEYWORD * k + WEIGHT_COVERAGE * c.coverage
        strength = max((named.get(pk, 0.0) for pk in c.product_ids), default=0.0)
        score += BOOST_PRODUCT * strength
        score += BOOST_PUBLISHED if c.published else 0.0
        score += 0.0 if c.stale else BOOST_FRESH
        if question and c.kind == "answer":
            score += BOOST_ANSWER_FOR_QUESTION
        elif not question and c.kind == "product":
            # Naming a product without asking about it: the product itself is wanted.
            score += BOOST_PRODUCT_ITSELF * strength
        c.score = round(min(1.0, max(0.0, score / MAX_SUM)), 4)
    return sorted(candidates, key=lambda c: (-c.score, c.key))


def strip_email(text: str | None) -> str:
    """The customer's own words from pasted e-mail text: quoted lines ("> …"), "On … wrote:"
    headers, and everything after a signature marker ("-- ", "Regards", "Thanks") removed."""
    kept: list[str] = []
    for line in (text or "").splitlines():
        stripped = line.strip()
        low = stripped.lower()
        if stripped.startswith(">") or (low.startswith("on ") and low.endswith("wrote:")):
            continue
        if stripped in ("--", "-- ") or re.match(
            r"^(best |kind )?(regards|thanks|thank you|cheers|sent from my)\b", low
        ):
            break
        if re.match(r"^(from|to|sent|subject|cc|date):", low):
            continue
        kept.append(stripped)
    return " ".join(" ".join(kept).split())[:2000]


# --- Fusing keyword and semantic rankings (the optional ``semantic`` extra) ----------------------

SEMANTIC_FLOOR = 0.20  # cosine (all-MiniLM-L6-v2) at or below which a document is unrelated
SEMANTIC_CEILING = 0.75  # cosine at or above which it is as related as it gets
SEMANTIC_MIN_COSINE = 0.25  # a semantic-only candidate needs at least this to be a result
KEYWORD_WEIGHT_MIN = 0.30  # keyword weight when no query term is found in the best keyword hit
KEYWORD_WEIGHT_MAX = 0.80  # keyword weight when the best keyword hit contains every query term


def semantic_score(cosine: float) -> float:
    """A cosine similarity mapped linearly onto 0–1 between SEMANTIC_FLOOR and SEMANTIC_CEILING.

    Absolute, not min-max over the result set: a query with only weak neighbours keeps weak
    scores, so it cannot push aside a strong keyword match.
    """
    return min(1.0, max(0.0, (cosine - SEMANTIC_FLOOR) / (SEMANTIC_CEILING - SEMANTIC_FLOOR)))


def keyword_weight(confidence: float) -> float:
    """The gate: w = KEYWORD_WEIGHT_MIN + (KEYWORD_WEIGHT_MAX − KEYWORD_WEIGHT_MIN) · g."""
    g = min(1.0, max(0.0, confidence))
    return KEYWORD_WEIGHT_MIN + (KEYWORD_WEIGHT_MAX - KEYWORD_WEIGHT_MIN) * g


def fuse(
    keyword: Mapping[str, float],
    semantic: Mapping[str, float],
    *,
    confidence: float,
    coverages: Mapping[str, float] | None = None,
) -> list[tuple[str, float]]:
    """Score-gated fusion of a keyword ranking and a semantic one: [(key, score 0–1)], best first.

    ``keyword`` maps keys to :func:`rank` scores (0–1), ``semantic`` to cosine similarities,
    ``confidence`` g (0–1) is the keyword evidence: the share of query terms the best keyword
    hit contains (:attr:`Candidate.coverage`), ``coverages`` the same share per keyword hit
    (default 1). For every key in either ranking

        score = w · k · c + (1 − w) · s,   w = 0.30 + 0.50 · g

    with k the keyword score (0 when the keyword search missed it), c the share of the
    query terms that document contains (a lone hit on one word of four is min-max
    normalised to a high k, but it is weak evidence), and s =
    :func:`semantic_score` (cosine rescaled, 0 when missing). When the keyword hit covers the
    whole query (g = 1, w = 0.8) the keyword order stands unless keyword scores are close,
    and documents the keyword search missed come in below the strong keyword hits; when the
    query's words are not in the library (paraphrases, g → 0) the semantic order leads.
    Unlike reciprocal-rank fusion it uses the scores themselves, so a weak list cannot pull a
    strong match down just by ranking other things first. Semantic-only candidates below
    SEMANTIC_MIN_COSINE are dropped. Ties break by key.
    """
    w = keyword_weight(confidence)
    fused: dict[str, float] = {}
    for key in {*keyword, *semantic}:
        cosine = semantic.get(key)
        if key not in keyword and (cosine is None or cosine < SEMANTIC_MIN_COSINE):
            continue
        s = semantic_score(cosine) if cosine is not None else 0.0
        k = keyword.get(key, 0.0) * (coverages.get(key, 1.0) if coverages else 1.0)
        fused[key] = round(w * k + (1 - w) * s, 4)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))
