"""API middleware: Idempotency-Key on POSTs, and one JSON error shape for everything under /api/."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from .models import IdempotencyRecord
from .tokens import token_authenticate

log = logging.getLogger(__name__)

# Refused before the request ran (not signed in, CSRF, not allowed, throttled): nothing
# happened, so a retry with the same key — say after fixing the CSRF token — must run for real.
NOT_STORED = frozenset({401, 403, 429})

# Responses that reveal a secret, by path, with what a retry is told instead. Their body
# is never stored (the database would hold the secret in plain text) and never replayed:
# a retry with the same key gets 409, and nothing is created a second time.
SECRET_RESPONSES = {
    "/api/tokens": "this request was already carried out; the token secret is shown only once",
}

# Response headers a replay carries, as the first response did.
REPLAYED_HEADERS = ("Cache-Control", "ETag", "Location")

# Expired records are deleted by the middleware itself, at most once per this many seconds.
PURGE_EVERY_SECONDS = 600
_last_purge = 0.0


def _request_user(request: HttpRequest) -> Any:
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return token_authenticate(auth[7:].strip())
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _key_error(status: int, message: str, detail: str | None = None) -> JsonResponse:
    return JsonResponse(
        {
            "detail": detail or f"Idempotency-Key: {message}",
            "errors": [{"field": "Idempotency-Key", "message": message}],
        },
        status=status,
    )


def body_too_big() -> JsonResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return JsonResponse(
        {"detail": f"The request body is too large: at most {limit} bytes.", "errors": []}, status=413
    )


def request_digest(request: HttpRequest) -> str:
    """The fingerprint of a request: method, path and body (JSON compared by meaning, not by bytes)."""
    body = request.body  # not JSON: the raw bytes
    with contextlib.suppress(ValueError, UnicodeDecodeError):
        # {"a":1,"b":2} and {"b": 2, "a": 1} are the same request.
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(request.method.encode() + request.path.encode() + b"\n" + body).hexdigest()


def purge_expired_idempotency_records() -> int:
    """Delete the records older than SALESDESK_IDEMPOTENCY_TTL_HOURS; returns how many."""
    since = timezone.now() - timedelta(hours=settings.SALESDESK_IDEMPOTENCY_TTL_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=since).delete()
    return deleted


def _purge_now_and_then() -> None:
    global _last_purge
    now = time.monotonic()
    if now - _last_purge >= PURGE_EVERY_SECONDS:
        _last_purge = now
        purge_expired_idempotency_records()


class IdempotencyMiddleware:
    """Applies to POST requests under /api/ that carry an ``Idempotency-Key`` header.

    Before the request runs, a pending record is written for the user and key (unique),
    so a concurrent retry is refused with 409 instead of running a second time. The
    first response (below 500, but not the refusals in NOT_STORED) is then stored; a
    retry with the same key and the same body gets it back with
    ``Idempotent-Replayed: true``. The same key with a different body is refused with
    422, since it is almost certainly a client bug. A response that failed (5xx) or was
    refused before running leaves no record, so a retry runs for real. Responses in
    SECRET_RESPONSES are never stored nor replayed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not key or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > 255:
            return _key_error(400, "must be at most 255 characters")
        user = _request_user(request)
        if user is None:
            return self.get_response(request)
        try:
            digest = request_digest(request)
        except RequestDataTooBig:
            return body_too_big()
        _purge_now_and_then()
        record, refusal = self._claim(request, user, key, digest)
        if refusal is not None:
            return refusal
        assert record is not None
        try:
            response = self.get_response(request)
        except BaseException:
            record.delete()
            raise
        self._complete(request, record, response)
        return response

    def _claim(
        self, request: HttpRequest, user: Any, key: str, digest: str, *, attempt: int = 1
    ) -> tuple[IdempotencyRecord | None, HttpResponse | None]:
        """The new pending record for this request, or the answer to give instead of running it."""
        since = timezone.now() - timedelta(hours=settings.SALESDESK_IDEMPOTENCY_TTL_HOURS)
        IdempotencyRecord.objects.filter(user=user, key=key, created_at__lt=since).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, method=request.method, path=request.path[:500], request_digest=digest
                )
            return record, None
        except IntegrityError:
            pass  # the key was used before, or is in use right now
        stored = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if stored is None and attempt < 3:  # the other request failed and let its key go: run this one
            return self._claim(request, user, key, digest, attempt=attempt + 1)
        if stored is not None and stored.request_digest != digest:
            return None, _key_error(
                422, "was already used with a different request; use a new key for a new request"
            )
        if stored is None or stored.status_code is None:
            return None, _key_error(
                409,
                "is still in use by a request that has not finished; retry when it has",
                detail="a request with this Idempotency-Key is still in progress",
            )
        if stored.withheld:
            message = SECRET_RESPONSES.get(stored.path, "this request was already carried out")
            return None, _key_error(409, message, detail=message)
        replay = HttpResponse(bytes(stored.body), status=stored.status_code, content_type=stored.content_type)
        for header, value in stored.headers.items():
            replay[header] = value
        replay["Idempotent-Replayed"] = "true"
        return None, replay

    def _complete(self, request: HttpRequest, record: IdempotencyRecord, response: HttpResponse) -> None:
        if (
            response.status_code in NOT_STORED
            or response.status_code >= 500
            or getattr(response, "streaming", False)
        ):
            record.delete()  # nothing happened (or we cannot tell): a retry runs for real
            return
        record.status_code = response.status_code
        record.content_type = response.get("Content-Type", "application/json")
        if request.path in SECRET_RESPONSES:
            record.withheld = True
        else:
            record.body = response.content
            record.headers = {h: response[h] for h in REPLAYED_HEADERS if response.has_header(h)}
        record.save(update_fields=["status_code", "content_type", "body", "headers", "withheld"])


class ApiErrorShapeMiddleware:
    """Every error under /api/ in the one shape ``{"detail": ..., "errors": [...]}``.

    The API's own errors already have it; this catches the answers Django gives before
    or around the API (405 from the router, 400 for an oversized body read by another
    middleware, a 500 page) and turns any non-JSON 4xx/5xx into that shape.
    """

    MESSAGES = {
        400: "The request is not valid.",
        404: "Not found.",
        413: "The request body is too large.",
    }

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not request.path.startswith("/api/")
            or response.status_code < 400
            or getattr(response, "streaming", False)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status = response.status_code
        if status == 405:
            allowed = response.get("Allow", "")
            detail = f"{request.method} is not allowed here; allowed: {allowed}."
        elif status >= 500:
            detail = "Something went wrong; the administrator can find the details in the log."
        else:
            detail = self.MESSAGES.get(status, response.reason_phrase or "The request failed.")
        shaped = JsonResponse({"detail": detail, "errors": []}, status=status)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if response.has_header(header):
                shaped[header] = response[header]
        return shaped
