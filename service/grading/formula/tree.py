"""The immutable expression tree produced by the whitelist parser."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

FUNCTIONS: frozenset[str] = frozenset(
    {
        "sum", "mean", "norm", "sqrt", "exp", "log", "abs", "max", "min",
        "heaviside", "step", "inv", "transpose",
    }
)
"""Function names a formula may call."""

CONSTANTS: dict[str, float] = {"pi": 3.141592653589793, "e": 2.718281828459045}
"""Named constants (a declared variable of the same name shadows them)."""


@dataclass(frozen=True, slots=True)
class Num:
    """A finite numeric literal."""

    value: float


@dataclass(frozen=True, slots=True)
class Const:
    """A named constant (pi, e)."""

    name: str


@dataclass(frozen=True, slots=True)
class Var:
    """A declared variable."""

    name: str


@dataclass(frozen=True, slots=True)
class Unary:
    """Unary ``+``, ``-`` or ``not``."""

    op: str
    operand: Expr


@dataclass(frozen=True, slots=True)
class Bin:
    """Binary ``+ - * / ** @``."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Call:
    """A whitelisted function call."""

    func: str
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Compare:
    """A comparison chain ``a < b <= c`` (an 0/1 indicator when evaluated)."""

    ops: tuple[str, ...]
    operands: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Logic:
    """``and`` / ``or`` of indicators."""

    op: str
    values: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Transpose:
    """``x.T``."""

    operand: Expr


Expr = Num | Const | Var | Unary | Bin | Call | Compare | Logic | Transpose


def children(node: Expr) -> tuple[Expr, ...]:
    """Direct sub-expressions of ``node``."""
    if isinstance(node, Unary | Transpose):
        return (node.operand,)
    if isinstance(node, Bin):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Compare):
        return node.operands
    if isinstance(node, Logic):
        return node.values
    return ()


def walk(node: Expr) -> Iterator[Expr]:
    """Every node of the tree, parents first."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def names_in(node: Expr) -> frozenset[str]:
    """Variable names the tree refers to."""
    return frozenset(n.name for n in walk(node) if isinstance(n, Var))


def is_constant(node: Expr) -> bool:
    """True when the tree refers to no variable."""
    return not any(isinstance(n, Var) for n in walk(node))


def to_text(node: Expr) -> str:
    """Render the tree back to formula text (fully parenthesised where needed)."""
    if isinstance(node, Num):
        return repr(node.value) if node.value != int(node.value) else str(int(node.value))
    if isinstance(node, Const | Var):
        return node.name
    if isinstance(node, Unary):
        sep = " " if node.op == "not" else ""
        return f"{node.op}{sep}({to_text(node.operand)})"
    if isinstance(node, Bin):
        return f"({to_text(node.left)} {node.op} {to_text(node.right)})"
    if isinstance(node, Call):
        return f"{node.func}({', '.join(to_text(a) for a in node.args)})"
    if isinstance(node, Compare):
        parts = [to_text(node.operands[0])]
        for op, operand in zip(node.ops, node.operands[1:], strict=True):
            parts.append(f"{op} {to_text(operand)}")
        return " ".join(parts)
    if isinstance(node, Logic):
        return f" {node.op} ".join(f"({to_text(v)})" for v in node.values)
    return f"({to_text(node.operand)}).T"
