"""Pages of estimates (included under /estimates/ with the "estimates" namespace)."""

from django.urls import path

from . import views

app_name = "estimates"

urlpatterns = [
    path("", views.estimate_list, name="estimate_list"),
    path("calibration/", views.calibration_report, name="calibration_report"),
    path("calibration/apply/", views.calibration_apply, name="calibration_apply"),
    path("new/<int:opportunity_id>/", views.estimate_create, name="estimate_create"),
    path("<int:estimate_id>/", views.estimate_detail, name="estimate_detail"),
    path("<int:estimate_id>/simulate/", views.estimate_simulate, name="estimate_simulate"),
    path("<int:estimate_id>/review/", views.estimate_review, name="estimate_review"),
    path("<int:estimate_id>/versions/", views.estimate_versions_page, name="estimate_versions"),
    path("<int:estimate_id>/export/", views.estimate_export, name="estimate_export"),
]

for kind, param in (("tasks", "task_id"), ("rates", "rate_id"), ("items", "item_id"), ("risks", "risk_id")):
    singular = kind.rstrip("s")
    urlpatterns += [
        path(f"<int:estimate_id>/{kind}/", views.line_add, {"kind": kind}, name=f"{singular}_add"),
        path(
            f"<int:estimate_id>/{kind}/<int:{param}>/",
            views.line_edit,
            {"kind": kind},
            name=f"{singular}_edit",
        ),
        path(
            f"<int:estimate_id>/{kind}/<int:{param}>/remove/",
            views.line_remove,
            {"kind": kind},
            name=f"{singular}_remove",
        ),
    ]
