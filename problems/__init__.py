"""The problem bank: one module per problem, each exporting ``PROBLEM``; discovered here."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from service.grading.model import Problem


@cache
def load_problems() -> dict[str, Problem]:
    """Import every module of this package and collect its ``PROBLEM``, keyed by id."""
    found: dict[str, Problem] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        problem = getattr(module, "PROBLEM", None)
        if not isinstance(problem, Problem):
            continue
        if problem.id in found:
            raise RuntimeError(f"duplicate problem id {problem.id!r} in {info.name}")
        found[problem.id] = problem
    return found


def get_problem(problem_id: str) -> Problem:
    """The problem with this id (KeyError if unknown)."""
    return load_problems()[problem_id]
