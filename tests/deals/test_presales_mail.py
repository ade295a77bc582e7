"""Presales e-mail: the assignee hears of new work, the requester of every step that answers them."""

from __future__ import annotations

import pytest
from django.core import mail

from salesdesk.core.errors import StateConflict
from salesdesk.deals import presales_services as services

from .presales_fixtures import *  # noqa: F403 - the fixtures
from .presales_fixtures import ask

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the mail callbacks as if the transaction had committed."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def sent() -> list[tuple[list[str], str]]:
    return [(m.to, m.subject) for m in mail.outbox]


def test_asking_sends_no_mail(sales_rep, world_a, on_commit):
    with on_commit():
        ask(sales_rep, world_a.opportunity)
    assert mail.outbox == []


def test_the_requester_hears_of_acknowledgement_with_a_link(sales_rep, world_a, manager, on_commit, settings):
    settings.SALESDESK_BASE_URL = "https://desk.example.com/"
    request = ask(sales_rep, world_a.opportunity)
    with on_commit():
        services.presales_request_acknowledge(actor=manager, request=request)
    [message] = mail.outbox
    assert message.to == [sales_rep.email]
    assert message.subject == f"[PR-{request.pk}] Seen: your demo request for Deal A"
    assert "has been seen by Grace Lindqvist" in message.body
    assert f"https://desk.example.com/presales/{request.pk}/" in message.body


def test_assigning_tells_the_assignee_and_the_requester(
    sales_rep, world_a, manager, engineer, sso_skill, on_commit
):
    request = ask(sales_rep, world_a.opportunity, skill_ids=[sso_skill.pk], priority="high")
    with on_commit():
        services.presales_request_assign(actor=manager, request=request, assignee_id=engineer.pk)
    assert sent() == [
        ([engineer.email], f"[PR-{request.pk}] Assigned to you: demo for Deal A"),
        ([sales_rep.email], f"[PR-{request.pk}] Assigned to Jonas Berg: your demo request for Deal A"),
    ]
    to_engineer, to_requester = mail.outbox
    assert "Priority: High" in to_engineer.body
    assert "Skills: Identity and SSO" in to_engineer.body
    assert "Demo the Edge Gateway SSO setup" in to_engineer.body
    assert f"/presales/{request.pk}/" in to_engineer.body
    assert "is now with Jonas Berg" in to_requester.body


def test_reassigning_says_who_handed_over(sales_rep, world_a, manager, engineer, architect, on_commit):
    request = ask(sales_rep, world_a.opportunity)
    services.presales_request_assign(actor=manager, request=request, assignee_id=engineer.pk)
    with on_commit():
        services.presales_request_assign(actor=manager, request=request, assignee_id=architect.pk)
    assert [m.to for m in mail.outbox] == [[architect.email], [sales_rep.email]]
    assert "handed over from Jonas Berg" in mail.outbox[0].body
    assert "is now with Felix Braun (handed over from Jonas Berg)" in mail.outbox[1].body


def test_delivery_sends_the_hand_over_note_to_the_requester(sales_rep, world_a, manager, engineer, on_commit):
    request = ask(sales_rep, world_a.opportunity)
    services.presales_request_assign(actor=manager, request=request, assignee_id=engineer.pk)
    services.presales_request_start(actor=engineer, request=request)
    with on_commit():
        services.presales_request_deliver(
            actor=engineer, request=request, note="Demo held, slides & recording sent"
        )
    [message] = mail.outbox
    assert message.to == [sales_rep.email]
    assert message.subject == f"[PR-{request.pk}] Delivered: your demo request for Deal A"
    # plain text: not HTML-escaped
    assert "Demo held, slides & recording sent" in message.body


def test_declining_gives_the_partner_requester_the_reason(world_a, manager, on_commit):
    request = ask(world_a.partner_user, world_a.opportunity, kind="rfp_response")
    with on_commit():
        services.presales_request_decline(actor=manager, request=request, reason="Out of scope <for now>")
    [message] = mail.outbox
    assert message.to == [world_a.partner_user.email]
    assert message.subject == f"[PR-{request.pk}] Declined: your rfp response request for Deal A"
    assert "Reason: Out of scope <for now>" in message.body


def test_nobody_is_mailed_about_their_own_action(manager, world_a, on_commit):
    # the manager asks, then acknowledges and takes the work themselves
    request = ask(manager, world_a.opportunity)
    with on_commit():
        services.presales_request_acknowledge(actor=manager, request=request)
        services.presales_request_assign(actor=manager, request=request, assignee_id=manager.pk)
    assert mail.outbox == []


def test_a_refused_step_sends_nothing(sales_rep, world_a, manager, on_commit):
    request = ask(sales_rep, world_a.opportunity)
    services.presales_request_acknowledge(actor=manager, request=request)
    with on_commit(), pytest.raises(StateConflict):
        services.presales_request_acknowledge(actor=manager, request=request)
    assert mail.outbox == []


def test_an_opportunity_name_with_a_line_break_still_mails(sales_rep, world_a, manager, on_commit):
    world_a.opportunity.name = "Deal A\nBcc: someone@evil.test"
    world_a.opportunity.save(update_fields=["name"])
    request = ask(sales_rep, world_a.opportunity)
    with on_commit():
        services.presales_request_acknowledge(actor=manager, request=request)
    [message] = mail.outbox
    assert "\n" not in message.subject
    assert message.to == [sales_rep.email]
    assert message.bcc == []


def test_declining_from_the_page_mails_the_requester(client_as, sales_rep, world_a, manager, on_commit):
    request = ask(sales_rep, world_a.opportunity)
    with on_commit():
        response = client_as(manager).post(
            f"/presales/{request.pk}/step/", {"action": "decline", "reason": "No capacity this month"}
        )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [sales_rep.email]
    assert "Reason: No capacity this month" in message.body
