"""The API kit every app's router uses: auth, one error shape, ETags, pagination."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Annotated, Any

import pydantic
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import CursorPagination
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf
from pydantic_core import PydanticCustomError

from .errors import ApplicationError, StaleWrite
from .tokens import token_authenticate

log = logging.getLogger(__name__)

# The largest id a database integer column holds (bigint). A bigger number in a filter
# would crash the query (OverflowError on SQLite), so the API refuses it with a 400.
MAX_DB_ID = 2**63 - 1

DbId = Annotated[int, Field(ge=1, le=MAX_DB_ID)]
"""An id in a query or body parameter: 1 … 2**63-1, else a 400 naming the parameter."""


def _check_value(value: Any) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            # PostgreSQL cannot store NUL in text: refused here, not a 500 there.
            raise PydanticCustomError("nul_character", "must not contain NUL characters")
    elif isinstance(value, int) and not isinstance(value, bool):
        if abs(value) > MAX_DB_ID:
            raise PydanticCustomError("number_too_big", f"must be at most {MAX_DB_ID}")
    elif isinstance(value, list | tuple | set):
        for item in value:
            _check_value(item)
    elif isinstance(value, dict):
        for item in value.values():
            _check_value(item)


class InputSchema(Schema):
    """The base of every In and Patch schema: no NUL characters, no integers beyond the database's.

    Both would otherwise reach the database and fail there with a 500 (NUL on
    PostgreSQL, oversized integers on SQLite); here they are a 400 naming the field.
    """

    @pydantic.field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        _check_value(value)
        return value


class AuthedRequest(HttpRequest):
    """What a handler receives: ``request.auth`` is the signed-in user (token or session)."""

    auth: Any


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

    def __call__(self, request: HttpRequest) -> Any | None:
        # Nobody signed in: answer 401 (sign in), not a CSRF 403 that would mislead a script
        # which simply forgot its token.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        return super().__call__(request)

    def _get_key(self, request: HttpRequest) -> str | None:
        # The cookie is sent by the browser on its own, so an unsafe request must prove it
        # comes from our pages (CSRF token), exactly as a form post would.
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise PermissionDenied(
                "CSRF check failed: send the X-CSRFToken header with the csrftoken "
                "cookie's value, or use 'Authorization: Bearer <token>' instead."
            )
        return request.COOKIES.get(self.param_name)

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
        errors = [
            {"field": _location(e.get("loc", ())), "message": e.get("msg", "is not valid")}
            for e in exc.errors
        ]
        detail = errors[0]["message"] if len(errors) == 1 else "The request is not valid."
        if len(errors) == 1:
            detail = f"{errors[0]['field']}: {errors[0]['message']}"
        return api.create_response(request, error_body(detail, errors), status=400)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request,
            error_body("Sign in, or send 'Authorization: Bearer <token>' with an active API token."),
            status=401,
        )

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

    @api.exception_handler(RequestDataTooBig)
    def body_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        from django.conf import settings

        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return api.create_response(
            request, error_body(f"The request body is too large: at most {limit} bytes."), status=413
        )

    @api.exception_handler(Exception)
    def unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A bug: the details go to the log under an id the user can quote, never to the client.
        error_id = secrets.token_hex(4)
        log.exception("API error %s on %s %s", error_id, request.method, request.path)
        detail = (
            f"Something went wrong (error id {error_id}); the administrator can find the details in the log."
        )
        return api.create_response(request, error_body(detail), status=500)


# The name of the catch-all URL parameter, for tools that walk every route.
UNMATCHED_API_PATH = "unmatched_api_path"


def api_not_found(request: HttpRequest, unmatched_api_path: str = "") -> JsonResponse:
    """Any /api/ URL no route matches (a typo, a trailing slash): the API's 404, not an HTML page."""
    detail = "Not found."
    if unmatched_api_path.endswith("/"):
        detail = f"Not found. API paths have no trailing slash: /api/{unmatched_api_path.rstrip('/')}"
    return JsonResponse(error_body(detail), status=404)


def etag_of(instance: Any) -> str:
    return f'"{instance.pk}.{instance.version}"'


def set_etag(response: HttpResponse, instance: Any) -> None:
    response["ETag"] = etag_of(instance)


def _tags(header: str) -> list[str]:
    return [t.strip().removeprefix("W/") for t in header.split(",")]


def not_modified(request: HttpRequest, instance: Any) -> HttpResponse | None:
    """A 304 when the client's ``If-None-Match`` already names the current version, else None."""
    header = request.headers.get("If-None-Match")
    if not header:
        return None
    if header.strip() != "*" and etag_of(instance) not in _tags(header):
        return None
    response = HttpResponseNotModified()
    set_etag(response, instance)
    return response


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
    if etag_of(instance) not in _tags(header):
        raise StaleWrite("If-Match", "the record changed since you read it; fetch it again and retry")
    return instance.version


class Cursor(CursorPagination):
    """Keyset pagination for every list: ``?cursor=…&page_size=…`` → ``{results, next, previous}``.

    Give each list an explicit ``ordering`` whose *first* field is unique or nearly so
    (``("-id",)``, ``("name", "id")``): the cursor remembers the first field's value and
    skips rows that share it by offset, which ninja caps at 100. A nullable first field
    does not work at all (its position would be the text "None").
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("page_size", 25)
        kwargs.setdefault("max_page_size", 200)
        super().__init__(**kwargs)

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        if pagination.cursor:
            self._check_cursor(queryset, pagination.cursor)
        return super().paginate_queryset(queryset, pagination, request, **params)

    def _check_cursor(self, queryset: QuerySet, encoded: str) -> None:
        """A cursor someone edited or copied from another list is a 400 naming it, not a 500."""
        try:
            cursor = self.Cursor.from_encoded_param(encoded)
            if cursor.p is not None:
                meta = queryset.model._meta
                field = meta.pk if self._order_attribute == "pk" else meta.get_field(self._order_attribute)
                field.to_python(cursor.p)
        except (ValidationError, pydantic.ValidationError, DjangoValidationError, UnicodeError) as exc:
            raise ApplicationError(
                "cursor", "is not a cursor this list gave out; start again without it"
            ) from exc


class Ref(Schema):
    """A reference to another record in a response: its id and how people call it."""

    id: int
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj)


class AuditEventOut(Schema):
    """One entry of a record's history or an account's timeline."""

    id: int
    at: dt.datetime
    action: str
    step: str
    actor_id: int | None
    actor_label: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    detail: dict[str, Any]

    @staticmethod
    def resolve_object_type(obj: Any) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"
