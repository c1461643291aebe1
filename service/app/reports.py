"""Build the report resource (ARCHITECTURE.md contract) from stored or fresh verdicts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from service.db.records import ResultRecord
from service.grading.report import PartResult


def part_dict(result: PartResult | ResultRecord) -> dict[str, Any]:
    """One part of the report."""
    return {
        "part_id": result.part_id,
        "score": float(result.score),
        "max_score": float(result.max_score),
        "status": str(result.status),
        "feedback": result.feedback,
    }


def report_dict(
    *,
    submission_id: str | None,
    problem_id: str,
    student_id: str | None,
    status: str,
    results: Sequence[PartResult | ResultRecord],
    max_score: float | None = None,
    kind: str = "json",
    created_at: datetime | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """The report; ``max_score`` overrides the parts' sum while parts are still pending."""
    parts = [part_dict(r) for r in results]
    total_max = sum(p["max_score"] for p in parts) if max_score is None else max_score
    out: dict[str, Any] = {
        "id": submission_id,
        "problem_id": problem_id,
        "student_id": student_id,
        "status": status,
        "score": round(sum(p["score"] for p in parts), 6),
        "max_score": round(total_max, 6),
        "parts": parts,
        "kind": kind,
    }
    if created_at is not None:
        if created_at.tzinfo is None:  # SQLite hands back naive UTC timestamps
            created_at = created_at.replace(tzinfo=UTC)
        out["created_at"] = created_at.isoformat()
    if error:
        out["error"] = error
    return out
