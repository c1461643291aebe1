"""The FastAPI application: routers, error mapping, body cap, worker pool in the lifespan."""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from service.api import errors
from service.api.deps import BEARER_SCHEME
from service.api.routes_misc import router as misc_router
from service.api.routes_staff import router as staff_router
from service.api.routes_submissions import router as submissions_router
from service.app.context import Services, build_services
from service.settings import Settings, load_settings
from service.worker.pool import WorkerPool

log = logging.getLogger(__name__)


def announce_admin_token(token: str | None) -> None:
    """Print a freshly generated instructor token, once (it is stored hashed only)."""
    if token:
        print(
            "\n*** Instructor token generated (shown once, keep it):\n"
            f"***   {token}\n*** Set GRADER_ADMIN_TOKEN to choose your own.\n",
            file=sys.stderr,
            flush=True,
        )


def create_app(
    settings: Settings | None = None,
    *,
    services: Services | None = None,
    start_worker: bool = True,
) -> FastAPI:
    """Build the app; Services are built at start-up from ``settings`` unless given."""
    settings = settings or (services.settings if services else load_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = services is None
        svc = services or build_services(settings)
        announce_admin_token(svc.new_admin_token)
        svc.new_admin_token = None
        app.state.services = svc
        gc.freeze()  # start-up objects (torch, sympy, the bank) leave the GC's scans
        pool = WorkerPool(svc, svc.settings.workers, svc.settings.worker_poll_seconds)
        if start_worker and svc.settings.workers > 0:
            pool.start()
        try:
            yield
        finally:
            pool.stop()
            if owned:
                svc.close()

    app = FastAPI(
        title="DL course grader",
        version="1.0.0",
        description="Per-part scores and feedback for homework answers (JSON or notebooks).",
        lifespan=lifespan,
    )
    if services is not None:
        app.state.services = services
    _document_bearer_auth(app)
    errors.install(app)
    app.include_router(submissions_router)
    app.include_router(misc_router)
    app.include_router(staff_router)
    app.add_middleware(
        errors.BodyLimit,
        max_body=settings.max_body_bytes,
        max_upload=settings.max_notebook_bytes,
    )
    return app


def _document_bearer_auth(app: FastAPI) -> None:
    """Declare the bearer scheme in the OpenAPI document (auth itself is in deps.principal)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            schema.setdefault("components", {})["securitySchemes"] = BEARER_SCHEME
            schema["security"] = [{"bearerAuth": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def app_factory() -> FastAPI:
    """Entry for ``uvicorn --factory service.api.main:app_factory``."""
    return create_app()
