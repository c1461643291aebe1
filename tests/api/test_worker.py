"""The worker is restart-safe: submissions left queued or running are graded after a restart."""

from __future__ import annotations

import json
import uuid

from service.app import jobs
from service.db import repo_submissions
from tests.api.conftest import Env


def _stuck(env: Env, status: str) -> str:
    sub_id = uuid.uuid4().hex
    with env.svc.db.write() as conn:
        repo_submissions.insert_submission(
            conn,
            submission_id=sub_id,
            problem_id="tiny-sum",
            student_id=None,
            kind="json",
            answers_json=json.dumps({"sum": 5, "code": "def square(x): return x*x"}),
            status=status,
        )
    return sub_id


def test_running_and_queued_leftovers_are_recovered_and_graded(env: Env) -> None:
    running, queued = _stuck(env, "running"), _stuck(env, "queued")
    recovered = jobs.recover(env.svc)  # what a restarting pool does first
    assert running in recovered and queued in recovered
    for sub_id in (running, queued):
        done = env.wait_done(sub_id, env.admin)
        assert done["status"] == "graded", done
        parts = {p["part_id"]: p["status"] for p in done["parts"]}
        assert parts == {
            "sum": "correct",
            "prod": "incorrect",
            "essay": "ungraded",
            "code": "correct",
        }


def test_a_claimed_submission_is_not_processed_twice(env: Env) -> None:
    sub_id = _stuck(env, "running")  # another worker holds it
    assert jobs.process(env.svc, sub_id) is None
    with env.svc.db.write() as conn:
        repo_submissions.set_status(conn, sub_id, "graded")
