"""Routes for course staff (instructor tokens only): gradebook, analytics, manual-grading queue."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from service.api.deps import principal, services
from service.api.render import json_response
from service.app import staff
from service.app.auth import Principal

router = APIRouter(prefix="/api/v1", tags=["staff"])

_PROBLEM_DOC = "Only this problem"
_POLICY_DOC = "latest: each student's latest graded submission; best: their best score"


class GradeCellOut(BaseModel):
    """A student's standing on one problem."""

    score: float | None
    max_score: float
    submissions: int
    last_submitted_at: str | None


class GradebookRowOut(BaseModel):
    """One student's row."""

    student_id: str
    problems: dict[str, GradeCellOut]
    total: float


class GradebookOut(BaseModel):
    """The gradebook: problems (columns) and one row per student."""

    policy: str
    problems: list[dict[str, Any]]
    max_total: float
    rows: list[GradebookRowOut]


class PartStatsOut(BaseModel):
    """Where the class stands on one part."""

    part_id: str
    kind: str
    max_score: float
    attempts: int
    mean_score_fraction: float | None
    status_counts: dict[str, int]
    top_feedback: list[dict[str, Any]]
    top_wrong_answers: list[dict[str, Any]] | None = None


class AnalyticsOut(BaseModel):
    """Per-part analytics over each student's latest graded submission."""

    problem_id: str
    title: str
    students: int
    parts: list[PartStatsOut]


class QueueItemOut(BaseModel):
    """A free-text answer awaiting a human grader."""

    submission_id: str
    problem_id: str
    student_id: str | None
    part_id: str
    max_score: float
    submitted_at: str | None
    answer: str


class QueueOut(BaseModel):
    """A page of the manual-grading queue."""

    total: int
    items: list[QueueItemOut]


@router.get("/gradebook", response_model=GradebookOut, summary="Gradebook (instructor)")
async def get_gradebook(
    request: Request,
    problem_id: str | None = Query(None, min_length=1, max_length=128, description=_PROBLEM_DOC),
    policy: staff.Policy = Query("latest", description=_POLICY_DOC),
    who: Principal = Depends(principal),
) -> Response:
    """Per student and problem: score (latest or best graded submission), attempts, last time."""
    book = await run_in_threadpool(staff.gradebook, services(request), who, problem_id, policy)
    return json_response(book)


@router.get(
    "/gradebook.csv",
    summary="Gradebook as CSV (instructor)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "One row per student"}},
)
async def get_gradebook_csv(
    request: Request,
    problem_id: str | None = Query(None, min_length=1, max_length=128, description=_PROBLEM_DOC),
    policy: staff.Policy = Query("latest", description=_POLICY_DOC),
    who: Principal = Depends(principal),
) -> Response:
    """student_id, one column per problem, total; a blank cell: nothing graded yet."""
    text = await run_in_threadpool(staff.gradebook_csv, services(request), who, problem_id, policy)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="gradebook.csv"'},
    )


@router.get(
    "/analytics/problems/{problem_id}",
    response_model=AnalyticsOut,
    summary="Where the class goes wrong on a problem (instructor)",
)
async def get_problem_analytics(
    request: Request, problem_id: str, who: Principal = Depends(principal)
) -> Response:
    """Per part: attempts, mean score fraction, status counts, top feedback and wrong answers."""
    stats = await run_in_threadpool(staff.analytics, services(request), who, problem_id)
    return json_response(stats)


@router.get("/manual-queue", response_model=QueueOut, summary="Answers to grade by hand")
async def get_manual_queue(
    request: Request,
    problem_id: str | None = Query(None, min_length=1, max_length=128, description=_PROBLEM_DOC),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    who: Principal = Depends(principal),
) -> Response:
    """Ungraded free-text parts, oldest first; grade them with PUT .../parts/{part_id}."""
    queue = await run_in_threadpool(
        staff.manual_queue, services(request), who, problem_id, limit, offset
    )
    return json_response(queue)
