"""Grad mode, anomaly mode and transform state are per thread, as PyTorch's grad mode is."""

import threading

import numpy as np

import glassgrad as gg
import glassgrad.numpy as gnp

FUNCTIONS = [
    lambda x: (gnp.sin(x) * x).sum(),
    lambda x: gnp.linalg.norm(gnp.array([x[0], x[1] ** 2, 1.0])),
    lambda x: gnp.exp(-(x**2)).sum(),
    lambda x: gg.logsumexp(x * 3.0),
    lambda x: (gnp.tanh(x) ** 3).sum(),
    lambda x: gnp.dot(x, x) ** 0.5,
    lambda x: gg.nn.functional.softmax(x)[0],
    lambda x: gnp.prod(x + 2.0),
]
POINTS = [np.array([0.3 * i - 1.0, 0.7 - 0.2 * i]) for i in range(5)]
ROUNDS = 120  # per point and per mode: 8 threads x 5 points x 2 modes x 120 = 9,600 calls
TOGGLES = 400  # one more thread switching grad mode on and off: 10,000 calls in all


def _by_grad(f, x):
    return gg.grad(f)(x).numpy()


def _by_backward(f, x):
    t = gg.Tensor(x, requires_grad=True)
    f(t).backward()
    return t.grad.numpy()


def test_threads_give_the_sequential_results_exactly():
    expected = [[(_by_grad(f, x), _by_backward(f, x)) for x in POINTS] for f in FUNCTIONS]
    mismatches, errors = [], []
    start = threading.Barrier(len(FUNCTIONS) + 1)

    def worker(k):
        try:
            start.wait()
            for _ in range(ROUNDS):
                for i, x in enumerate(POINTS):
                    got = (_by_grad(FUNCTIONS[k], x), _by_backward(FUNCTIONS[k], x))
                    if not all(
                        np.array_equal(a, b) for a, b in zip(got, expected[k][i], strict=True)
                    ):
                        mismatches.append((k, i))
        except Exception as e:  # noqa: BLE001 - reported below with the thread's index
            errors.append((k, repr(e)))

    def toggler():
        start.wait()
        w = gg.Tensor([1.0], requires_grad=True)
        for n in range(TOGGLES):
            if n % 2:
                with gg.no_grad():
                    assert not gg.is_grad_enabled() and not (w * 2).requires_grad
            else:
                gg.set_grad_enabled(False)
                assert not (w * 2).requires_grad
                gg.set_grad_enabled(True)
                assert (w * 2).requires_grad

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(len(FUNCTIONS))]
    threads.append(threading.Thread(target=toggler))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and not mismatches, (errors, mismatches[:5])
    assert gg.is_grad_enabled()


def test_grad_mode_set_in_one_thread_does_not_leak_into_another():
    seen = {}

    def off():
        gg.set_grad_enabled(False)  # left off in this thread only
        seen["off"] = gg.is_grad_enabled()

    t = threading.Thread(target=off)
    t.start()
    t.join()
    assert seen["off"] is False and gg.is_grad_enabled()
    fresh = threading.Thread(target=lambda: seen.update(fresh=gg.is_grad_enabled()))
    fresh.start()
    fresh.join()
    assert seen["fresh"] is True


def test_set_grad_enabled_as_call_context_manager_and_decorator():
    x = gg.Tensor(1.0, requires_grad=True)
    gg.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        gg.set_grad_enabled(True)
    with gg.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad

    @gg.set_grad_enabled(False)
    def double(v):
        return v * 2

    assert gg.is_grad_enabled()  # decorating does not switch the mode
    assert not double(x).requires_grad and (x * 2).requires_grad
