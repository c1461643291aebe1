"""Over HTTP with the real problem bank: right, equivalent, wrong and hostile answers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from service.app.bank import ProblemBank
from tests.api.conftest import Env, make_env
from tests.api.fakes import FakeRunner


@pytest.fixture(scope="module")
def real(fresh_database_url: Callable[[str], str]) -> Iterator[Env]:
    """The app with the real bank on SQLite (the backends are covered by the other modules)."""
    yield from make_env(fresh_database_url("sqlite"), ProblemBank(), FakeRunner())()


def _submit(
    env: Env, problem_id: str, answers: dict[str, Any], student: str = "real-1"
) -> dict[str, Any]:
    r = env.client.post(
        "/api/v1/submissions",
        json={"problem_id": problem_id, "student_id": student, "answers": answers},
        headers=env.admin,
    )
    assert r.status_code == 201, r.text
    return {p["part_id"]: p for p in r.json()["parts"]}


def test_real_problems_are_listed(real: Env) -> None:
    ids = {p["id"] for p in real.client.get("/api/v1/problems", headers=real.admin).json()}
    assert {"disc1-gd-mechanics", "hw2-lr-stability", "hw0-relu-elbow"} <= ids


def test_disc1_right_equivalent_wrong_and_hostile(real: Env) -> None:
    parts = _submit(
        real,
        "disc1-gd-mechanics",
        {
            "a.i": "2/N*sum(theta - y)",
            "a.ii": "sum(y)/N",  # equivalent form
            "a.iii": "theta - alpha*2/N*sum(theta - y)",
            "a.iv": "theta - 2*alpha*(theta - y_i)",
            "a.v": "2*(theta - y_i)",  # forgot 1/N
            "b.i": "9**9**9**9",
            "b.ii": "(" * 2000 + "x" + ")" * 2000,
            "b.iii": "theta - ",
            "b.iv": "nan",
            "b.v": "",
        },
    )
    assert [parts[p]["status"] for p in ("a.i", "a.ii", "a.iii", "a.iv")] == ["correct"] * 4
    assert parts["a.v"]["status"] in ("incorrect", "partial") and parts["a.v"]["score"] < 1
    for p in ("b.i", "b.ii", "b.iii", "b.iv", "b.v"):
        assert parts[p]["status"] == "invalid", (p, parts[p])
    assert parts["b.vi"]["status"] == "incorrect"


def test_hw2_lr_stability_interval(real: Env) -> None:
    parts = _submit(
        real, "hw2-lr-stability", {"a": "0 < eta < 1/sigma**2", "c": "0 < eta < 2/sigma_l**2"}
    )
    assert parts["a"]["status"] == "correct"
    assert parts["c"]["status"] in ("incorrect", "partial")


def test_hw0_relu_elbow_expressions(real: Env) -> None:
    parts = _submit(real, "hw0-relu-elbow", {"a.i": "-b/w", "a.ii": "y - phi"})
    assert parts["a.i"]["status"] == "correct"
    assert parts["a.ii"]["status"] in ("incorrect", "partial")
    statement = real.client.get(
        "/api/v1/problems/hw0-relu-elbow?student_id=real-1", headers=real.admin
    ).json()
    assert statement["id"] == "hw0-relu-elbow" and statement["parts"]
