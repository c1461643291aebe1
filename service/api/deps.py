"""FastAPI dependencies: the service objects and the caller's identity."""

from __future__ import annotations

from fastapi import Request

from service.app.auth import Principal
from service.app.context import Services

BEARER_SCHEME = {"bearerAuth": {"type": "http", "scheme": "bearer"}}


def services(request: Request) -> Services:
    """The Services built at start-up."""
    svc: Services = request.app.state.services
    return svc


async def principal(request: Request) -> Principal:
    """The authenticated caller (401 without a valid ``Authorization: Bearer`` token)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        token = ""
    return services(request).auth.authenticate(token.strip() or None)
