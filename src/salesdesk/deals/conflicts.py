"""Deal-registration conflicts: is this the same customer, and do the deals overlap?

Pure Python (rapidfuzz and NumPy, no Django), so the service, the benchmark and the tests
use it without a database.

**Company names.** Two spellings of one company should compare equal before any fuzzy
matching, so a name is first reduced to a *key* (:func:`normalise_company_name`): case
folded, accents removed (NFKD, then a few letters NFKD keeps, such as ``ø`` and ``ł``),
``&`` read as "and", dotted and slashed abbreviations joined (``S.A.`` → ``sa``, ``A/S`` →
``as``), other punctuation
turned into spaces, and legal forms at the end dropped (``GmbH & Co. KG``, ``Ltd``,
``Limited``, ``Inc.``, ``LLC``, ``S.A.``, ``B.V.``, ``plc``, ``Corp`` …). "Müller GmbH" and
"MULLER" both become ``muller``.

**Fuzzy score** of two keys (0–100), the highest of three rapidfuzz scorers
(Levenshtein-based, see https://rapidfuzz.github.io/RapidFuzz/Usage/fuzz.html):

- ``ratio`` — the normalised InDel similarity of the whole keys (typos: *Nortwind*);
- ``token_sort_ratio`` — the same after sorting the words (*Traders Northwind*);
- ``0.95 × token_set_ratio`` — one name's words are all in the other (*Northwind* vs
  *Northwind Traders*), slightly discounted because the longer name may be another company.

Then one correction: when each key has a word the other lacks and one of those words is a
number or at most two letters (*Customer A* / *Customer B*, *Works 2* / *Works 3*), they name
different companies however similar the rest is, so the score is capped below the threshold.

A name **matches** at ``MATCH_THRESHOLD`` (85) or more. Scoring many names is a few
``rapidfuzz.process.cdist`` calls (C++) over keys prepared once (:class:`NameIndex`), so
20,000 customer names take a few milliseconds.

**Overlap.** A registration and an existing deal overlap when they share a product, or when
the existing deal lists no products (the overlap cannot be ruled out: the sales manager
decides).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

MATCH_THRESHOLD = 85.0
SUBSET_WEIGHT = 0.95

# Legal forms, as keys (after punctuation is removed). Dropped only at the end of a name,
# so "SA Water" and "AG Insurance" keep their first word.
LEGAL_FORMS = frozenset(
    {
        "gmbh", "mbh", "ag", "kg", "kgaa", "ohg", "ug", "ev", "se",
        "ltd", "limited", "plc", "llp", "lp", "llc", "inc", "incorporated",
        "corp", "corporation", "co", "company", "cie",
        "sa", "sas", "sarl", "srl", "spa", "sl", "slu", "sau",
        "bv", "nv", "vof", "ab", "as", "asa", "oy", "oyj", "aps",
        "pty", "pte", "kk", "sro", "spzoo", "zoo", "holding", "holdings", "group",
    }
)  # fmt: skip
# Words left dangling once a legal form is dropped ("Smith & Co." → "smith and").
_CONNECTORS = frozenset({"and", "und", "et", "y", "the"})
# Letters that NFKD does not decompose into a base letter and a mark.
_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ß": "ss"}
)
_DOTTED = re.compile(r"\b(?:[a-z]\.){2,}")
_SLASHED = re.compile(r"\b([a-z])/([a-z])\b")  # "A/S", "S/A"
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalise_company_name(name: str) -> str:
    """The comparison key of a company name (see the module docstring); "" for a blank name."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_LETTERS)
    text = text.replace("&", " and ").replace("+", " and ")
    text = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _SLASHED.sub(r"\1\2", text)
    words = _NOT_WORD.sub(" ", text).split()
    while words and words[0] == "the" and len(words) > 1:
        words.pop(0)
    # Drop legal forms (and the connectors they leave) from the end, never the whole name.
    while len(words) > 1 and (words[-1] in LEGAL_FORMS or words[-1] in _CONNECTORS):
        words.pop()
    return " ".join(words)


def _discriminating(a: str, b: str) -> bool:
    """Each key has a word the other lacks, and one such word is a number or ≤ 2 letters."""
    wa, wb = set(a.split()), set(b.split())
    only_a, only_b = wa - wb, wb - wa
    if not only_a or not only_b:
        return False
    return any(w.isdigit() or len(w) <= 2 for w in only_a | only_b)


def name_score(a: str, b: str) -> float:
    """The fuzzy score (0–100) of two keys from :func:`normalise_company_name`."""
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    score = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b), SUBSET_WEIGHT * fuzz.token_set_ratio(a, b))
    if _discriminating(a, b):
        score = min(score, MATCH_THRESHOLD - 1)
    return round(float(score), 1)


@dataclass(frozen=True)
class NameMatch:
    """``keys[index]`` scored ``score`` against the query."""

    index: int
    score: float


def match_names(query: str, keys: Sequence[str], threshold: float = MATCH_THRESHOLD) -> list[NameMatch]:
    """Every key scoring at least ``threshold`` against ``query`` (a key), best first."""
    index = NameIndex.of_keys(keys)
    return [NameMatch(index.ids[m.index], m.score) for m in index.match_keys(query, threshold)]


def _sorted_words(key: str) -> str:
    return " ".join(sorted(key.split()))


class NameIndex:
    """Company-name keys prepared once for many look-ups (positions, ids, sorted words, words).

    Build it from ``(id, name)`` rows; :meth:`match` returns ``(id, score)`` pairs. Each
    look-up is one vectorised ``ratio`` pass over the keys and one over their sorted-word
    forms (that is ``token_sort_ratio`` without re-sorting every key per query); the
    ``token_set_ratio`` candidates come from a word index (see :meth:`match_keys`). Only the
    few candidates near the threshold are scored exactly (:func:`name_score`).
    """

    def __init__(self, rows: Iterable[tuple[int, str]] = ()) -> None:
        self.ids: list[int] = []
        self.keys: list[str] = []
        self.sorted_keys: list[str] = []
        self.words: dict[str, list[int]] = {}
        self.position: dict[int, int] = {}
        self.skipped: set[int] = set()
        self._lengths: list[int] = []
        self._word_counts: list[int] = []
        self._cached: tuple[np.ndarray, np.ndarray] | None = None
        self.update(rows)

    @classmethod
    def of_keys(cls, keys: Sequence[str]) -> NameIndex:
        """An index over keys already normalised; ids are the keys' positions."""
        index = cls()
        for position, key in enumerate(keys):
            index._put(position, key)
        return index

    def update(self, rows: Iterable[tuple[int, str]]) -> None:
        """Add rows, or replace the key of an id already present (a renamed company)."""
        for pk, name in rows:
            self._put(pk, normalise_company_name(name))

    def _put(self, pk: int, key: str) -> None:
        at = self.position.get(pk)
        if at is None and not key:
            self.skipped.add(pk)  # nothing to match on (a name of punctuation only)
            return
        if at is None:
            at = len(self.ids)
            self.position[pk] = at
            self.ids.append(pk)
            self.keys.append(key)
            self.sorted_keys.append(_sorted_words(key))
            self._lengths.append(len(key))
            self._word_counts.append(len(set(key.split())))
        else:
            # A stale word entry may still point here: it only adds a candidate, scored exactly.
            self.keys[at] = key
            self.sorted_keys[at] = _sorted_words(key)
            self._lengths[at] = len(key)
            self._word_counts[at] = len(set(key.split()))
        self._cached = None
        for word in set(key.split()):
            self.words.setdefault(word, []).append(at)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def rows_seen(self) -> int:
        """Distinct ids given to the index, kept or skipped (to tell whether rows were removed)."""
        return len(self.ids) + len(self.skipped - self.position.keys())

    def _arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Key lengths and word counts as arrays (rebuilt after a change)."""
        if self._cached is None:
            self._cached = (np.asarray(self._lengths), np.asarray(self._word_counts))
        return self._cached

    def match_keys(self, query: str, threshold: float = MATCH_THRESHOLD) -> list[NameMatch]:
        """Positions (and scores) of the keys scoring at least ``threshold`` against ``query``."""
        if not query or not self.keys:
            return []
        cutoff = int(threshold) - 1  # uint8 scores are whole numbers: keep the borderline ones
        candidates = set(
            np.flatnonzero(
                process.cdist([query], self.keys, scorer=fuzz.ratio, dtype=np.uint8, score_cutoff=cutoff)[0]
            ).tolist()
        )
        candidates.update(
            np.flatnonzero(
                process.cdist(
                    [_sorted_words(query)],
                    self.sorted_keys,
                    scorer=fuzz.ratio,
                    dtype=np.uint8,
                    score_cutoff=cutoff,
                )[0]
            ).tolist()
        )
        # token_set_ratio beats the two above only through the words both names share: it is
        # 100 when one name's words are all in the other, else ratio(shared, shared + rest),
        # high only when the shared words make up most of one name. Count them per key.
        query_words = set(query.split())
        hits = [self.words[word] for word in query_words if word in self.words]
        if hits:
            lengths, word_counts = self._arrays()
            shared_chars = np.zeros(len(self.keys), dtype=np.int32)
            shared_words = np.zeros(len(self.keys), dtype=np.int32)
            for word in query_words:
                if word in self.words:
                    positions = np.asarray(self.words[word])
                    np.add.at(shared_chars, positions, len(word) + 1)
                    np.add.at(shared_words, positions, 1)
            sharing = np.flatnonzero(shared_words)
            subset = shared_words[sharing] >= np.minimum(len(query_words), word_counts[sharing])
            sect = shared_chars[sharing] - 1
            rest = np.maximum(0, np.minimum(len(query), lengths[sharing]) - sect - 1)
            needed = cutoff / SUBSET_WEIGHT / 100 - 0.02  # a little slack: exact scores follow
            close = 2 * sect / (2 * sect + 1 + rest) >= needed
            candidates.update(sharing[subset | close].tolist())
        matches = []
        for at in candidates:
            score = name_score(query, self.keys[at])
            if score >= threshold:
                matches.append(NameMatch(int(at), score))
        matches.sort(key=lambda m: (-m.score, m.index))
        return matches

    def match(self, key: str, threshold: float = MATCH_THRESHOLD) -> list[tuple[int, float]]:
        """``(id, score)`` of every indexed name matching ``key``, best first."""
        return [(self.ids[m.index], m.score) for m in self.match_keys(key, threshold)]


@dataclass(frozen=True)
class Overlap:
    """What a registration shares with an existing deal."""

    products: frozenset[int]
    # The existing deal lists no products, so an overlap cannot be ruled out.
    unknown: bool = False


def product_overlap(registered: Iterable[int], existing: Iterable[int]) -> Overlap | None:
    """The overlap of two product sets, or None when they are known to share nothing."""
    mine, theirs = frozenset(registered), frozenset(existing)
    if not theirs:
        return Overlap(frozenset(), unknown=True)
    shared = mine & theirs
    return Overlap(shared) if shared else None


@dataclass
class ConflictMatch:
    """One existing opportunity or registration that conflicts with a new registration."""

    kind: str  # "opportunity" or "registration"
    id: int
    label: str
    customer: str
    score: float
    products: list[int] = field(default_factory=list)
    products_unknown: bool = False
    partner_id: int | None = None
    partner: str = ""
    status: str = ""
    protected_until: str | None = None  # ISO date, when the deal is protected for a partner
    blocking: bool = False
    account_id: int | None = None  # the existing customer account, when there is one

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "id": self.id,
            "label": self.label,
            "customer": self.customer,
            "score": self.score,
            "products": list(self.products),
            "products_unknown": self.products_unknown,
            "partner_id": self.partner_id,
            "partner": self.partner,
            "status": self.status,
            "protected_until": self.protected_until,
            "blocking": self.blocking,
            "account_id": self.account_id,
        }
