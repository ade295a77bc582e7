"""Turn Django validation into ApplicationError, and apply a dict of changes to a record."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from .errors import ApplicationError, FieldError, StaleWrite


def clean_or_raise(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """Run the model's validation; raise one ApplicationError naming every bad field."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=True)
    except ValidationError as exc:
        errors = [
            FieldError(field if field != "__all__" else "__all__", str(message))
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
        raise ApplicationError(errors=errors) from exc


def apply_changes(instance: models.Model, changes: dict[str, Any], *, allowed: set[str]) -> list[str]:
    """Set the allowed fields from ``changes``; an unknown field is an error, not ignored."""
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ApplicationError(unknown[0], "cannot be changed here")
    changed = []
    for name, value in changes.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def check_version(instance: Any, expected_version: int | None) -> None:
    """StaleWrite (412) when the caller edited an older version than the stored one."""
    if expected_version is not None and expected_version != instance.version:
        raise StaleWrite(
            "version",
            f"the record changed since you read it (you had version {expected_version}, "
            f"it is now {instance.version}); reload and try again",
        )
