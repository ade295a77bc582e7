"""The capability table (DESIGN §1) in one place, used by views, API, CLI and tasks alike.

A support-staff user holds a level 1–6; a capability needs at least its level and
higher levels include the lower ones. Sales reps, partner users, customer users and
admins hold the capabilities listed for their kind. Admin operates the instance and
holds no business approval right.

This module answers "may this kind of user do this at all?". Which *records* they may
touch is the visibility selectors' job (``<app>.selectors.visible_<things>``); a
record outside them is a 404, never a 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied

from .roles import UserKind

S, P, C, A = UserKind.SALES_REP, UserKind.PARTNER, UserKind.CUSTOMER, UserKind.ADMIN


@dataclass(frozen=True)
class Capability:
    """Who holds a capability: support staff from ``level`` up, plus the listed kinds."""

    description: str
    level: int | None = None
    kinds: frozenset[str] = field(default_factory=frozenset)


def cap(description: str, level: int | None = None, *kinds: str) -> Capability:
    return Capability(description, level, frozenset(kinds))


CAPABILITIES: dict[str, Capability] = {
    # Level 1 — support agent: information, logging, customer data, escalation.
    "catalog.view": cap("Look up products and services", 1, S, P, C),
    "catalog.cost_view": cap("See cost prices in the catalog (internal staff only)", 1, S),
    "catalog.export": cap("Export the catalog and price list", 1, S),
    "knowledge.view": cap("Read the knowledge base and answer library", 1, S, P, C),
    "interaction.log": cap("Log calls, meetings and e-mails", 1, S, P),
    "organisation.view": cap("Look up organisations and customer accounts", 1, S, P, C),
    "organisation.create": cap("Enter a new customer account", 1, S),
    "organisation.edit": cap("Correct customer data", 1, S),
    "contact.view": cap("Look up contacts", 1, S, P, C),
    "contact.edit": cap("Enter and correct contacts", 1, S, P),
    "opportunity.view": cap("See opportunities", 1, S, P),
    "case.open": cap("Open a case", 1, S, P, C),
    "case.escalate": cap("Escalate a query or complaint to a higher level", 1),
    "job.view": cap("Follow background jobs", 1, S, P, C, A),
    "audit.view": cap("Read the history of a record", 1, S, P, C, A),
    "organisation.export": cap("Export the organisations one sees as CSV", 1, S, P),
    "solution.view": cap("Read solution designs, fit-gap matrices and feasibility checks", 1, S),
    # Level 2 — support specialist.
    "case.resolve": cap("Resolve straightforward cases", 2),
    "knowledge.draft": cap("Draft knowledge answers", 2),
    "solution.propose_simple": cap("Propose solutions to simple requirements", 2),
    # Level 3 — solutions consultant.
    "requirement.manage": cap("Capture and clarify requirements", 3),
    "requirement.baseline": cap("Baseline and share requirement documents", 3),
    "bid.contribute": cap("Contribute answers to bids and proposals", 3),
    # Level 4 — presales engineer / solution architect.
    "solution.design": cap("Design solutions and assess feasibility", 4),
    "capacity.model": cap("Run capacity models and simulations", 4),
    "estimate.edit": cap("Produce cost, effort and risk estimates and plans", 4),
    "opportunity.edit": cap("Work with sales on prospects' opportunities", 4, S),
    # Level 5 — sales-support / bid manager.
    "estimate.signoff": cap("Review and sign off estimates and plans", 5),
    "bid.technical_signoff": cap("Technical sign-off of bids", 5),
    "presales.assign": cap("Assign and manage all sales-support work", 5),
    "knowledge.publish": cap("Publish knowledge items", 5),
    "metrics.define": cap("Define metrics and targets", 5),
    "deal.approve": cap("Approve or reject partner deal registrations", 5),
    # Owning the technical content of bids includes the catalog it is built from.
    "catalog.edit": cap(
        "Maintain the catalog: products, specifications, prices, options, bundles, rules, lifecycle", 5
    ),
    # Level 6 — head of customer service.
    "policy.set": cap("Set service policy: SLAs, approval thresholds, discount and margin rules", 6),
    "proposal.approve": cap("Approve proposals", 6),
    "initiative.open": cap("Open improvement initiatives", 6),
    "product_gap.triage": cap("Decide on product gaps raised from solution designs", 6),
    # Sales reps, partners and customers.
    "opportunity.create": cap("Create an opportunity", 4, S),
    "presales.request": cap("Ask for presales support on an opportunity", 1, S, P),
    "presales.deliver": cap("Work on and deliver presales requests assigned to one", 3),
    "proposal.view": cap("See proposals", 3, S, P, C),
    "proposal.send": cap("Send an approved proposal", None, S),
    "deal.register": cap("Register a deal", None, P),
    "case.reply": cap("Reply on a case", 1, S, P, C),
    "requirement.signoff": cap("Sign off a requirements document", None, C),
    "proposal.accept": cap("Accept a proposal", None, C),
    "service.rate": cap("Rate the service received", None, C),
    # Operating the instance.
    "user.manage": cap("Create users, change kinds and levels, deactivate users", None, A),
    "token.manage": cap("Create and revoke one's own API tokens", 1, S, P, C, A),
}


def holds(user: Any, capability: str) -> bool:
    """Whether ``user`` holds ``capability`` by the table (no record involved)."""
    rule = CAPABILITIES.get(capability)
    if rule is None:
        raise KeyError(f"unknown capability {capability!r}")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    kind = getattr(user, "kind", None)
    if kind == UserKind.SUPPORT:
        level = getattr(user, "support_level", None) or 0
        return rule.level is not None and level >= rule.level
    return kind in rule.kinds


def require(user: Any, capability: str) -> None:
    """Raise PermissionDenied unless ``user`` holds ``capability``."""
    if not holds(user, capability):
        description = CAPABILITIES[capability].description
        raise PermissionDenied(f"You may not do this: {description.lower()} needs another role or level.")


def capabilities_of(user: Any) -> list[str]:
    """Every capability the user holds, for navigation and the 'who am I' panel."""
    return [name for name in CAPABILITIES if holds(user, name)]
