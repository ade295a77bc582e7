"""Idempotency keys for API POSTs: a retried request gets the stored response, not a second record."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from .models import IdempotencyRecord
from .tokens import token_authenticate

# Refused before the request ran (not signed in, CSRF, not allowed, throttled): nothing
# happened, so a retry with the same key — say after fixing the CSRF token — must run for real.
NOT_STORED = frozenset({401, 403, 429})


def _request_user(request: HttpRequest):
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return token_authenticate(auth[7:].strip())
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


class IdempotencyMiddleware:
    """Applies to POST requests under /api/ that carry an ``Idempotency-Key`` header.

    The first response (below 500, but not the refusals in NOT_STORED) is stored for
    the user and key. A retry with the same key and the same body gets the stored
    response back with ``Idempotent-Replayed: true``; the same key with a different
    body is refused with 422, since it is almost certainly a client bug.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not key or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > 255:
            return JsonResponse(
                {
                    "detail": "Idempotency-Key: must be at most 255 characters",
                    "errors": [{"field": "Idempotency-Key", "message": "must be at most 255 characters"}],
                },
                status=400,
            )
        user = _request_user(request)
        if user is None:
            return self.get_response(request)
        request_bytes = request.method.encode() + request.path.encode() + b"\n" + request.body
        digest = hashlib.sha256(request_bytes).hexdigest()
        since = timezone.now() - timedelta(hours=settings.SALESDESK_IDEMPOTENCY_TTL_HOURS)
        stored = IdempotencyRecord.objects.filter(user=user, key=key, created_at__gte=since).first()
        if stored is not None:
            if stored.request_digest != digest:
                message = "was already used with a different request; use a new key for a new request"
                return JsonResponse(
                    {
                        "detail": f"Idempotency-Key: {message}",
                        "errors": [{"field": "Idempotency-Key", "message": message}],
                    },
                    status=422,
                )
            replay = HttpResponse(
                bytes(stored.body), status=stored.status_code, content_type=stored.content_type
            )
            replay["Idempotent-Replayed"] = "true"
            return replay
        response = self.get_response(request)
        if (
            response.status_code not in NOT_STORED
            and response.status_code < 500
            and not getattr(response, "streaming", False)
        ):
            try:
                with transaction.atomic():
                    IdempotencyRecord.objects.filter(user=user, key=key).delete()  # an expired one
                    IdempotencyRecord.objects.create(
                        user=user,
                        key=key,
                        method=request.method,
                        path=request.path[:500],
                        request_digest=digest,
                        status_code=response.status_code,
                        content_type=response.get("Content-Type", "application/json"),
                        body=response.content,
                    )
            except IntegrityError:
                pass  # a concurrent request with the same key stored first; both saw one outcome
        return response
