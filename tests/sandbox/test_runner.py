"""The runner on honest code: conversions, harnesses, plain-data results, fail-closed start."""

from __future__ import annotations

import numpy as np
import pytest

from service.grading.kinds.code_spec import CodeCall
from service.sandbox import SandboxRunner, create_runner
from service.sandbox.bwrap import SandboxPaths
from tests.sandbox.conftest import sandbox_skip_reason

pytestmark = [pytest.mark.sandbox, pytest.mark.xdist_group("sandbox")]


def test_numpy_values_and_containers_round_trip(runner: SandboxRunner) -> None:
    src = (
        "import numpy as np\ndef f(x, k=1):\n    print('k', k)\n"
        "    return x * k, (k, 'a'), {'s': np.float32(2)}\n"
    )
    res = runner.run(src, (CodeCall("f", (np.eye(2),), {"k": 3}),), timeout_s=3)
    assert res.failure == ""
    value = res.outcomes[0].value
    np.testing.assert_array_equal(value[0], 3 * np.eye(2))
    assert value[1] == (3, "a") and value[2]["s"] == np.float32(2)
    assert res.outcomes[0].stdout == "k 3\n"


def test_rng_conversion_matches_numpy_generator(runner: SandboxRunner) -> None:
    src = "def f(rng):\n    return rng.normal(size=3)\n"
    res = runner.run(src, (CodeCall("f", (), {"rng": 7}, convert={"rng": "rng"}),), timeout_s=3)
    np.testing.assert_array_equal(res.outcomes[0].value, np.random.default_rng(7).normal(size=3))


def test_torch_tensor_in_and_out(runner: SandboxRunner) -> None:
    src = "import torch\ndef g(x):\n    return torch.sigmoid(x) * 2\n"
    x = np.array([-1.0, 0.0, 2.0])
    res = runner.run(
        src, (CodeCall("g", (x,), convert={"0": "tensor"}),), timeout_s=10, needs_torch=True
    )
    assert res.failure == "", res.failure
    np.testing.assert_allclose(res.outcomes[0].value, 2 / (1 + np.exp(-x)))


def test_harness_drives_the_student_function(runner: SandboxRunner) -> None:
    src = "def step(w, lr):\n    return w - lr * 2 * w\n"
    call = CodeCall("step", ("step", 1.0, 3, 0.25), harness="iterate")
    res = runner.run(src, (call,), timeout_s=3)
    assert res.outcomes[0].ok and res.outcomes[0].value == pytest.approx(0.125)
    bad = runner.run(src, (CodeCall("step", (), harness="../etc"),), timeout_s=3)
    assert not bad.outcomes[0].ok and "unknown harness" in bad.outcomes[0].error


def test_student_errors_are_per_call_and_compile_errors_are_run_level(
    runner: SandboxRunner,
) -> None:
    src = "def f(x):\n    return 1 / x\n"
    res = runner.run(
        src, (CodeCall("f", (0,)), CodeCall("f", (4,)), CodeCall("nope", ())), timeout_s=3
    )
    assert [o.ok for o in res.outcomes] == [False, True, False]
    assert (
        res.outcomes[0].error.startswith("ZeroDivisionError") and "line 2" in res.outcomes[0].error
    )
    assert res.outcomes[1].value == 0.25 and "not defined" in res.outcomes[2].error
    res = runner.run("def f(:\n", (CodeCall("f", ()),), timeout_s=3)
    assert res.failure.startswith("source does not compile") and "line 1" in res.failure


def test_unsupported_return_types_are_refused(runner: SandboxRunner) -> None:
    src = (
        "import numpy as np\nclass A:\n    pass\n"
        "def f(k):\n    return [A(), np.array([A()]), b'x', {1.5: 2}][k]\n"
    )
    res = runner.run(src, tuple(CodeCall("f", (k,)) for k in range(4)), timeout_s=3)
    assert all(not o.ok and "unsupported" in o.error for o in res.outcomes)


def test_missing_layer_fails_closed() -> None:
    if sandbox_skip_reason():
        pytest.skip(sandbox_skip_reason())
    broken = create_runner(
        1,
        uid_base=62600,
        uid_count=10,
        paths=SandboxPaths(python="/nonexistent/python", prefix="/nonexistent"),
    )
    ok, why = broken.available()
    assert not ok and "does not start" in why
    res = broken.run("def f():\n    return 1\n", (CodeCall("f", ()),), timeout_s=2)
    assert res.outcomes == () and "cannot be run" in res.failure
    broken.close()
