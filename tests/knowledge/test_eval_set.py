"""The shipped retrieval evaluation set (benchmarks/data/search_eval.jsonl) stays valid.

At least 150 questions, each labelled with a published answer or article of the demo
knowledge base, none a copy of its answer's title (or of one of its listed alternative
phrasings), no duplicates.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from salesdesk.demo import demo_load
from salesdesk.knowledge.models import Answer, Article

EVAL_FILE = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "search_eval.jsonl"


def _entries() -> list[dict]:
    return [json.loads(line) for line in EVAL_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def test_the_file_is_well_formed_and_big_enough():
    entries = _entries()
    assert len(entries) >= 150
    for entry in entries:
        assert {"id", "question", "expected"} <= entry.keys(), entry
        assert entry["question"].strip() and entry["expected"].startswith("kb-"), entry
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids))
    questions = [_norm(e["question"]) for e in entries]
    duplicates = {q for q in questions if questions.count(q) > 1}
    assert not duplicates


@pytest.mark.django_db
def test_every_label_is_a_published_demo_item_and_no_question_copies_it():
    demo_load()
    items = {a.external_id: a for a in Answer.objects.all()} | {
        a.external_id: a for a in Article.objects.all()
    }
    missing, unpublished, copies = [], [], []
    for entry in _entries():
        item = items.get(entry["expected"])
        if item is None:
            missing.append(entry["expected"])
            continue
        if item.status != "published":
            unpublished.append(entry["expected"])
        if entry.get("kind"):
            assert entry["kind"] == ("answer" if isinstance(item, Answer) else "article"), entry
        phrasings = [item.title, *getattr(item, "alternatives", [])]
        if _norm(entry["question"]) in {_norm(p) for p in phrasings}:
            copies.append(entry["question"])
    assert not missing, f"labels not in the demo data: {missing}"
    assert not unpublished, f"labels not published: {unpublished}"
    assert not copies, f"questions that copy their answer's title: {copies}"
