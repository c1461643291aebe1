"""Optimizer references: the course's published numbers, torch.optim as an independent route,
the planted mistakes really differ, He statistics and the mean gradient norm."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

from reference import optimizers as opt

W = np.linspace(-0.4, 0.6, 20).reshape(4, 5)
DW = np.linspace(-0.6, 0.4, 20).reshape(4, 5)
UP = np.linspace(0.6, 0.9, 20).reshape(4, 5)
DOWN = np.linspace(0.7, 0.5, 20).reshape(4, 5)


def test_course_published_numbers() -> None:
    w, _ = opt.sgd_momentum(W, DW, {"learning_rate": 1e-3, "velocity": UP})
    assert w[0, 0] == pytest.approx(-0.39994, abs=1e-9)
    w, _ = opt.rmsprop(W, DW, {"learning_rate": 1e-2, "cache": UP})
    assert w[0, 0] == pytest.approx(-0.39223849, abs=1e-8)
    w, cfg = opt.adam(W, DW, {"learning_rate": 1e-2, "m": UP, "v": DOWN, "t": 5})
    assert w[0, 0] == pytest.approx(-0.40094747, abs=1e-8)
    assert cfg["t"] == 6


def test_cs231n_momentum_form_does_not_reproduce_the_course_number() -> None:
    # The reason we implement v = m*v + dw: the other classic form gives 0.1406 here.
    v = 0.9 * UP - 1e-3 * DW
    assert (W + v)[0, 0] == pytest.approx(0.1406, abs=1e-9)


def test_defaults_set_and_input_config_not_mutated() -> None:
    config: dict[str, object] = {}
    _, cfg = opt.adam(W, DW, config)
    assert config == {}
    assert cfg["learning_rate"] == 1e-3 and cfg["beta1"] == 0.9 and cfg["beta2"] == 0.999
    assert cfg["epsilon"] == 1e-8 and cfg["t"] == 1
    _, cfg = opt.rmsprop(W, DW)
    assert (cfg["learning_rate"], cfg["decay_rate"], cfg["epsilon"]) == (1e-2, 0.99, 1e-8)
    _, cfg = opt.sgd_momentum(W, DW)
    assert (cfg["learning_rate"], cfg["momentum"]) == (1e-2, 0.9)
    np.testing.assert_allclose(cfg["velocity"], DW)


def _torch_steps(
    make: Callable[..., torch.optim.Optimizer], grads: list[np.ndarray], **kw: Any
) -> np.ndarray:
    p = torch.nn.Parameter(torch.tensor(W, dtype=torch.float64))
    optimizer = make([p], **kw)
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        optimizer.step()
    return p.detach().numpy()


@pytest.fixture(scope="module")
def grads() -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    return [rng.normal(size=W.shape) for _ in range(7)]


def _ours(step: Callable[..., Any], grads: list[np.ndarray], config: dict[str, Any]) -> np.ndarray:
    w, cfg = W, dict(config)
    for g in grads:
        w, cfg = step(w, g, cfg)
    return w


def test_momentum_matches_torch_sgd(grads: list[np.ndarray]) -> None:
    # torch's SGD (dampening 0) uses buf = m*buf + g; p -= lr*buf: the course's convention.
    ours = _ours(opt.sgd_momentum, grads, {"learning_rate": 0.05, "momentum": 0.8})
    theirs = _torch_steps(torch.optim.SGD, grads, lr=0.05, momentum=0.8)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_rmsprop_matches_torch_rmsprop(grads: list[np.ndarray]) -> None:
    ours = _ours(opt.rmsprop, grads, {"learning_rate": 0.01, "decay_rate": 0.95, "epsilon": 1e-8})
    theirs = _torch_steps(torch.optim.RMSprop, grads, lr=0.01, alpha=0.95, eps=1e-8)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_adam_matches_torch_adam(grads: list[np.ndarray]) -> None:
    # torch adds eps to sqrt(v)/sqrt(1-b2^t), we add it to sqrt(v_hat): identical formulas.
    ours = _ours(opt.adam, grads, {"learning_rate": 0.01, "beta1": 0.8, "beta2": 0.99})
    theirs = _torch_steps(torch.optim.Adam, grads, lr=0.01, betas=(0.8, 0.99), eps=1e-8)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


def test_adam_hand_unrolled_first_step_is_lr_times_sign() -> None:
    # From zero moments, bias-corrected Adam moves each weight by lr*sign(g) (up to eps).
    w, _ = opt.adam(W, DW, {"learning_rate": 0.1, "epsilon": 0.0})
    np.testing.assert_allclose(w, W - 0.1 * np.sign(DW))


def test_mistakes_differ_from_correct_on_course_inputs() -> None:
    cfg_m = {"learning_rate": 1e-3, "velocity": UP}
    right_m = opt.sgd_momentum(W, DW, cfg_m)[0]
    assert not np.allclose(right_m, opt.sgd_momentum_mistake(W, DW, cfg_m)[0])
    cfg_r = {"learning_rate": 1e-2, "cache": UP, "epsilon": 1e-2}
    assert not np.allclose(opt.rmsprop(W, DW, cfg_r)[0], opt.rmsprop_mistake(W, DW, cfg_r)[0])
    cfg_a = {"learning_rate": 1e-2, "m": UP, "v": DOWN, "t": 5}
    right = opt.adam(W, DW, cfg_a)[0]
    np.testing.assert_allclose(opt.adam_mistake(W, DW, cfg_a)[0], right)
    for kw in ({"bias_correction": False}, {"increment_first": False}):
        assert not np.allclose(opt.adam_mistake(W, DW, cfg_a, **kw)[0], right, rtol=1e-7, atol=0)


def test_he_init_statistics_and_published_stds() -> None:
    assert opt.he_std(3072) == pytest.approx(0.0255155, abs=1e-7)
    assert opt.he_std(50) == pytest.approx(0.2)
    w = opt.he_init(50, 4000, np.random.default_rng(0))
    assert w.shape == (50, 4000)
    # 200k samples: the sample std is within 0.5% of 0.2 (z ≈ 3.2), the mean near 0.
    assert w.std() == pytest.approx(0.2, rel=5e-3)
    assert abs(w.mean()) < 5 * 0.2 / np.sqrt(w.size)


def test_mean_grad_norm_against_hand_values() -> None:
    grads = [np.array([3.0, 4.0]), np.array([[1.0, 0.0], [0.0, 0.0]]), np.zeros(3)]
    assert opt.mean_grad_norm(grads) == pytest.approx((5.0 + 1.0 + 0.0) / 3)
    assert opt.mean_grad_norm([torch.ones(2, 2).numpy()]) == pytest.approx(2.0)
    with pytest.raises(ValueError):
        opt.mean_grad_norm([])
