"""Grading through the pure core, with an LRU cache of graded parts and per-part isolation."""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from service.app.reports import part_dict
from service.grading.grade import check_part_ids, grade, grader_version
from service.grading.kinds.code_spec import CodeRunner
from service.grading.model import Problem
from service.grading.report import PartResult, PartStatus
from service.grading.variants import Variant, make_variant

log = logging.getLogger(__name__)

_MAX_KEY_CHARS = 4096
_UNCACHED_KINDS = frozenset({"code"})


@dataclass(frozen=True, slots=True)
class ProblemPlan:
    """What the hot path needs to know about a problem, computed once per problem object."""

    part_ids: tuple[str, ...]
    known: frozenset[str]
    order: Mapping[str, int]  # part id -> position in the problem
    code_ids: tuple[str, ...]  # parts of the code kind (graded by the worker)
    uncached: frozenset[str]  # parts whose verdicts are never cached
    version: str  # grader_version(problem)


_PLANS: dict[int, tuple[Problem, ProblemPlan]] = {}  # keeps the problem alive: ids stay unique
_PLANS_LOCK = threading.Lock()


def problem_plan(problem: Problem) -> ProblemPlan:
    """The problem's plan (memoised by identity: problems are immutable)."""
    found = _PLANS.get(id(problem))
    if found is not None and found[0] is problem:
        return found[1]
    ids = tuple(p.id for p in problem.parts)
    plan = ProblemPlan(
        part_ids=ids,
        known=frozenset(ids),
        order={pid: i for i, pid in enumerate(ids)},
        code_ids=tuple(p.id for p in problem.parts if p.kind.name == "code"),
        uncached=frozenset(p.id for p in problem.parts if p.kind.name in _UNCACHED_KINDS),
        version=grader_version(problem),
    )
    with _PLANS_LOCK:
        if len(_PLANS) > 1024:  # tests build many problems; the bank holds a few dozen
            _PLANS.clear()
        _PLANS[id(problem)] = (problem, plan)
    return plan


@dataclass(frozen=True, slots=True)
class VerdictSummary:
    """A verdict list's report pieces: the parts' JSON and the raw score sums."""

    parts_json: bytes  # orjson of [part_dict(r) for r in results]
    score: float
    max_score: float


_SUMMARIES: dict[int, tuple[list[PartResult], VerdictSummary]] = {}


def verdict_summary(results: list[PartResult]) -> VerdictSummary:
    """Report pieces of ``results`` (TypeError if orjson cannot serialise a part)."""
    # Memoised by identity: the grade cache hands out the same, never mutated, list for the
    # same answers, so a repeated submission reuses its parts' JSON.
    found = _SUMMARIES.get(id(results))
    if found is not None and found[0] is results:
        return found[1]
    parts = [part_dict(r) for r in results]
    summary = VerdictSummary(
        orjson.dumps(parts), sum(p["score"] for p in parts), sum(p["max_score"] for p in parts)
    )
    with _PLANS_LOCK:
        if len(_SUMMARIES) > 4096:
            _SUMMARIES.clear()
        _SUMMARIES[id(results)] = (results, summary)  # holds the list: ids stay unique
    return summary


def canonical(value: Any) -> str:
    """Canonical JSON of an answer (key order and spacing do not matter)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class _LRU:
    """A small thread-safe LRU map."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        if self._size <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._size:
                self._data.popitem(last=False)


class PartGrader:
    """Grades parts of a submission; grading is pure, so verdicts are cached by their inputs."""

    def __init__(self, secret: bytes, cache_size: int = 20000) -> None:
        self._secret = secret
        self._parts = _LRU(cache_size)
        self._whole = _LRU(cache_size // 4)  # whole submissions: one lookup on the hot path
        self._variants = _LRU(4096)

    def variant(self, problem: Problem, student_id: str | None) -> Variant:
        """The student's variant (cached)."""
        key = (problem.id, problem.version, student_id)
        found: Variant | None = self._variants.get(key)
        if found is None:
            found = make_variant(problem, student_id, self._secret)
            self._variants.put(key, found)
        return found

    def variant_cached(self, problem: Problem, student_id: str | None) -> Variant | None:
        """The student's variant if already built, else None (never computes)."""
        found: Variant | None = self._variants.get((problem.id, problem.version, student_id))
        return found

    def _whole_key(
        self,
        problem: Problem,
        variant: Variant,
        part_ids: tuple[str, ...],
        answers: Mapping[str, Any],
    ) -> tuple[Any, ...] | None:
        uncached = problem_plan(problem).uncached
        if uncached and not uncached.isdisjoint(part_ids):
            return None
        answer_key = canonical(dict(answers))
        if len(answer_key) > 4 * _MAX_KEY_CHARS:
            return None
        return (problem.id, problem.version, variant.seed, part_ids, answer_key)

    def _key(
        self, problem: Problem, variant: Variant, part_id: str, answers: Mapping[str, Any]
    ) -> tuple[Any, ...] | None:
        part = problem.part(part_id)
        if part.kind.name in _UNCACHED_KINDS:
            return None
        if part.expected_with_answers is not None:  # follows through from other answers
            answer_key = canonical(dict(answers))
        else:
            value = answers.get(part_id)
            answer_key = "s:" + value if isinstance(value, str) else canonical(value)
        if len(answer_key) > _MAX_KEY_CHARS:
            return None
        return (problem.id, problem.version, variant.seed, part_id, answer_key)

    def grade(
        self,
        problem: Problem,
        variant: Variant,
        answers: Mapping[str, Any],
        part_ids: Iterable[str],
        runner: CodeRunner | None = None,
    ) -> list[PartResult]:
        """Verdicts for ``part_ids`` in problem order; unknown parts raise UnknownPart."""
        found = self._lookup(problem, variant, answers, part_ids, runner, cached_only=False)
        assert found is not None
        return found

    def grade_cached(
        self,
        problem: Problem,
        variant: Variant,
        answers: Mapping[str, Any],
        part_ids: Iterable[str],
    ) -> list[PartResult] | None:
        """Verdicts only if every one is cached (cheap enough for the event loop), else None."""
        return self._lookup(problem, variant, answers, part_ids, None, cached_only=True)

    def _lookup(
        self,
        problem: Problem,
        variant: Variant,
        answers: Mapping[str, Any],
        part_ids: Iterable[str],
        runner: CodeRunner | None,
        *,
        cached_only: bool,
    ) -> list[PartResult] | None:
        if not problem_plan(problem).known.issuperset(answers):
            check_part_ids(problem, answers)  # raises UnknownPart
        part_ids = tuple(part_ids)
        whole_key = self._whole_key(problem, variant, part_ids, answers)
        if whole_key is not None:
            whole: list[PartResult] | None = self._whole.get(whole_key)
            if whole is not None:
                return whole
        wanted = set(part_ids)
        done: dict[str, PartResult] = {}
        keys: dict[str, Any] = {}
        for part in problem.parts:
            if part.id not in wanted:
                continue
            key = self._key(problem, variant, part.id, answers)
            keys[part.id] = key
            hit = self._parts.get(key) if key is not None else None
            if hit is not None:
                done[part.id] = hit
        missing = tuple(pid for pid in keys if pid not in done)
        if missing and cached_only:
            return None
        if missing:
            for result in self._grade_fresh(problem, variant, answers, missing, runner):
                done[result.part_id] = result
                key = keys.get(result.part_id)
                if key is not None and result.status is not PartStatus.ERROR:
                    self._parts.put(key, result)
        out = [done[pid] for pid in keys]
        if whole_key is not None and all(r.status is not PartStatus.ERROR for r in out):
            self._whole.put(whole_key, out)
        return out

    def _grade_fresh(
        self,
        problem: Problem,
        variant: Variant,
        answers: Mapping[str, Any],
        part_ids: tuple[str, ...],
        runner: CodeRunner | None,
    ) -> tuple[PartResult, ...]:
        try:
            return grade(problem, variant, answers, code_runner=runner, only=part_ids).parts
        except Exception:
            if len(part_ids) == 1:
                log.exception("grader failed on %s part %s", problem.id, part_ids[0])
                part = problem.part(part_ids[0])
                return (
                    PartResult(
                        part.id,
                        0.0,
                        part.points,
                        PartStatus.ERROR,
                        "The grader failed on this answer; course staff can regrade it.",
                    ),
                )
        # isolate the failing part(s): grade one at a time
        out: list[PartResult] = []
        for pid in part_ids:
            out.extend(self._grade_fresh(problem, variant, answers, (pid,), runner))
        return tuple(out)
