"""The Presales card of the opportunity page: counts of its requests and the links to them."""

from __future__ import annotations

from typing import Any

from django import template

from salesdesk.core.permissions import holds
from salesdesk.deals.presales_selectors import presales_summary

register = template.Library()


@register.inclusion_tag("deals/presales/_opportunity_summary.html", takes_context=True)
def presales_card(context: template.Context, opportunity: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "opportunity": opportunity,
        "summary": presales_summary(user=user, opportunity_id=opportunity.pk),
        "can_request": holds(user, "presales.request") and not opportunity.is_closed,
    }
