"""hw0-course-policies: the key (a yes, b no, c yes, d yes, e yes), inputs, configurability."""

from __future__ import annotations

from typing import Any

import pytest

from problems import hw0_course_policies as policies
from problems.hw0_course_policies import PROBLEM, make_problem
from service.grading.grade import grade
from service.grading.model import Problem
from service.grading.report import PartResult
from service.grading.variants import make_variant
from tests.helpers.grading import check_variant, grade_one

SECRET = b"test-secret"
COURSE_KEY = {"a": "yes", "b": "no", "c": "yes", "d": "yes", "e": "yes"}


def _grade(part_id: str, answer: Any, problem: Problem = PROBLEM) -> PartResult:
    return grade_one(problem, SECRET, part_id, answer, "s-policy")


def test_default_key_is_the_course_key() -> None:
    assert policies.POLICY_KEY == COURSE_KEY
    assert PROBLEM.part_ids == ("a", "b", "c", "d", "e", "explain")


@pytest.mark.parametrize(("part_id", "key"), sorted(COURSE_KEY.items()))
def test_right_answer_in_every_spelling(part_id: str, key: str) -> None:
    spellings = {"yes": ["yes", "Yes", "YES", True, "true", "y"], "no": ["no", "No", False, "n"]}
    for answer in spellings[key]:
        result = _grade(part_id, answer)
        assert (result.status, result.score) == ("correct", 1.0), answer


@pytest.mark.parametrize(("part_id", "key"), sorted(COURSE_KEY.items()))
def test_wrong_answer_explains_the_policy(part_id: str, key: str) -> None:
    result = _grade(part_id, "no" if key == "yes" else "yes")
    assert (result.status, result.score) == ("incorrect", 0.0)
    expected_start = "This is a violation." if key == "yes" else "This is allowed."
    assert result.feedback.startswith(expected_start)


@pytest.mark.parametrize("bad", ["maybe", "", 1, 0.5, ["yes"]])
def test_invalid_inputs(bad: Any) -> None:
    result = _grade("a", bad)
    assert (result.status, result.score) == ("invalid", 0.0)


def test_explain_is_optional_manual_text() -> None:
    variant = make_variant(PROBLEM, "s-policy", SECRET)
    skipped = grade(PROBLEM, variant, {}, only=("explain",)).parts[0]
    assert skipped.status == "ungraded"
    written = grade(PROBLEM, variant, {"explain": "Copying code is plagiarism."}).parts[-1]
    assert (written.part_id, written.status, written.score) == ("explain", "ungraded", 0.0)


def test_instructor_can_change_the_key() -> None:
    flipped = {**COURSE_KEY, "b": "yes", "e": "no"}
    custom = make_problem(flipped)  # type: ignore[arg-type]
    assert _grade("b", "yes", custom).status == "correct"
    assert _grade("e", "no", custom).status == "correct"
    wrong = _grade("e", "yes", custom)
    assert wrong.status == "incorrect" and wrong.feedback.startswith("This is allowed.")
    assert _grade("a", "yes", custom).status == "correct"
    with pytest.raises(ValueError):
        make_problem({"a": "yes"})
    with pytest.raises(ValueError):
        make_problem({**COURSE_KEY, "a": "maybe"})  # type: ignore[dict-item]


def test_situations_are_described() -> None:
    for part in PROBLEM.parts[:5]:
        assert len(part.prompt) > 120 and part.prompt.rstrip().endswith("?")


def test_twenty_students_reference_right_planted_mistake_wrong() -> None:
    auto = tuple(COURSE_KEY)
    for i in range(20):
        variant = make_variant(PROBLEM, f"policy-{i}", SECRET)
        answers, report = check_variant(PROBLEM, variant, auto, zero_score=True)
        assert answers == COURSE_KEY
        assert report.score == 5.0
