"""``glassgrad.scipy.misc``: ``logsumexp`` at its old SciPy address (before SciPy 1.3).

Programs written for older SciPy and HIPS autograd import it from here.

    >>> from glassgrad.scipy.misc import logsumexp
    >>> round(float(logsumexp([0.0, 0.0])), 6)
    0.693147
"""

from glassgrad.scipy.special import logsumexp

__all__ = ["logsumexp"]
