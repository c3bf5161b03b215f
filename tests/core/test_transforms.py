"""JAX-style transforms: identities, finite differences and torch.func in float64."""

import numpy as np
import pytest
import torch
import torch.func as tf

import glassgrad as gg
import glassgrad.prob  # noqa: F401 (its primitives join the registry-driven tests)
import glassgrad.scipy  # noqa: F401 (likewise)
from glassgrad.core.transforms import custom_jvp, custom_vjp, hessian_rev
from glassgrad.testing import check_grads, gradcheck


def _t(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


# The same function written for both libraries: (module, tensor) -> scalar.
def _fns():
    return {
        "tanh_quad": lambda m, x: m.sum(m.tanh(x * x + x)) ** 2,
        "exp_sin": lambda m, x: m.sum(m.exp(m.sin(x)) * x),
        "logsumexp_sq": lambda m, x: m.logsumexp(x * x, 0) if m is torch else gg.logsumexp(x * x),
        "rational": lambda m, x: m.sum(x / (1.0 + x * x)),
    }


@pytest.fixture
def point(rng):
    return rng.standard_normal(4)


@pytest.mark.parametrize("name", list(_fns()))
def test_grad_and_hessian_match_torch_func(name, point):
    f = _fns()[name]
    gf = lambda x: f(gg, x)
    tfn = lambda x: f(torch, x)
    np.testing.assert_allclose(gg.grad(gf)(point), tf.grad(tfn)(_t(point)), rtol=1e-11)
    h = gg.hessian(gf)(point)
    np.testing.assert_allclose(h, tf.hessian(tfn)(_t(point)), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hessian_rev(gf)(point), h, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h, h.T, rtol=1e-12, atol=1e-14)


def test_jvp_vjp_match_torch_func(rng):
    A = rng.standard_normal((3, 4))
    x, t, v = rng.standard_normal(4), rng.standard_normal(4), rng.standard_normal(3)
    f = lambda m, x: m.tanh((_t(A) if m is torch else gg.Tensor(A)) @ x) * x[:3]
    out, tan = gg.jvp(lambda x: f(gg, x), (x,), (t,))
    tout, ttan = tf.jvp(lambda x: f(torch, x), (_t(x),), (_t(t),))
    np.testing.assert_allclose(out, tout, rtol=1e-13)
    np.testing.assert_allclose(tan, ttan, rtol=1e-12)
    out, f_vjp = gg.vjp(lambda x: f(gg, x), x)
    _, tvjp = tf.vjp(lambda x: f(torch, x), _t(x))
    np.testing.assert_allclose(f_vjp(gg.Tensor(v))[0], tvjp(_t(v))[0], rtol=1e-12)


def test_jacfwd_equals_jacrev_and_fd(rng):
    def f(x, y):
        return gg.stack([gg.sum(x * y), gg.sin(x[0]) * y[1], gg.exp(x[1] - y[0])])

    x, y = rng.standard_normal(2), rng.standard_normal(2)
    jf = gg.jacfwd(f, argnums=(0, 1))(x, y)
    jr = gg.jacrev(f, argnums=(0, 1))(x, y)
    for a, b in zip(jf, jr, strict=True):
        assert a.shape == (3, 2)
        np.testing.assert_allclose(a, b, rtol=1e-13)
    gradcheck(f, (x, y))


def test_jacrev_in_blocks_of_basis_rows_matches_the_closed_form(rng):
    # 300 outputs: the batched reverse sweep runs in two blocks of basis rows (256 + 44)
    A, x = rng.standard_normal((300, 40)), rng.standard_normal(40)
    u = rng.standard_normal(300)
    jac = gg.jacrev(lambda x: gg.tanh(gg.Tensor(A) @ x) * u)(x)
    want = (u * (1 - np.tanh(A @ x) ** 2))[:, None] * A
    np.testing.assert_allclose(jac.data, want, rtol=1e-12, atol=1e-14)
    assert not jac.requires_grad
    # hooks and detect_anomaly read values: jacrev then sweeps one basis row at a time
    seen = []

    def hooked(x):
        y = gg.tanh(gg.Tensor(A) @ x)
        y.register_hook(lambda g: seen.append(float(g.sum())))
        return y * u

    np.testing.assert_allclose(gg.jacrev(hooked)(x).data, want, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(seen, u)  # the hook saw each basis row pulled back through *u
    with gg.detect_anomaly():
        jac = gg.jacrev(lambda x: gg.tanh(gg.Tensor(A) @ x) * u)(x)
    np.testing.assert_allclose(jac.data, want, rtol=1e-12, atol=1e-14)


def test_hvp_equals_hessian_times_v(rng):
    A = rng.standard_normal((5, 5))
    f = lambda x: gg.sum(gg.tanh(gg.Tensor(A) @ x)) ** 2
    x, v = rng.standard_normal(5), rng.standard_normal(5)
    np.testing.assert_allclose(gg.hvp(f, (x,), (v,)), gg.hessian(f)(x).numpy() @ v, rtol=1e-11)
    thvp = tf.jvp(tf.grad(lambda x: torch.sum(torch.tanh(_t(A) @ x)) ** 2), (_t(x),), (_t(v),))
    np.testing.assert_allclose(gg.hvp(f, (x,), (v,)), thvp[1], rtol=1e-11)


def test_third_order_nesting():
    f = lambda x: gg.sin(x) * x**2
    d3 = gg.grad(gg.grad(gg.grad(f)))
    for x in (0.2, 1.7):
        expected = -np.cos(x) * x**2 - 6 * np.sin(x) * x + 6 * np.cos(x)
        np.testing.assert_allclose(float(d3(x)), expected, rtol=1e-12)
    check_grads(f, (0.9,), order=3)


def test_argnums_and_has_aux():
    f = lambda x, y, z: (x * y * z, {"x": x})
    (gx, gz), aux = gg.grad(f, argnums=(0, 2), has_aux=True)(2.0, 3.0, 5.0)
    assert float(gx) == 15.0 and float(gz) == 6.0 and float(aux["x"]) == 2.0
    (v, _), g = gg.value_and_grad(f, argnums=-1, has_aux=True)(2.0, 3.0, 5.0)
    assert float(v) == 30.0 and float(g) == 6.0


def test_pytrees_dicts_lists_tuples(rng):
    params = {"w": rng.standard_normal(3), "b": [1.5, (0.5, rng.standard_normal(2))]}

    def loss(p):
        return gg.sum(p["w"] ** 2) * p["b"][0] + p["b"][1][0] * gg.sum(p["b"][1][1])

    g = gg.grad(loss)(params)
    assert set(g) == {"w", "b"} and isinstance(g["b"], list) and isinstance(g["b"][1], tuple)
    np.testing.assert_allclose(g["w"], 2 * params["w"] * 1.5)
    np.testing.assert_allclose(g["b"][0], np.sum(params["w"] ** 2))
    np.testing.assert_allclose(g["b"][1][0], np.sum(params["b"][1][1]))
    np.testing.assert_allclose(g["b"][1][1], 0.5)


def test_linearize_reuses_graph():
    out, f_jvp = gg.linearize(lambda x: gg.exp(x) * x, 0.5)
    for t in (1.0, -2.0):
        np.testing.assert_allclose(float(f_jvp(t)), t * np.exp(0.5) * 1.5, rtol=1e-14)
    assert not out.requires_grad


def test_transform_results_are_plain_tensors():
    value, g = gg.value_and_grad(lambda x: x**2)(3.0)
    assert value.op is None and g.op is None


def test_transforms_work_inside_no_grad():
    x = gg.Tensor(2.0, requires_grad=True)
    with gg.no_grad():
        assert float(gg.grad(lambda t: t**3)(x)) == 12.0


def test_float32_preserved():
    x = np.array([0.5, 1.5], dtype=np.float32)
    assert gg.grad(lambda t: gg.sum(gg.tanh(t)))(gg.Tensor(x)).dtype == np.float32
    assert gg.hessian(lambda t: gg.sum(t**3))(gg.Tensor(x)).dtype == np.float32


def test_custom_vjp_replaces_reverse_rule_only():
    calls = []

    @custom_vjp
    def softplus(x):
        return gg.log(1.0 + gg.exp(x))

    def rule(g, out, x):
        calls.append(1)
        return (g * gg.sigmoid(x),)

    softplus.defvjp(rule)
    x = np.array([-1.0, 0.3, 2.0])
    np.testing.assert_allclose(gg.grad(lambda t: gg.sum(softplus(t)))(x), 1 / (1 + np.exp(-x)))
    assert calls
    jf = gg.jacfwd(softplus)(x)  # forward mode differentiates the composition
    np.testing.assert_allclose(np.diag(jf), 1 / (1 + np.exp(-x)), rtol=1e-14)
    check_grads(softplus, (x,), order=2)


def test_custom_jvp_replaces_forward_rule_only():
    @custom_jvp
    def cube(x):
        return x * x * x

    cube.defjvp(lambda t, out, x: 3.0 * x * x * t)
    np.testing.assert_allclose(gg.jvp(cube, (2.0,), (1.0,))[1], 12.0)
    np.testing.assert_allclose(gg.grad(cube)(2.0), 12.0)
    check_grads(cube, (0.7,), order=2)


def test_custom_rule_not_registered():
    n = len(gg.REGISTRY)
    custom_vjp(lambda x: x).defvjp(lambda g, out, x: (g,))
    assert len(gg.REGISTRY) == n


def test_batched_jacfwd_through_every_kind_of_rule(rng):
    # elementwise and batched rules take the basis at once; the advanced index and where run
    # per slice; 300 inputs span two basis chunks.
    A = gg.Tensor(rng.standard_normal((4, 300)))

    def f(x):
        y = gg.tanh(A @ x) * x[:4] + gg.sum(x.reshape(3, 100) ** 2, axis=1).mean()
        y = gg.where(y > 0, y, x[[0, 2, 2, 7]])
        return gg.stack([y, y * y]).T

    x = rng.standard_normal(300)
    np.testing.assert_allclose(gg.jacfwd(f)(x), gg.jacrev(f)(x), rtol=1e-12, atol=1e-14)


def test_third_derivatives_forward_over_forward_over_reverse(rng):
    A = rng.standard_normal((3, 3))
    f = lambda x: gg.sum(gg.tanh(gg.Tensor(A) @ x)) ** 2
    x = rng.standard_normal(3)
    t3 = gg.jacfwd(gg.hessian(f))(x)
    t3_rev = gg.jacrev(gg.jacrev(gg.grad(f)))(x)
    tt = tf.jacfwd(tf.hessian(lambda v: torch.sum(torch.tanh(_t(A) @ v)) ** 2))(_t(x))
    np.testing.assert_allclose(t3, tt, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(t3_rev, tt, rtol=1e-10, atol=1e-12)


def test_primitive_batched_jvp_rule_is_used_by_jacfwd(rng):
    calls = []

    def batched(ta, tb, out, a, b):  # tangents carry a leading batch axis
        calls.append(ta.shape)
        return gg.matmul(ta, b) + gg.matmul(a, tb)

    mm = gg.Primitive(
        "t_matmul",
        np.matmul,
        vjp=lambda g, out, a, b: (g @ b.T, a.T @ g),
        jvp=lambda ta, tb, out, a, b: ta @ b + a @ tb,
        register=False,
    )
    gg.BATCHING[mm] = batched  # the batching rule sits in its own table
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    f = lambda a: gg.tanh(mm(a, gg.Tensor(b)))
    try:
        np.testing.assert_allclose(gg.jacfwd(f)(a), gg.jacrev(f)(a), rtol=1e-13)
    finally:
        del gg.BATCHING[mm]
    assert calls == [(6, 2, 3)]


def test_jacobians_of_pytrees_and_multi_primal_hvp(rng):
    p = {"a": rng.standard_normal(2), "b": rng.standard_normal(3)}
    f = lambda p: gg.concatenate([gg.sin(p["a"]), p["b"] * gg.sum(p["a"])])
    jf, jr = gg.jacfwd(f)(p), gg.jacrev(f)(p)
    assert jf["a"].shape == (5, 2) and jf["b"].shape == (5, 3)
    for k in p:
        np.testing.assert_allclose(jf[k], jr[k], rtol=1e-13)
    np.testing.assert_allclose(jr["b"][2:], np.eye(3) * p["a"].sum(), rtol=1e-14)

    g = lambda x, y: gg.sum(x**2 * y) + gg.sum(gg.exp(y))
    x, y, tx, ty = (rng.standard_normal(3) for _ in range(4))
    hx, hy = gg.hvp(g, (x, y), (tx, ty))
    np.testing.assert_allclose(hx, 2 * y * tx + 2 * x * ty, rtol=1e-13)
    np.testing.assert_allclose(hy, 2 * x * tx + np.exp(y) * ty, rtol=1e-13)


def test_vjp_with_dict_output_and_has_aux(rng):
    x = rng.standard_normal(3)
    out, f_vjp, aux = gg.vjp(lambda x: ({"s": gg.sin(x), "c": gg.cos(x)}, "note"), x, has_aux=True)
    assert aux == "note" and set(out) == {"s", "c"}
    (ct,) = f_vjp({"s": gg.Tensor(np.ones(3)), "c": gg.Tensor(np.ones(3))})
    np.testing.assert_allclose(ct, np.cos(x) - np.sin(x), rtol=1e-14)


ELEMENTWISE = sorted(n for n, p in gg.REGISTRY.items() if p.elementwise)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_rules_batch_like_per_slice(name, rng):
    # A primitive marked elementwise takes a whole basis in one batched JVP: it must agree
    # with reverse mode (the VJPs of the output basis) on a domain where it is finite.
    prim = gg.REGISTRY[name]
    two = prim.vjps is not None and len(prim.vjps) == 2
    y = gg.Tensor(0.5 + 0.2 * rng.random(4))
    keywords = {
        "prob.polygamma": {"n": 1},
        "round": {"decimals": 1},
        "scipy.betainc": {"a": 2.0, "b": 3.0},
        "scipy.stdtr": {"df": 3.0},
    }
    params = keywords.get(name, {})
    f = (lambda a: prim(a, y * a)) if two else (lambda a: prim(a, **params))
    for low in (0.3, 1.2):
        x = low + 0.4 * rng.random(4)
        with np.errstate(all="ignore"):
            if np.isfinite(f(gg.Tensor(x)).numpy()).all():
                break
    np.testing.assert_allclose(gg.jacfwd(f)(x), gg.jacrev(f)(x), rtol=1e-10, atol=1e-12)


def test_derivatives_of_hessians_through_batched_matrix_rules(rng):
    # hessian's forward sweep runs the matrix rules on batched tangents; that recorded
    # sweep must differentiate again like the per-slice one (central differences as oracle).
    b = rng.standard_normal((2, 2))
    a = b @ b.T + 2 * np.eye(2)

    def f(x):
        s = 0.5 * (x + x.T)
        u, sv, vh = gg.svd(x)
        r = gg.qr(x)[1]
        return (
            gg.sum(gg.inv(x) ** 2)
            + gg.slogdet(x)[1] * gg.det(x)
            + gg.sum(gg.eigvalsh(s) ** 3)
            + gg.sum(gg.cholesky(s) ** 3)
            + gg.sum(gg.eigh(s)[1] ** 4)
            + gg.sum(sv**3)
            + gg.sum((u @ vh) ** 3)
            + gg.sum(r**3)
            + gg.sum(gg.svdvals(x))
            + gg.sum(gg.pinv(x) ** 2)
            + gg.sum(gg.solve(x, s[:, 0]) ** 3)
            + gg.sum(gg.solve(s, x) ** 3)
        )

    check_grads(gg.hessian(f), (a,), order=1, modes=("fwd", "rev"))
    t3 = gg.jacfwd(gg.hessian(f))(a)
    np.testing.assert_allclose(t3, gg.jacrev(gg.hessian(f))(a), rtol=1e-9, atol=1e-9)


def test_graph_jacobian_equals_jacfwd_and_jacrev(rng):
    a = rng.standard_normal((3, 2))
    x = gg.Tensor(rng.standard_normal(2), requires_grad=True)
    y = gg.tanh(gg.matmul(gg.Tensor(a), x))
    want = (1 - np.tanh(a @ x.data) ** 2)[:, None] * a  # d tanh(Ax)/dx, by hand
    for mode in ("fwd", "rev"):
        (jac,) = gg.graph_jacobian(y, [x], mode=mode)
        np.testing.assert_allclose(jac, want, rtol=1e-13)
    with pytest.raises(ValueError, match="mode must be 'fwd' or 'rev'; got 'side'"):
        gg.graph_jacobian(y, [x], mode="side")


def test_nested_sweeps_with_an_unused_input_keep_the_inner_graph():
    # The inner sweep's inputs include one the output never uses; its result must still be
    # recorded for the outer sweep: d/dy cos(y) = -sin(y), not a silent 0.
    from glassgrad.core.ops import sin

    x, y = gg.Tensor(1.0), gg.Tensor(0.3)
    ones = (gg.Tensor(1.0), gg.Tensor(1.0))
    inner_jvp = lambda b: gg.jvp(lambda a, c: sin(c), (x, b), ones)[1]
    assert abs(float(gg.jvp(inner_jvp, (y,), (gg.Tensor(1.0),))[1]) + np.sin(0.3)) < 1e-12
    inner_grad = lambda b: gg.grad(lambda a, c: sin(c), argnums=1)(x, b)
    assert abs(float(gg.grad(inner_grad)(y)) + np.sin(0.3)) < 1e-12
