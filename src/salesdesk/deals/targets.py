"""Measurable targets in a requirement, read from the text people type in a workshop.

A target is ``metric operator value [unit]``, one per line or separated by ``;``::

    peak_users = 2000
    p95_response_seconds <= 2 s        (also ≤)
    availability >= 99.9 %             (also ≥)
    growth_per_year = 20 %

The metric is a word of letters, digits and ``_`` (``.`` and ``-`` allowed inside);
operators are ``=``, ``<``, ``<=``, ``>``, ``>=`` (``==``, ``≤``, ``≥`` are accepted and
written in the canonical form). The value is a decimal number, with optional thousands
separators (``2,000``) and an optional sign; what follows it is the unit. A comma is a
thousands separator, never a list separator, so ``2,000`` is two thousand.

Pure Python, no Django: the solution-design and capacity engines read these targets too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

OPERATORS = ("=", "<", "<=", ">", ">=")
_ALIASES = {"==": "=", "≤": "<=", "≥": ">=", "=<": "<=", "=>": ">="}
# What a person may read more easily than the canonical ASCII form.
DISPLAY_OPERATORS = {"=": "=", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}

MAX_TARGETS = 50
MAX_METRIC_LENGTH = 60
MAX_UNIT_LENGTH = 30

_TARGET = re.compile(
    r"^\s*(?P<metric>[A-Za-z_][A-Za-z0-9_.\-]*)\s*(?P<operator>==|<=|>=|=<|=>|≤|≥|=|<|>)\s*(?P<rest>.*?)\s*$"
)
_NUMBER = re.compile(r"^(?P<number>[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?P<unit>.*)$")
_UNIT = re.compile(r"^[^\d\s=<>≤≥;][^=<>≤≥;]*$")


class TargetError(ValueError):
    """A target that cannot be read; the message names the problem and the text."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Target:
    """One measurable target: ``metric operator value unit`` (unit may be empty)."""

    metric: str
    operator: str
    value: Decimal
    unit: str = ""

    def __str__(self) -> str:
        return format_target(self)

    def as_dict(self) -> dict[str, str]:
        """A JSON-safe form: the value as a string, so no float ever rounds it."""
        return {"metric": self.metric, "operator": self.operator, "value": str(self.value), "unit": self.unit}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Target:
        return cls(data["metric"], data["operator"], Decimal(data["value"]), data.get("unit", ""))

    def is_met_by(self, measured: Decimal) -> bool:
        """Whether a measured value satisfies the target (the capacity model asks this)."""
        return {
            "=": measured == self.value,
            "<": measured < self.value,
            "<=": measured <= self.value,
            ">": measured > self.value,
            ">=": measured >= self.value,
        }[self.operator]


def format_target(target: Target, *, display: bool = False) -> str:
    """``metric op value unit``; ``display`` uses ≤ and ≥ and groups thousands (2,000)."""
    operator = DISPLAY_OPERATORS[target.operator] if display else target.operator
    value = target.value
    if display and value == value.to_integral_value() and abs(value) >= 1000:
        number = f"{int(value):,}"
    else:
        number = format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    unit = f" {target.unit}" if target.unit else ""
    return f"{target.metric} {operator} {number}{unit}"


def parse_target(text: str) -> Target:
    """Read one target such as ``p95_response_seconds <= 2 s``; TargetError names the problem."""
    source = text.strip()
    if not source:
        raise TargetError("is empty")
    match = _TARGET.match(source)
    if match is None:
        if not re.match(r"^\s*[A-Za-z_]", source):
            raise TargetError(f"must start with a metric name such as peak_users in '{source}'")
        raise TargetError(f"needs an operator (=, <, <=, >, >=, ≤, ≥) after the metric in '{source}'")
    metric = match["metric"].lower()
    if len(metric) > MAX_METRIC_LENGTH:
        raise TargetError(f"the metric name is longer than {MAX_METRIC_LENGTH} characters in '{source}'")
    operator = _ALIASES.get(match["operator"], match["operator"])
    rest = match["rest"]
    if not rest:
        raise TargetError(f"needs a value after '{match['operator']}' in '{source}'")
    number = _NUMBER.match(rest)
    unit = number["unit"].strip() if number else ""
    # "2k users": the number must end where the unit starts (a space or a symbol such as %).
    glued = number is not None and (number["unit"][:1].isalnum() or number["unit"][:1] in (",", ".", "_"))
    if number is None or glued or (unit and not _UNIT.match(unit)):
        raise TargetError(f"cannot read a number in '{rest}'")
    try:
        value = Decimal(number["number"].replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern only lets numbers through
        raise TargetError(f"cannot read a number in '{rest}'") from exc
    if len(unit) > MAX_UNIT_LENGTH:
        raise TargetError(f"the unit is longer than {MAX_UNIT_LENGTH} characters in '{source}'")
    return Target(metric=metric, operator=operator, value=value, unit=unit)


def parse_targets(text: str) -> list[Target]:
    """Every target in ``text`` (one per line or ``;``-separated); blank parts are skipped.

    A problem is reported with the target's position: "target 2: cannot read a number in '2k users'".
    """
    parts = [p for p in re.split(r"[;\n\r]+", text or "") if p.strip()]
    if len(parts) > MAX_TARGETS:
        raise TargetError(f"at most {MAX_TARGETS} targets per requirement")
    targets = []
    for index, part in enumerate(parts, start=1):
        try:
            targets.append(parse_target(part))
        except TargetError as exc:
            prefix = f"target {index}: " if len(parts) > 1 else ""
            raise TargetError(prefix + exc.message) from None
    return targets


def format_targets(targets: list[Target], *, display: bool = False) -> str:
    """The targets as text that ``parse_targets`` reads back (one per line)."""
    return "\n".join(format_target(t, display=display) for t in targets)
