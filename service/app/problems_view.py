"""Use-cases on the problem bank: list problems, render a student's variant (no answers)."""

from __future__ import annotations

from typing import Any

from service.app.auth import Principal, check_student_id
from service.app.bank import ProblemBank
from service.app.context import Services
from service.app.grading import PartGrader


def summaries(bank: ProblemBank) -> list[dict[str, Any]]:
    """A summary of every problem, sorted by id."""
    return [
        {
            "id": p.id,
            "title": p.title,
            "source": p.source,
            "topics": list(p.topics),
            "max_score": p.max_score,
            "parts": [
                {"id": part.id, "kind": part.kind.name, "points": part.points} for part in p.parts
            ],
        }
        for p in sorted(bank.all().values(), key=lambda p: p.id)
    ]


def statement(
    bank: ProblemBank, grader: PartGrader, problem_id: str, student_id: str | None
) -> dict[str, Any]:
    """The statement of a student's variant (base variant without a student), never answers."""
    problem = bank.get(problem_id)
    if student_id is not None:
        check_student_id(student_id)
    variant = grader.variant(problem, student_id)
    return {
        "id": problem.id,
        "title": problem.title,
        "source": problem.source,
        "student_id": student_id,
        "statement": problem.render_statement(variant.params),
        "max_score": problem.max_score,
        "parts": [
            {
                "id": part.id,
                "kind": part.kind.name,
                "points": part.points,
                "optional": part.optional,
                "prompt": part.render_prompt(variant.params),
                "answer_format": part.kind.describe(),
                "spec": part.kind.public_spec(),
            }
            for part in problem.parts
        ],
    }


def list_problems(svc: Services) -> list[dict[str, Any]]:
    """A summary of every problem."""
    return summaries(svc.bank)


def show_problem(
    svc: Services, principal: Principal, problem_id: str, student_id: str | None
) -> dict[str, Any]:
    """A variant's statement; a student token may only see its own variant or the base one."""
    if student_id is not None:
        principal.act_as(student_id)
    return statement(svc.bank, svc.grader, problem_id, student_id)
