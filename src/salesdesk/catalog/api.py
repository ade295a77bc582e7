"""API of the catalog app. Thin: selectors read, services write.

The catalog is shared reference data, so a product id is not "foreign" to anyone who
may read the catalog; planned items and cost prices stay internal.
"""

from typing import Any

from django.http import HttpResponse
from ninja import File, Router, Status, UploadedFile
from ninja.pagination import paginate

from salesdesk.core.api import AuditEventOut, AuthedRequest, Cursor, expected_version, not_modified, set_etag
from salesdesk.core.audit import events_for
from salesdesk.core.permissions import require

from . import io, services
from .choices import Lifecycle, OfferingKind
from .schemas import (
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    ImportReportOut,
    LifecycleIn,
    PriceIn,
    PriceOut,
    PricePatch,
    ProductDetailOut,
    ProductIn,
    ProductOut,
    ProductPatch,
    RuleIn,
    RuleOut,
    RulePatch,
    SpecIn,
    SpecOut,
    SpecPatch,
)
from .selectors import (
    category_get_for_user,
    price_get_for_user,
    product_detail_queryset,
    product_get_for_user,
    product_prices,
    product_rules,
    product_search,
    product_specs,
    rule_get_for_user,
    sees_cost,
    spec_get_for_user,
    visible_categories,
)

router = Router(tags=["catalog"])

PUBLIC_PRICE_FIELDS = ("id", "list_price", "currency", "unit", "valid_from", "valid_to", "version")


def _price_rows(user: Any, prices: Any) -> list[Any]:
    """Prices as the user may see them: without the ``cost_price`` key for non-staff.

    The routes serialise with ``exclude_unset``: a dict without the key leaves the field
    unset, so it is dropped from the answer rather than sent as null.
    """
    if sees_cost(user):
        return list(prices)
    return [{name: getattr(p, name) for name in PUBLIC_PRICE_FIELDS} for p in prices]


def _data(payload: Any, **options: bool) -> dict[str, Any]:
    data = payload.dict(**options)
    for name in ("kind", "lifecycle"):
        if hasattr(data.get(name), "value"):
            data[name] = data[name].value
    return data


# --- Categories ----------------------------------------------------------------------------


@router.get("/categories", response=list[CategoryOut], summary="Catalog categories, by name")
@paginate(Cursor, ordering=("name",))
def category_list(request: AuthedRequest) -> Any:
    return visible_categories(request.auth)


@router.post("/categories", response={201: CategoryOut}, summary="Add a category")
def category_add(request: AuthedRequest, payload: CategoryIn, response: HttpResponse) -> Any:
    category = services.category_create(actor=request.auth, **payload.dict())
    set_etag(response, category)
    return Status(201, category)


@router.get("/categories/{category_id}", response=CategoryOut, summary="One category")
def category_detail(request: AuthedRequest, category_id: int, response: HttpResponse) -> Any:
    category = category_get_for_user(user=request.auth, category_id=category_id)
    set_etag(response, category)
    return category


@router.patch("/categories/{category_id}", response=CategoryOut, summary="Rename or describe a category")
def category_patch(
    request: AuthedRequest, category_id: int, payload: CategoryPatch, response: HttpResponse
) -> Any:
    category = category_get_for_user(user=request.auth, category_id=category_id)
    category = services.category_update(
        actor=request.auth,
        category=category,
        data=payload.dict(exclude_unset=True),
        expected_version=expected_version(request, category),
    )
    set_etag(response, category)
    return category


# --- Products ------------------------------------------------------------------------------


@router.get("/products", response=list[ProductOut], summary="Products and services you may see, newest first")
@paginate(Cursor, ordering=("-id",))
def product_list(
    request: AuthedRequest,
    q: str = "",
    category_id: int | None = None,
    kind: OfferingKind | None = None,
    lifecycle: Lifecycle | None = None,
) -> Any:
    return product_search(
        user=request.auth,
        query=q,
        category_id=category_id,
        kind=kind.value if kind else "",
        lifecycle=lifecycle.value if lifecycle else "",
    )


@router.post("/products", response={201: ProductDetailOut}, summary="Add a product or service")
def product_add(request: AuthedRequest, payload: ProductIn, response: HttpResponse) -> Any:
    product = services.product_create(actor=request.auth, data=_data(payload))
    set_etag(response, product)
    return Status(201, _detail(request, product.pk))


def _detail(request: AuthedRequest, product_id: int) -> Any:
    product = product_get_for_user(user=request.auth, product_id=product_id)
    detail = product_detail_queryset(request.auth).get(pk=product.pk)
    detail.prices_shown = _price_rows(request.auth, detail.prices.all())
    return detail


@router.get(
    "/products/{product_id}",
    response=ProductDetailOut,
    exclude_unset=True,
    summary="One product with specs and prices; send its ETag as If-None-Match to get 304 when unchanged",
)
def product_detail(request: AuthedRequest, product_id: int, response: HttpResponse) -> Any:
    product = product_get_for_user(user=request.auth, product_id=product_id)
    if (unchanged := not_modified(request, product)) is not None:
        return unchanged
    set_etag(response, product)
    return _as_detail(_detail(request, product_id))


def _as_detail(product: Any) -> dict[str, Any]:
    # A dict, so that exclude_unset keeps cost_price out of non-staff answers.
    out = {name: getattr(product, name) for name in ProductDetailOut.model_fields if name != "prices"}
    out["specs"] = list(product.specs.all())
    out["category"] = product.category
    out["prices"] = product.prices_shown
    return out


@router.patch(
    "/products/{product_id}",
    response=ProductDetailOut,
    exclude_unset=True,
    summary="Change a product; send If-Match with its ETag (412 when it changed)",
)
def product_patch(
    request: AuthedRequest, product_id: int, payload: ProductPatch, response: HttpResponse
) -> Any:
    product = product_get_for_user(user=request.auth, product_id=product_id)
    product = services.product_update(
        actor=request.auth,
        product=product,
        data=_data(payload, exclude_unset=True),
        expected_version=expected_version(request, product),
    )
    set_etag(response, product)
    return _as_detail(_detail(request, product.pk))


@router.post(
    "/products/{product_id}/lifecycle",
    response=ProductDetailOut,
    exclude_unset=True,
    summary="Move a product to another lifecycle stage (recorded as a workflow step)",
)
def product_lifecycle(
    request: AuthedRequest, product_id: int, payload: LifecycleIn, response: HttpResponse
) -> Any:
    product = product_get_for_user(user=request.auth, product_id=product_id)
    product = services.product_set_lifecycle(
        actor=request.auth,
        product=product,
        lifecycle=payload.lifecycle.value,
        note=payload.note,
        expected_version=expected_version(request, product),
    )
    set_etag(response, product)
    return _as_detail(_detail(request, product.pk))


@router.get(
    "/products/{product_id}/history",
    response=list[AuditEventOut],
    summary="Every change of this product, its specs, prices and rules, newest first",
)
@paginate(Cursor, ordering=("-id",))
def product_history(request: AuthedRequest, product_id: int) -> Any:
    product = product_get_for_user(user=request.auth, product_id=product_id)
    require(request.auth, "audit.view")
    return events_for(product)


# --- Specifications ------------------------------------------------------------------------


@router.get(
    "/products/{product_id}/specs", response=list[SpecOut], summary="A product's technical specifications"
)
def spec_list(request: AuthedRequest, product_id: int) -> Any:
    product = product_get_for_user(user=request.auth, product_id=product_id)
    return product_specs(product)


@router.post(
    "/products/{product_id}/specs",
    response={201: SpecOut},
    summary="Add a specification (or change the one of that name)",
)
def spec_add(request: AuthedRequest, product_id: int, payload: SpecIn) -> Any:
    product = product_get_for_user(user=request.auth, product_id=product_id)
    return Status(201, services.spec_set(actor=request.auth, product=product, data=payload.dict()))


@router.patch("/products/{product_id}/specs/{spec_id}", response=SpecOut, summary="Change a specification")
def spec_patch(
    request: AuthedRequest, product_id: int, spec_id: int, payload: SpecPatch, response: HttpResponse
) -> Any:
    product = product_get_for_user(user=request.auth, product_id=product_id)
    spec = spec_get_for_user(user=request.auth, product=product, spec_id=spec_id)
    spec = services.spec_update(
        actor=request.auth,
        spec=spec,
        data=payload.dict(exclude_unset=True),
        expected_version=expected_version(request, spec),
    )
    set_etag(response, spec)
    return spec


@router.delete(
    "/products/{product_id}/specs/{spec_id}", response={204: None}, summary="Remove a specification"
)
def spec_remove(request: AuthedRequest, product_id: int, spec_id: int) -> Any:
    product = product_get_for_user(user=request.auth, product_id=product_id)
    spec = spec_get_for_user(user=request.auth, product=product, spec_id=spec_id)
    services.spec_delete(actor=request.auth, spec=spec)
    return Status(204, None)


# --- Prices --------------------------------------------------------------------------------


@router.get(
    "/products/{product_id}/prices",
    response=list[PriceOut],
    exclude_unset=True,
    summary="A product's price list entries (cost prices for staff only)",
)
def price_list(request: AuthedRequest, product_id: int) -> Any:
    product = product_get_for_user(user=request.auth, product_id=product_id)
    return _price_rows(request.auth, product_prices(user=request.auth, product=product))


@router.post(
    "/products/{product_id}/prices",
    response={201: PriceOut},
    exclude_unset=True,
    summary="Add a price list entry (refused when it overlaps another of the same currency and unit)",
)
def price_add(request: AuthedRequest, product_id: int, payload: PriceIn) -> Any:
    product = product_get_for_user(user=request.auth, product_id=product_id)
    price = services.price_create(actor=request.auth, product=product, data=payload.dict())
    return Status(201, _price_rows(request.auth, [price])[0])


@router.patch(
    "/products/{product_id}/prices/{price_id}",
    response=PriceOut,
    exclude_unset=True,
    summary="Change a price list entry; send If-Match with its ETag",
)
def price_patch(
    request: AuthedRequest, product_id: int, price_id: int, payload: PricePatch, response: HttpResponse
) -> Any:
    product = product_get_for_user(user=request.auth, product_id=product_id)
    price = price_get_for_user(user=request.auth, product=product, price_id=price_id)
    price = services.price_update(
        actor=request.auth,
        price=price,
        data=payload.dict(exclude_unset=True),
        expected_version=expected_version(request, price),
    )
    set_etag(response, price)
    return _price_rows(request.auth, [price])[0]


@router.delete(
    "/products/{product_id}/prices/{price_id}", response={204: None}, summary="Remove a price list entry"
)
def price_remove(request: AuthedRequest, product_id: int, price_id: int) -> Any:
    product = product_get_for_user(user=request.auth, product_id=product_id)
    price = price_get_for_user(user=request.auth, product=product, price_id=price_id)
    services.price_delete(actor=request.auth, price=price)
    return Status(204, None)


# --- Compatibility rules -------------------------------------------------------------------


@router.get(
    "/products/{product_id}/rules",
    response=list[RuleOut],
    summary="Compatibility rules on this product, and exclusions naming it",
)
def rule_list(request: AuthedRequest, product_id: int) -> Any:
    product = product_get_for_user(user=request.auth, product_id=product_id)
    return product_rules(user=request.auth, product=product)


@router.post("/products/{product_id}/rules", response={201: RuleOut}, summary="Add a compatibility rule")
def rule_add(request: AuthedRequest, product_id: int, payload: RuleIn) -> Any:
    product = product_get_for_user(user=request.auth, product_id=product_id)
    return Status(201, services.rule_create(actor=request.auth, product=product, data=_data(payload)))


@router.patch(
    "/products/{product_id}/rules/{rule_id}", response=RuleOut, summary="Change a compatibility rule"
)
def rule_patch(
    request: AuthedRequest, product_id: int, rule_id: int, payload: RulePatch, response: HttpResponse
) -> Any:
    product = product_get_for_user(user=request.auth, product_id=product_id)
    rule = rule_get_for_user(user=request.auth, product=product, rule_id=rule_id)
    rule = services.rule_update(
        actor=request.auth,
        rule=rule,
        data=_data(payload, exclude_unset=True),
        expected_version=expected_version(request, rule),
    )
    set_etag(response, rule)
    return rule


@router.delete(
    "/products/{product_id}/rules/{rule_id}", response={204: None}, summary="Remove a compatibility rule"
)
def rule_remove(request: AuthedRequest, product_id: int, rule_id: int) -> Any:
    product = product_get_for_user(user=request.auth, product_id=product_id)
    rule = rule_get_for_user(user=request.auth, product=product, rule_id=rule_id)
    services.rule_delete(actor=request.auth, rule=rule)
    return Status(204, None)


# --- Import and export ---------------------------------------------------------------------


@router.post(
    "/catalog/import",
    response={200: ImportReportOut, 400: ImportReportOut},
    summary="Import products (with specs) and prices from CSV or XLSX: every row or none",
)
def catalog_import(request: AuthedRequest, file: UploadedFile = File(...)) -> Any:  # noqa: B008
    require(request.auth, "catalog.edit")
    # Never read more than the limit into memory; one byte more is enough to refuse it.
    data = file.read(io.MAX_FILE_BYTES + 1)
    report = io.catalog_import(actor=request.auth, data=data, filename=file.name or "")
    body = {
        "ok": report.ok,
        "products_created": report.products_created,
        "products_updated": report.products_updated,
        "prices_created": report.prices_created,
        "prices_updated": report.prices_updated,
        "problems": [p.__dict__ for p in report.problems],
    }
    return (200 if report.ok else 400), body


@router.get(
    "/catalog/export",
    summary="Download the catalog as XLSX (format=xlsx) or one table as CSV (format=csv&table=prices)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def catalog_export(
    request: AuthedRequest, format: str = "xlsx", table: str = "products", q: str = ""
) -> HttpResponse:
    products = product_search(user=request.auth, query=q)
    if format == "csv":
        content = io.catalog_export_csv(actor=request.auth, products=products, table=table)
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="catalog-{table}.csv"'
    else:
        content = io.catalog_export_xlsx(actor=request.auth, products=products)
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="catalog.xlsx"'
    response["Cache-Control"] = "no-store"
    return response
