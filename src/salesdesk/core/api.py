"""The API kit every app's router uses: auth, one error shape, ETags, pagination."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import CursorPagination
from ninja.security import APIKeyCookie, HttpBearer

from .errors import ApplicationError, StaleWrite
from .tokens import token_authenticate

log = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sd_…`` — a personal API token, for scripts."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session, with Django's CSRF check on unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


def error_body(detail: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or []}


def _location(loc: list[Any] | tuple[Any, ...]) -> str:
    # ninja reports ("body", "payload", "amount"); the client knows the field as "amount".
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "payload", "cookie")]
    return ".".join(parts) or "__all__"


def install_error_handlers(api: NinjaAPI) -> None:
    """One error shape everywhere: {"detail": "...", "errors": [{"field", "message"}]}."""

    @api.exception_handler(ApplicationError)
    def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        return api.create_response(request, exc.as_body(), status=exc.status)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [{"field": _location(e.get("loc", ())), "message": e.get("msg", "is not valid")}
                  for e in exc.errors]
        detail = errors[0]["message"] if len(errors) == 1 else "The request is not valid."
        if len(errors) == 1:
            detail = f"{errors[0]['field']}: {errors[0]['message']}"
        return api.create_response(request, error_body(detail, errors), status=400)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request, error_body("Sign in, or send 'Authorization: Bearer <token>' with an active API token."),
            status=401)

    @api.exception_handler(PermissionDenied)
    def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(request, error_body(str(exc) or "You may not do this."), status=403)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # The same body whether the record does not exist or belongs to someone else.
        return api.create_response(request, error_body("Not found."), status=404)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(request, error_body(str(exc)), status=exc.status_code)


def etag_of(instance: Any) -> str:
    return f'"{instance.pk}.{instance.version}"'


def set_etag(response: HttpResponse, instance: Any) -> None:
    response["ETag"] = etag_of(instance)


def expected_version(request: HttpRequest, instance: Any) -> int | None:
    """The version the client last read, from ``If-Match``; 412 when it is not the current one.

    Without the header the write goes ahead (last write wins), as RFC 9110 allows; with
    it, a client never overwrites a change it has not seen.
    """
    header = request.headers.get("If-Match")
    if not header:
        return None
    if header.strip() == "*":
        return instance.version
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    if etag_of(instance) not in tags:
        raise StaleWrite("If-Match", "the record changed since you read it; fetch it again and retry")
    return instance.version


class Cursor(CursorPagination):
    """Keyset pagination for every list: ``?cursor=…&page_size=…`` → ``{results, next, previous}``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("page_size", 25)
        kwargs.setdefault("max_page_size", 200)
        super().__init__(**kwargs)
