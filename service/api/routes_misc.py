"""Routes: health, problems and variant statements, token issuing."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from service.api.deps import principal, services
from service.api.render import json_response
from service.api.schemas import TokenIn, TokenOut, read_json, validate
from service.app import problems_view
from service.app.auth import Principal, issue_student_token, revoke_student_tokens
from service.app.health import health

router = APIRouter()


@router.get("/health", tags=["health"], summary="Liveness, database and code-grading status")
async def get_health(request: Request) -> Response:
    """Status of the service; 200 even when code grading is disabled (it says why)."""
    return json_response(await run_in_threadpool(health, services(request)))


@router.get("/api/v1/problems", tags=["problems"], summary="List problems")
async def get_problems(request: Request, _who: Principal = Depends(principal)) -> Response:
    """Every problem of the bank (ids, titles, parts)."""
    return json_response(problems_view.list_problems(services(request)))


@router.get("/api/v1/problems/{problem_id}", tags=["problems"], summary="A variant's statement")
async def get_problem(
    request: Request,
    problem_id: str,
    student_id: str | None = Query(None, min_length=1, max_length=128),
    who: Principal = Depends(principal),
) -> Response:
    """The statement of the student's variant (base variant without student_id); no answers."""
    view = await run_in_threadpool(
        problems_view.show_problem, services(request), who, problem_id, student_id
    )
    return json_response(view)


@router.post(
    "/api/v1/tokens",
    tags=["tokens"],
    status_code=201,
    response_model=TokenOut,
    summary="Issue a student token (instructor)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": TokenIn.model_json_schema()}},
        }
    },
)
async def create_token(request: Request, who: Principal = Depends(principal)) -> Response:
    """A new bearer token for a student, shown once (stored hashed)."""
    who.require_instructor()
    data: TokenIn = validate(TokenIn, read_json(await request.body()))
    token = await run_in_threadpool(
        issue_student_token, services(request).db, data.student_id, data.label
    )
    return json_response({"student_id": data.student_id, "token": token}, 201)


@router.delete(
    "/api/v1/tokens",
    tags=["tokens"],
    summary="Revoke every token of a student (instructor)",
)
async def revoke_tokens(
    request: Request,
    student_id: str = Query(..., min_length=1, max_length=128),
    who: Principal = Depends(principal),
) -> Response:
    """Revoke all of the student's tokens at once; returns how many were live."""
    who.require_instructor()
    svc = services(request)
    count = await run_in_threadpool(revoke_student_tokens, svc.db, svc.auth, student_id)
    return json_response({"student_id": student_id, "revoked": count})
