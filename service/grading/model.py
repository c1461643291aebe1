"""Problem-bank model: a problem declares parts, kinds, points, variants and expected answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from service.grading.kinds.base import AnswerKind
from service.grading.render import render_template

Params = Mapping[str, Any]
"""A variant's numbers, by name (floats, ints, numpy arrays)."""


@dataclass(frozen=True, slots=True)
class Misconception:
    """A known wrong answer for a part and the feedback (and credit) it earns.

    ``answer`` is in the part's own answer language (a formula string for expressions, a value
    for numbers, an option id for choices) or a callable ``params -> answer`` for variant-dependent
    mistakes.
    """

    answer: Any
    feedback: str
    credit: float = 0.0


@dataclass(frozen=True, slots=True)
class Part:
    """One gradable part of a problem.

    ``expected`` maps the variant's params to the expected answer in the kind's terms (a number
    or NumberRange, a formula string, an interval string, an option id, an array, a CodeSpec).
    ``expected_with_answers`` is used instead when a part follows through from the student's
    other answers (it receives params and the submission's raw answers).
    ``notebook_section`` is a heading pattern (regex, case-insensitive) naming the notebook
    section a part's definitions come from, for names reassigned across a notebook.
    """

    id: str
    kind: AnswerKind
    points: float
    prompt: str
    expected: Callable[[Params], Any] | None = None
    expected_with_answers: Callable[[Params, Mapping[str, Any]], Any] | None = None
    misconceptions: tuple[Misconception, ...] = ()
    solution: Callable[[Params], str] | str | None = None
    optional: bool = False
    notebook_section: str | None = None

    def expected_for(self, params: Params, answers: Mapping[str, Any]) -> Any:
        """The expected answer for this variant (and this submission, for follow-through)."""
        if self.expected_with_answers is not None:
            return self.expected_with_answers(params, answers)
        if self.expected is None:
            return None
        return self.expected(params)

    def render_prompt(self, params: Params) -> str:
        """The prompt with the variant's numbers filled in."""
        return render_template(self.prompt, params)


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem of the bank. ``sample_params`` draws a variant's numbers from a seeded rng.

    ``base_params`` are the numbers printed in the course (the variant of ``student_id=None``).
    Problems without per-student numbers leave ``sample_params`` as None.
    """

    id: str
    title: str
    source: str
    statement: str
    parts: tuple[Part, ...]
    base_params: Mapping[str, Any] = field(default_factory=dict)
    sample_params: Callable[[np.random.Generator], dict[str, Any]] | None = None
    version: str = "1"
    topics: tuple[str, ...] = ()

    def part(self, part_id: str) -> Part:
        """The part with this id (KeyError if unknown)."""
        for part in self.parts:
            if part.id == part_id:
                return part
        raise KeyError(part_id)

    @property
    def part_ids(self) -> tuple[str, ...]:
        """Ids of all parts, in order."""
        return tuple(p.id for p in self.parts)

    @property
    def max_score(self) -> float:
        """Total points."""
        return float(sum(p.points for p in self.parts))

    def render_statement(self, params: Params) -> str:
        """The statement with the variant's numbers filled in (Markdown with LaTeX)."""
        return render_template(self.statement, params)
