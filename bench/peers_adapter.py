"""glassgrad as a peer in ../shared/bench/peers.py.

Run from the project root:
    .venv/bin/python ../shared/bench/peers.py --quick --peers numpy,torch,glassgrad \
        --adapter-file bench/peers_adapter.py
"""

import math

import numpy as np
from peers import B1, B2, EPS, Adapter, run_chain


class GlassgradAdapter(Adapter):
    name = "glassgrad"
    label = "glassgrad"

    def setup(self):
        import glassgrad

        self.gg = glassgrad
        return {"glassgrad": glassgrad.__version__, "numpy": np.__version__}

    def to_numpy(self, out):
        if isinstance(out, (list, tuple)):
            return type(out)(self.to_numpy(o) for o in out)
        return np.asarray(out.data if isinstance(out, self.gg.Tensor) else out)

    def mlp_train(self, case, data):
        gg = self.gg
        params = [gg.Tensor(w.copy(), requires_grad=True) for w in data["weights"]]
        params += [gg.Tensor(b.copy(), requires_grad=True) for b in data["biases"]]
        n_layers = len(data["weights"])
        Xs = [gg.Tensor(x) for x in data["X"]]
        Ys = data["Y"]
        moments = [(np.zeros_like(p.data), np.zeros_like(p.data)) for p in params]
        state = {"i": 0, "t": 0}

        def loss_of(x, y):
            h = x
            for k in range(n_layers):
                h = h @ params[k] + params[n_layers + k]
                if k < n_layers - 1:
                    h = gg.relu(h)
            logp = gg.log_softmax(h, axis=1)
            return -logp[np.arange(len(y)), y].mean()

        def step():
            i = state["i"]
            state["i"] += 1
            loss = loss_of(Xs[i % len(Xs)], Ys[i % len(Ys)])
            grads = gg.autograd.grad(loss, params)
            state["t"] += 1
            t, lr = state["t"], data["lr"]
            for p, g, (m, v) in zip(params, grads, moments, strict=True):
                # PyTorch's Adam: m, v moving averages; bias-corrected step
                g = g.data
                m *= B1
                m += (1 - B1) * g
                v *= B2
                v += (1 - B2) * g * g
                denom = np.sqrt(v) / math.sqrt(1 - B2**t) + EPS
                p.data = p.data - (lr / (1 - B1**t)) * m / denom
            return float(loss)

        return {"raw tensors + Adam formula": step}

    def op_overhead(self, case, data):
        gg = self.gg
        x = gg.Tensor(data["x"], requires_grad=True)
        y = gg.Tensor(data["y"], requires_grad=True)
        ops = data["ops"]

        def f():
            s = run_chain(x, y, ops, gg.tanh, gg.exp).sum()
            gx, gy = gg.autograd.grad(s, (x, y))
            return s.detach(), gx, gy

        return {"eager": f}

    def big_elementwise(self, case, data):
        gg = self.gg
        x = gg.Tensor(data["x"], requires_grad=True)
        y = gg.Tensor(data["y"], requires_grad=True)

        def f():
            s = gg.tanh(x * y + x).sum()
            gx, gy = gg.autograd.grad(s, (x, y))
            return s.detach(), gx, gy

        return {"eager": f}

    def _f(self, A):
        gg = self.gg
        At = gg.Tensor(A)
        return lambda x: gg.sum(gg.tanh(At @ x)) ** 2

    def hessian(self, case, data):
        gg = self.gg
        f, x = self._f(data["A"]), data["x"]
        from glassgrad.core.transforms import hessian_rev

        return {
            "hessian (jacfwd(jacrev))": lambda: gg.hessian(f)(x),
            "hessian_rev (jacrev(jacrev))": lambda: hessian_rev(f)(x),
        }

    def hvp(self, case, data):
        gg = self.gg
        f, x0, v = self._f(data["A"]), data["x"], data["v"]

        def rev_rev():
            x = gg.Tensor(x0, requires_grad=True)
            (g,) = gg.autograd.grad(f(x), x, create_graph=True)
            return gg.autograd.grad(g, x, grad_outputs=gg.Tensor(v))[0]

        return {
            "hvp (fwd-over-rev)": lambda: gg.hvp(f, (x0,), (v,)),
            "autograd.grad (rev-over-rev)": rev_rev,
        }

    def jacobian(self, case, data):
        gg = self.gg
        W1, b1, W2, b2 = (gg.Tensor(data[k]) for k in ("W1", "b1", "W2", "b2"))
        X = data["X"]

        def net_sum(x):  # samples are independent: the Jacobian of the batch sum
            return (gg.tanh(x @ W1 + b1) @ W2 + b2).sum(axis=0)

        return {
            "jacrev of net(X).sum(0)": lambda: gg.jacrev(net_sum)(X).transpose(1, 0, 2),
        }

    def matmul(self, case, data):
        gg = self.gg
        a, b = gg.Tensor(data["a"]), gg.Tensor(data["b"])
        return {"eager": lambda: a @ b}

    def memcopy(self, case, data):
        gg = self.gg
        src = gg.Tensor(data["src"])
        return {"eager": lambda: gg.tensor(src)}

    def notes(self):
        return {
            ("jacobian", "jacrev of net(X).sum(0)"): "10 reverse sweeps",
            ("mlp_train", "raw tensors + Adam formula"): "no nn/optim: Tensors and NumPy update",
        }


ADAPTERS = [GlassgradAdapter]
