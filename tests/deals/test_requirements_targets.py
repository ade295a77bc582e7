"""The measurable-target parser (pure): examples from the workshop, errors that name the problem."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesdesk.deals.targets import (
    OPERATORS,
    Target,
    TargetError,
    format_target,
    format_targets,
    parse_target,
    parse_targets,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("peak_users = 2000", Target("peak_users", "=", Decimal("2000"), "")),
        ("peak_users = 2,000 users", Target("peak_users", "=", Decimal("2000"), "users")),
        ("p95_response_seconds <= 2", Target("p95_response_seconds", "<=", Decimal("2"), "")),
        ("p95_response_seconds ≤ 2 s", Target("p95_response_seconds", "<=", Decimal("2"), "s")),
        ("availability >= 99.9 %", Target("availability", ">=", Decimal("99.9"), "%")),
        ("availability ≥ 99.9%", Target("availability", ">=", Decimal("99.9"), "%")),
        ("growth_per_year = 20 %", Target("growth_per_year", "=", Decimal("20"), "%")),
        ("Storage_TB == 30 TB", Target("storage_tb", "=", Decimal("30"), "TB")),
        ("error_rate < 0.1 %", Target("error_rate", "<", Decimal("0.1"), "%")),
        ("temperature > -5 °C", Target("temperature", ">", Decimal("-5"), "°C")),
    ],
)
def test_targets_people_type_are_read(text, expected):
    assert parse_target(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("peak_users = 2k users", "cannot read a number in '2k users'"),
        ("peak_users = many", "cannot read a number in 'many'"),
        ("peak_users = 2,00", "cannot read a number in '2,00'"),
        ("peak_users 2000", "needs an operator"),
        ("peak_users =", "needs a value after '='"),
        ("= 2000", "must start with a metric name"),
        ("", "is empty"),
    ],
)
def test_a_target_that_cannot_be_read_names_the_problem(text, message):
    with pytest.raises(TargetError) as exc:
        parse_target(text)
    assert message in exc.value.message


def test_several_targets_by_line_or_semicolon_and_the_bad_one_is_numbered():
    assert [t.metric for t in parse_targets("a = 1; b <= 2\nc >= 3\n\n")] == ["a", "b", "c"]
    with pytest.raises(TargetError) as exc:
        parse_targets("peak_users = 2000; p95 <= 2k s")
    assert exc.value.message == "target 2: cannot read a number in '2k s'"


def test_display_form_uses_the_readable_operators_and_groups_thousands():
    target = parse_target("peak_users >= 2000 users")
    assert format_target(target, display=True) == "peak_users ≥ 2,000 users"
    assert format_target(target) == "peak_users >= 2000 users"


def test_a_target_judges_a_measured_value():
    assert parse_target("p95 <= 2 s").is_met_by(Decimal("1.8"))
    assert not parse_target("availability >= 99.9 %").is_met_by(Decimal("99.5"))


metrics = st.from_regex(r"[a-z_][a-z0-9_]{0,20}", fullmatch=True)
values = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=3, allow_nan=False)
units = st.sampled_from(["", "%", "s", "users", "TB", "req/s", "°C"])


@given(st.lists(st.tuples(metrics, st.sampled_from(OPERATORS), values, units), min_size=1, max_size=8))
def test_formatting_and_reading_back_gives_the_same_targets(items):
    targets = [Target(m, op, v, u) for m, op, v, u in items]
    assert parse_targets(format_targets(targets)) == targets
    assert parse_targets(format_targets(targets, display=True)) == targets


@given(st.text(max_size=60))
def test_any_text_is_read_or_refused_with_a_message(text):
    try:
        parse_targets(text)
    except TargetError as exc:
        assert exc.message
