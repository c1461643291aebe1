"""Latency of code answers through the warm sandbox pool (numpy and torch) vs `python -c pass`.

Run: .venv/bin/python bench/code_answers.py   (needs root and bubblewrap)
Targets: p50 <= 50 ms (numpy SGD-momentum step), <= 150 ms (torch transfer function).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.grading.kinds.code_spec import CodeCall
from service.sandbox import create_runner

NUMPY_SRC = """
import numpy as np
def sgd_momentum_step(w, v, g, lr, beta):
    v = beta * v + g
    return w - lr * v, v
"""
TORCH_SRC = """
import torch
def transfer(x):
    return torch.tanh(2.0 * x) * torch.sigmoid(x)
"""
N = 60


def _pct(samples: list[float], q: float) -> float:
    return sorted(samples)[min(len(samples) - 1, int(q * len(samples)))] * 1000


def _time(fn: object, n: int = N) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    """Print p50/p99 per flavor and two-worker throughput."""
    runner = create_runner(2, prewarm=("numpy", "torch"))
    ok, why = runner.available()
    if not ok:
        print(f"sandbox unavailable: {why}")
        return
    w = np.ones(1000)
    numpy_calls = (CodeCall("sgd_momentum_step", (w, np.zeros(1000), w * 0.1, 0.01, 0.9)),)
    torch_calls = (CodeCall("transfer", (np.linspace(-2, 2, 1000),), convert={"0": "tensor"}),)

    def numpy_job() -> None:
        assert not runner.run(NUMPY_SRC, numpy_calls, timeout_s=5).failure

    def torch_job() -> None:
        assert not runner.run(TORCH_SRC, torch_calls, timeout_s=5, needs_torch=True).failure

    for job in (numpy_job, torch_job):  # warm both pools
        _time(job, 5)
    python = _time(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), 20)
    print(
        f"python -c pass        p50 {_pct(python, 0.5):6.1f} ms  p99 {_pct(python, 0.99):6.1f} ms"
    )
    for name, job in (("numpy code answer", numpy_job), ("torch code answer", torch_job)):
        samples = _time(job)
        print(
            f"{name:21s} p50 {_pct(samples, 0.5):6.1f} ms  p99 {_pct(samples, 0.99):6.1f} ms"
            f"  mean {statistics.mean(samples) * 1000:6.1f} ms"
        )
    start = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda _: numpy_job(), range(200)))
    print(f"throughput, 2 workers: {200 / (time.perf_counter() - start):.0f} numpy jobs/s")
    runner.close()


if __name__ == "__main__":
    main()
