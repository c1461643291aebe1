"""The claim-lease migration (rev 0002) on a database that already has pending work."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect, select

from service.db import repo_submissions
from service.db.models import submissions_table
from service.db.records import ResultRecord
from service.db.session import ALEMBIC_INI, MIGRATIONS_DIR, Database
from tests.db.test_leases import ANSWERS

_s = submissions_table.c
_RESULT = ResultRecord("sum", 0, 2.0, 2.0, "correct", "", "v1", False)


def _alembic(db: Database, action: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        getattr(command, action)(config, revision)


def _columns(db: Database) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("submissions")}


def test_the_lease_migration_upgrades_a_rev0001_database_with_pending_rows(
    database_url: str,
) -> None:
    db = Database.from_url(database_url)
    _alembic(db, "upgrade", "0001")
    assert not _columns(db) & {"claimed_by", "lease_until"}
    ids = {}
    with db.write() as conn:
        for status in ("queued", "running", "graded"):
            ids[status] = uuid.uuid4().hex
            repo_submissions.insert_submission(
                conn,
                submission_id=ids[status],
                problem_id="tiny-sum",
                student_id=None,
                kind="json",
                answers_json=json.dumps(ANSWERS),
                status=status,
            )
        repo_submissions.insert_results(conn, ids["graded"], [_RESULT])
    db.upgrade()
    assert _columns(db) >= {"claimed_by", "lease_until"}
    with db.read() as conn:
        rows = conn.execute(select(_s.id, _s.status, _s.claimed_by, _s.lease_until)).all()
    assert {r.id: (r.status, r.claimed_by, r.lease_until) for r in rows} == {
        ids["queued"]: ("queued", None, None),
        ids["running"]: ("running", None, None),
        ids["graded"]: ("graded", None, None),
    }
    with db.write() as conn:  # the row left running before the upgrade has no lease: expired
        assert repo_submissions.requeue_stale(conn) == 1
        assert set(repo_submissions.queued_ids(conn)) == {ids["queued"], ids["running"]}
        lease = datetime.now(UTC) + timedelta(seconds=60)
        assert repo_submissions.claim(conn, ids["queued"], "w:1:a", lease)
    _alembic(db, "downgrade", "0001")  # and back: no result lost (no table rebuild)
    assert not _columns(db) & {"claimed_by", "lease_until"}
    with db.read() as conn:
        assert repo_submissions.get_results(conn, ids["graded"]) == [_RESULT]
        assert conn.execute(select(_s.status).where(_s.id == ids["queued"])).scalar() == "running"
    db.upgrade()
    assert _columns(db) >= {"claimed_by", "lease_until"}
    db.dispose()
