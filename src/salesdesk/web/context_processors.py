"""What every page needs to know: who is signed in, at which level, and what they may open."""

from typing import Any

from django.http import HttpRequest

from salesdesk.core.permissions import holds

NAVIGATION_CAPABILITIES = (
    "organisation.view",
    "organisation.create",
    "organisation.edit",
    "contact.view",
    "contact.edit",
    "opportunity.view",
    "opportunity.create",
    "opportunity.edit",
    "user.manage",
    "token.manage",
    "organisation.export",
    "job.view",
    "audit.view",
    "catalog.view",
    "knowledge.view",
    "knowledge.draft",
    "knowledge.publish",
    "case.open",
    "case.reply",
    "interaction.log",
    "policy.set",
    "estimate.edit",
    "deal.register",
    "deal.approve",
    "presales.request",
    "presales.assign",
    "solution.view",
    "solution.design",
    "product_gap.triage",
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "can": {name.replace(".", "_"): holds(user, name) for name in NAVIGATION_CAPABILITIES},
    }
