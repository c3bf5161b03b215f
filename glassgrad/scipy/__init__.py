"""``glassgrad.scipy``: SciPy's names (special, stats, signal, linalg), differentiable.

Programs written against ``scipy.special``, ``scipy.stats``, ``scipy.signal`` and
``scipy.linalg`` run on glassgrad Tensors by changing the import; every function is built
from glassgrad's core ops and ``glassgrad.prob``'s special functions and distributions, so
gradients flow to any order through its array arguments:

    >>> import glassgrad as gg
    >>> from glassgrad.scipy.special import logsumexp
    >>> gg.grad(lambda x: logsumexp(x))(gg.Tensor([0.0, 0.0]))
    Tensor([0.5, 0.5])

A few values with no closed form in NumPy (``betainc``, ``stdtr``, ``i0``, ``i1``, and so the
t and beta CDFs) are computed by SciPy itself, imported when first called; their derivatives
are glassgrad's. Arguments without a derivative (the shape parameters of ``betainc`` and
``stdtr``, Poisson counts) raise ``GradError`` when traced instead of giving a silent zero.
"""

from glassgrad.scipy import linalg, misc, signal, special, stats

__all__ = ["linalg", "misc", "signal", "special", "stats"]
