"""API of the knowledge app: answers and articles, their workflow, versions and diffs.

Thin: selectors read (audience scoping included), services write. The two kinds share
handlers; each route is declared once per kind so its path parameter says what it is.
"""

import inspect
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from salesdesk.core.api import (
    AuditEventOut,
    AuthedRequest,
    Cursor,
    expected_version,
    not_modified,
    set_etag,
)
from salesdesk.core.audit import events_for
from salesdesk.core.permissions import require

from . import services
from .choices import ArticleKind, Audience, KnowledgeStatus
from .models import Answer, Article, KnowledgeItem
from .schemas import (
    AnswerIn,
    AnswerOut,
    AnswerPatch,
    ArticleIn,
    ArticleOut,
    ArticlePatch,
    DiffOut,
    ReturnIn,
    VersionOut,
)
from .selectors import (
    answer_get_for_user,
    article_get_for_user,
    item_search,
    may_see_versions,
    version_diff,
    versions_of,
)

router = Router(tags=["knowledge"])


class ItemFilters(Schema):
    q: str = ""
    status: KnowledgeStatus | None = None
    audience: Audience | None = None
    tag: str = ""
    product_id: int | None = None
    stale: bool = False
    owner_id: int | None = None


class ArticleFilters(ItemFilters):
    kind: ArticleKind | None = None


def _filters(filters: ItemFilters) -> dict[str, Any]:
    data = filters.dict()
    return {
        "query": data.pop("q").strip(),
        "status": data.pop("status") or "",
        "audience": data.pop("audience") or "",
        "kind": data.pop("kind", None) or "",
        "stale_only": data.pop("stale"),
        **data,
    }


def _data(payload: Any, **options: bool) -> dict[str, Any]:
    data = payload.dict(**options)
    for key in ("audience", "kind"):
        if hasattr(data.get(key), "value"):
            data[key] = data[key].value
    return data


def _takes(param: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a shared handler's ``**kwargs`` a named path parameter (``answer_id: int``).

    django-ninja reads parameters from the signature; one handler serves both kinds.
    """

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(fn)
        params = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
        params.append(inspect.Parameter(param, inspect.Parameter.KEYWORD_ONLY, annotation=int))
        fn.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        return fn

    return decorate


def _versions_allowed(request: AuthedRequest) -> None:
    if not may_see_versions(request.auth):
        raise PermissionDenied("Versions and history of knowledge items are for staff.")


def _register(
    *,
    kind: str,
    model: type[KnowledgeItem],
    get: Callable[..., Any],
    out: type[Schema],
    payload_in: type[Schema],
    payload_patch: type[Schema],
    filters_schema: type[Schema],
) -> None:
    """Declare one kind's routes: /api/{kind}s and /api/{kind}s/{{kind}_id}/…"""
    plural = f"{kind}s"
    param = f"{kind}_id"
    base = f"/{plural}/{{{param}}}"

    def fetch(request: AuthedRequest, kwargs: dict[str, Any]) -> Any:
        return get(user=request.auth, **{param: kwargs[param]})

    @router.get(
        f"/{plural}",
        response=list[out],
        operation_id=f"{kind}_list",
        summary=f"The {plural} you may read, newest change first",
    )
    @paginate(Cursor, ordering=("-id",))
    def item_list(request: AuthedRequest, filters: Query[filters_schema]) -> Any:  # type: ignore[valid-type]
        require(request.auth, "knowledge.view")
        return item_search(model=model, user=request.auth, **_filters(filters))  # type: ignore[arg-type]

    @router.post(
        f"/{plural}", response={201: out}, operation_id=f"{kind}_add", summary=f"Draft a new {kind} (level 2)"
    )
    def item_add(request: AuthedRequest, payload: payload_in, response: HttpResponse) -> Any:  # type: ignore[valid-type]
        data = _data(payload, exclude_none=True)
        item = services.item_create(actor=request.auth, model=model, data=data)
        set_etag(response, item)
        return item

    @router.get(
        base,
        response=out,
        operation_id=f"{kind}_detail",
        summary=f"One {kind}; If-None-Match with its ETag gives 304",
    )
    @_takes(param)
    def item_detail(request: AuthedRequest, response: HttpResponse, **kwargs: int) -> Any:
        item = fetch(request, kwargs)
        if (unchanged := not_modified(request, item)) is not None:
            return unchanged
        set_etag(response, item)
        return item

    @router.patch(
        base,
        response=out,
        operation_id=f"{kind}_patch",
        summary=f"Change a {kind}; send If-Match with its ETag (412 if stale)",
    )
    @_takes(param)
    def item_patch(
        request: AuthedRequest, payload: payload_patch, response: HttpResponse, **kwargs: int
    ) -> Any:  # type: ignore[valid-type]
        item = fetch(request, kwargs)
        item = services.item_update(
            actor=request.auth,
            item=item,
            data=_data(payload, exclude_unset=True),
            expected_version=expected_version(request, item),
        )
        set_etag(response, item)
        return get(user=request.auth, **{param: item.pk})

    @router.get(
        f"{base}/versions",
        operation_id=f"{kind}_versions",
        response=list[VersionOut],
        summary=f"Every saved version of a {kind}",
    )
    @paginate(Cursor, ordering=("-number",))
    @_takes(param)
    def item_versions(request: AuthedRequest, **kwargs: int) -> Any:
        item = fetch(request, kwargs)
        _versions_allowed(request)
        return versions_of(item)

    @router.get(
        f"{base}/diff",
        operation_id=f"{kind}_diff",
        response=DiffOut,
        summary="A unified diff of two versions (?from=&to=)",
    )
    @_takes(param)
    def item_diff(
        request: AuthedRequest,
        from_: int | None = Query(None, alias="from", ge=1, description="Older version number"),
        to: int | None = Query(None, ge=1, description="Newer version number (default: latest)"),
        **kwargs: Any,
    ) -> Any:
        item = fetch(request, kwargs)
        _versions_allowed(request)
        return version_diff(item, from_, to)

    @router.get(
        f"{base}/history",
        operation_id=f"{kind}_history",
        response=list[AuditEventOut],
        summary=f"Every change of a {kind}",
    )
    @paginate(Cursor, ordering=("-id",))
    @_takes(param)
    def item_history(request: AuthedRequest, **kwargs: int) -> Any:
        item = fetch(request, kwargs)
        _versions_allowed(request)
        require(request.auth, "audit.view")
        return events_for(item)

    def step(name: str, action: Callable[..., Any], summary: str, with_comment: bool = False) -> None:
        if with_comment:

            @_takes(param)
            def handler(
                request: AuthedRequest, payload: ReturnIn, response: HttpResponse, **kwargs: int
            ) -> Any:
                item = fetch(request, kwargs)
                item = action(
                    actor=request.auth,
                    item=item,
                    comment=payload.comment,
                    expected_version=expected_version(request, item),
                )
                set_etag(response, item)
                return get(user=request.auth, **{param: item.pk})

        else:

            @_takes(param)
            def handler(request: AuthedRequest, response: HttpResponse, **kwargs: int) -> Any:  # type: ignore[misc]
                item = fetch(request, kwargs)
                item = action(actor=request.auth, item=item, expected_version=expected_version(request, item))
                set_etag(response, item)
                return get(user=request.auth, **{param: item.pk})

        router.post(f"{base}/{name}", response=out, summary=summary, operation_id=f"{kind}_{name}")(handler)

    step("submit", services.item_submit, "Send a draft for review (level 2)")
    step("publish", services.item_publish, "Publish an item in review (level 5)")
    step("return", services.item_return, "Return to draft with a comment (level 5)", with_comment=True)
    step("archive", services.item_archive, "Archive an item (level 5)")


_register(
    kind="answer",
    model=Answer,
    get=answer_get_for_user,
    out=AnswerOut,
    payload_in=AnswerIn,
    payload_patch=AnswerPatch,
    filters_schema=ItemFilters,
)
_register(
    kind="article",
    model=Article,
    get=article_get_for_user,
    out=ArticleOut,
    payload_in=ArticleIn,
    payload_patch=ArticlePatch,
    filters_schema=ArticleFilters,
)
