"""`salesdesk registrations …`: list, register, approve and reject partner deal registrations.

``registrations list`` shows what the acting user may see (a partner user: their own);
``registrations register`` registers a deal as a partner user (``--as``) and prints the
conflict check's result; ``approve`` and ``reject`` are the sales manager's (level 5).
Every command takes ``--json`` for scripts. Bad input exits with code 2 and one line on
stderr naming the option.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from salesdesk.cli_kb import _actor


def _as_dict(registration: Any, *, manager: bool) -> dict[str, Any]:
    return {
        "id": registration.pk,
        "customer_name": registration.customer_name,
        "title": registration.title,
        "partner": str(registration.partner),
        "status": registration.status,
        "in_conflict": registration.in_conflict,
        "blocked_until": registration.blocked_until.isoformat() if registration.blocked_until else None,
        "amount": str(registration.amount),
        "currency": registration.currency,
        "products": [p.sku for p in registration.products.all()],
        "expected_close_date": registration.expected_close_date.isoformat(),
        "decision_reason": registration.decision_reason,
        "opportunity_id": registration.opportunity_id,
        "protected_until": registration.protected_until.isoformat() if registration.protected_until else None,
        # Another partner's deals are never shown to a partner.
        "conflicts": list(registration.conflicts) if manager else None,
    }


def _print(registration: Any, *, manager: bool, as_json: bool) -> None:
    data = _as_dict(registration, manager=manager)
    if as_json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    flag = " · BLOCKED" if data["blocked_until"] else (" · IN CONFLICT" if data["in_conflict"] else "")
    print(
        f"#{data['id']} {data['customer_name']} · {data['status']}{flag} · "
        f"{data['amount']} {data['currency']} · {', '.join(data['products'])} · "
        f"close {data['expected_close_date']}"
    )
    if data["protected_until"]:
        print(f"  protected until {data['protected_until']} (opportunity {data['opportunity_id']})")
    if data["decision_reason"]:
        print(f"  reason: {data['decision_reason']}")
    for match in data["conflicts"] or []:
        products = "products not recorded" if match["products_unknown"] else ", ".join(match["product_names"])
        blocking = f" · protected until {match['protected_until']}" if match.get("protected_until") else ""
        print(
            f"  conflict: {match['kind']} #{match['id']} {match['label']} ({match['customer']}, "
            f"score {match['score']}) · {products} · {match['partner'] or 'direct'}{blocking}"
        )


def _registration(actor: Any, registration_id: int, usage_error: type[Exception]) -> Any:
    from salesdesk.deals.registration_selectors import visible_registrations

    registration = visible_registrations(actor).filter(pk=registration_id).first()
    if registration is None:
        raise usage_error(f"REGISTRATION_ID: no registration {registration_id} that {actor.username} may see")
    return registration


def _is_manager(actor: Any) -> bool:
    from salesdesk.core.permissions import holds

    return holds(actor, "deal.approve")


def cmd_list(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    from salesdesk.core.permissions import holds
    from salesdesk.deals.registration_selectors import registration_search

    # A partner user reads their own registrations; a sales manager (the default) all of them.
    capability = (
        "deal.register" if options.as_user and not _named_manager(options.as_user) else "deal.approve"
    )
    actor = _actor(options.as_user, capability, usage_error)
    if options.limit < 1:
        raise usage_error("--limit: must be at least 1")
    registrations = list(
        registration_search(
            user=actor,
            status=options.status or "",
            in_conflict=True if options.conflicts else None,
        )[: options.limit]
    )
    manager = holds(actor, "deal.approve")
    if options.json:
        print(json.dumps([_as_dict(r, manager=manager) for r in registrations], indent=2, ensure_ascii=False))
        return 0
    for registration in registrations:
        _print(registration, manager=manager, as_json=False)
    if not registrations:
        print("No registrations.")
    return 0


def _named_manager(username: str) -> bool:
    from salesdesk.parties.models import User

    user = User.objects.filter(username__iexact=username, is_active=True).first()
    return user is not None and _is_manager(user)


def cmd_register(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    from salesdesk.catalog.models import Product
    from salesdesk.deals.registration_services import registration_create

    if not options.as_user:
        raise usage_error("--as: name the partner user who registers the deal")
    actor = _actor(options.as_user, "deal.register", usage_error)
    product_ids = []
    for ref in options.product:
        product = Product.objects.filter(sku__iexact=ref).first()
        if product is None and ref.isdigit():
            product = Product.objects.filter(pk=int(ref)).first()
        if product is None:
            raise usage_error(f"--product: no product with SKU or id '{ref}'")
        product_ids.append(product.pk)
    registration = registration_create(
        actor=actor,
        data={
            "customer_name": options.customer,
            "title": options.title,
            "product_ids": product_ids,
            "amount": options.amount,
            "currency": options.currency,
            "expected_close_date": options.close_date,
            "contact_name": options.contact_name,
            "contact_email": options.contact_email,
            "notes": options.notes,
        },
    )
    if not options.json:
        print(
            "Registered; a sales manager will review it."
            + (" It may conflict with a deal already known." if registration.in_conflict else "")
        )
    _print(registration, manager=_is_manager(actor), as_json=options.json)
    return 0


def cmd_approve(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    from salesdesk.deals.registration_services import registration_approve

    actor = _actor(options.as_user, "deal.approve", usage_error)
    registration = _registration(actor, options.registration_id, usage_error)
    registration = registration_approve(
        actor=actor,
        registration=registration,
        reason=options.reason,
        opportunity_id=options.opportunity,
        account_id=options.account,
        new_account=options.new_account,
    )
    if not options.json:
        print(
            f"Approved: opportunity {registration.opportunity_id} "
            f"protected until {registration.protected_until}."
        )
    _print(registration, manager=True, as_json=options.json)
    return 0


def cmd_reject(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    from salesdesk.deals.registration_services import registration_reject

    actor = _actor(options.as_user, "deal.approve", usage_error)
    registration = _registration(actor, options.registration_id, usage_error)
    registration = registration_reject(actor=actor, registration=registration, reason=options.reason)
    if not options.json:
        print("Rejected.")
    _print(registration, manager=True, as_json=options.json)
    return 0


def add_registrations_commands(
    command: Callable[..., argparse.ArgumentParser], usage_error: type[Exception]
) -> None:
    """Register `registrations list|register|approve|reject`."""
    group = command("registrations", None, "list, register, approve and reject partner deal registrations")
    sub = group.add_subparsers(title="registrations commands", metavar="REGISTRATIONS_COMMAND", required=True)

    def common(p: argparse.ArgumentParser, who: str) -> None:
        p.add_argument("--as", dest="as_user", metavar="USERNAME", help=f"act as this user ({who})")
        p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("list", help="registrations you may see (a partner: their own)")
    p.set_defaults(handler=lambda options: cmd_list(options, usage_error))
    p.add_argument("--status", choices=["pending", "approved", "rejected"])
    p.add_argument("--conflicts", action="store_true", help="only registrations in conflict")
    p.add_argument("--limit", type=int, default=50, help="at most this many (default: 50)")
    common(p, "default: the most senior sales manager")

    p = sub.add_parser("register", help="register a deal as a partner user; prints the conflict check")
    p.set_defaults(handler=lambda options: cmd_register(options, usage_error))
    p.add_argument("--customer", required=True, help="the customer company's name")
    p.add_argument(
        "--product", action="append", required=True, metavar="SKU", help="a product SKU or id (repeat)"
    )
    p.add_argument("--close-date", required=True, metavar="YYYY-MM-DD", help="expected close date")
    p.add_argument("--amount", default="0", help="expected value, e.g. 50000.00")
    p.add_argument("--currency", default="EUR")
    p.add_argument("--title", default="", help="a few words on the deal")
    p.add_argument("--contact-name", default="")
    p.add_argument("--contact-email", default="")
    p.add_argument("--notes", default="")
    common(p, "a partner user; required")

    p = sub.add_parser("approve", help="approve: create or link the opportunity and protect it (level 5)")
    p.set_defaults(handler=lambda options: cmd_approve(options, usage_error))
    p.add_argument("registration_id", metavar="REGISTRATION_ID", type=int)
    p.add_argument("--reason", default="", help="required when the registration conflicts")
    p.add_argument("--opportunity", type=int, metavar="ID", help="link this open opportunity")
    p.add_argument(
        "--account", type=int, metavar="ID", help="the customer account (default: the matched one)"
    )
    p.add_argument("--new-account", action="store_true", help="create the customer account from the name")
    common(p, "level 5; default: the most senior")

    p = sub.add_parser("reject", help="reject with a reason the partner reads (level 5)")
    p.set_defaults(handler=lambda options: cmd_reject(options, usage_error))
    p.add_argument("registration_id", metavar="REGISTRATION_ID", type=int)
    p.add_argument("--reason", required=True)
    common(p, "level 5; default: the most senior")
