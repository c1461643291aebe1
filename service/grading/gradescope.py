"""Render a grading report as Gradescope's ``results.json`` (autograder specification)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_VISIBILITY = "visible"


def to_gradescope(
    report: Mapping[str, Any], *, execution_time_s: float | None = None
) -> dict[str, Any]:
    """Gradescope results for a report in the contract's shape: one test per part."""
    tests = []
    for part in report["parts"]:
        tests.append(
            {
                "name": f"{report['problem_id']} part {part['part_id']}",
                "number": part["part_id"],
                "score": part["score"],
                "max_score": part["max_score"],
                "status": "passed" if part["status"] == "correct" else "failed",
                "output": f"[{part['status']}] {part['feedback']}".strip(),
                "visibility": _VISIBILITY,
            }
        )
    result: dict[str, Any] = {
        "score": report["score"],
        "visibility": _VISIBILITY,
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    pending = [p["part_id"] for p in report["parts"] if p["status"] == "ungraded"]
    if pending:
        result["output"] = "Parts awaiting manual grading: " + ", ".join(pending)
    if execution_time_s is not None:
        result["execution_time"] = round(execution_time_s, 3)
    return result
