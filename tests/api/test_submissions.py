"""Submitting and reading answers over HTTP: grading, storage, variants, the worker queue."""

from __future__ import annotations

from service.grading.variants import make_variant
from tests.api.conftest import Env
from tests.api.fakes import TINY

SECRET = b"test-course-secret"


def _params(student: str | None) -> dict[str, int]:
    return dict(make_variant(TINY, student, SECRET).params)


def test_health_reports_database_and_code_grading(env: Env) -> None:
    r = env.client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["database"] == "ok"
    assert body["code_grading"] == {"available": True, "reason": ""}
    assert body["problems"] == 1


def test_problems_list_and_variant_statement(env: Env) -> None:
    r = env.client.get("/api/v1/problems", headers=env.admin)
    assert r.status_code == 200
    assert [p["id"] for p in r.json()] == ["tiny-sum"]
    base = env.client.get("/api/v1/problems/tiny-sum", headers=env.admin).json()
    assert base["statement"] == "Let a = 2 and b = 3."
    p = _params("alice")
    mine = env.client.get("/api/v1/problems/tiny-sum?student_id=alice", headers=env.admin).json()
    assert mine["statement"] == f"Let a = {p['a']} and b = {p['b']}."
    assert [part["id"] for part in mine["parts"]] == ["sum", "prod", "essay", "code"]
    assert "expected" not in str(mine).lower()


def test_json_submission_is_graded_stored_and_readable(env: Env) -> None:
    headers = env.student("s-graded")
    p = _params("s-graded")
    answers = {"sum": p["a"] + p["b"], "prod": str(p["a"] * p["b"] + 1), "essay": "because"}
    r = env.client.post(
        "/api/v1/submissions",
        json={"problem_id": "tiny-sum", "student_id": "s-graded", "answers": answers},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    report = r.json()
    assert report["status"] == "graded"
    parts = {x["part_id"]: x for x in report["parts"]}
    assert parts["sum"]["status"] == "correct" and parts["sum"]["score"] == 2
    assert parts["prod"]["status"] == "incorrect" and parts["prod"]["score"] == 0
    assert parts["essay"]["status"] == "ungraded"
    assert parts["code"]["status"] == "incorrect"  # left out: 0 points
    assert report["score"] == 2 and report["max_score"] == 6
    again = env.client.get(f"/api/v1/submissions/{report['id']}", headers=headers)
    assert again.status_code == 200
    assert again.json()["parts"] == report["parts"]
    assert again.json()["created_at"] == report["created_at"]
    assert again.json()["score"] == 2


def test_student_id_defaults_to_the_tokens_own(env: Env) -> None:
    headers = env.student("s-default")
    p = _params("s-default")
    r = env.client.post(
        "/api/v1/submissions",
        json={"problem_id": "tiny-sum", "answers": {"sum": p["a"] + p["b"]}},
        headers=headers,
    )
    assert r.status_code == 201
    assert r.json()["student_id"] == "s-default"
    assert r.json()["parts"][0]["status"] == "correct"


def test_base_variant_answer_is_wrong_for_a_student_variant(env: Env) -> None:
    p = _params("s-variant")
    assert p != {"a": 2, "b": 3}
    r = env.client.post(
        "/api/v1/submissions",
        json={"problem_id": "tiny-sum", "student_id": "s-variant", "answers": {"sum": 5}},
        headers=env.admin,
    )
    expected = "correct" if p["a"] + p["b"] == 5 else "incorrect"
    assert r.json()["parts"][0]["status"] == expected


def test_code_parts_are_queued_then_graded_by_the_worker(env: Env) -> None:
    headers = env.student("s-code")
    p = _params("s-code")
    answers = {"sum": p["a"] + p["b"], "code": "def square(x):\n    return x*x\n"}
    r = env.client.post(
        "/api/v1/submissions",
        json={"problem_id": "tiny-sum", "answers": answers},
        headers=headers,
    )
    assert r.status_code == 202, r.text
    queued = r.json()
    assert queued["status"] == "queued"
    assert queued["max_score"] == 6
    assert "code" not in {x["part_id"] for x in queued["parts"]}
    done = env.wait_done(queued["id"], headers)
    assert done["status"] == "graded"
    parts = {x["part_id"]: x for x in done["parts"]}
    assert parts["code"]["status"] == "correct"
    assert parts["sum"]["status"] == "correct"
    assert done["score"] == 4 and done["max_score"] == 6


def test_wrong_code_scores_zero(env: Env) -> None:
    answers = {"code": "def square(x):\n    return x + x\n"}
    r = env.client.post(
        "/api/v1/submissions",
        json={"problem_id": "tiny-sum", "student_id": "s-code2", "answers": answers},
        headers=env.admin,
    )
    assert r.status_code == 202
    done = env.wait_done(r.json()["id"], env.admin)
    assert {x["part_id"]: x["status"] for x in done["parts"]}["code"] == "incorrect"


def test_instructor_lists_submissions_by_student_and_problem(env: Env) -> None:
    for _ in range(2):
        env.client.post(
            "/api/v1/submissions",
            json={"problem_id": "tiny-sum", "student_id": "s-list", "answers": {"sum": 1}},
            headers=env.admin,
        )
    r = env.client.get(
        "/api/v1/submissions?student_id=s-list&problem_id=tiny-sum", headers=env.admin
    )
    assert r.status_code == 200
    items = r.json()
    assert len(items) == 2
    assert all(i["student_id"] == "s-list" and len(i["parts"]) == 4 for i in items)


def test_regrade_and_manual_grading_of_a_text_part(env: Env) -> None:
    r = env.client.post(
        "/api/v1/submissions",
        json={"problem_id": "tiny-sum", "student_id": "s-manual", "answers": {"essay": "hmm"}},
        headers=env.admin,
    )
    sub_id = r.json()["id"]
    put = env.client.put(
        f"/api/v1/submissions/{sub_id}/parts/essay",
        json={"score": 0.5, "feedback": "Half right."},
        headers=env.admin,
    )
    assert put.status_code == 200, put.text
    essay = {x["part_id"]: x for x in put.json()["parts"]}["essay"]
    assert essay == {
        "part_id": "essay",
        "score": 0.5,
        "max_score": 1,
        "status": "partial",
        "feedback": "Half right.",
    }
    regraded = env.client.post(f"/api/v1/submissions/{sub_id}/regrade", headers=env.admin)
    assert regraded.status_code == 200
    parts = {x["part_id"]: x for x in regraded.json()["parts"]}
    assert parts["essay"]["score"] == 0.5  # hand grading survives a regrade
    assert len(parts) == 4
    too_high = env.client.put(
        f"/api/v1/submissions/{sub_id}/parts/essay", json={"score": 2}, headers=env.admin
    )
    assert too_high.status_code == 422
    unknown = env.client.put(
        f"/api/v1/submissions/{sub_id}/parts/nope", json={"score": 0}, headers=env.admin
    )
    assert unknown.status_code == 404
