"""Pages for requirements, included into the "web" namespace (no namespace of their own)."""

from django.urls import path

from . import requirement_views as views

urlpatterns = [
    path(
        "opportunities/<int:opportunity_id>/requirements/",
        views.requirement_workbench,
        name="requirement_workbench",
    ),
    path(
        "opportunities/<int:opportunity_id>/requirements/import/",
        views.requirement_import,
        name="requirement_import",
    ),
    path(
        "opportunities/<int:opportunity_id>/requirements/import/jobs/<int:job_id>/",
        views.requirement_import_progress,
        name="requirement_import_progress",
    ),
    path(
        "opportunities/<int:opportunity_id>/requirements/baseline/",
        views.requirement_baseline,
        name="requirement_baseline",
    ),
    path("requirements/<int:requirement_id>/edit/", views.requirement_edit, name="requirement_edit"),
    path("requirements/<int:requirement_id>/remove/", views.requirement_remove, name="requirement_remove"),
    path("requirements/<int:requirement_id>/questions/", views.question_raise, name="question_raise"),
    path("requirements/questions/<int:question_id>/answer/", views.question_answer, name="question_answer"),
    path("requirements/documents/", views.requirement_documents, name="requirement_documents"),
    path("requirements/documents/<int:baseline_id>/", views.baseline_detail, name="baseline_detail"),
    path("requirements/documents/<int:baseline_id>/pdf/", views.baseline_pdf, name="baseline_pdf"),
    path("requirements/documents/<int:baseline_id>/docx/", views.baseline_docx, name="baseline_docx"),
    path(
        "requirements/documents/<int:baseline_id>/job/",
        views.baseline_document_job,
        name="baseline_document_job",
    ),
    path("requirements/documents/<int:baseline_id>/share/", views.baseline_share, name="baseline_share"),
    path(
        "requirements/documents/<int:baseline_id>/signoff/", views.baseline_signoff, name="baseline_signoff"
    ),
]
