"""Presales pages: asking from the opportunity, the requester's list, the level-5 board, one request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from salesdesk.deals import presales_services as services
from salesdesk.deals.models import PresalesComment, PresalesRequest

from .presales_fixtures import *  # noqa: F403 - the fixtures

pytestmark = pytest.mark.django_db


def make(actor, opportunity, **data):
    payload = {
        "kind": "demo",
        "description": "Demo the gateway",
        "due_date": (timezone.now() + dt.timedelta(days=10)).date(),
        **data,
    }
    return services.presales_request_create(actor=actor, opportunity=opportunity, data=payload)


def test_the_opportunity_page_links_to_asking_and_to_its_requests(client_as, sales_rep, world_a):
    make(sales_rep, world_a.opportunity)
    html = client_as(sales_rep).get(f"/opportunities/{world_a.opportunity.pk}/").content.decode()
    assert "Presales support" in html
    assert f"/presales/new/?opportunity={world_a.opportunity.pk}" in html
    assert f"/presales/?opportunity={world_a.opportunity.pk}" in html
    assert "1 request" in html


def test_asking_from_the_form(client_as, sales_rep, world_a, sso_skill):
    client = client_as(sales_rep)
    form = client.get(f"/presales/new/?opportunity={world_a.opportunity.pk}")
    assert form.status_code == 200
    assert f'<option value="{world_a.opportunity.pk}" selected>' in form.content.decode()
    response = client.post(
        "/presales/new/",
        {
            "opportunity": world_a.opportunity.pk,
            "kind": "requirements_workshop",
            "description": "Half-day workshop with Northwind's IT",
            "due_date": (timezone.now() + dt.timedelta(days=5)).date().isoformat(),
            "priority": "high",
            "skills": [sso_skill.pk],
        },
    )
    request = PresalesRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/presales/{request.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Requirements workshop" in page and "acknowledge due" in page
    assert "Half-day workshop" in page


def test_a_bad_form_shows_the_error_on_the_field(client_as, sales_rep, world_a):
    response = client_as(sales_rep).post(
        "/presales/new/",
        {"opportunity": world_a.opportunity.pk, "kind": "demo", "description": "x", "due_date": "2020-01-01"},
    )
    assert response.status_code == 400
    assert "is in the past" in response.content.decode()
    assert not PresalesRequest.objects.exists()


def test_a_customer_cannot_open_the_form_nor_the_board(client_as, world_a):
    client = client_as(world_a.customer_user)
    assert client.get("/presales/new/").status_code == 403
    assert client.get("/presales/board/").status_code == 403


def test_the_requester_follows_progress_with_a_timeline_and_comments(client_as, world_a, manager, engineer):
    request = make(world_a.partner_user, world_a.opportunity)
    services.presales_request_assign(actor=manager, request=request, assignee_id=engineer.pk)
    services.presales_comment_add(actor=engineer, request=request, text="Booked the demo room")
    client = client_as(world_a.partner_user)
    mine = client.get("/presales/?mine=on").content.decode()
    assert request.reference in mine
    assert "target-on_track" in mine and "on track ·" in mine  # the list shows where it stands
    page = client.get(f"/presales/{request.pk}/").content.decode()
    assert "Status timeline" in page
    assert "Acknowledged" in page and "Assigned" in page
    assert "Booked the demo room" in page
    # the partner may comment and cancel but gets no assignment form
    assert "Add comment" in page and "Cancel request" in page
    assert "Reassign" not in page
    response = client.post(f"/presales/{request.pk}/comment/", {"text": "Thanks!"})
    assert response.status_code == 302
    assert PresalesComment.objects.filter(text="Thanks!").exists()


def test_the_board_shows_columns_suggestions_and_workload(
    client_as, sales_rep, world_a, manager, engineer, architect, sso_skill
):
    waiting = make(sales_rep, world_a.opportunity, skill_ids=[sso_skill.pk])
    busy = make(sales_rep, world_a.opportunity)
    services.presales_request_assign(
        actor=manager, request=busy, assignee_id=architect.pk, estimated_hours=20
    )
    response = client_as(manager).get("/presales/board/")
    assert response.status_code == 200
    html = response.content.decode()
    for column in ("Requested", "Acknowledged", "Assigned", "In progress", "Delivered"):
        assert f">{column} <span" in html
    assert waiting.reference in html and busy.reference in html
    assert "Suggested: Jonas Berg" in html  # only Jonas holds SSO
    assert "Felix Braun — 1 open, 20 h" in html  # the workload in the picker
    assert "Workload" in html and "data-board-card" in html
    assert "overloaded</span>" not in html  # 20 h is under a 40-hour week


def test_the_board_filters_and_marks_overdue(
    client_as, sales_rep, world_a, manager, gateway_skill, sso_skill
):
    sso = make(sales_rep, world_a.opportunity, skill_ids=[sso_skill.pk])
    other = make(sales_rep, world_a.opportunity, kind="rfp_response", skill_ids=[gateway_skill.pk])
    client = client_as(manager)
    html = client.get(f"/presales/board/?skill={sso_skill.pk}").content.decode()
    assert sso.reference in html and other.reference not in html
    html = client.get("/presales/board/?kind=rfp_response").content.decode()
    assert other.reference in html and sso.reference not in html
    html = client.get("/presales/board/?overdue=on").content.decode()
    assert sso.reference not in html and "Nothing requested." in html


def test_assigning_and_acknowledging_from_the_board(client_as, sales_rep, world_a, manager, engineer):
    request = make(sales_rep, world_a.opportunity)
    client = client_as(manager)
    response = client.post(f"/presales/{request.pk}/step/", {"action": "acknowledge", "next": "board"})
    assert response.status_code == 302 and response["Location"] == "/presales/board/"
    response = client.post(f"/presales/{request.pk}/assign/", {"assignee": engineer.pk, "next": "board"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.assignee) == ("assigned", engineer)


def test_a_refused_step_shows_why_and_changes_nothing(client_as, sales_rep, world_a, manager):
    request = make(sales_rep, world_a.opportunity)
    client = client_as(manager)
    response = client.post(f"/presales/{request.pk}/step/", {"action": "decline", "reason": ""}, follow=True)
    assert "reason: is required" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "requested"


def test_only_level_5_sees_the_board(client_as, sales_rep, engineer):
    assert client_as(engineer).get("/presales/board/").status_code == 403
    assert client_as(sales_rep).get("/presales/board/").status_code == 403


def test_the_assignee_starts_and_delivers_from_the_page(client_as, sales_rep, world_a, manager, engineer):
    request = make(sales_rep, world_a.opportunity)
    services.presales_request_assign(actor=manager, request=request, assignee_id=engineer.pk)
    client = client_as(engineer)
    assert "Start work" in client.get(f"/presales/{request.pk}/").content.decode()
    client.post(f"/presales/{request.pk}/step/", {"action": "start"})
    client.post(f"/presales/{request.pk}/step/", {"action": "deliver", "note": "Slides sent"})
    request.refresh_from_db()
    assert (request.status, request.delivery_note) == ("delivered", "Slides sent")
    assert "delivered on time" in client.get(f"/presales/{request.pk}/").content.decode()


def test_empty_states(client_as, sales_rep, manager):
    assert "No presales requests yet." in client_as(sales_rep).get("/presales/").content.decode()
    assert "Nothing requested." in client_as(manager).get("/presales/board/").content.decode()


@pytest.mark.parametrize("url", ["/presales/", "/presales/board/"])
def test_pages_cost_the_same_queries_for_more_rows(
    client_as, sales_rep, world_a, manager, engineer, sso_skill, url, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            request = make(sales_rep, world_a.opportunity, skill_ids=[sso_skill.pk])
            services.presales_request_assign(actor=manager, request=request, assignee_id=engineer.pk)

    client = client_as(manager)
    grow(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    grow(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
