"""Request and response schemas, and the strict JSON reading of submission bodies."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.app.errors import BadRequest, InvalidSubmission

_NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL


class SubmissionIn(BaseModel):
    """A JSON submission: answers by part id."""

    model_config = ConfigDict(extra="forbid")

    problem_id: str = Field(min_length=1, max_length=128)
    student_id: str | None = Field(default=None, min_length=1, max_length=128)
    answers: dict[str, Any]


class PartOut(BaseModel):
    """One part of a report."""

    part_id: str
    score: float
    max_score: float
    status: str
    feedback: str


class ReportOut(BaseModel):
    """A submission's report (ARCHITECTURE.md contract)."""

    id: str | None
    problem_id: str
    student_id: str | None
    status: str
    score: float
    max_score: float
    parts: list[PartOut]
    kind: str = "json"
    created_at: str | None = None
    error: str | None = None


class TokenIn(BaseModel):
    """Issue a token for a student."""

    model_config = ConfigDict(extra="forbid")

    student_id: str = Field(min_length=1, max_length=128)
    label: str = Field(default="", max_length=128, pattern=_NO_NUL)


class TokenOut(BaseModel):
    """A newly issued token (shown once)."""

    student_id: str
    token: str


class ManualGradeIn(BaseModel):
    """A hand-given score for one part."""

    model_config = ConfigDict(extra="forbid")

    score: float = Field(allow_inf_nan=False)
    feedback: str = Field(default="", max_length=20000, pattern=_NO_NUL)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def read_json(body: bytes) -> Any:
    """Parse a JSON body strictly (no NaN/Infinity); BadRequest if it is not JSON."""
    if not body:
        raise BadRequest("the request body is empty; send a JSON object")
    try:
        data = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        raise BadRequest(f"malformed JSON: {str(exc)[:200]}") from None
    try:  # "\ud800" escapes parse, but cannot be stored or sent back as UTF-8
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise BadRequest("malformed JSON: a string holds an unpaired surrogate escape") from None
    return data


def validate(model: type[BaseModel], data: Any) -> Any:
    """Validate parsed JSON against ``model``; InvalidSubmission (422) listing the errors."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]}
            for e in exc.errors(include_url=False, include_input=False)
        ]
        raise InvalidSubmission(
            "the body does not match the expected shape", errors=errors
        ) from None


_LONG_NUMBER = re.compile(rb"[0-9]{19}")  # orjson turns integers beyond 64 bits into floats
_MAX_FAST_BRACKETS = 256  # far below the stdlib parser's recursion limit
_SUBMISSION_FIELDS = frozenset(SubmissionIn.model_fields)


def _parse(body: bytes) -> Any:
    """``read_json(body)``, through orjson where both parsers agree (plain, shallow JSON)."""
    if (
        body.count(b"[") + body.count(b"{") < _MAX_FAST_BRACKETS
        and _LONG_NUMBER.search(body) is None
    ):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass  # the stdlib decides, and words the error
    return read_json(body)


def _short_str(value: Any) -> bool:
    return type(value) is str and 0 < len(value) <= 128


def read_submission(body: bytes) -> SubmissionIn:
    """A JSON submission body: BadRequest if not JSON, InvalidSubmission if not the shape.

    Same outcome as ``validate(SubmissionIn, read_json(body))``; a well-formed body skips the
    model's validation (its checks are repeated here), anything else gets the model's errors.
    """
    data = _parse(body)
    if type(data) is dict and data.keys() <= _SUBMISSION_FIELDS:
        problem_id, student_id = data.get("problem_id"), data.get("student_id")
        answers = data.get("answers")
        if (
            _short_str(problem_id)
            and (student_id is None or _short_str(student_id))
            and type(answers) is dict
        ):
            return SubmissionIn.model_construct(
                problem_id=problem_id, student_id=student_id, answers=answers
            )
    result: SubmissionIn = validate(SubmissionIn, data)
    return result
