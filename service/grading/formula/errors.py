"""Errors of the formula package (InvalidAnswer is imported lazily: kinds imports formula)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from service.grading.kinds.base import InvalidAnswer


class EvalError(ArithmeticError):
    """A parsed formula cannot be evaluated (shapes do not align, singular matrix, ...)."""


def invalid(message: str) -> InvalidAnswer:
    """An InvalidAnswer with ``message`` (to raise)."""
    from service.grading.kinds.base import InvalidAnswer

    return InvalidAnswer(message)
