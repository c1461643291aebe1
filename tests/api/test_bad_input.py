"""Hostile and broken requests get problem+json 4xx answers, never a 500, and store nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from service.app.runner import RunnerHolder
from tests.api.conftest import Env
from tests.api.fakes import FakeRunner

PROBLEM_JSON = "application/problem+json"


def _post_raw(env: Env, body: bytes, headers: dict[str, str] | None = None) -> Any:
    h = {"Content-Type": "application/json", **env.admin, **(headers or {})}
    return env.client.post("/api/v1/submissions", content=body, headers=h)


def _sub(answers: Any, problem_id: Any = "tiny-sum", **extra: Any) -> bytes:
    return json.dumps({"problem_id": problem_id, "answers": answers, **extra}).encode()


NEST = 30_000
BAD_BODIES: list[tuple[str, bytes, int]] = [
    ("empty body", b"", 400),
    ("not json", b"{problem_id: tiny-sum", 400),
    ("truncated", b'{"problem_id": "tiny-sum", "answers": {"sum": 1', 400),
    ("invalid utf-8", b'{"problem_id": "\xff\xfe"}', 400),
    ("NaN literal", b'{"problem_id": "tiny-sum", "answers": {"sum": NaN}}', 400),
    ("Infinity literal", b'{"problem_id": "tiny-sum", "answers": {"sum": -Infinity}}', 400),
    (
        "deeply nested json",
        b'{"problem_id": "tiny-sum", "answers": {"sum": ' + b"[" * NEST + b"]" * NEST + b"}}",
        400,
    ),
    ("lone surrogate", b'{"problem_id": "tiny-sum", "answers": {"sum": "\\ud800"}}', 400),
    ("lone surrogate key", b'{"problem_id": "tiny-sum", "answers": {"\\udfff": 1}}', 400),
    ("NUL in an answer", _sub({"sum": "1\u0000"}), 422),
    ("NUL in a nested key", _sub({"sum": {"a\u0000": 1}}), 422),
    ("array body", b"[1, 2, 3]", 422),
    ("answers not an object", _sub([1, 2]), 422),
    ("answers a string", _sub("sum=5"), 422),
    ("problem id not a string", _sub({}, problem_id=42), 422),
    ("missing answers", json.dumps({"problem_id": "tiny-sum"}).encode(), 422),
    ("extra field", _sub({}, score=100), 422),
    ("unknown problem", _sub({"sum": 1}, problem_id="no-such-problem"), 404),
    ("unknown part", _sub({"sum": 1, "zz": 2}), 422),
    ("bad student id", _sub({}, student_id="../../etc/passwd"), 422),
    ("nested answer value", _sub({"sum": json.loads("[" * 20 + "1" + "]" * 20)}), 422),
]


@pytest.mark.parametrize(("label", "body", "status"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_bodies_are_rejected_as_problem_json(
    env: Env, label: str, body: bytes, status: int
) -> None:
    before = env.counts()
    r = _post_raw(env, body)
    assert r.status_code == status, (label, r.text)
    assert r.headers["content-type"].startswith(PROBLEM_JSON)
    problem = r.json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    assert problem["type"].startswith("urn:dl-grader:error:")
    assert env.counts() == before


def test_unknown_part_is_named(env: Env) -> None:
    r = _post_raw(env, _sub({"sum": 1, "part-zz": 2}))
    assert r.status_code == 422
    assert "part-zz" in r.json()["detail"]
    assert r.json()["errors"] == [{"loc": ["answers", "part-zz"], "msg": "unknown part"}]


def test_validation_errors_list_the_fields(env: Env) -> None:
    r = _post_raw(env, _sub([1], problem_id=3))
    locs = {tuple(e["loc"]) for e in r.json()["errors"]}
    assert ("problem_id",) in locs and ("answers",) in locs


def test_body_over_the_cap_is_413(env: Env) -> None:
    before = env.counts()
    big = _sub({"essay": "x" * (env.svc.settings.max_body_bytes + 10)})
    r = _post_raw(env, big)
    assert r.status_code == 413
    assert r.headers["content-type"].startswith(PROBLEM_JSON)

    def chunks() -> Any:  # no Content-Length: the cap holds while streaming
        for i in range(0, len(big), 8192):
            yield big[i : i + 8192]

    r = env.client.post("/api/v1/submissions", content=chunks(), headers=env.admin)
    assert r.status_code == 413
    assert env.counts() == before


WEIRD_ANSWERS: list[tuple[str, Any]] = [
    ("empty answers", {}),
    ("null answer", {"sum": None}),
    ("empty string", {"sum": ""}),
    ("bool", {"sum": True}),
    ("object", {"sum": {"value": 1}}),
    ("list", {"sum": [1, 2]}),
    ("huge number", {"sum": 1e308 * 10}),  # json.dumps writes Infinity -> rejected? no: see test
    ("huge integer", {"sum": 10**40}),
    ("string nan", {"sum": "nan"}),
    ("string inf", {"sum": "-inf"}),
    ("unparseable formula", {"sum": "2*(a+"}),
    ("power tower", {"sum": "9**9**9**9"}),
    ("deep formula", {"sum": "(" * 5000 + "1" + ")" * 5000}),
    ("long text", {"essay": "word " * 10000}),
    ("unicode", {"sum": "٣", "essay": "ζ∂ 🙂 \u200b"}),
]


@pytest.mark.parametrize(("label", "answers"), WEIRD_ANSWERS, ids=[w[0] for w in WEIRD_ANSWERS])
def test_odd_answers_grade_as_invalid_or_incorrect_parts(
    env: Env, label: str, answers: Any
) -> None:
    body = json.dumps({"problem_id": "tiny-sum", "answers": answers}, allow_nan=True).encode()
    if b"Infinity" in body:  # a literal overflow (1e999) is still a number in JSON
        body = body.replace(b"Infinity", b"1e999")
    r = _post_raw(env, body)
    assert r.status_code == 201, (label, r.text)
    parts = {p["part_id"]: p for p in r.json()["parts"]}
    assert len(parts) == 4
    assert parts["sum"]["status"] in ("invalid", "incorrect", "correct")
    if "sum" in answers and answers["sum"] not in (None,):
        assert parts["sum"]["status"] in ("invalid", "incorrect")
        assert parts["sum"]["score"] == 0


def test_code_parts_get_503_when_the_sandbox_is_missing(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = RunnerHolder(1, lambda _n: FakeRunner(ok=False, reason="bubblewrap is not installed"))
    monkeypatch.setattr(env.svc, "runner", broken)
    before = env.counts()
    r = _post_raw(env, _sub({"sum": 1, "code": "def square(x): return x*x"}))
    assert r.status_code == 503
    assert r.headers["content-type"].startswith(PROBLEM_JSON)
    assert "bubblewrap is not installed" in r.json()["detail"]
    assert env.counts() == before
    ok = _post_raw(env, _sub({"sum": 1}))  # JSON parts still work
    assert ok.status_code == 201
    health = env.client.get("/health").json()
    assert health["code_grading"] == {"available": False, "reason": "bubblewrap is not installed"}


def test_a_failure_while_storing_leaves_nothing_half_stored(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.db import repo_bulk

    def explode(*_a: Any, **_k: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(repo_bulk, "insert_many", explode)
    before = env.counts()
    r = _post_raw(env, _sub({"sum": 1}))
    assert r.status_code == 500
    assert r.headers["content-type"].startswith(PROBLEM_JSON)
    assert "disk on fire" not in r.text  # internals are logged, not shown
    assert env.counts() == before


def test_a_grader_crash_is_an_error_part_not_a_500(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.api.fakes import ExactNumber

    def crash(*_a: Any, **_k: Any) -> Any:
        raise ZeroDivisionError("bug in a checker")

    monkeypatch.setattr(ExactNumber, "check", crash)
    r = _post_raw(env, _sub({"sum": 1234567, "essay": "ok"}))
    assert r.status_code == 201
    parts = {p["part_id"]: p for p in r.json()["parts"]}
    assert parts["sum"]["status"] == "error" and parts["sum"]["score"] == 0
    assert parts["essay"]["status"] == "ungraded"


def test_unknown_route_and_method_are_problem_json(env: Env) -> None:
    r = env.client.get("/api/v1/nope", headers=env.admin)
    assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM_JSON)
    r = env.client.delete("/api/v1/problems", headers=env.admin)
    assert r.status_code == 405 and r.headers["content-type"].startswith(PROBLEM_JSON)
    r = env.client.get("/api/v1/submissions?limit=0", headers=env.admin)
    assert r.status_code == 422 and r.headers["content-type"].startswith(PROBLEM_JSON)
    r = env.client.get("/api/v1/submissions/does-not-exist", headers=env.admin)
    assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM_JSON)
