"""Queries on the ``meta`` key/value table and the ``students`` table. Never commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from service.db.models import meta_table, students_table


def _insert_ignore(conn: Connection, table: object, values: dict[str, object]) -> None:
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(insert(table).values(**values).on_conflict_do_nothing())  # type: ignore[arg-type]


def get_meta(conn: Connection, key: str) -> str | None:
    """The value stored under ``key`` (None if absent)."""
    return conn.execute(select(meta_table.c.value).where(meta_table.c.key == key)).scalar()


def put_meta_if_absent(conn: Connection, key: str, value: str) -> str:
    """Store ``value`` unless ``key`` exists; return whichever value is stored (race-safe)."""
    _insert_ignore(conn, meta_table, {"key": key, "value": value, "created_at": datetime.now(UTC)})
    stored = get_meta(conn, key)
    assert stored is not None
    return stored


def ensure_student(conn: Connection, student_id: str) -> None:
    """Create the student row if it does not exist."""
    _insert_ignore(conn, students_table, {"id": student_id, "created_at": datetime.now(UTC)})


def ensure_students(conn: Connection, student_ids: Iterable[str]) -> None:
    """Create the student rows that do not exist yet (one statement)."""
    ids = sorted(set(student_ids))
    if not ids:
        return
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    now = datetime.now(UTC)
    stmt = insert(students_table).on_conflict_do_nothing()
    conn.execute(stmt, [{"id": sid, "created_at": now} for sid in ids])
