"""Staff endpoints over HTTP: gradebook (JSON/CSV), analytics, manual queue, on each backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import update

from service.app.bank import ProblemBank
from service.db.models import submissions_table
from service.grading.variants import make_variant
from tests.api.conftest import Env, make_env
from tests.api.fakes import TINY, FakeRunner
from tests.conftest import BACKENDS

SECRET = b"test-course-secret"
ALL_STATUSES = ("correct", "partial", "incorrect", "invalid", "ungraded", "error")


def _p(student: str) -> dict[str, int]:
    return dict(make_variant(TINY, student, SECRET).params)


def _counts(**given: int) -> dict[str, int]:
    return {s: given.get(s, 0) for s in ALL_STATUSES}


@dataclass
class Seeded:
    """The class after everyone submitted: ids and report times by name."""

    env: Env
    ids: dict[str, str]
    times: dict[str, str]


def _submit(env: Env, student: str | None, answers: dict[str, Any], headers: Any = None) -> Any:
    body: dict[str, Any] = {"problem_id": "tiny-sum", "answers": answers}
    if student is not None:
        body["student_id"] = student
    r = env.client.post("/api/v1/submissions", json=body, headers=headers or env.admin)
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture(scope="module")
def seeded(env: Env) -> Seeded:
    """alice improves then slips, bob and carol make the same mistake (spelt differently),
    dave types something that is not a number, erin writes only an essay, frank has a
    submission still running, gina has a token but never submitted, plus a base-variant try."""
    s = {name: _p(name) for name in ("alice", "bob", "carol", "frank")}
    ids: dict[str, str] = {}
    times: dict[str, str] = {}

    def keep(name: str, report: Any) -> None:
        ids[name], times[name] = report["id"], report["created_at"]

    a = s["alice"]
    keep(
        "alice1",
        _submit(env, "alice", {"sum": a["a"] + a["b"], "prod": a["a"] * a["b"], "essay": "Why."}),
    )
    keep(
        "alice2", _submit(env, "alice", {"sum": a["a"] + a["b"], "prod": str(a["a"] * a["b"] + 1)})
    )
    keep("bob", _submit(env, "bob", {"sum": s["bob"]["a"] + s["bob"]["b"], "prod": 0}))
    keep(
        "carol", _submit(env, "carol", {"sum": s["carol"]["a"] + s["carol"]["b"], "prod": " 0.0 "})
    )
    keep("dave", _submit(env, "dave", {"sum": "abc"}))
    keep("erin", _submit(env, None, {"essay": "The step size is too large."}, env.student("erin")))
    env.student("gina")
    f = s["frank"]
    keep("frank1", _submit(env, "frank", {"sum": f["a"] + f["b"], "prod": f["a"] * f["b"]}))
    keep("frank2", _submit(env, "frank", {"sum": 0, "essay": "draft"}))
    with env.svc.db.write() as conn:  # as if the worker were still on it
        conn.execute(
            update(submissions_table)
            .where(submissions_table.c.id == ids["frank2"])
            .values(status="running")
        )
    _submit(env, None, {"sum": 0})  # the instructor trying the base variant: no student
    return Seeded(env, ids, times)


def _same_time(a: str, b: str) -> bool:
    return datetime.fromisoformat(a) == datetime.fromisoformat(b)


def test_gradebook_latest_and_best(seeded: Seeded) -> None:
    env = seeded.env
    latest = env.client.get("/api/v1/gradebook", headers=env.admin)
    assert latest.status_code == 200, latest.text
    book = latest.json()
    assert book["policy"] == "latest"
    assert book["problems"] == [{"problem_id": "tiny-sum", "title": "Tiny sum", "max_score": 6.0}]
    assert book["max_total"] == 6.0
    rows = {r["student_id"]: r for r in book["rows"]}
    assert [r["student_id"] for r in book["rows"]] == [
        "alice", "bob", "carol", "dave", "erin", "frank", "gina",
    ]  # fmt: skip
    cells = {sid: r["problems"]["tiny-sum"] for sid, r in rows.items()}
    assert {sid: c["score"] for sid, c in cells.items()} == {
        "alice": 2, "bob": 2, "carol": 2, "dave": 0, "erin": 0, "frank": 3, "gina": None,
    }  # fmt: skip
    assert {sid: c["submissions"] for sid, c in cells.items()} == {
        "alice": 2, "bob": 1, "carol": 1, "dave": 1, "erin": 1, "frank": 2, "gina": 0,
    }  # fmt: skip
    assert all(c["max_score"] == 6 for c in cells.values())
    assert _same_time(cells["alice"]["last_submitted_at"], seeded.times["alice2"])
    assert _same_time(cells["frank"]["last_submitted_at"], seeded.times["frank2"])
    assert cells["gina"]["last_submitted_at"] is None
    assert rows["gina"]["total"] == 0 and rows["frank"]["total"] == 3

    best = env.client.get(
        "/api/v1/gradebook?policy=best&problem_id=tiny-sum", headers=env.admin
    ).json()
    assert {r["student_id"]: r["total"] for r in best["rows"]} == {
        "alice": 3, "bob": 2, "carol": 2, "dave": 0, "erin": 0, "frank": 3, "gina": 0,
    }  # fmt: skip
    bad = env.client.get("/api/v1/gradebook?policy=worst", headers=env.admin)
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"


def test_gradebook_csv(seeded: Seeded) -> None:
    env = seeded.env
    r = env.client.get("/api/v1/gradebook.csv", headers=env.admin)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert r.text == (
        "student_id,tiny-sum,total\n"
        "alice,2,2\nbob,2,2\ncarol,2,2\ndave,0,0\nerin,0,0\nfrank,3,3\ngina,,0\n"
    )
    best = env.client.get("/api/v1/gradebook.csv?policy=best", headers=env.admin)
    assert best.text.splitlines()[1] == "alice,3,3"
    assert best.text.splitlines()[2:] == r.text.splitlines()[2:]


def test_analytics_show_where_the_class_goes_wrong(seeded: Seeded) -> None:
    env = seeded.env
    r = env.client.get("/api/v1/analytics/problems/tiny-sum", headers=env.admin)
    assert r.status_code == 200, r.text
    stats = r.json()
    assert stats["students"] == 6  # latest graded per student; frank's running one and
    parts = {p["part_id"]: p for p in stats["parts"]}  # the no-student try left out
    assert list(parts) == ["sum", "prod", "essay", "code"]

    total = parts["sum"]
    assert total["attempts"] == 6
    assert total["status_counts"] == _counts(correct=4, invalid=1, incorrect=1)
    assert total["mean_score_fraction"] == pytest.approx(4 / 6, abs=1e-6)
    assert total["top_feedback"] == [
        {"feedback": "No answer given.", "count": 1},
        {"feedback": "Not a number. Expected a number.", "count": 1},
    ]
    assert total["top_wrong_answers"] == [{"answer": "abc", "count": 1}]

    prod = parts["prod"]
    assert prod["status_counts"] == _counts(correct=1, incorrect=5)
    assert prod["mean_score_fraction"] == pytest.approx(1 / 6, abs=1e-6)
    assert prod["top_feedback"] == [
        {"feedback": "Not the expected value.", "count": 3},
        {"feedback": "No answer given.", "count": 2},
    ]
    a = _p("alice")
    assert prod["top_wrong_answers"] == [
        {"answer": "0", "count": 2},  # bob's 0 and carol's " 0.0 ": one mistake
        {"answer": str(a["a"] * a["b"] + 1), "count": 1},
    ]

    essay = parts["essay"]
    assert essay["status_counts"] == _counts(ungraded=6)
    assert essay["mean_score_fraction"] is None
    assert essay["top_feedback"] == [] and "top_wrong_answers" not in essay
    assert parts["code"]["status_counts"] == _counts(incorrect=6)
    assert parts["code"]["top_feedback"] == [{"feedback": "No answer given.", "count": 6}]


def test_manual_queue_lists_answered_free_text_oldest_first(seeded: Seeded) -> None:
    env = seeded.env
    r = env.client.get("/api/v1/manual-queue?problem_id=tiny-sum", headers=env.admin)
    assert r.status_code == 200, r.text
    queue = r.json()
    assert queue["total"] == 2  # blank optional essays and frank's running draft are left out
    got = [(i["student_id"], i["submission_id"], i["part_id"], i["answer"]) for i in queue["items"]]
    assert got == [
        ("alice", seeded.ids["alice1"], "essay", "Why."),
        ("erin", seeded.ids["erin"], "essay", "The step size is too large."),
    ]  # fmt: skip
    assert queue["items"][0]["max_score"] == 1
    assert _same_time(queue["items"][1]["submitted_at"], seeded.times["erin"])
    page = env.client.get("/api/v1/manual-queue?offset=1&limit=1", headers=env.admin).json()
    assert page["total"] == 2 and [i["student_id"] for i in page["items"]] == ["erin"]


def test_students_are_forbidden_and_unknown_problems_not_found(seeded: Seeded) -> None:
    env = seeded.env
    student = env.student("bob")
    for path in (
        "/api/v1/gradebook",
        "/api/v1/gradebook.csv",
        "/api/v1/analytics/problems/tiny-sum",
        "/api/v1/manual-queue",
    ):
        r = env.client.get(path, headers=student)
        assert r.status_code == 403, path
        assert r.headers["content-type"] == "application/problem+json"
        assert env.client.get(path).status_code == 401
    for path in (
        "/api/v1/gradebook?problem_id=nope",
        "/api/v1/gradebook.csv?problem_id=nope",
        "/api/v1/analytics/problems/nope",
        "/api/v1/manual-queue?problem_id=nope",
    ):
        r = env.client.get(path, headers=env.admin)
        assert r.status_code == 404, path
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["status"] == 404


@pytest.fixture(params=BACKENDS)
def own_env(
    request: pytest.FixtureRequest, fresh_database_url: Callable[[str], str]
) -> Iterator[Env]:
    """A separate app and database: this test changes what the others read."""
    yield from make_env(fresh_database_url(request.param), ProblemBank.of(TINY), FakeRunner())()


def test_hand_grading_takes_an_answer_off_the_queue(own_env: Env) -> None:
    env = own_env
    sub = _submit(env, "hana", {"essay": "Momentum smooths the steps."})
    _submit(env, "ivan", {"essay": "No idea."})
    queue = env.client.get("/api/v1/manual-queue", headers=env.admin).json()
    assert [i["student_id"] for i in queue["items"]] == ["hana", "ivan"]
    put = env.client.put(
        f"/api/v1/submissions/{sub['id']}/parts/essay",
        json={"score": 0.5, "feedback": "Say why it helps."},
        headers=env.admin,
    )
    assert put.status_code == 200, put.text
    queue = env.client.get("/api/v1/manual-queue", headers=env.admin).json()
    assert queue["total"] == 1 and [i["student_id"] for i in queue["items"]] == ["ivan"]
    csv_text = env.client.get("/api/v1/gradebook.csv", headers=env.admin).text
    assert csv_text == "student_id,tiny-sum,total\nhana,0.5,0.5\nivan,0,0\n"
    stats = env.client.get("/api/v1/analytics/problems/tiny-sum", headers=env.admin).json()
    essay = {p["part_id"]: p for p in stats["parts"]}["essay"]
    assert essay["status_counts"] == _counts(partial=1, ungraded=1)
    assert essay["mean_score_fraction"] == 0.5
    assert essay["top_feedback"] == [{"feedback": "Say why it helps.", "count": 1}]
