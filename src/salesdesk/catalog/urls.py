"""Pages of the catalog app (included under /catalog/ with the "catalog" namespace)."""

from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.product_list, name="product_list"),
    path("new/", views.product_create, name="product_create"),
    path("import/", views.catalog_import, name="catalog_import"),
    path("export/", views.catalog_export, name="catalog_export"),
    path("<int:product_id>/", views.product_detail, name="product_detail"),
    path("<int:product_id>/edit/", views.product_edit, name="product_edit"),
    path("<int:product_id>/lifecycle/", views.product_lifecycle, name="product_lifecycle"),
    path("<int:product_id>/specs/", views.spec_add, name="spec_add"),
    path("<int:product_id>/specs/<int:spec_id>/remove/", views.spec_remove, name="spec_remove"),
    path("<int:product_id>/prices/", views.price_add, name="price_add"),
    path("<int:product_id>/prices/<int:price_id>/remove/", views.price_remove, name="price_remove"),
]
