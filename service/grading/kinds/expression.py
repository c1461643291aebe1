"""The expression kind: a formula in declared variables, checked numerically at random points.

Both formulas are evaluated (vectorised) at the same seeded points drawn from the variables'
domains; shapes must agree (row vs column matters; a 1×1 result counts as a scalar). Regions
("w*x + b > 0") are judged separately so "right only on one side" earns partial credit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from service.grading.feedback import misconception_answer, misconception_verdict, near_miss
from service.grading.formula.compare import Match, match, values_on
from service.grading.formula.domains import Domain, Integer
from service.grading.formula.errors import EvalError
from service.grading.formula.evaluate import Array, shape_text
from service.grading.formula.parser import parse_formula, parse_trusted
from service.grading.formula.points import Env, sample_points, validate_variables
from service.grading.formula.symbolic import symbolically_equal
from service.grading.formula.tree import Compare, Expr, to_text
from service.grading.kinds.base import CheckContext, InvalidAnswer, Verdict

_NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
MIN_REGION_POINTS = 3


def negate_text(region: str, tree: Expr) -> str:
    """Text of the complement of a region ("w*x + b > 0" -> "w*x + b <= 0")."""
    if isinstance(tree, Compare) and len(tree.ops) == 1:
        left, right = to_text(tree.operands[0]), to_text(tree.operands[1])
        for op in sorted(_NEGATED, key=len, reverse=True):
            pieces = region.split(op)
            if len(pieces) == 2 and op == tree.ops[0]:
                return f"{pieces[0].strip()} {_NEGATED[op]} {pieces[1].strip()}"
        return f"{left} {_NEGATED[tree.ops[0]]} {right}"
    return f"not ({region})"


_MEMO_LIMIT = 512


def _remember(memo: dict[Any, Any], key: Any, value: Any) -> None:
    if len(memo) >= _MEMO_LIMIT:  # crude bound; entries are cheap to recompute
        memo.clear()
    memo[key] = value


class ExpressionAnswer:
    """A formula equal to the expected one at random points of the variables' domains."""

    name: ClassVar[str] = "expression"

    def __init__(
        self,
        variables: Mapping[str, Domain],
        *,
        regions: tuple[str, ...] = (),
        region_credit: float = 0.5,
        rtol: float = 1e-6,
        atol: float = 1e-9,
    ) -> None:
        self.variables: dict[str, Domain] = dict(variables)
        validate_variables(self.variables)
        self.names = frozenset(self.variables)
        self.regions = tuple(regions)
        self.region_credit = region_credit
        self.rtol = rtol
        self.atol = atol
        self._region_trees = tuple(parse_trusted(r, self.names) for r in self.regions)
        # Memo of pure functions of (seed[, formula]): the points and the key's values on them.
        self._points: dict[int, list[Env]] = {}
        self._expected: dict[tuple[str, int], list[Array]] = {}

    def __repr__(self) -> str:
        return f"ExpressionAnswer({self.variables!r}, regions={self.regions!r})"

    def points(self, seed: int) -> list[Env]:
        """The seeded evaluation points (groups of batch-first arrays, read-only)."""
        envs = self._points.get(seed)
        if envs is None:
            envs = sample_points(self.variables, seed)
            for env in envs:
                for values in env.values():
                    values.flags.writeable = False
            _remember(self._points, seed, envs)
        return envs

    def expected_values(self, text: str, seed: int) -> list[Array]:
        """``evaluate_expected`` on the points of ``seed``, memoised (the key is trusted)."""
        key = (str(text), seed)
        values = self._expected.get(key)
        if values is None:
            values = self.evaluate_expected(text, self.points(seed))
            _remember(self._expected, key, values)
        return values

    def evaluate_expected(self, text: str, envs: list[Env]) -> list[Array]:
        """Values of an authored formula (errors are the author's: raised as EvalError)."""
        return values_on(parse_trusted(str(text), self.names), envs)

    def _integers(self, envs: list[Env]) -> list[dict[str, Array]]:
        ints = [n for n, d in self.variables.items() if isinstance(d, Integer)]
        return [{n: env[n] for n in ints} for env in envs]

    def check(self, answer: Any, expected: Any, ctx: CheckContext) -> Verdict:
        """Grade a formula answer."""
        if not isinstance(answer, str):
            raise InvalidAnswer(f"A formula (text) was expected, got {type(answer).__name__}.")
        tree = parse_formula(answer, self.names)
        envs = self.points(ctx.seed)
        try:
            want = self.expected_values(expected, ctx.seed)
        except (EvalError, InvalidAnswer) as exc:
            return Verdict.error(f"The grader could not evaluate this part's answer key ({exc}).")
        try:
            got = values_on(tree, envs)
        except EvalError as exc:
            return Verdict.incorrect(f"Your formula cannot be evaluated: {exc}.")
        result = match(got, want, self.rtol, self.atol)
        if result is not None and result.all_ok:
            return Verdict.correct()
        if result is not None and not result.conclusive:
            if symbolically_equal(tree, parse_trusted(str(expected), self.names)):
                return Verdict.correct()
            return Verdict.error(
                "The grader could not check this answer: the expected value is undefined at "
                "most sample points."
            )
        verdict = self._misconception(got, envs, ctx)
        if verdict is not None:
            return verdict
        if result is None:
            return Verdict.incorrect(self._shape_feedback(got[0], want[0]))
        region = self._region_verdict(result, want, envs)
        if region is not None:
            return region
        hint = near_miss(got, want, rtol=self.rtol, integers=self._integers(envs))
        total = sum(len(o) for o in result.ok)
        return Verdict.incorrect(
            hint or f"Not equivalent to the expected expression "
            f"(it differs at {result.n_wrong()} of {total} random points)."
        )

    def _misconception(
        self, got: list[Array], envs: list[Env], ctx: CheckContext
    ) -> Verdict | None:
        for misconception in ctx.misconceptions:
            text = misconception_answer(misconception, ctx.params)
            try:
                # most misconceptions already differ on the first group: test it alone first
                first = match(got[:1], self.evaluate_expected(text, envs[:1]), self.rtol, self.atol)
                if first is None or not first.all_ok:
                    continue
                wrong = self.evaluate_expected(text, envs[1:])
            except (EvalError, InvalidAnswer):
                continue
            found = match(got[1:], wrong, self.rtol, self.atol)
            if not wrong or (found is not None and found.all_ok):
                return misconception_verdict(misconception)
        return None

    def _shape_feedback(self, got: Array, want: Array) -> str:
        g, w = got.shape[1:], want.shape[1:]
        if len(g) == 2 and g[::-1] == w:
            if 1 in g:
                kind = "row" if g[0] == 1 else "column"
                other = "row" if w[0] == 1 else "column"
                return (
                    f"Your answer is a {kind} ({g[0]}×{g[1]}); "
                    f"a {other} ({w[0]}×{w[1]}) is expected."
                )
            return f"Your answer is {shape_text(g)}; its transpose's shape is expected."
        return f"Your answer is {shape_text(g)}, but {shape_text(w)} is expected."

    def _region_verdict(self, result: Match, want: list[Array], envs: list[Env]) -> Verdict | None:
        ok = np.concatenate(result.ok)
        comparable = np.concatenate(result.comparable)
        # being right where the expected value is identically 0 (an inactive ReLU) is no credit
        nonzero = np.concatenate(
            [(np.abs(w.reshape(len(w), -1)) > self.atol).any(axis=1) for w in want]
        )
        for text, tree in zip(self.regions, self._region_trees, strict=True):
            try:
                values = values_on(tree, envs)
            except EvalError:
                continue
            inside = np.concatenate([(v != 0).reshape(len(v), -1).all(axis=1) for v in values])
            for side, label in ((True, text), (False, negate_text(text, tree))):
                here = (inside == side) & comparable
                there = (inside != side) & comparable
                if (
                    here.sum() >= MIN_REGION_POINTS
                    and ok[here].all()
                    and not ok[there].all()
                    and nonzero[here].any()
                ):
                    return Verdict.partial(
                        self.region_credit,
                        f"Right only where {label}; check the case where it does not hold.",
                    )
        return None

    def describe(self) -> str:
        """What a valid answer looks like."""
        names = ", ".join(self.variables)
        return (
            f"a formula in {names} (Python/numpy style: + - * / ** or ^, @, .T, sum, mean, "
            "norm, sqrt, exp, log, abs, max, min, heaviside)"
        )

    def public_spec(self) -> dict[str, Any]:
        """JSON-ready description: variable names and shapes (never the expected formula)."""
        return {
            "kind": self.name,
            "variables": [
                {"name": n, "domain": d.describe()} for n, d in self.variables.items()
            ],
        }
