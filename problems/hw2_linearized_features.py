"""hw2-linearized-features: features of the local linearisation of a 1-hidden-layer ReLU net.

Expected values come from ``reference.linearized_features``; principal features are judged up
to the sign of each column (and rotations inside repeated singular values), initialisation
statistically (false-failure rate per case ≈ 2e-8, see ``reference.optimizers``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from reference import linearized_features as lf
from reference.optimizers import normal_sample_problem
from service.grading.kinds import CodeAnswer, NumberAnswer, TextAnswer
from service.grading.kinds.code_spec import CodeCall, CodeCase, CodeSpec, Compare
from service.grading.model import Misconception, Params, Part, Problem

Judge = Callable[[Any, Any], tuple[bool, str]]
Net = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _network(rng: np.random.Generator, width: int) -> dict[str, Any]:
    p = lf.init_two_layer(width, rng)
    # Rounded to the digits the statement shows, so students compute from the same numbers.
    return {k: np.round(v, 3).ravel().tolist() for k, v in p.items()}


def _sample(rng: np.random.Generator) -> dict[str, Any]:
    width = int(rng.integers(3, 7))
    net = _network(rng, width)
    return {"seed": int(rng.integers(0, 2**31)), "width": width, "n": 21,
            "W1": net["W1"], "b1": net["b1"], "W2": net["W2"], "b2": net["b2"][0]}


BASE = {**_sample(np.random.default_rng(182)), "seed": 0}


def _net_arrays(p: Params) -> Net:
    return (np.array(p["W1"], dtype=float).reshape(-1, 1), np.array(p["b1"], dtype=float),
            np.array(p["W2"], dtype=float).reshape(1, -1), np.array([float(p["b2"])]))


def _grid(p: Params) -> np.ndarray:
    return np.linspace(-1.0, 1.0, int(p["n"])).reshape(-1, 1)


def _random_net(rng: np.random.Generator, width: int) -> Net:
    q = lf.init_two_layer(width, rng)
    return q["W1"], q["b1"], q["W2"], q["b2"]


FEATURE_FEEDBACK = {
    "no_w2": "The first-layer features need the factor W2_i: dy/dW1_i = W2_i·1[z_i > 0]·x.",
    "no_gate": "The first-layer features vanish where the unit is off: multiply by 1[z_i > 0].",
    "type_order": "Order the columns as the parameters of nn.Sequential: W1, b1, W2, b2.",
}


def _features_spec(p: Params) -> CodeSpec:
    rng = np.random.default_rng([int(p["seed"]), 1])
    hand: Net = (np.array([[1.0], [-2.0]]), np.array([0.5, 1.0]), np.array([[2.0, -1.0]]),
                 np.array([0.3]))
    inputs = (
        ("your network on its grid", _net_arrays(p), _grid(p), False),
        ("width 2 by hand", hand, np.array([[-1.0], [-0.25], [0.0], [0.75], [2.0]]), False),
        ("random width-8 network", _random_net(rng, 8), rng.uniform(-2, 2, (30, 1)), True),
    )
    cases = []
    for label, net, X, hidden in inputs:
        near = tuple((FEATURE_FEEDBACK[m], lf.linearized_features_mistake(*net, X, m))
                     for m in lf.FEATURE_MISTAKES)
        cases.append(CodeCase(
            call=CodeCall("linearized_features", args=(*net, X)), label=label, hidden=hidden,
            expected=lf.linearized_features(*net, X), compare=Compare(rtol=1e-6, atol=1e-9),
            near_misses=near,
        ))
    return CodeSpec(functions=("linearized_features",), cases=tuple(cases))


def principal_problem(got: Any, expected: tuple[np.ndarray, np.ndarray]) -> str:
    """"" if ``got = (s, P)`` matches up to column signs / rotations in repeated s, else why."""
    s_exp, p_exp = expected
    if not isinstance(got, list | tuple) or len(got) != 2:
        return "Return a pair (s, F @ Vt.T)."
    try:
        s, P = np.asarray(got[0], dtype=float), np.asarray(got[1], dtype=float)
    except (TypeError, ValueError):
        return "s and the principal features must be numeric arrays."
    atol = 1e-9 * max(float(s_exp[0]), 1.0)
    if s.shape != s_exp.shape:
        return f"s must hold the {s_exp.size} singular values, got shape {s.shape}."
    if not np.allclose(s, s_exp, rtol=1e-6, atol=atol):
        if np.allclose(s, s_exp**2, rtol=1e-6, atol=atol):
            return "s holds squared singular values (eigenvalues of FᵀF); take square roots."
        return "The singular values are wrong (they should be in descending order)."
    if P.shape != p_exp.shape:
        return f"The principal features must have shape {p_exp.shape}, got {P.shape}."
    if lf.same_principal_features(P, p_exp, s_exp):
        return ""
    big = s_exp > 1e-8 * max(float(s_exp[0]), 1e-300)
    if lf.same_singular_vectors(P[:, big], p_exp[:, big] / s_exp[big], s_exp[big]):
        return "Those are the left singular vectors U; F @ Vt.T = U·diag(s) scales them by s."
    return "The principal features are not F @ Vt.T (checked up to the sign of each column)."


def _principal_judge(got: Any, expected: Any) -> tuple[bool, str]:
    why = principal_problem(got, expected)
    return (not why), (why or "Correct.")


def _principal_spec(p: Params) -> CodeSpec:
    rng = np.random.default_rng([int(p["seed"]), 2])
    u, _ = np.linalg.qr(rng.normal(size=(12, 4)))
    v, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    repeated = u @ np.diag([4.0, 2.0, 2.0, 0.5]) @ v.T
    net8 = _random_net(rng, 8)
    inputs = (
        ("features of your network", lf.linearized_features(*_net_arrays(p), _grid(p)), False),
        ("random 10×4 matrix", rng.normal(size=(10, 4)), False),
        ("repeated singular values", repeated, True),
        ("features of a width-8 network", lf.linearized_features(*net8, np.linspace(-2, 2, 40)),
         True),
    )
    cases = tuple(
        CodeCase(call=CodeCall("principal_features", args=(F,)), expected=lf.principal_features(F),
                 hidden=hidden, label=label, compare=Compare(mode="judge"),
                 judge=_principal_judge)
        for label, F, hidden in inputs
    )
    return CodeSpec(functions=("principal_features",), cases=cases)


def top_singular_value(p: Params) -> float:
    """Largest singular value of the variant network's feature matrix on its grid."""
    return float(lf.principal_features(lf.linearized_features(*_net_arrays(p), _grid(p)))[0][0])


def init_problem(got: Any, width: int, statistical: bool) -> str:
    """"" if ``got`` looks like ``init_two_layer(width, rng)`` output, else why."""
    if not isinstance(got, Mapping):
        return "Return a dict with keys 'W1', 'b1', 'W2', 'b2'."
    arrays: dict[str, np.ndarray] = {}
    for key, size in (("W1", width), ("b1", width), ("W2", width), ("b2", 1)):
        try:
            arrays[key] = np.asarray(got[key], dtype=float).ravel()
        except (KeyError, TypeError, ValueError):
            return f"{key!r} is missing or not numeric."
        if arrays[key].size != size or not np.all(np.isfinite(arrays[key])):
            return f"{key} must hold {size} finite numbers."
    if not statistical:
        return ""
    stds = lf.init_stds(width)
    for key in ("W1", "b1", "W2"):
        why = normal_sample_problem(arrays[key], stds[key])
        if why:
            return _init_hint(key, float(arrays[key].std()), width) or f"{key}: {why}."
    if abs(float(arrays["b2"][0])) > 6 * stds["b2"]:
        return f"b2 = {arrays['b2'][0]:.3g} is far outside N(0, {stds['b2']:.3g}²)."
    return ""


def _init_hint(key: str, s: float, width: int) -> str:
    fan_in, fan_out = (1, width) if key in ("W1", "b1") else (width, 1)
    if s == 0:
        return f"{key} is all zeros; biases are Xavier-normal, std sqrt(2/(fan_in + fan_out))."
    named = (
        (np.sqrt(2 / fan_in), "He std sqrt(2/fan_in)"),
        (np.sqrt(1 / fan_in), "LeCun std sqrt(1/fan_in)"),
        (np.sqrt(2 / (fan_in + fan_out)), "Xavier std sqrt(2/(fan_in + fan_out))"),
        (1.0, "std 1"),
    )
    want = "He-normal (std sqrt(2/fan_in))" if key.startswith("W") else "Xavier-normal"
    for std, name in named:
        if abs(s / std - 1) < 0.05:
            return (f"{key} has the {name}; it should be {want} "
                    f"(fan_in {fan_in}, fan_out {fan_out}).")
    return ""


def _init_spec(p: Params) -> CodeSpec:
    seeds = np.random.default_rng([int(p["seed"]), 3]).integers(0, 2**31, size=3)
    shapes = ((3000, True, False), (3000, True, True), (3, False, False))
    cases = []
    for (width, statistical, hidden), seed in zip(shapes, seeds, strict=True):
        def judge(got: Any, _: Any, w: int = width, st: bool = statistical) -> tuple[bool, str]:
            why = init_problem(got, w, st)
            return (not why), (why or "Correct.")

        cases.append(CodeCase(
            call=CodeCall("init_two_layer", args=(width, int(seed)), convert={"1": "rng"}),
            expected=lf.init_stds(width), hidden=hidden, compare=Compare(mode="judge"),
            judge=judge, label=f"width {width}" + (" statistics" if statistical else " shapes"),
        ))
    return CodeSpec(functions=("init_two_layer",), cases=tuple(cases))


SOLUTIONS = {
    "a": """import numpy as np

def linearized_features(W1, b1, W2, b2, X):
    x = np.asarray(X, dtype=float).reshape(-1, 1)
    w1 = np.asarray(W1, dtype=float).reshape(1, -1)
    w2 = np.asarray(W2, dtype=float).reshape(1, -1)
    z = x * w1 + np.asarray(b1, dtype=float).reshape(1, -1)
    on = (z > 0).astype(float)
    return np.hstack([on * w2 * x, on * w2, np.maximum(z, 0.0), np.ones_like(x)])
""",
    "b": """import numpy as np

def principal_features(F):
    F = np.asarray(F, dtype=float)
    U, s, Vt = np.linalg.svd(F, full_matrices=False)
    return s, F @ Vt.T
""",
    "d": """import numpy as np

def init_two_layer(width, rng):
    bias_std = np.sqrt(2.0 / (width + 1))
    return {
        "W1": rng.normal(0.0, np.sqrt(2.0), size=(width, 1)),
        "b1": rng.normal(0.0, bias_std, size=width),
        "W2": rng.normal(0.0, np.sqrt(2.0 / width), size=(1, width)),
        "b2": rng.normal(0.0, bias_std, size=1),
    }
""",
}
BUGGY = {
    "a": SOLUTIONS["a"].replace("on * w2 * x, on * w2,", "on * x, on,"),
    "b": SOLUTIONS["b"].replace("return s, F @ Vt.T", "return s, U"),
    "d": SOLUTIONS["d"].replace("0.0, bias_std, size=width", "0.0, 0.0, size=width"),
}

STATEMENT = r"""
A network $y(x) = W_2\,\mathrm{relu}(W_1 x + b_1) + b_2$ of width $w$ is
`nn.Sequential(nn.Linear(1, w), nn.ReLU(), nn.Linear(w, 1))`: `W1` has shape (w, 1), `b1` (w,),
`W2` (1, w), `b2` (1,). Its local linearisation around the current parameters θ has, for each
input x, the feature vector $\partial y(x)/\partial\theta$ with θ flattened in parameter order
(W1, b1, W2, b2): $d = 3w + 1$ features. Take the ReLU derivative at 0 to be 0.

Your network (width {{ width }}): `W1` = {{ W1 }} (as a column), `b1` = {{ b1 }},
`W2` = {{ W2 }} (as a row), `b2` = {{ b2 }}; inputs `X = np.linspace(-1, 1, {{ n }})`.
"""

PROBLEM = Problem(
    id="hw2-linearized-features",
    title="Features of the local linearisation",
    source="Homework 2",
    statement=STATEMENT.strip(),
    base_params=BASE,
    sample_params=_sample,
    parts=(
        Part(id="a", kind=CodeAnswer(("linearized_features",)), points=3,
             prompt="`linearized_features(W1, b1, W2, b2, X)`: numpy arrays in the shapes above, "
                    "`X` of shape (n, 1); return the n×(3w+1) numpy array of ∂y(x_i)/∂θ.",
             expected=_features_spec, solution=SOLUTIONS["a"],
             misconceptions=(Misconception(BUGGY["a"], FEATURE_FEEDBACK["no_w2"]),)),
        Part(id="b", kind=CodeAnswer(("principal_features",)), points=2,
             prompt="`principal_features(F)`: with the thin SVD F = U diag(s) Vt, return "
                    "`(s, F @ Vt.T)` (s descending). Graded up to the sign of each singular "
                    "vector.",
             expected=_principal_spec, solution=SOLUTIONS["b"],
             misconceptions=(Misconception(BUGGY["b"], "F @ Vt.T = U·diag(s), not U."),)),
        Part(id="b.top", kind=NumberAnswer(rtol=1e-4), points=1,
             prompt="The largest singular value of your network's feature matrix on its inputs.",
             expected=top_singular_value,
             misconceptions=(Misconception(lambda p: top_singular_value(p) ** 2,
                                           "That is the largest eigenvalue of FᵀF, s_max²."),)),
        Part(id="c", kind=TextAnswer(), points=2,
             prompt="Across several random initialisations, how do the principal features "
                    "compare with the individual features? Explain why."),
        Part(id="d", kind=CodeAnswer(("init_two_layer",)), points=2,
             prompt="`init_two_layer(width, rng)` with a numpy Generator `rng`: return a dict "
                    "`{'W1': (width, 1), 'b1': (width,), 'W2': (1, width), 'b2': (1,)}` with "
                    "He-normal weights (std sqrt(2/fan_in)) and Xavier-normal biases (std "
                    "sqrt(2/(fan_in + fan_out)) of the bias's own layer). Checked "
                    "statistically on wide networks.",
             expected=_init_spec, solution=SOLUTIONS["d"],
             misconceptions=(Misconception(BUGGY["d"], "Biases should be Xavier-normal."),)),
    ),
    topics=("linearisation", "svd", "initialisation"),
)
