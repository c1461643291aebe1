"""The interval kind: a range for one variable, e.g. ``0 < eta < 1/sigma**2``.

Accepted forms: chains (``0 < eta < 1/sigma^2``, ``1/sigma^2 > eta > 0``), conjunctions
(``eta > 0 and eta < 1/sigma^2``), single bounds, and interval notation (``(0, 1/sigma^2]``).
Endpoints are compared as expressions at random points; strict vs non-strict matters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from service.grading.feedback import misconception_answer, misconception_verdict, near_miss
from service.grading.formula.compare import equivalent, values_on
from service.grading.formula.domains import Domain
from service.grading.formula.errors import EvalError
from service.grading.formula.parser import parse_formula, parse_trusted
from service.grading.formula.points import Env, sample_points, validate_variables
from service.grading.formula.tree import Compare, Expr, Logic, Var, names_in
from service.grading.kinds.base import CheckContext, InvalidAnswer, Verdict

_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
_MINUS_INF = ("-inf", "-oo", "-∞")
_PLUS_INF = ("inf", "oo", "+inf", "∞", "+∞")


def _bracketed(text: str) -> tuple[str, str, str, str] | None:
    """``[lo, hi)``-style text split at its last comma: (left, lo, hi, right), else None.

    Plain string operations, not a regex: ``(.*),(.*)`` backtracks quadratically on long input.
    """
    body = text.strip()
    if len(body) < 2 or body[0] not in "[(" or body[-1] not in "])":
        return None
    lo, comma, hi = body[1:-1].rpartition(",")
    return (body[0], lo, hi, body[-1]) if comma else None


@dataclass(frozen=True, slots=True)
class Bound:
    """One end of an interval: the endpoint formula and whether it is excluded."""

    expr: Expr
    strict: bool


@dataclass(frozen=True, slots=True)
class Interval:
    """A parsed interval (None: unbounded on that side)."""

    lower: Bound | None
    upper: Bound | None


def _add(bounds: dict[str, Bound], side: str, bound: Bound) -> None:
    if side in bounds:
        raise InvalidAnswer(f"The answer gives two {side} bounds; give one of each.")
    bounds[side] = bound


def parse_interval(
    text: Any, variable: str, names: frozenset[str], *, trusted: bool = False
) -> Interval:
    """Parse an interval for ``variable``; InvalidAnswer with the reason if it is not one."""
    if not isinstance(text, str):
        raise InvalidAnswer(f"An interval (text) was expected, got {type(text).__name__}.")
    parse = parse_trusted if trusted else parse_formula
    other = names - {variable}
    bracket = _bracketed(text)
    if bracket and bracket[1].count("(") == bracket[1].count(")"):
        left, lo, hi, right = bracket
        low = None if lo.strip() in _MINUS_INF else Bound(parse(lo, other), left == "(")
        high = None if hi.strip() in _PLUS_INF else Bound(parse(hi, other), right == ")")
        return Interval(low, high)
    tree = parse(text, names)
    comparisons = tree.values if isinstance(tree, Logic) and tree.op == "and" else (tree,)
    bounds: dict[str, Bound] = {}
    for comparison in comparisons:
        if not isinstance(comparison, Compare):
            raise InvalidAnswer(f"Write the interval with comparisons, like 0 < {variable} < 1.")
        pairs = zip(comparison.ops, comparison.operands, comparison.operands[1:], strict=False)
        for op, a, b in pairs:
            if op not in _FLIP:
                raise InvalidAnswer(f"Use <, <=, > or >= to bound {variable} (not {op}).")
            if b == Var(variable) and a != Var(variable):
                op, a, b = _FLIP[op], b, a
            if a != Var(variable) or variable in names_in(b):
                raise InvalidAnswer(
                    f"Each comparison must have {variable} alone on one side, bounded by an "
                    f"expression without {variable}."
                )
            side = "upper" if op in ("<", "<=") else "lower"
            _add(bounds, side, Bound(b, op in ("<", ">")))
    if not bounds:
        raise InvalidAnswer(f"No bound on {variable} was given.")
    return Interval(bounds.get("lower"), bounds.get("upper"))


class IntervalAnswer:
    """A range of ``variable`` whose endpoints are formulas in the other ``variables``."""

    name: ClassVar[str] = "interval"

    def __init__(self, variable: str, variables: Mapping[str, Domain]) -> None:
        self.variable = variable
        self.variables = dict(variables)
        if variable not in self.variables:
            raise ValueError(f"{variable!r} must be one of the declared variables")
        validate_variables(self.variables)
        self.names = frozenset(self.variables)
        self._others = {n: d for n, d in self.variables.items() if n != variable}

    def __repr__(self) -> str:
        return f"IntervalAnswer({self.variable!r}, {self.variables!r})"

    def _same(self, a: Bound | None, b: Bound | None, envs: list[Env]) -> bool:
        if a is None or b is None:
            return a is b
        try:
            return equivalent(values_on(a.expr, envs), values_on(b.expr, envs), 1e-6, 1e-9)
        except EvalError:
            return False

    def check(self, answer: Any, expected: Any, ctx: CheckContext) -> Verdict:
        """Grade an interval answer: each side is worth half; a wrong strictness halves it."""
        got = parse_interval(answer, self.variable, self.names)
        try:
            want = parse_interval(str(expected), self.variable, self.names, trusted=True)
        except InvalidAnswer as exc:
            return Verdict.error(f"The grader could not read this part's answer key ({exc}).")
        envs = sample_points(self._others, ctx.seed)
        sides = [("lower", got.lower, want.lower), ("upper", got.upper, want.upper)]
        score, notes = 0.0, []
        counted = [(s, g, w) for s, g, w in sides if w is not None or g is not None]
        for side, g, w in counted:
            if w is None:
                notes.append(f"There should be no {side} bound.")
            elif g is None:
                notes.append(f"The {side} bound is missing.")
            elif not self._same(g, w, envs):
                notes.append(self._endpoint_hint(side, g, w, envs))
            elif g.strict != w.strict:
                score += 0.5
                notes.append(f"The {side} bound should be {'strict' if w.strict else 'inclusive'}.")
            else:
                score += 1.0
        fraction = score / len(counted)
        if fraction >= 1.0:
            return Verdict.correct()
        verdict = self._misconception(got, envs, ctx)
        if verdict is not None:
            return verdict
        message = " ".join(notes)
        return Verdict.partial(fraction, message) if fraction > 0 else Verdict.incorrect(message)

    def _misconception(self, got: Interval, envs: list[Env], ctx: CheckContext) -> Verdict | None:
        for misconception in ctx.misconceptions:
            try:
                wrong = parse_interval(
                    str(misconception_answer(misconception, ctx.params)),
                    self.variable, self.names, trusted=True,
                )
            except InvalidAnswer:
                continue
            lo, hi = (got.lower, wrong.lower), (got.upper, wrong.upper)
            if all(
                self._same(g, w, envs) and (g is None or w is None or g.strict == w.strict)
                for g, w in (lo, hi)
            ):
                return misconception_verdict(misconception)
        return None

    def _endpoint_hint(self, side: str, got: Bound, want: Bound, envs: list[Env]) -> str:
        try:
            hint = near_miss(values_on(got.expr, envs), values_on(want.expr, envs))
        except EvalError:
            hint = None
        if hint:
            return f"The {side} bound is wrong: {hint[0].lower()}{hint[1:]}".replace(
                "your answer", "it"
            )
        return f"The {side} bound is wrong."

    def describe(self) -> str:
        """What a valid answer looks like."""
        return (
            f"an interval for {self.variable} as a chain, like lo < {self.variable} <= hi "
            "(endpoints are formulas; < and <= differ)"
        )

    def public_spec(self) -> dict[str, Any]:
        """JSON-ready description (no expected interval)."""
        return {
            "kind": self.name,
            "variable": self.variable,
            "variables": [{"name": n, "domain": d.describe()} for n, d in self.variables.items()],
        }
