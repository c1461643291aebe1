"""Reference answers in the student's own answer language (for staff previews and bank tests)."""

from __future__ import annotations

from typing import Any

import numpy as np

from service.grading.model import Params, Part, Problem


def _student_form(part: Part, expected: Any) -> Any:
    """Turn an expected value into what a student would submit for this part's kind."""
    kind = part.kind.name
    if kind == "code":
        return part.solution if isinstance(part.solution, str) else None
    if kind == "text":
        return None
    if kind == "number":
        lo, hi = getattr(expected, "lo", None), getattr(expected, "hi", None)
        if lo is not None and hi is not None:
            return (float(lo) + float(hi)) / 2
        return float(expected)
    if isinstance(expected, np.ndarray):
        return expected.tolist()
    return expected


def reference_answers(problem: Problem, params: Params) -> dict[str, Any]:
    """A complete, correct submission for this variant (text parts left out)."""
    answers: dict[str, Any] = {}
    for part in problem.parts:
        if part.expected_with_answers is not None:
            continue
        value = _student_form(part, part.expected_for(params, answers))
        if value is not None:
            answers[part.id] = value
    for part in problem.parts:
        if part.expected_with_answers is not None:
            answers[part.id] = _student_form(part, part.expected_for(params, answers))
    return answers


def planted_mistake(part: Part, params: Params) -> Any:
    """The part's first authored misconception as a student would submit it (None if absent)."""
    if not part.misconceptions:
        return None
    answer = part.misconceptions[0].answer
    return answer(params) if callable(answer) else answer
