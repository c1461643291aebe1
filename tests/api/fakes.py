"""A tiny problem with test-only answer kinds and a fake code runner (no sandbox needed)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

from service.grading.kinds.base import CheckContext, InvalidAnswer, Verdict
from service.grading.kinds.code_spec import CallOutcome, CodeCall, RunResult
from service.grading.model import Part, Problem


class ExactNumber:
    """A number kind for tests: a JSON number or numeric string, equal within 1e-9."""

    name: ClassVar[str] = "number"

    def check(self, answer: Any, expected: Any, ctx: CheckContext) -> Verdict:
        if isinstance(answer, bool) or not isinstance(answer, int | float | str):
            raise InvalidAnswer("Not a number.")
        try:
            value = float(answer)
        except ValueError:
            raise InvalidAnswer("Not a number.") from None
        if not math.isfinite(value):
            raise InvalidAnswer("Not a finite number.")
        if abs(value - expected) <= 1e-9 * max(1.0, abs(expected)):
            return Verdict.correct()
        return Verdict.incorrect("Not the expected value.")

    def describe(self) -> str:
        return "a number"

    def public_spec(self) -> dict[str, Any]:
        return {"kind": "number"}


class FreeText:
    """Free text, saved for a human."""

    name: ClassVar[str] = "text"

    def check(self, answer: Any, expected: Any, ctx: CheckContext) -> Verdict:
        if not isinstance(answer, str) or not answer.strip():
            raise InvalidAnswer("Empty text.")
        return Verdict.ungraded()

    def describe(self) -> str:
        return "free text"

    def public_spec(self) -> dict[str, Any]:
        return {"kind": "text"}


class SquareCode:
    """A code kind for tests: ``square(x)`` must return x*x, run through the code runner."""

    name: ClassVar[str] = "code"
    functions = ("square",)

    def check(self, answer: Any, expected: Any, ctx: CheckContext) -> Verdict:
        if ctx.code_runner is None:
            return Verdict.error("Code grading is unavailable here.")
        result = ctx.code_runner.run(answer, (CodeCall("square", (3,)),), timeout_s=5)
        if result.failure or not result.outcomes[0].ok:
            return Verdict.error(result.failure or result.outcomes[0].error)
        if result.outcomes[0].value == expected:
            return Verdict.correct()
        return Verdict.incorrect("square(3) is wrong.")

    def describe(self) -> str:
        return "Python source defining square(x)"

    def public_spec(self) -> dict[str, Any]:
        return {"kind": "code", "functions": list(self.functions)}


class FakeRunner:
    """Pretends to run code: 'x*x' in the source squares, anything else returns 0."""

    def __init__(self, ok: bool = True, reason: str = "") -> None:
        self.ok, self.reason, self.calls = ok, reason, 0

    def run(
        self,
        source: str,
        calls: tuple[CodeCall, ...],
        *,
        timeout_s: float,
        needs_torch: bool = False,
    ) -> RunResult:
        self.calls += 1
        value = calls[0].args[0] ** 2 if "x*x" in source.replace(" ", "") else 0
        return RunResult((CallOutcome(True, value),))

    def available(self) -> tuple[bool, str]:
        return self.ok, self.reason

    def close(self) -> None:
        pass


def _params(rng: Any) -> dict[str, Any]:
    return {"a": int(rng.integers(1, 100)), "b": int(rng.integers(1, 100))}


def _sum(p: Mapping[str, Any]) -> float:
    return float(p["a"] + p["b"])


TINY = Problem(
    id="tiny-sum",
    title="Tiny sum",
    source="tests",
    statement="Let a = {{ a }} and b = {{ b }}.",
    base_params={"a": 2, "b": 3},
    sample_params=_params,
    parts=(
        Part(id="sum", kind=ExactNumber(), points=2, prompt="a + b?", expected=_sum),
        Part(
            id="prod",
            kind=ExactNumber(),
            points=1,
            prompt="a * b?",
            expected=lambda p: float(p["a"] * p["b"]),
        ),
        Part(id="essay", kind=FreeText(), points=1, prompt="Why?", optional=True),
        Part(id="code", kind=SquareCode(), points=2, prompt="square(x)", expected=lambda p: 9),
    ),
)
