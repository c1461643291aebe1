"""Choice, yes/no, matrix and text parts graded through grade()."""

from __future__ import annotations

import numpy as np
import pytest

from service.grading.kinds import ChoiceAnswer, MatrixAnswer, TextAnswer, YesNoAnswer
from service.grading.model import Misconception
from service.grading.report import PartStatus
from tests.grading.conftest import grade_one

VOTE = ChoiceAnswer(
    {"equal": "Every point votes equally", "x": "Proportional to x_i", "y": "Proportional to y_i"}
)


@pytest.mark.parametrize("answer", ["x", "X", " x ", "Proportional to x_i", "proportional  TO x_i"])
def test_choice_by_id_or_label(answer: str) -> None:
    assert grade_one(VOTE, "x", answer).status == PartStatus.CORRECT


def test_choice_wrong_and_misconception() -> None:
    assert grade_one(VOTE, "x", "y").status == PartStatus.INCORRECT
    mistakes = (Misconception("equal", "Only for equal x_i.", 0.25),)
    result = grade_one(VOTE, "x", "equal", misconceptions=mistakes)
    assert (result.status, result.score, result.feedback) == (
        PartStatus.PARTIAL, 0.5, "Only for equal x_i."
    )


@pytest.mark.parametrize("answer", ["z", "", 3.5, None, ["x"], {"x": 1}])
def test_choice_unknown_option_is_invalid(answer: object) -> None:
    result = grade_one(VOTE, "x", answer)
    if answer is None:
        assert result.status == PartStatus.INCORRECT  # not answered
    else:
        assert result.status == PartStatus.INVALID
        assert "'equal', 'x', 'y'" in result.feedback


@pytest.mark.parametrize(
    ("answer", "status"),
    [("yes", PartStatus.CORRECT), ("YES", PartStatus.CORRECT), (True, PartStatus.CORRECT),
     ("true", PartStatus.CORRECT), ("no", PartStatus.INCORRECT), (False, PartStatus.INCORRECT),
     ("maybe", PartStatus.INVALID)],
)
def test_yes_no(answer: object, status: PartStatus) -> None:
    assert grade_one(YesNoAnswer(), "yes", answer).status == status


def test_choice_public_spec_lists_options_only() -> None:
    spec = VOTE.public_spec()
    assert [o["id"] for o in spec["options"]] == ["equal", "x", "y"]
    assert set(spec) == {"kind", "options"}


M = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.5]])


@pytest.mark.parametrize(
    "answer", [M.tolist(), [[1, 2, 3], [4, 5, 6.5000000001]], "[[1,2,3],[4,5,6.5]]"]
)
def test_matrix_correct(answer: object) -> None:
    assert grade_one(MatrixAnswer(), M, answer).status == PartStatus.CORRECT


@pytest.mark.parametrize(
    ("answer", "feedback"),
    [
        (M.T.tolist(), "transpose"),
        ((-M).tolist(), "wrong sign"),
        ((2 * M).tolist(), "twice"),
        ([[1, 2], [4, 5]], "Expected shape 2×3, got 2×2"),
        ((M + 1).tolist(), "by a constant"),
    ],
)
def test_matrix_mistakes(answer: object, feedback: str) -> None:
    result = grade_one(MatrixAnswer(), M, answer)
    assert result.status == PartStatus.INCORRECT
    assert feedback in result.feedback


def test_square_transpose_is_named() -> None:
    square = np.array([[1.0, 2.0], [3.0, 4.0]])
    result = grade_one(MatrixAnswer(), square, square.T.tolist())
    assert "transpose" in result.feedback


@pytest.mark.parametrize(
    ("answer", "piece"),
    [
        ([[1, 2, 3], [4, 5, float("nan")]], "finite"),
        ([[1, 2, 3], [4, 5, 10**400]], "finite"),
        ([[1, 2, 3], [4, 5]], "same length"),
        ([[1, 2, "3"], [4, 5, 6]], "number"),
        ([[True, 2, 3], [4, 5, 6]], "number"),
        ("[[1, 2", "Could not read"),
        ("[[1, NaN]]", "finite"),
        ({"a": 1}, "nested list"),
        ([[[[[[1]]]]]], "nested too deeply"),
    ],
)
def test_matrix_unusable(answer: object, piece: str) -> None:
    result = grade_one(MatrixAnswer(), M, answer)
    assert result.status == PartStatus.INVALID
    assert piece in result.feedback


def test_text_is_stored_for_manual_grading() -> None:
    result = grade_one(TextAnswer(), None, "Because the eigenvalues lie in [-1, 1].")
    assert (result.status, result.score) == (PartStatus.UNGRADED, 0.0)
    assert grade_one(TextAnswer(max_chars=10), None, "x" * 11).status == PartStatus.INVALID
    assert grade_one(TextAnswer(), None, "   ").status == PartStatus.INVALID
    assert grade_one(TextAnswer(), None, 42).status == PartStatus.INVALID
