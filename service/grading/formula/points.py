"""Random evaluation points for a set of declared variables, deterministic from a seed.

Integer variables that give the length of a vector or matrix are fixed within a *group* of
points (so shapes are consistent inside a batch); several groups use different lengths. Other
variables vary from point to point. Derived variables are computed from the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import numpy as np

from service.grading.formula.domains import Derived, Domain, Integer
from service.grading.formula.evaluate import Array, evaluate
from service.grading.formula.parser import parse_trusted
from service.grading.formula.tree import Expr, names_in

Env = dict[str, Array]

POINTS_SINGLE = 64
POINTS_PER_GROUP = 32
GROUPS = 3


def dim_names(variables: Mapping[str, Domain]) -> tuple[str, ...]:
    """Integer variables used as a length by some vector or matrix, in declaration order."""
    used = {
        d
        for dom in variables.values()
        if not isinstance(dom, Derived | Integer)
        for d in dom.shape()
        if isinstance(d, str)
    }
    return tuple(n for n in variables if n in used)


def validate_variables(variables: Mapping[str, Domain]) -> None:
    """Raise ValueError for an authoring mistake (unknown length name, bad derived formula)."""
    for name, dom in variables.items():
        if not isinstance(dom, Derived | Integer):
            for d in dom.shape():
                if isinstance(d, str) and not isinstance(variables.get(d), Integer):
                    raise ValueError(f"variable {name!r}: length {d!r} is not an Integer variable")
    _derived_order(tuple(variables.items()))


@lru_cache(maxsize=512)
def _derived_order(items: tuple[tuple[str, Domain], ...]) -> tuple[tuple[str, Expr], ...]:
    names = frozenset(n for n, _ in items)
    pending = {n: parse_trusted(d.formula, names) for n, d in items if isinstance(d, Derived)}
    done = {n for n, _ in items if n not in pending}
    order: list[tuple[str, Expr]] = []
    while pending:
        ready = [n for n, tree in pending.items() if names_in(tree) <= done]
        if not ready:
            raise ValueError(f"derived variables depend on each other: {sorted(pending)}")
        for n in ready:
            order.append((n, pending.pop(n)))
            done.add(n)
    return tuple(order)


def _integer_values(dom: Integer, rng: np.random.Generator, count: int) -> list[int]:
    pool = list(range(dom.lo, dom.hi + 1))
    picked = [pool.pop(int(rng.integers(len(pool)))) for _ in range(min(count, len(pool)))]
    return [picked[i % len(picked)] for i in range(count)]


def sample_points(variables: Mapping[str, Domain], seed: int) -> list[Env]:
    """Groups of points: each a dict name -> array with a leading batch axis."""
    rng = np.random.default_rng(seed)
    dims = dim_names(variables)
    n_groups, size = (GROUPS, POINTS_PER_GROUP) if dims else (1, POINTS_SINGLE)
    fixed: list[dict[str, int]] = [{} for _ in range(n_groups)]
    for name in dims:
        dom = variables[name]
        assert isinstance(dom, Integer)
        for group, value in zip(fixed, _integer_values(dom, rng, n_groups), strict=True):
            group[name] = value
    derived = _derived_order(tuple(variables.items()))
    envs: list[Env] = []
    for group in fixed:
        env: Env = {}
        for name, dom in variables.items():
            if isinstance(dom, Derived):
                continue
            if name in group:
                env[name] = np.full(size, float(group[name]))
            else:
                env[name] = dom.sample(rng, size, group)
        for name, tree in derived:
            env[name] = evaluate(tree, env)
        envs.append(env)
    return envs
