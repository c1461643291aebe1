"""Whitelist formula parser: student text -> immutable expression tree, never executed.

The text is pre-tokenized (``tokens.py``), parsed with ``ast.parse(mode="eval")`` and walked;
only numbers, declared names, ``pi``/``e``, whitelisted calls, ``+ - * / ** @``, unary ``+ -``,
comparisons, ``and``/``or``/``not`` and ``.T`` survive. Anything else raises InvalidAnswer
naming the offending piece.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from service.grading.formula.errors import EvalError, invalid
from service.grading.formula.tokens import to_python
from service.grading.formula.tree import (
    CONSTANTS,
    FUNCTIONS,
    Bin,
    Call,
    Compare,
    Const,
    Expr,
    Logic,
    Num,
    Transpose,
    Unary,
    Var,
    is_constant,
)

MAX_DEPTH = 60
MAX_NODES = 500
MAX_EXPONENT = 1000.0

_BINOPS: dict[type[ast.operator], str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.MatMult: "@",
}
_CMPOPS: dict[type[ast.cmpop], str] = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
}
_ARITY: dict[str, tuple[int, int]] = {
    "sum": (1, 1), "mean": (1, 1), "norm": (1, 1), "sqrt": (1, 1), "exp": (1, 1),
    "log": (1, 1), "abs": (1, 1), "max": (1, 2), "min": (1, 2), "heaviside": (1, 2),
    "step": (1, 1), "inv": (1, 1), "transpose": (1, 1),
}
_FRIENDLY: dict[type[ast.AST], str] = {
    ast.Tuple: "a tuple (a comma outside a function call)",
    ast.IfExp: "'if ... else'",
    ast.Lambda: "'lambda'",
    ast.Subscript: "indexing with [...]",
    ast.Starred: "'*' unpacking",
    ast.NamedExpr: "':='",
}


def _describe(node: ast.AST) -> str:
    if type(node) in _FRIENDLY:
        return _FRIENDLY[type(node)]
    try:
        return repr(ast.unparse(node))
    except Exception:  # pragma: no cover - unparse of a valid node does not fail
        return type(node).__name__


class _Builder:
    """Walks a Python AST and builds the whitelisted tree, counting nodes and depth."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names
        self.count = 0

    def unknown_name(self, name: str) -> Exception:
        if name.startswith("__") or name.endswith("__"):
            return invalid(f"'{name}' is not allowed.")
        if name in FUNCTIONS:
            return invalid(f"'{name}' is a function; write {name}(...).")
        if name.lower() in ("nan", "inf", "infinity", "oo"):
            return invalid(f"'{name}' is not allowed: values must be finite numbers.")
        uses = ", ".join(sorted(self.names)) or "no variables"
        return invalid(f"Unknown name '{name}'; this part uses {uses}.")

    def build(self, node: ast.AST, depth: int) -> Expr:
        self.count += 1
        if self.count > MAX_NODES:
            raise invalid(f"The formula is too large (more than {MAX_NODES} pieces).")
        if depth > MAX_DEPTH:
            raise invalid(f"The formula is nested more than {MAX_DEPTH} levels deep.")
        d = depth + 1
        if isinstance(node, ast.Constant):
            return _number(node.value)
        if isinstance(node, ast.Name):
            if node.id in self.names:
                return Var(node.id)
            if node.id in CONSTANTS:
                return Const(node.id)
            raise self.unknown_name(node.id)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            op = _BINOPS[type(node.op)]
            result = Bin(op, self.build(node.left, d), self.build(node.right, d))
            if op == "**":
                _check_exponent(result.right)
            return result
        if isinstance(node, ast.UnaryOp):
            unary = {ast.USub: "-", ast.UAdd: "+", ast.Not: "not"}.get(type(node.op))
            if unary is None:
                raise invalid("The operator '~' is not allowed.")
            return Unary(unary, self.build(node.operand, d))
        if isinstance(node, ast.Compare):
            ops = []
            for cmp in node.ops:
                if type(cmp) not in _CMPOPS:
                    raise invalid(f"The comparison {_describe(node)} is not allowed.")
                ops.append(_CMPOPS[type(cmp)])
            operands = (node.left, *node.comparators)
            return Compare(tuple(ops), tuple(self.build(o, d) for o in operands))
        if isinstance(node, ast.BoolOp):
            op = "and" if isinstance(node.op, ast.And) else "or"
            return Logic(op, tuple(self.build(v, d) for v in node.values))
        if isinstance(node, ast.Attribute):
            if node.attr != "T":
                raise invalid(f"'{node.attr}' is not allowed (only .T may follow a name).")
            return Transpose(self.build(node.value, d))
        if isinstance(node, ast.Call):
            return self.call(node, d)
        if isinstance(node, ast.BinOp):
            raise invalid(f"The operator in {_describe(node)} is not allowed.")
        raise invalid(f"{_describe(node)} is not allowed in a formula.")

    def call(self, node: ast.Call, depth: int) -> Expr:
        if isinstance(node.func, ast.Attribute):
            raise invalid(f"Method calls like '.{node.func.attr}(...)' are not allowed.")
        if not isinstance(node.func, ast.Name):
            raise invalid(f"{_describe(node.func)} cannot be called.")
        name = node.func.id
        if name not in FUNCTIONS:
            if name.startswith("__") or name.endswith("__"):
                raise invalid(f"'{name}' is not allowed.")
            allowed = ", ".join(sorted(FUNCTIONS))
            raise invalid(f"The function '{name}' is not allowed; use one of {allowed}.")
        if node.keywords:
            raise invalid(f"Keyword arguments in {name}(...) are not allowed.")
        lo, hi = _ARITY[name]
        if not lo <= len(node.args) <= hi:
            count = f"{lo}" if lo == hi else f"{lo} or {hi}"
            raise invalid(f"{name}(...) takes {count} argument(s), got {len(node.args)}.")
        return Call(name, tuple(self.build(a, depth) for a in node.args))


def _number(value: object) -> Num:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(f"{value!r} is not allowed in a formula.")
    try:
        number = float(value)
    except OverflowError:
        raise invalid("A number in the formula is too large.") from None
    if not math.isfinite(number):
        raise invalid("A number in the formula is too large (not finite).")
    return Num(number)


def _check_exponent(exponent: Expr) -> None:
    """Reject constant exponents beyond MAX_EXPONENT before anything is evaluated."""
    if not is_constant(exponent):
        return
    from service.grading.formula.evaluate import evaluate_constant

    try:
        value = evaluate_constant(exponent)
    except EvalError:
        return
    if isinstance(value, float) and not (math.isfinite(value) and abs(value) <= MAX_EXPONENT):
        shown = f"{value:.6g}" if math.isfinite(value) else "too large to compute"
        raise invalid(f"The exponent {shown} is too large (the limit is {MAX_EXPONENT:g}).")


def parse_formula(text: str, names: Iterable[str]) -> Expr:
    """Parse ``text`` in the declared variable ``names``; InvalidAnswer if it is not a formula."""
    if not isinstance(text, str):
        raise invalid(f"A formula must be text, got {type(text).__name__}.")
    return _parse(text, frozenset(names))


def _parse(text: str, names: frozenset[str]) -> Expr:
    if not text.strip():
        raise invalid("The formula is empty.")
    source = to_python(text, names)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise invalid(f"Could not read the formula: {exc.msg}.") from None
    except (RecursionError, MemoryError, ValueError):
        raise invalid("The formula is nested too deeply to read.") from None
    with np.errstate(all="ignore"):
        return _Builder(names).build(tree.body, 0)


@lru_cache(maxsize=4096)
def parse_trusted(text: str, names: frozenset[str]) -> Expr:
    """Cached parse of an author's formula (expected answers, regions, derived variables)."""
    return _parse(text, names)
