"""Initial schema: meta, students, api_tokens, submissions, results.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "students",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("name", sa.String(256), nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("student_id", sa.String(128), sa.ForeignKey("students.id"), nullable=True),
        sa.Column("label", sa.String(128), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("problem_id", sa.String(128), nullable=False),
        sa.Column("student_id", sa.String(128), sa.ForeignKey("students.id"), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("answers_json", sa.Text(), nullable=False),
        sa.Column("upload", sa.LargeBinary(), nullable=True),
        sa.Column("upload_name", sa.String(256), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("graded_at", TS, nullable=True),
    )
    op.create_index(
        "ix_submissions_student_problem",
        "submissions",
        ["student_id", "problem_id", "created_at"],
    )
    op.create_index("ix_submissions_status", "submissions", ["status", "created_at"])
    op.create_table(
        "results",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "submission_id",
            sa.String(32),
            sa.ForeignKey("submissions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.String(64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("max_score", sa.Float(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("grader_version", sa.String(128), nullable=False),
        sa.Column("manual", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("submission_id", "part_id", name="uq_results_part"),
    )


def downgrade() -> None:
    """Drop every table."""
    op.drop_table("results")
    op.drop_index("ix_submissions_status", "submissions")
    op.drop_index("ix_submissions_student_problem", "submissions")
    op.drop_table("submissions")
    op.drop_table("api_tokens")
    op.drop_table("students")
    op.drop_table("meta")
