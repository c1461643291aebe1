"""Optional sympy bridge: exact equivalence for small scalar trees, used only as a tie-breaker
when numeric evaluation is inconclusive. Works on our own tree (never sympifies text) and is
size-bounded, using only cheap, terminating operations (expand and cancel)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from service.grading.formula.tree import (
    Bin,
    Call,
    Const,
    Expr,
    Num,
    Unary,
    Var,
    walk,
)

if TYPE_CHECKING:
    import sympy

MAX_SYMBOLIC_NODES = 40
MAX_SYMBOLIC_POWER = 8


class _Unsupported(Exception):
    pass


def to_sympy(node: Expr, degree: int = 1) -> sympy.Expr:
    """The sympy form of a scalar tree (raises _Unsupported for anything else).

    ``degree`` is the product of the integer exponents above this node; it is capped so that
    expanding nested powers such as ((a+b)^8)^8 cannot blow up.
    """
    import sympy  # lazy: only needed for the rare inconclusive numeric comparison

    if isinstance(node, Num):
        value = node.value
        return sympy.Integer(int(value)) if value == int(value) else sympy.Rational(str(value))
    if isinstance(node, Const):
        return sympy.pi if node.name == "pi" else sympy.E
    if isinstance(node, Var):
        return sympy.Symbol(node.name, real=True)
    if isinstance(node, Unary) and node.op in "+-":
        inner = to_sympy(node.operand, degree)
        return -inner if node.op == "-" else inner
    if isinstance(node, Bin) and node.op == "**":
        exponent = to_sympy(node.right)
        if not exponent.is_Rational:
            raise _Unsupported
        p, q = abs(int(exponent.p)), int(exponent.q)
        if p * degree > MAX_SYMBOLIC_POWER or q > 4:
            raise _Unsupported
        return to_sympy(node.left, degree * max(p, 1)) ** exponent
    if isinstance(node, Bin) and node.op != "@":
        a, b = to_sympy(node.left, degree), to_sympy(node.right, degree)
        return {"+": a + b, "-": a - b, "*": a * b, "/": a / b}[node.op]
    funcs: dict[str, Any] = {
        "sqrt": sympy.sqrt, "exp": sympy.exp, "log": sympy.log, "abs": sympy.Abs,
    }
    if isinstance(node, Call) and node.func in funcs and len(node.args) == 1:
        return funcs[node.func](to_sympy(node.args[0], degree))
    raise _Unsupported


def symbolically_equal(a: Expr, b: Expr) -> bool:
    """True only when both small scalar trees provably agree (False when unsure)."""
    if sum(1 for _ in walk(a)) + sum(1 for _ in walk(b)) > MAX_SYMBOLIC_NODES:
        return False
    import sympy

    try:
        difference = to_sympy(a) - to_sympy(b)
        return bool(sympy.cancel(sympy.expand(difference)) == 0)
    except (_Unsupported, ZeroDivisionError, TypeError, ValueError):
        return False
