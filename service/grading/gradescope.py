"""Render a Report as Gradescope's ``results.json`` (autograder specification)."""

from __future__ import annotations

from typing import Any

from service.grading.report import PartStatus, Report

_VISIBILITY = "visible"


def to_gradescope(report: Report, *, execution_time_s: float | None = None) -> dict[str, Any]:
    """Gradescope results: one test per part, scores, and feedback as output."""
    tests = []
    for part in report.parts:
        status = "passed" if part.status is PartStatus.CORRECT else "failed"
        tests.append(
            {
                "name": f"{report.problem_id} part {part.part_id}",
                "number": part.part_id,
                "score": part.score,
                "max_score": part.max_score,
                "status": status,
                "output": f"[{part.status.value}] {part.feedback}".strip(),
                "visibility": _VISIBILITY,
            }
        )
    result: dict[str, Any] = {
        "score": report.score,
        "visibility": _VISIBILITY,
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    pending = [p.part_id for p in report.parts if p.status is PartStatus.UNGRADED]
    if pending:
        result["output"] = "Parts awaiting manual grading: " + ", ".join(pending)
    if execution_time_s is not None:
        result["execution_time"] = round(execution_time_s, 3)
    return result
