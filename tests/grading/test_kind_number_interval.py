"""Number and interval parts graded through grade()."""

from __future__ import annotations

import math

import pytest

from service.grading.formula.domains import Positive
from service.grading.kinds import IntervalAnswer, NumberAnswer, NumberRange
from service.grading.model import Misconception
from service.grading.report import PartStatus
from tests.grading.conftest import grade_one

R_800 = 1 / (2 * math.pi * 800 * 1e-6)  # 198.94 Ω


@pytest.mark.parametrize(
    "answer",
    [R_800, 198.94, "198.94", "1/(2*pi*800e-6)", "1/(2π 800e-6)", "1.9894e2", "10^6/(1600 pi)"],
)
def test_numbers_and_arithmetic_strings(answer: object) -> None:
    result = grade_one(NumberAnswer(rtol=1e-3), R_800, answer)
    assert result.status == PartStatus.CORRECT, result.feedback


@pytest.mark.parametrize(
    ("answer", "feedback"),
    [
        (2 * R_800, "twice the expected"),
        (R_800 / 2, "half the expected"),
        (-R_800, "wrong sign"),
        (R_800 * 1000, "factor of 1000 (too large"),
        (R_800 / 10, "factor of 10 (too small"),
        (R_800 * 2 * math.pi, "2π"),
        ("1/(800e-6)", "2π"),
        (3 * R_800, "3 times"),
        (R_800 * 1.5, "Incorrect."),
    ],
)
def test_near_misses(answer: object, feedback: str) -> None:
    result = grade_one(NumberAnswer(), R_800, answer)
    assert result.status == PartStatus.INCORRECT
    assert feedback in result.feedback


@pytest.mark.parametrize(
    ("answer", "piece"),
    [("nan", "'nan'"), (float("nan"), "finite"), (float("inf"), "finite"), ("1e999", "too large"),
     ("1/0", "finite"), (True, "not a number"), ("abc", "'abc'"), ([1], "list"),
     ("10**10**10", "exponent"), ("9" * 3000, "characters")],
)
def test_unusable_numbers_are_invalid(answer: object, piece: str) -> None:
    result = grade_one(NumberAnswer(), 1.0, answer)
    assert result.status == PartStatus.INVALID
    assert piece in result.feedback
    assert "Expected a number" in result.feedback


def test_tolerances_and_sig_figs() -> None:
    assert grade_one(NumberAnswer(rtol=1e-3), 100.0, 100.09).status == PartStatus.CORRECT
    assert grade_one(NumberAnswer(rtol=1e-3), 100.0, 100.2).status == PartStatus.INCORRECT
    assert grade_one(NumberAnswer(rtol=0, atol=0.5), 0.0, -0.4).status == PartStatus.CORRECT
    three = NumberAnswer(rtol=0, sig_figs=3)
    assert grade_one(three, 0.0255155, 0.0255).status == PartStatus.CORRECT
    assert grade_one(three, 0.0255155, 0.0254).status == PartStatus.INCORRECT


def test_integer_answers() -> None:
    kind = NumberAnswer(integer=True)
    assert grade_one(kind, 1005, "1005").status == PartStatus.CORRECT
    assert grade_one(kind, 1005, 1005.0).status == PartStatus.CORRECT
    assert grade_one(kind, 1005, 1006).status == PartStatus.INCORRECT
    assert grade_one(kind, 1005, 1005.5).status == PartStatus.INVALID


def test_ranges() -> None:
    accepted = NumberRange(176.84, 227.36)
    assert grade_one(NumberAnswer(), accepted, 200).status == PartStatus.CORRECT
    low = grade_one(NumberAnswer(), accepted, 150)
    assert low.status == PartStatus.INCORRECT and "too small" in low.feedback
    assert grade_one(NumberAnswer(), accepted, 176.84).status == PartStatus.INCORRECT
    inclusive = NumberRange(176.84, 227.36, inclusive=True)
    assert grade_one(NumberAnswer(), inclusive, 176.84).status == PartStatus.CORRECT


def test_number_misconception_with_variant_params() -> None:
    mistakes = (Misconception(lambda p: 2 * p["k"], "You doubled k.", 0.25),)
    # base variant: k = 3
    base = grade_one(NumberAnswer(), lambda p: p["k"], 6.0, misconceptions=mistakes, student=None)
    assert base.status == PartStatus.PARTIAL and base.score == 0.5
    assert base.feedback == "You doubled k."
    other = grade_one(NumberAnswer(), lambda p: p["k"], 7.0, misconceptions=mistakes, student=None)
    assert other.status == PartStatus.INCORRECT


SIGMA = {"eta": Positive(), "sigma": Positive()}
KEY = "0 < eta < 1/sigma**2"


@pytest.mark.parametrize(
    "answer",
    [KEY, "0 < η < 1/σ^2", "1/sigma^2 > eta > 0", "eta > 0 and eta < 1/sigma^2",
     "eta < sigma^-2 and 0 < eta", "(0, 1/sigma^2)"],
)
def test_interval_forms(answer: str) -> None:
    result = grade_one(IntervalAnswer("eta", SIGMA), KEY, answer)
    assert result.status == PartStatus.CORRECT, result.feedback


@pytest.mark.parametrize(
    ("answer", "status", "score", "feedback"),
    [
        ("0 <= eta < 1/sigma^2", PartStatus.PARTIAL, 1.5, "lower bound should be strict"),
        ("[0, 1/sigma^2]", PartStatus.PARTIAL, 1.0, "upper bound should be strict"),
        ("eta < 1/sigma^2", PartStatus.PARTIAL, 1.0, "lower bound is missing"),
        ("0 < eta < 2/sigma^2", PartStatus.PARTIAL, 1.0, "upper bound is wrong: it is twice"),
        ("1 < eta < 2/sigma", PartStatus.INCORRECT, 0.0, "lower bound is wrong"),
    ],
)
def test_interval_mistakes(answer: str, status: PartStatus, score: float, feedback: str) -> None:
    result = grade_one(IntervalAnswer("eta", SIGMA), KEY, answer)
    assert (result.status, result.score) == (status, score)
    assert feedback in result.feedback


def test_interval_misconception_overrides_the_generic_score() -> None:
    mistakes = (Misconception("0 < eta < 2/sigma**2", "That bound keeps |1 - ησ²| < 1 only."),)
    kind = IntervalAnswer("eta", SIGMA)
    result = grade_one(kind, KEY, "0<eta<2/sigma^2", misconceptions=mistakes)
    assert result.status == PartStatus.INCORRECT
    assert result.feedback == "That bound keeps |1 - ησ²| < 1 only."


@pytest.mark.parametrize(
    ("answer", "piece"),
    [
        ("eta < 1 and eta < 2", "two upper bounds"),
        ("eta < eta^2", "alone on one side"),
        ("eta == 1", "Use <, <=, > or >="),
        ("1/sigma^2", "comparisons"),
        ("0 < x < 1", "'x'"),
        ("(0, eta)", "'eta'"),
    ],
)
def test_unusable_intervals_are_invalid(answer: str, piece: str) -> None:
    result = grade_one(IntervalAnswer("eta", SIGMA), KEY, answer)
    assert result.status == PartStatus.INVALID
    assert piece in result.feedback


def test_interval_public_spec_has_no_key() -> None:
    spec = IntervalAnswer("eta", SIGMA).public_spec()
    assert spec["variable"] == "eta" and "sigma" not in str(spec.get("expected", ""))
    assert "1/sigma" not in str(spec)


def test_trailing_unit_is_accepted() -> None:
    assert grade_one(NumberAnswer(unit="Ω"), R_800, "198.94 Ω").status == PartStatus.CORRECT
    assert grade_one(NumberAnswer(unit="Hz"), 800.0, "800 hz").status == PartStatus.CORRECT
    assert grade_one(NumberAnswer(unit="Hz"), 800.0, "800 Ω").status == PartStatus.INVALID


def test_interval_with_constant_endpoints() -> None:
    kind = IntervalAnswer("t", {"t": Positive()})
    assert grade_one(kind, "0 < t < 1", "t > 0 and t < 1").status == PartStatus.CORRECT
    assert grade_one(kind, "0 < t < 1", "0 < t < 2").status == PartStatus.PARTIAL
