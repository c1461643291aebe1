"""The service's shared objects, built once at start-up from Settings and passed down."""

from __future__ import annotations

import logging
import queue
import secrets
from dataclasses import dataclass, field

from service.app.auth import Authenticator, ensure_admin_token
from service.app.bank import ProblemBank
from service.app.grading import PartGrader
from service.app.runner import RunnerFactory, RunnerHolder
from service.app.writer import GroupWriter
from service.db import repo_meta
from service.db.session import Database
from service.settings import Settings

log = logging.getLogger(__name__)

COURSE_SECRET_KEY = "course_secret"


class JobQueue:
    """Ids of submissions waiting for the worker (the database stays the source of truth)."""

    def __init__(self) -> None:
        self._ids: queue.SimpleQueue[str] = queue.SimpleQueue()

    def put(self, submission_id: str) -> None:
        """Wake a worker for this submission."""
        self._ids.put(submission_id)

    def get(self, timeout: float) -> str | None:
        """The next id, or None after ``timeout`` seconds."""
        try:
            return self._ids.get(timeout=timeout)
        except queue.Empty:
            return None


@dataclass
class Services:
    """Everything a use-case needs."""

    settings: Settings
    db: Database
    bank: ProblemBank
    secret: bytes
    auth: Authenticator
    grader: PartGrader
    runner: RunnerHolder
    writer: GroupWriter
    jobs: JobQueue = field(default_factory=JobQueue)
    new_admin_token: str | None = None

    def close(self) -> None:
        """Release the runner and the database pool."""
        self.writer.close()
        self.runner.close()
        self.db.dispose()


def course_secret(db: Database, settings: Settings) -> bytes:
    """The variants' HMAC key: from settings, else generated once and persisted in the DB."""
    if settings.course_secret is not None:
        return settings.course_secret.get_secret_value().encode()
    with db.write() as conn:
        stored = repo_meta.get_meta(conn, COURSE_SECRET_KEY)
        if stored is None:
            stored = repo_meta.put_meta_if_absent(conn, COURSE_SECRET_KEY, secrets.token_hex(32))
    return stored.encode()


def open_database(settings: Settings) -> Database:
    """Open the configured database and bring its schema up to date."""
    db = Database.from_url(settings.resolved_database_url(), pool_size=max(settings.workers, 1) + 8)
    db.upgrade()
    return db


def build_services(
    settings: Settings,
    *,
    bank: ProblemBank | None = None,
    runner_factory: RunnerFactory | None = None,
    start_runner: bool = True,
) -> Services:
    """Open and migrate the database, load secrets and tokens, and check the code runner."""
    db = open_database(settings)
    secret = course_secret(db, settings)
    admin = settings.admin_token.get_secret_value() if settings.admin_token else None
    new_admin = ensure_admin_token(db, admin)
    bank = bank or ProblemBank()
    bank.all()  # import the problem bank now: a broken problem file fails the start, loudly
    runner = RunnerHolder(settings.workers, runner_factory)
    if start_runner:
        ok, reason = runner.start()
        if not ok:
            log.warning("code grading disabled: %s", reason)
    return Services(
        settings=settings,
        db=db,
        bank=bank,
        secret=secret,
        auth=Authenticator(db, settings.token_cache_seconds),
        grader=PartGrader(secret, settings.grade_cache_size),
        runner=runner,
        writer=GroupWriter(db),
        new_admin_token=new_admin,
    )
