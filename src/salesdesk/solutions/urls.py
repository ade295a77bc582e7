"""Pages of solution designs (included under /solutions/ with the "solutions" namespace)."""

from django.urls import path

from . import views

app_name = "solutions"

V = "<int:design_id>/v<int:version_number>/"

urlpatterns = [
    path("", views.design_list, name="design_list"),
    path("product-gaps/", views.product_gap_list, name="product_gaps"),
    path("product-gaps/<int:gap_id>/decide/", views.product_gap_decide, name="product_gap_decide"),
    path("new/<int:opportunity_id>/", views.design_create, name="design_create"),
    path("<int:design_id>/", views.design_detail, name="design_detail"),
    path("<int:design_id>/edit/", views.design_edit, name="design_edit"),
    path("<int:design_id>/versions/new/", views.version_new, name="version_new"),
    path(V, views.version_detail, name="version"),
    path(V + "finalise/", views.version_finalise, name="version_finalise"),
    path(V + "assumptions/", views.assumptions_save, name="assumptions"),
    path(V + "components/", views.component_add, name="component_add"),
    path(V + "components/<int:component_id>/", views.component_edit, name="component_edit"),
    path(V + "components/<int:component_id>/remove/", views.component_remove, name="component_remove"),
    path(V + "services/", views.service_line_add, name="service_line_add"),
    path(V + "services/<int:service_line_id>/remove/", views.service_line_remove, name="service_line_remove"),
    path(V + "checks/", views.version_checks_page, name="checks"),
    path(V + "fit-gap/", views.fit_gap_page, name="fit_gap"),
    path(V + "fit-gap/<int:requirement_id>/", views.fit_gap_row, name="fit_gap_row"),
    path(V + "fit-gap/<int:requirement_id>/product-gap/", views.product_gap_raise, name="product_gap_raise"),
]

# Sizing, charts and the feasibility report (helper h2's pages) live in sizing_views.
try:
    from .sizing_views import urlpatterns as sizing_urlpatterns
except ImportError:  # pragma: no cover - sizing pages not installed
    sizing_urlpatterns = []
urlpatterns += sizing_urlpatterns
