"""The conflict engine without a database: company-name keys, fuzzy scores, product overlap."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesdesk.deals.conflicts import (
    MATCH_THRESHOLD,
    NameIndex,
    match_names,
    name_score,
    normalise_company_name,
    product_overlap,
)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Müller GmbH", "muller"),
        ("MULLER", "muller"),
        ("Smith & Co. KG", "smith"),
        ("Smith and Sons Ltd", "smith and sons"),
        ("Acme S.A.", "acme"),
        ("ACME, Inc.", "acme"),
        ("Acme Corp.", "acme"),
        ("Acme LLC", "acme"),
        ("Acme B.V.", "acme"),
        ("Acme plc", "acme"),
        ("The Northwind Traders Limited", "northwind traders"),
        ("Ørsted A/S", "orsted"),
        ("Straße Bau AG", "strasse bau"),
        ("SA Water", "sa water"),  # a legal form only counts at the end
        ("GmbH", "gmbh"),  # never reduced to nothing
        ("  ", ""),
    ],
)
def test_normalised_keys(name, key):
    assert normalise_company_name(name) == key


@pytest.mark.parametrize(
    ("a", "b", "matches"),
    [
        ("Northwind Traders GmbH", "northwind traders ltd.", True),
        ("Northwind Traders", "Nortwind Tradrs", True),  # typos
        ("Traders Northwind", "Northwind Traders", True),  # word order
        ("Northwind", "Northwind Traders", True),  # one name inside the other
        ("Contoso Site A", "Contoso Site B", False),  # a letter names another company
        ("Fabrikam 2", "Fabrikam 3", False),
        ("Acme Foods", "Acme Industries", False),
        ("Tailspin Toys", "Wingtip Toys", False),
    ],
)
def test_which_names_match(a, b, matches):
    score = name_score(normalise_company_name(a), normalise_company_name(b))
    assert (score >= MATCH_THRESHOLD) is matches, score


def test_match_names_agrees_with_name_score_and_ranks_best_first():
    keys = [
        normalise_company_name(n) for n in ["Nortwind Traders", "Acme", "Northwind Traders AG", "Contoso"]
    ]
    found = match_names("northwind traders", keys)
    assert [m.index for m in found] == [2, 0]
    assert [m.score for m in found] == [name_score("northwind traders", keys[i]) for i in (2, 0)]


def test_name_index_returns_ids():
    index = NameIndex([(7, "Northwind Traders GmbH"), (8, "Fabrikam"), (9, "---")])
    assert len(index) == 2  # a name with no letters has no key
    assert index.match("northwind traders") == [(7, 100.0)]


def test_overlap():
    assert product_overlap([1, 2], [2, 3]).products == frozenset({2})
    assert product_overlap([1], [3]) is None
    unknown = product_overlap([1], [])
    assert unknown.unknown and unknown.products == frozenset()


names = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), max_size=40)


@given(names)
def test_a_key_is_stable_and_plain(name):
    key = normalise_company_name(name)
    assert normalise_company_name(key) == key
    assert key == key.strip() and "  " not in key
    assert all(ch.isascii() for ch in key)


@given(names, names)
def test_scores_are_symmetric_and_bounded(a, b):
    ka, kb = normalise_company_name(a), normalise_company_name(b)
    assert 0 <= name_score(ka, kb) == name_score(kb, ka) <= 100


@given(st.lists(names, max_size=30), names)
def test_vectorised_matching_finds_exactly_the_pairs_that_score(keys_raw, query_raw):
    keys = [normalise_company_name(k) for k in keys_raw]
    query = normalise_company_name(query_raw)
    expected = {i for i, k in enumerate(keys) if name_score(query, k) >= MATCH_THRESHOLD}
    assert {m.index for m in match_names(query, keys)} == expected
