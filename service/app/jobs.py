"""Use-cases the worker runs: claim a queued submission, grade its pending parts, store them.

Several processes may share the queue (``uvicorn --workers N``, a second server, a restart
while the old one still runs). A worker claims a submission under a lease it renews while it
grades; only submissions whose lease ran out (their worker died) go back to the queue, and a
worker stores its verdicts only if it still holds the claim.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from datetime import UTC, datetime, timedelta
from types import TracebackType

from service.app.context import Services
from service.app.submit import graded_part_ids, records
from service.db import repo_submissions

log = logging.getLogger(__name__)

LEASE_SECONDS = 120.0
"""How long a claim holds without renewal; longer than any code part's time budget (60 s)."""
MAX_ATTEMPTS = 3
"""Claims a submission may use up before it is failed (a job that kills its worker each time)."""

_HOST = socket.gethostname()[:24]


def new_claim_token() -> str:
    """A token unique to one claim: host, process and a random part (safe across forks)."""
    return f"{_HOST}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _lease_end(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


def requeue_expired(svc: Services, now: datetime | None = None, *, unleased: bool = False) -> int:
    """Put running submissions whose lease ended back in the queue; returns how many.

    ``unleased`` also takes rows running without any lease (from before leases existed):
    start-up recovery does, as restarts always did; the idle poll does not.
    """
    now = now or datetime.now(UTC)
    with svc.db.read() as conn:  # a read first: the poller must not take the write lock idly
        if not repo_submissions.has_expired_leases(conn, now, unleased=unleased):
            return 0
    with svc.db.write() as conn:
        moved = repo_submissions.requeue_stale(
            conn, now, unleased=unleased, max_attempts=MAX_ATTEMPTS
        )
    if moved:
        log.info("re-queued (or failed after %d tries) %d expired claims", MAX_ATTEMPTS, moved)
    return moved


def recover(svc: Services, now: datetime | None = None) -> list[str]:
    """At start: re-queue submissions with an expired (or no) lease; returns every queued id.

    Submissions another live process holds (lease still running) are left alone.
    """
    requeue_expired(svc, now, unleased=True)
    return queued(svc)


def queued(svc: Services, limit: int = 100) -> list[str]:
    """Ids of queued submissions, oldest first."""
    with svc.db.read() as conn:
        return repo_submissions.queued_ids(conn, limit)


class _Heartbeat:
    """Renews a claim every ``seconds / 3`` in a thread while the block runs."""

    def __init__(self, svc: Services, submission_id: str, token: str, seconds: float) -> None:
        self._svc, self._id, self._token, self._seconds = svc, submission_id, token, seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease-heartbeat", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self._seconds / 3):
            try:
                with self._svc.db.write() as conn:
                    held = repo_submissions.renew_lease(
                        conn, self._id, self._token, _lease_end(self._seconds)
                    )
            except Exception:  # a database hiccup: try again at the next beat
                log.warning("could not renew the lease on %s", self._id, exc_info=True)
                continue
            if not held:
                log.info("lost the claim on submission %s while grading it", self._id)
                return

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()


def process(
    svc: Services, submission_id: str, *, lease_seconds: float = LEASE_SECONDS
) -> str | None:
    """Grade a queued submission; returns its final status (None if another worker has it)."""
    token = new_claim_token()
    with svc.db.write() as conn:
        if not repo_submissions.claim(conn, submission_id, token, _lease_end(lease_seconds)):
            return None
    try:
        with _Heartbeat(svc, submission_id, token, lease_seconds):
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
            # Status first: the conditional UPDATE locks the row, so the results go in only
            # under a claim we still hold, in the same transaction.
            if not repo_submissions.set_status(
                conn, submission_id, "graded", expect=("running",), owner=token
            ):
                log.info("dropping verdicts on %s: another worker took it over", submission_id)
                return None
            repo_submissions.insert_results(conn, submission_id, records(problem, results))
        return "graded"
    except Exception as exc:
        log.exception("grading submission %s failed", submission_id)
        with svc.db.write() as conn:
            failed = repo_submissions.set_status(
                conn,
                submission_id,
                "error",
                expect=("running",),
                owner=token,
                error=f"grading failed: {type(exc).__name__}",
            )
        if not failed:
            log.info("not marking %s failed: another worker took it over", submission_id)
            return None
        return "error"
