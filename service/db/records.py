"""Plain records the repositories return (no ORM objects leave service/db)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """A stored API token (hash only)."""

    id: int
    role: str
    student_id: str | None
    label: str
    revoked: bool


@dataclass(frozen=True, slots=True)
class SubmissionRecord:
    """A stored submission (the upload bytes are loaded only on demand)."""

    id: str
    problem_id: str
    student_id: str | None
    kind: str
    answers_json: str
    status: str
    error: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime
    graded_at: datetime | None
    upload_name: str | None = None


@dataclass(frozen=True, slots=True)
class ResultRecord:
    """A stored verdict on one part."""

    part_id: str
    position: int
    score: float
    max_score: float
    status: str
    feedback: str
    grader_version: str
    manual: bool
