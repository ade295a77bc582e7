"""Small template helpers for the pages: accessible form fields, sorting links, money, timeline values."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import template
from django.forms import BoundField
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe

from salesdesk.core.money import Money

register = template.Library()


@register.filter
def widget(field: BoundField) -> SafeString:
    """The field's input, tied to its help text and errors for screen readers."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-help")
    if field.errors:
        described.append(f"{field.auto_id}-errors")
    attrs: dict[str, Any] = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def money(amount: Any, currency: str = "") -> str:
    """'125,000.00 EUR' from a Decimal amount and a currency code (never through float)."""
    if amount in (None, ""):
        return "—"
    if not isinstance(amount, Decimal):
        amount = Decimal(str(amount))
    return str(Money(amount, currency or ""))


@register.filter
def sort_toggle(current: str, name: str) -> str:
    """The ?sort= value a column header links to: ascending first, then descending."""
    return f"-{name}" if current == name else name


@register.simple_tag
def sort_state(current: str, name: str) -> str:
    """aria-sort value for a column header."""
    if current == name:
        return "ascending"
    if current == f"-{name}":
        return "descending"
    return "none"


@register.simple_tag(takes_context=True)
def nav_current(context: template.Context, *prefixes: str) -> SafeString:
    """aria-current="page" when the current URL name starts with one of ``prefixes``.

    A prefix ending in ":" names a URL namespace instead ("catalog:" is every page of the
    catalog app), so that e.g. the solutions app's ``product_gap_list`` is not a catalog page.
    """
    match = getattr(context.get("request"), "resolver_match", None)
    name = getattr(match, "url_name", "") or ""
    namespaces = (getattr(match, "namespace", "") or "").split(":")
    if any(
        (p.endswith(":") and p[:-1] in namespaces) or name == p or name.startswith(f"{p}_") for p in prefixes
    ):
        return mark_safe('aria-current="page"')  # a constant, nothing from the user
    return mark_safe("")


@register.filter
def audit_value(value: Any) -> str:
    """A value from an audit diff, readable: empty shown as a dash, lists joined."""
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(audit_value(v) for v in value)
    text = str(value)
    # Snapshots name a related record as "Name (#id)" and keep times as ISO text: show
    # the name, and the time as people read it (in the site's time zone).
    related = _RELATED_LABEL.match(text)
    if related:
        return related.group(1)
    if _ISO_DATETIME.match(text):
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return date_format(moment, "j M Y, H:i")
    return text


_RELATED_LABEL = re.compile(r"^(.+) \(#\d+\)$", re.S)
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@register.filter
def field_label(name: str) -> str:
    """'expected close date' from 'expected_close_date'."""
    return str(name).removesuffix("_id").replace("_", " ")


@register.filter
def duration_words(value: Any) -> str:
    """'15 minutes', '1 hour 30 minutes' from a timedelta (rounded up to the minute)."""
    seconds = int(getattr(value, "total_seconds", lambda: value)())
    minutes = max(1, -(-seconds // 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)
