"""Property tests: random well-formed and malformed answers never crash a kind."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.grading.formula.domains import Column, Domain, Integer, Matrix, Real, Vector
from service.grading.kinds import ExpressionAnswer, IntervalAnswer, MatrixAnswer, NumberAnswer
from service.grading.kinds.base import CheckContext, InvalidAnswer
from service.grading.report import PartStatus

VARS: dict[str, Domain] = {
    "t": Real(), "N": Integer(2, 5), "v": Vector("N"), "c": Column("N"), "A": Matrix("N", "N"),
}
KIND = ExpressionAnswer(VARS)
CTX = CheckContext(params={}, answers={}, seed=11, part_id="p")
OK = {PartStatus.CORRECT, PartStatus.PARTIAL, PartStatus.INCORRECT}

LEAVES = st.sampled_from(["t", "N", "v", "c", "A", "2", "0", "1e300", "pi", "-1"])


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "**", "@", "<"]), children)
    calls = st.tuples(
        st.sampled_from(["sum", "mean", "norm", "sqrt", "exp", "log", "abs", "inv", "max",
                         "heaviside", "transpose"]),
        children,
    )
    return st.one_of(
        binary.map(lambda b: f"({b[0]} {b[1]} {b[2]})"),
        calls.map(lambda c: f"{c[0]}({c[1]})"),
        children.map(lambda c: f"({c}).T"),
        st.tuples(children, children).map(lambda p: f"max({p[0]}, {p[1]})"),
    )


FORMULAS = st.recursive(LEAVES, _combine, max_leaves=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FORMULAS)
def test_random_formulas_get_a_verdict(answer: str) -> None:
    try:
        verdict = KIND.check(answer, "c.T @ A @ c + t", CTX)
    except InvalidAnswer:
        return
    assert verdict.status in OK
    assert 0.0 <= verdict.fraction <= 1.0


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80))
def test_random_text_never_crashes_number_or_interval(answer: str) -> None:
    interval = IntervalAnswer("eta", {"eta": Real(), "s": Real(0.5, 2)})
    for kind, expected in ((NumberAnswer(), 1.5), (interval, "0 < eta < 1/s**2")):
        try:
            verdict = kind.check(answer, expected, CTX)
        except InvalidAnswer:
            continue
        assert verdict.status in OK


@settings(max_examples=150, deadline=None)
@given(st.recursive(st.floats() | st.integers() | st.text(max_size=3) | st.booleans(),
                    lambda inner: st.lists(inner, max_size=4), max_leaves=20))
def test_random_nested_lists_never_crash_matrix(answer: object) -> None:
    try:
        verdict = MatrixAnswer().check(answer, np.eye(2), CTX)
    except InvalidAnswer:
        return
    assert verdict.status in OK
