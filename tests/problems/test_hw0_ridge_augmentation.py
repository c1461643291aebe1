"""hw0-ridge-augmentation: labelled answers for the MAP formula, 20 random variants, and the
augment() code part (judge unit tests, fake and real runner)."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from problems.hw0_ridge_augmentation import (
    GAMMA_IS_SIGMA_FACTOR,
    PROBLEM,
    SOLUTION,
    code_spec,
    judge_augment,
)
from reference import ridge as ref
from service.grading.report import PartResult, PartStatus
from service.grading.variants import make_variant
from tests.helpers.code_parts import run_cases
from tests.helpers.grading import check_students, grade_one

SECRET = b"test-secret"
STUDENTS = [f"s{random.Random(13).randrange(10**6)}-{i}" for i in range(20)]


def _grade(part_id: str, answer: Any, sid: str | None = None, runner: Any = None) -> PartResult:
    return grade_one(PROBLEM, SECRET, part_id, answer, sid, runner)


MAP_CORRECT = [
    "inv(X.T@X + inv(Sigma)) @ X.T @ y",
    "inv(inv(Sigma) + X.T @ X) @ (X.T @ y)",
    "Sigma @ inv(Sigma @ X.T @ X @ Sigma + Sigma) @ Sigma @ X.T @ y",
    "inv(Sigma @ X.T @ X + inv(Sigma) @ Sigma) @ Sigma @ X.T @ y",
    "inv(X.T@X + inv(Sigma)).T @ X.T @ y",
    "inv(X.T@X + inv(Sigma)) @ (y.T @ X).T",
    "inv(X.T@X+inv(Sigma))@X.T@y",
]
MAP_WRONG = [
    ("inv(X.T@X + Sigma) @ X.T @ y", "not Σ"),
    ("inv(X.T@X) @ X.T @ y", "plain least squares"),
    ("inv(X.T@X + Sigma^-1) @ X.T @ y", "inv(Sigma)"),
    ("inv(X.T@X + inv(Sigma)) @ X.T @ y / 2", "No factor ½"),
    ("2*inv(X.T@X + inv(Sigma)) @ X.T @ y", "twice"),
    ("y.T @ X @ inv(X.T@X + inv(Sigma))", "row"),
    ("inv(X.T@X + inv(Sigma)) @ X @ y", "cannot be evaluated"),
]


@pytest.mark.parametrize("answer", MAP_CORRECT)
def test_map_estimate_correct_forms(answer: str) -> None:
    assert _grade("a", answer, STUDENTS[0]).status == PartStatus.CORRECT


@pytest.mark.parametrize(("answer", "feedback"), MAP_WRONG)
def test_map_estimate_mistakes(answer: str, feedback: str) -> None:
    result = _grade("a", answer, STUDENTS[0])
    assert result.status == PartStatus.INCORRECT and result.score == 0
    assert feedback in result.feedback


@pytest.mark.parametrize("answer", ["solve(X.T@X, y)", "inv(X.T@X + inv(Sigma) @ X.T @ y", "W"])
def test_map_estimate_unreadable_is_invalid(answer: str) -> None:
    assert _grade("a", answer).status == PartStatus.INVALID


def test_reference_answers_correct_and_planted_mistakes_not_for_20_students() -> None:
    check_students(PROBLEM, SECRET, STUDENTS, ("a",), zero_score=True)


# --- the judge of augment() ------------------------------------------------------------------


def _case(seed: int = 0, n: int = 6, d: int = 3) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"X": rng.normal(size=(n, d)), "y": rng.normal(size=n), "Sigma": ref.random_spd(rng, d)}


def test_judge_accepts_any_square_root_of_the_precision() -> None:
    c = _case()
    gamma = ref.gamma_from_sigma(c["Sigma"])
    q, _ = np.linalg.qr(np.random.default_rng(5).normal(size=(3, 3)))
    evals, evecs = np.linalg.eigh(np.linalg.inv(c["Sigma"]))
    sym_root = evecs @ np.diag(np.sqrt(evals)) @ evecs.T
    y_hat = np.concatenate([c["y"], np.zeros(3)])
    for g in (gamma, q @ gamma, sym_root):
        ok, message = judge_augment((np.vstack([c["X"], g]), y_hat), c)
        assert ok, message
    ok, _ = judge_augment([np.vstack([c["X"], gamma]), y_hat.reshape(-1, 1).tolist()], c)
    assert ok


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda x, g, y: (np.vstack([x, np.linalg.cholesky(_case()["Sigma"]).T]), y), "ΓᵀΓ = Σ;"),
        (lambda x, g, y: (np.vstack([x, np.linalg.inv(_case()["Sigma"])]), y), "Σ⁻²"),
        (lambda x, g, y: (np.vstack([x, 2 * g]), y), "ΓᵀΓ = Σ⁻¹"),
        (lambda x, g, y: (np.vstack([g, x]), y), "first n rows"),
        (lambda x, g, y: (np.vstack([x, g]), np.where(np.arange(9) < 6, y, 1.0)), "must be 0"),
        (lambda x, g, y: (np.vstack([x, g]), y[::-1]), "first n entries"),
        (lambda x, g, y: (x, y), "shape"),
        (lambda x, g, y: (np.vstack([x, g]), y[:6]), "entries"),
        (lambda x, g, y: np.vstack([x, g]), "pair"),
        (lambda x, g, y: (np.vstack([x, g]), "zeros"), "numeric"),
    ],
)
def test_judge_rejects_wrong_augmentations_with_clear_messages(mutate: Any, message: str) -> None:
    c = _case()
    gamma = ref.gamma_from_sigma(c["Sigma"])
    y_hat = np.concatenate([c["y"], np.zeros(3)])
    ok, feedback = judge_augment(mutate(c["X"], gamma, y_hat), c)
    assert not ok and message in feedback


@pytest.mark.parametrize("sid", [None, *STUDENTS[:4]])
def test_code_spec_solution_passes_and_planted_bug_fails(sid: str | None) -> None:
    spec = code_spec(make_variant(PROBLEM, sid, SECRET).params)
    assert spec.functions == ("augment",) and any(c.hidden for c in spec.cases)
    good = run_cases(spec, SOLUTION)
    cases = zip(spec.cases, good, strict=True)
    assert all(o.ok and c.judge(o.value, c.expected)[0] for c, o in cases)
    bad = run_cases(spec, GAMMA_IS_SIGMA_FACTOR)
    verdicts = [c.judge(o.value, c.expected) for c, o in zip(spec.cases, bad, strict=True)]
    assert not any(ok for ok, _ in verdicts)
    assert all("ΓᵀΓ = Σ;" in message for _, message in verdicts)


def test_code_cases_differ_between_students() -> None:
    a = code_spec(make_variant(PROBLEM, STUDENTS[0], SECRET).params).cases[0].call.args[0]
    b = code_spec(make_variant(PROBLEM, STUDENTS[1], SECRET).params).cases[0].call.args[0]
    assert not np.allclose(a, b)


def test_code_part_grades_solution_correct_and_bug_not(any_runner: Any) -> None:
    for sid in (None, STUDENTS[2]):
        good = _grade("b", SOLUTION, sid, any_runner)
        assert good.status == PartStatus.CORRECT, good.feedback
        bad = _grade("b", GAMMA_IS_SIGMA_FACTOR, sid, any_runner)
        assert bad.status != PartStatus.CORRECT and bad.score < bad.max_score
        assert "Σ⁻¹" in bad.feedback
