"""L5 on the pages: the reviewer's comments stay on the follow-up draft, and a calibration
factor is applied from its row of the report in one click, saying when it started a new version."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from salesdesk.estimates import services
from salesdesk.estimates.models import EstimateTask

from .conftest import build_estimate

pytestmark = pytest.mark.django_db

COMMENT = "Integration effort looks light; check C against the legacy API."


def _text(response) -> str:
    """The page as a user reads it: tags dropped, whitespace collapsed."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _return(presales, reviewer, estimate, comments=COMMENT):
    services.estimate_submit(actor=presales, estimate=estimate)
    services.estimate_return(actor=reviewer, estimate=estimate, comments=comments)
    estimate.refresh_from_db()


def _record_actual(client, task_type="integration", estimated="10", actual="11.8"):
    body = {
        "project": "Old",
        "task_type": task_type,
        "role": "engineer",
        "estimated_effort": estimated,
        "actual_effort": actual,
    }
    assert client.post("/estimates/calibration/", body).status_code == 302


def _row(html: str, task_type: str) -> str:
    """The <tr> of one suggestion row of the "apply" table."""
    match = re.search(rf'<tr><th scope="row">{task_type}</th>.*?</tr>', html, re.S)
    assert match, f"no suggestion row for {task_type}"
    return match.group(0)


def _task(estimate, code):
    return EstimateTask.objects.get(estimate=estimate, code=code)


# -- 1. the reviewer's comments on the follow-up draft ----------------------------------------------


def test_return_comments_stay_on_the_new_draft_until_it_is_submitted_again(
    presales, reviewer, estimate, client_as
):
    _return(presales, reviewer, estimate)
    jonas = client_as(presales)
    text = _text(jonas.get(f"/estimates/{estimate.pk}/"))
    assert f"Reviewer's comments on v1: {COMMENT}" in text
    assert "Returned v1 by Grace Hopper on" in text
    assert "your next change starts v2" in text
    # when Jonas changes a task, version 2 starts as a draft
    edit = {"code": "C", "name": "Integrate", "optimistic": "3", "most_likely": "5", "pessimistic": "9"}
    assert jonas.post(f"/estimates/{estimate.pk}/tasks/{_task(estimate, 'C').pk}/", edit).status_code == 302
    estimate.refresh_from_db()
    assert (estimate.current_version, estimate.status) == (2, "draft")
    # then the comments on v1 are still on the estimate page, saying they belong to v1
    text = _text(jonas.get(f"/estimates/{estimate.pk}/"))
    assert f"Reviewer's comments on v1: {COMMENT}" in text
    assert "Returned v1 by Grace Hopper on" in text
    assert "still to address in this draft, v2, before submitting it again" in text
    # and once v2 is submitted they are gone from the page (they stay on the versions page)
    assert jonas.post(f"/estimates/{estimate.pk}/review/", {"action": "submit"}).status_code == 302
    assert COMMENT not in _text(jonas.get(f"/estimates/{estimate.pk}/"))
    assert COMMENT in _text(jonas.get(f"/estimates/{estimate.pk}/versions/"))


def test_a_new_version_after_sign_off_shows_no_old_return_comments(presales, reviewer, estimate, client_as):
    _return(presales, reviewer, estimate)
    services.estimate_submit(actor=presales, estimate=estimate)  # v2
    services.estimate_sign_off(actor=reviewer, estimate=estimate, comments="")
    estimate.refresh_from_db()
    services.estimate_revise(actor=presales, estimate=estimate)  # v3 draft after a sign-off
    text = _text(client_as(presales).get(f"/estimates/{estimate.pk}/"))
    assert "Version 3" in text
    assert COMMENT not in text and "Reviewer's comments" not in text


# -- 2. one click per suggested factor --------------------------------------------------------------


def test_each_suggested_factor_has_its_own_prefilled_apply_form(presales, estimate, client_as):
    client = client_as(presales)
    _record_actual(client, "integration", "10", "11.8")
    _record_actual(client, "build", "10", "9")
    html = client.get("/estimates/calibration/").content.decode()
    integration = _row(html, "integration")
    assert "×1.180" in integration
    assert 'type="hidden" name="task_type" value="integration"' in integration
    assert re.search(r'name="factor" value="1.180"', integration)
    assert "Apply to integration tasks" in integration
    # the only draft estimate is chosen already
    assert re.search(rf'<option value="{estimate.pk}" selected>Rollout', integration)
    build = _row(html, "build")
    assert 'name="task_type" value="build"' in build and 'value="0.900"' in build
    # the manual form is there too, with a visible task type
    assert "Apply another factor" in html
    assert re.search(r'<input type="text" name="task_type"[^>]*id="id_apply_task_type"', html)


def test_applying_a_suggestion_in_one_click_scales_the_tasks_and_says_so(presales, estimate, client_as):
    client = client_as(presales)
    _record_actual(client)
    row = _row(client.get("/estimates/calibration/").content.decode(), "integration")
    # the user clicks the row's button: the browser sends the row's prefilled fields
    body = dict(re.findall(r'name="(estimate|task_type|factor|suggestion)" value="([^"]*)"', row))
    body["estimate"] = re.search(r'<option value="(\d+)" selected', row).group(1)
    response = client.post("/estimates/calibration/apply/", body)
    assert response.status_code == 302
    assert response["Location"] == f"/estimates/{estimate.pk}/#tasks"
    text = _text(client.get(response["Location"]))
    assert "Factor ×1.18 applied to 1 integration task of “Rollout”." in text
    assert "started version" not in text  # a draft stays at version 1
    assert _task(estimate, "C").most_likely == Decimal("4.72")
    assert _task(estimate, "B").most_likely == Decimal("8")


def test_applying_to_a_returned_estimate_says_it_started_a_new_version(
    presales, reviewer, estimate, client_as
):
    _return(presales, reviewer, estimate)
    client = client_as(reviewer)
    _record_actual(client)
    body = {
        "estimate": estimate.pk,
        "task_type": "integration",
        "factor": "1.18",
        "suggestion": "integration",
    }
    response = client.post("/estimates/calibration/apply/", body, follow=True)
    text = _text(response)
    assert response.redirect_chain[-1][0] == f"/estimates/{estimate.pk}/#tasks"
    assert "Factor ×1.18 applied to 1 integration task of “Rollout”." in text
    assert "This started version 2 (v1 was returned for review comments)." in text
    assert "Version 2" in text
    # and the comments Jonas has to address are still on the page he lands on
    assert f"Reviewer's comments on v1: {COMMENT}" in text


def test_a_refused_factor_shows_on_the_manual_form(presales, estimate, client_as):
    client = client_as(presales)
    body = {"estimate": estimate.pk, "task_type": "integration", "factor": "9"}
    response = client.post("/estimates/calibration/apply/", body)
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(
        r'<ul class="errorlist" id="[^"]*factor-errors"><li>Ensure this value is less than', html
    )
    assert "<details open><summary>Apply another factor" in html
    # what the user typed is kept
    assert '<input type="text" name="task_type" value="integration"' in html
    assert re.search(rf'<option value="{estimate.pk}" selected>Rollout', html)
    assert _task(estimate, "C").most_likely == Decimal("4")


def test_an_unknown_task_type_is_named_with_the_estimates_task_types(presales, estimate, client_as):
    client = client_as(presales)
    body = {"estimate": estimate.pk, "task_type": "integartion", "factor": "1.2"}
    response = client.post("/estimates/calibration/apply/", body)
    assert response.status_code == 400
    text = _text(response)
    assert (
        "no task of type “integartion” in Rollout; its task types: build, deploy, design, integration" in text
    )


def test_a_row_form_without_a_chosen_estimate_shows_the_error_in_its_row(
    presales, estimate, world_a, client_as
):
    build_estimate(presales, world_a.opportunity)  # two drafts: none is chosen for the user
    client = client_as(presales)
    _record_actual(client)
    html = client.get("/estimates/calibration/").content.decode()
    assert "selected>Rollout" not in _row(html, "integration")
    body = {"estimate": "", "task_type": "integration", "factor": "1.180", "suggestion": "integration"}
    response = client.post("/estimates/calibration/apply/", body)
    assert response.status_code == 400
    row = _row(response.content.decode(), "integration")
    assert "This field is required." in row
    assert 'value="1.180"' in row  # what the user sent is kept


def test_a_signed_off_estimate_cannot_be_chosen(presales, reviewer, estimate, client_as):
    services.estimate_submit(actor=presales, estimate=estimate)
    services.estimate_sign_off(actor=reviewer, estimate=estimate)
    client = client_as(presales)
    assert "No draft or returned estimates to calibrate." in _text(client.get("/estimates/calibration/"))
    body = {"estimate": estimate.pk, "task_type": "integration", "factor": "1.2"}
    response = client.post("/estimates/calibration/apply/", body)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert _task(estimate, "C").most_likely == Decimal("4")


def test_level_3_may_not_apply_a_factor(consultant, estimate, client_as):
    body = {"estimate": estimate.pk, "task_type": "integration", "factor": "1.2"}
    assert client_as(consultant).post("/estimates/calibration/apply/", body).status_code == 403
    assert _task(estimate, "C").most_likely == Decimal("4")


def test_the_estimate_page_links_to_the_factors_with_the_estimate_chosen(
    presales, estimate, world_a, client_as
):
    other = build_estimate(presales, world_a.opportunity)  # two drafts: nothing chosen by default
    client = client_as(presales)
    _record_actual(client)
    link = f"/estimates/calibration/?estimate={other.pk}#apply"
    assert f'href="{link.replace("&", "&amp;")}"' in client.get(f"/estimates/{other.pk}/").content.decode()
    row = _row(client.get(link.split("#")[0]).content.decode(), "integration")
    assert re.search(rf'<option value="{other.pk}" selected>', row)
    assert f'<option value="{estimate.pk}" selected>' not in row
