"""disc1-gd-mechanics: labelled answers per part, expected formulas vs reference/, variants."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from problems.disc1_gd_mechanics import PROBLEM
from reference import gd_mechanics as gd
from service.grading.kinds import ExpressionAnswer
from service.grading.report import PartResult
from service.grading.variants import make_variant
from tests.helpers.grading import auto_parts, check_students, grade_one

SECRET = b"test-secret"
STUDENTS = [f"disc1-student-{i:02d}" for i in range(20)]


def _grade(part_id: str, answer: Any, student: str | None = "s-labelled") -> PartResult:
    return grade_one(PROBLEM, SECRET, part_id, answer, student)


# (part, answer): every one of these must be full credit.
CORRECT = {
    "a.i": [
        "2/N*sum(theta - y)", "2*mean(theta - y)", "2*(theta - mean(y))", "2θ - 2 mean(y)",
        "2/N*(N*theta - sum(y))", "(2/N) * sum(θ - y)", "2(θ - sum(y)/N)",
    ],
    "a.ii": ["mean(y)", "sum(y)/N", "1/N*sum(y)", "N^-1 sum(y)", "mean(y + theta) - theta"],
    "a.iii": [
        "theta - 2*alpha/N*sum(theta - y)", "theta - 2*alpha*(theta - mean(y))",
        "(1 - 2α)θ + 2α mean(y)", "θ - α*2/N*sum(θ - y)",
        "theta*(1 - 2*alpha) + 2*alpha/N*sum(y)", "θ - 2α(θ - sum(y)/N)",
    ],
    "a.iv": [
        "theta - 2*alpha*(theta - y_i)", "(1 - 2α)θ + 2α y_i", "θ - 2α(θ - y_i)",
        "theta + 2*alpha*(y_i - theta)", "theta*(1-2*alpha) + 2*alpha*y_i",
    ],
    "a.v": [
        "2/N*(theta - y_i)", "2*(theta - y_i)/N", "(2θ - 2y_i)/N", "-2/N*(y_i - θ)",
        "2 N^-1 (theta - y_i)",
    ],
    "b.i": [
        "2/N*sum((theta*x - y)*x)", "2*mean((theta*x - y)*x)", "2/N*(theta*x@x - x@y)",
        "2θ mean(x^2) - 2 mean(x y)", "2/N * sum(x*(x*theta - y))", "-2/N*sum((y - θ x) x)",
        "(2/N)*(θ*sum(x**2) - sum(x*y))",
    ],
    "b.ii": [
        "sum(x*y)/sum(x**2)", "mean(x*y)/mean(x^2)", "(x@y)/(x@x)", "sum(y*x)/sum(x*x)",
        "sum(x*y)*sum(x**2)**(-1)", "(sum(x*y)/N)/(sum(x^2)/N)",
    ],
    "b.iii": [
        "theta - 2*alpha/N*sum((theta*x - y)*x)", "θ - 2α mean((θx - y)x)",
        "theta*(1 - 2*alpha*mean(x**2)) + 2*alpha*mean(x*y)",
        "θ - 2α/N (θ x@x - x@y)", "theta + 2*alpha/N*sum((y - theta*x)*x)",
    ],
    "b.iv": [
        "theta - 2*alpha*(theta*x_i - y_i)*x_i", "θ - 2α x_i(θ x_i - y_i)",
        "theta*(1 - 2*alpha*x_i^2) + 2*alpha*x_i*y_i", "theta + 2*alpha*(y_i - theta*x_i)*x_i",
        "θ - 2α(θ x_i² - x_i y_i)",
    ],
    "b.v": [
        "2/N*(theta*x_i - y_i)*x_i", "2*x_i*(θ x_i - y_i)/N", "(2θ x_i^2 - 2 x_i y_i)/N",
        "-2/N*(y_i - theta*x_i)*x_i", "2/N*theta*x_i**2 - 2/N*x_i*y_i",
    ],
}

# (part, answer, status, feedback fragment)
MISTAKES = [
    ("a.i", "2*sum(theta - y)", "incorrect", "keep the factor 1/N"),
    ("a.i", "2/N*sum(y - theta)", "incorrect", "wrong sign"),
    ("a.i", "1/N*sum(theta - y)", "incorrect", "half the expected"),
    ("a.i", "mean((theta - y)**2)", "incorrect", "the loss L itself"),
    ("a.i", "2*(theta - y)", "incorrect", "single number"),
    ("a.i", "4/N*sum(theta - y)", "incorrect", "twice the expected"),
    ("a.ii", "sum(y)", "incorrect", "divide by N"),
    ("a.ii", "y_i", "incorrect", "not one of them"),
    ("a.ii", "-mean(y)", "incorrect", "wrong sign"),
    ("a.ii", "mean(y)/2", "incorrect", "half the expected"),
    ("a.ii", "2*mean(y)", "incorrect", "twice the expected"),
    ("a.iii", "theta + 2*alpha/N*sum(theta - y)", "incorrect", "against the gradient"),
    ("a.iii", "theta - 2*alpha*sum(theta - y)", "incorrect", "factor 1/N"),
    ("a.iii", "theta - alpha/N*sum(theta - y)", "incorrect", "factor 2 is missing"),
    ("a.iii", "2*alpha/N*sum(theta - y)", "incorrect", "only the step"),
    ("a.iii", "mean(y)", "incorrect", "where GD ends up"),
    ("a.iv", "theta - 2*alpha/N*(theta - y_i)", "incorrect", "no 1/N"),
    ("a.iv", "theta + 2*alpha*(theta - y_i)", "incorrect", "against the gradient"),
    ("a.iv", "theta - alpha*(theta - y_i)", "incorrect", "factor 2 is missing"),
    ("a.iv", "2*alpha*(theta - y_i)", "incorrect", "only the step"),
    ("a.iv", "theta - 2*alpha/N*sum(theta - y)", "incorrect", "full-batch"),
    ("a.v", "2*(theta - y_i)", "incorrect", "divided by N"),
    ("a.v", "2/N*(y_i - theta)", "incorrect", "wrong sign"),
    ("a.v", "1/N*(theta - y_i)", "incorrect", "half the expected"),
    ("a.v", "2/N*sum(theta - y)", "incorrect", "whole gradient"),
    ("a.v", "(theta - y_i)**2/N", "incorrect", "share of the loss"),
    ("b.i", "2/N*sum(theta*x - y)", "incorrect", "factor x_j is missing"),
    ("b.i", "2*sum((theta*x - y)*x)", "incorrect", "factor 1/N missing"),
    ("b.i", "2/N*sum((y - theta*x)*x)", "incorrect", "wrong sign"),
    ("b.i", "1/N*sum((theta*x - y)*x)", "incorrect", "half the expected"),
    ("b.i", "mean((theta*x - y)**2)", "incorrect", "the loss L itself"),
    ("b.ii", "sum(y)/sum(x)", "incorrect", "ratio of sums"),
    ("b.ii", "mean(y)/mean(x)", "incorrect", "ratio of sums"),
    ("b.ii", "sum(x**2)/sum(x*y)", "incorrect", "Upside down"),
    ("b.ii", "sum(x*y)/sum(x)**2", "incorrect", "square each x_j"),
    ("b.ii", "mean(y/x)", "incorrect", "per-point slopes"),
    ("b.ii", "sum(x*y)/(N*sum(x**2))", "incorrect", "extra factor 1/N"),
    ("b.iii", "theta - 2*alpha/N*sum(theta*x - y)", "incorrect", "factor x_j"),
    ("b.iii", "theta + 2*alpha/N*sum((theta*x - y)*x)", "incorrect", "against the gradient"),
    ("b.iii", "theta - 2*alpha*sum((theta*x - y)*x)", "incorrect", "factor 1/N"),
    ("b.iii", "2*alpha/N*sum((theta*x - y)*x)", "incorrect", "only the step"),
    ("b.iii", "theta - 2*alpha*mean(x*y)", "incorrect", "differs at"),
    ("b.iv", "theta - 2*alpha*(theta*x_i - y_i)", "incorrect", "factor x_i is missing"),
    ("b.iv", "theta - 2*alpha/N*(theta*x_i - y_i)*x_i", "incorrect", "no 1/N"),
    ("b.iv", "theta + 2*alpha*(theta*x_i - y_i)*x_i", "incorrect", "against the gradient"),
    ("b.iv", "theta - alpha*(theta*x_i - y_i)*x_i", "incorrect", "differs at"),
    ("b.iv", "-2*alpha*(theta*x_i - y_i)*x_i", "incorrect", "differs at"),
    ("b.v", "2/N*(theta*x_i - y_i)", "incorrect", "factor x_i"),
    ("b.v", "2*(theta*x_i - y_i)*x_i", "incorrect", "divided by N"),
    ("b.v", "2/N*(y_i - theta*x_i)*x_i", "incorrect", "wrong sign"),
    ("b.v", "1/N*(theta*x_i - y_i)*x_i", "incorrect", "half the expected"),
    ("b.v", "4/N*(theta*x_i - y_i)*x_i", "incorrect", "twice the expected"),
]


@pytest.mark.parametrize(
    ("part_id", "answer"), [(p, a) for p, forms in CORRECT.items() for a in forms]
)
def test_correct_forms_get_full_credit(part_id: str, answer: str) -> None:
    result = _grade(part_id, answer)
    assert (result.status, result.score) == ("correct", result.max_score), result.feedback


@pytest.mark.parametrize(("part_id", "answer", "status", "fragment"), MISTAKES)
def test_common_mistakes_get_targeted_feedback(
    part_id: str, answer: str, status: str, fragment: str
) -> None:
    result = _grade(part_id, answer)
    assert (result.status, result.score) == (status, 0.0)
    assert fragment.lower() in result.feedback.lower(), result.feedback


def test_every_expression_part_has_five_forms_and_five_mistakes() -> None:
    expression_parts = [p.id for p in PROBLEM.parts if p.kind.name == "expression"]
    assert len(expression_parts) == 10
    for pid in expression_parts:
        assert len(CORRECT[pid]) >= 5, pid
        assert sum(1 for m in MISTAKES if m[0] == pid) >= 5, pid


@pytest.mark.parametrize(
    ("answer", "status"),
    [("prop_x", "correct"), ("PROP_X", "correct"), ("the vote is proportional to x_i", "correct"),
     ("equal", "incorrect"), ("error_only", "incorrect"), ("prop_y", "incorrect"),
     ("bigger", "invalid"), (3.5, "invalid"), ("", "invalid")],
)
def test_vote_choice(answer: Any, status: str) -> None:
    result = _grade("b.vi", answer)
    assert result.status == status, result.feedback
    if status == "incorrect":
        assert "x_i" in result.feedback


@pytest.mark.parametrize("bad", ["2/N*sum(theta - z)", "import os", "2/N*sum(theta -", 42, None])
def test_unusable_formulas_are_invalid_or_missing(bad: Any) -> None:
    result = _grade("a.i", bad)
    assert result.score == 0.0
    assert result.status == ("incorrect" if bad is None else "invalid"), result.feedback


REFERENCE = {
    "a.i": lambda v: gd.constant_gradient(v["theta"], v["y"]),
    "a.ii": lambda v: gd.constant_minimiser(v["y"]),
    "a.iii": lambda v: gd.constant_gd_step(v["theta"], v["y"], v["alpha"]),
    "a.iv": lambda v: gd.constant_sgd_step(v["theta"], v["y_i"], v["alpha"]),
    "a.v": lambda v: gd.constant_point_contribution(v["theta"], v["y_i"], len(v["y"])),
    "b.i": lambda v: gd.linear_gradient(v["theta"], v["x"], v["y"]),
    "b.ii": lambda v: gd.linear_minimiser(v["x"], v["y"]),
    "b.iii": lambda v: gd.linear_gd_step(v["theta"], v["x"], v["y"], v["alpha"]),
    "b.iv": lambda v: gd.linear_sgd_step(v["theta"], v["x_i"], v["y_i"], v["alpha"]),
    "b.v": lambda v: gd.linear_point_contribution(v["theta"], v["x_i"], v["y_i"], len(v["y"])),
}


@pytest.mark.parametrize("part_id", sorted(REFERENCE))
def test_expected_formulas_agree_with_the_reference_functions(part_id: str) -> None:
    part = PROBLEM.part(part_id)
    assert isinstance(part.kind, ExpressionAnswer)
    envs = part.kind.points(seed=11)
    values = part.kind.evaluate_expected(part.expected_for({}, {}), envs)
    for env, got in zip(envs, values, strict=True):
        for k in range(len(got)):
            point = {name: arr[k] for name, arr in env.items()}
            assert float(got[k]) == pytest.approx(REFERENCE[part_id](point), rel=1e-9, abs=1e-12)


def test_twenty_students_reference_right_planted_mistake_wrong() -> None:
    check_students(PROBLEM, SECRET, STUDENTS, auto_parts(PROBLEM), zero_score=False)


def test_statement_and_prompts_render() -> None:
    variant = make_variant(PROBLEM, "someone", SECRET)
    assert "\\theta" in PROBLEM.render_statement(variant.params)
    assert all(p.render_prompt(variant.params).strip() for p in PROBLEM.parts)
    assert np.isclose(len(PROBLEM.parts), 11)
