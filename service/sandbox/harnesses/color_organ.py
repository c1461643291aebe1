"""Public harness (runs inside the sandbox): the color organ notebook's training loop.

``run(namespace, task="train_lp_binary", ...)`` trains a low-pass circuit's resistor from LED
on/off labels with the student's ``loss_fn(pred, labels)`` exactly as the course notebook does:
1000 training frequencies log-uniform in 1 Hz–1 MHz (numpy PCG64 seeded with ``seed``), labels
1.0 where the desired low-pass |H| > 1/√2 else 0.0, per-point losses summed (a scalar loss is
used as is), ``R -= lr * dL/dR`` with ``torch.autograd.grad``, stopping before a step when the
loss < 1e-6 or |dL/dR| < 1e-6, or after ``max_steps`` steps. Returns plain data.

Imports nothing from the grading service: only numpy and torch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

C = 1e-6
LED_THRESHOLD = 1.0 / math.sqrt(2.0)
TOL = 1e-6


def training_frequencies(seed: int, n: int = 1000) -> np.ndarray:
    """The notebook's training frequencies (Hz) for one run."""
    return np.asarray(10.0 ** np.random.default_rng(seed).uniform(0.0, 6.0, n), dtype=np.float64)


def _lp_mag(freqs: Any, r: Any) -> Any:
    a = 2.0 * math.pi * freqs * r * C
    return (1.0 + a * a) ** -0.5


def _scalar_loss(torch: Any, value: Any) -> Any:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"loss_fn must return a torch tensor, got {type(value).__name__}")
    if not value.dtype.is_floating_point:
        raise TypeError(f"loss_fn returned a tensor of dtype {value.dtype}, not floats")
    return value.sum() if value.dim() > 0 else value


def train_lp_binary(
    loss_fn: Any,
    cutoff_hz: float,
    r_init: float,
    lr: float,
    seed: int,
    n_points: int = 1000,
    max_steps: int = 100_000,
) -> dict[str, Any]:
    """Train one low-pass resistor from binary labels with ``loss_fn``; report where it ends."""
    import torch

    freqs = torch.from_numpy(training_frequencies(int(seed), int(n_points)))
    r_star = 1.0 / (2.0 * math.pi * float(cutoff_hz) * C)
    labels = (_lp_mag(freqs, r_star) > LED_THRESHOLD).to(torch.float64)
    r = torch.tensor(float(r_init), dtype=torch.float64)
    lr_value = float(lr)
    stopped, loss_value, steps = "max_steps", math.nan, 0
    for steps in range(int(max_steps) + 1):
        r_param = r.clone().requires_grad_(True)
        loss = _scalar_loss(torch, loss_fn(_lp_mag(freqs, r_param), labels))
        (grad,) = torch.autograd.grad(loss, r_param)
        loss_value, grad_value = float(loss.detach()), float(grad)
        if not (math.isfinite(loss_value) and math.isfinite(grad_value)):
            stopped = "diverged"
            break
        if loss_value < TOL or abs(grad_value) < TOL:
            stopped = "loss" if loss_value < TOL else "grad"
            break
        if steps == int(max_steps):
            break
        r = r - lr_value * grad.detach()
    return {"R": float(r), "steps": int(steps), "loss": loss_value, "stopped": stopped}


def resistor_gradients(circuit: Any, freqs: Any, resistors: Any) -> list[float]:
    """d/dR of sum(circuit(freqs, *R)) by autograd, as the training loop differentiates it."""
    import torch

    f = torch.as_tensor(np.asarray(freqs, dtype=np.float64))
    rs = [torch.tensor(float(r), dtype=torch.float64, requires_grad=True) for r in resistors]
    out = circuit(f, *rs)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        raise TypeError(
            "the circuit must return a torch tensor computed with torch operations from R, "
            "so that torch.autograd.grad can differentiate it during training"
        )
    grads = torch.autograd.grad(out.sum(), rs, allow_unused=True)
    if any(g is None for g in grads):
        raise TypeError("the circuit's output does not depend on every resistor")
    return [float(g) for g in grads if g is not None]


def _lookup(namespace: dict[str, Any], name: str) -> Any:
    func = namespace.get(name)
    if not callable(func):
        raise LookupError(f"function '{name}' is not defined by your code")
    return func


def run(namespace: dict[str, Any], *args: Any, task: str = "train_lp_binary", **kwargs: Any) -> Any:
    """Entry point called by the sandbox driver with the student's module namespace.

    Tasks: ``train_lp_binary`` (kwargs of ``train_lp_binary``; the loss is
    ``namespace[loss_name]``, default ``loss_fn``) and ``resistor_gradients`` (kwargs
    ``function``, ``freqs``, ``resistors``).
    """
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        if task == "train_lp_binary":
            loss_fn = _lookup(namespace, str(kwargs.pop("loss_name", "loss_fn")))
            return train_lp_binary(loss_fn, *args, **kwargs)
        if task == "resistor_gradients":
            circuit = _lookup(namespace, str(kwargs.pop("function")))
            return resistor_gradients(circuit, *args, **kwargs)
        raise ValueError(f"unknown color organ task {task!r}")
    finally:
        torch.set_num_threads(threads)
