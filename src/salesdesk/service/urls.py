"""Pages of the service desk (included under /cases/ with the "service" namespace)."""

from django.urls import path

from . import views

app_name = "service"

urlpatterns = [
    path("", views.case_queue, name="case_queue"),
    path("new/", views.case_create, name="case_create"),
    path("assign/", views.case_bulk_assign, name="case_bulk_assign"),
    path("log/", views.interaction_log, name="interaction_log"),
    path("rate/", views.case_rate_page, name="case_rate"),
    path("sla/", views.sla_policy_list, name="sla_policy_list"),
    path("sla/<int:policy_id>/", views.sla_policy_edit, name="sla_policy_edit"),
    path("<int:case_id>/", views.case_detail, name="case_detail"),
    path("<int:case_id>/sla/", views.case_sla_clock, name="case_sla_clock"),
    path("<int:case_id>/edit/", views.case_edit, name="case_edit"),
    path("<int:case_id>/reply/", views.case_reply, name="case_reply"),
    path("<int:case_id>/transition/", views.case_transition, name="case_transition"),
    path("<int:case_id>/escalate/", views.case_escalate, name="case_escalate"),
    path("<int:case_id>/take/", views.case_take, name="case_take"),
    path("<int:case_id>/complaint/", views.case_complaint, name="case_complaint"),
    path("<int:case_id>/attach/", views.case_attach, name="case_attach"),
    path("<int:case_id>/log/", views.case_log, name="case_log"),
    path("<int:case_id>/draft-answer/", views.case_draft_answer, name="case_draft_answer"),
    path("files/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
]
