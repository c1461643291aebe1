"""Grade without a server or storage (the ``grader`` CLI): synchronous, code runner in-process."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.app.bank import ProblemBank
from service.app.grading import PartGrader
from service.app.reports import report_dict
from service.app.runner import RunnerFactory, RunnerHolder
from service.app.submit import (
    code_part_ids,
    graded_part_ids,
    notebook_answers,
    validate_answers,
)
from service.settings import Settings


def secret_for(settings: Settings, student_id: str | None) -> bytes:
    """The course secret (only needed for a student's variant; read from the persisted place)."""
    if student_id is None:
        return b""
    if settings.course_secret is not None:
        return settings.course_secret.get_secret_value().encode()
    from service.app.context import course_secret, open_database

    db = open_database(settings)
    try:
        return course_secret(db, settings)
    finally:
        db.dispose()


def grade_answers(
    settings: Settings,
    problem_id: str,
    student_id: str | None,
    answers: Mapping[str, Any],
    *,
    bank: ProblemBank | None = None,
    runner_factory: RunnerFactory | None = None,
    kind: str = "json",
) -> dict[str, Any]:
    """The report of ``answers`` (code parts included) for the student's variant.

    ``kind="notebook"`` grades only the parts a notebook answers (code and text), as the API does.
    """
    bank = bank or ProblemBank()
    problem = bank.get(problem_id)
    validate_answers(problem, answers)
    grader = PartGrader(secret_for(settings, student_id), cache_size=0)
    variant = grader.variant(problem, student_id)
    runner = RunnerHolder(1, runner_factory) if code_part_ids(problem, answers) else None
    try:
        results = grader.grade(
            problem,
            variant,
            answers,
            graded_part_ids(problem, kind),
            runner.get() if runner else None,
        )
    finally:
        if runner is not None:
            runner.close()
    return report_dict(
        submission_id=None,
        problem_id=problem.id,
        student_id=student_id,
        status="graded",
        results=results,
        kind=kind,
    )


def notebook_to_answers(
    settings: Settings, problem_id: str, data: bytes, filename: str, bank: ProblemBank | None = None
) -> dict[str, Any]:
    """The answers a notebook gives for a problem's parts."""
    problem = (bank or ProblemBank()).get(problem_id)
    return notebook_answers(problem, data, filename, settings.max_notebook_bytes)
