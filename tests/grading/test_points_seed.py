"""Evaluation points are shared by a problem's students (so they can be memoised) but keyed by
the course secret (so students cannot know them)."""

from __future__ import annotations

import numpy as np
import pytest

from service.grading.formula.domains import Integer, Real, Vector
from service.grading.kinds import ExpressionAnswer
from service.grading.model import Part, Problem
from service.grading.variants import make_variant, points_seed

PROBLEM = Problem(
    id="p",
    title="p",
    source="t",
    statement="",
    parts=(Part("a", ExpressionAnswer({"x": Real()}), 1, "x?", expected=lambda p: "x"),),
    base_params={"k": 1},
    sample_params=lambda rng: {"k": int(rng.integers(100))},
)


def test_points_seed_is_per_course_and_problem_not_per_student() -> None:
    a, b = make_variant(PROBLEM, "alice", b"s1"), make_variant(PROBLEM, "bob", b"s1")
    assert a.seed != b.seed and a.points_seed == b.points_seed
    assert make_variant(PROBLEM, None, b"s1").points_seed == a.points_seed
    assert make_variant(PROBLEM, "alice", b"s2").points_seed != a.points_seed
    assert points_seed(b"s1", "other") != a.points_seed


def test_points_and_expected_values_are_memoised_read_only() -> None:
    kind = ExpressionAnswer({"N": Integer(2, 6), "y": Vector("N"), "t": Real()})
    first, again = kind.points(123), kind.points(123)
    assert first is again and kind.points(124) is not first
    with pytest.raises(ValueError):
        first[0]["t"][0] = 1.0
    values = kind.expected_values("t - mean(y)", 123)
    assert values is kind.expected_values("t - mean(y)", 123)
    for env, got in zip(first, values, strict=True):
        np.testing.assert_allclose(got, env["t"] - env["y"].mean(axis=1))
