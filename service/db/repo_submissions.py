"""Queries on ``submissions`` and ``results``. Never commits: the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from service.db import repo_bulk
from service.db.models import results_table, submissions_table
from service.db.records import ResultRecord, SubmissionRecord

_s = submissions_table.c
_r = results_table.c
_SUBMISSION_COLUMNS = (
    _s.id,
    _s.problem_id,
    _s.student_id,
    _s.kind,
    _s.answers_json,
    _s.status,
    _s.error,
    _s.attempts,
    _s.created_at,
    _s.updated_at,
    _s.graded_at,
    _s.upload_name,
)


def insert_submission(
    conn: Connection,
    *,
    submission_id: str,
    problem_id: str,
    student_id: str | None,
    kind: str,
    answers_json: str,
    status: str,
    upload: bytes | None = None,
    upload_name: str | None = None,
) -> datetime:
    """Store a new submission; returns its creation time (same row as the group writer's)."""
    now = datetime.now(UTC)
    row = repo_bulk.submission_row(
        submission_id=submission_id,
        problem_id=problem_id,
        student_id=student_id,
        kind=kind,
        answers_json=answers_json,
        status=status,
        created_at=now,
        upload=upload,
        upload_name=upload_name,
    )
    repo_bulk.insert_many(conn, [row], [])
    return now


def insert_results(conn: Connection, submission_id: str, results: Sequence[ResultRecord]) -> None:
    """Store verdicts for a submission (one executemany)."""
    if not results:
        return
    now = datetime.now(UTC)
    conn.execute(
        insert(results_table),
        [
            {
                "submission_id": submission_id,
                "position": r.position,
                "part_id": r.part_id,
                "score": r.score,
                "max_score": r.max_score,
                "status": r.status,
                "feedback": r.feedback,
                "grader_version": r.grader_version,
                "manual": r.manual,
                "created_at": now,
            }
            for r in results
        ],
    )


def _record(row: Any) -> SubmissionRecord:
    return SubmissionRecord(
        id=row.id,
        problem_id=row.problem_id,
        student_id=row.student_id,
        kind=row.kind,
        answers_json=row.answers_json,
        status=row.status,
        error=row.error,
        attempts=row.attempts,
        created_at=row.created_at,
        updated_at=row.updated_at,
        graded_at=row.graded_at,
        upload_name=row.upload_name,
    )


def get_submission(conn: Connection, submission_id: str) -> SubmissionRecord | None:
    """The submission with this id, or None."""
    row = conn.execute(select(*_SUBMISSION_COLUMNS).where(_s.id == submission_id)).first()
    return None if row is None else _record(row)


def get_upload(conn: Connection, submission_id: str) -> bytes | None:
    """The raw uploaded bytes of a notebook submission."""
    return conn.execute(select(_s.upload).where(_s.id == submission_id)).scalar()


def get_results(conn: Connection, submission_id: str) -> list[ResultRecord]:
    """The stored verdicts of a submission, in part order."""
    rows = conn.execute(
        select(
            _r.part_id,
            _r.position,
            _r.score,
            _r.max_score,
            _r.status,
            _r.feedback,
            _r.grader_version,
            _r.manual,
        )
        .where(_r.submission_id == submission_id)
        .order_by(_r.position)
    ).all()
    return [ResultRecord(*row) for row in rows]


def list_submissions(
    conn: Connection,
    *,
    student_id: str | None = None,
    problem_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[SubmissionRecord]:
    """Submissions filtered by student and/or problem, newest first."""
    stmt = select(*_SUBMISSION_COLUMNS)
    if student_id is not None:
        stmt = stmt.where(_s.student_id == student_id)
    if problem_id is not None:
        stmt = stmt.where(_s.problem_id == problem_id)
    stmt = stmt.order_by(_s.created_at.desc(), _s.id.desc()).limit(limit).offset(offset)
    return [_record(row) for row in conn.execute(stmt).all()]


def set_status(
    conn: Connection,
    submission_id: str,
    status: str,
    *,
    expect: Sequence[str] | None = None,
    owner: str | None = None,
    error: str | None = None,
) -> bool:
    """Move a submission to ``status`` (only from ``expect``, only if ``owner`` holds its claim).

    Any other status than ``running`` releases the claim. True if the row moved.
    """
    now = datetime.now(UTC)
    values: dict[str, Any] = {"status": status, "updated_at": now, "error": error}
    if status == "graded":
        values["graded_at"] = now
    if status == "running":
        values["attempts"] = _s.attempts + 1
    else:
        values["claimed_by"] = None
        values["lease_until"] = None
    stmt = update(submissions_table).where(_s.id == submission_id)
    if expect is not None:
        stmt = stmt.where(_s.status.in_(list(expect)))
    if owner is not None:
        stmt = stmt.where(_s.claimed_by == owner)
    return conn.execute(stmt.values(**values)).rowcount == 1


def claim(conn: Connection, submission_id: str, owner: str, lease_until: datetime) -> bool:
    """Move a queued submission to ``running``, held by ``owner`` until ``lease_until``."""
    stmt = (
        update(submissions_table)
        .where(_s.id == submission_id, _s.status == "queued")
        .values(
            status="running",
            claimed_by=owner,
            lease_until=lease_until,
            attempts=_s.attempts + 1,
            error=None,
            updated_at=datetime.now(UTC),
        )
    )
    return conn.execute(stmt).rowcount == 1


def renew_lease(conn: Connection, submission_id: str, owner: str, lease_until: datetime) -> bool:
    """Extend ``owner``'s claim on a running submission; False if the claim was lost."""
    stmt = (
        update(submissions_table)
        .where(_s.id == submission_id, _s.status == "running", _s.claimed_by == owner)
        .values(lease_until=lease_until)
    )
    return conn.execute(stmt).rowcount == 1


def _expired(now: datetime, unleased: bool) -> Any:
    ended = (_s.status == "running") & (_s.lease_until < now)
    if unleased:  # running without any lease: left by a version before leases, or by hand
        ended = ended | ((_s.status == "running") & _s.lease_until.is_(None))
    return ended


def has_expired_leases(conn: Connection, now: datetime, *, unleased: bool = False) -> bool:
    """Whether some running submission's lease ended before ``now`` (a cheap read)."""
    stmt = select(_s.id).where(_expired(now, unleased)).limit(1)
    return conn.execute(stmt).first() is not None


def requeue_stale(
    conn: Connection,
    now: datetime | None = None,
    *,
    unleased: bool = True,
    max_attempts: int | None = None,
) -> int:
    """Put running submissions whose lease ended (a dead worker) back to ``queued``.

    ``unleased``: also those running without a lease (only safe at start-up). With
    ``max_attempts``, a submission already claimed that often becomes ``error`` instead: one
    that kills its worker every time must not be retried forever. Returns how many moved.
    """
    now = now or datetime.now(UTC)
    moved = 0
    if max_attempts is not None:
        moved += conn.execute(
            update(submissions_table)
            .where(_expired(now, unleased), _s.attempts >= max_attempts)
            .values(
                status="error",
                error=f"grading was interrupted {max_attempts} times; ask for a regrade",
                claimed_by=None,
                lease_until=None,
                updated_at=datetime.now(UTC),
            )
        ).rowcount
    moved += conn.execute(
        update(submissions_table)
        .where(_expired(now, unleased))
        .values(status="queued", claimed_by=None, lease_until=None, updated_at=datetime.now(UTC))
    ).rowcount
    return moved


def queued_ids(conn: Connection, limit: int = 100) -> list[str]:
    """Ids of queued submissions, oldest first."""
    stmt = select(_s.id).where(_s.status == "queued").order_by(_s.created_at).limit(limit)
    return list(conn.execute(stmt).scalars())


def delete_results(conn: Connection, submission_id: str, *, keep_manual: bool) -> None:
    """Delete a submission's verdicts (keeping hand-graded ones if asked)."""
    stmt = delete(results_table).where(_r.submission_id == submission_id)
    if keep_manual:
        stmt = stmt.where(_r.manual.is_(False))
    conn.execute(stmt)


def update_result(
    conn: Connection,
    submission_id: str,
    part_id: str,
    *,
    score: float,
    status: str,
    feedback: str,
    grader_version: str,
) -> bool:
    """Overwrite one part's verdict by hand; True if the part had a verdict."""
    stmt = (
        update(results_table)
        .where(_r.submission_id == submission_id, _r.part_id == part_id)
        .values(
            score=score,
            status=status,
            feedback=feedback,
            grader_version=grader_version,
            manual=True,
            created_at=datetime.now(UTC),
        )
    )
    return conn.execute(stmt).rowcount == 1


def get_results_for(
    conn: Connection, submission_ids: Sequence[str]
) -> dict[str, list[ResultRecord]]:
    """Stored verdicts of several submissions at once, by submission id."""
    out: dict[str, list[ResultRecord]] = {sid: [] for sid in submission_ids}
    if not submission_ids:
        return out
    rows = conn.execute(
        select(
            _r.submission_id,
            _r.part_id,
            _r.position,
            _r.score,
            _r.max_score,
            _r.status,
            _r.feedback,
            _r.grader_version,
            _r.manual,
        )
        .where(_r.submission_id.in_(list(submission_ids)))
        .order_by(_r.submission_id, _r.position)
    ).all()
    for row in rows:
        out[row[0]].append(ResultRecord(*row[1:]))
    return out
