"""Bearer tokens: instructor vs student, stored hashed, looked up through a short TTL cache."""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass

from service.app.errors import Forbidden, InvalidSubmission, Unauthorized
from service.db import repo_meta, repo_tokens
from service.db.session import Database

INSTRUCTOR = "instructor"
STUDENT = "student"
ADMIN_LABEL = "admin"
ADMIN_ENV_LABEL = "admin-env"
STUDENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: an instructor, or a student acting as ``student_id``."""

    role: str
    student_id: str | None = None

    @property
    def is_instructor(self) -> bool:
        """True for course staff."""
        return self.role == INSTRUCTOR

    def require_instructor(self) -> None:
        """Forbidden unless course staff."""
        if not self.is_instructor:
            raise Forbidden("this needs an instructor token")

    def act_as(self, student_id: str | None) -> str | None:
        """The student id this caller may use (a student token: only its own)."""
        if self.is_instructor:
            return student_id
        if student_id is None or student_id == self.student_id:
            return self.student_id
        raise Forbidden("a student token may only act as its own student id")


def hash_token(token: str) -> str:
    """sha256 hex digest of a token (only hashes are stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh random bearer token."""
    return "gr_" + secrets.token_urlsafe(32)


def check_student_id(student_id: str) -> str:
    """The id if well-formed; InvalidSubmission otherwise."""
    if not STUDENT_ID_PATTERN.match(student_id):
        raise InvalidSubmission(
            "student_id must be 1-128 characters: letters, digits and . _ @ + -",
            errors=[{"loc": ["student_id"], "msg": "invalid student id"}],
        )
    return student_id


class Authenticator:
    """Resolves bearer tokens to principals; caches lookups for ``ttl`` seconds."""

    def __init__(self, db: Database, ttl: float = 5.0) -> None:
        self._db = db
        self._ttl = ttl
        self._cache: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()

    def authenticate(self, token: str | None) -> Principal:
        """The principal of ``token``; Unauthorized if missing, unknown or revoked."""
        if not token:
            raise Unauthorized("send 'Authorization: Bearer <token>'")
        digest = hash_token(token)
        now = time.monotonic()
        cached = self._cache.get(digest)
        if cached is not None and cached[0] > now:
            principal = cached[1]
        else:
            with self._db.read() as conn:
                record = repo_tokens.find_token(conn, digest)
            principal = None
            if record is not None and not record.revoked:
                principal = Principal(record.role, record.student_id)
            with self._lock:
                if len(self._cache) > 10000:
                    self._cache.clear()
                self._cache[digest] = (now + self._ttl, principal)
        if principal is None:
            raise Unauthorized("unknown or revoked token")
        return principal

    def forget(self) -> None:
        """Drop every cached lookup, so a revocation applies at once."""
        with self._lock:
            self._cache.clear()


def revoke_student_tokens(db: Database, auth: Authenticator, student_id: str) -> int:
    """Revoke all of a student's tokens (effective immediately); returns how many."""
    check_student_id(student_id)
    with db.write() as conn:
        count = repo_tokens.revoke_student_tokens(conn, student_id)
    auth.forget()
    return count


def issue_student_token(db: Database, student_id: str, label: str = "") -> str:
    """Create a token for ``student_id``; returns the plaintext (shown once, stored hashed)."""
    check_student_id(student_id)
    token = new_token()
    with db.write() as conn:
        repo_meta.ensure_student(conn, student_id)
        repo_tokens.insert_token(conn, hash_token(token), STUDENT, student_id, label or "student")
    return token


def ensure_admin_token(db: Database, configured: str | None) -> str | None:
    """Make the instructor token usable; returns a newly generated one to print once.

    With ``GRADER_ADMIN_TOKEN`` set, that token is the instructor token: its hash is stored (or
    restored, when an earlier configuration revoked it) and every other admin token is revoked.
    Without it, a token is generated and printed once, and kept (hashed) across restarts.
    """
    with db.write() as conn:
        if configured:
            digest = hash_token(configured)
            repo_tokens.revoke_label_except(conn, ADMIN_ENV_LABEL, digest)
            repo_tokens.revoke_label_except(conn, ADMIN_LABEL, None)
            existing = repo_tokens.find_token(conn, digest)
            if existing is None:
                repo_tokens.insert_token(conn, digest, INSTRUCTOR, None, ADMIN_ENV_LABEL)
            elif existing.label not in (ADMIN_ENV_LABEL, ADMIN_LABEL):
                # Never promote a token issued to someone else (e.g. pasted by mistake).
                raise ValueError("GRADER_ADMIN_TOKEN is a token already issued to a student")
            elif existing.revoked:
                repo_tokens.restore_token(conn, digest, INSTRUCTOR, ADMIN_ENV_LABEL)
            return None
        repo_tokens.revoke_label_except(conn, ADMIN_ENV_LABEL, None)
        if repo_tokens.count_tokens(conn, ADMIN_LABEL) > 0:
            return None
        token = new_token()
        repo_tokens.insert_token(conn, hash_token(token), INSTRUCTOR, None, ADMIN_LABEL)
        return token
