"""The vectorised evaluator against hand-written numpy, and the seeded point sampler."""

from __future__ import annotations

import numpy as np
import pytest

from service.grading.formula.domains import (
    Column,
    Derived,
    Domain,
    Integer,
    Matrix,
    NonZero,
    Positive,
    Real,
    Vector,
)
from service.grading.formula.errors import EvalError
from service.grading.formula.evaluate import evaluate
from service.grading.formula.parser import parse_formula
from service.grading.formula.points import sample_points, validate_variables

K = 6
RNG = np.random.default_rng(123)
ENV = {
    "a": RNG.uniform(0.5, 2, K),
    "b": RNG.uniform(-2, 2, K),
    "v": RNG.uniform(-2, 2, (K, 4)),
    "u": RNG.uniform(-2, 2, (K, 4)),
    "col": RNG.uniform(-2, 2, (K, 4, 1)),
    "M": RNG.uniform(-2, 2, (K, 4, 4)) + 4 * np.eye(4),
    "R": RNG.uniform(-2, 2, (K, 3, 4)),
}


def ev(text: str) -> np.ndarray:
    return evaluate(parse_formula(text, ENV), ENV)


def per_point(fn: object) -> np.ndarray:
    """Apply ``fn`` point by point to the environment (the independent route)."""
    rows = [fn(*(ENV[n][k] for n in ("a", "b", "v", "u", "col", "M", "R"))) for k in range(K)]  # type: ignore[operator]
    return np.array(rows)


@pytest.mark.parametrize(
    ("text", "fn"),
    [
        ("2/a*sum(b - v)", lambda a, b, v, u, col, M, R: 2 / a * np.sum(b - v)),
        ("mean(v)", lambda a, b, v, u, col, M, R: np.mean(v)),
        ("sum(v*u)/sum(v^2)", lambda a, b, v, u, col, M, R: v @ u / (v @ v)),
        ("v @ u", lambda a, b, v, u, col, M, R: v @ u),
        ("norm(v - u)", lambda a, b, v, u, col, M, R: np.linalg.norm(v - u)),
        ("(v - u)/norm(v - u)", lambda a, b, v, u, col, M, R: (v - u) / np.linalg.norm(v - u)),
        ("M @ v", lambda a, b, v, u, col, M, R: M @ v),
        ("v @ M", lambda a, b, v, u, col, M, R: v @ M),
        ("col.T @ (M + M.T)", lambda a, b, v, u, col, M, R: col.T @ (M + M.T)),
        ("col.T @ col", lambda a, b, v, u, col, M, R: col.T @ col),
        ("col @ col.T", lambda a, b, v, u, col, M, R: col @ col.T),
        ("inv(M) @ v", lambda a, b, v, u, col, M, R: np.linalg.solve(M, v)),
        ("transpose(R) @ R", lambda a, b, v, u, col, M, R: R.T @ R),
        ("norm(M)", lambda a, b, v, u, col, M, R: np.linalg.norm(M)),
        ("max(0, a*b + 1)", lambda a, b, v, u, col, M, R: max(0.0, a * b + 1)),
        ("max(v)", lambda a, b, v, u, col, M, R: np.max(v)),
        ("min(v, u)", lambda a, b, v, u, col, M, R: np.minimum(v, u)),
        ("heaviside(b)", lambda a, b, v, u, col, M, R: float(b > 0)),
        ("step(v)", lambda a, b, v, u, col, M, R: (v > 0).astype(float)),
        ("(b > 0)*a + (b <= 0)*2", lambda a, b, v, u, col, M, R: a if b > 0 else 2.0),
        ("0 < b < 1", lambda a, b, v, u, col, M, R: float(0 < b < 1)),
        ("b > 0 or a > 1", lambda a, b, v, u, col, M, R: float(b > 0 or a > 1)),
        ("sqrt(a) + exp(b) - log(a) + abs(b)",
         lambda a, b, v, u, col, M, R: np.sqrt(a) + np.exp(b) - np.log(a) + abs(b)),
        ("v + col", lambda a, b, v, u, col, M, R: v + col),
        ("a*col", lambda a, b, v, u, col, M, R: a * col),
        ("v.T", lambda a, b, v, u, col, M, R: v),
        ("-a^2", lambda a, b, v, u, col, M, R: -(a**2)),
        ("2^3^2", lambda a, b, v, u, col, M, R: 512.0),
    ],
)
def test_matches_numpy_point_by_point(text: str, fn: object) -> None:
    got = ev(text)
    want = per_point(fn)
    assert got.shape[1:] == want.shape[1:]
    np.testing.assert_allclose(np.broadcast_to(got, want.shape), want, rtol=1e-12)


def test_ridge_formula_matches_solve() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(K, 7, 3))
    y = rng.normal(size=(K, 7))
    S = rng.normal(size=(K, 3, 3))
    S = S @ S.transpose(0, 2, 1) + np.eye(3)
    env = {"X": X, "y": y, "Sigma": S}
    got = evaluate(parse_formula("inv(X.T@X + inv(Sigma)) @ X.T @ y", env), env)
    for k in range(K):
        want = np.linalg.solve(X[k].T @ X[k] + np.linalg.inv(S[k]), X[k].T @ y[k])
        np.testing.assert_allclose(got[k], want, rtol=1e-10)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("col @ M", "do not align"),
        ("a @ v", "not a scalar"),
        ("R + M", "cannot be combined"),
        ("inv(R)", "square"),
        ("inv(M - M)", "singular"),
    ],
)
def test_shape_errors_raise_eval_error(text: str, message: str) -> None:
    with pytest.raises(EvalError, match=message):
        ev(text)


def test_overflow_and_invalid_give_non_finite_values_not_exceptions() -> None:
    assert np.all(np.isinf(ev("exp(1000*a + 1000)")))
    assert np.all(np.isnan(ev("log(-a)")))
    assert np.all(np.isinf(ev("1/(a - a)")))


def test_sampling_is_deterministic_and_seed_dependent() -> None:
    variables: dict[str, Domain] = {"x": Vector("N"), "N": Integer(2, 12), "t": Real()}
    first = sample_points(variables, seed=42)
    again = sample_points(variables, seed=42)
    other = sample_points(variables, seed=43)
    for g1, g2 in zip(first, again, strict=True):
        np.testing.assert_array_equal(g1["x"], g2["x"])
    assert not np.array_equal(first[0]["t"], other[0]["t"])


def test_groups_share_a_length_and_use_different_lengths() -> None:
    variables: dict[str, Domain] = {"x": Vector("N"), "N": Integer(2, 12)}
    groups = sample_points(variables, seed=5)
    assert len(groups) == 3
    lengths = [g["x"].shape[1] for g in groups]
    assert len(set(lengths)) == 3
    for g in groups:
        assert np.all(g["N"] == g["x"].shape[1])


def test_domains_respect_their_ranges_and_structure() -> None:
    variables: dict[str, Domain] = {
        "p": Positive(), "z": NonZero(), "S": Matrix(3, 3, "spd"), "Y": Matrix(2, 2, "symmetric"),
        "c": Column(4), "n": Integer(3, 5),
    }
    (env,) = sample_points(variables, seed=1)
    assert np.all((env["p"] >= 0.1) & (env["p"] <= 3))
    assert np.all(np.abs(env["z"]) >= 0.2) and np.any(env["z"] < 0) and np.any(env["z"] > 0)
    assert np.all(np.linalg.eigvalsh(env["S"]) > 0)
    np.testing.assert_array_equal(env["Y"], env["Y"].transpose(0, 2, 1))
    assert env["c"].shape[1:] == (4, 1)
    assert set(np.unique(env["n"])) <= {3.0, 4.0, 5.0}


def test_derived_variables_follow_their_formula() -> None:
    variables: dict[str, Domain] = {
        "w": NonZero(), "b": Real(), "x": Real(),
        "phi": Derived("max(0, w*x + b)"), "g": Derived("2*phi"),
    }
    (env,) = sample_points(variables, seed=3)
    np.testing.assert_allclose(env["phi"], np.maximum(0, env["w"] * env["x"] + env["b"]))
    np.testing.assert_allclose(env["g"], 2 * env["phi"])


@pytest.mark.parametrize(
    "variables",
    [
        {"x": Vector("N")},
        {"x": Vector("N"), "N": Real()},
        {"a": Derived("b + 1"), "b": Derived("a + 1")},
    ],
)
def test_authoring_mistakes_are_caught(variables: dict[str, Domain]) -> None:
    with pytest.raises(ValueError):
        validate_variables(variables)
