"""Answer suggestions: best answers with scores and sources, "sent to customer", gaps."""

# ruff: noqa: F811 — the `kb` fixture comes from test_search and is used as a parameter.
from __future__ import annotations

import pytest

from salesdesk.core.errors import StateConflict
from salesdesk.core.models import AuditEvent
from salesdesk.knowledge import suggestions
from salesdesk.knowledge.models import AnswerUsage, KnowledgeGap

from .test_search import kb  # noqa: F401  (the fixture knowledge base)

pytestmark = pytest.mark.django_db

EMAIL = """Hello,

Does the Edge Gateway 400 support SSO with Azure AD?

Kind regards,
Sam Carter
ACME Ltd

> On Monday, support wrote:
> Thanks for your order of the Core Switch 9000.
"""


def test_a_pasted_email_gets_the_right_answer_first_with_a_good_score(kb, agent):
    result = suggestions.answer_suggest(actor=agent, question=EMAIL)
    assert result.question == "Hello, Does the Edge Gateway 400 support SSO with Azure AD?"
    top = result.suggestions[0]
    assert (top.answer.pk, top.stale) == (kb["sso"].pk, False)
    assert top.score >= suggestions.GOOD_MATCH
    assert result.gap is None and not KnowledgeGap.objects.exists()


def test_only_published_answers_for_the_audience_are_suggested(kb, world_a, make_answer):
    draft = make_answer("Does the Edge Gateway 400 support SSO with Azure AD? (draft)", status="draft")
    result = suggestions.suggestions_for(
        user=world_a.customer_user, question="Is IPv6 supported by the Cloud Firewall?"
    )
    ids = {s.answer.pk for s in result.suggestions}
    assert kb["ipv6"].pk not in ids  # written for partners
    agent_ids = {
        s.answer.pk
        for s in suggestions.suggestions_for(user=world_a.partner_user, question="sso azure").suggestions
    }
    assert draft.pk not in agent_ids


def test_no_good_answer_records_a_gap(kb, agent, client_as):
    # when nobody wrote an answer about the question's subject
    response = client_as(agent).post(
        "/knowledge/suggest/", {"question": "What is your data retention policy for invoices?"}
    )
    # then the page says so and the question is recorded as a gap
    assert response.status_code == 200
    assert "No good answer — escalate" in response.content.decode()
    gap = KnowledgeGap.objects.get()
    assert (gap.question, gap.asked_by, gap.normalised) == (
        "What is your data retention policy for invoices?",
        agent,
        "what is your data retention policy for invoices",
    )


def test_sent_to_customer_records_usage_and_an_audit_step_on_the_contact(kb, agent, world_a, client_as):
    client = client_as(agent)
    page = client.post(
        "/knowledge/suggest/", {"question": "Does the Edge Gateway 400 support SSO with Azure AD?"}
    )
    assert "Sent to customer" in page.content.decode()
    assert world_a.contact.first_name in page.content.decode()  # the contact to choose
    response = client.post(
        f"/knowledge/answers/{kb['sso'].pk}/send/",
        {"contact_id": world_a.contact.pk, "question": "SSO with Azure AD?", "channel": "email"},
    )
    assert response.status_code == 302
    usage = AnswerUsage.objects.get()
    assert (usage.answer, usage.user, usage.contact, usage.question, usage.channel) == (
        kb["sso"],
        agent,
        world_a.contact,
        "SSO with Azure AD?",
        "email",
    )
    event = AuditEvent.objects.filter(object_id=str(world_a.contact.pk), step__startswith="answer sent").get()
    assert event.step == "answer sent"
    assert event.detail["question"] == "SSO with Azure AD?"
    assert event.detail["answer_id"] == kb["sso"].pk
    # and the answer's page counts it
    detail = client.get(f"/knowledge/answers/{kb['sso'].pk}/").content.decode()
    assert "used 1 time" in detail


def test_an_unpublished_answer_cannot_be_sent(agent, world_a, make_answer):
    draft = make_answer(status="draft")
    with pytest.raises(StateConflict):
        suggestions.answer_send(actor=agent, answer=draft, contact=world_a.contact)
    assert not AnswerUsage.objects.exists()


def test_a_contact_one_may_not_see_is_not_found(kb, world_a, world_b, client_as):
    response = client_as(world_a.partner_user).post(
        f"/knowledge/answers/{kb['sso'].pk}/send/", {"contact_id": world_b.contact.pk}
    )
    assert response.status_code == 404
    assert not AnswerUsage.objects.exists()


def test_customers_may_not_log_sent_answers(kb, world_a, client_as):
    client = client_as(world_a.customer_user)
    assert client.get("/knowledge/suggest/").status_code == 403
    response = client.post(f"/knowledge/answers/{kb['sso'].pk}/send/", {"contact_id": world_a.contact.pk})
    assert response.status_code == 403
    assert not AnswerUsage.objects.exists()


def test_the_gaps_page_lists_the_most_frequent_first_for_level_2(kb, agent, specialist, client_as):
    for question in ["Data retention for invoices?", "Do you sell printers?", "Data retention for invoices?"]:
        suggestions.answer_suggest(actor=agent, question=question)
    page = client_as(specialist).get("/knowledge/gaps/").content.decode()
    assert page.index("Data retention for invoices?") < page.index("Do you sell printers?")
    assert client_as(agent).get("/knowledge/gaps/").status_code == 403


def test_the_suggestions_api_reads_without_recording(kb, agent, client_as):
    data = client_as(agent).get("/api/suggestions", {"question": "edge gateway 400 sso azure"}).json()
    assert data["results"][0]["id"] == kb["sso"].pk
    assert data["results"][0]["score"] >= data["good_match"]
    assert client_as(agent).get("/api/suggestions", {"question": "printer ink"}).json()["results"] == []
    assert not KnowledgeGap.objects.exists()


@pytest.mark.parametrize(("channel", "kind"), [("email", "email"), ("phone", "call")])
def test_a_sent_answer_is_logged_as_an_interaction_on_the_contact(kb, agent, world_a, channel, kind):
    from salesdesk.service.models import Interaction

    suggestions.answer_send(
        actor=agent, answer=kb["sso"], contact=world_a.contact, question="SSO with Azure AD?", channel=channel
    )
    logged = Interaction.objects.get(contact=world_a.contact)
    assert logged.kind == kind
    assert logged.subject == kb["sso"].title
    assert "SSO with Azure AD?" in logged.notes
