"""Pages of the knowledge app (included under /knowledge/ with the "knowledge" namespace)."""

from django.urls import path

from . import search_views, views

app_name = "knowledge"

STEPS = ("submit", "publish", "return", "archive", "flag", "reviewed")

urlpatterns = [
    path("", views.knowledge_home, name="knowledge_home"),
    path("review/", views.review_list, name="knowledge_review"),
    path("search/", search_views.search_page, name="search"),
    path("suggest/", search_views.suggest_page, name="suggest"),
    path("gaps/", search_views.gaps_page, name="gaps"),
    path("answers/<int:answer_id>/send/", search_views.answer_send, name="answer_send"),
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
