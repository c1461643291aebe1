"""The whitelist parser: what it accepts, what it rejects and with which message."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.grading.formula.evaluate import evaluate
from service.grading.formula.parser import parse_formula
from service.grading.formula.tree import Bin, Call, Compare, Const, Num, Transpose, Var, to_text
from service.grading.kinds.base import InvalidAnswer

NAMES = frozenset(
    {"theta", "y", "N", "alpha", "x", "x_i", "y_i", "W1_i", "b_i", "sigma", "sigma_l", "eta",
     "lam", "phi", "eps", "A", "c", "w", "b"}
)


def same(a: str, b: str) -> bool:
    """Two formulas give the same value at a fixed random scalar point."""
    rng = np.random.default_rng(7)
    env = {n: rng.uniform(0.5, 2.0, size=5) for n in NAMES}
    va, vb = evaluate(parse_formula(a, NAMES), env), evaluate(parse_formula(b, NAMES), env)
    return bool(np.allclose(va, vb))


@pytest.mark.parametrize(
    ("student", "python"),
    [
        ("2x", "2*x"),
        ("2(theta - y)", "2*(theta - y)"),
        ("2 alpha", "2*alpha"),
        ("(x)(y)", "x*y"),
        ("x y", "x*y"),
        ("theta(1 - x)", "theta*(1 - x)"),
        ("θ^2", "theta**2"),
        ("2^3^2", "2**9"),
        ("-x^2", "-(x**2)"),
        ("α σ η φ ε", "alpha*sigma*eta*phi*eps"),
        ("λ + lambda", "2*lam"),
        ("σ_l", "sigma_l"),
        ("x²", "x**2"),
        ("x − y", "x - y"),
        ("2·x×y", "2*x*y"),
        ("2e-3x", "0.002*x"),
        (".5x", "0.5*x"),
        ("1.99e2", "199"),
        ("2pi", "2*3.141592653589793"),
        ("e^x", "exp(x)"),
        ("x_i W1_i", "x_i*W1_i"),
        ("sum (x)", "sum(x)"),
        ("(x < y) + (x >= y)", "1"),
        ("x > 0 and y > 0", "1"),
        ("not x > 5", "1"),
        ("max(x, y)", "max(y, x)"),
        ("heaviside(x)", "1"),
    ],
)
def test_student_notation_means_what_it_says(student: str, python: str) -> None:
    assert same(student, python)


def test_tree_shapes() -> None:
    assert parse_formula("x_i", NAMES) == Var("x_i")
    assert parse_formula("2x", NAMES) == Bin("*", Num(2.0), Var("x"))
    assert parse_formula("pi", NAMES) == Const("pi")
    assert parse_formula("x.T", NAMES) == Transpose(Var("x"))
    assert parse_formula("sum(x)", NAMES) == Call("sum", (Var("x"),))
    assert isinstance(parse_formula("0 < eta < 1/sigma**2", NAMES), Compare)
    assert to_text(parse_formula("2/N*sum(theta - y)", NAMES)) == "((2 / N) * sum((theta - y)))"


def test_declared_variable_shadows_constant() -> None:
    assert parse_formula("e", {"e"}) == Var("e")
    assert parse_formula("e", set()) == Const("e")


@pytest.mark.parametrize(
    ("text", "piece"),
    [
        ("foo", "'foo'"),
        ("theta + foo", "this part uses"),
        ("open(1)", "'open'"),
        ("__import__(1)", "'__import__'"),
        ("x.__class__", "'__class__'"),
        ("x.shape", "'shape'"),
        ("x.sum()", "'sum'"),
        ("__builtins__", "'__builtins__'"),
        ("'os'", "\"'\""),
        ("x[0]", "'['"),
        ("lambda: 1", "':'"),
        ("x if y else 1", "if ... else"),
        ("sum(x, axis=0)", "'='"),
        ("y = 2x", "=="),
        ("sum", "sum(...)"),
        ("x, y", "tuple"),
        ("True", "True"),
        ("None", "None"),
        ("x is y", "'x is y'"),
        ("x in y", "'x in y'"),
        ("{1}", "'{'"),
        ("x; y", "';'"),
        ("~x", "'~'"),
        ("2 3", "Could not read"),
        ("x +", "Could not read"),
        ("(x", "never closed"),
        ("x)", "no matching"),
        ("sqrt(x, y)", "sqrt(...) takes 1"),
        ("max()", "max(...) takes 1 or 2"),
        ("1e999", "too large"),
        ("nan", "'nan'"),
        ("inf", "'inf'"),
        ("9**9**9**9", "exponent"),
        ("2**1e6", "exponent"),
        ("x**(10**4)", "exponent"),
        ("", "empty"),
        ("   ", "empty"),
        ("Ж", "'Ж'"),
        ("ψ", "'ψ'"),
        ("x\x00", "'\\x00'"),
    ],
)
def test_rejected_with_a_message_naming_the_piece(text: str, piece: str) -> None:
    with pytest.raises(InvalidAnswer) as info:
        parse_formula(text, NAMES)
    assert piece in str(info.value)


def test_unknown_name_lists_the_part_variables() -> None:
    with pytest.raises(InvalidAnswer, match=r"Unknown name 'z'; this part uses N, theta, y\."):
        parse_formula("z", {"theta", "y", "N"})


@pytest.mark.parametrize(
    ("text", "piece"),
    [
        ("(" * 70 + "x" + ")" * 70, "nested more than 60"),
        ("-" * 150 + "x", "nested more than 60"),
        ("2**" * 80 + "2", "nested more than 60"),
        ("x" + "+x" * 300, "nested more than 60"),
        ("sum(" * 58 + "-" * 5 + "x" + ")" * 58, "nested more than 60 levels"),
        ("x" * 10_000, "10000 characters"),
        ("x+" * 999 + "x", "tokens"),
        ("-" * 1999 + "x", "tokens"),
        ("f(" + "x," * 600 + "x)", "tokens"),
    ],
)
def test_size_and_depth_limits(text: str, piece: str) -> None:
    with pytest.raises(InvalidAnswer, match="(?i)" + piece.replace("(", r"\(")):
        parse_formula(text, NAMES)


def test_wide_but_shallow_formula_hits_the_node_limit() -> None:
    text = "+".join(["*".join(["x"] * 10)] * 28)  # 559 nodes, depth 37, 559 tokens
    with pytest.raises(InvalidAnswer, match="too large"):
        parse_formula(text, NAMES)


def test_non_string_is_invalid() -> None:
    with pytest.raises(InvalidAnswer, match="text"):
        parse_formula(3, NAMES)  # type: ignore[arg-type]


ALPHABET = st.sampled_from(
    [*"xyθασ()[]{}+-*/^@.,<>=!~'\"_ 0123456789eEjJ;:\\#%&|", "**", "sum(", "lambda",
     "__class__", "import", "T", "and", "not", "1e308", "9**9**9", "inv(", "theta", "N"]
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ALPHABET, max_size=60).map("".join))
def test_garbage_only_ever_raises_invalid_answer(text: str) -> None:
    with contextlib.suppress(InvalidAnswer):
        parse_formula(text, {"x", "y", "theta", "N"})


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_unicode_only_ever_raises_invalid_answer(text: str) -> None:
    with contextlib.suppress(InvalidAnswer):
        parse_formula(text, {"x", "y"})
