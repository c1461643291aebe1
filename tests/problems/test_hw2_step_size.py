"""hw2-step-size: labelled answers per part, 20 random variants, and the code part (fake and
real runner)."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from problems.hw2_step_size import PROBLEM, SOLUTION, UNNORMALISED, code_spec, harmonic_steps
from reference import step_size as ref
from service.grading.kinds.code_spec import CallOutcome, CodeCase
from service.grading.report import PartResult, PartStatus
from service.grading.variants import make_variant
from tests.helpers.code_parts import run_cases
from tests.helpers.grading import auto_parts, check_students, grade_one

SECRET = b"test-secret"
STUDENTS = [f"s{random.Random(11).randrange(10**6)}-{i}" for i in range(20)]
BASE = make_variant(PROBLEM, None, SECRET)


def _grade(part_id: str, answer: Any, sid: str | None = None, runner: Any = None) -> PartResult:
    return grade_one(PROBLEM, SECRET, part_id, answer, sid, runner)


GRADIENT_CORRECT = [
    "(x - b)/norm(x - b)",
    "(x-b)/sqrt(sum((x-b)^2))",
    "-(b - x)/norm(b - x)",
    "x/norm(x-b) - b/norm(x-b)",
    "(x-b)*norm(x-b)**(-1)",
    "(x − b)/norm(x − b)",
    "(x - b)/sqrt((x-b).T @ (x-b))",
]
GRADIENT_WRONG = [
    ("(b - x)/norm(x - b)", "Sign"),
    ("x - b", "½‖x − b‖²"),
    ("2(x - b)", "squared norm"),
    ("(x-b)/norm(x-b)^2", "once"),
    ("3*(x-b)/norm(x-b)", "3 times"),
    ("(x-b)/norm(x)", "Not equivalent"),
]


@pytest.mark.parametrize("answer", GRADIENT_CORRECT)
def test_gradient_correct_forms(answer: str) -> None:
    assert _grade("b", answer, STUDENTS[0]).status == PartStatus.CORRECT


@pytest.mark.parametrize(("answer", "feedback"), GRADIENT_WRONG)
def test_gradient_mistakes_get_targeted_feedback(answer: str, feedback: str) -> None:
    result = _grade("b", answer, STUDENTS[0])
    assert result.status == PartStatus.INCORRECT and result.score == 0
    assert feedback in result.feedback


@pytest.mark.parametrize("answer", ["(x - b)/|x - b|", "(x - b", "foo(x)", "norm(x-b, 2)"])
def test_gradient_unreadable_is_invalid(answer: str) -> None:
    assert _grade("b", answer).status == PartStatus.INVALID


@pytest.mark.parametrize(
    ("part_id", "right", "wrong", "feedback"),
    [
        ("b.domain", "all_but_b", "everywhere", "kink"),
        ("c.i", "no", "yes", "exactly 1"),
        ("c.i", "false", "true", "exactly 1"),
        ("c.general", "near_integer", "never", "integer"),
        ("c.general", "only if ‖b‖ is within 0.01 of an integer", "always", "oscillates"),
        ("d.order", "exp", "linear", "exp("),
        ("d.order", "EXP", "quadratic", "ln k"),
    ],
)
def test_choice_parts(part_id: str, right: str, wrong: str, feedback: str) -> None:
    assert _grade(part_id, right).status == PartStatus.CORRECT
    bad = _grade(part_id, wrong)
    assert bad.status == PartStatus.INCORRECT and feedback in bad.feedback
    assert _grade(part_id, "maybe").status == PartStatus.INVALID


def test_course_numbers_in_the_base_variant() -> None:
    assert BASE.params["b"] == [6.0, 4.5]
    assert PROBLEM.part("c.ii").expected_for(BASE.params, {}) == pytest.approx(0.5)
    assert harmonic_steps(BASE.params) == 1005
    assert _grade("c.ii", "0.5").status == PartStatus.CORRECT
    assert _grade("c.ii", "7.5 - 7").status == PartStatus.CORRECT
    assert _grade("d.i", "1005").status == PartStatus.CORRECT
    assert _grade("d.i", 1005.0).status == PartStatus.CORRECT


@pytest.mark.parametrize(
    ("answer", "status", "feedback"),
    [
        ("1006", PartStatus.INCORRECT, "Off by one"),
        ("1004", PartStatus.INCORRECT, "Off by one"),
        ("1808", PartStatus.INCORRECT, "exp(‖b‖)"),
        ("1005.5", PartStatus.INVALID, "integer"),
        ("lots", PartStatus.INVALID, ""),
    ],
)
def test_harmonic_step_count_mistakes(answer: str, status: PartStatus, feedback: str) -> None:
    result = _grade("d.i", answer)
    assert result.status == status and feedback in result.feedback


def test_oscillation_distance_variant_mistakes() -> None:
    sid = STUDENTS[1]
    params = make_variant(PROBLEM, sid, SECRET).params
    near, far = ref.constant_step_distances(float(np.linalg.norm(params["b"])))
    assert _grade("c.ii", f"{near:.4f}", sid).status == PartStatus.CORRECT
    assert "larger" in _grade("c.ii", f"{far:.4f}", sid).feedback
    assert "cannot converge" in _grade("c.ii", "0", sid).feedback
    assert _grade("c.ii", "0.5", sid).status == PartStatus.INCORRECT
    assert _grade("c.ii", "half", sid).status == PartStatus.INVALID


def test_variants_are_well_posed() -> None:
    for sid in STUDENTS:
        b = np.asarray(make_variant(PROBLEM, sid, SECRET).params["b"])
        norm_b = float(np.linalg.norm(b))
        assert abs(norm_b - round(norm_b)) > 0.01
        assert ref.steps_to_within(b, 1.0, max_steps=50) is None
        steps = ref.steps_to_within(b, ref.harmonic_schedule(2000))
        assert steps is not None and 20 <= steps <= 400
        assert np.all(np.round(b, 1) == b)


def test_reference_answers_correct_and_planted_mistakes_not_for_20_students() -> None:
    check_students(PROBLEM, SECRET, STUDENTS, auto_parts(PROBLEM, "code"), zero_score=True)


def test_statement_and_prompts_render_the_variant() -> None:
    params = make_variant(PROBLEM, STUDENTS[2], SECRET).params
    text = PROBLEM.render_statement(params)
    assert str(params["b"][0]).rstrip("0").rstrip(".") in text and "{{" not in text
    assert "[6, 4.5]" in PROBLEM.render_statement(BASE.params)


# --- code part -------------------------------------------------------------------------------


def _passes(case: CodeCase, got: Any) -> bool:
    got = np.asarray(got, dtype=float)
    expected = np.asarray(case.expected, dtype=float)
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=1e-6, atol=1e-8))


def _run_cases(source: str, params: Any) -> tuple[list[CodeCase], list[CallOutcome]]:
    spec = code_spec(params)
    assert all(c.call.harness is None and not c.call.convert for c in spec.cases)
    return list(spec.cases), run_cases(spec, source)


@pytest.mark.parametrize("sid", [None, *STUDENTS[:4]])
def test_code_spec_solution_passes_every_case_and_bug_hits_a_near_miss(sid: str | None) -> None:
    params = make_variant(PROBLEM, sid, SECRET).params
    cases, outcomes = _run_cases(SOLUTION, params)
    assert {c.call.function for c in cases} == set(PROBLEM.part("e").kind.functions)  # type: ignore[attr-defined]
    assert any(c.hidden for c in cases) and any(not c.hidden for c in cases)
    assert all(o.ok and _passes(c, o.value) for c, o in zip(cases, outcomes, strict=True))
    cases, outcomes = _run_cases(UNNORMALISED, params)
    failing = [(c, o) for c, o in zip(cases, outcomes, strict=True) if not _passes(c, o.value)]
    assert failing
    for case, outcome in failing:
        assert any(np.allclose(outcome.value, miss) for _, miss in case.near_misses), case.label


def test_code_spec_base_cases_reproduce_the_course_numbers() -> None:
    cases = {c.label: c for c in code_spec(BASE.params).cases}
    const = np.asarray(cases["compute_updates, constant 1, 10 steps"].expected)
    assert const.shape == (11, 2)
    np.testing.assert_allclose(np.linalg.norm(const[8:] - [6, 4.5], axis=1), 0.5)
    np.testing.assert_allclose(cases["compute_gradient(I, b, 0)"].expected, [-0.8, -0.6])


def test_code_part_grades_solution_correct_and_bug_not(any_runner: Any) -> None:
    for sid in (None, STUDENTS[3]):
        good = _grade("e", SOLUTION, sid, any_runner)
        assert good.status == PartStatus.CORRECT, good.feedback
        bad = _grade("e", UNNORMALISED, sid, any_runner)
        assert bad.status != PartStatus.CORRECT and bad.score < bad.max_score
        assert "‖Ax − b‖" in bad.feedback


def test_code_part_course_helper_with_only_callables_fails_on_numbers(any_runner: Any) -> None:
    course_style = SOLUTION.replace("step_at(step_size, step_count)", "step_size(step_count)")
    result = _grade("e", course_style, None, any_runner)
    assert result.status != PartStatus.CORRECT
