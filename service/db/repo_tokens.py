"""Queries on ``api_tokens`` (sha256 hashes only). Never commits."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select, update

from service.db.models import tokens_table
from service.db.records import TokenRecord

_t = tokens_table.c


def insert_token(
    conn: Connection, token_hash: str, role: str, student_id: str | None, label: str
) -> int:
    """Store a token hash; returns its row id."""
    result = conn.execute(
        insert(tokens_table)
        .values(
            token_hash=token_hash,
            role=role,
            student_id=student_id,
            label=label,
            created_at=datetime.now(UTC),
        )
        .returning(_t.id)
    )
    return int(result.scalar_one())


def find_token(conn: Connection, token_hash: str) -> TokenRecord | None:
    """The token with this hash, or None."""
    row = conn.execute(
        select(_t.id, _t.role, _t.student_id, _t.label, _t.revoked_at).where(
            _t.token_hash == token_hash
        )
    ).first()
    if row is None:
        return None
    return TokenRecord(row.id, row.role, row.student_id, row.label, row.revoked_at is not None)


def count_tokens(conn: Connection, label: str) -> int:
    """How many unrevoked tokens carry ``label``."""
    rows = conn.execute(select(_t.id).where(_t.label == label, _t.revoked_at.is_(None))).all()
    return len(rows)


def revoke_label_except(conn: Connection, label: str, keep_hash: str | None) -> int:
    """Revoke tokens with ``label`` other than ``keep_hash``; returns how many."""
    stmt = update(tokens_table).where(_t.label == label, _t.revoked_at.is_(None))
    if keep_hash is not None:
        stmt = stmt.where(_t.token_hash != keep_hash)
    return conn.execute(stmt.values(revoked_at=datetime.now(UTC))).rowcount


def restore_token(conn: Connection, token_hash: str, role: str, label: str) -> None:
    """Make a stored token usable again with this role and label (a re-configured admin token)."""
    conn.execute(
        update(tokens_table)
        .where(_t.token_hash == token_hash)
        .values(revoked_at=None, role=role, student_id=None, label=label)
    )


def revoke_student_tokens(conn: Connection, student_id: str) -> int:
    """Revoke every live token of a student; returns how many."""
    stmt = update(tokens_table).where(_t.student_id == student_id, _t.revoked_at.is_(None))
    return conn.execute(stmt.values(revoked_at=datetime.now(UTC))).rowcount
