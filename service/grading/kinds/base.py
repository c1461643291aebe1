"""The answer-kind protocol: how one kind of answer is checked against an expected value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from service.grading.report import PartStatus

if TYPE_CHECKING:
    from service.grading.kinds.code_spec import CodeRunner


class InvalidAnswer(ValueError):
    """The student's answer cannot be parsed; the message says what was expected."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """Outcome of checking one answer: a credit fraction in [0, 1], a status and feedback."""

    fraction: float
    status: PartStatus
    feedback: str = ""

    @staticmethod
    def correct(feedback: str = "Correct.") -> Verdict:
        """Full credit."""
        return Verdict(1.0, PartStatus.CORRECT, feedback)

    @staticmethod
    def incorrect(feedback: str) -> Verdict:
        """No credit."""
        return Verdict(0.0, PartStatus.INCORRECT, feedback)

    @staticmethod
    def partial(fraction: float, feedback: str) -> Verdict:
        """Some credit (0 < fraction < 1)."""
        return Verdict(fraction, PartStatus.PARTIAL, feedback)

    @staticmethod
    def invalid(feedback: str) -> Verdict:
        """Unparseable answer: no credit, says what was expected."""
        return Verdict(0.0, PartStatus.INVALID, feedback)

    @staticmethod
    def ungraded(feedback: str = "Saved for manual grading.") -> Verdict:
        """Waits for a human grader."""
        return Verdict(0.0, PartStatus.UNGRADED, feedback)

    @staticmethod
    def error(feedback: str) -> Verdict:
        """The grader could not grade (crash, timeout, sandbox unavailable): no credit."""
        return Verdict(0.0, PartStatus.ERROR, feedback)


@dataclass(frozen=True, slots=True)
class CheckContext:
    """Everything a checker may use besides the answer and the expected value.

    ``params`` are the variant's numbers, ``answers`` the whole submission (for follow-through
    parts), ``seed`` drives any random evaluation points (deterministic per variant and part),
    ``code_runner`` executes code answers in the sandbox (None: code cannot be graded here).
    """

    params: Mapping[str, Any]
    answers: Mapping[str, Any]
    seed: int
    part_id: str
    code_runner: CodeRunner | None = None
    misconceptions: tuple[Any, ...] = field(default=())


@runtime_checkable
class AnswerKind(Protocol):
    """One kind of answer (number, expression, interval, choice, matrix, code, text)."""

    name: ClassVar[str]

    def check(self, answer: Any, expected: Any, ctx: CheckContext) -> Verdict:
        """Grade ``answer`` against ``expected``; raise InvalidAnswer if it cannot be parsed."""
        ...

    def describe(self) -> str:
        """Say what a valid answer looks like (used in `invalid` feedback and statements)."""
        ...

    def public_spec(self) -> dict[str, Any]:
        """JSON-ready description for clients (never contains the expected answer)."""
        ...
