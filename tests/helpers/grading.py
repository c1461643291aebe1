"""Grading shortcuts shared by the per-problem tests."""

from __future__ import annotations

from typing import Any

from service.grading.grade import grade
from service.grading.kinds.code_spec import CodeRunner
from service.grading.model import Problem
from service.grading.reference_answers import planted_mistake, reference_answers
from service.grading.report import PartResult, PartStatus, Report
from service.grading.variants import Variant, make_variant


def grade_one(
    problem: Problem,
    secret: bytes,
    part_id: str,
    answer: Any,
    student: str | None = None,
    runner: CodeRunner | None = None,
) -> PartResult:
    """Grade ``answer`` to one part for ``student``'s variant (None: the base variant)."""
    variant = make_variant(problem, student, secret)
    report = grade(problem, variant, {part_id: answer}, only=(part_id,), code_runner=runner)
    return report.parts[0]


def check_variant(
    problem: Problem,
    variant: Variant,
    parts: tuple[str, ...],
    *,
    zero_score: bool,
    runner: CodeRunner | None = None,
) -> tuple[dict[str, Any], Report]:
    """Reference answers grade correct on ``parts``; each part's planted mistake does not (with
    score 0 when ``zero_score``, else below full marks). Returns the answers and their report."""
    answers = reference_answers(problem, variant.params)
    report = grade(problem, variant, answers, only=parts, code_runner=runner)
    sid = variant.student_id
    assert all(r.status == PartStatus.CORRECT for r in report.parts), (sid, report.parts)
    for part_id in parts:
        mistake = planted_mistake(problem.part(part_id), variant.params)
        bad = grade(problem, variant, {part_id: mistake}, only=(part_id,), code_runner=runner)
        result = bad.parts[0]
        assert result.status != PartStatus.CORRECT, (sid, part_id, mistake)
        if zero_score:
            assert result.score == 0, (sid, part_id, mistake)
        else:
            assert result.score < result.max_score, (sid, part_id, mistake)
    return answers, report


def check_students(
    problem: Problem,
    secret: bytes,
    students: list[str],
    parts: tuple[str, ...],
    *,
    zero_score: bool,
) -> None:
    """``check_variant`` for each student's variant."""
    for sid in students:
        check_variant(problem, make_variant(problem, sid, secret), parts, zero_score=zero_score)


def auto_parts(problem: Problem, *skip_kinds: str) -> tuple[str, ...]:
    """Ids of the parts whose kind is not text nor one of ``skip_kinds``."""
    skip = {"text", *skip_kinds}
    return tuple(p.id for p in problem.parts if p.kind.name not in skip)
