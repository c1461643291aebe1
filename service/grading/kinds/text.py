"""The text kind: free response, stored verbatim for manual grading."""

from __future__ import annotations

from typing import Any, ClassVar

from service.grading.kinds.base import CheckContext, InvalidAnswer, Verdict


class TextAnswer:
    """Free text between ``min_chars`` and ``max_chars`` long; never auto-scored."""

    name: ClassVar[str] = "text"

    def __init__(self, min_chars: int = 1, max_chars: int = 20000) -> None:
        self.min_chars = min_chars
        self.max_chars = max_chars

    def __repr__(self) -> str:
        return f"TextAnswer(min_chars={self.min_chars}, max_chars={self.max_chars})"

    def check(self, answer: Any, expected: Any, ctx: CheckContext) -> Verdict:
        """Validate the length and hand over to a human grader."""
        if not isinstance(answer, str):
            raise InvalidAnswer(f"Text was expected, got {type(answer).__name__}.")
        size = len(answer.strip())
        if size < self.min_chars:
            raise InvalidAnswer(f"The answer is too short ({size} characters).")
        if len(answer) > self.max_chars:
            raise InvalidAnswer(f"The answer is too long ({len(answer)} characters).")
        return Verdict.ungraded()

    def describe(self) -> str:
        """What a valid answer looks like."""
        return f"free text ({self.min_chars} to {self.max_chars} characters)"

    def public_spec(self) -> dict[str, Any]:
        """JSON-ready description."""
        return {"kind": self.name, "min_chars": self.min_chars, "max_chars": self.max_chars}
