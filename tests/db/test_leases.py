"""Claim leases: several servers on one database never grade a submission twice or clobber it."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select, update

from service.app import jobs
from service.app.auth import INSTRUCTOR, Principal
from service.app.bank import ProblemBank
from service.app.context import Services, build_services
from service.app.errors import Conflict
from service.app.manage import regrade
from service.db import repo_submissions
from service.db.models import submissions_table
from service.settings import Settings
from service.worker.pool import WorkerPool
from tests.api.fakes import TINY, FakeRunner

_s = submissions_table.c
ANSWERS = {"sum": 5, "code": "def square(x): return x*x"}
RIGHT = {"sum": "correct", "prod": "incorrect", "essay": "ungraded", "code": "correct"}


class WrongRunner(FakeRunner):
    """A runner whose ``square`` always returns 0 (so its verdicts are recognisable)."""

    def run(self, source: str, calls: Any, *, timeout_s: float, needs_torch: bool = False) -> Any:
        return super().run("return 0", calls, timeout_s=timeout_s, needs_torch=needs_torch)


ServiceFactory = Callable[..., Services]


@pytest.fixture
def services(database_url: str) -> Iterator[ServiceFactory]:
    """A factory of Services ("servers") sharing one database; all closed at the end."""
    made: list[Services] = []

    def make(runner: FakeRunner | None = None) -> Services:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=database_url,
            course_secret=SecretStr("test-course-secret"),
            admin_token=SecretStr("admin-test-token-0123456789"),
            workers=1,
        )
        fake = runner or FakeRunner()
        svc = build_services(settings, bank=ProblemBank.of(TINY), runner_factory=lambda _n: fake)
        made.append(svc)
        return svc

    yield make
    for svc in made:
        svc.close()


def _submit(svc: Services, status: str = "queued", **claim: Any) -> str:
    sub_id = uuid.uuid4().hex
    with svc.db.write() as conn:
        repo_submissions.insert_submission(
            conn,
            submission_id=sub_id,
            problem_id="tiny-sum",
            student_id=None,
            kind="json",
            answers_json=json.dumps(ANSWERS),
            status=status,
        )
        if claim:
            conn.execute(update(submissions_table).where(_s.id == sub_id).values(**claim))
    return sub_id


def _row(svc: Services, sub_id: str) -> Any:
    with svc.db.read() as conn:
        return conn.execute(
            select(_s.status, _s.error, _s.claimed_by, _s.lease_until, _s.attempts).where(
                _s.id == sub_id
            )
        ).one()


def _parts(svc: Services, sub_id: str) -> dict[str, str]:
    with svc.db.read() as conn:
        results = repo_submissions.get_results(conn, sub_id)
    assert len({r.part_id for r in results}) == len(results)
    return {r.part_id: r.status for r in results}


class Blocked:
    """Makes a Services' grading wait inside ``grade`` until released (then grade or fail)."""

    def __init__(self, svc: Services, monkeypatch: pytest.MonkeyPatch, fail: bool = False):
        self.started, self.release = threading.Event(), threading.Event()
        real = svc.grader.grade

        def grade(*args: Any, **kwargs: Any) -> Any:
            self.started.set()
            assert self.release.wait(20)
            if fail:
                raise RuntimeError("the sandbox fell over")
            return real(*args, **kwargs)

        monkeypatch.setattr(svc.grader, "grade", grade)

    def run(self, svc: Services, sub_id: str, **kw: Any) -> Future[str | None]:
        """Start ``jobs.process`` in a thread; returns once it is grading."""
        future = ThreadPoolExecutor(1).submit(jobs.process, svc, sub_id, **kw)
        assert self.started.wait(20), future.exception(0) if future.done() else "not started"
        return future


def test_two_servers_one_job_ends_graded_with_one_set_of_results(
    services: ServiceFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = services()
    sub_id = _submit(first)
    blocked = Blocked(first, monkeypatch)
    future = blocked.run(first, sub_id)
    held = _row(first, sub_id)
    assert held.status == "running" and held.claimed_by and held.lease_until is not None

    second = services()  # a second server starts while the first is grading
    pool = WorkerPool(second, threads=1, poll_seconds=0.05)
    pool.start()  # its recovery runs synchronously, before its threads
    try:
        assert _row(second, sub_id).claimed_by == held.claimed_by  # not stolen
        assert jobs.process(second, sub_id) is None
        blocked.release.set()
        assert future.result(20) == "graded"
    finally:
        pool.stop()
    done = _row(first, sub_id)
    assert (done.status, done.error, done.claimed_by, done.lease_until) == (
        "graded",
        None,
        None,
        None,
    )
    assert done.attempts == 1
    assert _parts(first, sub_id) == RIGHT


def test_a_live_lease_is_not_stolen_at_start_up(services: ServiceFactory) -> None:
    svc = services()
    lease = datetime.now(UTC) + timedelta(seconds=jobs.LEASE_SECONDS)
    sub_id = _submit(svc, "running", claimed_by="other-host:1:abc", lease_until=lease)
    assert sub_id not in jobs.recover(svc)
    assert jobs.process(svc, sub_id) is None
    row = _row(svc, sub_id)
    assert (row.status, row.claimed_by) == ("running", "other-host:1:abc")
    # Once the lease has run out, the same recovery takes it back.
    assert sub_id in jobs.recover(svc, now=lease + timedelta(seconds=1))
    assert _row(svc, sub_id).claimed_by is None


@pytest.mark.parametrize("at", ["start-up", "poll"])
def test_an_expired_lease_is_requeued_and_graded_by_another_worker(
    services: ServiceFactory, at: str
) -> None:
    svc = services()
    dead = {"claimed_by": "dead-host:1:abc", "lease_until": datetime.now(UTC) - timedelta(1)}
    pool = WorkerPool(svc, threads=1, poll_seconds=0.05)
    sub_id = _submit(svc, "running", **dead) if at == "start-up" else ""
    pool.start()
    try:
        if at == "poll":  # a worker of a live server dies after this pool started
            sub_id = _submit(svc, "running", **dead)
        deadline = time.monotonic() + 20
        while _row(svc, sub_id).status in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        pool.stop()
    row = _row(svc, sub_id)
    assert (row.status, row.error, row.claimed_by) == ("graded", None, None)
    assert _parts(svc, sub_id) == RIGHT


def test_a_running_submission_without_a_lease_is_recovered_at_start_up_only(
    services: ServiceFactory,
) -> None:
    svc = services()
    sub_id = _submit(svc, "running")  # left by a version before leases
    later = datetime.now(UTC) + timedelta(seconds=2 * jobs.LEASE_SECONDS)
    assert jobs.requeue_expired(svc, now=later) == 0  # what the idle poll does
    assert _row(svc, sub_id).status == "running"
    assert sub_id in jobs.recover(svc)
    assert jobs.process(svc, sub_id) == "graded"


@pytest.mark.parametrize("other_done", [True, False], ids=["other-done", "other-grading"])
@pytest.mark.parametrize("fail", [False, True], ids=["finishes", "fails"])
def test_a_worker_that_lost_its_claim_neither_overwrites_nor_errors(
    services: ServiceFactory, monkeypatch: pytest.MonkeyPatch, fail: bool, other_done: bool
) -> None:
    slow = services(WrongRunner())  # its verdict on "code" would be "incorrect"
    sub_id = _submit(slow)
    blocked = Blocked(slow, monkeypatch, fail=fail)
    future = blocked.run(slow, sub_id)
    other = services()
    later = datetime.now(UTC) + timedelta(seconds=2 * jobs.LEASE_SECONDS)
    assert sub_id in jobs.recover(other, now=later)  # the slow worker's lease ran out
    if other_done:
        assert jobs.process(other, sub_id) == "graded"
    else:  # the new owner is still grading when the slow worker ends
        other_blocked = Blocked(other, monkeypatch)
        other_future = other_blocked.run(other, sub_id)
        owner = _row(other, sub_id).claimed_by
    blocked.release.set()
    assert future.result(20) is None
    if not other_done:
        row = _row(other, sub_id)
        assert (row.status, row.error, row.claimed_by) == ("running", None, owner)
        assert _parts(other, sub_id) == {}
        other_blocked.release.set()
        assert other_future.result(20) == "graded"
    row = _row(other, sub_id)
    assert (row.status, row.error, row.claimed_by) == ("graded", None, None)
    assert _parts(other, sub_id) == RIGHT


def test_the_heartbeat_renews_the_lease_while_grading(
    services: ServiceFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = services()
    sub_id = _submit(svc)
    blocked = Blocked(svc, monkeypatch)
    future = blocked.run(svc, sub_id, lease_seconds=0.6)
    first = _row(svc, sub_id).lease_until
    deadline = time.monotonic() + 20
    while _row(svc, sub_id).lease_until <= first and time.monotonic() < deadline:
        time.sleep(0.02)
    renewed = _row(svc, sub_id).lease_until
    assert renewed > first
    # At the first lease's end the claim still holds: recovery does not take it.
    assert sub_id not in jobs.recover(services(), now=first + timedelta(microseconds=1))
    blocked.release.set()
    assert future.result(20) == "graded"


def test_finishing_needs_the_claim_of_this_very_worker(services: ServiceFactory) -> None:
    svc = services()
    sub_id = _submit(svc)
    lease = datetime.now(UTC) + timedelta(seconds=60)
    with svc.db.write() as conn:
        assert repo_submissions.claim(conn, sub_id, "a", lease)
        assert not repo_submissions.claim(conn, sub_id, "b", lease)
        assert not repo_submissions.renew_lease(conn, sub_id, "b", lease)
        assert not repo_submissions.set_status(
            conn, sub_id, "graded", expect=("running",), owner="b"
        )
        assert repo_submissions.renew_lease(conn, sub_id, "a", lease + timedelta(seconds=1))
        assert repo_submissions.set_status(conn, sub_id, "error", expect=("running",), owner="a")
        assert not repo_submissions.renew_lease(conn, sub_id, "a", lease)
    row = _row(svc, sub_id)
    assert (row.status, row.claimed_by, row.lease_until, row.attempts) == ("error", None, None, 1)


def test_regrade_clears_a_claim_and_a_stale_worker_cannot_finish(services: ServiceFactory) -> None:
    svc = services()
    sub_id = _submit(svc)
    assert jobs.process(svc, sub_id) == "graded"
    with svc.db.write() as conn:  # a claim left behind on a finished row
        conn.execute(
            update(submissions_table).where(_s.id == sub_id).values(claimed_by="stale:1:abc")
        )
    report = regrade(svc, Principal(INSTRUCTOR), sub_id)
    assert report["status"] == "queued"  # the code part goes back to the worker
    assert _row(svc, sub_id).claimed_by is None
    with svc.db.write() as conn:
        assert not repo_submissions.set_status(
            conn, sub_id, "graded", expect=("running",), owner="stale:1:abc"
        )
    assert jobs.process(svc, sub_id) == "graded"
    assert _parts(svc, sub_id) == RIGHT
    with svc.db.write() as conn:  # a regrade of a running submission is refused, unchanged
        conn.execute(update(submissions_table).where(_s.id == sub_id).values(status="running"))
    with pytest.raises(Conflict):
        regrade(svc, Principal(INSTRUCTOR), sub_id)
    assert _row(svc, sub_id).status == "running"


def test_a_submission_that_keeps_killing_its_worker_is_failed_not_retried_forever(
    services: ServiceFactory,
) -> None:
    svc = services()
    expired = {"claimed_by": "dead-host:1:abc", "lease_until": datetime.now(UTC) - timedelta(1)}
    worn = _submit(svc, "running", attempts=jobs.MAX_ATTEMPTS, **expired)
    fresh = _submit(svc, "running", attempts=jobs.MAX_ATTEMPTS - 1, **expired)
    queued = jobs.recover(svc)
    assert fresh in queued and worn not in queued
    row = _row(svc, worn)
    assert (row.status, row.claimed_by) == ("error", None)
    assert f"interrupted {jobs.MAX_ATTEMPTS} times" in row.error
    assert _row(svc, fresh).status == "queued"
