"""ReLU-net references: ridge vs lstsq on the augmented system, elbows vs the hidden units'
zero crossings."""

from __future__ import annotations

import numpy as np
import pytest

from reference import relu_net


@pytest.mark.parametrize(("seed", "lambd"), [(0, 0.1), (1, 3.0), (2, 1e-6)])
def test_ridge_equals_least_squares_on_the_augmented_system(seed: int, lambd: float) -> None:
    rng = np.random.default_rng(seed)
    W1, b1 = rng.normal(size=(8, 1)), rng.normal(size=8)
    x = rng.uniform(-2, 2, size=50)
    X = relu_net.hidden_features(W1, b1, x)
    y = np.sin(2 * x) + 0.1 * rng.normal(size=50)
    augmented = np.vstack([X, np.sqrt(lambd) * np.eye(8)])
    target = np.concatenate([y, np.zeros(8)])
    expected = np.linalg.lstsq(augmented, target, rcond=None)[0]
    got = relu_net.last_layer_ridge(X, y, lambd)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)


def test_ridge_gradient_vanishes_at_the_solution() -> None:
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(20, 5)), rng.normal(size=20)
    c = relu_net.last_layer_ridge(X, y, 0.5)
    np.testing.assert_allclose(X.T @ (X @ c - y) + 0.5 * c, 0, atol=1e-10)


def test_hidden_features_are_relu_of_the_first_layer() -> None:
    W1, b1 = np.array([[1.0], [-2.0]]), np.array([0.5, 1.0])
    np.testing.assert_allclose(
        relu_net.hidden_features(W1, b1, np.array([-1.0, 0.0, 1.0])),
        [[0.0, 3.0], [0.5, 1.0], [1.5, 0.0]],
    )


def test_elbows_are_where_each_unit_crosses_zero() -> None:
    rng = np.random.default_rng(4)
    W1, b1 = rng.normal(size=(6, 1)), rng.normal(size=6)
    elbows = relu_net.elbow_locations(W1, b1)
    assert elbows.shape == (6,)
    np.testing.assert_allclose(W1.ravel() * elbows + b1, 0, atol=1e-12)
    assert relu_net.elbow_locations(np.array([[0.0]]), np.array([1.0]))[0] == -np.inf
