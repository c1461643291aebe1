"""The choice kind: one option id (or its exact label); yes/no questions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from service.grading.feedback import misconception_answer, misconception_verdict
from service.grading.kinds.base import CheckContext, InvalidAnswer, Verdict


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


class ChoiceAnswer:
    """One of several options; expected is an option id (or a collection of accepted ids)."""

    name: ClassVar[str] = "choice"

    def __init__(self, options: Mapping[str, str]) -> None:
        if not options:
            raise ValueError("a choice needs options")
        self.options = dict(options)
        self._aliases: dict[str, str] = {}
        for option_id, label in self.options.items():
            self._aliases.setdefault(_norm(label), option_id)
        for option_id in self.options:
            self._aliases[_norm(option_id)] = option_id

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.options!r})"

    def resolve(self, answer: Any) -> str:
        """The option id the answer names; InvalidAnswer if none."""
        if isinstance(answer, bool) or not isinstance(answer, str | int):
            raise InvalidAnswer(f"An option id was expected, got {type(answer).__name__}.")
        option = self._aliases.get(_norm(str(answer)))
        if option is None:
            shown = str(answer)[:40]
            raise InvalidAnswer(f"{shown!r} is not one of the options {', '.join(self.options)}.")
        return option

    def _accepted(self, expected: Any) -> set[str]:
        ids = [expected] if isinstance(expected, str | bool) else list(expected)
        return {self.resolve(e) for e in ids}

    def check(self, answer: Any, expected: Any, ctx: CheckContext) -> Verdict:
        """Grade the chosen option."""
        option = self.resolve(answer)
        if option in self._accepted(expected):
            return Verdict.correct()
        for misconception in ctx.misconceptions:
            wrong = misconception_answer(misconception, ctx.params)
            try:
                if option in self._accepted(wrong):
                    return misconception_verdict(misconception)
            except InvalidAnswer:
                continue
        return Verdict.incorrect("Incorrect.")

    def describe(self) -> str:
        """What a valid answer looks like."""
        return "one of the option ids " + ", ".join(repr(k) for k in self.options)

    def public_spec(self) -> dict[str, Any]:
        """JSON-ready description: the options (never which one is right)."""
        return {
            "kind": self.name,
            "options": [{"id": k, "label": v} for k, v in self.options.items()],
        }


class YesNoAnswer(ChoiceAnswer):
    """A yes/no question; also accepts true/false (and JSON booleans). Expected "yes" or "no"."""

    def __init__(self) -> None:
        super().__init__({"yes": "Yes", "no": "No"})
        self._aliases.update({"true": "yes", "false": "no", "y": "yes", "n": "no"})

    def __repr__(self) -> str:
        return "YesNoAnswer()"

    def resolve(self, answer: Any) -> str:
        """The option id; booleans map to yes/no."""
        if isinstance(answer, bool):
            return "yes" if answer else "no"
        return super().resolve(answer)

    def describe(self) -> str:
        """What a valid answer looks like."""
        return "'yes' or 'no'"
