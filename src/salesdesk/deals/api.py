"""API for opportunities."""

from ninja import Router

router = Router(tags=["opportunities"])
