"""Security review of the features of db76bf6: each test is an attack a user could try.

Solutions, presales requests, deal registration, requirement jobs, the case PATCH and
draft-answer routes: another organisation's records are a 404, fixed fields cannot be set
through a body, conflict results never name another partner, jobs are their creator's only.
"""

from __future__ import annotations

import json

import pytest

from salesdesk.core.models import Job
from salesdesk.deals.models import DealRegistration
from salesdesk.deals.presales_models import PresalesRequest
from salesdesk.service import services as case_services
from salesdesk.service.models import Case
from salesdesk.solutions import services as solution_services
from salesdesk.solutions.models import FitGapEntry, SolutionDesign
from tests.deals import presales_fixtures as pfx
from tests.deals import registration_fixtures as rfx
from tests.deals.conftest import add as add_requirement
from tests.deals.registration_fixtures import in_days, register

pytestmark = pytest.mark.django_db

catalog, northwind = rfx.catalog, rfx.northwind
manager = rfx.manager
presales_calendar = pfx.presales_calendar


def call(client, method, path, body=None):
    return getattr(client, method)(
        f"/api{path}",
        data=json.dumps(body, default=str) if body is not None else None,
        content_type="application/json",
    )


@pytest.fixture
def consultant(staff_factory):
    return staff_factory(3, username="amara")


# --- Solutions ---------------------------------------------------------------------------------


@pytest.fixture
def design_a(presales, world_a, consultant):
    add_requirement(consultant, world_a.opportunity, "Track every parcel")
    return solution_services.design_create(
        actor=presales, opportunity_id=world_a.opportunity.pk, data={"title": "Design A"}
    )


@pytest.mark.parametrize("who", ["partner_user", "customer_user"])
def test_outsiders_cannot_read_solution_pages_or_the_report(client_as, design_a, world_a, who):
    client = client_as(getattr(world_a, who))
    pk = design_a.pk
    for url in (
        f"/solutions/{pk}/v1/report.pdf",
        f"/solutions/{pk}/",
        f"/solutions/{pk}/v1/",
        f"/solutions/{pk}/v1/fit-gap/",
        f"/solutions/{pk}/v1/checks/",
    ):
        assert client.get(url).status_code in (403, 404), url
    assert call(client, "get", f"/solutions/{pk}/versions/1/report.pdf").status_code == 404
    assert call(client, "get", f"/solutions/{pk}/versions/1/fit-gap").status_code == 404
    assert call(client, "post", f"/solutions/{pk}/versions").status_code == 404
    assert SolutionDesign.objects.get().current_version == 1


def test_a_design_cannot_be_created_on_another_worlds_opportunity_by_an_outsider(client_as, world_a, world_b):
    client = client_as(world_a.partner_user)
    response = call(client, "post", "/solutions", {"opportunity_id": world_b.opportunity.pk, "title": "x"})
    assert response.status_code in (403, 404)
    assert not SolutionDesign.objects.exists()


def test_solution_bodies_cannot_set_the_owner_or_the_opportunity(
    client_as, presales, design_a, world_b, sales_rep
):
    # Unknown fields are ignored (ninja's default): what matters is that they change nothing.
    client = client_as(presales)
    response = call(
        client,
        "post",
        "/solutions",
        {
            "opportunity_id": design_a.opportunity_id,
            "title": "x",
            "owner_id": sales_rep.pk,
            "current_version": 7,
        },
    )
    assert response.status_code in (201, 400, 422)
    if response.status_code == 201:
        made = SolutionDesign.objects.get(pk=response.json()["id"])
        assert (made.owner_id, made.current_version) == (presales.pk, 1)
    response = call(client, "patch", f"/solutions/{design_a.pk}", {"opportunity_id": world_b.opportunity.pk})
    assert response.status_code in (200, 400, 422)
    design_a.refresh_from_db()
    assert design_a.opportunity_id != world_b.opportunity.pk


def test_fit_gap_refuses_another_opportunitys_requirement(client_as, presales, consultant, design_a, world_b):
    foreign = add_requirement(consultant, world_b.opportunity, "Someone else's requirement")
    client = client_as(presales)
    response = call(
        client,
        "put",
        f"/solutions/{design_a.pk}/versions/1/fit-gap/{foreign.pk}",
        {"coverage": "gap", "component_ids": []},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "requirement_id"
    missing = call(client, "put", f"/solutions/{design_a.pk}/versions/1/fit-gap/999999", {"coverage": "gap"})
    assert missing.status_code in (400, 404)
    assert not FitGapEntry.objects.exists()


def test_a_level_4_cannot_decide_product_gaps(client_as, presales):
    response = call(client_as(presales), "post", "/product-gaps/1/decide", {"status": "accepted"})
    assert response.status_code in (403, 404)


# --- Deal registration -------------------------------------------------------------------------


def test_a_partner_never_learns_another_partners_deal_through_a_conflict(
    client_as, world_a, world_b, manager, catalog
):
    # Partner B's deal is approved and protected; partner A then registers the same customer.
    theirs = register(world_b.partner_user, catalog, customer="Contoso Logistics", amount="777777")
    from salesdesk.deals import registration_services

    registration_services.registration_approve(actor=manager, registration=theirs, new_account=True)
    client = client_as(world_a.partner_user)
    response = call(
        client,
        "post",
        "/api/registrations".removeprefix("/api"),
        {
            "customer_name": "Contoso Logistics",
            "product_ids": [catalog["gateway"].pk],
            "expected_close_date": in_days(30),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["in_conflict"] is True and body["conflicts"] is None
    text = response.content.decode()
    assert "Partner B" not in text and "777777" not in text
    # The date another partner's protection ends is theirs: a partner learns only that a
    # conflict exists (docs/partners.md), not how long someone else holds the deal.
    assert body["blocked_until"] is None
    blocked = DealRegistration.objects.get(pk=body["id"]).blocked_until
    assert blocked is not None
    shown = f"{blocked.day} {blocked:%b %Y}".encode()
    for url in (f"/registrations/{body['id']}/", "/registrations/"):
        page = client.get(url)
        assert page.status_code == 200
        assert b"Partner B" not in page.content and b"777" not in page.content
        assert shown not in page.content and b"Blocked" not in page.content, url
    # The manager still sees the block.
    seen = call(client_as(manager), "get", f"/registrations/{body['id']}").json()
    assert seen["blocked_until"] is not None and seen["conflicts"]


def test_registration_bodies_cannot_set_status_partner_or_someone_elses_customer(
    client_as, world_a, world_b, catalog
):
    client = client_as(world_a.partner_user)
    base = {
        "customer_name": "Fabrikam",
        "product_ids": [catalog["gateway"].pk],
        "expected_close_date": str(in_days(30)),
    }
    for extra in (
        {"status": "approved"},
        {"partner_id": world_b.partner.pk},
        {"protected_until": "2099-01-01"},
    ):
        response = call(client, "post", "/registrations", {**base, **extra})
        assert response.status_code in (201, 400, 422), extra
    for made in DealRegistration.objects.all():
        assert (made.status, made.partner_id, made.protected_until) == ("pending", world_a.partner.pk, None)
    response = call(client, "post", "/registrations", {**base, "account_id": world_b.customer.pk})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "account_id"
    assert not DealRegistration.objects.filter(account=world_b.customer).exists()


def test_another_partners_registration_is_a_404_everywhere(client_as, world_a, world_b, catalog):
    theirs = register(world_b.partner_user, catalog, customer="Tailspin Toys")
    client = client_as(world_a.partner_user)
    assert client.get(f"/registrations/{theirs.pk}/").status_code == 404
    for action in ("approve", "reject", "recheck"):
        response = call(client, "post", f"/registrations/{theirs.pk}/{action}", {"reason": "x"})
        assert response.status_code in (403, 404), action
    assert client.post(f"/registrations/{theirs.pk}/approve/", {"reason": "x"}).status_code in (403, 404)
    listed = call(client, "get", f"/registrations?partner_id={world_b.partner.pk}").json()["results"]
    assert listed == []
    assert client_as(world_a.customer_user).get(f"/api/registrations/{theirs.pk}").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "pending"


# --- Presales requests -------------------------------------------------------------------------


@pytest.fixture
def request_a(world_a):
    return pfx.ask(world_a.partner_user, world_a.opportunity, now=None)


def test_another_partners_presales_request_is_a_404(client_as, world_a, world_b, request_a):
    for user in (world_b.partner_user, world_a.customer_user, world_b.customer_user):
        client = client_as(user)
        assert call(client, "get", f"/presales-requests/{request_a.pk}").status_code == 404
        assert call(
            client, "post", f"/presales-requests/{request_a.pk}/comments", {"text": "hi"}
        ).status_code in (403, 404)
        assert call(
            client,
            "post",
            f"/presales-requests/{request_a.pk}/transitions",
            {"action": "cancel", "reason": "x"},
        ).status_code in (403, 404)
        assert client.get(f"/presales/{request_a.pk}/").status_code in (403, 404)
        listed = call(client, "get", "/presales-requests")
        assert listed.status_code in (200, 403)
        if listed.status_code == 200:
            assert listed.json()["results"] == []
    request_a.refresh_from_db()
    assert request_a.status != "cancelled" and not request_a.comments.exists()


def test_a_partner_cannot_assign_or_read_the_team_workload(client_as, world_a, request_a, presales):
    client = client_as(world_a.partner_user)
    response = call(client, "post", f"/presales-requests/{request_a.pk}/assign", {"assignee_id": presales.pk})
    assert response.status_code == 403
    assert call(client, "get", "/presales-workload").status_code == 403
    assert call(client, "get", f"/presales-requests/{request_a.pk}/candidates").status_code == 403
    request_a.refresh_from_db()
    assert request_a.assignee_id is None


def test_presales_bodies_cannot_set_the_assignee_or_status(client_as, world_a, presales):
    client = client_as(world_a.partner_user)
    body = {
        "opportunity_id": world_a.opportunity.pk,
        "kind": "demo",
        "description": "Show it",
        "due_date": str(in_days(10)),
    }
    for extra in ({"assignee_id": presales.pk}, {"status": "delivered"}, {"requester_organisation_id": 1}):
        response = call(client, "post", "/presales-requests", {**body, **extra})
        assert response.status_code in (201, 400, 422), extra
    for made in PresalesRequest.objects.all():
        assert made.assignee_id is None and made.status == "requested"
        assert made.requester_organisation_id == world_a.partner.pk


# --- Requirement jobs ----------------------------------------------------------------------------


def _csv(rows: int) -> bytes:
    lines = ["reference,statement,type,priority"]
    lines += [f"R-{i},The system must do thing {i},functional,must" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_jobs_are_their_creators_only(client_as, consultant, staff_factory, world_a, world_b):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as(consultant)
    response = client.post(
        f"/api/opportunities/{world_a.opportunity.pk}/requirements/import-jobs",
        {"file": SimpleUploadedFile("reqs.csv", _csv(5), content_type="text/csv")},
    )
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    colleague = staff_factory(5, username="other")
    for user in (colleague, world_a.partner_user, world_a.customer_user):
        other = client_as(user)
        assert other.get(f"/api/jobs/{job_id}").status_code in (403, 404)
        assert job_id not in [j["id"] for j in other.get("/api/jobs").json().get("results", [])]
        url = f"/opportunities/{world_a.opportunity.pk}/requirements/import/jobs/{job_id}/"
        assert other.get(url).status_code in (403, 404)
    # The creator's job id under another opportunity is not found either.
    url = f"/opportunities/{world_b.opportunity.pk}/requirements/import/jobs/{job_id}/"
    assert client.get(url).status_code == 404
    assert Job.objects.filter(pk=job_id).exists()


def test_an_outsider_cannot_start_jobs_on_another_worlds_requirements(client_as, world_a, world_b):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as(world_b.partner_user)
    response = client.post(
        f"/api/opportunities/{world_a.opportunity.pk}/requirements/import-jobs",
        {"file": SimpleUploadedFile("reqs.csv", _csv(2), content_type="text/csv")},
    )
    assert response.status_code in (403, 404)
    assert not Job.objects.exists()


# --- Cases: PATCH and draft an answer ------------------------------------------------------------


@pytest.fixture
def case_a(agent, world_a):
    return case_services.case_open(
        actor=agent, data={"subject": "Gateway reboots", "account_id": world_a.customer.pk}
    )


def test_outsiders_cannot_patch_a_case_or_draft_an_answer_from_it(client_as, case_a, world_a, world_b):
    for user in (world_a.customer_user, world_a.partner_user, world_b.customer_user, world_b.partner_user):
        client = client_as(user)
        assert call(client, "patch", f"/cases/{case_a.pk}", {"subject": "pwned"}).status_code in (403, 404)
        response = call(client, "post", f"/cases/{case_a.pk}/draft-answer", {"body": "x"})
        assert response.status_code in (403, 404)
    case_a.refresh_from_db()
    assert case_a.subject == "Gateway reboots"


def test_case_patch_cannot_move_the_case_or_set_its_state(client_as, agent, case_a, world_b):
    client = client_as(agent)
    for body in (
        {"account_id": world_b.customer.pk},
        {"status": "closed"},
        {"assignee_id": agent.pk},
        {"opportunity_id": world_b.opportunity.pk},
    ):
        response = call(client, "patch", f"/cases/{case_a.pk}", body)
        assert response.status_code in (200, 400, 422), body
    case_a.refresh_from_db()
    assert case_a.account_id != world_b.customer.pk and case_a.status != "closed"
    assert case_a.assignee_id is None and case_a.opportunity_id is None


def test_a_level_1_agent_cannot_draft_an_answer(client_as, agent, case_a):
    response = call(client_as(agent), "post", f"/cases/{case_a.pk}/draft-answer", {"body": "Reboot it"})
    assert response.status_code == 403


def test_a_forged_queue_cursor_is_a_400(client_as, agent, case_a):
    client = client_as(agent)
    for cursor in ("!!!", "eyJ4IjoxfQ", "WyJhIiwgIm5vdCBhIGRhdGUiLCAxXQ"):
        response = client.get("/api/cases", {"queue": "breaching", "cursor": cursor})
        assert response.status_code in (200, 400), (cursor, response.status_code)
    assert Case.objects.count() == 1


def test_a_relinked_opportunitys_history_does_not_name_the_previous_partner(
    client_as, world_a, world_b, manager, catalog, settings
):
    from salesdesk.deals import registration_services

    settings.SALESDESK_DEAL_REGISTRATION_PROTECTION_DAYS = -1  # B's protection has already ended
    theirs = register(world_b.partner_user, catalog, customer="Contoso Logistics")
    registration_services.registration_approve(actor=manager, registration=theirs, new_account=True)
    theirs.refresh_from_db()
    ours = register(world_a.partner_user, catalog, customer="Contoso Logistics")
    registration_services.registration_approve(
        actor=manager, registration=ours, opportunity_id=theirs.opportunity_id, reason="B's protection ended"
    )
    client = client_as(world_a.partner_user)
    response = client.get(f"/api/opportunities/{theirs.opportunity_id}/history")
    assert response.status_code == 200
    page = client.get(f"/opportunities/{theirs.opportunity_id}/")  # its timeline: the same events
    assert page.status_code == 200
    assert "Partner B" not in response.content.decode() and b"Partner B" not in page.content
    account_id = theirs.opportunity.account_id
    # the account's timeline filters the deal's events the same way (the account itself is
    # managed by Partner B, so A cannot open it; the filter is checked on its own here)
    from salesdesk.core.audit import events_for_organisation, organisation_timeline

    def deal_story(events):
        return " ".join(
            f"{e.step} {e.changes} {e.detail}" for e in events if e.content_type.model == "opportunity"
        )

    assert "Partner B" in deal_story(events_for_organisation(account_id))
    from salesdesk.deals import services as deal_services
    from salesdesk.deals.models import Opportunity

    deal = Opportunity.objects.get(pk=theirs.opportunity_id)
    deal_services.opportunity_update(actor=manager, opportunity=deal, data={"description": "Rollout in Q3"})
    partner_view = organisation_timeline(user=world_a.partner_user, organisation_id=account_id)
    assert "Partner B" not in deal_story(partner_view)
    assert any(e.content_type.model == "opportunity" for e in partner_view)  # the deal's own story shows
    # staff still read the whole story
    staff_history = client_as(manager).get(f"/api/opportunities/{theirs.opportunity_id}/history")
    assert "Partner B" in staff_history.content.decode()


def test_a_relinked_opportunitys_name_does_not_name_the_previous_partner(
    client_as, world_a, world_b, manager, catalog, settings
):
    from salesdesk.deals import registration_services

    settings.SALESDESK_DEAL_REGISTRATION_PROTECTION_DAYS = -1  # B's protection has already ended
    theirs = register(world_b.partner_user, catalog, customer="Contoso Logistics")
    registration_services.registration_approve(actor=manager, registration=theirs, new_account=True)
    theirs.refresh_from_db()
    ours = register(world_a.partner_user, catalog, customer="Contoso Logistics")
    registration_services.registration_approve(
        actor=manager, registration=ours, opportunity_id=theirs.opportunity_id, reason="B's protection ended"
    )
    client = client_as(world_a.partner_user)
    response = client.get(f"/api/opportunities/{theirs.opportunity_id}")
    assert response.status_code == 200
    assert "Contoso Logistics" in response.json()["name"]
    assert "Partner B" not in response.content.decode()


# --- Engines, sizing and the remaining solution pages -------------------------------------------


@pytest.mark.parametrize(
    "path,body",
    [
        ("/capacity/mmc", {"arrival_rate": 1, "service_rate": 2, "servers": 1}),
        (
            "/capacity/erlang-c",
            {"arrivals_per_hour": 10, "service_time": 60, "agents": 2, "target_seconds": 20},
        ),
        ("/plans/pert", {"tasks": []}),
    ],
)
def test_engine_endpoints_need_the_capability(client_as, world_a, agent, path, body):
    for user in (world_a.partner_user, world_a.customer_user, agent):
        assert call(client_as(user), "post", path, body).status_code == 403, (path, user)


def test_a_level_1_agent_or_a_sales_rep_cannot_change_a_design(client_as, agent, sales_rep, design_a):
    for user in (agent, sales_rep):
        client = client_as(user)
        assert call(client, "patch", f"/solutions/{design_a.pk}", {"title": "Mine now"}).status_code == 403
        response = client.post(f"/solutions/{design_a.pk}/v1/sizing/", {"concurrent_users": "10"})
        assert response.status_code in (200, 403)  # the page, without running anything, or refused
    design_a.refresh_from_db()
    assert design_a.title == "Design A" and design_a.current_version == 1
    assert not design_a.versions.get().sizing_result


def test_the_fit_gap_row_page_refuses_another_opportunitys_requirement(
    client_as, presales, consultant, design_a, world_b
):
    foreign = add_requirement(consultant, world_b.opportunity, "Someone else's requirement")
    client = client_as(presales)
    url = f"/solutions/{design_a.pk}/v1/fit-gap/{foreign.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"coverage": "gap"}).status_code == 404
    assert client.get(url + "product-gap/").status_code == 404
    assert not FitGapEntry.objects.exists()


def test_an_outsider_cannot_start_a_document_job_on_another_worlds_baseline(
    client_as, consultant, world_a, world_b
):
    from salesdesk.deals import requirement_services

    add_requirement(consultant, world_a.opportunity, "Track every parcel")
    baseline = requirement_services.baseline_create(actor=consultant, opportunity=world_a.opportunity)
    requirement_services.baseline_share(actor=consultant, baseline=baseline, contact_id=world_a.contact.pk)
    for user in (world_b.customer_user, world_b.partner_user):
        client = client_as(user)
        assert (
            call(
                client, "post", f"/requirement-baselines/{baseline.pk}/document-jobs", {"format": "pdf"}
            ).status_code
            == 404
        )
        assert (
            client.post(f"/requirements/documents/{baseline.pk}/job/", {"format": "pdf"}).status_code == 404
        )
        assert call(client, "get", f"/requirement-baselines/{baseline.pk}/document").status_code == 404
    assert not Job.objects.exists()


@pytest.fixture
def sized_version(presales, design_a):
    from salesdesk.catalog.models import Category
    from tests.solutions.test_sizing_pages import _server

    category = Category.objects.create(name="Servers")
    version = design_a.versions.get(number=1)
    for sku, name, cores, price in (
        ("WEB-S", "Web server S", 2, "1000"),
        ("DB-2", "Database pair", 2, "5500"),
    ):
        solution_services.component_add(
            actor=presales,
            version=version,
            data={"product_id": _server(category, sku, name, cores, price).pk},
        )
    return version


def test_user_text_in_sizing_charts_and_the_report_is_not_markup(client_as, presales, sized_version):
    hostile = '<script>alert(1)</script>#panic("x")'
    workload = {
        "peak_arrival_rate": 40,
        "growth_per_year": 0.2,
        "years": 3,
        "response_time": 0.25,
        "tiers": [
            {"name": hostile, "service_demand": 0.05, "skus": ["WEB-S"], "max_units": 8},
            {"name": "db", "service_demand": 0.02, "skus": ["DB-2"], "max_units": 2},
        ],
    }
    client = client_as(presales)
    base = f"/solutions/{sized_version.design_id}/versions/1"
    response = call(client, "post", f"{base}/sizing", {"workload": workload})
    assert response.status_code == 200, response.content  # the tier's name is accepted as text
    page = client.get(f"/solutions/{sized_version.design_id}/v1/sizing/")
    assert page.status_code == 200
    assert b"<script>alert(1)" not in page.content
    assert b"&lt;script&gt;alert(1)" in page.content  # shown, as text
    report = client.get(f"/api{base}/report.pdf")
    assert report.status_code in (200, 202)
    if report.status_code == 200:
        assert report.content.startswith(b"%PDF")


def test_a_partner_cannot_ask_for_presales_on_another_worlds_deal(client_as, world_a, world_b):
    body = {
        "opportunity_id": world_b.opportunity.pk,
        "kind": "demo",
        "description": "Show it",
        "due_date": str(in_days(10)),
    }
    assert call(client_as(world_a.partner_user), "post", "/presales-requests", body).status_code == 404
    page = client_as(world_a.partner_user).get(f"/presales/new/?opportunity={world_b.opportunity.pk}")
    assert page.status_code in (200, 403) and b"Deal B" not in page.content
    assert not PresalesRequest.objects.exists()
