"""SQLAlchemy 2 typed models: students, API tokens, submissions, per-part results, metadata."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of every table."""


class Meta(Base):
    """Key/value facts the service persists for itself (course secret, ...)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Student(Base):
    """A student known to the service (created on first token or submission)."""

    __tablename__ = "students"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(256), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A bearer token, stored as its sha256; role ``instructor`` or ``student``."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    student_id: Mapped[str | None] = mapped_column(
        String(128), ForeignKey("students.id"), nullable=True
    )
    label: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Submission(Base):
    """One submission: raw answers kept verbatim, raw upload for notebooks, and its status."""

    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_student_problem", "student_id", "problem_id", "created_at"),
        Index("ix_submissions_status", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    problem_id: Mapped[str] = mapped_column(String(128))
    student_id: Mapped[str | None] = mapped_column(
        String(128), ForeignKey("students.id"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # json | notebook
    answers_json: Mapped[str] = mapped_column(Text)
    upload: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    upload_name: Mapped[str | None] = mapped_column(String(256), nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # queued | running | graded | error
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    graded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The worker's claim while ``running``: a per-claim token and until when it holds (lease).
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Result(Base):
    """The verdict on one part of a submission, with the grader version that made it."""

    __tablename__ = "results"
    __table_args__ = (UniqueConstraint("submission_id", "part_id", name="uq_results_part"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("submissions.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    part_id: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))
    feedback: Mapped[str] = mapped_column(Text)
    grader_version: Mapped[str] = mapped_column(String(128))
    manual: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


meta_table = cast(Table, Meta.__table__)
students_table = cast(Table, Student.__table__)
tokens_table = cast(Table, ApiToken.__table__)
submissions_table = cast(Table, Submission.__table__)
results_table = cast(Table, Result.__table__)
