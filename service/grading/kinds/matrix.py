"""The matrix kind: a numeric array (nested lists) compared elementwise, shape checked."""

from __future__ import annotations

import json
import math
from typing import Any, ClassVar

import numpy as np

from service.grading.feedback import misconception_answer, misconception_verdict, near_miss
from service.grading.kinds.base import CheckContext, InvalidAnswer, Verdict

MAX_ELEMENTS = 10_000


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(s) for s in shape) if shape else "scalar"


def _check_numbers(value: Any, depth: int = 0) -> None:
    if depth > 4:
        raise InvalidAnswer("The array is nested too deeply.")
    if isinstance(value, list | tuple):
        for item in value:
            _check_numbers(item, depth + 1)
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidAnswer(f"Every entry must be a number, got {type(value).__name__}.")
    try:
        finite = math.isfinite(float(value))
    except OverflowError:
        finite = False
    if not finite:
        raise InvalidAnswer("Every entry must be a finite number (no NaN or infinity).")


def to_array(answer: Any) -> np.ndarray:
    """A finite float array from nested lists (or their JSON text); InvalidAnswer otherwise."""
    if isinstance(answer, str):
        if len(answer) > 200_000:
            raise InvalidAnswer("The answer is too long.")
        try:
            answer = json.loads(answer)
        except ValueError:
            raise InvalidAnswer("Could not read the matrix; write it like [[1, 2], [3, 4]].") from (
                None
            )
    if isinstance(answer, np.ndarray):
        answer = answer.tolist()
    if not isinstance(answer, list | tuple | int | float) or isinstance(answer, bool):
        raise InvalidAnswer(f"A nested list of numbers was expected, got {type(answer).__name__}.")
    _check_numbers(answer)
    try:
        array = np.array(answer, dtype=float)
    except ValueError:
        raise InvalidAnswer("The rows do not all have the same length.") from None
    if array.size > MAX_ELEMENTS:
        raise InvalidAnswer(f"The array has more than {MAX_ELEMENTS} entries.")
    return array


class MatrixAnswer:
    """A numeric array equal to the expected one within ``rtol``/``atol``."""

    name: ClassVar[str] = "matrix"

    def __init__(self, rtol: float = 1e-6, atol: float = 1e-9) -> None:
        self.rtol = rtol
        self.atol = atol

    def __repr__(self) -> str:
        return f"MatrixAnswer(rtol={self.rtol}, atol={self.atol})"

    def _equal(self, got: np.ndarray, expected: np.ndarray) -> bool:
        return got.shape == expected.shape and bool(
            np.allclose(got, expected, rtol=self.rtol, atol=self.atol)
        )

    def check(self, answer: Any, expected: Any, ctx: CheckContext) -> Verdict:
        """Grade a numeric array."""
        got = to_array(answer)
        want = np.asarray(expected, dtype=float)
        if self._equal(got, want):
            return Verdict.correct()
        for misconception in ctx.misconceptions:
            wrong = np.asarray(misconception_answer(misconception, ctx.params), dtype=float)
            if self._equal(got, wrong):
                return misconception_verdict(misconception)
        if got.shape != want.shape:
            if got.ndim == 2 and got.T.shape == want.shape and self._equal(got.T, want):
                return Verdict.incorrect("Your answer is the transpose of the expected one.")
            return Verdict.incorrect(
                f"Expected shape {_shape_text(want.shape)}, got {_shape_text(got.shape)}."
            )
        message = near_miss([got[None]], [want[None]], rtol=self.rtol)
        return Verdict.incorrect(message or "Incorrect.")

    def describe(self) -> str:
        """What a valid answer looks like."""
        return "a numeric array as nested lists, e.g. [[1, 2], [3, 4]]"

    def public_spec(self) -> dict[str, Any]:
        """JSON-ready description."""
        return {"kind": self.name}
