"""`salesdesk presales …`: list presales requests, ask for support, assign a request.

``presales list`` prints the requests the ``--as`` user may see (filters as on the board:
``--status``, ``--kind``, ``--skill``, ``--assignee``, ``--overdue``, ``--mine``), with their
target state ("acknowledge due", "overdue"). ``presales request OPPORTUNITY_ID`` asks for
support; ``presales assign REQUEST_ID USERNAME`` gives a request to someone of the presales
team (level 5; without USERNAME, to the suggested person). ``--json`` prints machine-readable
output. Bad input exits with code 2 and one line on stderr, as every other command.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from salesdesk.cli_kb import _actor


def _request_dict(item: Any) -> dict[str, Any]:
    from salesdesk.deals.presales_selectors import target_state

    target = target_state(item)
    return {
        "id": item.pk,
        "reference": item.reference,
        "kind": item.kind,
        "status": item.status,
        "opportunity": item.opportunity.name,
        "account": item.opportunity.account.name,
        "due_date": item.due_date.isoformat(),
        "priority": item.priority,
        "skills": [s.name for s in item.skills.all()],
        "requested_by": item.requested_by.username,
        "assignee": item.assignee.username if item.assignee else None,
        "estimated_hours": str(item.estimated_hours) if item.estimated_hours is not None else None,
        "target": target.state,
        "target_label": target.label,
        "overdue": target.is_overdue,
    }


def _skill_id(name: str | None, usage_error: type[Exception], option: str = "--skill") -> int | None:
    from salesdesk.parties.models import ProductSkill

    if not name:
        return None
    skill = ProductSkill.objects.filter(name__iexact=name).first()
    if skill is None:
        raise usage_error(f"{option}: no skill named '{name}'")
    return skill.pk


def _user_id(username: str | None, usage_error: type[Exception], option: str) -> int | None:
    from salesdesk.parties.models import User

    if not username:
        return None
    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        raise usage_error(f"{option}: no user '{username}'")
    return int(user.pk)


def cmd_presales_list(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    from salesdesk.deals.presales_selectors import presales_request_search

    actor = _actor(options.as_user, "opportunity.view", usage_error)
    rows = list(
        presales_request_search(
            user=actor,
            status=options.status or "",
            kind=options.kind or "",
            skill_id=_skill_id(options.skill, usage_error),
            assignee_id=_user_id(options.assignee, usage_error, "--assignee"),
            overdue=options.overdue,
            mine=options.mine,
            open_only=options.open,
        ).order_by("deliver_due_at", "id")[: options.limit]
    )
    items = [_request_dict(r) for r in rows]
    if options.json:
        print(json.dumps(items, indent=2))
        return 0
    if not items:
        print("No presales requests match.")
        return 0
    for i in items:
        who = i["assignee"] or "unassigned"
        print(
            f"{i['reference']:<7} {i['status']:<12} {i['kind']:<24} due {i['due_date']}  {who:<12} "
            f"{i['target_label']}  · {i['opportunity']}"
        )
    return 0


def cmd_presales_request(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    from salesdesk.deals.presales_services import presales_request_create
    from salesdesk.deals.selectors import visible_opportunities

    actor = _actor(options.as_user, "presales.request", usage_error)
    opportunity = visible_opportunities(actor).filter(pk=options.opportunity_id).first()
    if opportunity is None:
        raise usage_error(
            f"OPPORTUNITY_ID: no opportunity {options.opportunity_id} that {actor.username} may see"
        )
    skill_ids = [
        _skill_id(name.strip(), usage_error, "--skills")
        for name in (options.skills or "").split(",")
        if name.strip()
    ]
    data: dict[str, Any] = {
        "kind": options.kind,
        "description": options.description,
        "due_date": options.due,
        "priority": options.priority,
        "skill_ids": skill_ids,
    }
    if options.hours is not None:
        data["estimated_hours"] = options.hours
    created = presales_request_create(actor=actor, opportunity=opportunity, data=data)
    if options.json:
        print(json.dumps(_request_dict(created), indent=2))
    else:
        print(
            f"{created.reference}: {created.get_kind_display()} requested on '{opportunity}', "
            f"due {created.due_date}."
        )
    return 0


def cmd_presales_assign(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    from salesdesk.deals.presales_selectors import suggest_assignees, visible_presales_requests
    from salesdesk.deals.presales_services import presales_request_assign

    actor = _actor(options.as_user, "presales.assign", usage_error)
    found = visible_presales_requests(actor).filter(pk=options.request_id).first()
    if found is None:
        raise usage_error(
            f"REQUEST_ID: no presales request {options.request_id} that {actor.username} may see"
        )
    if options.username:
        assignee_id = _user_id(options.username, usage_error, "USERNAME") or 0
    else:
        ranked = suggest_assignees({s.pk for s in found.skills.all()})
        if not ranked:
            raise usage_error(
                "USERNAME: nobody holds every needed skill; name someone (with --ignore-skills)"
            )
        assignee_id = ranked[0].person.pk
    done = presales_request_assign(
        actor=actor,
        request=found,
        assignee_id=assignee_id,
        estimated_hours=options.hours,
        ignore_skills=options.ignore_skills,
    )
    if options.json:
        print(json.dumps(_request_dict(done), indent=2))
    else:
        who = done.assignee
        print(f"{done.reference} assigned to {who.username if who else '—'} ({who}).")
    return 0


def add_presales_commands(
    command: Callable[..., argparse.ArgumentParser], usage_error: type[Exception]
) -> None:
    """Register `presales list`, `presales request` and `presales assign` under the `presales` command."""
    from salesdesk.deals.presales_models import PresalesKind, PresalesPriority, PresalesStatus

    group = command("presales", None, "list, ask for and assign presales requests")
    sub = group.add_subparsers(title="presales commands", metavar="PRESALES_COMMAND", required=True)

    p = sub.add_parser(
        "list", help="list presales requests with their targets", description="list presales requests"
    )
    p.set_defaults(handler=lambda options: cmd_presales_list(options, usage_error))
    p.add_argument("--status", choices=PresalesStatus.values)
    p.add_argument("--kind", choices=PresalesKind.values)
    p.add_argument("--skill", metavar="NAME", help="only requests needing this skill")
    p.add_argument("--assignee", metavar="USERNAME")
    p.add_argument("--overdue", action="store_true", help="only requests past a target")
    p.add_argument("--mine", action="store_true", help="only requests made by or assigned to --as")
    p.add_argument("--open", action="store_true", help="only open requests")
    p.add_argument("--limit", type=int, default=100, help="at most this many (default: 100)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--as", dest="as_user", metavar="USERNAME", help="list what this user sees")

    p = sub.add_parser(
        "request", help="ask for presales support on an opportunity", description="ask for support"
    )
    p.set_defaults(handler=lambda options: cmd_presales_request(options, usage_error))
    p.add_argument("opportunity_id", metavar="OPPORTUNITY_ID", type=int)
    p.add_argument("--kind", required=True, choices=PresalesKind.values)
    p.add_argument("--description", required=True)
    p.add_argument("--due", required=True, metavar="YYYY-MM-DD", help="needed by this date")
    p.add_argument("--priority", default="normal", choices=PresalesPriority.values)
    p.add_argument("--skills", default="", metavar="NAME,NAME", help="needed skills, by name")
    p.add_argument("--hours", help="estimated effort in hours")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--as", dest="as_user", metavar="USERNAME", help="ask as this user")

    p = sub.add_parser("assign", help="assign a request (level 5)", description="assign a presales request")
    p.set_defaults(handler=lambda options: cmd_presales_assign(options, usage_error))
    p.add_argument("request_id", metavar="REQUEST_ID", type=int)
    p.add_argument("username", metavar="USERNAME", nargs="?", help="default: the suggested person")
    p.add_argument("--hours", help="estimated effort in hours")
    p.add_argument("--ignore-skills", action="store_true", help="assign although a needed skill is missing")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--as", dest="as_user", metavar="USERNAME", help="act as this user (level 5)")
