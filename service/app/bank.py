"""The problem bank as the use-cases see it (the real one, or a fixed set in tests)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from service.app.errors import NotFound
from service.grading.model import Problem


def _default_loader() -> Mapping[str, Problem]:
    from problems import load_problems

    return load_problems()


class ProblemBank:
    """Problems by id, loaded once (lazily) from ``problems/``."""

    def __init__(self, loader: Callable[[], Mapping[str, Problem]] | None = None) -> None:
        self._loader = loader
        self._problems: Mapping[str, Problem] | None = None

    @classmethod
    def of(cls, *problems: Problem) -> ProblemBank:
        """A bank holding exactly these problems."""
        fixed = {p.id: p for p in problems}
        return cls(lambda: fixed)

    def all(self) -> Mapping[str, Problem]:
        """Every problem, by id."""
        if self._problems is None:
            self._problems = dict((self._loader or _default_loader)())
        return self._problems

    def get(self, problem_id: str) -> Problem:
        """The problem with this id; NotFound otherwise."""
        problem = self.all().get(problem_id)
        if problem is None:
            raise NotFound(f"no problem {problem_id!r}; GET /api/v1/problems lists them")
        return problem
