"""Vectorised numeric evaluation of an expression tree over a batch of random points.

Every value is a float64 array whose first axis is the batch (size 1 for constants, K for
variables); the remaining "core" axes follow numpy semantics (scalars, vectors, n×1 columns,
matrices). Reductions (sum, mean, norm, 1-argument max/min) reduce over the core axes only.
Floating-point trouble (overflow, 0/0) yields inf/nan that callers detect; shape errors and
singular matrices raise EvalError.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache

import numpy as np

from service.grading.formula.errors import EvalError
from service.grading.formula.tree import (
    CONSTANTS,
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
)

Array = np.ndarray


def shape_text(core: tuple[int, ...]) -> str:
    """Human text for a core shape: scalar, vector of length n, r×c matrix."""
    if not core:
        return "a scalar"
    if len(core) == 1:
        return f"a vector of length {core[0]}"
    if len(core) == 2:
        return f"a {core[0]}×{core[1]} matrix"
    return f"an array of shape {core}"


def _align(a: Array, b: Array) -> tuple[Array, Array]:
    """Pad the shorter core shape with length-1 axes right after the batch axis."""
    da, db = a.ndim, b.ndim
    if da < db:
        a = a.reshape(a.shape[:1] + (1,) * (db - da) + a.shape[1:])
    elif db < da:
        b = b.reshape(b.shape[:1] + (1,) * (da - db) + b.shape[1:])
    return a, b


def _elementwise(op: Callable[[Array, Array], Array], a: Array, b: Array, sym: str) -> Array:
    a, b = _align(a, b)
    try:
        return np.asarray(op(a, b), dtype=float)
    except ValueError:
        raise EvalError(
            f"{shape_text(a.shape[1:])} and {shape_text(b.shape[1:])} cannot be combined "
            f"with '{sym}'"
        ) from None


def _matmul(a: Array, b: Array) -> Array:
    if a.ndim == 1 or b.ndim == 1:
        raise EvalError("'@' needs vectors or matrices on both sides, not a scalar")
    if a.ndim > 3 or b.ndim > 3:
        raise EvalError("'@' is only defined here for vectors and matrices")
    a2 = a[:, None, :] if a.ndim == 2 else a
    b2 = b[:, :, None] if b.ndim == 2 else b
    try:
        out = np.matmul(a2, b2)
    except ValueError:
        raise EvalError(
            f"{shape_text(a.shape[1:])} and {shape_text(b.shape[1:])} do not align for '@'"
        ) from None
    if b.ndim == 2:
        out = out[..., 0]
    if a.ndim == 2:
        out = out[..., 0, :] if b.ndim == 3 else out[..., 0]
    return out


def _transpose(a: Array) -> Array:
    if a.ndim <= 2:
        return a
    if a.ndim == 3:
        return a.transpose(0, 2, 1)
    raise EvalError(".T is only defined here for vectors and matrices")


def _reduce(a: Array, fn: Callable[..., Array]) -> Array:
    if a.ndim == 1:
        return a
    return fn(a.reshape(a.shape[0], -1), axis=1)


def _inv(a: Array) -> Array:
    if a.ndim == 1:
        return 1.0 / a
    if a.ndim != 3 or a.shape[1] != a.shape[2]:
        raise EvalError(f"inv(...) needs a square matrix, got {shape_text(a.shape[1:])}")
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise EvalError("inv(...) of a singular matrix") from None


def _step(a: Array, h0: Array | float = 0.5) -> Array:
    return np.heaviside(a, h0)


def _call(func: str, args: list[Array]) -> Array:
    if func in ("sqrt", "exp", "log", "abs"):
        fn = {"sqrt": np.sqrt, "exp": np.exp, "log": np.log, "abs": np.abs}[func]
        return np.asarray(fn(args[0]), dtype=float)
    if func in ("sum", "mean"):
        return _reduce(args[0], np.sum if func == "sum" else np.mean)
    if func == "norm":
        return np.sqrt(_reduce(args[0] * args[0], np.sum))
    if func in ("max", "min"):
        if len(args) == 1:
            return _reduce(args[0], np.max if func == "max" else np.min)
        return _elementwise(np.maximum if func == "max" else np.minimum, args[0], args[1], func)
    if func in ("heaviside", "step"):
        if len(args) == 1:
            return _step(args[0])
        return _elementwise(np.heaviside, args[0], args[1], sym=func)
    if func == "inv":
        return _inv(args[0])
    return _transpose(args[0])  # transpose


_BIN: dict[str, Callable[[Array, Array], Array]] = {
    "+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "**": np.power,
}
_CMP: dict[str, Callable[[Array, Array], Array]] = {
    "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
    "==": np.equal, "!=": np.not_equal,
}


Fn = Callable[[Mapping[str, Array]], Array]


def _compile_bin(node: Bin) -> Fn:
    left, right = compile_tree(node.left), compile_tree(node.right)
    if node.op == "@":
        return lambda env: _matmul(left(env), right(env))
    op, sym = _BIN[node.op], node.op
    return lambda env: _elementwise(op, left(env), right(env), sym)


def _compile_unary(node: Unary) -> Fn:
    inner = compile_tree(node.operand)
    if node.op == "-":
        return lambda env: -inner(env)
    if node.op == "not":
        return lambda env: (inner(env) == 0).astype(float)
    return inner


def _compile_compare(node: Compare) -> Fn:
    operands = [compile_tree(o) for o in node.operands]
    ops = node.ops

    def run(env: Mapping[str, Array]) -> Array:
        values = [f(env) for f in operands]
        result = _elementwise(_CMP[ops[0]], values[0], values[1], ops[0])
        for op, a, b in zip(ops[1:], values[1:], values[2:], strict=False):
            term = _elementwise(_CMP[op], a, b, op)
            result = _elementwise(np.logical_and, result, term, "and")
        return result.astype(float)

    return run


def _compile_logic(node: Logic) -> Fn:
    parts = [compile_tree(v) for v in node.values]
    combine = np.logical_and if node.op == "and" else np.logical_or
    sym = node.op

    def run(env: Mapping[str, Array]) -> Array:
        acc = (parts[0](env) != 0).astype(float)
        for part in parts[1:]:
            acc = _elementwise(combine, acc, (part(env) != 0).astype(float), sym)
        return acc.astype(float)

    return run


@lru_cache(maxsize=8192)
def compile_tree(node: Expr) -> Fn:
    """A function env -> value for ``node`` (cached: trees are immutable and hashable)."""
    if isinstance(node, Num | Const):
        value = np.array([node.value if isinstance(node, Num) else CONSTANTS[node.name]])
        value.flags.writeable = False  # shared by every evaluation of this cached closure
        return lambda env: value
    if isinstance(node, Var):
        name = node.name
        return lambda env: env[name]
    if isinstance(node, Bin):
        return _compile_bin(node)
    if isinstance(node, Unary):
        return _compile_unary(node)
    if isinstance(node, Call):
        args = [compile_tree(a) for a in node.args]
        func = node.func
        return lambda env: _call(func, [a(env) for a in args])
    if isinstance(node, Transpose):
        inner = compile_tree(node.operand)
        return lambda env: _transpose(inner(env))
    if isinstance(node, Compare):
        return _compile_compare(node)
    return _compile_logic(node)


def evaluate(node: Expr, env: Mapping[str, Array]) -> Array:
    """Value of ``node`` at every point of ``env`` (name -> batch-first array)."""
    with np.errstate(all="ignore"):
        return compile_tree(node)(env)


def evaluate_constant(node: Expr) -> float | Array:
    """Value of a variable-free tree: a float for scalars, else the core array."""
    value = evaluate(node, {})
    if value.ndim == 1:
        return float(value[0])
    return value[0]
