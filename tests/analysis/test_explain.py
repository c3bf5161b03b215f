import numpy as np
import pytest

import glassgrad as gg
from glassgrad.analysis import explain
from glassgrad.core.errors import GradError


def chain():
    x = gg.Tensor(1.7, requires_grad=True)
    y = 1.0 * (0.9 * (0.5 * (0.8 * x)))
    return x, y


def test_chain_total_is_036_and_factors_are_the_local_derivatives():
    x, y = chain()
    e = explain(y, wrt={"x": x})
    assert float(e.grads["x"]) == pytest.approx(0.36, abs=1e-15)
    assert float(e.grads["x"]) == pytest.approx(
        float(gg.grad(lambda t: 0.9 * (0.5 * (0.8 * t)))(1.7))
    )
    locs = [float(s["local"]) for s in e.steps if s["local"] is not None and s["input"] != "x0"]
    assert locs == pytest.approx([1.0, 0.9, 0.5, 0.8])
    assert np.prod(locs) == pytest.approx(0.36)
    text = str(e)
    assert e.chain("x") == pytest.approx([1.0, 0.9, 0.5, 0.8])
    assert "∂L/∂x = 1 × 0.9 × 0.5 × 0.8 = 0.36" in text
    assert "0.36" in e.to_html() and e.to_html().startswith("<table")
    assert e.to_dict()["grads"]["x"] == pytest.approx(0.36)


def test_neuron_relu_mse_shows_each_factor_of_dL_dw(rng):
    w0, x0, b0, t0 = rng.normal(size=3), rng.normal(size=3), 0.3, -0.4
    x0 = np.abs(x0) * np.sign(w0)  # make z > 0 so the ReLU gate is open
    w, b = gg.Tensor(w0, requires_grad=True), gg.Tensor(b0, requires_grad=True)
    z = gg.dot(w, gg.Tensor(x0)) + b
    z.name = "z"
    a = gg.relu(z)
    a.name = "a"
    loss = ((a - t0) ** 2).mean()
    e = explain(loss, wrt={"w": w, "b": b})
    zv = float(w0 @ x0 + b0)
    rows = {(s["node"], s["input"]): s for s in e.steps}
    assert float(rows[("a", "z")]["upstream"]) == pytest.approx(2 * (zv - t0))  # ∂L/∂a
    assert float(rows[("a", "z")]["local"]) == 1.0  # ∂a/∂z
    dz_dw = [s for s in e.steps if s["op"] == "matmul" and s["local"] is not None][0]
    np.testing.assert_allclose(np.ravel(dz_dw["local"]), x0)  # ∂z/∂w (w as a row)
    gw = gg.grad(lambda w_: ((gg.relu(gg.dot(w_, gg.Tensor(x0)) + b0) - t0) ** 2).mean())(w0)
    np.testing.assert_allclose(e.grads["w"], gw.data, rtol=1e-12)
    np.testing.assert_allclose(e.grads["w"], 2 * (zv - t0) * 1.0 * x0, rtol=1e-12)
    # the footer multiplies out ∂L/∂a · ∂a/∂z · ∂z/∂w: 2(a - t), the ReLU gate 1, then x
    # (the mean's 1/1, the sum, the subtraction, the add and the reshape contribute 1s)
    factors = e.chain("w")
    dL_da = [f for f in factors[:-1] if f != 1.0]
    assert dL_da == [pytest.approx(2 * (zv - t0), rel=1e-12)]
    np.testing.assert_allclose(np.ravel(factors[-1]), x0, rtol=1e-12)
    assert e.chain("b") == factors[:-2]  # b joins at z = wᵀx + b with local factor 1
    line = [s for s in str(e).splitlines() if s.startswith("∂L/∂w = ")][0]
    assert f"1 × 1 × {2 * (zv - t0):.6g} × 1 × 1" in line and line.count("×") == len(factors) - 1
    assert rows[("a", "z")]["rule"] == "Rectified linear unit max(a, 0)"  # relu's own docstring
    assert e.to_dict()["output"] == "L" and len(e.to_dict()["chains"]["w"]) == len(factors)


def test_neuron_with_mse_loss_shows_the_factors_through_the_square(rng):
    from glassgrad.nn import functional as F

    w0, x0, t0 = rng.normal(size=3), rng.normal(size=3), -0.4
    x0 = np.abs(x0) * np.sign(w0)  # z > 0
    w, b = gg.Tensor(w0, requires_grad=True), gg.Tensor(0.3, requires_grad=True)
    e = explain(F.mse_loss(gg.relu(gg.dot(w, gg.Tensor(x0)) + b), gg.Tensor(t0)), wrt={"w": w})
    a = float(w0 @ x0 + 0.3)
    factors = e.chain("w")  # the square d·d uses d twice: its factor is d + d = 2(a - t)
    scalars = [f for f in factors[:-1] if f != 1.0]
    assert scalars == [pytest.approx(2 * (a - t0), rel=1e-12)]
    np.testing.assert_allclose(np.ravel(factors[-1]), x0, rtol=1e-12)
    np.testing.assert_allclose(np.prod(scalars) * x0, e.grads["w"], rtol=1e-12)
    np.testing.assert_allclose(e.grads["w"], 2 * (a - t0) * x0, rtol=1e-12)
    assert f"× {2 * (a - t0):.6g} ×" in str(e).splitlines()[-1]


def test_output_label_never_collides_with_an_input():
    # 3x² + 2xy: the inputs are x and y, so the output must not be called y as well
    x, y = gg.Tensor(1.0, requires_grad=True), gg.Tensor(2.0, requires_grad=True)
    e = explain(3 * x**2 + 2 * x * y, wrt={"x": x, "y": y})
    text = str(e)
    assert "∂L/∂x = 10" in text and "∂L/∂y = 1 × 2 = 2" in text
    outs = {s["node"] for s in e.steps} - {s["input"] for s in e.steps}
    assert outs == {"L"}
    assert [s["formula"] for s in e.steps if s["node"] == "L"] == ["∂y/∂a = 1", "∂y/∂b = 1"]
    taken = gg.Tensor(1.0, requires_grad=True)
    assert explain(taken * x, wrt={"L": taken}).labels["out"] == "L'"
    named = gg.sin(x)
    named.name = "loss"
    assert "∂loss/∂x = " in str(explain(named, wrt={"x": x}))


def test_labels_are_distinct_whatever_the_names():
    W, b = gg.Tensor(2.0, requires_grad=True), gg.Tensor(3.0, requires_grad=True)
    e = explain(W * b + b, wrt=[b])  # b is x0 by position; W must not be x0 as well
    assert {s["input"] for s in e.steps if s["op"] == "multiply"} == {"x0", "x1"}
    assert float(e.sums["x0"]["total"]) == 3.0  # ∂L/∂b = W + 1
    v = gg.Tensor(1.0, requires_grad=True)
    v.name = "v1"  # the name the first inner node would get
    e = explain(gg.sin(v * 2.0) * 3.0, wrt={"v1": v})
    assert not any(s["node"] == s["input"] for s in e.steps)
    assert e.chain("v1") == pytest.approx([3.0, np.cos(2.0), 2.0])
    a, c = gg.Tensor(1.0, requires_grad=True), gg.Tensor(2.0, requires_grad=True)
    a.name = c.name = "w"
    e = explain(a * c, wrt=[a, c])  # two inputs with one name stay two entries
    assert {k: float(v) for k, v in e.grads.items()} == {"w": 2.0, "w'": 1.0}


def test_elementwise_chain_multiplies_to_the_gradient(rng):
    w0 = rng.normal(size=4)
    w = gg.Tensor(w0, requires_grad=True)
    e = explain(gg.tanh(gg.sin(w) * 3.0).sum(), wrt={"w": w})
    ones, dtanh, three, cos = e.chain("w")
    np.testing.assert_array_equal(ones, 1.0)
    np.testing.assert_allclose(dtanh, 1 - np.tanh(3 * np.sin(w0)) ** 2, rtol=1e-12)
    np.testing.assert_array_equal(three, 3.0)
    np.testing.assert_allclose(cos, np.cos(w0), rtol=1e-12)
    np.testing.assert_allclose(ones * dtanh * three * cos, e.grads["w"], rtol=1e-12)
    import json

    json.dumps(e.to_dict())


def test_reused_node_shows_the_sum():
    x = gg.Tensor(3.0, requires_grad=True)
    y = x * x + gg.sin(x)
    e = explain(y, wrt={"x": x})
    parts = e.sums["x"]["parts"]
    assert len(parts) == 3
    assert sum(float(p) for p in parts) == pytest.approx(2 * 3.0 + np.cos(3.0))
    assert "sum of 3 paths" in str(e)
    assert e.chain("x") is None


def test_broadcasting_net_matches_grad(rng):
    X, W, bias = rng.normal(size=(5, 3)), rng.normal(size=(2, 3)), rng.normal(size=2)

    def f(W_, b_):
        return gg.tanh(gg.Tensor(X) @ W_.T + b_).sum()

    Wt, bt = gg.Tensor(W, requires_grad=True), gg.Tensor(bias, requires_grad=True)
    e = explain(f(Wt, bt), wrt=[Wt, bt])
    gW, gb = gg.grad(f, argnums=(0, 1))(W, bias)
    np.testing.assert_allclose(e.grads["x0"], gW.data)
    np.testing.assert_allclose(e.grads["x1"], gb.data)
    assert any(s["op"] == "sum_to" or s["op"] == "broadcast_to" for s in e.steps)
    assert "Jᵀ·g" in str(e)
    assert e.chain("x0") is None  # a matrix product on the way: no scalar chain to print
    assert all(len(line.split("  ")) > 1 for line in str(e).splitlines()[len(e.definitions) : -2])


def test_rich_rendering():
    from rich.console import Console

    x, y = chain()
    console = Console(record=True, width=160)
    console.print(explain(y))
    assert "0.36" in console.export_text()


def test_bad_input():
    with pytest.raises(TypeError, match="y must be a Tensor"):
        explain(1.0)
    with pytest.raises(GradError, match=r"one element.*\(2,\)"):
        explain(gg.Tensor([1.0, 2.0], requires_grad=True) * 2)
    with pytest.raises(GradError, match="no recorded graph"):
        explain(gg.Tensor(1.0))
    with pytest.raises(TypeError, match=r"wrt\['x'\] must be a Tensor"):
        explain(chain()[1], wrt={"x": 1.0})


def test_every_registry_entry_states_its_formula():
    missing = [n for n, p in gg.REGISTRY.items() if not p.formula.strip()]
    assert not missing, f"primitives without formula text: {missing}"


def test_explain_on_a_tie_in_maximum_prints_the_half_the_rule_computes():
    a, b = gg.Tensor(2.0, requires_grad=True), gg.Tensor(2.0, requires_grad=True)
    e = explain(gg.maximum(a, b), wrt={"a": a, "b": b})
    steps = [s for s in e.steps if s["op"] == "maximum"]
    assert [s["local"] for s in steps] == [0.5, 0.5]  # what the rule computes at the tie
    assert all("½·1[a = b]" in s["formula"] for s in steps)  # and what the text says
    assert steps[0]["formula"] == gg.maximum.formula.split(", ")[0]
    assert e.grads == {"a": 0.5, "b": 0.5}


def test_every_computed_node_is_named_with_its_formula_and_value():
    x, y = gg.Tensor(1.0, requires_grad=True), gg.Tensor(2.0, requires_grad=True)
    e = explain(gg.sin(x**2) * y, wrt={"x": x, "y": y})
    value = np.sin(1.0) * 2.0
    assert e.definitions == [
        "v1 = x**2 = 1",
        f"v2 = sin(v1) = {np.sin(1.0):.6g}",
        f"L = v2 * y = {value:.6g}",
    ]
    assert str(e).startswith("v1 = x**2 = 1\n")
    assert "<code>v2 = sin(v1)" in e._repr_html_()


def test_rules_are_written_in_the_steps_own_names():
    x, y = gg.Tensor(1.0, requires_grad=True), gg.Tensor(2.0, requires_grad=True)
    e = explain(gg.sin(x**2) * y, wrt={"x": x, "y": y})
    symbols = [s["symbols"] for s in e.steps]
    assert symbols == ["∂L/∂v2 = y", "∂L/∂y = v2", "∂v2/∂v1 = cos v1", "∂v1/∂x = 2·x^(2-1)"]
    assert all(s["formula"].startswith("∂y/∂") for s in e.steps)  # the registry's text, kept
    assert float(e.grads["x"]) == pytest.approx(2 * np.cos(1.0) * 2.0)  # ∂/∂x sin(x²)·y
