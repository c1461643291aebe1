"""hw2-lr-stability: labelled answers, variant numbers vs simulation, planted mistakes."""

from __future__ import annotations

from typing import Any

import pytest

from problems.hw2_lr_stability import PROBLEM
from reference import lr_stability as lr
from service.grading.grade import grade
from service.grading.kinds import ExpressionAnswer
from service.grading.report import PartResult
from service.grading.variants import make_variant
from tests.helpers.grading import auto_parts, check_students, grade_one

SECRET = b"test-secret"
STUDENTS = [f"lr-student-{i:02d}" for i in range(20)]


def _grade(part_id: str, answer: Any, student: str | None = "s-lr") -> PartResult:
    return grade_one(PROBLEM, SECRET, part_id, answer, student)


CORRECT = {
    "b": [
        "log(eps)/log(abs(1 - 2*eta*sigma**2))", "log(1/eps)/log(1/abs(1 - 2 η σ^2))",
        "-log(eps)/(-log(abs(1 - 2 η σ^2)))", "log(ε)/log(abs(2ησ² - 1))",
        "2*log(eps)/log((1 - 2*eta*sigma**2)**2)", "log(eps)/log(sqrt((1 - 2*eta*sigma^2)^2))",
        "log(epsilon)/log(abs(1 - 2*sigma**2*eta))",
    ],
    "e": [
        "1/(sigma_l**2 + sigma_s**2)", "(σ_l^2 + σ_s^2)^-1", "1/(σ_s² + σ_l²)",
        "2/(2*sigma_l**2 + 2*sigma_s**2)", "1/(sigma_l*sigma_l + sigma_s*sigma_s)",
        "(sigma_l**2 + sigma_s**2)**(-1)",
    ],
}

MISTAKES = [
    ("b", "log(eps)/log(1 - 2*eta*sigma**2)", "partial", 0.5, "take the absolute value"),
    ("b", "log(eps)/log(abs(1 - eta*sigma**2))", "incorrect", 0.0, "the factor is 1 − 2ησ²"),
    ("b", "log(1 - eps)/log(abs(1 - 2*eta*sigma**2))", "incorrect", 0.0, "at most ε"),
    ("b", "log(abs(1 - 2*eta*sigma**2))/log(eps)", "incorrect", 0.0, "upside down"),
    ("b", "-log(eps)/(2*eta*sigma**2)", "incorrect", 0.0, "small-step approximation"),
    ("b", "2*log(eps)/log(abs(1 - 2*eta*sigma**2))", "incorrect", 0.0, "twice the expected"),
    ("b", "-log(eps)/log(abs(1 - 2*eta*sigma**2))", "incorrect", 0.0, "wrong sign"),
    ("e", "1/sigma_l**2", "incorrect", 0.0, "oscillates forever"),
    ("e", "1/sigma_s**2", "incorrect", 0.0, "diverges"),
    ("e", "1/(sigma_l + sigma_s)**2", "incorrect", 0.0, "square each σ"),
    ("e", "1/(2*sigma_l**2)", "incorrect", 0.0, "one step"),
    ("e", "2/(sigma_l**2 + sigma_s**2)", "incorrect", 0.0, "twice the expected"),
    ("e", "1/(2*(sigma_l**2 + sigma_s**2))", "incorrect", 0.0, "half the expected"),
    ("e", "1/(sigma_l**2 - sigma_s**2)", "incorrect", 0.0, "differs at"),
]


@pytest.mark.parametrize(
    ("part_id", "answer"), [(p, a) for p, forms in CORRECT.items() for a in forms]
)
def test_correct_forms_get_full_credit(part_id: str, answer: str) -> None:
    result = _grade(part_id, answer)
    assert (result.status, result.score) == ("correct", result.max_score), result.feedback


@pytest.mark.parametrize(("part_id", "answer", "status", "fraction", "fragment"), MISTAKES)
def test_common_mistakes(part_id: str, answer: str, status: str, fraction: float,
                         fragment: str) -> None:
    result = _grade(part_id, answer)
    assert (result.status, result.score) == (status, fraction * result.max_score)
    assert fragment.lower() in result.feedback.lower(), result.feedback


INTERVALS = [
    ("a", "0 < eta < 1/sigma**2", "correct", 1.0, ""),
    ("a", "0 < η < 1/σ^2", "correct", 1.0, ""),
    ("a", "(0, 1/sigma^2)", "correct", 1.0, ""),
    ("a", "eta > 0 and eta < sigma**-2", "correct", 1.0, ""),
    ("a", "1/sigma**2 > eta > 0", "correct", 1.0, ""),
    ("a", "0 < eta < 2/sigma**2", "partial", 0.5, "no ½"),
    ("a", "0 <= eta <= 1/sigma**2", "partial", 0.5, "oscillates forever"),
    ("a", "0 < eta < 1/sigma", "partial", 0.5, "involves σ²"),
    ("a", "0 < eta <= 1/sigma**2", "partial", 0.75, "should be strict"),
    ("a", "eta < 1/sigma**2", "partial", 0.5, "lower bound is missing"),
    ("a", "0 < eta < 1/(2*sigma**2)", "partial", 0.5, "half the expected"),
    ("a", "hello", "invalid", 0.0, "interval"),
    ("a", "eta = 1", "invalid", 0.0, ""),
    ("c", "0 < eta < 1/sigma_l**2", "correct", 1.0, ""),
    ("c", "0 < η < σ_l^-2", "correct", 1.0, ""),
    ("c", "(0, 1/sigma_l**2)", "correct", 1.0, ""),
    ("c", "0 < eta < 1/sigma_s**2", "partial", 0.5, "σ_s coordinate"),
    ("c", "0 < eta < 1/(sigma_l**2 + sigma_s**2)", "partial", 0.5, "best η"),
    ("c", "0 < eta < 2/sigma_l**2", "partial", 0.5, "no ½"),
    ("c", "0 < eta < 1/sigma", "invalid", 0.0, "sigma"),
]


@pytest.mark.parametrize(("part_id", "answer", "status", "fraction", "fragment"), INTERVALS)
def test_interval_answers(part_id: str, answer: str, status: str, fraction: float,
                          fragment: str) -> None:
    result = _grade(part_id, answer)
    assert (result.status, result.score) == (status, fraction * result.max_score), result.feedback
    assert fragment.lower() in result.feedback.lower(), result.feedback


CHOICES = [
    ("c.limit", "large", "correct", ""),
    ("c.limit", "σ_ℓ, the larger singular value", "correct", ""),
    ("c.limit", "small", "incorrect", "smallest"), ("c.limit", "both", "incorrect", "tighter"),
    ("c.limit", "medium", "invalid", ""),
    ("f", "neither", "correct", ""), ("f", "both", "incorrect", "extremes"),
    ("f", "range", "incorrect", "largest σ"), ("f", "best", "incorrect", "middle"),
    ("f", True, "invalid", ""),
]


@pytest.mark.parametrize(("part_id", "answer", "status", "fragment"), CHOICES)
def test_choice_answers(part_id: str, answer: Any, status: str, fragment: str) -> None:
    result = _grade(part_id, answer)
    assert result.status == status, result.feedback
    assert fragment.lower() in result.feedback.lower()


def test_base_variant_numbers() -> None:
    # sigma = 1, eta = 0.1: factor 0.8, log(0.01)/log(0.8) = 20.6 -> 21 steps.
    assert _grade("b.num", 21, student=None).status == "correct"
    assert _grade("b.num", "21", student=None).status == "correct"
    low = _grade("b.num", 20, student=None)
    assert low.status == "incorrect" and "rounded down" in low.feedback.lower()
    no_two = _grade("b.num", 44, student=None)  # ceil(log 0.01 / log 0.9)
    assert no_two.status == "incorrect" and "1 − 2ησ²" in no_two.feedback
    assert _grade("b.num", 20.6, student=None).status == "invalid"
    assert _grade("b.num", "twenty", student=None).status == "invalid"
    # eta = 0.05, sigma_l = 3, sigma_s = 1: factors 0.1 vs 0.9 -> the sigma_l one.
    assert _grade("d", "large", student=None).status == "correct"
    assert _grade("d", "same", student=None).status == "incorrect"


def test_variants_are_well_posed_and_match_simulation() -> None:
    faster_seen = set()
    for sid in STUDENTS:
        p = make_variant(PROBLEM, sid, SECRET).params
        sigma, eta, eps = p["sigma"], p["eta"], p["eps"]
        assert 0 < eta < 1 / sigma**2
        for name in ("sigma", "eta", "d_sigma_l", "d_sigma_s", "d_eta"):
            assert float(f"{p[name]:.3g}") == p[name]  # the printed numbers are the real ones
        w_star, w, steps = 1.0 / sigma, 0.0, 0
        while abs(w - w_star) > eps * abs(w_star):
            w = lr.gd_step(w, eta, sigma, 1.0)
            steps += 1
        real_t = lr.iterations_formula(eta, sigma, eps)
        assert abs(real_t - round(real_t)) >= 0.05
        assert PROBLEM.part("b.num").expected_for(p, {}) == steps
        assert _grade("b.num", steps, sid).status == "correct"
        assert _grade("b.num", steps - 1, sid).status == "incorrect"
        eta_d, s_l, s_s = p["d_eta"], p["d_sigma_l"], p["d_sigma_s"]
        assert 0 < eta_d < 1 / s_l**2 and s_s < s_l
        err_l, err_s = 1.0, 1.0
        for _ in range(10):
            err_l *= 1 - 2 * eta_d * s_l**2
            err_s *= 1 - 2 * eta_d * s_s**2
        faster = "large" if abs(err_l) < abs(err_s) else "small"
        assert abs(abs(err_l) ** 0.1 - abs(err_s) ** 0.1) >= 0.03  # never a tie
        assert PROBLEM.part("d").expected_for(p, {}) == faster
        faster_seen.add(faster)
        prompt = PROBLEM.part("d").render_prompt(p)
        assert f"{eta_d:.3g}" in prompt and f"{s_l:.3g}" in prompt
    assert faster_seen == {"large", "small"}


def test_expected_formulas_agree_with_the_reference() -> None:
    part = PROBLEM.part("b")
    assert isinstance(part.kind, ExpressionAnswer)
    envs = part.kind.points(seed=9)
    (values,) = part.kind.evaluate_expected(part.expected_for({}, {}), envs)
    for k, got in enumerate(values):
        eta, sigma, eps = (float(envs[0][n][k]) for n in ("eta", "sigma", "eps"))
        assert float(got) == pytest.approx(lr.iterations_formula(eta, sigma, eps), rel=1e-9)
    e_part = PROBLEM.part("e")
    assert isinstance(e_part.kind, ExpressionAnswer)
    envs = e_part.kind.points(seed=9)
    (values,) = e_part.kind.evaluate_expected(e_part.expected_for({}, {}), envs)
    for k, got in enumerate(values):
        s_l, s_s = float(envs[0]["sigma_l"][k]), float(envs[0]["sigma_s"][k])
        assert float(got) == pytest.approx(lr.best_eta(s_l, s_s), rel=1e-12)


def test_twenty_students_reference_right_planted_mistake_wrong() -> None:
    check_students(PROBLEM, SECRET, STUDENTS, auto_parts(PROBLEM), zero_score=False)


def test_svd_part_is_manual() -> None:
    variant = make_variant(PROBLEM, "s-lr", SECRET)
    result = grade(PROBLEM, variant, {"g": "The SVD decouples the coordinates."}, only=("g",))
    assert result.parts[0].status == "ungraded"
