"""Use-case errors. The API maps each to an ``application/problem+json`` response."""

from __future__ import annotations

from typing import Any, ClassVar


class AppError(Exception):
    """Base of every expected failure; ``status``/``slug``/``title`` describe it for clients."""

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class BadRequest(AppError):
    """The request body cannot be read (malformed JSON, bad upload)."""


class Unauthorized(AppError):
    """No valid bearer token."""

    status = 401
    slug = "unauthorized"
    title = "Missing or invalid token"


class Forbidden(AppError):
    """The token is valid but may not do this."""

    status = 403
    slug = "forbidden"
    title = "Not allowed"


class NotFound(AppError):
    """Unknown problem, submission or part."""

    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(AppError):
    """The resource is in a state that forbids this (e.g. still running)."""

    status = 409
    slug = "conflict"
    title = "Conflict"


class PayloadTooLarge(AppError):
    """The body exceeds the configured cap."""

    status = 413
    slug = "payload-too-large"
    title = "Payload too large"


class UnsupportedMediaType(AppError):
    """The upload is not of an accepted type."""

    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported media type"


class InvalidSubmission(AppError):
    """The body is well-formed JSON but not a valid submission (types, unknown parts)."""

    status = 422
    slug = "invalid-submission"
    title = "Invalid submission"


class CodeGradingUnavailable(AppError):
    """Code parts cannot be graded here: an isolation layer is missing (fail closed)."""

    status = 503
    slug = "code-grading-unavailable"
    title = "Code grading unavailable"
