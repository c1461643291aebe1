"""The submission hot path's shortcuts give exactly what the general code gives."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest

from service.api.render import report_body
from service.api.schemas import SubmissionIn, read_json, read_submission, validate
from service.app import submit
from service.app.auth import INSTRUCTOR, Principal
from service.app.errors import AppError
from tests.api.conftest import Env

BODIES: list[bytes] = [
    b'{"problem_id": "p", "student_id": "s1", "answers": {"a": "x + 1", "b": [1, 2.5]}}',
    b'{"problem_id": "p", "answers": {}}',
    b'{"problem_id": "p", "student_id": null, "answers": {"a": null}}',
    b'  {"answers": {"a": 1}, "problem_id": "p"}\n',
    b'{"problem_id": "", "answers": {}}',
    b'{"problem_id": "' + b"p" * 129 + b'", "answers": {}}',
    b'{"problem_id": "' + "é".encode() * 128 + b'", "answers": {}}',
    b'{"problem_id": "p", "student_id": "", "answers": {}}',
    b'{"problem_id": 7, "answers": {}}',
    b'{"problem_id": "p", "answers": []}',
    b'{"problem_id": "p"}',
    b'{"problem_id": "p", "answers": {}, "extra": 1}',
    b'["problem_id"]',
    b'"just a string"',
    b"",
    b"{",
    b'{"problem_id": "p", "answers": {"a": NaN}}',
    b'{"problem_id": "p", "answers": {"a": Infinity}}',
    b'{"problem_id": "p", "answers": {"a": 1e400}}',
    b'{"problem_id": "p", "answers": {"a": 123456789012345678901234567890}}',
    b'{"problem_id": "p", "answers": {"a": 18446744073709551616}}',
    b'{"problem_id": "p", "answers": {"a": -0, "b": 1E2, "c": 1e-400}}',
    b'{"problem_id": "p", "answers": {"a": "\\ud800"}}',
    b'{"problem_id": "p", "answers": {"a": "\xed\xa0\x80"}}',
    b'{"problem_id": "p", "answers": {"a": "\xff"}}',
    b'\xef\xbb\xbf{"problem_id": "p", "answers": {}}',
    '{"problem_id": "p", "answers": {}}'.encode("utf-16"),
    b'{"problem_id": "p", "answers": {"a": "tab\there"}}',
    b'{"problem_id": "p", "answers": {"a": 1, "a": 2}}',
    b'{"problem_id": "p", "answers": {"a": ' + b"[" * 300 + b"]" * 300 + b"}}",
    b'{"problem_id": "p", "answers": {"a": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
]


def _outcome(fn: Any, body: bytes) -> tuple[str, Any]:
    try:
        model = fn(body)
    except AppError as exc:
        return type(exc).__name__, (exc.status, exc.detail, exc.errors)
    return "ok", model.model_dump()


def _general(body: bytes) -> SubmissionIn:
    return validate(SubmissionIn, read_json(body))  # type: ignore[no-any-return]


@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
def test_read_submission_matches_model_validation(body: bytes) -> None:
    expected = _outcome(_general, body)
    got = _outcome(read_submission, body)
    assert json.dumps(got, default=repr) == json.dumps(expected, default=repr)


def test_the_cases_cover_both_outcomes() -> None:
    kinds = {_outcome(_general, b)[0] for b in BODIES}
    assert {"ok", "BadRequest", "InvalidSubmission"} <= kinds


def test_report_body_is_the_serialised_report(env: Env) -> None:
    instructor = Principal(INSTRUCTOR)
    cases = [
        {"sum": 3, "prod": "2", "essay": "because"},  # graded
        {"sum": "nonsense"},
        {"sum": 1, "code": "def square(x):\n    return x*x\n"},  # queued: max score of all parts
    ]
    for answers in cases:
        for _ in range(2):  # the second time the verdicts come from the cache
            prepared = submit.prepare_answers(env.svc, instructor, "tiny-sum", "fast-1", answers)
            assert prepared is not None
            stored = submit.store(env.svc, prepared)
            assert report_body(stored) == orjson.dumps(stored.report)
            assert stored.report["id"] == stored.submission_id == stored.item.submission[0]
