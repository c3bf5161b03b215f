"""The graph boundary: every way a value being differentiated can leave the graph either stays
differentiable (checked against central finite differences) or raises a GradError that names
the call and the fix. None may give a silent zero or a partial gradient.
"""

import math

import numpy as np
import pytest

import glassgrad as gg
import glassgrad.numpy as gnp
from glassgrad.nn import functional as F

X2 = np.array([0.7, -1.3])
M22 = np.array([[1.5, 0.4], [-0.3, 2.0]])


def _written(x):
    y = gnp.zeros(2)
    y[0] = x
    return y.sum() * x


def _written_twice(v):
    y = gnp.zeros((2, 3))
    y[:, 0] = v  # a column from a vector
    y[1, 1:] = v[0] * v[1]  # a broadcast scalar into a slice
    return (y * y).sum() + y[0].sum()


def _loop_fill(v):
    out = gnp.zeros(3)
    for i in range(3):
        out[i] = gnp.sin(v[i % 2]) * (i + 1)
    return gnp.dot(out, out)


def _recurrence(a):
    y = gnp.zeros(4)
    y[0] = a
    for i in range(1, 4):
        y[i] = y[i - 1] * 2.0 + gnp.sin(y[i - 1])  # reads what the last write recorded
    return (y * y).sum()


def _read_between_writes(x):
    y = gnp.zeros(2)
    y[0] = x
    z = (x * y).sum()  # reads y = [x, 0]
    y[1] = 5.0  # a later write leaves that read alone
    return z + y.sum()


def _branch(x):
    return x**2 if bool(x > 0) else -x  # control flow on a comparison keeps working


# (id, f, x0): the gradient must exist and match finite differences.
GRADS = [
    # lists and nested sequences are arrays (glassgrad.numpy and the core constructors)
    ("gnp.array list", lambda x: gnp.array([x, x**2]).sum(), 1.3),
    ("gg.tensor list", lambda x: (gg.tensor([x, 2.0 * x]) ** 2).sum(), 0.8),
    ("gg.Tensor list", lambda x: gg.Tensor([[x, 1.0], [x**3, 2.0]]).sum(), 0.9),
    ("gnp.asarray tuple", lambda x: gnp.prod(gnp.asarray((x, x + 1.0))), 0.4),
    ("gnp.linalg.norm list", lambda x: gnp.linalg.norm([x, x + 2]), 1.0),
    ("gnp.sum list", lambda x: gnp.sum([x, x]), 0.5),
    ("gnp.concatenate lists", lambda x: gnp.concatenate([[x], [x]]).sum() * x, 0.5),
    ("gnp.where list branch", lambda x: gnp.where(np.array([True, False]), [x, 1.0], 0).sum(), 2.0),
    ("gnp.linalg.det nested", lambda x: gnp.linalg.det(gnp.array([[x, 1], [2, x]])), 3.0),
    ("gnp.dot list and array", lambda x: gnp.dot([x, x**2], np.array([1.0, 3.0])), 0.6),
    ("gnp.stack mixed", lambda x: gnp.stack([x, 1.0, 2 * x]).var(), 0.7),
    ("gnp.exp of list", lambda x: gnp.exp([x, -x]).sum(), 0.3),
    ("gnp.maximum list", lambda x: gnp.maximum([x, -x], 0.1).sum(), 0.5),
    ("gnp.full", lambda x: (gnp.full(3, x) ** 2).sum(), 0.9),
    ("gnp.full shape", lambda x: gnp.full((2, 2), x).sum() * x, 0.9),
    ("gnp.full_like", lambda x: (gnp.full_like(np.ones(2), x) * [1.0, 2.0]).sum(), 1.1),
    # writes into a tensor record the write (PyTorch semantics)
    ("y[0] = x", _written, 1.5),
    ("slice writes", _written_twice, X2),
    ("loop of writes", _loop_fill, X2),
    ("recurrence y[i] = f(y[i-1])", _recurrence, 0.7),
    ("read between writes", _read_between_writes, 1.5),
    ("bool(x > 0) control flow", _branch, 0.7),
    # NumPy's own functions on Tensors run glassgrad's differentiable twin
    ("numpy.dot(w, w)", lambda w: np.dot(w, w), X2),
    ("numpy.sin", lambda x: np.sin(x).sum(), X2),
    ("numpy.exp * numpy.tanh", lambda x: (np.exp(x) * np.tanh(x)).sum(), X2),
    ("numpy.linalg.norm", lambda x: np.linalg.norm(x), X2),
    ("numpy.where", lambda x: np.where(x > 0, x, 0.0).sum() + np.where(x > 0, 1.0, x**2).sum(), X2),
    ("numpy.clip", lambda x: np.clip(x, -1.0, 0.5).sum() * x[0], X2),
    ("numpy.stack", lambda x: np.stack([x, x**2]).sum(), X2),
    ("numpy.sum axis", lambda x: np.sum(np.outer(x, x), axis=0)[1], X2),
    ("numpy.mean", lambda x: np.mean(x**3), X2),
    ("numpy.matmul", lambda x: (M22 @ x).sum() + np.matmul(x, M22)[0], X2),
    ("ndarray + Tensor", lambda x: (np.ones(2) + x * np.arange(1.0, 3.0)).prod(), X2),
    ("ndarray / Tensor", lambda x: (np.array([1.0, 2.0]) / x).sum(), X2),
    ("numpy.maximum", lambda x: np.maximum(x, 0.0).sum() + np.abs(x).sum(), X2),
    ("numpy.concatenate", lambda x: np.concatenate([x, x[:1] ** 2]).sum(), X2),
    ("numpy.linalg.det", lambda x: np.linalg.det(M22 * x[0]), X2),
    ("numpy.trace", lambda x: np.trace(np.outer(x, x)), X2),
    ("numpy.log scalar", lambda x: np.log(x * x), 1.7),
    # nn and linalg on nested lists of traced values
    ("F.mse_loss list", lambda x: F.mse_loss(gnp.array([x, 2 * x]), gg.Tensor([0.0, 1.0])), 0.7),
    ("F.softmax list", lambda x: F.softmax(gg.tensor([x, 0.0, -x]))[0], 0.5),
    ("F.relu nested", lambda x: F.relu(gg.Tensor([[x, -x], [2 * x, 0.5]])).sum(), 0.5),
    ("gg.linalg.norm nested", lambda x: gg.linalg.norm(gg.Tensor([[x, 1.0], [x, 2.0]])), 0.3),
    ("inv of list", lambda x: gnp.linalg.inv([[x, 1.0], [0.0, 2.0]]).sum(), 1.5),
    ("solve list", lambda x: gnp.linalg.solve([[2.0, x], [0.0, 1.0]], [1.0, x]).sum(), 0.5),
    ("slogdet list", lambda x: gnp.linalg.slogdet([[x, 0.5], [0.5, 2.0]])[1], 1.2),
    ("eigh list", lambda x: gnp.linalg.eigh([[x, 0.5], [0.5, 2.0]])[0][1], 1.2),
]


def _escape(f):
    def error_case(x):
        return f(x)

    return error_case


# (id, f, x0, fragment of the GradError message): leaving the graph inside a transform raises.
ERRORS = [
    ("math.sin", lambda x: math.sin(x), 1.0, "math.sin"),
    ("float(x)**2", lambda x: float(x) ** 2, 1.0, "float()"),
    ("int(x)", lambda x: x * int(x), 1.0, "int()"),
    ("x.item() * x", lambda x: x.item() * x, 1.0, "item()"),
    ("x.tolist()", lambda x: gg.Tensor(x.tolist()).sum(), X2, "tolist()"),
    ("round(x)", lambda x: round(x, 2) * x, 1.0, "round()"),
    ("numpy.array([x, x**2])", lambda x: np.array([x, x**2]).sum(), 1.0, "detach()"),
    ("numpy.asarray(x) * x", lambda x: np.asarray(x) * x, 1.0, "numpy.asarray()"),
    ("x.numpy()**2", lambda x: x.numpy() ** 2, 1.0, "numpy()"),
    ("numpy.add.reduce", lambda x: np.add.reduce(x), X2, "numpy.add.reduce"),
    ("numpy.sin(out=)", lambda x: np.sin(x, out=np.empty(2)).sum(), X2, "numpy.sin"),
    ("numpy.unwrap", lambda x: np.unwrap(x).sum(), X2, "numpy.unwrap"),
    ("numpy.interp", lambda x: np.interp(0.3, x, [0.0, 1.0]), X2, "numpy.interp"),
    ("Tensor(requires_grad)", lambda x: gg.Tensor([x], requires_grad=True).sum(), 1.0, "leaf"),
]


def test_write_into_a_numpy_array_raises():
    def f(x):
        y = np.zeros(2)
        y[0] = x  # NumPy reports our GradError as the cause of its own ValueError
        return gg.Tensor(y).sum()

    with pytest.raises(ValueError) as info:
        gg.grad(f)(1.0)
    assert isinstance(info.value.__cause__, gg.GradError)


def _central(f, x, h=1e-6):
    """Central finite differences of scalar ``f`` at ``x`` (float64), on untraced inputs."""
    x = np.asarray(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (float(f(gg.Tensor(x + e))) - float(f(gg.Tensor(x - e)))) / (2 * h)
    return g


@pytest.mark.parametrize("f, x0", [c[1:] for c in GRADS], ids=[c[0] for c in GRADS])
def test_traced_value_stays_differentiable(f, x0):
    g = gg.grad(f)(x0)
    expected = _central(f, x0)
    assert np.abs(expected).max() > 1e-3  # the case really has a gradient to lose
    np.testing.assert_allclose(g.numpy(), expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("f, x0, fragment", [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_leaving_the_graph_raises_a_clear_error(f, x0, fragment):
    with pytest.raises(gg.GradError) as info:
        gg.grad(f)(x0)
    message = str(info.value)
    assert fragment in message and ("detach()" in message or "leaf" in message)


# NumPy names that glassgrad may or may not define: a rule gives the right gradient, no rule
# raises. Either way never a silent zero or a partial gradient.
MISSING = [
    ("numpy.diff", lambda x: (np.diff(x**2) ** 2).sum(), np.array([0.3, 1.1, -0.4])),
    ("numpy.cross", lambda x: np.cross(x, [1.0, 2.0, 0.5]).sum() ** 2, np.array([0.3, 1.1, -0.4])),
    ("numpy.atleast_2d", lambda x: (np.atleast_2d(x) ** 2).sum(), np.array([0.3, 1.1])),
    ("numpy.partition", lambda x: np.partition(x, 1)[1] * x[0], np.array([0.3, 1.1, -0.4])),
    ("numpy.rot90", lambda x: (np.rot90(np.outer(x, x))[0] * x).sum(), np.array([0.3, 1.1])),
    ("numpy.cumsum", lambda x: (np.cumsum(x) ** 2).sum(), np.array([0.3, 1.1, -0.4])),
]


@pytest.mark.parametrize("f, x0", [c[1:] for c in MISSING], ids=[c[0] for c in MISSING])
def test_numpy_names_give_the_gradient_or_raise(f, x0):
    try:
        g = gg.grad(f)(x0)
    except gg.GradError as e:
        assert "no differentiable glassgrad version" in str(e)
        return
    np.testing.assert_allclose(g.numpy(), _central(f, x0), rtol=1e-6, atol=1e-7)


def test_pytorch_path_allows_logging_but_not_arrays():
    x = gg.Tensor([0.5, -2.0], requires_grad=True)
    loss = (np.sin(x) * x).sum()  # NumPy's sin dispatches to the differentiable op
    assert isinstance(float(loss), float) and loss.item() == float(loss)
    assert f"{loss:.3f}" == format(float(loss), ".3f")
    with pytest.raises(gg.GradError, match="detach"):
        x.numpy()
    with pytest.raises(gg.GradError, match="detach"):
        np.asarray(loss)
    y = gnp.zeros(3)
    y[1:] = x * 2.0  # the write joins the graph
    (loss + y.sum()).backward()
    v = x.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), np.sin(v) + v * np.cos(v) + 2.0, rtol=1e-14)
    with gg.no_grad():
        np.testing.assert_array_equal(np.asarray(x), v)  # nothing is recorded under no_grad


def test_in_place_write_into_a_leaf_that_requires_grad_raises():
    w = gg.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(gg.GradError, match="leaf"):
        w[0] = 3.0


def test_write_after_a_recorded_read_raises_instead_of_a_stale_gradient():
    def f(x):
        y = gnp.ones(2)
        z = (x * y).sum()  # the gradient of z needs y as it was here
        y[0] = 5.0
        return z

    with pytest.raises(gg.GradError, match="written in place afterwards"):
        gg.grad(f)(1.0)


def test_write_with_repeated_indices_raises():
    def f(x):
        y = gnp.zeros(3)
        y[[0, 0]] = x
        return y.sum()

    with pytest.raises(gg.GradError, match="repeated"):
        gg.grad(f)(1.0)


def test_write_of_a_traced_value_into_an_integer_tensor_raises():
    def f(x):
        y = gnp.zeros(2, dtype=int)
        y[0] = x
        return y.sum()

    with pytest.raises(gg.GradError, match="dtype"):
        gg.grad(f)(1.0)


def test_independent_output_warns_like_hips_autograd():
    with pytest.warns(UserWarning, match="Output seems independent of input"):
        g = gg.grad(lambda x: gg.Tensor(3.0))(1.0)
    assert float(g) == 0.0


def test_untraced_tensors_give_numpy_results_for_functions_without_a_rule():
    t = gg.Tensor([3.0, 1.0, 2.0])
    out = np.partition(t, 1) if not hasattr(gnp, "partition") else np.median(t)
    assert isinstance(out, (np.ndarray, np.floating))
    assert np.median(t) == 2.0 and np.percentile(t, 50) == 2.0


def test_scipy_optimize_accepts_glassgrad_gradients():
    optimize = pytest.importorskip("scipy.optimize")

    def rosen(p):
        return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2

    res = optimize.minimize(rosen, np.array([-1.2, 1.0]), jac=gg.grad(rosen), method="BFGS")
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-5)
    root = optimize.newton(lambda x: gnp.cos(x) - x, 1.0, fprime=gg.grad(lambda x: gnp.cos(x) - x))
    np.testing.assert_allclose(root, 0.7390851332151607, rtol=1e-12)


def test_results_behave_like_numbers():
    g1, g2 = gg.grad(lambda x: x**2)(1.5), gg.grad(lambda x: gnp.sin(x))(0.0)
    np.testing.assert_array_equal(np.asarray((g1, g2)), [3.0, 1.0])
    assert type(np.asarray(g1)) is np.ndarray and np.asarray(g1).shape == ()
    assert format(g1, ".3f") == "3.000" and f"{g2:.1f}" == "1.0" and round(g1) == 3
    assert round(gg.Tensor(2.345), 1) == 2.3
    assert [10, 20, 30][gg.Tensor(np.int64(2))] == 30
    with pytest.raises(TypeError):
        [1, 2][gg.Tensor(1.0)]


def test_matplotlib_accepts_tensors():
    plt = pytest.importorskip("matplotlib.pyplot")
    xs = gnp.linspace(0.0, 1.0, 5)
    ys = gg.vmap(gg.grad(lambda x: x**2))(xs) if hasattr(gg, "vmap") else 2 * xs
    fig, ax = plt.subplots()
    (line,) = ax.plot(xs, ys)
    ax.set_title(f"slope {ys[-1]:.1f}")
    np.testing.assert_allclose(line.get_ydata(), 2 * np.linspace(0.0, 1.0, 5))
    plt.close(fig)
