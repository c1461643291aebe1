"""Storage on SQLite and PostgreSQL: migrations, repositories, transactions, bootstrap."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from service.app.auth import Authenticator
from service.app.bank import ProblemBank
from service.app.context import build_services
from service.app.errors import Unauthorized
from service.db import repo_meta, repo_submissions, repo_tokens
from service.db.records import ResultRecord
from service.db.session import Database
from service.settings import Settings

TABLES = {"alembic_version", "meta", "students", "api_tokens", "submissions", "results"}


def _db(url: str) -> Database:
    db = Database.from_url(url)
    db.upgrade()
    return db


def test_migrations_create_every_table_and_are_idempotent(database_url: str) -> None:
    db = _db(database_url)
    db.upgrade()  # a second start changes nothing
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    from alembic import command
    from alembic.config import Config

    from service.db.session import ALEMBIC_INI, MIGRATIONS_DIR

    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    db.upgrade()
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    db.dispose()


def _result(part: str, pos: int, manual: bool = False) -> ResultRecord:
    return ResultRecord(part, pos, 1.0, 2.0, "partial", "fb", "v1", manual)


def test_submission_roundtrip_status_and_results(database_url: str) -> None:
    db = _db(database_url)
    with db.write() as conn:
        repo_meta.ensure_student(conn, "s1")
        repo_meta.ensure_student(conn, "s1")  # idempotent
        repo_submissions.insert_submission(
            conn,
            submission_id="a" * 32,
            problem_id="p",
            student_id="s1",
            kind="notebook",
            answers_json='{"x": "ζ"}',
            status="queued",
            upload=b"\x00raw",
            upload_name="n.ipynb",
        )
        repo_submissions.insert_results(conn, "a" * 32, [_result("b", 1), _result("a", 0, True)])
    with db.read() as conn:
        sub = repo_submissions.get_submission(conn, "a" * 32)
        assert sub is not None and sub.answers_json == '{"x": "ζ"}' and sub.status == "queued"
        assert repo_submissions.get_upload(conn, "a" * 32) == b"\x00raw"
        assert [r.part_id for r in repo_submissions.get_results(conn, "a" * 32)] == ["a", "b"]
        assert repo_submissions.queued_ids(conn) == ["a" * 32]
    with db.write() as conn:
        assert repo_submissions.set_status(conn, "a" * 32, "running", expect=("queued",))
        assert not repo_submissions.set_status(conn, "a" * 32, "running", expect=("queued",))
        assert repo_submissions.requeue_stale(conn) == 1
        repo_submissions.delete_results(conn, "a" * 32, keep_manual=True)
    with db.read() as conn:
        sub = repo_submissions.get_submission(conn, "a" * 32)
        assert sub is not None and sub.status == "queued" and sub.attempts == 1
        assert [r.part_id for r in repo_submissions.get_results(conn, "a" * 32)] == ["a"]
        grouped = repo_submissions.get_results_for(conn, ["a" * 32, "b" * 32])
        assert [r.part_id for r in grouped["a" * 32]] == ["a"] and grouped["b" * 32] == []
        listed = repo_submissions.list_submissions(conn, student_id="s1", problem_id="p")
        assert [s.id for s in listed] == ["a" * 32]
    db.dispose()


def test_a_failed_transaction_stores_nothing(database_url: str) -> None:
    db = _db(database_url)
    with pytest.raises(RuntimeError), db.write() as conn:
        repo_submissions.insert_submission(
            conn,
            submission_id="c" * 32,
            problem_id="p",
            student_id=None,
            kind="json",
            answers_json="{}",
            status="graded",
        )
        raise RuntimeError("crash after the first insert")
    with db.read() as conn:
        assert repo_submissions.get_submission(conn, "c" * 32) is None
    db.dispose()


def test_meta_keeps_the_first_value(database_url: str) -> None:
    db = _db(database_url)
    with db.write() as conn:
        assert repo_meta.put_meta_if_absent(conn, "k", "first") == "first"
        assert repo_meta.put_meta_if_absent(conn, "k", "second") == "first"
    db.dispose()


def test_admin_token_and_course_secret_survive_restarts(database_url: str) -> None:
    settings = Settings(_env_file=None, database_url=database_url, workers=0)  # type: ignore[call-arg]
    first = build_services(settings, bank=ProblemBank.of(), start_runner=False)
    token = first.new_admin_token
    assert token is not None and token.startswith("gr_")
    first.close()
    second = build_services(settings, bank=ProblemBank.of(), start_runner=False)
    assert second.new_admin_token is None  # printed once only
    assert second.secret == first.secret and len(second.secret) == 64
    assert second.auth.authenticate(token).is_instructor
    with pytest.raises(Unauthorized):
        second.auth.authenticate(token + "x")
    second.close()


def test_env_admin_token_replaces_the_previous_env_token(database_url: str) -> None:
    db = _db(database_url)
    from service.app.auth import ensure_admin_token

    assert ensure_admin_token(db, "env-token-one") is None
    assert ensure_admin_token(db, "env-token-two") is None
    auth = Authenticator(db, ttl=0)
    assert auth.authenticate("env-token-two").is_instructor
    with pytest.raises(Unauthorized):
        auth.authenticate("env-token-one")
    with db.read() as conn:
        assert repo_tokens.count_tokens(conn, "admin-env") == 1
    db.dispose()
