"""hw0-vector-calculus: labelled answers per part (row convention) and 20 random students."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from problems.hw0_vector_calculus import PROBLEM
from reference import vector_calculus as ref
from service.grading.report import PartResult, PartStatus
from tests.helpers.grading import check_students, grade_one

SECRET = b"test-secret"
STUDENTS = [f"s{random.Random(14).randrange(10**6)}-{i}" for i in range(20)]


def _grade(part_id: str, answer: Any, sid: str | None = None) -> PartResult:
    return grade_one(PROBLEM, SECRET, part_id, answer, sid)


CORRECT = {
    "a": ["c.T", "(c).T", "(2*c).T/2", "c.T + 0*x.T", "-(-c).T", "(c + c).T/2"],
    "b": ["2*x.T", "2x.T", "x.T + x.T", "(2*x).T", "x.T*2", "2 x.T", "(x + x).T"],
    "c": ["A", "A.T.T", "(A + A)/2", "2A - A", "(A.T).T + 0*A"],
    "d": [
        "x.T @ (A + A.T)",
        "x.T@A + x.T@A.T",
        "x.T@A + (A@x).T",
        "((A + A.T)@x).T",
        "(A.T@x + A@x).T",
        "x.T@(A.T + A)",
    ],
}
WRONG = {
    "a": [
        ("c", "Transposed"),
        ("x.T", "Differentiate with respect to x"),
        ("c.T@x", "1×1"),
        ("2*c.T", "twice"),
        ("-c.T", "sign"),
        ("x", "row"),
    ],
    "b": [
        ("2*x", "Transposed"),
        ("x.T", "Both factors"),
        ("4*x.T", "twice"),
        ("x.T@x", "1×1"),
        ("-2*x.T", "sign"),
        ("2*x.T + 1", "by a constant"),
    ],
    "c": [
        ("A.T", "Transposed"),
        ("2*A", "twice"),
        ("-A", "sign"),
        ("x.T@A", "1×"),
        ("A@A", "Not equivalent"),
    ],
    "d": [
        ("2*x.T@A", "Only for symmetric A"),
        ("(A + A.T) @ x", "Transposed"),
        ("A@x + A.T@x", "Transposed"),
        ("x.T @ A", "product rule"),
        ("x.T@A@x", "1×1"),
        ("x.T@(A - A.T)", "Not equivalent"),
    ],
}


@pytest.mark.parametrize(
    ("part_id", "answer"), [(p, a) for p, forms in CORRECT.items() for a in forms]
)
def test_correct_forms(part_id: str, answer: str) -> None:
    assert _grade(part_id, answer).status == PartStatus.CORRECT


@pytest.mark.parametrize(
    ("part_id", "answer", "feedback"), [(p, a, f) for p, pairs in WRONG.items() for a, f in pairs]
)
def test_mistakes_get_targeted_feedback(part_id: str, answer: str, feedback: str) -> None:
    result = _grade(part_id, answer)
    assert result.status == PartStatus.INCORRECT and result.score == 0
    assert feedback.lower() in result.feedback.lower()


def test_transposed_answers_are_flagged_as_transposed_without_authored_feedback() -> None:
    # the transpose of the right answer written out; no authored misconception names it
    result = _grade("d", "(x.T@A + x.T@A.T).T")
    assert result.status == PartStatus.INCORRECT
    assert "transpose" in result.feedback.lower() or "row" in result.feedback.lower()


@pytest.mark.parametrize("answer", ["x'", "c^T", "d/dx(c)", "grad(x)"])
def test_unreadable_answers_are_invalid(answer: str) -> None:
    assert _grade("a", answer).status == PartStatus.INVALID


def test_symmetry_condition_choice() -> None:
    assert _grade("e", "symmetric").status == PartStatus.CORRECT
    assert _grade("e", "A is symmetric (A = Aᵀ)").status == PartStatus.CORRECT
    wrong = _grade("e", "diagonal")
    assert wrong.status == PartStatus.INCORRECT and "not needed" in wrong.feedback
    assert "Aᵀ = A" in _grade("e", "always").feedback
    assert _grade("e", "orthogonal").status == PartStatus.INVALID


def test_expected_answers_agree_with_the_reference_derivatives() -> None:
    rng = np.random.default_rng(0)
    x, c, a = rng.normal(size=(3, 1)), rng.normal(size=(3, 1)), rng.normal(size=(3, 3))
    # the expected formula of each part, and the same formula written in numpy
    written = {
        "a": ("c.T", c.T, ref.d_linear(c)),
        "b": ("2*x.T", 2 * x.T, ref.d_square_norm(x)),
        "c": ("A", a, ref.d_matvec(a)),
        "d": ("x.T @ (A + A.T)", x.T @ (a + a.T), ref.d_quadratic(x, a)),
    }
    for part_id, (formula, value, reference) in written.items():
        assert PROBLEM.part(part_id).expected_for({}, {}) == formula
        np.testing.assert_allclose(value, reference)
    assert not ref.quadratic_equals_2xtA(a)


def test_reference_answers_correct_and_planted_mistakes_not_for_20_students() -> None:
    check_students(PROBLEM, SECRET, STUDENTS, PROBLEM.part_ids, zero_score=True)
