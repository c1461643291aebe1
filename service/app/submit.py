"""Use-cases: submit JSON answers or a notebook. Committed before acknowledged, all or nothing."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from service.app.auth import Principal, check_student_id
from service.app.context import Services
from service.app.errors import (
    BadRequest,
    CodeGradingUnavailable,
    InvalidSubmission,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from service.app.grading import grader_version, problem_plan
from service.app.reports import report_dict
from service.app.writer import WriteItem
from service.db import repo_bulk
from service.db.records import ResultRecord
from service.grading.grade import UnknownPart, check_part_ids, code_part_ids
from service.grading.model import Problem
from service.grading.notebook import NotebookRejected, answers_from_upload, parse_upload
from service.grading.report import PartResult

MAX_ANSWER_DEPTH = 16


def _depth(value: Any) -> int:
    """Nesting depth of a JSON value (iterative: safe on hostile input)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_ANSWER_DEPTH:
            return deepest
        if isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
        elif isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
    return deepest


def _has_nul(value: Any) -> bool:
    """True if a string anywhere in a JSON value holds NUL (PostgreSQL text cannot store it)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
    return False


def validate_answers(problem: Problem, answers: Mapping[str, Any]) -> None:
    """InvalidSubmission (422) for unknown parts, absurdly nested values or NUL characters."""
    try:
        if not problem_plan(problem).known.issuperset(answers):
            check_part_ids(problem, answers)  # raises UnknownPart
    except UnknownPart as exc:
        raise InvalidSubmission(
            str(exc),
            errors=[{"loc": ["answers", pid], "msg": "unknown part"} for pid in exc.unknown],
        ) from exc
    for part_id, value in answers.items():
        if isinstance(value, list | dict) and _depth(value) > MAX_ANSWER_DEPTH:
            raise InvalidSubmission(
                f"answer to part {part_id!r} is nested too deeply",
                errors=[{"loc": ["answers", part_id], "msg": "nested too deeply"}],
            )
        if _has_nul(value):
            raise InvalidSubmission(
                f"answer to part {part_id!r} contains a NUL character (\\u0000)",
                errors=[{"loc": ["answers", part_id], "msg": "contains a NUL character"}],
            )


NOTEBOOK_PART_KINDS = ("code", "text")


def graded_part_ids(problem: Problem, submission_kind: str) -> list[str]:
    """Parts a submission answers: a notebook answers only code and text parts."""
    if submission_kind == "notebook":
        return [p.id for p in problem.parts if p.kind.name in NOTEBOOK_PART_KINDS]
    return list(problem.part_ids)


def graded_max_score(problem: Problem, submission_kind: str) -> float:
    """Points available to a submission of this kind."""
    return float(sum(problem.part(pid).points for pid in graded_part_ids(problem, submission_kind)))


def records(problem: Problem, results: Sequence[PartResult]) -> list[ResultRecord]:
    """Storable records of fresh verdicts (position = the part's order in the problem)."""
    order = {pid: i for i, pid in enumerate(problem.part_ids)}
    version = grader_version(problem)
    return [
        ResultRecord(
            r.part_id,
            order[r.part_id],
            r.score,
            r.max_score,
            str(r.status),
            r.feedback,
            version,
            False,
        )
        for r in results
    ]


def require_code_runner(svc: Services) -> None:
    ok, reason = svc.runner.status()
    if not ok:
        raise CodeGradingUnavailable(
            f"this submission has code parts and code grading is disabled here: {reason}. "
            "Answers without code are still graded."
        )


def new_submission_id() -> str:
    """32 hex digits: milliseconds then randomness, so ids sort by time and index inserts append."""
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(10)}"


@dataclass
class Prepared:
    """A validated, graded (code parts: pending) submission, ready to be stored."""

    problem: Problem
    student_id: str | None
    answers: Mapping[str, Any]
    results: list[PartResult]
    status: str
    kind: str = "json"
    upload: bytes | None = None
    upload_name: str | None = None


@dataclass
class Stored:
    """A submission ready for the writer, and the report to send once it is committed."""

    item: WriteItem
    submission_id: str
    prepared: Prepared
    created_at: datetime
    max_score: float | None  # overrides the parts' sum while parts are pending

    @property
    def report(self) -> dict[str, Any]:
        """The report (built on demand: the JSON route serialises it from cached pieces)."""
        p = self.prepared
        return report_dict(
            submission_id=self.submission_id,
            problem_id=p.problem.id,
            student_id=p.student_id,
            status=p.status,
            results=p.results,
            max_score=self.max_score,
            kind=p.kind,
            created_at=self.created_at,
        )


def store(svc: Services, prepared: Prepared) -> Stored:
    """The rows of a submission and its verdicts (stored atomically by the writer)."""
    problem = prepared.problem
    submission_id = new_submission_id()
    created = datetime.now(UTC)
    row = repo_bulk.submission_row(
        submission_id=submission_id,
        problem_id=problem.id,
        student_id=prepared.student_id,
        kind=prepared.kind,
        answers_json=json.dumps(prepared.answers, ensure_ascii=False),
        status=prepared.status,
        created_at=created,
        upload=prepared.upload,
        upload_name=prepared.upload_name,
    )
    plan = problem_plan(problem)
    order, version = plan.order, plan.version
    results = [  # repo_bulk.RESULT_FIELDS order, built in one pass (the hot path)
        (
            submission_id,
            order[r.part_id],
            r.part_id,
            r.score,
            r.max_score,
            str(r.status),
            r.feedback,
            version,
            False,
            created,
        )
        for r in prepared.results
    ]
    on_commit = (lambda: svc.jobs.put(submission_id)) if prepared.status == "queued" else None
    item = WriteItem(prepared.student_id, row, results, on_commit=on_commit)
    queued = prepared.status == "queued"
    max_score = graded_max_score(problem, prepared.kind) if queued else None
    return Stored(item, submission_id, prepared, created, max_score)


def prepare_answers(
    svc: Services,
    principal: Principal,
    problem_id: str,
    student_id: str | None,
    answers: Mapping[str, Any],
    *,
    cached_only: bool = False,
) -> Prepared | None:
    """Validate and grade JSON answers (code parts left for the worker).

    With ``cached_only``, returns None unless every verdict is cached (event-loop fast path).
    """
    problem = svc.bank.get(problem_id)
    student = principal.act_as(student_id)
    if student is not None:
        check_student_id(student)
    validate_answers(problem, answers)
    code_ids = code_part_ids(problem, answers)
    if code_ids:
        require_code_runner(svc)
    if cached_only:
        cached_variant = svc.grader.variant_cached(problem, student)
        if cached_variant is None:
            return None
        variant = cached_variant
    else:
        variant = svc.grader.variant(problem, student)
    all_ids = problem_plan(problem).part_ids
    now_ids = [pid for pid in all_ids if pid not in code_ids] if code_ids else all_ids
    if cached_only:
        results = svc.grader.grade_cached(problem, variant, answers, now_ids)
        if results is None:
            return None
    else:
        results = svc.grader.grade(problem, variant, answers, now_ids)
    status = "queued" if code_ids else "graded"
    return Prepared(problem, student, answers, results, status)


def submit_answers(
    svc: Services,
    principal: Principal,
    problem_id: str,
    student_id: str | None,
    answers: Mapping[str, Any],
) -> dict[str, Any]:
    """Grade JSON answers now (code parts: queued for the worker); returns once committed."""
    prepared = prepare_answers(svc, principal, problem_id, student_id, answers)
    assert prepared is not None
    stored = store(svc, prepared)
    svc.writer.write_sync(stored.item)
    return stored.report


def notebook_answers(
    problem: Problem, data: bytes, filename: str, max_bytes: int
) -> dict[str, Any]:
    """Parse an uploaded notebook into {part_id: answer}; ``parse_upload`` alone judges the file."""
    try:
        upload = parse_upload(data, filename, max_bytes)
        answers: dict[str, Any] = dict(answers_from_upload(problem, upload))
    except NotebookRejected as exc:
        error = {413: PayloadTooLarge, 415: UnsupportedMediaType}.get(exc.status, BadRequest)
        raise error(str(exc)) from exc
    return answers


def submit_notebook(
    svc: Services,
    principal: Principal,
    problem_id: str,
    student_id: str | None,
    data: bytes,
    filename: str,
) -> dict[str, Any]:
    """Store an uploaded notebook (raw bytes kept) and queue it for the worker."""
    problem = svc.bank.get(problem_id)
    student = principal.act_as(student_id)
    if student is not None:
        check_student_id(student)
    answers = notebook_answers(problem, data, filename, svc.settings.max_notebook_bytes)
    validate_answers(problem, answers)
    if code_part_ids(problem, answers):
        require_code_runner(svc)
    name = filename.replace("\x00", "")[:256]
    prepared = Prepared(problem, student, answers, [], "queued", "notebook", data, name)
    stored = store(svc, prepared)
    svc.writer.write_sync(stored.item)
    return stored.report
