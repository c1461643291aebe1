"""Routes: submit answers or a notebook, read, list, regrade, grade a part by hand."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from service.api.deps import principal, services
from service.api.render import json_response, report_response
from service.api.schemas import (
    ManualGradeIn,
    ReportOut,
    SubmissionIn,
    read_json,
    read_submission,
    validate,
)
from service.app import manage, submit
from service.app.auth import Principal

router = APIRouter(prefix="/api/v1/submissions", tags=["submissions"])

_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": SubmissionIn.model_json_schema()}},
    }
}


@router.post(
    "",
    status_code=201,
    response_model=ReportOut,
    openapi_extra=_BODY,
    responses={202: {"model": ReportOut, "description": "Queued: code parts are graded later"}},
    summary="Submit JSON answers",
)
async def create_submission(request: Request) -> Response:
    """Grade answers now (201) or queue code parts for the worker (202)."""
    who = await principal(request)  # called directly: the hot path skips dependency solving
    data = read_submission(await request.body())
    svc = services(request)
    args = (svc, who, data.problem_id, data.student_id, data.answers)
    # Every verdict cached: cheap enough to prepare on the event loop; else in a thread.
    prepared = submit.prepare_answers(*args, cached_only=True)
    if prepared is None:
        prepared = await run_in_threadpool(submit.prepare_answers, *args)
    assert prepared is not None
    stored = submit.store(svc, prepared)
    await svc.writer.write(stored.item)  # acknowledged only once committed (group commit)
    return report_response(stored, 202 if prepared.status == "queued" else 201)


@router.post(
    "/notebook",
    status_code=202,
    response_model=ReportOut,
    summary="Upload a notebook (.ipynb); graded by the worker",
)
async def create_notebook_submission(
    request: Request,
    problem_id: str = Form(..., min_length=1, max_length=128),
    file: UploadFile = File(...),
    student_id: str | None = Form(None, min_length=1, max_length=128),
    who: Principal = Depends(principal),
) -> Response:
    """Store the notebook and queue it (202)."""
    svc = services(request)
    data = await file.read(svc.settings.max_notebook_bytes + 1)
    report = await run_in_threadpool(
        submit.submit_notebook, svc, who, problem_id, student_id, data, file.filename or "upload"
    )
    return json_response(report, 202)


@router.get("", response_model=list[ReportOut], summary="List submissions")
async def list_submissions(
    request: Request,
    student_id: str | None = Query(None, max_length=128),
    problem_id: str | None = Query(None, max_length=128),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    who: Principal = Depends(principal),
) -> Response:
    """Reports filtered by student/problem, newest first (students: their own only)."""
    reports = await run_in_threadpool(
        lambda: manage.list_submissions(
            services(request),
            who,
            student_id=student_id,
            problem_id=problem_id,
            limit=limit,
            offset=offset,
        )
    )
    return json_response(reports)


@router.get("/{submission_id}", response_model=ReportOut, summary="Read a submission's report")
async def get_submission(
    request: Request, submission_id: str, who: Principal = Depends(principal)
) -> Response:
    """The report as it stands (queued, running, graded or error)."""
    report = await run_in_threadpool(manage.get_submission, services(request), who, submission_id)
    return json_response(report)


@router.post("/{submission_id}/regrade", response_model=ReportOut, summary="Regrade (instructor)")
async def regrade(
    request: Request, submission_id: str, who: Principal = Depends(principal)
) -> Response:
    """Grade again with the current grader; hand-graded parts are kept."""
    report = await run_in_threadpool(manage.regrade, services(request), who, submission_id)
    return json_response(report, 202 if report["status"] == "queued" else 200)


@router.put(
    "/{submission_id}/parts/{part_id}",
    response_model=ReportOut,
    summary="Grade one part by hand (instructor)",
)
async def grade_part(
    request: Request,
    submission_id: str,
    part_id: str,
    who: Principal = Depends(principal),
) -> Response:
    """Set a part's score and feedback (free-text parts, overrides)."""
    body: ManualGradeIn = validate(ManualGradeIn, read_json(await request.body()))
    report = await run_in_threadpool(
        manage.grade_by_hand,
        services(request),
        who,
        submission_id,
        part_id,
        body.score,
        body.feedback,
    )
    return json_response(report)
