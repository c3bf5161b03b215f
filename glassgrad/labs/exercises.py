"""The "your turn" exercises at the end of each lab, and :func:`check` for answers.

Each exercise computes its own answer with glassgrad (a derivative by ``grad``, a
Hessian by ``hessian``, an optimizer run), so the check does not depend on a lab's output.
"""

import functools
import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Exercise", "EXERCISES", "check", "exercises"]


@dataclass
class Exercise:
    """A question, a function computing the answer, a hint, a tolerance, a worked solution."""

    question: str
    solve: object
    hint: str
    tol: float = 1e-6
    solution: str = ""


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


# Worked solutions, shown folded under each exercise in the report: glassgrad code that
# computes the answer the way the lab teaches it (tests run each one through check).
_SOLUTIONS = {
    "1.4.1": {
        "ex1": "ex1 = gg.grad(lambda x: x**3)(2.0)  # 3·2² = 12",
        "ex2": "ex2 = gg.grad(lambda x, y: 3 * x**2 + 2 * x * y, argnums=(0, 1))(1.0, 2.0)\n"
        "# [6x + 2y, 2x] at (1, 2) = [10, 2]",
        "ex3": "ex3 = gg.grad(lambda x: x * 0.9 * 0.5 * 0.5)(1.0)  # 0.9 · 0.5 · 0.5 = 0.225",
    },
    "1.4.2": {
        "ex1": "H = gg.hessian(lambda p: p[0] ** 2 + 3 * p[1] ** 2)(np.zeros(2)).numpy()\n"
        "ex1 = 2 / np.linalg.eigvalsh(H).max()  # H = diag(2, 6): 2/6 = 1/3",
        "ex2": "ex2 = (1 - 2 * 0.1) ** 10  # each step multiplies x by 1 − 2·lr: 0.8¹⁰ ≈ 0.107",
        "ex3": "x = gg.Tensor(1.0, requires_grad=True)\nopt = gg.optim.Adam([x], lr=0.1)\n"
        "(x**2).backward()\nopt.step()\nex3 = x.item()  # the first step has size lr: 0.9",
    },
    "1.4.3": {
        "ex1": "f = lambda p: p[0] ** 2 - p[1] ** 2\n"
        "ex1 = gg.analysis.classify_critical_point(f, [0.0, 0.0])['kind']\n"
        "# Hessian eigenvalues 2 and −2: 'saddle'",
        "ex2": "f = lambda p: p[0] ** 2 + p[0] * p[1] + p[1] ** 2\n"
        "H = gg.hessian(f)(np.zeros(2)).numpy()\n"
        "ex2 = np.linalg.eigvalsh(H)  # [[2, 1], [1, 2]] has eigenvalues 1 and 3",
        "ex3": "second = lambda f: gg.grad(gg.grad(f))(0.0)\n"
        "ex3 = second(lambda x: 10 * x**2) / second(lambda x: x**2)  # 20 / 2 = 10",
    },
    "1.4.4": {
        "ex1": "ex1 = gg.nn.lora_param_count(4096, 4096, 8)  # 4096·8 + 8·4096 = 65,536",
        "ex2": "s = gg.linalg.svdvals(gg.tensor(np.diag([3.0, 2.0, 1.0]))).numpy()\n"
        "ex2 = np.sqrt(np.sum(s[1:] ** 2))  # √(2² + 1²) = √5",
        "ex3": "ex3 = 1 - (1000 * 16 + 16 * 1000) / (1000 * 1000)  # 0.968, a fraction (not 96.8)",
    },
    "1.4.5": {
        "ex1": "ex1 = -gg.log(gg.tensor(0.9))  # −log 0.9 ≈ 0.105",
        "ex2": "ex2 = gg.grad(gg.sigmoid)(0.0)  # σ(0)(1 − σ(0)) = 0.25",
        "ex3": "ex3 = 64 * 3 * 32 * 32  # 196,608",
    },
    "linear-algebra": {
        "ex1": "ex1 = gg.tensor([[1.0, 2.0], [3.0, 4.0]]) @ gg.tensor([1.0, 1.0])  # [3, 7]",
        "ex2": "ex2 = gg.linalg.cosine_similarity(gg.tensor([1.0, 0.0]), gg.tensor([1.0, 1.0]))\n"
        "# 1 / (1 · √2) ≈ 0.707",
        "ex3": "ex3 = np.sort(gg.linalg.eig(gg.tensor([[4.0, 1.0], [2.0, 3.0]]))[0].numpy().real)\n"
        "# λ² − 7λ + 10 = 0: [2, 5], ascending",
    },
    "probability": {
        "ex1": "ex1 = gg.prob.bayes_rule(0.01, 0.99, 0.05).posterior  # 0.0099 / 0.0594 ≈ 0.167",
        "ex2": "ex2 = gg.prob.Bernoulli(probs=0.7).variance  # p(1 − p) = 0.21",
        "ex3": "ex3 = gg.prob.variance(np.arange(1.0, 7.0), np.full(6, 1 / 6))  # 35/12",
    },
}
for _lab, _table in _SOLUTIONS.items():
    for _name, _code in _table.items():
        EXERCISES[_lab][_name].solution = _code


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


def _close(got, want, tol, rtol=1e-4):
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=rtol, atol=tol))


def _why(got, want, tol):
    """Why a numeric answer is wrong, when a common slip explains it (to 0.5%, as rounded)."""
    close = functools.partial(_close, tol=tol, rtol=5e-3)
    if got.size != want.size:
        return f"expected {want.size} number(s), got {got.size}"
    got = got.reshape(want.shape)
    if want.ndim and close(np.sort(got, axis=None), np.sort(want, axis=None)):
        return "the right numbers in the wrong order (sort them ascending)"
    if close(got, -want) and np.any(want != 0):
        return "the sign is flipped"
    if close(got / 100, want):
        return "that looks like a percent; give a fraction (0.25, not 25)"
    if close(got * 100, want):
        return "that looks like a fraction of 100; give the number itself, not /100"
    if close(got, want * 180 / np.pi) or close(got, want * np.pi / 180):
        return "the units differ: radians versus degrees"
    if want.size == 1 and close(1 - got, want):
        return "that is 1 minus the answer (the part kept rather than the part saved?)"
    if want.size > 1 and np.all(want != 0) and close(got * want.ravel()[0] / got.ravel()[0], want):
        ratio = got.ravel()[0] / want.ravel()[0]
        return f"every entry is off by the same factor {ratio:.3g} (a missing coefficient?)"
    return ""


def check(lab_id, exercise, answer):
    """Check an exercise answer; a wrong one prints why (when a common slip explains it).

    ``answer`` left as ``...`` (the blank in the lab) prints a reminder and returns None.

    Example:
        >>> check("1.4.1", "ex1", 12)
        ✓ 1.4.1 ex1: correct
        True
        >>> check("1.4.4", "ex3", 96.8)  # doctest: +ELLIPSIS
        ✗ 1.4.4 ex3: not quite: that looks like a percent; give a fraction (0.25, not 25). ...
        False
    """
    exercises(lab_id)
    table = EXERCISES[lab_id]
    if exercise not in table:
        raise KeyError(f"check: lab {lab_id!r} has no exercise {exercise!r}; has {list(table)}")
    ex = table[exercise]
    if answer is Ellipsis:
        print(f"… {lab_id} {exercise}: not answered yet; replace ... with your answer")
        return None
    want, why = ex.solve(), ""
    if isinstance(want, str):
        ok = str(answer).strip().lower() == want
    else:
        want = _num(want)
        try:
            got = _num(answer)
            ok = _close(got, want, ex.tol)
            why = "" if ok else _why(got, want, ex.tol)
        except (TypeError, ValueError):
            ok, why = False, f"expected a number, got {type(answer).__name__}"
    if ok:
        print(f"✓ {lab_id} {exercise}: correct")
    else:
        print(f"✗ {lab_id} {exercise}: not quite{': ' + why if why else ''}. Hint: {ex.hint}")
    return ok
