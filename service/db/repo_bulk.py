"""Bulk inserts of submissions and results for the group-commit writer (the hot path).

Rows are plain tuples in the column order below and go straight to the driver (no statement
compilation): ``executemany`` on SQLite, one ``unnest`` statement per table on PostgreSQL.
Never commits: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from service.db.records import ResultRecord

SUBMISSION_FIELDS = (
    "id", "problem_id", "student_id", "kind", "answers_json", "upload", "upload_name", "status",
    "error", "attempts", "created_at", "updated_at", "graded_at",
)  # fmt: skip
RESULT_FIELDS = (
    "submission_id", "position", "part_id", "score", "max_score", "status", "feedback",
    "grader_version", "manual", "created_at",
)  # fmt: skip
_PG_TYPES = {
    "id": "varchar", "problem_id": "varchar", "student_id": "varchar", "kind": "varchar",
    "answers_json": "text", "upload": "bytea", "upload_name": "varchar", "status": "varchar",
    "error": "text", "attempts": "int4", "created_at": "timestamptz", "updated_at": "timestamptz",
    "graded_at": "timestamptz", "submission_id": "varchar", "position": "int4",
    "part_id": "varchar", "score": "float8", "max_score": "float8", "feedback": "text",
    "grader_version": "varchar", "manual": "bool",
}  # fmt: skip

SubmissionRow = tuple[Any, ...]
"""A ``submissions`` row: values in SUBMISSION_FIELDS order (timestamps as datetimes)."""
ResultRow = tuple[Any, ...]
"""A ``results`` row: values in RESULT_FIELDS order (timestamps as datetimes)."""


def sqlite_time(value: datetime) -> str:
    """A timestamp as SQLAlchemy's SQLite DateTime stores it."""
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_insert(
    conn: Connection, table: str, fields: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> None:
    """executemany on the driver connection (inside the caller's transaction)."""
    driver = conn.connection.driver_connection
    assert driver is not None
    marks = ", ".join(["?"] * len(fields))
    driver.executemany(f"INSERT INTO {table} ({', '.join(fields)}) VALUES ({marks})", rows)


def _pg_insert(
    conn: Connection, table: str, fields: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> None:
    """One fixed statement, a column array per field (cached and prepared by the driver)."""
    arrays = ", ".join(f"%s::{_PG_TYPES[f]}[]" for f in fields)
    columns = tuple(list(c) for c in zip(*rows, strict=True))
    conn.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(fields)}) SELECT * FROM unnest({arrays})", columns
    )


class _Stamps(dict[datetime, str]):
    """Timestamps formatted once: a submission's rows share the same datetime object."""

    def __missing__(self, key: datetime) -> str:
        text = self[key] = sqlite_time(key)
        return text


def _sqlite_submissions(rows: Sequence[SubmissionRow], stamps: _Stamps) -> list[SubmissionRow]:
    return [
        (*row[:10], stamps[row[10]], stamps[row[11]], None if row[12] is None else stamps[row[12]])
        for row in rows
    ]


def _sqlite_results(rows: Sequence[ResultRow], stamps: _Stamps) -> list[ResultRow]:
    return [(*row[:9], stamps[row[9]]) for row in rows]


def insert_many(
    conn: Connection, submissions: Sequence[SubmissionRow], results: Sequence[ResultRow]
) -> None:
    """Group insert of ready-made rows (the group-commit writer's one statement per table)."""
    if conn.dialect.name == "sqlite":
        stamps = _Stamps()
        if submissions:
            rows = _sqlite_submissions(submissions, stamps)
            _sqlite_insert(conn, "submissions", SUBMISSION_FIELDS, rows)
        if results:
            _sqlite_insert(conn, "results", RESULT_FIELDS, _sqlite_results(results, stamps))
        return
    if submissions:
        _pg_insert(conn, "submissions", SUBMISSION_FIELDS, submissions)
    if results:
        _pg_insert(conn, "results", RESULT_FIELDS, results)


def submission_row(
    *,
    submission_id: str,
    problem_id: str,
    student_id: str | None,
    kind: str,
    answers_json: str,
    status: str,
    created_at: datetime,
    upload: bytes | None = None,
    upload_name: str | None = None,
) -> SubmissionRow:
    """A full ``submissions`` row for insert_many."""
    graded_at = created_at if status == "graded" else None
    return (
        submission_id, problem_id, student_id, kind, answers_json, upload, upload_name, status,
        None, 0, created_at, created_at, graded_at,
    )  # fmt: skip


def result_rows(
    submission_id: str, results: Sequence[ResultRecord], created_at: datetime
) -> list[ResultRow]:
    """Full ``results`` rows for insert_many."""
    return [
        (
            submission_id,
            r.position,
            r.part_id,
            r.score,
            r.max_score,
            r.status,
            r.feedback,
            r.grader_version,
            r.manual,
            created_at,
        )
        for r in results
    ]
