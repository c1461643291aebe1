"""Fast JSON responses for already-plain dicts (no second validation pass)."""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.responses import Response

from service.app.grading import verdict_summary
from service.app.submit import Stored


def json_response(content: Any, status_code: int = 200) -> Response:
    """Serialise plain data as ``application/json`` (orjson; the stdlib for what it refuses)."""
    try:
        body = orjson.dumps(content)
    except TypeError:  # e.g. integers beyond 64 bits
        body = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status_code=status_code, media_type="application/json")


def report_body(stored: Stored) -> bytes:
    """Exactly ``orjson.dumps(stored.report)``, assembled from the verdicts' cached JSON.

    TypeError when orjson refuses a value (the caller then serialises the report itself).
    """
    p = stored.prepared
    summary = verdict_summary(p.results)
    total_max = summary.max_score if stored.max_score is None else stored.max_score
    head = orjson.dumps(
        {
            "id": stored.submission_id,
            "problem_id": p.problem.id,
            "student_id": p.student_id,
            "status": p.status,
            "score": round(summary.score, 6),
            "max_score": round(total_max, 6),
        }
    )
    tail = orjson.dumps({"kind": p.kind, "created_at": stored.created_at.isoformat()})
    return b"".join((head[:-1], b',"parts":', summary.parts_json, b",", tail[1:]))


def report_response(stored: Stored, status_code: int) -> Response:
    """The stored submission's report as the response."""
    try:
        body = report_body(stored)
    except TypeError:
        return json_response(stored.report, status_code)
    return Response(body, status_code=status_code, media_type="application/json")
