"""The small kit every page form and list uses.

Forms only check the shape of the input (types, required fields); the rules live in
the services, which raise ApplicationError. ``ServiceForm.add_service_error`` shows
those errors on the field they name, so a person sees the problem where they typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .errors import ApplicationError


class ServiceForm(forms.Form):
    """A form whose data goes to a service; the service's errors come back onto its fields."""

    # Service error names that differ from the form's field names.
    error_field_aliases: dict[str, str] = {}

    def field_for_error(self, name: str) -> str | None:
        candidates = [self.error_field_aliases.get(name, name)]
        if name.endswith("_id"):
            candidates.append(name[:-3])
        for candidate in candidates:
            # A hidden field (the version guard) has nowhere to show its error: put it on top.
            if candidate in self.fields and not self.fields[candidate].widget.is_hidden:
                return candidate
        return None

    def add_service_error(self, exc: ApplicationError) -> None:
        """Show each of the service's errors on the field it names, else above the form."""
        if not exc.errors:
            self.add_error(None, exc.detail)
            return
        for error in exc.errors:
            field = self.field_for_error(error.field)
            if field is not None:
                self.add_error(field, error.message)
            elif error.field in ("__all__", "", None):
                self.add_error(None, error.message)
            else:
                self.add_error(None, f"{error.field.replace('_', ' ')}: {error.message}")


def paginate(request: HttpRequest, queryset: Any, per_page: int | None = None) -> Page:
    """The requested page of ``queryset`` (page number from ?page=, clamped to the last page)."""
    paginator = Paginator(queryset, per_page or settings.SALESDESK_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def sort_param(request: HttpRequest, allowed: dict[str, str], default: str) -> tuple[str, str]:
    """(name shown in the URL, ordering for the selector) from ?sort=, '-' prefix for descending."""
    value = request.GET.get("sort", default)
    name = value.lstrip("-")
    if name not in allowed:
        value, name = default, default.lstrip("-")
    descending = value.startswith("-")
    return value, ("-" if descending else "") + allowed[name]


def query_without_page(request: HttpRequest) -> str:
    """The current query string without ``page``, for pagination and sort links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# The largest id a database integer column holds; a bigger one would crash the query.
MAX_DB_ID = 2**63 - 1


def optional_id(value: str | None) -> int | None:
    """An id from a filter parameter; anything that is not an id (1 … 2**63-1) means 'no filter'."""
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number <= MAX_DB_ID else None


def form_page(
    request: HttpRequest,
    form: ServiceForm,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    save: Callable[[], Any],
    saved: Callable[[Any], str],
    then: Callable[[Any], HttpResponse],
) -> HttpResponse:
    """The create/edit page every app has: show ``form``; on a valid POST call ``save()``.

    ``save`` calls the service (which checks the capability and writes the audit record);
    its ApplicationError comes back onto the form's fields. On success the ``saved``
    message is shown and ``then(record)`` answers (usually a redirect to the record). A
    form sent back with errors answers 400, so scripts and tests can tell.
    """
    if request.method == "POST" and form.is_valid():
        try:
            record = save()
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, saved(record))
            return then(record)
    return render(request, template, {"form": form, **(context or {})}, status=400 if form.is_bound else 200)
