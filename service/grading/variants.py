"""Per-student variants: numbers drawn from a seed = HMAC(course secret, student id, problem id)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import numpy as np

from service.grading.model import Params, Problem


@dataclass(frozen=True, slots=True)
class Variant:
    """A student's instance of a problem: its seed and numbers."""

    problem_id: str
    student_id: str | None
    seed: int
    params: Params
    points_seed: int = 0  # where formulas are evaluated: per course and problem, not per student


def variant_seed(secret: bytes, student_id: str | None, problem_id: str) -> int:
    """Stable, unguessable 63-bit seed for (student, problem); 0 for the base variant."""
    if student_id is None:
        return 0
    message = b"variant\x00" + student_id.encode() + b"\x00" + problem_id.encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def points_seed(secret: bytes, problem_id: str) -> int:
    """Unguessable seed of a problem's evaluation points, shared by all its students.

    Sharing it lets the grader reuse the points and the key's values on them across students;
    keying it by the course secret keeps them unknown to students.
    """
    digest = hmac.new(secret, b"points\x00" + problem_id.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def make_variant(problem: Problem, student_id: str | None, secret: bytes) -> Variant:
    """The student's variant of ``problem`` (the course's base numbers when student_id is None)."""
    seed = variant_seed(secret, student_id, problem.id)
    params: dict[str, Any] = dict(problem.base_params)
    if student_id is not None and problem.sample_params is not None:
        params.update(problem.sample_params(np.random.default_rng(seed)))
    return Variant(problem.id, student_id, seed, params, points_seed(secret, problem.id))


def part_seed(variant_seed_value: int, part_id: str) -> int:
    """Deterministic seed for a part's random evaluation points."""
    digest = hashlib.sha256(f"{variant_seed_value}:{part_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1
