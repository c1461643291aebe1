"""Helpers: grade one inline part through the real pipeline (make_variant + grade)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from service.grading.grade import grade
from service.grading.kinds.base import AnswerKind
from service.grading.model import Misconception, Part, Problem
from service.grading.report import PartResult
from service.grading.variants import make_variant

SECRET = b"test-secret"

Grader = Callable[..., PartResult]


def grade_one(
    kind: AnswerKind,
    expected: Any,
    answer: Any,
    *,
    misconceptions: tuple[Misconception, ...] = (),
    student: str | None = "alice",
    points: float = 2.0,
) -> PartResult:
    """Grade ``answer`` for a one-part problem whose expected value is ``expected``."""
    expected_fn = expected if callable(expected) else (lambda params: expected)
    part = Part("p", kind, points, "prompt", expected=expected_fn, misconceptions=misconceptions)
    problem = Problem("test-problem", "Test", "tests", "statement", (part,),
                      base_params={"k": 3.0},
                      sample_params=lambda rng: {"k": float(rng.uniform(1, 5))})
    variant = make_variant(problem, student, SECRET)
    return grade(problem, variant, {"p": answer}).parts[0]


@pytest.fixture
def grade_part() -> Grader:
    """The grade_one helper as a fixture."""
    return grade_one
