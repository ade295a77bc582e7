"""What changed between two versions of a requirement set: added, removed, changed (by reference).

Pure Python on the baseline ``content`` dictionaries, so pages, API, documents and tests
share one answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

COMPARED_FIELDS = ("statement", "type", "priority", "acceptance", "source", "conclusion", "targets")


@dataclass
class RequirementChange:
    reference: str
    fields: dict[str, tuple[Any, Any]]  # field: (old, new)


@dataclass
class SetDiff:
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[RequirementChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def summary(self) -> str:
        return f"{len(self.added)} added, {len(self.removed)} removed, {len(self.changed)} changed"

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": [r["reference"] for r in self.added],
            "removed": [r["reference"] for r in self.removed],
            "changed": [
                {"reference": c.reference, "fields": {k: list(v) for k, v in c.fields.items()}}
                for c in self.changed
            ],
        }


def diff_requirements(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> SetDiff:
    """Compare two lists of requirement dictionaries (as a baseline keeps them)."""
    before = {r["reference"]: r for r in old}
    after = {r["reference"]: r for r in new}
    result = SetDiff()
    for reference, requirement in after.items():
        if reference not in before:
            result.added.append(requirement)
            continue
        fields = {
            name: (before[reference].get(name), requirement.get(name))
            for name in COMPARED_FIELDS
            if before[reference].get(name) != requirement.get(name)
        }
        if fields:
            result.changed.append(RequirementChange(reference, fields))
    result.removed = [r for ref, r in before.items() if ref not in after]
    return result
