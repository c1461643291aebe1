"""hw2-optimizers-init: SGD momentum, RMSProp, Adam, He init and the mean gradient norm.

Course conventions (``deeplearning/optim.py``): update rules take ``(w, dw, config)`` and return
``(next_w, config)``. Expected values and near misses come from ``reference.optimizers``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from reference import optimizers as ref
from service.grading.kinds import CodeAnswer, NumberAnswer
from service.grading.kinds.code_spec import CodeCall, CodeCase, CodeSpec, Compare
from service.grading.model import Misconception, Params, Part, Problem

Update = Callable[..., tuple[Any, dict[str, Any]]]
Judge = Callable[[Any, Any], tuple[bool, str]]
UpdateInput = tuple[str, Any, Any, dict[str, Any], bool]  # label, w, dw, config, hidden

W = np.linspace(-0.4, 0.6, 20).reshape(4, 5)
DW = np.linspace(-0.6, 0.4, 20).reshape(4, 5)
UP = np.linspace(0.6, 0.9, 20).reshape(4, 5)
DOWN = np.linspace(0.7, 0.5, 20).reshape(4, 5)


def _close(a: Any, b: Any) -> bool:
    try:
        x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return x.shape == y.shape and bool(np.allclose(x, y, rtol=1e-6, atol=1e-9))


def update_problem(got: Any, expected: tuple[Any, Mapping[str, Any]]) -> str:
    """"" if ``got`` equals ``(next_w, config)`` key by key, else what differs."""
    if not isinstance(got, list | tuple) or len(got) != 2:
        return "return a pair (next_w, config)"
    next_w, config = got
    if not _close(next_w, expected[0]):
        try:
            finite = bool(np.all(np.isfinite(np.asarray(next_w, dtype=float))))
        except (TypeError, ValueError):
            finite = False
        return "next_w is wrong" if finite else "next_w is not a finite numeric array (nan/inf?)"
    if not isinstance(config, Mapping):
        return "the second value returned must be the config dict"
    for key, value in expected[1].items():
        if key not in config:
            return f"config[{key!r}] is missing (set defaults with config.setdefault)"
        if not _close(config[key], value):
            return f"next_w is right but config[{key!r}] is wrong"
    return ""


def _update_judge(near: tuple[tuple[str, Any], ...]) -> Judge:
    def judge(got: Any, expected: Any) -> tuple[bool, str]:
        why = update_problem(got, expected)
        if not why:
            return True, "Correct."
        for feedback, value in near:
            if not update_problem(got, value):
                return False, feedback
        return False, why.capitalize() + "."

    return judge


def _update_case(
    name: str, step: Update, mistakes: tuple[tuple[str, Update], ...], w: Any, dw: Any,
    config: dict[str, Any], label: str, hidden: bool,
) -> CodeCase:
    expected = step(w, dw, config)
    near: list[tuple[str, Any]] = []
    for feedback, wrong in mistakes:
        with np.errstate(all="ignore"):
            value = wrong(w, dw, config)
        if np.all(np.isfinite(value[0])) and update_problem(value, expected):
            near.append((feedback, value))
    return CodeCase(
        call=CodeCall(name, args=(w, dw, dict(config))), expected=expected, hidden=hidden,
        label=label, compare=Compare(mode="judge"), near_misses=tuple(near),
        judge=_update_judge(tuple(near)),
    )


MOMENTUM_MISTAKES: tuple[tuple[str, Update], ...] = (
    ("The course's momentum accumulates the raw gradient, v = momentum*v + dw, "
     "not an average with (1 - momentum)*dw.", ref.sgd_momentum_mistake),
    ("That is the v = m*v - lr*dw; w + v form; the course uses v = m*v + dw; "
     "next_w = w - lr*v.", ref.sgd_momentum_cs231n),
)
RMSPROP_MISTAKES: tuple[tuple[str, Update], ...] = (
    ("epsilon goes outside the square root: dw / (sqrt(cache) + epsilon).", ref.rmsprop_mistake),
)
ADAM_MISTAKES: tuple[tuple[str, Update], ...] = (
    ("Missing bias correction: divide m by (1 - beta1**t) and v by (1 - beta2**t).",
     lambda w, dw, c: ref.adam_mistake(w, dw, c, bias_correction=False)),
    ("Increment t before using it in the bias correction.",
     lambda w, dw, c: ref.adam_mistake(w, dw, c, increment_first=False)),
)


def _random(params: Params, salt: int) -> np.random.Generator:
    return np.random.default_rng([int(params["seed"]), salt])


def _momentum_spec(p: Params) -> CodeSpec:
    r = _random(p, 1)
    w, dw, v = r.normal(size=(3, 6)), r.normal(size=(3, 6)), r.normal(size=(3, 6))
    lr, m = float(r.uniform(1e-3, 1e-1)), float(r.uniform(0.5, 0.95))
    cases: tuple[UpdateInput, ...] = (
        ("course check", W, DW, {"learning_rate": 1e-3, "velocity": UP}, False),
        ("default config", W, DW, {}, False),
        ("random", w, dw, {"learning_rate": lr, "momentum": m, "velocity": v}, True),
    )
    return _spec("sgd_momentum", ref.sgd_momentum, MOMENTUM_MISTAKES, cases)


def _rmsprop_spec(p: Params) -> CodeSpec:
    r = _random(p, 2)
    w, dw, cache = r.normal(size=(5, 3)), r.normal(size=(5, 3)), r.uniform(0.1, 2, (5, 3))
    tiny = 1e-6 * r.normal(size=(2, 4))  # fresh cache + tiny gradients: epsilon placement shows
    cases: tuple[UpdateInput, ...] = (
        ("course check", W, DW, {"learning_rate": 1e-2, "cache": UP}, False),
        ("tiny gradients, fresh cache", r.normal(size=(2, 4)), tiny, {}, False),
        ("random", w, dw, {"learning_rate": float(r.uniform(1e-3, 1e-1)),
                           "decay_rate": float(r.uniform(0.8, 0.999)), "cache": cache}, True),
    )
    return _spec("rmsprop", ref.rmsprop, RMSPROP_MISTAKES, cases)


def _adam_spec(p: Params) -> CodeSpec:
    r = _random(p, 3)
    w, dw, m = r.normal(size=(4, 4)), r.normal(size=(4, 4)), r.normal(size=(4, 4))
    v = r.uniform(0.1, 1.0, (4, 4))
    cases: tuple[UpdateInput, ...] = (
        ("course check", W, DW, {"learning_rate": 1e-2, "m": UP, "v": DOWN, "t": 5}, False),
        ("default config", W, DW, {}, False),
        ("random", w, dw, {"learning_rate": float(r.uniform(1e-3, 1e-1)), "m": m, "v": v,
                           "t": int(r.integers(1, 30))}, True),
    )
    return _spec("adam", ref.adam, ADAM_MISTAKES, cases)


def _spec(
    name: str, step: Update, mistakes: tuple[tuple[str, Update], ...],
    cases: tuple[UpdateInput, ...],
) -> CodeSpec:
    built = tuple(
        _update_case(name, step, mistakes, w, dw, cfg, label, hidden)
        for label, w, dw, cfg, hidden in cases
    )
    return CodeSpec(functions=(name,), cases=built)


def he_judge(fan_in: int, fan_out: int) -> Judge:
    """Statistical judge of one ``he_init(fan_in, fan_out, rng)`` result (false-fail ≈ 6e-9)."""
    def judge(got: Any, expected: Any) -> tuple[bool, str]:
        try:
            x = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return False, "Return a numeric array."
        if x.shape != (fan_in, fan_out):
            return False, f"Expected shape ({fan_in}, {fan_out}), got {x.shape}."
        why = ref.normal_sample_problem(x, ref.he_std(fan_in))
        if not why:
            return True, "Correct."
        s = float(x.std())
        for std, feedback in (
            (np.sqrt(1 / fan_in), "std sqrt(1/fan_in) is LeCun init; He uses sqrt(2/fan_in)."),
            (np.sqrt(2 / fan_out), "He init scales with fan_in, not fan_out."),
            (2 / fan_in, "2/fan_in is the variance; the std is its square root."),
            (np.sqrt(2 / (fan_in + fan_out)), "sqrt(2/(fan_in+fan_out)) is Xavier, not He."),
        ):
            if abs(s / std - 1) < 0.03:
                return False, feedback
        return False, f"Not He-normal draws: {why}."

    return judge


def _he_spec(p: Params) -> CodeSpec:
    shapes = ((8, 4000, False), (int(p["fan_in"]), 64, True), (50, 1000, True))
    seeds = _random(p, 4).integers(0, 2**31, size=len(shapes))
    cases = tuple(
        CodeCase(
            call=CodeCall("he_init", args=(fi, fo, int(seed)), convert={"2": "rng"}),
            expected=ref.he_std(fi), hidden=hidden, label=f"he_init({fi}, {fo}, rng)",
            compare=Compare(mode="judge"), judge=he_judge(fi, fo),
        )
        for (fi, fo, hidden), seed in zip(shapes, seeds, strict=True)
    )
    return CodeSpec(functions=("he_init",), cases=cases)


def _grad_norm_spec(p: Params) -> CodeSpec:
    r = _random(p, 5)
    inputs = (
        ([np.array([3.0, 4.0]), np.array([[1.0, 0.0], [0.0, 0.0]]), np.zeros(3)], False),
        ([r.normal(size=(5, 3)), r.normal(size=5), r.normal(size=(2, 2, 2))], True),
    )
    cases = []
    for grads, hidden in inputs:
        norms = np.array([np.linalg.norm(g) for g in grads])
        near = (
            ("Take the mean of the norms, not their sum.", float(norms.sum())),
            ("Average the norms themselves, not the squared norms.", float(np.mean(norms**2))),
            ("That is the norm of all gradients together; average the per-array norms.",
             float(np.sqrt(np.sum(norms**2)))),
        )
        cases.append(CodeCase(
            call=CodeCall("mean_grad_norm", args=(grads,)), expected=ref.mean_grad_norm(grads),
            hidden=hidden, label="list of gradient arrays", near_misses=near,
        ))
    return CodeSpec(functions=("mean_grad_norm",), cases=tuple(cases))


SOLUTIONS = {
    "sgd_momentum": """import numpy as np

def sgd_momentum(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * np.asarray(v) + dw
    config["velocity"] = v
    return w - config["learning_rate"] * v, config
""",
    "rmsprop": """import numpy as np

def rmsprop(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))
    d = config["decay_rate"]
    config["cache"] = d * np.asarray(config["cache"]) + (1 - d) * dw**2
    step = config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])
    return w - step, config
""",
    "adam": """import numpy as np

def adam(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    b1, b2 = config["beta1"], config["beta2"]
    config["t"] += 1
    config["m"] = b1 * np.asarray(config["m"]) + (1 - b1) * dw
    config["v"] = b2 * np.asarray(config["v"]) + (1 - b2) * dw**2
    m_hat = config["m"] / (1 - b1 ** config["t"])
    v_hat = config["v"] / (1 - b2 ** config["t"])
    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
    return next_w, config
""",
    "he_init": """import numpy as np

def he_init(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
""",
    "mean_grad_norm": """import numpy as np

def mean_grad_norm(grads):
    return float(np.mean([np.linalg.norm(np.ravel(g)) for g in grads]))
""",
}

BUGGY = {
    "sgd_momentum": SOLUTIONS["sgd_momentum"].replace(
        'config["momentum"] * np.asarray(v) + dw',
        'config["momentum"] * np.asarray(v) + (1 - config["momentum"]) * dw'),
    "rmsprop": SOLUTIONS["rmsprop"].replace(
        '(np.sqrt(config["cache"]) + config["epsilon"])',
        'np.sqrt(config["cache"] + config["epsilon"])'),
    "adam": SOLUTIONS["adam"].replace(
        'm_hat = config["m"] / (1 - b1 ** config["t"])', 'm_hat = config["m"]').replace(
        'v_hat = config["v"] / (1 - b2 ** config["t"])', 'v_hat = config["v"]'),
    "he_init": SOLUTIONS["he_init"].replace("2.0 / fan_in", "1.0 / fan_in"),
    "mean_grad_norm": SOLUTIONS["mean_grad_norm"].replace("np.mean(", "np.sum("),
}
BUG_FEEDBACK = {
    "sgd_momentum": MOMENTUM_MISTAKES[0][0],
    "rmsprop": RMSPROP_MISTAKES[0][0],
    "adam": ADAM_MISTAKES[0][0],
    "he_init": "std sqrt(1/fan_in) is LeCun init; He uses sqrt(2/fan_in).",
    "mean_grad_norm": "Take the mean of the norms, not their sum.",
}


def _code_part(pid: str, name: str, spec: Callable[[Params], CodeSpec], prompt: str) -> Part:
    return Part(
        id=pid, kind=CodeAnswer((name,)), points=2, prompt=prompt, expected=spec,
        solution=SOLUTIONS[name], misconceptions=(Misconception(BUGGY[name], BUG_FEEDBACK[name]),),
    )


def _sample(rng: np.random.Generator) -> dict[str, Any]:
    return {"seed": int(rng.integers(0, 2**31)), "fan_in": int(rng.choice([256, 512, 784, 1024,
                                                                           2048, 3072, 4096]))}


PROBLEM = Problem(
    id="hw2-optimizers-init",
    title="Initialisation and optimizers",
    source="Homework 2",
    statement=(
        "Implement the update rules of `deeplearning/optim.py`. Each rule takes the weights `w`, "
        "their gradient `dw` (numpy arrays of the same shape) and a `config` dict, fills in "
        "missing hyperparameters with `config.setdefault(...)`, and returns `(next_w, config)` "
        "with the optimizer state (velocity, cache, moments, step count) stored back in "
        "`config`. The course checks use `w = np.linspace(-0.4, 0.6, 20).reshape(4, 5)` and "
        "`dw = np.linspace(-0.6, 0.4, 20).reshape(4, 5)`."
    ),
    base_params={"seed": 0, "fan_in": 3072},
    sample_params=_sample,
    parts=(
        _code_part("a", "sgd_momentum", _momentum_spec,
                   "`sgd_momentum(w, dw, config)`: `v = momentum*v + dw`, `next_w = w - "
                   "learning_rate*v`; keys `learning_rate` (1e-2), `momentum` (0.9), "
                   "`velocity` (zeros)."),
        _code_part("b", "rmsprop", _rmsprop_spec,
                   "`rmsprop(w, dw, config)`: keys `learning_rate` (1e-2), `decay_rate` (0.99), "
                   "`epsilon` (1e-8), `cache` (zeros)."),
        _code_part("c", "adam", _adam_spec,
                   "`adam(w, dw, config)`: keys `learning_rate` (1e-3), `beta1` (0.9), `beta2` "
                   "(0.999), `epsilon` (1e-8), `m`, `v` (zeros), `t` (0). Increment `t` before "
                   "using it; use bias-corrected moments."),
        _code_part("d", "he_init", _he_spec,
                   "`he_init(fan_in, fan_out, rng)`: a `(fan_in, fan_out)` array of He-normal "
                   "weights drawn with the numpy Generator `rng`. Checked statistically."),
        Part(id="d.std", kind=NumberAnswer(rtol=1e-4), points=1,
             prompt="The He standard deviation for fan_in = {{ fan_in }}.",
             expected=lambda p: ref.he_std(int(p["fan_in"])),
             misconceptions=(
                 Misconception(lambda p: float(np.sqrt(1 / p["fan_in"])),
                               "sqrt(1/fan_in) is LeCun's std; He doubles the variance."),
                 Misconception(lambda p: 2 / p["fan_in"],
                               "2/fan_in is the variance; the std is its square root."),
             )),
        _code_part("e", "mean_grad_norm", _grad_norm_spec,
                   "`mean_grad_norm(grads)`: the mean over a list of gradient arrays of each "
                   "array's L2 norm (all entries of the array together)."),
    ),
    topics=("optimizers", "initialisation"),
)
