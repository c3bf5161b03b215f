"""glassgrad.scipy against SciPy: one spec table, one row per function and argument pattern.

Each row names the function by its path (``special.gammaln``), found both in glassgrad.scipy
and in scipy, and gives its arguments and which of them are differentiated. Every row checks
(1) the value against SciPy to 1e-12, (2) the derivative along random directions against
central differences of SciPy's own function (so a gradient that reads something SciPy does not
read, or misses something it does, fails), and (3) check_grads to order 2 in both modes.
"""

import importlib

import numpy as np
import pytest

import glassgrad as gg
import glassgrad.scipy as gsp
from glassgrad.core.errors import GradError
from glassgrad.testing import assert_close, check_grads

scipy = pytest.importorskip("scipy")
for _m in ("special", "stats", "signal", "linalg"):
    importlib.import_module(f"scipy.{_m}")

R = np.random.default_rng(20261203)


def pos(*shape, lo=0.5, hi=3.0):
    return R.uniform(lo, hi, shape)


def unit(*shape):
    return R.uniform(0.1, 0.9, shape)


def nrm(*shape):
    return R.standard_normal(shape)


def spd(n):
    a = nrm(n, n)
    return a @ a.T + n * np.eye(n)


def row(path, *args, diff=None, kw=None, order=2, rtol=1e-12):
    """A spec row; ``diff`` lists the differentiated argument positions (default: all)."""
    diff = tuple(range(len(args))) if diff is None else diff
    return pytest.param(path, args, diff, kw or {}, order, rtol, id=f"{path}-{len(ROWS)}")


def _lookup(root, path):
    for part in path.split("."):
        root = getattr(root, part)
    return root


ROWS = []
for r in [
    # special
    row("special.gammaln", pos(3)),
    row("special.gammaln", np.array([-2.5, -0.5, 0.3])),
    row("special.digamma", pos(2, 3)),
    row("special.psi", pos(3)),
    row("special.gamma", np.array([0.7, 2.5, 4.0, -0.5, -1.5])),
    row("special.rgamma", np.array([0.7, 2.5, -0.5])),
    row("special.erf", nrm(4)),
    row("special.erfc", np.array([-1.0, 0.5, 3.0, 6.0])),
    row("special.erfinv", np.array([-0.9, -0.2, 0.3, 0.99])),
    row("special.erfcinv", np.array([0.05, 0.7, 1.2, 1.9])),
    row("special.ndtr", np.array([-7.0, -1.0, 0.5, 3.0])),
    row("special.ndtri", unit(4)),
    row("special.log_ndtr", np.array([-45.0, -21.0, -19.0, -3.0, 0.0, 4.0])),
    row("special.expit", nrm(2, 3)),
    row("special.logit", unit(4)),
    row("special.log_expit", np.array([-30.0, -1.0, 0.5, 40.0])),
    row("special.beta", pos(3), pos(3)),
    row("special.betaln", pos(2, 2), pos(2)),
    row("special.polygamma", 2, pos(3), diff=(1,)),
    row("special.multigammaln", pos(3, lo=2.0, hi=4.0), 3, diff=(0,)),
    row("special.betainc", pos(3), pos(3), unit(3), diff=(2,)),
    row("special.stdtr", pos(3), nrm(3), diff=(1,)),
    row("special.gammainc", pos(3), pos(3)),
    row("special.gammaincc", pos(3), pos(3)),
    row("special.xlogy", pos(3), pos(3)),
    row("special.xlog1py", pos(3), unit(3)),
    row("special.i0", np.array([-2.0, 0.0, 0.7, 3.0])),
    row("special.i1", np.array([-2.0, 0.0, 0.7, 3.0])),
    row("special.logsumexp", nrm(2, 3)),
    row("special.logsumexp", nrm(2, 3), kw={"axis": 1, "keepdims": True}),
    row("special.logsumexp", nrm(2, 3), kw={"axis": 0, "b": pos(2, 3)}),
    row("special.logsumexp", nrm(3), kw={"b": np.array([1.0, -0.2, 0.5])}),
    row("special.softmax", nrm(2, 3)),
    row("special.softmax", nrm(2, 3), kw={"axis": 1}),
    row("special.log_softmax", nrm(2, 3), kw={"axis": 0}),
    # stats
    row("stats.norm.logpdf", nrm(4), nrm(4), pos(4)),
    row("stats.norm.pdf", nrm(2, 3), 0.3, pos(3)),
    row("stats.norm.cdf", nrm(4), nrm(4), pos(4)),
    row("stats.norm.logcdf", np.array([-50.0, -3.0, 0.0, 2.0]), 0.2, 1.5),
    row("stats.norm.sf", nrm(4), nrm(4), pos(4)),
    row("stats.norm.logsf", np.array([-2.0, 0.0, 30.0]), 0.1, 1.2),
    row("stats.norm.ppf", unit(4), nrm(4), pos(4)),
    row("stats.norm.isf", unit(4), nrm(4), pos(4)),
    row("stats.t.logpdf", nrm(4), pos(4), nrm(4), pos(4)),
    row("stats.t.pdf", nrm(4), pos(4), 0.5, 2.0),
    row("stats.t.cdf", nrm(4), pos(4), nrm(4), pos(4), diff=(0, 2, 3)),
    row("stats.t.logcdf", nrm(4), pos(4), diff=(0,)),
    row("stats.t.sf", nrm(4), pos(4), diff=(0,)),
    row("stats.gamma.logpdf", pos(4), pos(4)),
    row("stats.gamma.logpdf", pos(4) + 1.0, pos(4), 0.5, pos(4)),
    row("stats.gamma.pdf", pos(4), pos(4), 0.0, pos(4)),
    row("stats.gamma.cdf", pos(4), pos(4), 0.1, pos(4)),
    row("stats.chi2.logpdf", pos(4), pos(4)),
    row("stats.chi2.pdf", pos(4), pos(4)),
    row("stats.chi2.cdf", pos(4), pos(4)),
    row("stats.beta.logpdf", unit(4), pos(4), pos(4)),
    row("stats.beta.pdf", unit(4) * 2.0, pos(4), pos(4), 0.0, 2.0),
    row("stats.beta.cdf", unit(4), pos(4), pos(4), diff=(0,)),
    row("stats.poisson.logpmf", np.array([0.0, 1.0, 3.0, 7.0]), pos(4), diff=(1,)),
    row("stats.poisson.pmf", np.array([0.0, 2.0, 5.0]), pos(3), diff=(1,)),
    row("stats.poisson.cdf", np.array([0.0, 2.0, 5.5]), pos(3), diff=(1,)),
    row("stats.poisson.logcdf", np.array([0.0, 2.0, 5.0]), pos(3), diff=(1,)),
    row("stats.poisson.sf", np.array([0.0, 2.0, 5.0]), pos(3), diff=(1,)),
    # SciPy rejects x off the simplex, so full-K rows differentiate alpha only
    row("stats.dirichlet.logpdf", np.array([0.2, 0.3, 0.5]), pos(3), diff=(1,)),
    row("stats.dirichlet.logpdf", np.array([[0.2, 0.1], [0.3, 0.6]]), pos(3)),
    row("stats.dirichlet.pdf", np.array([[0.2, 0.1], [0.3, 0.6], [0.5, 0.3]]), pos(3), diff=(1,)),
    row("stats.dirichlet.pdf", np.array([0.2, 0.3]), pos(3)),
    row("stats.multivariate_normal.logpdf", nrm(3), nrm(3), spd(3)),
    row("stats.multivariate_normal.logpdf", nrm(5, 3), nrm(3), spd(3)),
    row("stats.multivariate_normal.logpdf", nrm(4), 0.5, 2.0),  # four 1-D points
    row("stats.multivariate_normal.pdf", nrm(2), nrm(2), spd(2)),
    row("stats.multivariate_normal.pdf", nrm(2), nrm(2), pos(2)),  # diagonal covariance
    row("stats.multivariate_normal.entropy", nrm(3), spd(3)),
    # signal and linalg
    row("signal.convolve", nrm(5), nrm(3)),
    row("signal.convolve", nrm(3, 4), nrm(2, 2), kw={"mode": "valid"}),
    row("signal.convolve", nrm(2, 3, 2), nrm(2, 2, 2), kw={"mode": "same"}),
    row("signal.convolve", nrm(2), nrm(4), kw={"mode": "same"}),
    row("signal.correlate", nrm(4), nrm(3), kw={"mode": "valid"}),
    row("linalg.solve_triangular", nrm(3, 3) + 3 * np.eye(3), nrm(3), kw={"lower": True}),
    row("linalg.solve_triangular", nrm(3, 3) + 3 * np.eye(3), nrm(3, 2), kw={"trans": "T"}),
    row("linalg.solve_triangular", nrm(3, 3), nrm(3), kw={"unit_diagonal": True}),
    row("linalg.cholesky", spd(3)),
    row("linalg.cholesky", spd(3), kw={"lower": True}),
    row("linalg.eigh", spd(3) + np.triu(nrm(3, 3), 1), kw={"eigvals_only": True}),
    row("linalg.eigh", spd(3), kw={"eigvals_only": True, "lower": False}),
    row("linalg.solve", nrm(3, 3) + 3 * np.eye(3), nrm(3)),
]:
    ROWS.append(r)


def _split(path, args, diff, kw):
    ours, theirs = _lookup(gsp, path), _lookup(scipy, path)
    const = {i: a for i, a in enumerate(args) if i not in diff}

    def call(fn, *xs):
        it = iter(xs)
        full = [const[i] if i in const else next(it) for i in range(len(args))]
        return fn(*full, **kw)

    return ours, theirs, [args[i] for i in diff], call


@pytest.mark.parametrize(("path", "args", "diff", "kw", "order", "rtol"), ROWS)
def test_value_matches_scipy(path, args, diff, kw, order, rtol):
    ours, theirs, _, _ = _split(path, args, diff, kw)
    assert_close(ours(*args, **kw), np.asarray(theirs(*args, **kw)), rtol=rtol, atol=1e-13)


@pytest.mark.parametrize(("path", "args", "diff", "kw", "order", "rtol"), ROWS)
def test_derivative_matches_scipy_differences(path, args, diff, kw, order, rtol):
    ours, theirs, xs, call = _split(path, args, diff, kw)
    rng = np.random.default_rng(1)
    for _ in range(2):
        ts = [rng.standard_normal(np.shape(x)) for x in xs]
        _, tangent = gg.jvp(lambda *a: call(ours, *a), tuple(xs), tuple(ts))
        h = 1e-6
        up = call(theirs, *[x + h * t for x, t in zip(xs, ts, strict=True)])
        down = call(theirs, *[x - h * t for x, t in zip(xs, ts, strict=True)])
        expected = np.ravel((np.asarray(up) - np.asarray(down)) / (2 * h))
        assert_close(np.ravel(tangent.numpy()), expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(("path", "args", "diff", "kw", "order", "rtol"), ROWS)
def test_check_grads(path, args, diff, kw, order, rtol):
    _, _, xs, call = _split(path, args, diff, kw)
    check_grads(lambda *a: call(_lookup(gsp, path), *a), xs, order=order, modes=("fwd", "rev"))


@pytest.mark.parametrize(
    ("path", "args", "wrt"),
    [
        ("stats.gamma.logpdf", (np.array([-1.0, 0.0, 2.0]), 2.0), 1),
        ("stats.gamma.pdf", (np.array([-1.0, 2.0]), 2.0, 0.5, 2.0), 3),
        ("stats.gamma.cdf", (np.array([-1.0, 0.0, 2.0]), 2.0), 1),
        ("stats.beta.logpdf", (np.array([-0.5, 0.3, 1.2]), 2.0, 3.0), 2),
        ("stats.beta.cdf", (np.array([-0.5, 0.3, 1.2]), 2.0, 3.0), 0),
        ("stats.poisson.logpmf", (np.array([-1.0, 1.5, 2.0]), 3.0), 1),
        ("stats.poisson.pmf", (np.array([-1.0, 1.5, 2.0]), 3.0), 1),
        ("stats.poisson.cdf", (np.array([-1.0, 1.5, 2.0]), 3.0), 1),
    ],
)
def test_outside_the_support_as_scipy(path, args, wrt):
    # SciPy's convention: logpdf -inf and pdf 0 outside the support, CDFs clipped to [0, 1];
    # the gradient of the finite entries stays finite.
    ours, theirs = _lookup(gsp, path), _lookup(scipy, path)
    ref = np.asarray(theirs(*args))
    assert_close(ours(*args), ref, rtol=1e-12, atol=1e-300)
    finite = np.isfinite(ref)

    def total(v):
        full = list(args)
        full[wrt] = v
        return gg.sum(ours(*full)[finite])

    assert np.all(np.isfinite(gg.grad(total)(np.asarray(args[wrt], dtype=float)).numpy()))


def test_arguments_without_a_derivative_raise():
    x = gg.Tensor(2.0)
    with pytest.raises(GradError, match="betainc: no derivative with respect to a"):
        gg.grad(lambda a: gsp.special.betainc(a, 2.0, 0.3))(x)
    with pytest.raises(GradError, match="stdtr: no derivative with respect to df"):
        gg.grad(lambda df: gsp.stats.t.cdf(0.5, df))(x)
    with pytest.raises(GradError, match="poisson.logpmf: k is a count"):
        gg.grad(lambda k: gsp.stats.poisson.logpmf(k, 3.0))(x)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="scale must be positive"):
        gsp.stats.t.logpdf(0.0, 3.0, scale=-1.0)
    with pytest.raises(ValueError, match="Normal: scale must be positive"):
        gsp.stats.norm.logpdf(0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="mode must be 'full', 'valid' or 'same'"):
        gsp.signal.convolve([1.0], [1.0], mode="circular")
    with pytest.raises(ValueError, match="one input at least as large"):
        gsp.signal.convolve(np.ones((2, 3)), np.ones((3, 2)), mode="valid")
    with pytest.raises(ValueError, match="d must be a positive int"):
        gsp.special.multigammaln(3.0, 0)
    with pytest.raises(ValueError, match="dirichlet.logpdf: expected alpha of shape"):
        gsp.stats.dirichlet.logpdf(np.ones(5) / 5, np.ones(3))
    with pytest.raises(ValueError, match="dirichlet.logpdf: x must lie on the simplex"):
        gsp.stats.dirichlet.logpdf([0.2, 0.3, 0.6], np.ones(3))


def test_multivariate_normal_reads_the_lower_triangle_of_cov():
    cov = spd(3)
    x, mean = nrm(3), nrm(3)
    g = gg.grad(lambda c: gsp.stats.multivariate_normal.logpdf(x, mean, c))(cov).numpy()
    assert np.all(g[np.triu_indices(3, 1)] == 0.0)
    skewed = cov + np.triu(nrm(3, 3), 1)  # SciPy ignores the upper triangle; so do we
    ref = scipy.stats.multivariate_normal.logpdf(x, mean, skewed)
    assert_close(gsp.stats.multivariate_normal.logpdf(x, mean, skewed), ref, rtol=1e-12)


def test_logsumexp_return_sign_and_all_minus_inf():
    a, b = np.array([0.0, 1.0, 2.0]), np.array([1.0, -3.0, 0.5])
    out, sgn = gsp.special.logsumexp(a, b=b, return_sign=True)
    ref, ref_sgn = scipy.special.logsumexp(a, b=b, return_sign=True)
    assert_close(out, ref, rtol=1e-12) and assert_close(sgn, ref_sgn)
    assert np.isnan(gsp.special.logsumexp(a, b=b).numpy())
    minus_inf = np.full(2, -np.inf)
    assert gsp.special.logsumexp(minus_inf, b=np.ones(2)).numpy() == -np.inf


NESTED = {
    "numpy.linalg.norm": lambda x: gg.numpy.linalg.norm([x, x + 2.0]),
    "numpy.linalg.eigh": lambda x: gg.numpy.linalg.eigh([[x, 1.0], [1.0, 2 * x]])[0][0],
    "special.logsumexp": lambda x: gsp.special.logsumexp([x, 2 * x]),
    "special.gammaln": lambda x: gg.sum(gsp.special.gammaln([x, x + 1])),
    "special.betainc": lambda x: gg.sum(gsp.special.betainc(2.0, 3.0, [x / 4, x / 3])),
    "stats.norm.logpdf": lambda x: gg.sum(gsp.stats.norm.logpdf([x, 1.0], [0.0, x], x)),
    "stats.dirichlet.logpdf": lambda x: gsp.stats.dirichlet.logpdf([0.2, 0.3, 0.5], [x, 2, x]),
    "stats.multivariate_normal.logpdf": lambda x: gsp.stats.multivariate_normal.logpdf(
        [x, 0.5], [0.0, x], [[1.0, 0.2], [0.2, x]]
    ),
    "signal.convolve": lambda x: gg.sum(gsp.signal.convolve([x, 1.0, x * x], [1.0, x])),
}


@pytest.mark.parametrize("name", sorted(NESTED))
def test_nested_lists_of_traced_values(name):
    import glassgrad.numpy  # noqa: F401  (gg.numpy)

    f, x, h = NESTED[name], 1.3, 1e-6
    fd = (float(f(x + h)) - float(f(x - h))) / (2 * h)
    assert_close(gg.grad(f)(x), fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("mode", ["valid", "full"])
@pytest.mark.parametrize("swap", [False, True])
def test_convolve_with_autograd_axes_and_dot_axes(mode, swap):
    # HIPS autograd's convolutional layer: images (N, C, H, W) with filters (C, F, h, w),
    # summed over channels; the oracle is scipy.signal.convolve on each (image, filter) pair.
    x, w = nrm(2, 3, 5, 4), nrm(3, 2, 3, 2)
    ref = np.zeros((2, 2) + ((3, 3) if mode == "valid" else (7, 5)))
    for n in range(2):
        for f in range(2):
            ref[n, f] = sum(scipy.signal.convolve(x[n, c], w[c, f], mode=mode) for c in range(3))
    if swap:  # filters first: in1's kept axis (F) comes first in the result
        conv = lambda a, b: gsp.signal.convolve(
            b, a, axes=([2, 3], [2, 3]), dot_axes=([0], [1]), mode=mode
        )
        ref = np.swapaxes(ref, 0, 1)
    else:
        conv = lambda a, b: gsp.signal.convolve(
            a, b, axes=([2, 3], [2, 3]), dot_axes=([1], [0]), mode=mode
        )
    assert_close(conv(x, w), ref, rtol=1e-12, atol=1e-12)
    check_grads(conv, (x[:1, :2, :4, :3], w[:2, :1, :2, :2]), order=2, modes=("fwd", "rev"))


def test_every_public_function_has_a_spec_row():
    covered = {p.values[0] for p in ROWS}
    exempt = {
        "special.gammasgn",  # piecewise constant: values only (test_value via gamma/rgamma)
        "linalg.det",  # the core's det and inv, re-exported and tested there
        "linalg.inv",
        "linalg.mirror_triangle",  # used by cholesky, eigh and multivariate_normal rows
    }
    public = [
        f"{name}.{fn}"
        for name in ("special", "signal", "linalg")
        for fn in _lookup(gsp, name).__all__
    ] + [
        f"stats.{dist}.{fn}"
        for dist in gsp.stats.__all__
        for fn in _lookup(gsp.stats, dist).__all__
    ]
    missing = [p for p in public if p not in covered and p not in exempt]
    assert not missing, f"glassgrad.scipy functions without a spec row: {missing}"
