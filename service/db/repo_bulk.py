"""Bulk inserts of submissions and results for the group-commit writer (the hot path).

Rows go straight through the driver: executemany on SQLite, one ``unnest`` statement per table
on PostgreSQL. Never commits: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection

from service.db.records import ResultRecord

_SUBMISSION_FIELDS = (
    "id", "problem_id", "student_id", "kind", "answers_json", "upload", "upload_name", "status",
    "error", "attempts", "created_at", "updated_at", "graded_at",
)  # fmt: skip
_RESULT_FIELDS = (
    "submission_id", "position", "part_id", "score", "max_score", "status", "feedback",
    "grader_version", "manual", "created_at",
)  # fmt: skip
_TIMES = frozenset({"created_at", "updated_at", "graded_at"})
_PG_TYPES = {
    "id": "varchar", "problem_id": "varchar", "student_id": "varchar", "kind": "varchar",
    "answers_json": "text", "upload": "bytea", "upload_name": "varchar", "status": "varchar",
    "error": "text", "attempts": "int4", "created_at": "timestamptz", "updated_at": "timestamptz",
    "graded_at": "timestamptz", "submission_id": "varchar", "position": "int4",
    "part_id": "varchar", "score": "float8", "max_score": "float8", "feedback": "text",
    "grader_version": "varchar", "manual": "bool",
}  # fmt: skip


def _raw_insert(
    conn: Connection, table: str, fields: tuple[str, ...], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert rows straight through the driver: the hot path skips statement compilation."""
    pick = itemgetter(*fields)
    if conn.dialect.name != "sqlite":
        # PostgreSQL: one fixed statement, a column array per field (cached and prepared).
        arrays = ", ".join(f"%s::{_PG_TYPES[f]}[]" for f in fields)
        columns = list(zip(*(pick(row) for row in rows), strict=True))
        conn.exec_driver_sql(
            f"INSERT INTO {table} ({', '.join(fields)}) SELECT * FROM unnest({arrays})",
            tuple(list(c) for c in columns),
        )
        return
    # SQLite: executemany; datetimes as SQLAlchemy stores them, booleans as 0/1.
    marks = ", ".join(["?"] * len(fields))
    sql = f"INSERT INTO {table} ({', '.join(fields)}) VALUES ({marks})"
    patch = [(i, f in _TIMES) for i, f in enumerate(fields) if f in _TIMES or f == "manual"]
    stamps: dict[datetime, str] = {}  # rows of one submission share their timestamps
    params: list[tuple[Any, ...]] = []
    for row in rows:
        values = list(pick(row))
        for i, is_time in patch:
            v = values[i]
            if is_time and v is not None:
                text = stamps.get(v)
                if text is None:
                    text = stamps[v] = v.strftime("%Y-%m-%d %H:%M:%S.%f")
                values[i] = text
            elif isinstance(v, bool):
                values[i] = int(v)
        params.append(tuple(values))
    conn.exec_driver_sql(sql, params)


def insert_many(
    conn: Connection, submissions: Sequence[dict[str, Any]], results: Sequence[dict[str, Any]]
) -> None:
    """Group insert of ready-made rows (the group-commit writer's one round trip per table)."""
    if submissions:
        _raw_insert(conn, "submissions", _SUBMISSION_FIELDS, submissions)
    if results:
        _raw_insert(conn, "results", _RESULT_FIELDS, results)


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
) -> dict[str, Any]:
    """A full ``submissions`` row for insert_many."""
    return {
        "id": submission_id,
        "problem_id": problem_id,
        "student_id": student_id,
        "kind": kind,
        "answers_json": answers_json,
        "upload": upload,
        "upload_name": upload_name,
        "status": status,
        "error": None,
        "attempts": 0,
        "created_at": created_at,
        "updated_at": created_at,
        "graded_at": created_at if status == "graded" else None,
    }


def result_rows(
    submission_id: str, results: Sequence[ResultRecord], created_at: datetime
) -> list[dict[str, Any]]:
    """Full ``results`` rows for insert_many."""
    return [
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
            "created_at": created_at,
        }
        for r in results
    ]
