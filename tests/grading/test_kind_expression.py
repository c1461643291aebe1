"""Expression parts graded through grade(): equivalent forms, shapes, regions, near misses."""

from __future__ import annotations

import pytest

from service.grading.formula.domains import (
    Column,
    Derived,
    Domain,
    Integer,
    Matrix,
    NonZero,
    Positive,
    Real,
    Vector,
)
from service.grading.kinds import ExpressionAnswer
from service.grading.model import Misconception
from service.grading.report import PartStatus
from tests.grading.conftest import grade_one

GD: dict[str, Domain] = {
    "theta": Real(), "alpha": Positive(), "N": Integer(2, 12), "x": Vector("N"),
    "y": Vector("N"), "x_i": Real(), "y_i": Real(),
}
CALC: dict[str, Domain] = {"x": Column("n"), "c": Column("n"), "A": Matrix("n", "n"),
                           "n": Integer(2, 6)}
RELU: dict[str, Domain] = {
    "w": NonZero(), "b": Real(), "x": Real(), "y": Real(), "phi": Derived("max(0, w*x + b)"),
}
GD_KIND = ExpressionAnswer(GD)


@pytest.mark.parametrize(
    ("expected", "answer"),
    [
        ("2/N*sum(theta - y)", "2 mean(θ - y)"),
        ("2/N*sum(theta - y)", "2θ - 2/N sum(y)"),
        ("mean(y)", "sum(y)/N"),
        ("theta - 2*alpha/N*sum(theta - y)", "(1 - 2α)θ + 2α mean(y)"),
        ("theta - 2*alpha*(theta - y_i)", "θ - 2α(θ - y_i)"),
        ("2/N*sum((theta*x - y)*x)", "2/N*(theta*sum(x^2) - x@y)"),
        ("sum(x*y)/sum(x**2)", "(x @ y)/(x @ x)"),
        ("sum(x*y)/sum(x**2)", "x@y/norm(x)^2"),
        ("theta - 2*alpha*(theta*x_i - y_i)*x_i", "θ - 2α x_i(θx_i - y_i)"),
    ],
)
def test_equivalent_forms_are_correct(expected: str, answer: str) -> None:
    result = grade_one(GD_KIND, expected, answer)
    assert result.status == PartStatus.CORRECT, result.feedback
    assert result.score == 2.0


@pytest.mark.parametrize(
    ("answer", "feedback"),
    [
        ("2*sum(theta - y)", "N times the expected one: is a factor 1/N missing"),
        ("-2/N*sum(theta - y)", "wrong sign"),
        ("4/N*sum(theta - y)", "twice the expected"),
        ("1/N*sum(theta - y)", "half the expected"),
        ("20/N*sum(theta - y)", "power of ten"),
        ("2/N*sum(y - theta)*3", "wrong sign and is 3 times"),
        ("2/N*sum(theta - y) + 1", "differs from the expected one by a constant"),
        ("2/N*sum(theta*y)", "differs at"),
    ],
)
def test_common_mistakes_get_near_miss_feedback(answer: str, feedback: str) -> None:
    result = grade_one(GD_KIND, "2/N*sum(theta - y)", answer)
    assert result.status == PartStatus.INCORRECT
    assert result.score == 0
    assert feedback in result.feedback
    assert "sum(theta" not in result.feedback  # never reveals the expected formula


def test_two_pi_factor() -> None:
    kind = ExpressionAnswer({"R": Positive(), "C": Positive()})
    result = grade_one(kind, "1/(2*pi*R*C)", "1/(R*C)")
    assert "2π" in result.feedback


def test_row_versus_column_matters() -> None:
    kind = ExpressionAnswer(CALC)
    assert grade_one(kind, "c.T", "c.T").status == PartStatus.CORRECT
    wrong = grade_one(kind, "c.T", "c")
    assert wrong.status == PartStatus.INCORRECT
    assert "column" in wrong.feedback and "row" in wrong.feedback
    assert grade_one(kind, "2*x.T", "x.T + x.T").status == PartStatus.CORRECT
    assert grade_one(kind, "x.T @ (A + A.T)", "x.T@A + (A@x).T").status == PartStatus.CORRECT
    swapped = grade_one(kind, "x.T @ (A + A.T)", "(A + A.T) @ x")
    assert swapped.status == PartStatus.INCORRECT and "row" in swapped.feedback


def test_transposed_square_matrix_is_named() -> None:
    result = grade_one(ExpressionAnswer(CALC), "A", "A.T")
    assert result.status == PartStatus.INCORRECT
    assert "transpose" in result.feedback


def test_one_by_one_counts_as_scalar() -> None:
    kind = ExpressionAnswer(CALC)
    assert grade_one(kind, "sum(x**2)", "x.T @ x").status == PartStatus.CORRECT


def test_vector_norm_and_matrix_formulas() -> None:
    step = ExpressionAnswer({"x": Vector(2), "b": Vector(2)})
    assert grade_one(step, "(x - b)/norm(x - b)", "(x-b)/sqrt(sum((x-b)^2))").score == 2
    assert grade_one(step, "(x - b)/norm(x - b)", "(b - x)/norm(x - b)").score == 0
    ridge = ExpressionAnswer(
        {"X": Matrix("n", "d"), "y": Vector("n"), "Sigma": Matrix("d", "d", "spd"),
         "n": Integer(4, 8), "d": Integer(2, 3)}
    )
    expected = "inv(X.T@X + inv(Sigma)) @ X.T @ y"
    assert grade_one(ridge, expected, "inv(X.T @ X + inv(Sigma)) @ (X.T @ y)").score == 2
    assert grade_one(ridge, expected, "inv(X.T@X + Sigma) @ X.T @ y").score == 0


def test_shape_error_in_answer_is_incorrect_with_reason() -> None:
    result = grade_one(ExpressionAnswer(CALC), "c.T", "x @ A")
    assert result.status == PartStatus.INCORRECT
    assert "do not align" in result.feedback


def test_region_partial_credit_both_sides() -> None:
    kind = ExpressionAnswer(RELU, regions=("w*x + b > 0",), region_credit=0.5)
    expected = "(phi - y)*x*heaviside(w*x + b)"
    assert grade_one(kind, expected, "(φ - y) x step(w x + b)").status == PartStatus.CORRECT
    active_only = grade_one(kind, expected, "(phi - y)*x")
    assert active_only.status == PartStatus.PARTIAL and active_only.score == 1.0
    assert "right only where w*x + b > 0" in active_only.feedback.lower()
    # right only where the expected value is identically 0 earns nothing
    for trivial in ("0*x", "3*(phi - y)*x*heaviside(w*x + b)"):
        assert grade_one(kind, expected, trivial).score == 0
    assert "3 times" in grade_one(kind, expected, "3*(phi - y)*x*heaviside(w*x + b)").feedback
    other_side = ExpressionAnswer(RELU, regions=("w*x + b <= 0",))
    flipped = grade_one(other_side, expected, "(phi - y)*x")
    assert flipped.status == PartStatus.PARTIAL and "w*x + b > 0" in flipped.feedback


def test_misconceptions_string_and_callable() -> None:
    kind = ExpressionAnswer({"eta": Positive(), "sigma": Positive(), "eps": Positive(0.01, 0.5)})
    expected = "log(eps)/log(abs(1 - 2*eta*sigma**2))"
    mistakes = (
        Misconception("log(eps)/log(1 - 2*eta*sigma**2)", "Forgot the absolute value.", 0.5),
        Misconception(lambda p: "log(1 - eps)/log(abs(1 - 2*eta*sigma**2))", "Within 1-ε, not ε."),
    )
    partial = grade_one(kind, expected, "log(eps)/log(1 - 2 eta sigma^2)", misconceptions=mistakes)
    # numerically equal wherever 1 - 2ησ² > 0 only; the misconception matches exactly
    assert partial.status == PartStatus.PARTIAL and partial.score == 1.0
    assert partial.feedback == "Forgot the absolute value."
    answer = "log(1-eps)/log(abs(1-2eta sigma^2))"
    wrong = grade_one(kind, expected, answer, misconceptions=mistakes)
    assert wrong.status == PartStatus.INCORRECT and wrong.feedback == "Within 1-ε, not ε."
    assert grade_one(kind, expected, expected, misconceptions=mistakes).score == 2


@pytest.mark.parametrize(
    ("answer", "piece"),
    [("2/M*sum(theta - y)", "'M'"), ("open(y)", "'open'"), ("y.__class__", "__class__"),
     ("9**9**9**9", "exponent"), ("x" * 5000, "5000 characters"), ("nan", "'nan'"), (3, "text")],
)
def test_unusable_answers_are_invalid_and_say_what_was_expected(answer: object, piece: str) -> None:
    result = grade_one(GD_KIND, "2/N*sum(theta - y)", answer)
    assert result.status == PartStatus.INVALID
    assert piece in result.feedback
    assert "Expected a formula in theta, alpha, N, x, y, x_i, y_i" in result.feedback


def test_overflow_in_answer_is_incorrect_not_a_crash() -> None:
    result = grade_one(GD_KIND, "mean(y)", "exp(exp(exp(10 + theta)))")
    assert result.status == PartStatus.INCORRECT


def test_broken_answer_key_is_an_error_not_the_students_fault() -> None:
    result = grade_one(GD_KIND, "2/M*sum(theta - y)", "mean(y)")
    assert result.status == PartStatus.ERROR


def test_every_student_variant_agrees() -> None:
    for student in ("alice", "bob", "carol", None):
        result = grade_one(GD_KIND, "2/N*sum(theta - y)", "2 mean(θ - y)", student=student)
        assert result.status == PartStatus.CORRECT


def test_public_spec_has_names_and_shapes_but_no_answer() -> None:
    spec = ExpressionAnswer(CALC).public_spec()
    assert spec["kind"] == "expression"
    assert {"name": "x", "domain": "n×1 column"} in spec["variables"]
    assert {"name": "A", "domain": "n×n matrix"} in spec["variables"]


def test_constant_expressions_and_numeric_answers() -> None:
    kind = ExpressionAnswer({})
    assert grade_one(kind, "2*pi", "2π").status == PartStatus.CORRECT
    assert grade_one(kind, "2*pi", "6.283185307179586").status == PartStatus.CORRECT
    assert grade_one(kind, "2*pi", 6.283185307179586).status == PartStatus.INVALID  # not text
    assert "half" in grade_one(kind, "2*pi", "pi").feedback
    assert grade_one(GD_KIND, "2/N*sum(theta - y)", True).status == PartStatus.INVALID
