"""API routes of the shared kernel: who am I, API tokens, jobs."""

import datetime as dt
import os
from typing import Any

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema
from ninja.pagination import paginate

from .api import AuthedRequest, Cursor, InputSchema, Ref
from .jobs import job_get_for_user, visible_jobs
from .permissions import capabilities_of
from .tokens import token_create, token_revoke, visible_tokens

router = Router(tags=["me"])


# --- Schemas ----------------------------------------------------------------------------------


class MeOut(Schema):
    id: int
    username: str
    name: str
    kind: str
    support_level: int | None
    organisation: Ref | None
    role_label: str
    capabilities: list[str]

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj)

    @staticmethod
    def resolve_capabilities(obj: Any) -> list[str]:
        return capabilities_of(obj)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenIn(InputSchema):
    name: str


class TokenCreatedOut(TokenOut):
    token: str


class JobOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    progress: int
    message: str
    result: Any = None
    error: str
    result_url: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_result_url(obj: Any) -> str | None:
        if not obj.result_file:
            return None
        return reverse("api:job_file", kwargs={"job_id": obj.pk})


# --- Who am I ---------------------------------------------------------------------------------


@router.get("/me", response=MeOut, summary="The signed-in user, their role and capabilities")
def me(request: AuthedRequest) -> Any:
    return request.auth


# --- API tokens -------------------------------------------------------------------------------


@router.get("/tokens", response=list[TokenOut], tags=["tokens"], summary="Your API tokens")
@paginate(Cursor, ordering=("-id",))
def token_list(request: AuthedRequest) -> Any:
    return visible_tokens(request.auth)


@router.post(
    "/tokens",
    response={201: TokenCreatedOut},
    tags=["tokens"],
    summary="Create an API token; its secret is in `token`, shown this once",
)
def token_add(request: AuthedRequest, payload: TokenIn, response: HttpResponse) -> Any:
    token, secret = token_create(actor=request.auth, name=payload.name)
    response["Cache-Control"] = "no-store"  # the secret must not linger in any cache
    return {**TokenOut.from_orm(token).dict(), "token": secret}


@router.delete(
    "/tokens/{token_id}", response={204: None}, tags=["tokens"], summary="Revoke one of your tokens"
)
def token_delete(request: AuthedRequest, token_id: int) -> None:
    token = get_object_or_404(visible_tokens(request.auth), pk=token_id)
    token_revoke(actor=request.auth, token=token)


# --- Jobs -------------------------------------------------------------------------------------


@router.get("/jobs", response=list[JobOut], tags=["jobs"], summary="Your background jobs, newest first")
@paginate(Cursor, ordering=("-id",))
def job_list(request: AuthedRequest) -> Any:
    return visible_jobs(request.auth)


@router.get("/jobs/{job_id}", response=JobOut, tags=["jobs"], summary="A job's status, progress and result")
def job_detail(request: AuthedRequest, job_id: int) -> Any:
    return job_get_for_user(user=request.auth, job_id=job_id)


@router.get(
    "/jobs/{job_id}/file",
    tags=["jobs"],
    url_name="job_file",
    summary="Download the file a job produced",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def job_file(request: AuthedRequest, job_id: int) -> FileResponse:
    job = job_get_for_user(user=request.auth, job_id=job_id)
    if not job.result_file:
        raise Http404
    try:
        handle = job.result_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(job.result_file.name or ""))
