"""Public harness (runs inside the sandbox): the color organ notebook's training loops.

``run(namespace, task="train_lp_binary", ...)`` trains a low-pass circuit's resistor from LED
on/off labels with the student's ``loss_fn(pred, labels)`` exactly as the course notebook does:
1000 training frequencies log-uniform in 1 Hz–1 MHz (numpy PCG64 seeded with ``seed``), labels
1.0 where the desired low-pass |H| > 1/√2 else 0.0, per-point losses summed (a scalar loss is
used as is), ``R -= lr * dL/dR`` with ``torch.autograd.grad``, stopping before a step when the
loss < 1e-6 or |dL/dR| < 1e-6, or after ``max_steps`` steps. Returns plain data.

``run(namespace, task="train_circuit", ...)`` calls the student's own training function of part
(f) or (g) (``train_hp_circuit_binary(freqs, labels, R_init, lr, max_steps=...)`` or
``train_bp_circuit_binary(freqs, labels, R_low_init, R_high_init, lr, max_steps=...)``) on the
course's data: the same frequencies as above, labels 1.0 where the desired high-pass (or
band-pass) |H| > 1/√2. While it runs, ``loss_fn`` in the student's namespace is the course's
part (e) loss ``(x - (0.3 + 0.7 y))²`` (restored afterwards): the notebook's training functions
read the global ``loss_fn``, and the check is about their update lines, not about which of the
many valid (e) losses the student wrote. Each call runs under a wall-clock budget.

Imports nothing from the grading service: only numpy and torch.
"""

from __future__ import annotations

import math
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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


def _hp_mag(freqs: Any, r: Any) -> Any:
    a = 2.0 * math.pi * freqs * r * C
    return a * (1.0 + a * a) ** -0.5


def course_loss(x: Any, y: Any) -> Any:
    """The part (e) loss the course trains (f) and (g) with: dark LEDs ask for 0.3, lit for 1."""
    return (x - (0.3 + 0.7 * y)) ** 2


class BudgetExceeded(BaseException):
    """Raised into the student's training function when its time budget is spent.

    A BaseException, so that a student's ``except Exception`` does not swallow it.
    """


@contextmanager
def time_budget(seconds: float, what: str) -> Iterator[None]:
    """Interrupt the body after ``seconds`` of wall time (main thread only; else no limit)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise BudgetExceeded(f"{what} did not finish within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0.0)
        signal.signal(signal.SIGALRM, previous)


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


def _resistors(value: Any, count: int) -> list[float]:
    """The returned resistor(s) as floats: a number/1-element tensor, or a tuple of ``count``."""
    items = list(value) if isinstance(value, tuple | list) else [value]
    if len(items) != count:
        want = "a tuple (R_low, R_high)" if count == 2 else "one number (the learned R)"
        raise TypeError(f"the training function must return {want}, got {type(value).__name__}")
    out = []
    for item in items:
        if hasattr(item, "detach"):
            item = item.detach()
            if item.numel() != 1:
                raise TypeError(f"a learned resistor is a tensor of shape {tuple(item.shape)}")
        out.append(float(item))
    return out


def train_circuit(
    namespace: dict[str, Any],
    function: str,
    desired: list[float],
    init: list[float],
    lr: float,
    seed: int,
    max_steps: list[int],
    budget_s: float,
) -> list[list[float]]:
    """The student's ``function`` run once per cap in ``max_steps``: the resistors it returns.

    ``desired`` holds the resistors whose LEDs are the labels: (R_high,) for the high-pass,
    (R_low, R_high) for the band-pass; ``init`` the initial resistors, in the same order.
    """
    import torch

    train = _lookup(namespace, function)
    freqs = torch.from_numpy(training_frequencies(int(seed)))
    rs = [float(r) for r in desired]
    mag = _lp_mag(freqs, rs[0]) * _hp_mag(freqs, rs[1]) if len(rs) == 2 else _hp_mag(freqs, rs[0])
    labels = (mag > LED_THRESHOLD).to(torch.float64)
    missing = object()
    saved = namespace.get("loss_fn", missing)
    namespace["loss_fn"] = course_loss
    results = []
    try:
        for cap in max_steps:
            with time_budget(budget_s, f"{function}(..., max_steps={int(cap)})"):
                value = train(freqs.clone(), labels.clone(), *map(float, init), float(lr),
                              max_steps=int(cap))  # fmt: skip
            results.append(_resistors(value, len(rs)))
    finally:
        if saved is missing:
            namespace.pop("loss_fn", None)
        else:
            namespace["loss_fn"] = saved
    return results


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
    ``namespace[loss_name]``, default ``loss_fn``), ``train_circuit`` (kwargs of
    ``train_circuit``) and ``resistor_gradients`` (kwargs ``function``, ``freqs``,
    ``resistors``).
    """
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        if task == "train_lp_binary":
            loss_fn = _lookup(namespace, str(kwargs.pop("loss_name", "loss_fn")))
            return train_lp_binary(loss_fn, *args, **kwargs)
        if task == "train_circuit":
            return train_circuit(namespace, *args, **kwargs)
        if task == "resistor_gradients":
            circuit = _lookup(namespace, str(kwargs.pop("function")))
            return resistor_gradients(circuit, *args, **kwargs)
        raise ValueError(f"unknown color organ task {task!r}")
    finally:
        torch.set_num_threads(threads)
