"""Linearised features: closed form vs torch.func Jacobians vs finite differences; SVD helper
invariances; He/Xavier statistics of init_two_layer."""

from __future__ import annotations

import numpy as np
import pytest

from reference import linearized_features as lf


def _net(seed: int, width: int) -> dict[str, np.ndarray]:
    return lf.init_two_layer(width, np.random.default_rng(seed))


@pytest.mark.parametrize(("seed", "width"), [(0, 1), (1, 5), (2, 12)])
def test_closed_form_matches_torch_func_jacobians(seed: int, width: int) -> None:
    p = _net(seed, width)
    X = np.random.default_rng(seed + 100).uniform(-2, 2, size=(40, 1))
    F = lf.linearized_features(p["W1"], p["b1"], p["W2"], p["b2"], X)
    J = lf.jacobian_features(p["W1"], p["b1"], p["W2"], p["b2"], X)
    assert F.shape == (40, 3 * width + 1)
    np.testing.assert_allclose(F, J, rtol=1e-12, atol=1e-12)


def test_closed_form_matches_central_finite_differences() -> None:
    p = _net(4, 6)
    X = np.linspace(-1.5, 1.5, 25).reshape(-1, 1)
    theta = np.concatenate([p[k].ravel() for k in ("W1", "b1", "W2", "b2")])
    sizes = np.cumsum([6, 6, 6])

    def y(t: np.ndarray) -> np.ndarray:
        w1, b1, w2, b2 = np.split(t, sizes)
        return lf.forward(w1.reshape(-1, 1), b1, w2.reshape(1, -1), b2, X)

    h = 1e-6
    fd = np.stack([(y(theta + h * e) - y(theta - h * e)) / (2 * h) for e in np.eye(theta.size)], 1)
    F = lf.linearized_features(p["W1"], p["b1"], p["W2"], p["b2"], X)
    # No point sits within h of a kink here, so central differences are accurate to ~1e-9.
    np.testing.assert_allclose(F, fd, atol=1e-7)


def test_forward_matches_torch_model() -> None:
    import torch

    p = _net(5, 7)
    X = np.linspace(-2, 2, 11).reshape(-1, 1)
    model = lf.torch_model(p["W1"], p["b1"], p["W2"], p["b2"])
    with torch.no_grad():
        expected = model(torch.as_tensor(X)).numpy().ravel()
    np.testing.assert_allclose(lf.forward(p["W1"], p["b1"], p["W2"], p["b2"], X), expected)


def test_principal_features_reconstruct_and_are_orthogonal() -> None:
    p = _net(6, 8)
    F = lf.linearized_features(p["W1"], p["b1"], p["W2"], p["b2"], np.linspace(-1, 1, 60))
    s, P = lf.principal_features(F)
    assert np.all(np.diff(s) <= 1e-12)
    np.testing.assert_allclose(np.linalg.norm(P, axis=0), s, atol=1e-10)
    np.testing.assert_allclose(P.T @ P, np.diag(s**2), atol=1e-9)
    _, _, vt = np.linalg.svd(F, full_matrices=False)
    np.testing.assert_allclose(P @ vt, F, atol=1e-10)


def test_sign_flips_of_singular_vectors_are_accepted() -> None:
    rng = np.random.default_rng(7)
    F = rng.normal(size=(30, 9))
    s, P = lf.principal_features(F)
    for _ in range(10):
        signs = rng.choice([-1.0, 1.0], size=P.shape[1])
        assert lf.same_principal_features(P * signs, P, s)
    wrong = P.copy()
    wrong[:, [0, 1]] = wrong[:, [1, 0]]
    assert not lf.same_principal_features(wrong, P, s)
    assert not lf.same_principal_features(P / s, P, s)  # U instead of U·S
    assert not lf.same_principal_features(P[:, :5], P, s)


def test_rotations_inside_repeated_singular_values_are_accepted() -> None:
    rng = np.random.default_rng(8)
    u, _ = np.linalg.qr(rng.normal(size=(20, 6)))
    v, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    s = np.array([5.0, 3.0, 3.0, 3.0, 1.0, 0.0])
    F = u @ np.diag(s) @ v.T
    s_hat, P = lf.principal_features(F)
    assert [len(c) for c in lf.singular_clusters(s_hat)] == [1, 3, 1, 1]
    angle = 0.7
    rot = np.eye(6)
    rot[1:4, 1:4] = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    rotated = P @ rot
    assert lf.same_principal_features(rotated, P, s_hat)
    assert lf.same_singular_vectors(u[:, 1:4] @ rot[1:4, 1:4], u[:, 1:4], s[1:4])
    # A rotation mixing different singular values is a different answer.
    mix = np.eye(6)
    mix[0:2, 0:2] = [[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]
    assert not lf.same_principal_features(P @ mix, P, s_hat)


def test_singular_clusters_group_zero_tail() -> None:
    s = np.array([4.0, 2.0, 2.0 * (1 + 1e-9), 1e-16, 3e-17, 0.0])
    assert lf.singular_clusters(s) == [[0], [1, 2], [3, 4, 5]]


def test_init_two_layer_shapes_and_stds() -> None:
    width = 3000
    p = lf.init_two_layer(width, np.random.default_rng(9))
    assert {k: v.shape for k, v in p.items()} == {
        "W1": (width, 1), "b1": (width,), "W2": (1, width), "b2": (1,)
    }
    stds = lf.init_stds(width)
    assert stds["W1"] == pytest.approx(np.sqrt(2.0))
    assert stds["W2"] == pytest.approx(np.sqrt(2.0 / width))
    assert stds["b1"] == stds["b2"] == pytest.approx(np.sqrt(2.0 / (width + 1)))
    for key in ("W1", "b1", "W2"):
        sample = p[key].ravel()
        # relative standard error of a sample std is 1/sqrt(2n) ≈ 1.3%; allow 5 of them.
        assert sample.std() == pytest.approx(stds[key], rel=5 / np.sqrt(2 * sample.size))
        assert abs(sample.mean()) < 5 * stds[key] / np.sqrt(sample.size)
        z = (sample - sample.mean()) / sample.std()
        # Normal, not uniform: excess kurtosis 0 ± 5·sqrt(24/n) (uniform would give -1.2).
        assert abs(np.mean(z**4) - 3) < 5 * np.sqrt(24 / sample.size)
    b2 = np.array([lf.init_two_layer(4, np.random.default_rng(s))["b2"][0] for s in range(2000)])
    assert b2.std() == pytest.approx(np.sqrt(2 / 5), rel=5 / np.sqrt(4000))


def test_init_two_layer_is_deterministic_given_the_generator() -> None:
    a = lf.init_two_layer(5, np.random.default_rng(1))
    b = lf.init_two_layer(5, np.random.default_rng(1))
    assert all(np.array_equal(a[k], b[k]) for k in a)
