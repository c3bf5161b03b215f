"""glassgrad as a peer in ../shared/bench/peers.py.

Run from the project root:
    .venv/bin/python ../shared/bench/peers.py --quick --peers numpy,torch,glassgrad \
        --adapter-file bench/peers_adapter.py
"""

import numpy as np
from peers import Adapter, run_chain


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
        from glassgrad import nn, optim
        from glassgrad.nn import functional as F
        from glassgrad.training import compiled_step

        def build():  # as a user writes it: nn.Sequential of Linear/ReLU, optim.Adam
            layers = []
            for k, (W, b) in enumerate(zip(data["weights"], data["biases"], strict=True)):
                lin = nn.Linear(*W.shape)
                lin.weight.data, lin.bias.data = W.T.copy(), b.copy()
                layers += [lin, nn.ReLU()] if k < len(data["weights"]) - 1 else [lin]
            model = nn.Sequential(*layers)
            return model, optim.Adam(model.parameters(), lr=data["lr"])

        Xs, Ys = [gg.Tensor(x) for x in data["X"]], [gg.Tensor(y) for y in data["Y"]]

        def variant(compiled):
            model, opt = build()
            jitted, state = compiled_step(model, F.cross_entropy, opt), {"i": 0}

            def step():
                i = state["i"] % len(Xs)
                state["i"] += 1
                if compiled:  # forward, backward and the Adam update
                    loss, _ = jitted(Xs[i], Ys[i])
                else:
                    opt.zero_grad()
                    loss = F.cross_entropy(model(Xs[i]), Ys[i])
                    loss.backward()
                    opt.step()
                return float(loss)

            return step

        return {"eager (nn + optim)": variant(False), "jit (nn + optim)": variant(True)}

    def op_overhead(self, case, data):
        gg = self.gg
        ops = data["ops"]
        f = gg.value_and_grad(
            lambda x, y: run_chain(x, y, ops, gg.tanh, gg.exp).sum(), argnums=(0, 1)
        )
        return self._eager_and_jit(f, data["x"], data["y"])

    def _eager_and_jit(self, f, *args):
        """``f(*args)`` eagerly and compiled; results flattened to (value, *grads)."""
        gg = self.gg
        jitted = gg.jit(f)

        def flat(out):
            value, grads = out
            return (value, *grads)

        return {"eager": lambda: flat(f(*args)), "jit": lambda: flat(jitted(*args))}

    def big_elementwise(self, case, data):
        gg = self.gg
        f = gg.value_and_grad(lambda x, y: gg.tanh(x * y + x).sum(), argnums=(0, 1))
        return self._eager_and_jit(f, data["x"], data["y"])

    def _f(self, A):
        gg = self.gg
        At = gg.Tensor(A)
        return lambda x: gg.sum(gg.tanh(At @ x)) ** 2

    def hessian(self, case, data):
        gg = self.gg
        f, x = self._f(data["A"]), data["x"]
        from glassgrad.core.transforms import hessian_rev

        jitted = gg.jit(gg.hessian(f))
        return {
            "hessian (jacfwd(jacrev))": lambda: gg.hessian(f)(x),
            "hessian_rev (jacrev(jacrev))": lambda: hessian_rev(f)(x),
            "jit(hessian)": lambda: jitted(x),
        }

    def hvp(self, case, data):
        gg = self.gg
        f, x0, v = self._f(data["A"]), data["x"], data["v"]

        def rev_rev():
            x = gg.Tensor(x0, requires_grad=True)
            (g,) = gg.autograd.grad(f(x), x, create_graph=True)
            return gg.autograd.grad(g, x, grad_outputs=gg.Tensor(v))[0]

        jitted = gg.jit(lambda x, v: gg.hvp(f, (x,), (v,)))
        return {
            "hvp (fwd-over-rev)": lambda: gg.hvp(f, (x0,), (v,)),
            "autograd.grad (rev-over-rev)": rev_rev,
            "jit(hvp)": lambda: jitted(x0, v),
        }

    def jacobian(self, case, data):
        gg = self.gg
        W1, b1, W2, b2 = (gg.Tensor(data[k]) for k in ("W1", "b1", "W2", "b2"))
        X = data["X"]

        def net(x):
            return gg.tanh(x @ W1 + b1) @ W2 + b2

        def net_sum(x):  # samples are independent: the Jacobian of the batch sum
            return net(x).sum(axis=0)

        per_sample = gg.vmap(gg.jacrev(net))
        jitted = gg.jit(per_sample)
        return {
            "jacrev of net(X).sum(0)": lambda: gg.jacrev(net_sum)(X).transpose(1, 0, 2),
            "vmap(jacrev(net))": lambda: per_sample(X),
            "jit(vmap(jacrev(net)))": lambda: jitted(X),
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
            ("jacobian", "jacrev of net(X).sum(0)"): "one reverse sweep of the 10 basis rows",
            ("mlp_train", "jit (nn + optim)"): "forward + backward + Adam compiled",
            ("jacobian", "vmap(jacrev(net))"): "per-sample Jacobians, traced at each call",
        }


ADAPTERS = [GlassgradAdapter]
