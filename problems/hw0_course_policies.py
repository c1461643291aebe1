"""hw0-course-policies: is this situation a violation of the course policies? (Homework 0)

The answer key is configuration: an instructor whose policy differs edits ``POLICY_KEY`` (or
builds a problem with ``make_problem(key)``); prompts, expected answers and feedback follow it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from service.grading.kinds import TextAnswer, YesNoAnswer
from service.grading.model import Misconception, Params, Part, Problem

YesNo = Literal["yes", "no"]

POLICY_KEY: dict[str, YesNo] = {"a": "yes", "b": "no", "c": "yes", "d": "yes", "e": "yes"}
"""Part id -> "yes" when the situation violates the course policy (instructor-configurable)."""


@dataclass(frozen=True, slots=True)
class Situation:
    """A policy situation and why it would be a violation / why it would be allowed."""

    text: str
    if_violation: str
    if_allowed: str


SITUATIONS: dict[str, Situation] = {
    "a": Situation(
        text="Stuck on the coding part of a homework, you find a public GitHub repository "
        "from another university with a working solution to the same question. You copy "
        "the function into your notebook, rename a few variables, and submit it without "
        "saying where it came from.",
        if_violation="Submitting someone else's code as your own is plagiarism, renamed "
        "variables or not. Work it out yourself (reading general documentation is fine).",
        if_allowed="Under this course's policy reusing public code is allowed, but you must "
        "cite where it came from.",
    ),
    "b": Situation(
        text="You and two classmates meet at a whiteboard and talk through how to approach "
        "the gradient-descent problem. Afterwards each of you writes up the solution and "
        "code alone, from scratch, and you list each other as collaborators on the "
        "submission.",
        if_violation="This course does not allow discussing homework approaches with others.",
        if_allowed="Discussing ideas is encouraged; what matters is that each of you writes "
        "the solution independently and names your collaborators, as here.",
    ),
    "c": Situation(
        text="A friend in the class is behind and asks to see your finished notebook \"just "
        "to check the format\". You send them the file the night before the deadline.",
        if_violation="Sharing your written solutions or code with another student is a "
        "violation, whatever they say they will use it for.",
        if_allowed="This course allows sharing finished work between students.",
    ),
    "d": Situation(
        text="A student who took the course last year still has the official solutions. "
        "You read their solution to this week's problem before writing your own answer.",
        if_violation="Using solutions from previous offerings of the course (official or "
        "from former students) is not allowed.",
        if_allowed="This course allows consulting solutions from earlier offerings.",
    ),
    "e": Situation(
        text="You post the exact text of a homework question on an online homework-help "
        "site and copy the answer a stranger posts into your write-up.",
        if_violation="Getting homework answers from outside sites or people and submitting "
        "them is a violation, even if you rewrite them.",
        if_allowed="This course allows outside help services.",
    ),
}

STATEMENT = r"""
For each situation below, answer **yes** if it violates the course's academic-honesty and
collaboration policy, **no** if it is allowed. Optionally explain your reasoning in `explain`.
"""


def _feedback(part_id: str, key: YesNo) -> str:
    situation = SITUATIONS[part_id]
    if key == "yes":
        return "This is a violation. " + situation.if_violation
    return "This is allowed. " + situation.if_allowed


def _constant(value: YesNo) -> Callable[[Params], YesNo]:
    return lambda _params: value


def _part(part_id: str, key: YesNo) -> Part:
    wrong: YesNo = "no" if key == "yes" else "yes"
    return Part(
        id=part_id, kind=YesNoAnswer(), points=1,
        prompt=SITUATIONS[part_id].text + "\n\nIs this a violation of the course policy?",
        expected=_constant(key),
        misconceptions=(Misconception(wrong, _feedback(part_id, key)),),
        solution=_feedback(part_id, key),
    )


def make_problem(key: Mapping[str, YesNo] = POLICY_KEY) -> Problem:
    """The policy problem for an answer key (part id -> "yes" if it is a violation)."""
    if set(key) != set(SITUATIONS) or not set(key.values()) <= {"yes", "no"}:
        raise ValueError(f"the key must map {sorted(SITUATIONS)} to 'yes' or 'no'")
    parts = tuple(_part(pid, key[pid]) for pid in sorted(SITUATIONS))
    explain = Part(
        id="explain", kind=TextAnswer(), points=1, optional=True,
        prompt="(Optional) Explain your reasoning for any of the situations.",
    )
    return Problem(
        id="hw0-course-policies",
        title="Course policies",
        source="Homework 0",
        statement=STATEMENT,
        parts=(*parts, explain),
        topics=("course policies",),
    )


PROBLEM = make_problem()
