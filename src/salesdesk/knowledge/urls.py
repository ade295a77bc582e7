"""Pages of the knowledge app (included under /knowledge/ with the "knowledge" namespace)."""

from django.urls import path

from . import views

app_name = "knowledge"

STEPS = ("submit", "publish", "return", "archive", "flag", "reviewed")

urlpatterns = [
    path("", views.knowledge_home, name="knowledge_home"),
    path("review/", views.review_list, name="knowledge_review"),
]

for kind in ("answer", "article"):
    param = f"<int:{kind}_id>"
    urlpatterns += [
        path(f"{kind}s/new/", views.item_create, {"kind": kind}, name=f"{kind}_create"),
        path(f"{kind}s/{param}/", views.item_detail, {"kind": kind}, name=f"{kind}_detail"),
        path(f"{kind}s/{param}/edit/", views.item_edit, {"kind": kind}, name=f"{kind}_edit"),
        path(f"{kind}s/{param}/versions/", views.item_versions, {"kind": kind}, name=f"{kind}_versions"),
        *[
            path(
                f"{kind}s/{param}/{step}/",
                views.item_step,
                {"kind": kind, "step": step},
                name=f"{kind}_{step}",
            )
            for step in STEPS
        ],
    ]
