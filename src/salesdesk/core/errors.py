"""Errors that services raise and every surface (API, pages, CLI) turns into a clear message."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class ApplicationError(Exception):
    """A request a user can fix: names the field and the problem.

    The API answers 400 (or ``status``), a page shows it as a form error and the CLI
    prints it on one line and exits with code 2.
    """

    status = 400

    def __init__(
        self,
        field: str | None = None,
        message: str = "",
        *,
        errors: list[FieldError] | None = None,
        detail: str | None = None,
        status: int | None = None,
    ) -> None:
        self.errors = list(errors or [])
        if field is not None or message:
            self.errors.insert(0, FieldError(field or "__all__", message))
        self.detail = detail or (
            self.errors[0].message if len(self.errors) == 1 else "The request is not valid."
        )
        if status is not None:
            self.status = status
        super().__init__(self.as_line())

    def as_line(self) -> str:
        if not self.errors:
            return self.detail
        return "; ".join(
            f"{e.field}: {e.message}" if e.field != "__all__" else e.message for e in self.errors
        )

    def as_body(self) -> dict:
        return {
            "detail": self.detail,
            "errors": [{"field": e.field, "message": e.message} for e in self.errors],
        }


class StateConflict(ApplicationError):
    """The record is not in a state that allows this step (HTTP 409)."""

    status = 409


class StaleWrite(ApplicationError):
    """The record changed since the caller read it (HTTP 412)."""

    status = 412


class BulkWriteRefused(RuntimeError):
    """Raised when code tries to bulk-write an audited model behind the audit trail's back."""
