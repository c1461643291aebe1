"""Use-cases on stored submissions: read, list, regrade, grade a part by hand."""

from __future__ import annotations

import json
from typing import Any

from service.app.auth import Principal
from service.app.context import Services
from service.app.errors import Conflict, InvalidSubmission, NotFound
from service.app.reports import report_dict
from service.app.submit import (
    code_part_ids,
    graded_max_score,
    graded_part_ids,
    records,
    require_code_runner,
)
from service.db import repo_submissions
from service.db.records import ResultRecord, SubmissionRecord

PENDING = ("queued", "running")
DONE = ("graded", "error")


def _max_score(svc: Services, sub: SubmissionRecord, results: list[ResultRecord]) -> float | None:
    if sub.status not in PENDING:
        return None
    problem = svc.bank.all().get(sub.problem_id)
    return graded_max_score(problem, sub.kind) if problem is not None else None


def _report(svc: Services, sub: SubmissionRecord, results: list[ResultRecord]) -> dict[str, Any]:
    return report_dict(
        submission_id=sub.id,
        problem_id=sub.problem_id,
        student_id=sub.student_id,
        status=sub.status,
        results=results,
        max_score=_max_score(svc, sub, results),
        kind=sub.kind,
        created_at=sub.created_at,
        error=sub.error,
    )


def _load(
    svc: Services, principal: Principal, submission_id: str
) -> tuple[SubmissionRecord, list[ResultRecord]]:
    with svc.db.read() as conn:
        sub = repo_submissions.get_submission(conn, submission_id)
        if sub is None:
            raise NotFound(f"no submission {submission_id!r}")
        if sub.student_id is None:
            principal.require_instructor()
        else:
            principal.act_as(sub.student_id)
        return sub, repo_submissions.get_results(conn, submission_id)


def get_submission(svc: Services, principal: Principal, submission_id: str) -> dict[str, Any]:
    """The report of a submission (a student: only their own)."""
    sub, results = _load(svc, principal, submission_id)
    return _report(svc, sub, results)


def list_submissions(
    svc: Services,
    principal: Principal,
    *,
    student_id: str | None,
    problem_id: str | None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Reports filtered by student/problem, newest first (a student: only their own)."""
    if not principal.is_instructor:
        student_id = principal.act_as(student_id)
    with svc.db.read() as conn:
        subs = repo_submissions.list_submissions(
            conn, student_id=student_id, problem_id=problem_id, limit=limit, offset=offset
        )
        results = repo_submissions.get_results_for(conn, [s.id for s in subs])
    return [_report(svc, s, results[s.id]) for s in subs]


def regrade(svc: Services, principal: Principal, submission_id: str) -> dict[str, Any]:
    """Grade a submission again with the current grader (hand-graded parts are kept)."""
    principal.require_instructor()
    sub, results = _load(svc, principal, submission_id)
    if sub.status in PENDING:
        raise Conflict(f"submission {submission_id} is {sub.status}; regrade it when it is done")
    problem = svc.bank.get(sub.problem_id)
    answers = json.loads(sub.answers_json)
    manual = {r.part_id for r in results if r.manual}
    code_ids = code_part_ids(problem, answers) - manual
    if code_ids:
        require_code_runner(svc)
    variant = svc.grader.variant(problem, sub.student_id)
    todo = [
        pid
        for pid in graded_part_ids(problem, sub.kind)
        if pid not in manual and pid not in code_ids
    ]
    fresh = svc.grader.grade(problem, variant, answers, todo)
    status = "queued" if code_ids else "graded"
    with svc.db.write() as conn:
        # Status first, only from a finished state (a concurrent regrade may have queued it):
        # leaving ``running`` releases any worker claim, so a stale worker cannot finish it.
        if not repo_submissions.set_status(conn, sub.id, status, expect=DONE):
            raise Conflict(f"submission {submission_id} is being regraded already")
        repo_submissions.delete_results(conn, sub.id, keep_manual=True)
        repo_submissions.insert_results(conn, sub.id, records(problem, fresh))
    if code_ids:
        svc.jobs.put(sub.id)
    return get_submission(svc, principal, sub.id)


def grade_by_hand(
    svc: Services,
    principal: Principal,
    submission_id: str,
    part_id: str,
    score: float,
    feedback: str,
) -> dict[str, Any]:
    """Set one part's score and feedback by hand (free-text parts, overrides)."""
    principal.require_instructor()
    sub, _ = _load(svc, principal, submission_id)
    if sub.status in PENDING:
        raise Conflict(f"submission {submission_id} is {sub.status}; grade it when it is done")
    problem = svc.bank.get(sub.problem_id)
    try:
        part = problem.part(part_id)
    except KeyError:
        raise NotFound(f"problem {problem.id!r} has no part {part_id!r}") from None
    if not 0.0 <= score <= part.points:
        raise InvalidSubmission(
            f"score must be between 0 and {part.points:g}",
            errors=[{"loc": ["score"], "msg": f"not in [0, {part.points:g}]"}],
        )
    status = "correct" if score == part.points else "incorrect" if score == 0 else "partial"
    with svc.db.write() as conn:
        updated = repo_submissions.update_result(
            conn,
            sub.id,
            part_id,
            score=score,
            status=status,
            feedback=feedback,
            grader_version="manual",
        )
        if not updated:
            record = ResultRecord(
                part_id,
                problem.part_ids.index(part_id),
                score,
                part.points,
                status,
                feedback,
                "manual",
                True,
            )
            repo_submissions.insert_results(conn, sub.id, [record])
    return get_submission(svc, principal, sub.id)
