"""API routes of the shared kernel: who am I, API tokens, jobs."""

from ninja import Router

router = Router(tags=["me"])
