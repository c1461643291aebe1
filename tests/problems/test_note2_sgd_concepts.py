"""note2-sgd-concepts: labelled answers for every part, the elbow formula vs reference/."""

from __future__ import annotations

from typing import Any

import pytest

from problems.note2_sgd_concepts import PROBLEM
from reference import relu_elbow
from service.grading.kinds import ExpressionAnswer
from service.grading.report import PartResult
from service.grading.variants import make_variant
from tests.helpers.grading import auto_parts, check_variant, grade_one

SECRET = b"test-secret"


def _grade(part_id: str, answer: Any, student: str | None = "s-note2") -> PartResult:
    return grade_one(PROBLEM, SECRET, part_id, answer, student)


KEY = {"a": "unbiased", "b": "wanders", "c": "one_pass", "e": "cauchy", "f": "non_saturating"}
WRONG = [
    ("a", "exact", "on average"), ("a", "biased_low", "no bias"), ("a", "unrelated", "noisy"),
    ("b", "converges", "shrink the learning rate"), ("b", "stops", "jittering"),
    ("b", "diverges", "does not settle"),
    ("c", "one_step", "one pass"), ("c", "one_batch", "every training point"),
    ("e", "gaussian", "Cauchy"), ("e", "uniform", "unbounded"), ("e", "zero", "heavy tails"),
    ("f", "saturating", "sigmoid"), ("f", "bounded", "unbounded"), ("f", "smooth", "kink"),
]


@pytest.mark.parametrize(("part_id", "option"), sorted(KEY.items()))
def test_choice_key_by_id_case_and_label(part_id: str, option: str) -> None:
    assert _grade(part_id, option).status == "correct"
    assert _grade(part_id, option.upper()).status == "correct"
    kind = PROBLEM.part(part_id).kind
    label = kind.public_spec()["options"]
    by_id = {o["id"]: o["label"] for o in label}
    assert _grade(part_id, by_id[option]).status == "correct"


@pytest.mark.parametrize(("part_id", "option", "fragment"), WRONG)
def test_wrong_options_explain_why(part_id: str, option: str, fragment: str) -> None:
    result = _grade(part_id, option)
    assert (result.status, result.score) == ("incorrect", 0.0)
    assert fragment.lower() in result.feedback.lower(), result.feedback


@pytest.mark.parametrize("bad", ["maybe", "", 7, ["unbiased"], {"id": "unbiased"}])
def test_invalid_choice_inputs(bad: Any) -> None:
    result = _grade("a", bad)
    assert (result.status, result.score) == ("invalid", 0.0)
    assert "option" in result.feedback


@pytest.mark.parametrize(
    "answer", ["-b/w", "-(b/w)", "b/(-w)", "-b*w^-1", "(0 - b)/w", "-b w**(-1)", "−b/w"]
)
def test_elbow_correct_forms(answer: str) -> None:
    result = _grade("d", answer)
    assert (result.status, result.score) == ("correct", 1.0), result.feedback


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [("b/w", "sign"), ("-w/b", "upside down"), ("-b", "divide by the slope"),
     ("-2*b/w", "twice the expected"), ("-b/(2*w)", "half the expected"),
     ("-b/w + 1", "differs from the expected one by a constant")],
)
def test_elbow_mistakes(answer: str, fragment: str) -> None:
    result = _grade("d", answer)
    assert (result.status, result.score) == ("incorrect", 0.0)
    assert fragment.lower() in result.feedback.lower(), result.feedback


def test_elbow_formula_matches_the_reference() -> None:
    part = PROBLEM.part("d")
    assert isinstance(part.kind, ExpressionAnswer)
    envs = part.kind.points(seed=3)
    (values,) = part.kind.evaluate_expected(part.expected_for({}, {}), envs)
    for k, got in enumerate(values):
        w, b = float(envs[0]["w"][k]), float(envs[0]["b"][k])
        assert float(got) == pytest.approx(relu_elbow.elbow(w, b))
        assert relu_elbow.relu_unit(w, b, float(got)) == pytest.approx(0.0, abs=1e-12)


def test_twenty_students_reference_right_planted_mistake_wrong() -> None:
    auto = auto_parts(PROBLEM)
    for i in range(20):
        variant = make_variant(PROBLEM, f"note2-{i}", SECRET)
        answers, report = check_variant(PROBLEM, variant, auto, zero_score=True)
        assert answers == {**KEY, "d": "-b/w"}
        assert report.score == report.max_score == 6.0
