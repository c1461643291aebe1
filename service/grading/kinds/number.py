"""The number kind: a numeric answer (or an arithmetic string) within a tolerance or a range."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from service.grading.feedback import (
    factor_message,
    misconception_answer,
    misconception_verdict,
)
from service.grading.formula.errors import EvalError
from service.grading.formula.evaluate import evaluate_constant
from service.grading.formula.parser import parse_formula
from service.grading.kinds.base import CheckContext, InvalidAnswer, Verdict


@dataclass(frozen=True, slots=True)
class NumberRange:
    """Expected answer meaning "any value between lo and hi"."""

    lo: float
    hi: float
    inclusive: bool = False

    def contains(self, value: float) -> bool:
        """True when ``value`` is in the range."""
        if self.inclusive:
            return self.lo <= value <= self.hi
        return self.lo < value < self.hi


def _strip_unit(text: str, unit: str) -> str:
    stripped = text.strip()
    if unit and stripped.casefold().endswith(unit.casefold()) and len(stripped) > len(unit):
        return stripped[: -len(unit)]
    return text


def to_number(answer: Any, unit: str = "") -> float:
    """A finite float from a number or an arithmetic string (a trailing ``unit`` is ignored);
    InvalidAnswer otherwise."""
    if isinstance(answer, bool) or answer is None:
        raise InvalidAnswer(f"{answer!r} is not a number.")
    if isinstance(answer, int | float | np.integer | np.floating):
        try:
            value = float(answer)
        except OverflowError:
            raise InvalidAnswer("The number is too large.") from None
    elif isinstance(answer, str):
        tree = parse_formula(_strip_unit(answer, unit), ())
        try:
            result = evaluate_constant(tree)
        except EvalError as exc:
            raise InvalidAnswer(f"Could not compute {answer!r}: {exc}.") from None
        if not isinstance(result, float):
            raise InvalidAnswer("The answer must be a single number, not a vector or matrix.")
        value = result
    else:
        raise InvalidAnswer(f"A number was expected, got {type(answer).__name__}.")
    if not math.isfinite(value):
        raise InvalidAnswer("The answer is not a finite number (NaN or infinity).")
    return value


class NumberAnswer:
    """A number within ``rtol``/``atol`` (or ``sig_figs`` significant figures) of the expected."""

    name: ClassVar[str] = "number"

    def __init__(
        self,
        rtol: float = 1e-3,
        atol: float = 0.0,
        sig_figs: int | None = None,
        unit: str = "",
        integer: bool = False,
    ) -> None:
        self.rtol = rtol
        self.atol = atol
        self.sig_figs = sig_figs
        self.unit = unit
        self.integer = integer

    def __repr__(self) -> str:
        return (
            f"NumberAnswer(rtol={self.rtol}, atol={self.atol}, sig_figs={self.sig_figs}, "
            f"unit={self.unit!r}, integer={self.integer})"
        )

    def tolerance(self, expected: float) -> float:
        """Allowed absolute error around ``expected``."""
        tol = self.atol + self.rtol * abs(expected)
        if self.sig_figs is not None and expected != 0:
            exponent = math.floor(math.log10(abs(expected))) - self.sig_figs + 1
            tol = max(tol, 0.5 * 10.0**exponent * (1 + 1e-9))
        return tol

    def matches(self, value: float, expected: Any) -> bool:
        """True when ``value`` is right for ``expected`` (a number or NumberRange)."""
        if isinstance(expected, NumberRange):
            return expected.contains(value)
        target = float(expected)
        if self.integer:
            return value == round(value) and round(value) == round(target)
        return abs(value - target) <= self.tolerance(target)

    def check(self, answer: Any, expected: Any, ctx: CheckContext) -> Verdict:
        """Grade a numeric answer."""
        value = to_number(answer, self.unit)
        if self.integer and value != round(value):
            raise InvalidAnswer(f"{value:g} is not an integer.")
        if self.matches(value, expected):
            return Verdict.correct()
        for misconception in ctx.misconceptions:
            try:
                wrong = to_number(misconception_answer(misconception, ctx.params))
            except InvalidAnswer:
                continue
            if self.matches(value, wrong):
                return misconception_verdict(misconception)
        return Verdict.incorrect(self.near_miss(value, expected))

    def near_miss(self, value: float, expected: Any) -> str:
        """Feedback for a wrong value."""
        if isinstance(expected, NumberRange):
            side = "small" if value <= expected.lo else "large"
            return f"Not in the accepted range: {value:g} is too {side}."
        target = float(expected)
        if target != 0:
            message = factor_message(value / target, tol=max(3 * self.rtol, 1e-6))
            if message:
                return message
        return "Incorrect."

    def describe(self) -> str:
        """What a valid answer looks like."""
        what = "an integer" if self.integer else "a number"
        unit = f" in {self.unit}" if self.unit else ""
        return f"{what}{unit} (digits like 198.9 or 1.99e2, or arithmetic like 1/(2*pi*800e-6))"

    def public_spec(self) -> dict[str, Any]:
        """JSON-ready description (no expected value)."""
        return {"kind": self.name, "unit": self.unit, "integer": self.integer}
