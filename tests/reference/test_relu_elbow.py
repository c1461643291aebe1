"""reference.relu_elbow against torch autograd/SGD, finite differences and the sign rules."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reference import relu_elbow as re

real = st.floats(-3.0, 3.0, allow_nan=False)
pos = st.floats(0.2, 3.0)
lams = st.floats(1e-3, 0.1)


def _torch_unit_step(w: float, b: float, x: float, y: float, lam: float) -> tuple[float, ...]:
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    phi = torch.relu(wt * x + bt)
    phi.retain_grad()
    opt = torch.optim.SGD([wt, bt], lr=lam)
    (0.5 * (phi - y) ** 2).backward()
    assert wt.grad is not None and bt.grad is not None and phi.grad is not None
    grads = (float(phi.grad), float(wt.grad), float(bt.grad))
    opt.step()
    return (*grads, float(wt.detach()), float(bt.detach()))


@settings(max_examples=60, deadline=None)
@given(w=real, b=real, x=real, y=real, lam=lams)
def test_gradients_and_update_match_torch(
    w: float, b: float, x: float, y: float, lam: float
) -> None:
    assume(abs(w * x + b) > 1e-9)  # away from the kink, where any subgradient is fine
    d_phi, d_w, d_b, new_w, new_b = _torch_unit_step(w, b, x, y, lam)
    g = re.gradients(w, b, x, y)
    assert (g.d_phi, g.d_w, g.d_b) == pytest.approx((d_phi, d_w, d_b), abs=1e-12)
    assert re.sgd_update(w, b, x, y, lam) == pytest.approx((new_w, new_b), abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(w=real, b=real, x=real, y=real)
def test_gradients_match_finite_differences(w: float, b: float, x: float, y: float) -> None:
    assume(abs(w * x + b) > 1e-3 * (1 + abs(x)))

    def loss(w_: float, b_: float) -> float:
        return 0.5 * (re.relu_unit(w_, b_, x) - y) ** 2

    h = 1e-7
    g = re.gradients(w, b, x, y)
    assert g.d_w == pytest.approx((loss(w + h, b) - loss(w - h, b)) / (2 * h), abs=1e-5)
    assert g.d_b == pytest.approx((loss(w, b + h) - loss(w, b - h)) / (2 * h), abs=1e-5)


def test_elbow_is_where_the_unit_turns_on() -> None:
    for w, b in [(2.0, -1.0), (-0.5, 1.5), (1.3, 0.4)]:
        e = re.elbow(w, b)
        assert w * e + b == pytest.approx(0.0, abs=1e-12)
        assert re.relu_unit(w, b, e + 1e-3 * np.sign(w)) > 0
        assert re.relu_unit(w, b, e - 1e-3 * np.sign(w)) == 0
    with pytest.raises(ValueError):
        re.elbow(0.0, 1.0)


@settings(max_examples=40, deadline=None)
@given(w=real, b=real, x=real, lam=lams, r=st.floats(0.1, 3.0))
def test_inactive_unit_does_not_move(w: float, b: float, x: float, lam: float, r: float) -> None:
    assume(w * x + b < 0 and abs(w) > 0.1)
    d = re.update_direction(w, b, x, 0.0 - r, lam)  # phi(x) = 0, phi - y = r
    assert (d.slope, d.elbow) == ("unchanged", "unchanged")


@settings(max_examples=80, deadline=None)
@given(w=pos, x=pos, b=real, lam=lams, r=st.floats(0.1, 3.0))
def test_case_ii_direction_follows_the_sign_of_w_minus_bx(
    w: float, x: float, b: float, lam: float, r: float
) -> None:
    assume(w * x + b > 0.05 and abs(w - b * x) > 1e-3 and w - lam * r * x > 0.05)
    y = re.relu_unit(w, b, x) - r
    d = re.update_direction(w, b, x, y, lam)
    assert d.slope == "decreases"
    # e' - e = lam*r*(w - b*x) / (w * w'): the elbow moves right iff w - b*x > 0.
    assert d.elbow == ("right" if w - b * x > 0 else "left")


@settings(max_examples=60, deadline=None)
@given(w=pos, x=st.floats(-3.0, -0.2), b=pos, lam=lams, r=st.floats(0.1, 3.0))
def test_case_iii_slope_up_elbow_right(w: float, x: float, b: float, lam: float, r: float) -> None:
    assume(w * x + b > 0.01)
    d = re.update_direction(w, b, x, re.relu_unit(w, b, x) - r, lam)
    assert (d.slope, d.elbow) == ("increases", "right")


@settings(max_examples=60, deadline=None)
@given(w=st.floats(-3.0, -0.2), x=pos, b=pos, lam=lams, r=st.floats(0.1, 3.0))
def test_case_iv_slope_down_elbow_left(w: float, x: float, b: float, lam: float, r: float) -> None:
    assume(w * x + b > 0.01)
    d = re.update_direction(w, b, x, re.relu_unit(w, b, x) - r, lam)
    assert (d.slope, d.elbow) == ("decreases", "left")


def _torch_net_step(
    W1: np.ndarray, b: np.ndarray, W2: np.ndarray, x: float, y: float, lam: float
) -> tuple[float, list[np.ndarray]]:
    hidden = torch.nn.Linear(1, len(W1)).double()
    readout = torch.nn.Linear(len(W1), 1, bias=False).double()
    net = torch.nn.Sequential(hidden, torch.nn.ReLU(), readout)
    with torch.no_grad():
        hidden.weight.copy_(torch.tensor(W1)[:, None])
        hidden.bias.copy_(torch.tensor(b))
        readout.weight.copy_(torch.tensor(W2)[None, :])
    opt = torch.optim.SGD(net.parameters(), lr=lam)
    out = net(torch.tensor([[x]], dtype=torch.float64))[0, 0]
    (0.5 * (out - y) ** 2).backward()
    opt.step()
    new = [hidden.weight[:, 0], hidden.bias, readout.weight[0]]
    return float(out.detach()), [p.detach().numpy().copy() for p in new]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), x=real, y=real, lam=lams)
def test_full_network_update_and_new_elbows_match_torch(
    seed: int, x: float, y: float, lam: float
) -> None:
    rng = np.random.default_rng(seed)
    W1, b, W2 = rng.normal(size=5), rng.normal(size=5), rng.normal(size=5)
    assume(np.all(np.abs(W1 * x + b) > 1e-6) and np.all(np.abs(W1) > 0.3))
    fhat, (nW1, nb, nW2) = _torch_net_step(W1, b, W2, x, y, lam)
    assert re.net_forward(W1, b, W2, x) == pytest.approx(fhat, abs=1e-12)
    ours = re.net_sgd_update(W1, b, W2, x, y, lam)
    for got, want in zip(ours, (nW1, nb, nW2), strict=True):
        np.testing.assert_allclose(got, want, atol=1e-12)
    np.testing.assert_allclose(re.net_elbows(W1, b), -b / W1)
    new_elbows = re.net_new_elbows(W1, b, W2, x, y, lam)
    np.testing.assert_allclose(new_elbows, -nb / nW1, rtol=1e-10)
    for i in np.flatnonzero(W1 * x + b > 0):
        formula = re.new_unit_elbow(W1[i], b[i], W2[i], fhat, y, x, lam)
        assert formula == pytest.approx(new_elbows[i], rel=1e-10)
    for i in np.flatnonzero(W1 * x + b < 0):
        assert new_elbows[i] == pytest.approx(-b[i] / W1[i])  # inactive units stay put
