"""Requirements through the API and the pages: the workshop, the portal, and 404s for others."""

import io

import pytest

from salesdesk.deals import requirement_services as services
from salesdesk.deals.models import Requirement, RequirementBaseline

from .conftest import add

pytestmark = pytest.mark.django_db


def test_amaras_workshop_through_the_api(consultant, world_a, client_as):
    client = client_as(consultant)
    base = f"/api/opportunities/{world_a.opportunity.pk}"
    response = client.post(
        f"{base}/requirements",
        {"statement": "Track parcels", "type": "capacity", "targets": "peak_users = 2000"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    requirement = response.json()
    assert requirement["reference"] == "REQ-001"
    assert requirement["targets"] == [{"metric": "peak_users", "operator": "=", "value": "2000", "unit": ""}]
    bad = client.post(
        f"{base}/requirements", {"statement": "x", "targets": "a = 2k"}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad.json()["errors"] == [{"field": "targets", "message": "cannot read a number in '2k'"}]
    question = client.post(
        f"/api/requirements/{requirement['id']}/questions",
        {"text": "Peak in December?", "contact_id": world_a.contact.pk},
        content_type="application/json",
    ).json()
    refused = client.post(f"{base}/requirement-baselines", {}, content_type="application/json")
    assert refused.status_code == 409
    assert "REQ-001 still has an open question" in refused.json()["detail"]
    answered = client_as(world_a.customer_user).post(
        f"/api/requirement-questions/{question['id']}/answer",
        {"answer": "Yes, 3x"},
        content_type="application/json",
    )
    assert answered.status_code == 200 and answered.json()["channel"] == "portal"
    baseline = client.post(f"{base}/requirement-baselines", {"note": "v1"}, content_type="application/json")
    assert baseline.status_code == 201
    baseline_id = baseline.json()["id"]
    # not shared yet: the customer cannot see it at all
    assert (
        client_as(world_a.customer_user).get(f"/api/requirement-baselines/{baseline_id}").status_code == 404
    )
    shared = client.post(
        f"/api/requirement-baselines/{baseline_id}/share",
        {"contact_id": world_a.contact.pk},
        content_type="application/json",
    )
    assert shared.status_code == 200
    customer = client_as(world_a.customer_user)
    assert [b["id"] for b in customer.get("/api/requirement-baselines").json()["results"]] == [baseline_id]
    signed = customer.post(
        f"/api/requirement-baselines/{baseline_id}/signoff",
        {"name": "Sam Patel"},
        content_type="application/json",
    )
    assert signed.status_code == 200 and signed.json()["signed_off_name"] == "Sam Patel"
    again = customer.post(
        f"/api/requirement-baselines/{baseline_id}/signoff", {}, content_type="application/json"
    )
    assert again.status_code == 409
    pdf = customer.get(f"/api/requirement-baselines/{baseline_id}/document")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    detail = client.get(f"{base}/requirements").json()
    assert detail["requirements"][0]["conclusion"] == "Yes, 3x"
    assert detail["latest_version"] == 1 and detail["open_questions"] == 0


def test_import_through_the_api_reports_problems_with_400(consultant, world_a, client_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = f"/api/opportunities/{world_a.opportunity.pk}/requirements/import"
    upload = SimpleUploadedFile("r.csv", b"id,statement,targets\nREQ-001,ok,\nREQ-002,bad,x = y\n")
    response = client_as(consultant).post(url, {"file": upload})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "row 3.targets", "message": "cannot read a number in 'y'"}]
    assert response.json()["problems"] == [
        {"where": "row 3", "column": "targets", "problem": "cannot read a number in 'y'"}
    ]
    assert not Requirement.objects.exists()


def test_other_organisations_get_404_everywhere(shared_a, world_a, world_b, client_as):
    requirement = Requirement.objects.first()
    for user in (world_b.partner_user, world_b.customer_user):
        client = client_as(user)
        assert client.get(f"/api/requirement-baselines/{shared_a.pk}").status_code == 404
        assert client.get(f"/api/requirement-baselines/{shared_a.pk}/document?format=docx").status_code == 404
        assert client.get(f"/api/opportunities/{world_a.opportunity.pk}/requirements").status_code == 404
        assert client.get(f"/requirements/documents/{shared_a.pk}/pdf/").status_code == 404
        assert (
            client.post(
                f"/api/requirement-baselines/{shared_a.pk}/signoff", {}, content_type="application/json"
            )
        ).status_code == 404
        assert client.post(f"/requirements/{requirement.pk}/remove/").status_code == 404
        assert client.get("/api/requirement-baselines").json()["results"] == []
    shared_a.refresh_from_db()
    assert shared_a.signed_off_at is None and Requirement.objects.count() == 2


def test_a_partner_reads_the_requirements_of_its_own_deal_but_cannot_change_them(
    shared_a, world_a, client_as
):
    client = client_as(world_a.partner_user)
    assert client.get(f"/api/opportunities/{world_a.opportunity.pk}/requirements").status_code == 200
    response = client.post(
        f"/api/opportunities/{world_a.opportunity.pk}/requirements",
        {"statement": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert client.get(f"/opportunities/{world_a.opportunity.pk}/requirements/").status_code == 200


def test_the_workbench_page_adds_a_requirement_and_shows_the_list(consultant, world_a, client_as):
    client = client_as(consultant)
    url = f"/opportunities/{world_a.opportunity.pk}/requirements/"
    response = client.post(
        url, {"statement": "Scan at the gate", "type": "functional", "priority": "must", "source": "workshop"}
    )
    assert response.status_code == 302
    bad = client.post(
        url, {"statement": "x", "type": "functional", "priority": "must", "source": "call", "targets": "a ="}
    )
    assert bad.status_code == 400 and "needs a value" in bad.content.decode()
    page = client.get(url).content.decode()
    assert "REQ-001" in page and "Scan at the gate" in page and "Add a requirement" in page
    assert "Open requirements" in client.get(f"/opportunities/{world_a.opportunity.pk}/").content.decode()


def test_the_workbench_page_does_not_query_per_requirement(
    consultant, world_a, client_as, django_assert_max_num_queries
):
    for n in range(12):
        requirement = add(consultant, world_a.opportunity, f"Requirement {n}")
        services.question_raise(actor=consultant, requirement=requirement, text="?")
    client = client_as(consultant)
    with django_assert_max_num_queries(30):
        assert client.get(f"/opportunities/{world_a.opportunity.pk}/requirements/").status_code == 200


def test_the_portal_lists_shared_documents_and_the_customer_signs_off(shared_a, world_a, world_b, client_as):
    customer = client_as(world_a.customer_user)
    page = customer.get("/requirements/documents/").content.decode()
    assert "Review and sign off" in page and world_a.opportunity.name in page
    assert world_b.opportunity.name not in page
    detail = customer.get(f"/requirements/documents/{shared_a.pk}/").content.decode()
    assert "Sign off version 1" in detail
    response = customer.post(
        f"/requirements/documents/{shared_a.pk}/signoff/", {"name": "Sam Patel", "confirm": "on"}
    )
    assert response.status_code == 302
    shared_a.refresh_from_db()
    assert shared_a.signed_off_name == "Sam Patel"
    docx_response = customer.get(f"/requirements/documents/{shared_a.pk}/docx/")
    assert docx_response.status_code == 200
    import docx

    assert docx.Document(io.BytesIO(docx_response.content)).paragraphs
    # the other customer sees nothing of it
    assert client_as(world_b.customer_user).get(f"/requirements/documents/{shared_a.pk}/").status_code == 404


def test_the_customer_answers_a_question_in_the_portal(consultant, world_a, client_as):
    requirement = add(consultant, world_a.opportunity)
    question = services.question_raise(actor=consultant, requirement=requirement, text="How many depots?")
    customer = client_as(world_a.customer_user)
    assert "How many depots?" in customer.get("/requirements/documents/").content.decode()
    assert (
        customer.post(f"/requirements/questions/{question.pk}/answer/", {"answer": "14"}).status_code == 302
    )
    requirement.refresh_from_db()
    assert requirement.conclusion == "14"
    assert not RequirementBaseline.objects.exists()


def test_the_document_list_does_not_query_per_version(
    consultant, world_a, client_as, django_assert_max_num_queries
):
    for n in range(6):
        add(consultant, world_a.opportunity, f"Requirement {n}")
        baseline = services.baseline_create(actor=consultant, opportunity=world_a.opportunity)
        services.baseline_share(actor=consultant, baseline=baseline, contact_id=world_a.contact.pk)
    for user in (consultant, world_a.customer_user):
        client = client_as(user)
        with django_assert_max_num_queries(12):
            assert len(client.get("/api/requirement-baselines").json()["results"]) == 6
        with django_assert_max_num_queries(15):
            assert client.get("/requirements/documents/").status_code == 200
