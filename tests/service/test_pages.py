"""The service-desk pages: queue tabs, case page with its forms, portal, quick log, rating link."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from salesdesk.service import services
from salesdesk.service.models import Case, CaseAttachment, Interaction

pytestmark = pytest.mark.django_db


def test_the_escalated_complaint_is_first_in_the_l2_queue_with_its_clock(
    client_as, agent, specialist, open_case
):
    case = open_case()
    services.case_escalate(actor=agent, case=case, to_tier=2, reason="No answer fits")
    page = client_as(specialist).get("/cases/?queue=tier")
    assert page.status_code == 200
    html = page.content.decode()
    assert case.reference in html
    assert " left" in html or " over" in html


def test_case_page_shows_rule_errors_on_the_form(client_as, specialist, open_case):
    case = open_case()
    client = client_as(specialist)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    response = client.post(f"/cases/{case.pk}/transition/", {"status": "resolved", "version": case.version})
    assert response.status_code == 400
    assert "say how the case was resolved" in response.content.decode()
    response = client.post(
        f"/cases/{case.pk}/transition/",
        {"status": "resolved", "note": "Licences sent", "version": case.version},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == "resolved"


def test_customer_portal_open_reply_attach(client_as, gold_world, gold_policy):
    client = client_as(gold_world.customer_user)
    response = client.post(
        "/cases/new/", {"subject": "VPN drops", "case_type": "problem", "priority": "high"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(subject="VPN drops")
    assert case.account == gold_world.customer and case.channel == "web_portal"
    assert client.post(f"/cases/{case.pk}/reply/", {"body": "It happens hourly"}).status_code == 302
    upload = SimpleUploadedFile("vpn.log", b"drop at 10:00")
    assert client.post(f"/cases/{case.pk}/attach/", {"file": upload}).status_code == 302
    attachment = CaseAttachment.objects.get()
    assert client.get(f"/cases/files/{attachment.pk}/").status_code == 200
    assert "VPN drops" in client.get("/cases/").content.decode()


def test_partner_sees_managed_customers_cases_not_others(client_as, gold_world, world_b, open_case):
    case = open_case()
    assert client_as(gold_world.partner_user).get(f"/cases/{case.pk}/").status_code == 200
    for outsider in (world_b.partner_user, world_b.customer_user):
        assert client_as(outsider).get(f"/cases/{case.pk}/").status_code == 404


def test_quick_log_on_the_account_then_open_a_case_from_the_call(client_as, agent, gold_world, gold_policy):
    client = client_as(agent)
    account_page = client.get(f"/organisations/{gold_world.customer.pk}/")
    assert "Quick log" in account_page.content.decode()
    response = client.post(
        "/cases/log/",
        {
            "account": gold_world.customer.pk,
            "kind": "call",
            "contact": gold_world.contact.pk,
            "notes": "Order without licences",
            "open_case": "on",
        },
    )
    call = Interaction.objects.get()
    assert response.status_code == 302 and f"interaction={call.pk}" in response["Location"]
    response = client.post(
        response["Location"],
        {
            "account": gold_world.customer.pk,
            "subject": "No licences",
            "case_type": "complaint",
            "channel": "phone",
            "priority": "high",
            "interaction": call.pk,
        },
    )
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.case is not None and call.case.subject == "No licences"


def test_bulk_assign(client_as, bid_manager, specialist, open_case):
    cases = [open_case(), open_case()]
    response = client_as(bid_manager).post(
        "/cases/assign/", {"cases": [c.pk for c in cases], "assignee": specialist.pk}
    )
    assert response.status_code == 302
    assert set(Case.objects.values_list("assignee", flat=True)) == {specialist.pk}


def test_rating_link_page(client, open_case, specialist):
    case = open_case()
    services.case_transition(actor=specialist, case=case, to_status="resolved", note="ok")
    url = f"/cases/rate/?t={services.rating_token(case)}"
    assert client.get(url).status_code == 200
    assert client.post(url, {"score": "5", "comment": "Quick"}).status_code == 200
    assert Case.objects.get(pk=case.pk).satisfaction_score == 5
    assert client.get("/cases/rate/?t=forged").status_code == 404


def test_queue_page_query_count_does_not_grow(
    client_as, specialist, open_case, django_assert_max_num_queries
):
    for _ in range(3):
        open_case(tier=2)
    client = client_as(specialist)
    client.get("/cases/?queue=tier")
    with django_assert_max_num_queries(15):
        client.get("/cases/?queue=tier")
    for _ in range(6):
        open_case(tier=2)
    with django_assert_max_num_queries(15):
        assert client.get("/cases/?queue=tier").content.decode().count("CS-") >= 9


def test_home_shows_cases_per_user_kind(client_as, agent, specialist, gold_world, world_b, open_case):
    case = open_case()
    services.case_escalate(actor=agent, case=case, to_tier=2, reason="Needs L2")
    assert case.reference in client_as(specialist).get("/").content.decode()
    assert case.reference in client_as(gold_world.customer_user).get("/").content.decode()
    assert case.reference in client_as(gold_world.partner_user).get("/").content.decode()
    assert case.reference not in client_as(world_b.customer_user).get("/").content.decode()


def test_level_6_edits_an_sla_policy_on_its_page(client_as, head, specialist, gold_policy, gold_world):
    assert "Gold" in client_as(specialist).get("/cases/sla/").content.decode()
    assert client_as(specialist).post(f"/cases/sla/{gold_policy.pk}/", {}).status_code == 403
    assert client_as(gold_world.customer_user).get("/cases/sla/").status_code == 404
    response = client_as(head).post(
        f"/cases/sla/{gold_policy.pk}/",
        {"first_response_minutes": 30, "resolution_minutes": 20, "at_risk_percent": 80, "version": 1},
    )
    assert response.status_code == 400 and "must not be longer" in response.content.decode()
    response = client_as(head).post(
        f"/cases/sla/{gold_policy.pk}/",
        {"first_response_minutes": 30, "resolution_minutes": 300, "at_risk_percent": 80, "version": 1},
    )
    assert response.status_code == 302
    gold_policy.refresh_from_db()
    assert (gold_policy.resolution_minutes, gold_policy.version) == (300, 2)


def test_the_sla_clock_partial(client_as, specialist, open_case):
    case = open_case()
    response = client_as(specialist).get(f"/cases/{case.pk}/sla/")
    assert response.status_code == 200 and 'hx-trigger="every 60s"' in response.content.decode()


def test_case_page_shows_one_conversation(client_as, agent, specialist, gold_world, open_case):
    case = open_case()
    services.log_interaction(
        actor=agent, kind="call", contact=gold_world.contact, case=case, notes="Rang back"
    )
    services.case_escalate(actor=agent, case=case, to_tier=2, reason="Needs licence system access")
    services.case_reply(actor=specialist, case=case, body="Checking the order", is_public=False)
    staff_html = client_as(specialist).get(f"/cases/{case.pk}/").content.decode()
    assert staff_html.index("Rang back") < staff_html.index("Needs licence system access")
    assert "Checking the order" in staff_html
    customer_html = client_as(gold_world.customer_user).get(f"/cases/{case.pk}/").content.decode()
    assert "Checking the order" not in customer_html and "Rang back" not in customer_html


def test_admin_lists_cases_read_only(client_as, admin_user, open_case):
    case = open_case()
    client = client_as(admin_user)
    assert client.get("/admin/service/case/").status_code == 200
    assert client.get("/admin/service/slapolicy/").status_code == 200
    page = client.get(f"/admin/service/case/{case.pk}/change/")
    assert (
        page.status_code == 200
        and 'type="submit"' not in page.content.decode().split("<form", 1)[-1][:0] + ""
    )
    assert client.post(f"/admin/service/case/{case.pk}/delete/", {"post": "yes"}).status_code == 403
