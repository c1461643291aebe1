"""disc1-relu-sgd: solutions pass and planted mistakes fail for 20 students; near misses give
their messages. (Fake runner: trusted test sources only.)"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from problems import disc1_relu_sgd as prob
from service.grading.grade import grade
from service.grading.report import PartStatus
from service.grading.variants import make_variant
from tests.helpers.code_parts import check_code_parts, grade_code_parts, run_spec
from tests.helpers.fake_runner import FakeRunner

# The same secret and students as the other code-problem tests (hw2-optimizers-init).
SECRET = b"problem-test-secret"
STUDENTS = [f"student-{random.Random(11).randrange(10**9)}-{i}" for i in range(20)]


def test_solutions_pass_and_planted_mistakes_fail_for_20_students() -> None:
    check_code_parts(prob.PROBLEM, SECRET, STUDENTS)


def test_hand_cases_have_hand_computed_answers() -> None:
    params = make_variant(prob.PROBLEM, None, SECRET).params
    ridge = prob.PROBLEM.part("a").expected_for(params, {}).cases[0]
    # XᵀX + 0.5 I = [[2.5, 1], [1, 2.5]], Xᵀy = [4, 5]  →  solve by Cramer's rule.
    np.testing.assert_allclose(ridge.expected, [(4 * 2.5 - 5) / 5.25, (2.5 * 5 - 4) / 5.25])
    elbow = prob.PROBLEM.part("b").expected_for(params, {}).cases[0]
    np.testing.assert_allclose(elbow.expected, [-0.5, 1.0, 2.0])


@pytest.mark.parametrize(
    ("part_id", "old", "new", "message"),
    [
        ("a", "lambd * np.eye(X.shape[1])", "lambd", "to the diagonal only"),
        ("a", "lambd * np.eye(X.shape[1])", "lambd * len(X) * np.eye(X.shape[1])", "scaled by n"),
        ("a", "X.T @ X + lambd * np.eye(X.shape[1])", "X.T @ X", "plain least squares"),
        ("b", "return -np.asarray(b1", "return np.asarray(b1", "Sign"),
        ("b", "return -np.asarray(b1, dtype=float).ravel() / np.asarray(W1, dtype=float).ravel()",
         "return -np.asarray(W1, dtype=float).ravel() / np.asarray(b1, dtype=float).ravel()",
         "Upside down"),
        ("b", "return -np.asarray(b1, dtype=float).ravel() / np.asarray(W1, dtype=float).ravel()",
         "return -b1 / W1", "broadcasts to a w×w matrix"),
    ],
)
def test_near_misses_produce_their_messages(part_id: str, old: str, new: str, message: str) -> None:
    source = prob.SOLUTIONS[part_id].replace(old, new)
    assert source != prob.SOLUTIONS[part_id]
    spec = prob.PROBLEM.part(part_id).expected_for(prob.PROBLEM.base_params, {})
    verdicts = run_spec(spec, source)
    assert any(not ok and message in m for ok, m in verdicts), verdicts


def test_grade_with_code_kind_and_fake_runner() -> None:
    grade_code_parts(prob.PROBLEM, SECRET, FakeRunner(), STUDENTS[:5])
    variant = make_variant(prob.PROBLEM, STUDENTS[0], SECRET)
    source = prob.SOLUTIONS["b"].replace("return -np.asarray(b1", "return np.asarray(b1")
    report = grade(prob.PROBLEM, variant, {"b": source}, code_runner=FakeRunner(), only=("b",))
    assert report.parts[0].status != PartStatus.CORRECT
    assert "Sign" in report.parts[0].feedback


@pytest.mark.sandbox
@pytest.mark.slow
def test_grade_in_the_real_sandbox(sandbox: Any) -> None:
    grade_code_parts(prob.PROBLEM, SECRET, sandbox, STUDENTS[:2])
