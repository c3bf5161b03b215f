"""The "your turn" exercises at the end of each lab, and :func:`check` for answers.

Each exercise computes its own answer with glassgrad (a derivative by ``grad``, a
Hessian by ``hessian``, an optimizer run), so the check does not depend on a lab's output.
"""

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Exercise", "EXERCISES", "check", "exercises"]


@dataclass
class Exercise:
    """A question, a function computing the answer, a hint, and a tolerance."""

    question: str
    solve: object
    hint: str
    tol: float = 1e-6


def _gg():
    import glassgrad

    return glassgrad


def _cube_slope():
    return _gg().grad(lambda x: x**3)(2.0)


def _partials():
    gg = _gg()
    return gg.grad(lambda x, y: 3 * x**2 + 2 * x * y, argnums=(0, 1))(1.0, 2.0)


def _chain():
    gg = _gg()
    return gg.grad(lambda x: x * 0.9 * 0.5 * 0.5)(1.0)


def _largest_stable_lr():
    # Gradient descent on a quadratic is stable while lr < 2 / (largest curvature).
    gg = _gg()
    h = gg.hessian(lambda p: p[0] ** 2 + 3 * p[1] ** 2)(np.zeros(2))
    return 2.0 / np.linalg.eigvalsh(h.data).max()


def _gd_steps(optimizer, steps, **hyper):
    gg = _gg()
    x = gg.Tensor(1.0, requires_grad=True)
    opt = getattr(gg.optim, optimizer)([x], **hyper)
    for _ in range(steps):
        opt.zero_grad()
        (x**2).backward()
        opt.step()
    return x.item()


def _saddle_kind():
    gg = _gg()
    return gg.analysis.classify_critical_point(lambda p: p[0] ** 2 - p[1] ** 2, [0.0, 0.0])["kind"]


def _hessian_eigs():
    gg = _gg()
    h = gg.hessian(lambda p: p[0] ** 2 + p[0] * p[1] + p[1] ** 2)(np.zeros(2))
    return np.linalg.eigvalsh(h.data)


def _rank1_error():
    a = np.diag([3.0, 2.0, 1.0])
    u, s, vt = np.linalg.svd(a)
    return np.linalg.norm(a - s[0] * np.outer(u[:, 0], vt[0]))


def _sigmoid_slope():
    return _gg().grad(_gg().sigmoid)(0.0)


def _cross_entropy_09():
    gg = _gg()
    return -gg.log_softmax(gg.tensor(np.log([0.9, 0.1])))[0]


def _cosine():
    gg = _gg()
    a, b = gg.tensor([1.0, 0.0]), gg.tensor([1.0, 1.0])
    return gg.dot(a, b) / (gg.sqrt(gg.dot(a, a)) * gg.sqrt(gg.dot(b, b)))


def _bayes():
    prior, sens, false_pos = 0.01, 0.99, 0.05
    evidence = sens * prior + false_pos * (1 - prior)
    return sens * prior / evidence


def _die_variance():
    x, p = np.arange(1, 7.0), np.full(6, 1 / 6)
    mean = np.sum(x * p)
    return np.sum(x**2 * p) - mean**2


EXERCISES = {
    "1.4.1": {
        "ex1": Exercise("f(x) = x³: what is f'(2)?", _cube_slope, "d/dx xⁿ = n·xⁿ⁻¹."),
        "ex2": Exercise(
            "f(x, y) = 3x² + 2xy: the gradient [∂f/∂x, ∂f/∂y] at (1, 2)?",
            _partials,
            "∂f/∂x = 6x + 2y and ∂f/∂y = 2x; hold the other variable fixed.",
        ),
        "ex3": Exercise(
            "A chain passes on 90%, 50% and 50%: what fraction reaches the end?",
            _chain,
            "The chain rule multiplies the local factors.",
        ),
    },
    "1.4.2": {
        "ex1": Exercise(
            "Gradient descent on f = x² + 3y²: the learning rate at which it stops converging?",
            _largest_stable_lr,
            "Stable while lr < 2 / (largest Hessian eigenvalue).",
        ),
        "ex2": Exercise(
            "SGD (lr=0.1) on f = x² from x = 1: x after 10 steps?",
            lambda: _gd_steps("SGD", 10, lr=0.1),
            "Each step multiplies x by (1 - 2·lr).",
        ),
        "ex3": Exercise(
            "Adam (lr=0.1) on f = x² from x = 1: x after one step?",
            lambda: _gd_steps("Adam", 1, lr=0.1),
            "Adam's first step has size lr whatever the gradient's scale.",
        ),
    },
    "1.4.3": {
        "ex1": Exercise(
            "f(x, y) = x² − y² at (0, 0): 'minimum', 'maximum' or 'saddle'?",
            _saddle_kind,
            "Look at the signs of the Hessian eigenvalues.",
        ),
        "ex2": Exercise(
            "The Hessian eigenvalues of x² + xy + y² (ascending)?",
            _hessian_eigs,
            "H = [[2, 1], [1, 2]]; solve (2 − λ)² − 1 = 0.",
        ),
        "ex3": Exercise(
            "How much sharper (curvature ratio) is 10x² than x²?",
            lambda: (
                _gg().grad(_gg().grad(lambda x: 10 * x**2))(0.0)
                / _gg().grad(_gg().grad(lambda x: x**2))(0.0)
            ),
            "Compare the second derivatives.",
        ),
    },
    "1.4.4": {
        "ex1": Exercise(
            "LoRA on a 4096×4096 layer with r = 8: how many trainable parameters?",
            lambda: 4096 * 8 + 8 * 4096,
            "B is d_out×r and A is r×d_in.",
        ),
        "ex2": Exercise(
            "Frobenius error of the best rank-1 approximation of diag(3, 2, 1)?",
            _rank1_error,
            "Eckart–Young: the square root of the sum of the dropped σᵢ².",
        ),
        "ex3": Exercise(
            "LoRA 1000×1000 at r = 16: what fraction of the parameters is saved?",
            lambda: 1 - (1000 * 16 + 16 * 1000) / (1000 * 1000),
            "1 − (d_out·r + r·d_in) / (d_out·d_in).",
        ),
    },
    "1.4.5": {
        "ex1": Exercise(
            "Cross-entropy when the true class gets probability 0.9?",
            _cross_entropy_09,
            "It is −log p(true class).",
        ),
        "ex2": Exercise(
            "The slope of the sigmoid at 0?", _sigmoid_slope, "σ'(x) = σ(x)(1 − σ(x))."
        ),
        "ex3": Exercise(
            "How many numbers in a 4D batch of 64 RGB images of 32×32?",
            lambda: math.prod((64, 3, 32, 32)),
            "Multiply the sizes of all four axes.",
        ),
    },
    "linear-algebra": {
        "ex1": Exercise(
            "[[1, 2], [3, 4]] @ [1, 1]?",
            lambda: _gg().tensor([[1.0, 2.0], [3.0, 4.0]]) @ _gg().tensor([1.0, 1.0]),
            "Each entry is a row dotted with the vector.",
        ),
        "ex2": Exercise("Cosine similarity of [1, 0] and [1, 1]?", _cosine, "x·y / (‖x‖ ‖y‖)."),
        "ex3": Exercise(
            "Eigenvalues of [[4, 1], [2, 3]] (ascending)?",
            lambda: np.sort(np.linalg.eigvals(np.array([[4.0, 1.0], [2.0, 3.0]])).real),
            "det(A − λI) = (4 − λ)(3 − λ) − 2 = 0.",
        ),
    },
    "probability": {
        "ex1": Exercise(
            "1% have the disease, the test catches 99% and false-alarms 5%: P(disease | +)?",
            _bayes,
            "P(+) = 0.99·0.01 + 0.05·0.99; then Bayes' rule.",
        ),
        "ex2": Exercise(
            "Variance of a Bernoulli(0.7) coin?", lambda: 0.7 * (1 - 0.7), "Var = p(1 − p)."
        ),
        "ex3": Exercise("Variance of a fair six-sided die?", _die_variance, "E[X²] − E[X]²."),
    },
}


def _num(x):
    if isinstance(x, (tuple, list)):
        return np.array([_num(v) for v in x])
    return np.asarray(getattr(x, "data", x), dtype=float)


def exercises(lab_id):
    """The exercises of a lab as ``{name: question}``.

    Example:
        >>> exercises("1.4.1")["ex1"]
        "f(x) = x³: what is f'(2)?"
    """
    if lab_id not in EXERCISES:
        raise KeyError(f"exercises: unknown lab {lab_id!r}; known: {', '.join(EXERCISES)}")
    return {k: e.question for k, e in EXERCISES[lab_id].items()}


def check(lab_id, exercise, answer):
    """Check an exercise answer; prints a hint and returns False when it is wrong.

    Example:
        >>> check("1.4.1", "ex1", 12)
        ✓ 1.4.1 ex1: correct
        True
    """
    exercises(lab_id)
    table = EXERCISES[lab_id]
    if exercise not in table:
        raise KeyError(f"check: lab {lab_id!r} has no exercise {exercise!r}; has {list(table)}")
    ex = table[exercise]
    want = ex.solve()
    if isinstance(want, str):
        ok = str(answer).strip().lower() == want
    else:
        want = _num(want)
        try:
            got = _num(answer)
            ok = got.shape == want.shape and bool(np.allclose(got, want, rtol=1e-4, atol=ex.tol))
        except (TypeError, ValueError):
            ok = False
    if ok:
        print(f"✓ {lab_id} {exercise}: correct")
    else:
        print(f"✗ {lab_id} {exercise}: not quite. Hint: {ex.hint}")
    return ok
