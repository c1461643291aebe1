"""Grade a submission: a Problem, a Variant and raw answers in, a Report out. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.grading.kinds.base import CheckContext, InvalidAnswer, Verdict
from service.grading.kinds.code_spec import CodeRunner
from service.grading.model import Part, Problem
from service.grading.report import PartResult, PartStatus, Report
from service.grading.variants import Variant, part_seed

GRADER_VERSION = "1.0.0"


def grader_version(problem: Problem) -> str:
    """The version string recorded with every result this grader produces for ``problem``."""
    return f"{GRADER_VERSION}+{problem.id}@{problem.version}"


class UnknownPart(ValueError):
    """The submission names parts the problem does not have."""

    def __init__(self, problem_id: str, unknown: list[str], known: tuple[str, ...]) -> None:
        self.unknown = unknown
        super().__init__(
            f"problem {problem_id!r} has no part(s) {', '.join(map(repr, unknown))}; "
            f"its parts are {', '.join(known)}"
        )


def check_part_ids(problem: Problem, answers: Mapping[str, Any]) -> None:
    """Raise UnknownPart if ``answers`` names a part the problem lacks."""
    known = set(problem.part_ids)
    unknown = sorted(k for k in answers if k not in known)
    if unknown:
        raise UnknownPart(problem.id, unknown, problem.part_ids)


def grade_part(
    part: Part,
    variant: Variant,
    answers: Mapping[str, Any],
    code_runner: CodeRunner | None = None,
) -> PartResult:
    """Grade one part; never raises for bad student input."""
    if part.id not in answers or answers[part.id] is None:
        if part.kind.name == "text" and part.optional:
            return PartResult(part.id, 0.0, part.points, PartStatus.UNGRADED, "Not answered.")
        return PartResult(part.id, 0.0, part.points, PartStatus.INCORRECT, "No answer given.")
    ctx = CheckContext(
        params=variant.params,
        answers=answers,
        seed=part_seed(variant.points_seed, part.id),
        part_id=part.id,
        code_runner=code_runner,
        misconceptions=part.misconceptions,
    )
    try:
        expected = part.expected_for(variant.params, answers)
        verdict = part.kind.check(answers[part.id], expected, ctx)
    except InvalidAnswer as exc:
        verdict = Verdict.invalid(f"{exc} Expected {part.kind.describe()}.")
    fraction = min(max(verdict.fraction, 0.0), 1.0)
    return PartResult(
        part.id, round(fraction * part.points, 6), part.points, verdict.status, verdict.feedback
    )


def grade(
    problem: Problem,
    variant: Variant,
    answers: Mapping[str, Any],
    *,
    code_runner: CodeRunner | None = None,
    only: tuple[str, ...] | None = None,
) -> Report:
    """Grade every part of ``problem`` (or just ``only``) for ``variant``; unknown parts raise."""
    check_part_ids(problem, answers)
    parts = problem.parts if only is None else tuple(p for p in problem.parts if p.id in only)
    results = tuple(grade_part(p, variant, answers, code_runner) for p in parts)
    return Report(
        problem_id=problem.id,
        student_id=variant.student_id,
        parts=results,
        grader_version=grader_version(problem),
    )


def code_part_ids(problem: Problem, answers: Mapping[str, Any]) -> set[str]:
    """Code parts the submission answers (graded off the request path)."""
    return {p.id for p in problem.parts if p.kind.name == "code" and answers.get(p.id) is not None}
