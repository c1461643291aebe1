"""Read-only queries for course staff: gradebook, per-part analytics, the manual-grading queue.

Aggregation happens in SQL (window functions and GROUP BY work the same on SQLite >= 3.25 and
PostgreSQL). Never commits: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Subquery, and_, case, func, select

from service.db.models import results_table, students_table, submissions_table

_s = submissions_table.c
_r = results_table.c

GRADED = "graded"
PENDING = ("queued", "running")


@dataclass(frozen=True, slots=True)
class Activity:
    """How often and when a student submitted to a problem (every submission counts)."""

    student_id: str
    problem_id: str
    submissions: int
    last_submitted_at: datetime


@dataclass(frozen=True, slots=True)
class PartStatusCount:
    """Verdicts of one status on one part, with the sum and count of their score fractions."""

    part_id: str
    status: str
    count: int
    fraction_sum: float
    fraction_n: int


@dataclass(frozen=True, slots=True)
class QueueRow:
    """A part awaiting a human grader, with its submission's raw answers."""

    submission_id: str
    problem_id: str
    student_id: str | None
    part_id: str
    max_score: float
    submitted_at: datetime
    answers_json: str


def _ranked_graded(problem_id: str | None) -> Subquery:
    """Graded student submissions, numbered newest first within (student, problem)."""
    rank = func.row_number().over(
        partition_by=(_s.student_id, _s.problem_id),
        order_by=(_s.created_at.desc(), _s.id.desc()),
    )
    stmt = select(_s.id, _s.student_id, _s.problem_id, rank.label("rn")).where(
        _s.status == GRADED, _s.student_id.is_not(None)
    )
    if problem_id is not None:
        stmt = stmt.where(_s.problem_id == problem_id)
    return stmt.subquery("ranked")


def _latest_ids(problem_id: str) -> Subquery:
    """Ids of each student's latest graded submission to ``problem_id``."""
    ranked = _ranked_graded(problem_id)
    return select(ranked.c.id).where(ranked.c.rn == 1).subquery("latest")


def student_ids(conn: Connection) -> list[str]:
    """Every known student, sorted."""
    return list(conn.execute(select(students_table.c.id).order_by(students_table.c.id)).scalars())


def activity(conn: Connection, problem_id: str | None) -> list[Activity]:
    """Submission counts and last submission time per (student, problem), any status."""
    stmt = select(
        _s.student_id, _s.problem_id, func.count().label("n"), func.max(_s.created_at)
    ).where(_s.student_id.is_not(None))
    if problem_id is not None:
        stmt = stmt.where(_s.problem_id == problem_id)
    stmt = stmt.group_by(_s.student_id, _s.problem_id)
    return [Activity(*row) for row in conn.execute(stmt).all()]


def scores(conn: Connection, problem_id: str | None, *, best: bool) -> dict[tuple[str, str], float]:
    """Score per (student, problem): the latest graded submission's, or the best one's.

    A submission's score is the sum of its stored part scores (hand-graded parts included).
    """
    ranked = _ranked_graded(problem_id)
    sums = (
        select(_r.submission_id, func.sum(_r.score).label("total"))
        .group_by(_r.submission_id)
        .subquery("sums")
    )
    total = func.coalesce(sums.c.total, 0.0)
    base = ranked.outerjoin(sums, sums.c.submission_id == ranked.c.id)
    keys = (ranked.c.student_id, ranked.c.problem_id)
    if best:
        stmt = select(*keys, func.max(total)).select_from(base).group_by(*keys)
    else:
        stmt = select(*keys, total).select_from(base).where(ranked.c.rn == 1)
    return {(row[0], row[1]): float(row[2]) for row in conn.execute(stmt).all()}


def latest_count(conn: Connection, problem_id: str) -> int:
    """How many students have a graded submission to ``problem_id``."""
    latest = _latest_ids(problem_id)
    return int(conn.execute(select(func.count()).select_from(latest)).scalar_one())


def part_status_counts(conn: Connection, problem_id: str) -> list[PartStatusCount]:
    """Verdict counts per (part, status) over each student's latest graded submission."""
    latest = _latest_ids(problem_id)
    fraction = case((_r.max_score > 0, _r.score / _r.max_score))
    stmt = (
        select(
            _r.part_id,
            _r.status,
            func.count(),
            func.coalesce(func.sum(fraction), 0.0),
            func.count(fraction),
        )
        .where(_r.submission_id.in_(select(latest.c.id)))
        .group_by(_r.part_id, _r.status)
    )
    return [
        PartStatusCount(row[0], row[1], int(row[2]), float(row[3]), int(row[4]))
        for row in conn.execute(stmt).all()
    ]


def _bytewise(conn: Connection, column: Any) -> ColumnElement[Any]:
    """``column`` compared by code point on both backends (so ties break identically)."""
    return column.collate("C" if conn.dialect.name == "postgresql" else "BINARY")


def top_feedback(
    conn: Connection, problem_id: str, statuses: Sequence[str], limit: int
) -> dict[str, list[tuple[str, int]]]:
    """Per part, the ``limit`` most frequent non-empty feedback messages among verdicts with
    one of ``statuses`` (latest graded submissions); ties broken by the message text."""
    latest = _latest_ids(problem_id)
    n = func.count()
    rank = func.row_number().over(
        partition_by=_r.part_id, order_by=(n.desc(), _bytewise(conn, _r.feedback))
    )
    grouped = (
        select(_r.part_id, _r.feedback, n.label("n"), rank.label("rn"))
        .where(
            _r.submission_id.in_(select(latest.c.id)),
            _r.status.in_(list(statuses)),
            _r.feedback != "",
        )
        .group_by(_r.part_id, _r.feedback)
        .subquery("grouped")
    )
    stmt = (
        select(grouped.c.part_id, grouped.c.feedback, grouped.c.n)
        .where(grouped.c.rn <= limit)
        .order_by(grouped.c.part_id, grouped.c.rn)
    )
    out: dict[str, list[tuple[str, int]]] = {}
    for part_id, feedback, count in conn.execute(stmt).all():
        out.setdefault(part_id, []).append((feedback, int(count)))
    return out


def answers_with_status(
    conn: Connection, problem_id: str, part_ids: Sequence[str], statuses: Sequence[str]
) -> list[tuple[str, str, str]]:
    """(submission id, part id, raw answers JSON) for parts in ``part_ids`` whose verdict has
    one of ``statuses``, over each student's latest graded submission."""
    if not part_ids:
        return []
    latest = _latest_ids(problem_id)
    stmt = (
        select(_r.submission_id, _r.part_id, _s.answers_json)
        .join(submissions_table, _s.id == _r.submission_id)
        .where(
            _r.submission_id.in_(select(latest.c.id)),
            _r.part_id.in_(list(part_ids)),
            _r.status.in_(list(statuses)),
        )
        .order_by(_r.submission_id, _r.position)
    )
    return [(row[0], row[1], row[2]) for row in conn.execute(stmt).all()]


def ungraded_parts(conn: Connection, problem_id: str | None) -> list[QueueRow]:
    """Parts with status ``ungraded`` of finished submissions, oldest submission first."""
    stmt = (
        select(
            _s.id,
            _s.problem_id,
            _s.student_id,
            _r.part_id,
            _r.max_score,
            _s.created_at,
            _s.answers_json,
        )
        .select_from(results_table.join(submissions_table, _s.id == _r.submission_id))
        .where(and_(_r.status == "ungraded", _s.status.not_in(PENDING)))
    )
    if problem_id is not None:
        stmt = stmt.where(_s.problem_id == problem_id)
    stmt = stmt.order_by(_s.created_at, _s.id, _r.position)
    return [QueueRow(*row) for row in conn.execute(stmt).all()]
