"""Near-miss rules on plain numbers, the sympy tie-breaker, and the public import surface."""

from __future__ import annotations

import math

import numpy as np
import pytest

from service.grading.feedback import factor_message, near_miss
from service.grading.formula.domains import Real
from service.grading.formula.parser import parse_formula
from service.grading.formula.symbolic import symbolically_equal
from service.grading.kinds import ExpressionAnswer
from service.grading.report import PartStatus
from tests.grading.conftest import grade_one


@pytest.mark.parametrize(
    ("factor", "text"),
    [
        (2.0, "twice"), (0.5, "half"), (-1.0, "wrong sign."), (-2.0, "wrong sign and is twice"),
        (4.0, "4 times"), (0.25, "1/4 of"), (100.0, "factor of 100 (too large"),
        (1e-3, "factor of 1000 (too small"), (2 * math.pi, "2π"), (1 / (2 * math.pi), "2π"),
    ],
)
def test_factor_messages(factor: float, text: str) -> None:
    message = factor_message(factor)
    assert message is not None and text in message


@pytest.mark.parametrize("factor", [1.37, 0.0, float("nan"), 1.0])
def test_unremarkable_factors_say_nothing_specific(factor: float) -> None:
    assert factor_message(factor) is None


def test_near_miss_missing_one_over_n() -> None:
    rng = np.random.default_rng(0)
    n = np.array([2.0, 5.0, 9.0])
    expected = rng.normal(size=3) / n
    got = expected * n
    message = near_miss([got], [expected], integers=[{"N": n}])
    assert message is not None and "1/N missing" in message


def test_near_miss_needs_a_consistent_relation() -> None:
    rng = np.random.default_rng(1)
    expected = rng.normal(size=20)
    assert near_miss([expected * rng.uniform(1, 3, 20)], [expected]) is None


def test_symbolic_equivalence_is_exact_and_bounded() -> None:
    names = {"x", "y"}
    assert symbolically_equal(parse_formula("(x+y)^2", names), parse_formula("x^2+2x y+y^2", names))
    assert not symbolically_equal(parse_formula("(x+y)^2", names), parse_formula("x^2+y^2", names))
    big = "+".join(f"x^{i % 5}" for i in range(40))
    assert not symbolically_equal(parse_formula(big, names), parse_formula(big, names))
    assert not symbolically_equal(parse_formula("x**100", names), parse_formula("x**100", names))
    nested = "((((x+y+1)^8)^8)^8)"
    assert not symbolically_equal(parse_formula(nested, names), parse_formula(nested, names))
    assert symbolically_equal(parse_formula("((x+y)^2)^2", names), parse_formula("(x+y)^4", names))


def test_symbolic_tie_breaker_when_no_point_is_in_the_domain() -> None:
    kind = ExpressionAnswer({"x": Real(-3, 3)})
    assert grade_one(kind, "sqrt(x - 10)", "(x - 10)^(1/2)").status == PartStatus.CORRECT
    assert grade_one(kind, "log(x - 10)", "log(x - 10)").status == PartStatus.CORRECT
    # not provably equal and not checkable numerically: an error for staff, not a zero
    assert grade_one(kind, "log(x - 10)", "log(x - 11)").status == PartStatus.ERROR


def test_public_names_are_exported() -> None:
    import service.grading.formula.domains as domains
    import service.grading.kinds as kinds

    for name in ("NumberAnswer", "NumberRange", "ExpressionAnswer", "IntervalAnswer",
                 "ChoiceAnswer", "YesNoAnswer", "MatrixAnswer", "TextAnswer", "CodeAnswer"):
        assert hasattr(kinds, name)
    for name in ("Real", "Positive", "NonZero", "Integer", "Vector", "Column", "Matrix", "Derived"):
        assert hasattr(domains, name)
