"""Level 2 at the desk: the most urgent work first, escalation above the case's tier only, and a
knowledge answer drafted from a case (page, "resolve and draft" and API)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesdesk.core.audit import events_for
from salesdesk.knowledge.models import Answer
from salesdesk.service import services
from salesdesk.service.models import Case

from .catalog_helpers import product
from .conftest import MONDAY_10

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)
LONG_AGO = MONDAY_10 - 30 * 24 * H  # every target breached by now


def _escalated(open_case, agent, **data):
    case = open_case(**data)
    services.case_escalate(actor=agent, case=case, to_tier=2, reason="No answer in the library fits")
    return Case.objects.get(pk=case.pk)


def _mine(open_case, specialist, subject, now=LONG_AGO):
    case = open_case(tier=2, subject=subject, case_type="query", now=now)
    services.case_assign(actor=specialist, case=case, assignee=specialist)
    return case


def _references(html: str) -> list[str]:
    return re.findall(r">(CS-\d+)</a>", html)


def _tab(html: str) -> str:
    return re.search(r'<a href="\?queue=(\w+)" aria-current="page">', html).group(1)


# --- The most urgent work first ------------------------------------------------------------


def test_home_puts_the_waiting_escalation_before_own_overdue_work_and_flags_it(
    client_as, agent, specialist, open_case
):
    late = _mine(open_case, specialist, "Old VPN question", now=LONG_AGO)
    later = _mine(open_case, specialist, "Newer VPN question", now=LONG_AGO + 48 * H)
    plain = open_case(tier=2, subject="Routed straight to tier 2", case_type="query")
    escalated = _escalated(open_case, agent)
    html = client_as(specialist).get("/").content.decode()
    refs = _references(html)
    # The escalation nobody has taken first, then by the moment each became (or becomes) at risk.
    assert refs[0] == escalated.reference
    assert refs.index(late.reference) < refs.index(later.reference) < refs.index(plain.reference)
    row = html[html.index(escalated.reference) : html.index("</tr>", html.index(escalated.reference))]
    assert "Escalated to tier 2" in row and "In the tier 2 queue" in row
    mine_row = html[html.index(late.reference) : html.index("</tr>", html.index(late.reference))]
    assert "Escalated" not in mine_row and "yours" in mine_row


def test_the_cases_page_opens_on_the_tab_with_the_most_urgent_case(client_as, agent, specialist, open_case):
    client = client_as(specialist)
    _mine(open_case, specialist, "Old VPN question")
    # Only his own work: "My work".
    assert _tab(client.get("/cases/").content.decode()) == "mine"
    # An escalation waits in his tier's queue: the Cases page opens there, with it first.
    escalated = _escalated(open_case, agent)
    html = client.get("/cases/").content.decode()
    assert _tab(html) == "tier" and _references(html)[0] == escalated.reference
    # Once he takes it, his work is the most urgent again.
    services.case_take(actor=specialist, case=escalated)
    assert _tab(client.get("/cases/").content.decode()) == "mine"
    # A tab asked for by name is kept; level 1 with nothing escalated to them keeps "My work".
    assert _tab(client.get("/cases/?queue=complaints").content.decode()) == "complaints"
    assert _tab(client_as(agent).get("/cases/").content.decode()) == "mine"


def test_the_default_tab_and_the_home_block_cost_the_same_queries_at_any_size(
    client_as, agent, specialist, open_case
):
    client = client_as(specialist)
    _escalated(open_case, agent)
    _mine(open_case, specialist, "Old VPN question")
    client.get("/cases/")  # warm caches (content types, sessions)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = (count("/cases/"), count("/"))
    for k in range(8):
        _escalated(open_case, agent)
        _mine(open_case, specialist, f"VPN question {k}")
    assert (count("/cases/"), count("/")) == small


# --- Escalation offers only higher tiers ----------------------------------------------------


def _escalate_options(html: str) -> list[str]:
    start = html.index('name="to_tier"')
    return re.findall(r'<option value="(\d)"', html[start : html.index("</select>", start)])


def test_the_escalate_form_offers_only_tiers_above_the_case(client_as, agent, specialist, open_case):
    case = _escalated(open_case, agent)
    client = client_as(specialist)
    assert _escalate_options(client.get(f"/cases/{case.pk}/").content.decode()) == ["3", "4"]
    assert _escalate_options(client_as(agent).get(f"/cases/{open_case().pk}/").content.decode()) == [
        "2",
        "3",
        "4",
    ]
    # Posting the case's own tier is refused on the form, and the case stays where it is.
    refused = client.post(
        f"/cases/{case.pk}/escalate/", {"to_tier": "2", "reason": "Again", "version": case.version}
    )
    assert refused.status_code == 400 and "Select a valid choice" in refused.content.decode()
    assert Case.objects.get(pk=case.pk).escalations.count() == 1


def test_a_top_tier_case_says_it_cannot_go_higher(client_as, staff_factory, open_case):
    top = staff_factory(4, username="ines")
    case = open_case(tier=4)
    html = client_as(top).get(f"/cases/{case.pk}/").content.decode()
    assert "the top tier: there is no higher level to escalate it to" in html
    assert 'name="to_tier"' not in html


# --- Drafting a knowledge answer from a case -------------------------------------------------


def test_draft_a_knowledge_answer_from_the_case_page(client_as, agent, specialist, open_case):
    kit = product("Edge Gateway 400", sku="KS-EG-400")
    case = _escalated(
        open_case, agent, product_id=kit.pk, description="Order 4711 came without licence keys.\nUrgent."
    )
    services.case_reply(actor=specialist, case=case, body="We re-issued your licence keys by e-mail.")
    client = client_as(specialist)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Draft a knowledge answer from this case" in page and "None yet." in page
    # The form comes filled in from the case: question, answer (last reply), phrasing, product.
    form = client.get(f"/cases/{case.pk}/draft-answer/")
    html = form.content.decode()
    assert form.status_code == 200
    assert 'value="Order arrived without licences"' in html
    assert "We re-issued your licence keys by e-mail.</textarea>" in html
    assert "Order 4711 came without licence keys.</textarea>" in html
    assert re.search(rf'<option value="{kit.pk}"[^>]*selected', html)
    # He edits the answer and saves it: a draft owned by him, linked from the case.
    response = client.post(
        f"/cases/{case.pk}/draft-answer/",
        {
            "title": "What if an order arrives without licence keys?",
            "body": "Ask support to re-issue the keys; they arrive by e-mail within minutes.",
            "alternatives": "Licence keys missing",
            "audience": "internal",
            "products": [kit.pk],
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    answer = Answer.objects.get()
    assert (answer.status, answer.owner, answer.alternatives) == (
        "draft",
        specialist,
        ["Licence keys missing"],
    )
    assert [p.sku for p in answer.products.all()] == ["KS-EG-400"]
    step = events_for(case).get(step="knowledge answer drafted")
    assert step.detail == {"answer_id": answer.pk} and step.actor == specialist
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'href="/knowledge/answers/{answer.pk}/"' in page and "What if an order arrives" in page


def test_the_draft_form_shows_errors_and_needs_an_answer(client_as, specialist, open_case):
    case = open_case(tier=2)
    client = client_as(specialist)
    response = client.post(
        f"/cases/{case.pk}/draft-answer/", {"title": "", "body": "", "audience": "internal"}
    )
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert not Answer.objects.exists() and not events_for(case).filter(step="knowledge answer drafted")


def test_only_level_2_and_up_draft_answers_from_a_case(client_as, agent, gold_world, world_b, open_case):
    case = open_case()
    page = client_as(agent).get(f"/cases/{case.pk}/").content.decode()
    assert "Draft a knowledge answer" not in page and "Resolve and draft" not in page
    assert client_as(agent).get(f"/cases/{case.pk}/draft-answer/").status_code == 403
    assert client_as(gold_world.customer_user).get(f"/cases/{case.pk}/draft-answer/").status_code == 404
    assert client_as(world_b.customer_user).get(f"/cases/{case.pk}/draft-answer/").status_code == 404
    assert not Answer.objects.exists()


def test_resolve_and_draft_an_answer_goes_on_to_the_prefilled_form(client_as, specialist, open_case):
    case = open_case(tier=2)
    client = client_as(specialist)
    assert "Resolve and draft an answer" in client.get(f"/cases/{case.pk}/").content.decode()
    response = client.post(
        f"/cases/{case.pk}/transition/?then=draft_answer",
        {
            "status": "resolved",
            "note": "Keys re-issued; the licence job now retries.",
            "version": case.version,
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/draft-answer/"
    assert Case.objects.get(pk=case.pk).status == "resolved"
    html = client.get(response["Location"]).content.decode()
    assert "Keys re-issued; the licence job now retries.</textarea>" in html
    # A refused resolution stays on the case page with the error, and drafts nothing.
    other = open_case(tier=2)
    refused = client.post(
        f"/cases/{other.pk}/transition/?then=draft_answer", {"status": "resolved", "version": other.version}
    )
    assert refused.status_code == 400 and "say how the case was resolved" in refused.content.decode()


# --- The API ---------------------------------------------------------------------------------


def test_api_drafts_an_answer_from_a_case(client_as, specialist, open_case):
    kit = product("Edge Gateway 400", sku="KS-EG-400")
    case = open_case(tier=2, product_id=kit.pk)
    services.case_transition(actor=specialist, case=case, to_status="resolved", note="Keys re-issued.")
    client = client_as(specialist)
    response = client.post(f"/api/cases/{case.pk}/draft-answer", {}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["title"], body["body"], body["status"]) == (
        "Order arrived without licences",
        "Keys re-issued.",
        "draft",
    )
    assert [p["sku"] for p in body["products"]] == ["KS-EG-400"] and body["owner"]["id"] == specialist.pk
    # What the caller sends wins over the case.
    edited = client.post(
        f"/api/cases/{case.pk}/draft-answer",
        {"title": "Missing licence keys", "tags": ["licences"], "product_ids": []},
        content_type="application/json",
    ).json()
    assert (edited["title"], edited["tags"], edited["products"]) == ("Missing licence keys", ["licences"], [])
    drafted = events_for(case).filter(step="knowledge answer drafted")
    assert sorted(e.detail["answer_id"] for e in drafted) == sorted([body["id"], edited["id"]])


def test_api_draft_answer_errors_name_the_field(client_as, agent, specialist, gold_world, world_b, open_case):
    case = open_case(tier=2)  # no resolution note, no reply: nothing to start the answer from
    client = client_as(specialist)
    empty = client.post(f"/api/cases/{case.pk}/draft-answer", {}, content_type="application/json")
    assert empty.status_code == 400 and empty.json()["errors"][0]["field"] == "body"
    bad = client.post(
        f"/api/cases/{case.pk}/draft-answer",
        {"body": "x", "audience": "everyone"},
        content_type="application/json",
    )
    assert bad.status_code in (400, 422) and "audience" in bad.content.decode()
    unknown = client.post(
        f"/api/cases/{case.pk}/draft-answer",
        {"body": "x", "product_ids": [999999]},
        content_type="application/json",
    )
    assert unknown.status_code in (400, 404) and unknown.json()["errors"][0]["field"] == "product_ids"
    assert (
        client.post(
            "/api/cases/999999/draft-answer", {"body": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        client_as(agent)
        .post(f"/api/cases/{case.pk}/draft-answer", {"body": "x"}, content_type="application/json")
        .status_code
        == 403
    )
    for outsider, status in ((gold_world.customer_user, 403), (world_b.customer_user, 404)):
        refused = client_as(outsider).post(
            f"/api/cases/{case.pk}/draft-answer", {"body": "x"}, content_type="application/json"
        )
        assert refused.status_code == status, outsider
    assert not Answer.objects.exists()
