"""Use-cases the worker runs: claim a queued submission, grade its pending parts, store them."""

from __future__ import annotations

import json
import logging

from service.app.context import Services
from service.app.submit import graded_part_ids, records
from service.db import repo_submissions

log = logging.getLogger(__name__)


def recover(svc: Services) -> list[str]:
    """At start: put submissions left running back in the queue; returns every queued id."""
    with svc.db.write() as conn:
        moved = repo_submissions.requeue_stale(conn)
    if moved:
        log.info("re-queued %d submissions left running", moved)
    return queued(svc)


def queued(svc: Services, limit: int = 100) -> list[str]:
    """Ids of queued submissions, oldest first."""
    with svc.db.read() as conn:
        return repo_submissions.queued_ids(conn, limit)


def process(svc: Services, submission_id: str) -> str | None:
    """Grade a queued submission; returns its final status (None if another worker has it)."""
    with svc.db.write() as conn:
        if not repo_submissions.set_status(conn, submission_id, "running", expect=("queued",)):
            return None
    try:
        with svc.db.read() as conn:
            sub = repo_submissions.get_submission(conn, submission_id)
            done = {r.part_id for r in repo_submissions.get_results(conn, submission_id)}
        assert sub is not None
        problem = svc.bank.get(sub.problem_id)
        answers = json.loads(sub.answers_json)
        variant = svc.grader.variant(problem, sub.student_id)
        todo = [pid for pid in graded_part_ids(problem, sub.kind) if pid not in done]
        results = svc.grader.grade(problem, variant, answers, todo, runner=svc.runner.get())
        with svc.db.write() as conn:
            repo_submissions.insert_results(conn, submission_id, records(problem, results))
            repo_submissions.set_status(conn, submission_id, "graded", expect=("running",))
        return "graded"
    except Exception as exc:
        log.exception("grading submission %s failed", submission_id)
        with svc.db.write() as conn:
            repo_submissions.set_status(
                conn, submission_id, "error", error=f"grading failed: {type(exc).__name__}"
            )
        return "error"
