"""The grading report: what a grader returns for one submission (ARCHITECTURE.md contract)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class PartStatus(StrEnum):
    """Verdict of one part."""

    CORRECT = "correct"
    PARTIAL = "partial"
    INCORRECT = "incorrect"
    INVALID = "invalid"
    UNGRADED = "ungraded"
    ERROR = "error"


class ReportStatus(StrEnum):
    """Lifecycle of a whole submission."""

    GRADED = "graded"
    QUEUED = "queued"
    RUNNING = "running"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class PartResult:
    """Score and feedback for one part of a submission."""

    part_id: str
    score: float
    max_score: float
    status: PartStatus
    feedback: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict in the report contract's shape."""
        return {
            "part_id": self.part_id,
            "score": self.score,
            "max_score": self.max_score,
            "status": self.status.value,
            "feedback": self.feedback,
        }


@dataclass(frozen=True, slots=True)
class Report:
    """The whole grading report of one submission."""

    problem_id: str
    student_id: str | None
    parts: tuple[PartResult, ...]
    status: ReportStatus = ReportStatus.GRADED
    grader_version: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def score(self) -> float:
        """Sum of part scores."""
        return round(sum(p.score for p in self.parts), 6)

    @property
    def max_score(self) -> float:
        """Sum of part maxima."""
        return round(sum(p.max_score for p in self.parts), 6)

    def to_dict(self, submission_id: str | int | None = None) -> dict[str, Any]:
        """Plain JSON-ready dict in the report contract's shape."""
        return {
            "id": submission_id,
            "problem_id": self.problem_id,
            "student_id": self.student_id,
            "status": self.status.value,
            "score": self.score,
            "max_score": self.max_score,
            "parts": [p.to_dict() for p in self.parts],
        }
