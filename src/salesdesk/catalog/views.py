"""Pages of the catalog: list, detail, forms, lifecycle step, import and export. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesdesk.core import audit
from salesdesk.core.errors import ApplicationError
from salesdesk.core.pages import form_page, optional_id, paginate, query_without_page, sort_param
from salesdesk.core.permissions import holds, require

from . import io, services
from .choices import Lifecycle, OfferingKind
from .forms import ImportForm, LifecycleForm, PriceForm, ProductForm, SpecForm
from .models import Product
from .selectors import (
    bundle_contents,
    current_prices,
    price_get_for_user,
    product_get_for_user,
    product_option_of,
    product_options,
    product_prices,
    product_rules,
    product_search,
    product_specs,
    sees_cost,
    spec_get_for_user,
    visible_categories,
    visible_products,
)

PRODUCT_SORTS = {
    "name": "name",
    "sku": "sku",
    "category": "category__name",
    "lifecycle": "lifecycle",
    "updated": "updated_at",
}


def _filters(request: HttpRequest) -> dict:
    kind = request.GET.get("kind", "")
    lifecycle = request.GET.get("lifecycle", "")
    return {
        "query": request.GET.get("q", "").strip(),
        "category_id": optional_id(request.GET.get("category")),
        "kind": kind if kind in OfferingKind.values else "",
        "lifecycle": lifecycle if lifecycle in Lifecycle.values else "",
    }


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "catalog.view")
    filters = _filters(request)
    sort, ordering = sort_param(request, PRODUCT_SORTS, "name")
    page = paginate(request, product_search(user=request.user, ordering=ordering, **filters))
    return render(
        request,
        "catalog/product_list.html",
        {
            "page": page,
            "filters": filters,
            "sort": sort,
            "querystring": query_without_page(request),
            "kinds": OfferingKind.choices,
            "lifecycles": Lifecycle.choices,
            "categories": visible_categories(request.user).only("id", "name"),
            "can_edit": holds(request.user, "catalog.edit"),
            "can_export": holds(request.user, "catalog.export"),
        },
    )


def _detail_context(
    request: HttpRequest,
    product: Product,
    lifecycle_form: LifecycleForm | None = None,
    spec_form: SpecForm | None = None,
    price_form: PriceForm | None = None,
) -> dict:
    can_edit = holds(request.user, "catalog.edit")
    if can_edit:
        lifecycle_form = lifecycle_form or LifecycleForm(
            initial={"lifecycle": product.lifecycle, "version": product.version}
        )
        spec_form = spec_form or SpecForm(prefix="spec")
        price_form = price_form or PriceForm(prefix="price")
    # Editors see every price list entry (past and future too), so they can remove one
    # entered by mistake; everyone else the prices valid today.
    if can_edit:
        prices = product_prices(user=request.user, product=product)
    else:
        prices = current_prices(user=request.user, product=product)
    successor = None
    if product.successor_id is not None:  # hidden when it is on the (internal) roadmap
        successor = visible_products(request.user).filter(pk=product.successor_id).first()
    return {
        "product": product,
        "successor": successor,
        "specs": product_specs(product),
        "prices": prices,
        "show_cost": sees_cost(request.user),
        "options": product_options(user=request.user, product=product),
        "option_of": product_option_of(user=request.user, product=product),
        "bundle_items": bundle_contents(user=request.user, product=product),
        "rules": product_rules(user=request.user, product=product),
        "can_edit": can_edit,
        "lifecycle_form": lifecycle_form,
        "spec_form": spec_form,
        "price_form": price_form,
        "events": audit.events_for(product)[:50] if holds(request.user, "audit.view") else None,
    }


@login_required
@require_GET
def product_detail(request: HttpRequest, product_id: int) -> HttpResponse:
    product = product_get_for_user(user=request.user, product_id=product_id)
    return render(request, "catalog/product_detail.html", _detail_context(request, product))


@login_required
@require_POST
def product_lifecycle(request: HttpRequest, product_id: int) -> HttpResponse:
    product = product_get_for_user(user=request.user, product_id=product_id)
    require(request.user, "catalog.edit")
    form = LifecycleForm(request.POST)
    if form.is_valid():
        try:
            product = services.product_set_lifecycle(
                actor=request.user,
                product=product,
                lifecycle=form.cleaned_data["lifecycle"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data.get("version"),
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{product} is now {product.get_lifecycle_display().lower()}.")
            return redirect("web:catalog:product_detail", product_id=product.pk)
    return render(request, "catalog/product_detail.html", _detail_context(request, product, form), status=400)


def _back_to(product: Product) -> HttpResponse:
    return redirect("web:catalog:product_detail", product_id=product.pk)


@login_required
@require_POST
def spec_add(request: HttpRequest, product_id: int) -> HttpResponse:
    """Add a specification to the product (or change the one of that name)."""
    product = product_get_for_user(user=request.user, product_id=product_id)
    require(request.user, "catalog.edit")
    form = SpecForm(request.POST, prefix="spec")
    if form.is_valid():
        try:
            spec = services.spec_set(actor=request.user, product=product, data=form.service_data())
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"Specification {spec.name} saved.")
            return _back_to(product)
    context = _detail_context(request, product, spec_form=form)
    return render(request, "catalog/product_detail.html", context, status=400)


@login_required
@require_POST
def spec_remove(request: HttpRequest, product_id: int, spec_id: int) -> HttpResponse:
    product = product_get_for_user(user=request.user, product_id=product_id)
    require(request.user, "catalog.edit")
    spec = spec_get_for_user(user=request.user, product=product, spec_id=spec_id)
    services.spec_delete(actor=request.user, spec=spec)
    messages.success(request, f"Specification {spec.name} removed.")
    return _back_to(product)


@login_required
@require_POST
def price_add(request: HttpRequest, product_id: int) -> HttpResponse:
    """Add a price list entry; an overlap with another entry is shown on 'valid from'."""
    product = product_get_for_user(user=request.user, product_id=product_id)
    require(request.user, "catalog.edit")
    form = PriceForm(request.POST, prefix="price")
    if form.is_valid():
        try:
            services.price_create(actor=request.user, product=product, data=form.service_data())
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Price added.")
            return _back_to(product)
    context = _detail_context(request, product, price_form=form)
    return render(request, "catalog/product_detail.html", context, status=400)


@login_required
@require_POST
def price_remove(request: HttpRequest, product_id: int, price_id: int) -> HttpResponse:
    product = product_get_for_user(user=request.user, product_id=product_id)
    require(request.user, "catalog.edit")
    price = price_get_for_user(user=request.user, product=product, price_id=price_id)
    services.price_delete(actor=request.user, price=price)
    messages.success(request, "Price removed.")
    return _back_to(product)


@login_required
@require_http_methods(["GET", "POST"])
def product_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "catalog.edit")
    form = ProductForm(request.POST or None)
    return form_page(
        request,
        form,
        "catalog/product_form.html",
        save=lambda: services.product_create(actor=request.user, data=form.service_data()),
        saved=lambda product: f"{product} was added to the catalog as planned.",
        then=lambda product: redirect("web:catalog:product_detail", product_id=product.pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    product = product_get_for_user(user=request.user, product_id=product_id)
    require(request.user, "catalog.edit")
    form = ProductForm(request.POST or None, instance=product)
    return form_page(
        request,
        form,
        "catalog/product_form.html",
        {"product": product},
        save=lambda: services.product_update(
            actor=request.user,
            product=product,
            data=form.service_data(),
            expected_version=form.cleaned_data.get("version"),
        ),
        saved=lambda saved: f"{saved} was saved.",
        then=lambda saved: redirect("web:catalog:product_detail", product_id=saved.pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def catalog_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV or XLSX file; every row is imported, or none and the problems are listed."""
    require(request.user, "catalog.edit")
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = io.catalog_import(
                actor=request.user, data=upload.read(io.MAX_FILE_BYTES + 1), filename=upload.name or ""
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            if report.ok:
                messages.success(
                    request,
                    f"Imported: {report.products_created} products added, {report.products_updated} updated, "
                    f"{report.prices_created} prices added, {report.prices_updated} updated.",
                )
                return redirect("web:catalog:product_list")
    status = 400 if form.is_bound else 200
    return render(request, "catalog/import.html", {"form": form, "report": report}, status=status)


@login_required
def catalog_export(request: HttpRequest) -> HttpResponse:
    """Download the catalog as filtered on the list, as an XLSX workbook (re-importable)."""
    require(request.user, "catalog.export")
    products = product_search(user=request.user, **_filters(request))
    response = HttpResponse(
        io.catalog_export_xlsx(actor=request.user, products=products),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="catalog.xlsx"'
    return response
