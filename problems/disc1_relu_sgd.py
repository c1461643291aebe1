"""disc1-relu-sgd: the ReLU SGD visualisation notebook (ridge last layer, elbows).

Network ``Linear(1, w) → ReLU → Linear(w, 1)``; expected values from ``reference.relu_net``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from reference import relu_net as ref
from service.grading.kinds import CodeAnswer, TextAnswer
from service.grading.kinds.code_spec import CodeCall, CodeCase, CodeSpec, Compare
from service.grading.model import Misconception, Params, Part, Problem


def _sample(rng: np.random.Generator) -> dict[str, Any]:
    return {
        "seed": int(rng.integers(0, 2**31)),
        "width": int(rng.integers(5, 16)),
        "lambd": float(np.round(10 ** rng.uniform(-3, 0), 4)),
    }


def _net(rng: np.random.Generator, width: int) -> tuple[np.ndarray, np.ndarray]:
    return rng.normal(size=(width, 1)), rng.normal(size=width)


def _ridge_near(X: np.ndarray, y: np.ndarray, lambd: float) -> tuple[tuple[str, Any], ...]:
    gram, rhs = X.T @ X, X.T @ y
    near: list[tuple[str, Any]] = [
        ("That is the ridge solution with λ scaled by n; the cell uses XᵀX + λI.",
         ref.last_layer_ridge(X, y, lambd * X.shape[0])),
    ]
    # These mistakes give singular systems when units are dead (zero feature columns).
    for feedback, matrix in (
        ("λ was added to every entry of XᵀX; add λ·I (np.eye) to the diagonal only.",
         gram + lambd),
        ("That is plain least squares: add λI to XᵀX.", gram),
    ):
        if np.linalg.cond(matrix) < 1e10:
            near.append((feedback, np.linalg.solve(matrix, rhs)))
    return tuple(near)


def _ridge_spec(p: Params) -> CodeSpec:
    rng = np.random.default_rng([int(p["seed"]), 1])
    width, lambd = int(p["width"]), float(p["lambd"])
    x = np.linspace(-1, 1, 40)
    inputs = [("by hand", np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
               np.array([1.0, 2.0, 3.0]), 0.5, False)]
    for label, w, hidden in (("your width and λ", width, False), ("random width 12", 12, True)):
        W1, b1 = _net(rng, w)
        X = ref.hidden_features(W1, b1, x)
        y = np.sin(np.pi * x) + 0.1 * rng.normal(size=x.size)
        inputs.append((label, X, y, lambd if not hidden else 1e-3, hidden))
    cases = tuple(
        CodeCase(call=CodeCall("last_layer_ridge", args=(X, y, lam)), label=label, hidden=hidden,
                 expected=ref.last_layer_ridge(X, y, lam), compare=Compare(rtol=1e-6, atol=1e-8),
                 near_misses=_ridge_near(X, y, lam))
        for label, X, y, lam, hidden in inputs
    )
    return CodeSpec(functions=("last_layer_ridge",), cases=cases)


def _elbow_spec(p: Params) -> CodeSpec:
    rng = np.random.default_rng([int(p["seed"]), 2])
    inputs = (
        ("by hand", np.array([[2.0], [-1.0], [0.5]]), np.array([1.0, 1.0, -1.0]), False),
        ("your width", *_net(rng, int(p["width"])), False),
        ("random width 10", *_net(rng, 10), True),
    )
    cases = []
    for label, W1, b1, hidden in inputs:
        near = (
            ("Sign: the elbow solves W1_i·x + b1_i = 0, so x = -b1_i/W1_i.", b1 / W1.ravel()),
            ("Upside down: the elbow is -b1_i/W1_i.", -W1.ravel() / b1),
            ("W1 has shape (w, 1): -b1/W1 broadcasts to a w×w matrix; flatten W1 first.",
             -b1 / W1),
        )
        cases.append(CodeCase(
            call=CodeCall("elbow_locations", args=(W1, b1)), expected=ref.elbow_locations(W1, b1),
            label=label, hidden=hidden, near_misses=near,
        ))
    return CodeSpec(functions=("elbow_locations",), cases=tuple(cases))


SOLUTIONS = {
    "a": """import numpy as np

def last_layer_ridge(features, y, lambd):
    X = np.asarray(features, dtype=float)
    A = X.T @ X + lambd * np.eye(X.shape[1])
    return np.linalg.solve(A, X.T @ np.asarray(y, dtype=float))
""",
    "b": """import numpy as np

def elbow_locations(W1, b1):
    return -np.asarray(b1, dtype=float).ravel() / np.asarray(W1, dtype=float).ravel()
""",
}
BUGGY = {
    "a": SOLUTIONS["a"].replace("lambd * np.eye(X.shape[1])", "lambd"),
    "b": SOLUTIONS["b"].replace("return -np.asarray(b1", "return np.asarray(b1"),
}

PROBLEM = Problem(
    id="disc1-relu-sgd",
    title="The ReLU SGD visualisation",
    source="Discussion 1",
    statement=(
        "The notebook trains `nn.Sequential(nn.Linear(1, w), nn.ReLU(), nn.Linear(w, 1))` with "
        "SGD on 1-D data and plots each hidden unit's elbow. `W1` is the first layer's weight "
        "(shape (w, 1)), `b1` its bias (shape (w,)). Your variant: width {{ width }}, "
        "λ = {{ lambd }}. Inputs are numpy arrays; return numpy arrays."
    ),
    base_params={"seed": 0, "width": 10, "lambd": 0.1},
    sample_params=_sample,
    parts=(
        Part(id="a", kind=CodeAnswer(("last_layer_ridge",)), points=2,
             prompt="`last_layer_ridge(features, y, lambd)`: the ridge coefficients of the last "
                    "layer, `solve(XᵀX + λI, Xᵀy)` with X = features (n×k), y (n,); return (k,).",
             expected=_ridge_spec, solution=SOLUTIONS["a"],
             misconceptions=(Misconception(BUGGY["a"], "Add λ·I, not λ, to XᵀX."),)),
        Part(id="b", kind=CodeAnswer(("elbow_locations",)), points=2,
             prompt="`elbow_locations(W1, b1)`: the elbow (kink) of each hidden unit, "
                    "shape (w,).",
             expected=_elbow_spec, solution=SOLUTIONS["b"],
             misconceptions=(Misconception(BUGGY["b"], "The elbow is at -b1_i/W1_i."),)),
        Part(id="c", kind=TextAnswer(), points=2,
             prompt="Describe how the slopes and elbows of the hidden units move during "
                    "training, and why some units barely move."),
    ),
    topics=("relu", "sgd", "ridge"),
)
