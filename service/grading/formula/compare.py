"""Numeric equivalence of evaluated formulas over groups of random points."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from service.grading.formula.evaluate import Array, compile_tree
from service.grading.formula.points import Env
from service.grading.formula.tree import Expr

MIN_COMPARABLE = 8
"""Fewer comparable points than this makes a numeric comparison inconclusive."""


def values_on(tree: Expr, envs: Sequence[Env]) -> list[Array]:
    """The tree's values in each group, broadcast to the group's batch size (EvalError)."""
    out = []
    run = compile_tree(tree)
    for env in envs:
        size = len(next(iter(env.values()))) if env else 1
        with np.errstate(all="ignore"):
            value = run(env)
        if value.shape[0] != size:
            value = np.broadcast_to(value, (size, *value.shape[1:]))
        out.append(value)
    return out


def unify_shapes(got: Array, expected: Array) -> Array | None:
    """``got`` reshaped to ``expected``'s core shape when they agree (1×1 counts as a scalar),
    else None."""
    if got.shape[1:] == expected.shape[1:]:
        return got
    if got.size and got.shape[1:].count(1) == len(got.shape[1:]) and expected.ndim == 1:
        return got.reshape(got.shape[0])
    if expected.shape[1:].count(1) == len(expected.shape[1:]) and got.ndim == 1:
        return got.reshape(expected.shape)
    return None


@dataclass(frozen=True, slots=True)
class Match:
    """Per-point agreement of two evaluated formulas (None groups: shapes differ)."""

    ok: list[Array]  # bool per point, per group
    comparable: list[Array]  # bool per point: the expected value is finite there

    @property
    def n_comparable(self) -> int:
        """How many points could be compared."""
        return int(sum(int(c.sum()) for c in self.comparable))

    @property
    def n_points(self) -> int:
        """How many points were evaluated."""
        return int(sum(len(c) for c in self.comparable))

    @property
    def conclusive(self) -> bool:
        """Enough points could be compared (all of them when there are few, e.g. no variables)."""
        return self.n_comparable >= max(1, min(MIN_COMPARABLE, self.n_points))

    @property
    def all_ok(self) -> bool:
        """True when every comparable point agrees and there are enough of them."""
        return self.conclusive and all(
            bool(o[c].all()) for o, c in zip(self.ok, self.comparable, strict=True)
        )

    def n_wrong(self) -> int:
        """Comparable points that disagree."""
        return int(sum(int((~o & c).sum()) for o, c in zip(self.ok, self.comparable, strict=True)))


def match(got: list[Array], expected: list[Array], rtol: float, atol: float) -> Match | None:
    """Compare group by group; None when a core shape differs."""
    oks, comps = [], []
    for g, e in zip(got, expected, strict=True):
        unified = unify_shapes(g, e)
        if unified is None:
            return None
        flat_g = unified.reshape(unified.shape[0], -1)
        flat_e = e.reshape(e.shape[0], -1)
        with np.errstate(all="ignore"):
            close = np.abs(flat_g - flat_e) <= atol + rtol * np.abs(flat_e)
        comps.append(np.isfinite(flat_e).all(axis=1))
        oks.append(close.all(axis=1))
    return Match(oks, comps)


def equivalent(
    got: list[Array], expected: list[Array], rtol: float, atol: float
) -> bool:
    """True when shapes agree and the values agree at every comparable point."""
    result = match(got, expected, rtol, atol)
    return result is not None and result.all_ok
