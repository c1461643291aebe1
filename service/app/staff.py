"""Use-cases for course staff: gradebook (JSON/CSV), per-part analytics, manual-grading queue."""

from __future__ import annotations

import csv
import io
import json
import math
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from service.app.auth import Principal
from service.app.context import Services
from service.db import repo_staff
from service.grading.model import Problem
from service.grading.report import PartStatus

Policy = Literal["latest", "best"]
STATUSES = tuple(s.value for s in PartStatus)
WRONG = ("partial", "incorrect", "invalid")  # verdicts on the student's work, short of correct
NO_MEAN = ("ungraded", "error")  # not a verdict on the work: left out of the mean fraction
ANSWER_KINDS = frozenset({"expression", "number", "choice"})
TOP = 5
MAX_ANSWER_CHARS = 200


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive UTC timestamps
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _problems(svc: Services, problem_id: str | None) -> list[Problem]:
    """The problem asked for (NotFound if unknown), or every problem of the bank by id."""
    if problem_id is not None:
        return [svc.bank.get(problem_id)]
    bank = svc.bank.all()
    return [bank[pid] for pid in sorted(bank)]


def _points(problem: Problem) -> float:
    return float(sum(p.points for p in problem.parts))


def gradebook(
    svc: Services, principal: Principal, problem_id: str | None, policy: Policy
) -> dict[str, Any]:
    """One row per known student, one cell per problem (score None: nothing graded yet)."""
    principal.require_instructor()
    problems = _problems(svc, problem_id)
    with svc.db.read() as conn:
        students = repo_staff.student_ids(conn)
        activity = {(a.student_id, a.problem_id): a for a in repo_staff.activity(conn, problem_id)}
        scores = repo_staff.scores(conn, problem_id, best=policy == "best")
    rows = []
    for student in students:
        cells: dict[str, Any] = {}
        total = 0.0
        for problem in problems:
            key = (student, problem.id)
            seen = activity.get(key)
            score = scores.get(key)
            total += score or 0.0
            cells[problem.id] = {
                "score": None if score is None else round(score, 6),
                "max_score": _points(problem),
                "submissions": seen.submissions if seen else 0,
                "last_submitted_at": _iso(seen.last_submitted_at) if seen else None,
            }
        rows.append({"student_id": student, "problems": cells, "total": round(total, 6)})
    return {
        "policy": policy,
        "problems": [
            {"problem_id": p.id, "title": p.title, "max_score": _points(p)} for p in problems
        ],
        "max_total": round(sum(_points(p) for p in problems), 6),
        "rows": rows,
    }


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(round(value, 6))


def gradebook_csv(
    svc: Services, principal: Principal, problem_id: str | None, policy: Policy
) -> str:
    """The gradebook as CSV: ``student_id``, one column per problem, ``total`` (blank: none)."""
    book = gradebook(svc, principal, problem_id, policy)
    ids = [p["problem_id"] for p in book["problems"]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student_id", *ids, "total"])
    for row in book["rows"]:
        cells = [_number(row["problems"][pid]["score"]) for pid in ids]
        writer.writerow([row["student_id"], *cells, _number(row["total"])])
    return out.getvalue()


def _plain_number(text: str) -> float | None:
    try:
        number = float(text)  # a plain literal only: arithmetic strings stay text
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def normalise_answer(kind: str, value: Any) -> str:
    """A raw answer in a form where trivially different spellings of it coincide."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    elif not isinstance(value, str):
        text = f"{float(value):.12g}" if abs(value) < 1e300 else str(value)
    elif kind == "number" and (number := _plain_number(value.strip())) is not None:
        text = f"{number:.12g}"
    elif kind == "expression":
        text = "".join(value.split())  # spacing never changes a formula; case may
    else:
        text = " ".join(value.split()).casefold()
    return text[:MAX_ANSWER_CHARS]


def _wrong_answers(
    problem: Problem, rows: list[tuple[str, str, str]]
) -> dict[str, list[dict[str, Any]]]:
    """Top normalised answers per part among non-correct verdicts (left-out answers skipped)."""
    kinds = {p.id: p.kind.name for p in problem.parts}
    parsed: dict[str, Mapping[str, Any]] = {}
    counts: dict[str, Counter[str]] = {}
    for submission_id, part_id, answers_json in rows:
        answers = parsed.get(submission_id)
        if answers is None:
            loaded = json.loads(answers_json)
            answers = parsed[submission_id] = loaded if isinstance(loaded, dict) else {}
        value = answers.get(part_id)
        if value is None:
            continue
        counts.setdefault(part_id, Counter())[normalise_answer(kinds[part_id], value)] += 1
    return {
        pid: [
            {"answer": a, "count": n}
            for a, n in sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:TOP]
        ]
        for pid, counter in counts.items()
    }


def analytics(svc: Services, principal: Principal, problem_id: str) -> dict[str, Any]:
    """Per part, over each student's latest graded submission: attempts, mean score fraction,
    status counts, the commonest feedback and wrong answers among non-correct verdicts."""
    principal.require_instructor()
    problem = svc.bank.get(problem_id)
    answer_parts = [p.id for p in problem.parts if p.kind.name in ANSWER_KINDS]
    with svc.db.read() as conn:
        students = repo_staff.latest_count(conn, problem.id)
        counts = repo_staff.part_status_counts(conn, problem.id)
        feedback = repo_staff.top_feedback(conn, problem.id, WRONG, TOP)
        raw = repo_staff.answers_with_status(conn, problem.id, answer_parts, WRONG)
    wrong = _wrong_answers(problem, raw)
    parts = []
    for part in problem.parts:
        mine = [c for c in counts if c.part_id == part.id]
        by_status = dict.fromkeys(STATUSES, 0)
        for c in mine:
            by_status[c.status] = by_status.get(c.status, 0) + c.count
        scored = [c for c in mine if c.status not in NO_MEAN]
        n = sum(c.fraction_n for c in scored)
        entry: dict[str, Any] = {
            "part_id": part.id,
            "kind": part.kind.name,
            "max_score": float(part.points),
            "attempts": sum(c.count for c in mine),
            "mean_score_fraction": round(sum(c.fraction_sum for c in scored) / n, 6) if n else None,
            "status_counts": by_status,
            "top_feedback": [{"feedback": f, "count": k} for f, k in feedback.get(part.id, [])],
        }
        if part.kind.name in ANSWER_KINDS:
            entry["top_wrong_answers"] = wrong.get(part.id, [])
        parts.append(entry)
    return {
        "problem_id": problem.id,
        "title": problem.title,
        "students": students,
        "parts": parts,
    }


def manual_queue(
    svc: Services, principal: Principal, problem_id: str | None, limit: int, offset: int
) -> dict[str, Any]:
    """Answered parts awaiting a human grader, oldest submission first (``total``: all of them)."""
    principal.require_instructor()
    if problem_id is not None:
        svc.bank.get(problem_id)
    with svc.db.read() as conn:
        rows = repo_staff.ungraded_parts(conn, problem_id)
    items = []
    for row in rows:
        loaded = json.loads(row.answers_json)
        answer = loaded.get(row.part_id) if isinstance(loaded, dict) else None
        if not isinstance(answer, str) or not answer.strip():
            continue  # an optional part left blank: nothing to read
        items.append(
            {
                "submission_id": row.submission_id,
                "problem_id": row.problem_id,
                "student_id": row.student_id,
                "part_id": row.part_id,
                "max_score": float(row.max_score),
                "submitted_at": _iso(row.submitted_at),
                "answer": answer,
            }
        )
    return {"total": len(items), "items": items[offset : offset + limit]}
