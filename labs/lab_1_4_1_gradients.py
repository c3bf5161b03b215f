# %% [markdown]
# # Gradients, the chain rule, Jacobians and Hessians
#
# To teach a model we show it how it is wrong, and derivatives are how. This lab computes
# every derivative of the notes three ways where it can: by hand, by finite differences,
# and by glassgrad's automatic differentiation. Every number from the notes is checked.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

import glassgrad as gg
from glassgrad.labs import check, record, savefig

# %% [markdown]
# ## The derivative is a speedometer
#
# A car covers 100 miles in 2 hours: the **average** speed is 50 mph. The speedometer shows
# the speed at this exact second, the limit of distance/time over a shrinking interval:
# $f'(x) = \lim_{h \to 0} \frac{f(x+h) - f(x)}{h}$. Say the distance after t hours is s(t) = 25t²
# miles (the car speeds up): at t = 2 the speedometer reads s'(2) = 100 mph.

# %%
s = lambda t: 25 * t**2
record("average speed, 100 miles / 2 h", s(2.0) / 2.0, expected=50.0)
record("speedometer at t = 2 h, s'(2)", gg.grad(s)(2.0), expected=100.0)

# %% [markdown]
# ## f(x) = x² has f'(3) = 6: the difference quotient converges
#
# The forward difference (f(3+h) − f(3))/h = 6 + h, so the error shrinks like h.

# %%
f = lambda x: x**2
hs = [1.0, 0.1, 0.01, 0.001, 1e-4]
quotients = [(f(3.0 + h) - f(3.0)) / h for h in hs]
for h, q in zip(hs, quotients):
    print(f"h = {h:<7g} (f(3+h) - f(3))/h = {q:.6f}")
record("difference quotient at h = 1e-4", quotients[-1], expected=6.0, tol=2e-4)
record("f'(3) by autodiff", gg.grad(f)(3.0), expected=6.0)

fig, numbers = gg.viz.tangent_slopes(f, points=(-1.5, 0.5, 1.5, 3.0), bounds=(-2.0, 4.0))
record("tangent slopes of x² at -1.5, 0.5, 1.5, 3", numbers["slopes"], expected=[-3, 1, 3, 6])
savefig(fig, "tangent_slopes",
        caption="Each tangent's slope is f′ at its point, read off by autodiff: the steeper the curve, the steeper the line; where f′ = 0 the tangent is flat.")

# %% [markdown]
# ## Partial derivatives of f(x, y) = 3x² + 2xy
#
# Hold one variable fixed and differentiate in the other: $\frac{\partial f}{\partial x} = 6x + 2y$, $\frac{\partial f}{\partial y} = 2x$.

# %%
f2 = lambda x, y: 3 * x**2 + 2 * x * y
x0, y0 = 1.5, -2.0
dfdx, dfdy = gg.grad(f2, argnums=(0, 1))(x0, y0)
record("∂f/∂x of 3x²+2xy at (1.5, -2) = 6x+2y", dfdx, expected=6 * x0 + 2 * y0)
record("∂f/∂y of 3x²+2xy at (1.5, -2) = 2x", dfdy, expected=2 * x0)

# %% [markdown]
# ## The gradient of x² + y² and gradient descent on a foggy mountain
#
# ∇f = [2x, 2y] points uphill. Blindfolded on the mountain we feel the slope, step the
# other way, and repeat: $x \leftarrow x - \eta \nabla f(x)$. The step size is the learning rate.

# %%
bowl = lambda p: (p**2).sum()
point = gg.tensor([1.0, 2.0])
record("∇(x²+y²) at (1, 2)", gg.grad(bowl)(point), expected=[2.0, 4.0])

p, lr, path = np.array([2.0, 1.5]), 0.1, []
for _ in range(60):
    path.append(p.copy())
    p = p - lr * gg.grad(bowl)(p).numpy()
path = np.array(path)
record("x²+y² after 60 descent steps (lr 0.1)", bowl(gg.tensor(p)), expected=0.0, tol=1e-10)

fig, field = gg.viz.gradient_field(lambda p: (p**2).sum(axis=-1), bounds=((-2, 2), (-2, 2)), n=9)
record("the arrows drawn are −∇f = [−2x, −2y] (downhill) at every grid point",
       -np.stack([field["U"], field["V"]]), expected=-2 * np.stack([field["X"], field["Y"]]),
       tol=1e-12)
savefig(fig, "gradient_field",
        caption="The arrows are −∇f: they point straight downhill, across the contour lines, and grow longer where the bowl is steeper (‖∇f‖ = 2‖x‖).")

fig, ax = plt.subplots(figsize=(4.5, 4))
X, Y = np.meshgrid(np.linspace(-2.5, 2.5, 60), np.linspace(-2.5, 2.5, 60))
ax.contour(X, Y, X**2 + Y**2, levels=15, cmap="Greys")
ax.plot(path[:, 0], path[:, 1], "o-", markersize=3, label="gradient descent")
ax.set_title("walking downhill on x² + y²")
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.legend()
savefig(fig, "foggy_mountain",
        caption="Each step shrinks the distance to the minimum by the same factor 1 − 2·lr = 0.8, so the dots bunch up as the slope flattens near (0, 0).")

# %% [markdown]
# ## The chain rule: y = sin(x²)
#
# With $u = x^2$, $\frac{dy}{dx} = \frac{dy}{du} \cdot \frac{du}{dx} = \cos(x^2) \cdot 2x$.

# %%
xs = 1.3
record("d/dx sin(x²) at 1.3 = cos(x²)·2x", gg.grad(lambda x: gg.sin(x**2))(xs),
       expected=math.cos(xs**2) * 2 * xs, tol=1e-12)

# %% [markdown]
# ## Passing the buck: 0.8 × 0.5 × 0.9 × 1.0 = 36%
#
# Ball → dominos passes on 80%, dominos → bell 50%, bell → cat 90%, cat → vase 100%. Like a
# bicycle chain, pedal → front gear → chain → back gear → wheel, the local factors multiply.
# `explain` prints backpropagation edge by edge.

# %%
ball = gg.Tensor(1.0, requires_grad=True)
vase = ball * 0.8 * 0.5 * 0.9 * 1.0
story = gg.analysis.explain(vase, wrt={"ball": ball})
print(story)
record("ball's share of the broken vase", story.grads["ball"], expected=0.36, tol=1e-12)

teeth = {"pedal→front gear": 1.0, "front→back gear (44/11 teeth)": 44 / 11, "back gear→wheel": 1.0}
pedal = gg.Tensor(1.0, requires_grad=True)
wheel = pedal
for ratio in teeth.values():
    wheel = wheel * ratio
wheel.backward()
record("wheel turns per pedal turn (gear ratio 44/11)", pedal.grad, expected=4.0)

# %% [markdown]
# ## Backpropagation through z = wᵀx + b → ReLU → MSE
#
# $\frac{\partial L}{\partial w} = \frac{\partial L}{\partial a} \frac{\partial a}{\partial z} \frac{\partial z}{\partial w} = 2(a - y) \cdot 1[z > 0] \cdot x$, computed layer by layer and
# multiplied in reverse. Think of a bucket brigade putting out a fire: if the fire is not
# out (high error), the last person tells the one before "pass more water!", who tells the
# one before, and so on; each link scales the message by its local derivative. Data flows
# forward layer by layer; gradients flow backward.

# %%
w = gg.Tensor([0.5, -0.3, 0.8], requires_grad=True)
b = gg.Tensor(0.1, requires_grad=True)
x = gg.tensor([1.0, 2.0, 3.0])
target = 1.0
z = gg.dot(w, x) + b
a = gg.relu(z)
loss = (a - target) ** 2
story = gg.analysis.explain(loss, wrt={"w": w, "b": b})
print(story)
zv = float(np.dot(w.detach().numpy(), x.numpy()) + 0.1)
by_hand = 2 * (max(zv, 0.0) - target) * (zv > 0) * x.numpy()
record("∂L/∂w by explain = 2(a−y)·1[z>0]·x", story.grads["w"], expected=by_hand, tol=1e-12)
record("∂L/∂b = 2(a−y)·1[z>0]", story.grads["b"], expected=by_hand[0], tol=1e-12)

# %% [markdown]
# ## Forward mode with dual numbers
#
# A dual number a + b·ε with ε² = 0 carries a value and a derivative together:
# $f(a + \varepsilon) = f(a) + f'(a)\,\varepsilon$. Thirty lines give forward-mode autodiff for scalars.

# %%
class Dual:
    """A value and its derivative, propagated together (forward mode)."""

    def __init__(self, value, deriv=0.0):
        self.value, self.deriv = value, deriv

    @staticmethod
    def lift(other):
        return other if isinstance(other, Dual) else Dual(other)

    def __add__(self, other):
        other = Dual.lift(other)
        return Dual(self.value + other.value, self.deriv + other.deriv)

    __radd__ = __add__

    def __mul__(self, other):
        other = Dual.lift(other)
        return Dual(self.value * other.value,
                    self.deriv * other.value + self.value * other.deriv)

    __rmul__ = __mul__

    def __pow__(self, n):
        return Dual(self.value**n, n * self.value ** (n - 1) * self.deriv)

    def sin(self):
        return Dual(math.sin(self.value), math.cos(self.value) * self.deriv)


def derivative(fn, at):
    return fn(Dual(at, 1.0)).deriv


record("dual numbers: d/dx x² at 3", derivative(lambda x: x**2, 3.0), expected=6.0)
record("dual numbers: d/dx sin(x²) at 1.3", derivative(lambda x: (x**2).sin(), 1.3),
       expected=gg.grad(lambda x: gg.sin(x**2))(1.3), tol=1e-12)
record("glassgrad forward mode (jvp) agrees",
       gg.jvp(lambda x: gg.sin(x**2), (1.3,), (1.0,))[1],
       expected=derivative(lambda x: (x**2).sin(), 1.3), tol=1e-12)

# %% [markdown]
# ## The Jacobian of f(x, y) = (x² + y, sin(xy))
#
# J = [[2x, 1], [y·cos(xy), x·cos(xy)]]; reverse mode builds it row by row, forward mode
# column by column, and they agree.

# %%
vec_f = lambda p: gg.stack([p[0] ** 2 + p[1], gg.sin(p[0] * p[1])])
px, py = 0.7, 1.9
by_hand = np.array([[2 * px, 1.0], [py * math.cos(px * py), px * math.cos(px * py)]])
record("Jacobian (reverse mode)", gg.jacrev(vec_f)(np.array([px, py])), expected=by_hand,
       tol=1e-12)
record("Jacobian (forward mode)", gg.jacfwd(vec_f)(np.array([px, py])), expected=by_hand,
       tol=1e-12)

# %% [markdown]
# The Jacobian is the best local linear approximation: f(p + δ) ≈ f(p) + J·δ, with an error
# that shrinks like ‖δ‖². Its determinant measures how the map stretches areas (how
# normalising flows track the change of density).

# %%
J = gg.jacrev(vec_f)(np.array([px, py])).numpy()
for step in (1e-2, 1e-3):
    delta = np.array([step, -step])
    exact = vec_f(gg.tensor(np.array([px, py]) + delta)).numpy()
    linear = vec_f(gg.tensor(np.array([px, py]))).numpy() + J @ delta
    record(f"‖f(p+δ) − (f(p) + Jδ)‖ / ‖δ‖² bounded, ‖δ‖ ~ {step:g}",
           np.linalg.norm(exact - linear) / np.sum(delta**2) < 5, expected=True)
lin_map = lambda p: gg.stack([2 * p[0] + p[1], p[0] + 3 * p[1]])
record("area scaling of (2x + y, x + 3y): |det J| = 5",
       abs(np.linalg.det(gg.jacfwd(lin_map)(np.zeros(2)).numpy())), expected=5.0, tol=1e-12)

# %% [markdown]
# ## The Hessian of x² + xy + y² is [[2, 1], [1, 2]]
#
# Second derivatives describe curvature: here a bowl (both eigenvalues positive).

# %%
quad = lambda p: p[0] ** 2 + p[0] * p[1] + p[1] ** 2
H = gg.hessian(quad)(np.array([0.3, -1.2]))
record("Hessian of x²+xy+y²", H, expected=[[2, 1], [1, 2]], tol=1e-12)
record("its eigenvalues", np.linalg.eigvalsh(H.numpy()), expected=[1, 3], tol=1e-12)

# %% [markdown]
# ## Newton's method uses the Hessian
#
# $x \leftarrow x - H^{-1} \nabla f(x)$. On a quadratic one step lands on the minimum; on f(x) = x − log x
# (minimum at 1) the error roughly squares at each step.

# %%
shifted = lambda p: quad(p) - p[0]  # minimum where 2x + y = 1 and x + 2y = 0
p = np.array([3.0, -4.0])
p = p - np.linalg.solve(gg.hessian(shifted)(p).numpy(), gg.grad(shifted)(p).numpy())
record("Newton: one step to the minimum of a quadratic", p, expected=[2 / 3, -1 / 3],
       tol=1e-12)

g1, h1 = gg.grad(lambda x: x - gg.log(x)), gg.grad(gg.grad(lambda x: x - gg.log(x)))
xn, errors = 0.5, []
for _ in range(6):
    xn = xn - float(g1(xn)) / float(h1(xn))
    errors.append(abs(xn - 1.0))
print("Newton errors on x - log x:", ["%.1e" % e for e in errors])
record("Newton on x − log x after 6 steps", xn, expected=1.0, tol=1e-12)

# %% [markdown]
# ## The compiled program: the backward pass as plain NumPy
#
# `gg.jit` traces a function once and replays it as a straight-line program of NumPy calls,
# the forward pass and then the backward pass, one line per operation. Its `.source` is that
# program. For the 36% chain, with the vase's cotangent `g` as an argument, the backward pass
# is the chain rule itself: g times each local factor, from the vase back to the ball.
# Its gradient alone does not depend on the ball at all, so jit folds it to one constant.


# %%
def knock_over(ball):
    return ball * 0.8 * 0.5 * 0.9 * 1.0


passing = gg.jit(lambda ball, g: gg.vjp(knock_over, ball)[1](g)[0])
record("the compiled chain: ball's share", passing(1.0, 1.0), expected=0.36, tol=1e-12)
print(passing.source)
backward_lines = passing.source.split("# backward")[1].splitlines()
record(
    "one line per local factor in the backward pass",
    sum("np.multiply(" in line for line in backward_lines),
    expected=4,
)
folded = gg.jit(gg.grad(knock_over))
record("grad alone is folded to a constant", folded(1.0), expected=0.36, tol=1e-12)
print(folded.source)

# %% [markdown]
# A two-layer MLP with a mean squared error: `h = tanh(x W1 + b1)`, `out = h W2 + b2`. The
# generated backward pass reads like the derivation: `1 − h²` for tanh, `Gᵀ` products for the
# matrix products, `sum_to` where a bias was broadcast. Intermediates are deleted after
# their last use and buffers are reused with NumPy's `out=`.

# %%
rng = np.random.default_rng(0)
W1, b1 = rng.standard_normal((3, 4)), np.zeros(4)
W2, b2 = rng.standard_normal((4, 1)), np.zeros(1)
xb, yb = rng.standard_normal((5, 3)), rng.standard_normal((5, 1))


def mlp_loss(W1, b1, W2, b2, x, y):
    h = gg.tanh(x @ W1 + b1)
    out = h @ W2 + b2
    return ((out - y) ** 2).mean()


step = gg.jit(gg.value_and_grad(mlp_loss, argnums=(0, 1, 2, 3)))
loss_value, grads = step(W1, b1, W2, b2, xb, yb)
backward_pass = step.source.split("# backward")[1]
print(backward_pass)
eager_loss, eager_grads = gg.value_and_grad(mlp_loss, argnums=(0, 1, 2, 3))(W1, b1, W2, b2, xb, yb)
record(
    "compiled gradients equal eager ones (max difference)",
    max(float(np.abs(g.numpy() - e.numpy()).max()) for g, e in zip(grads, eager_grads)),
    expected=0.0,
)
record(
    "the backward pass uses tanh' = 1 - h², matmuls and sum_to",
    ["np.subtract" in backward_pass, "np.matmul" in backward_pass, "sum_to" in backward_pass],
    expected=[True, True, True],
)

# %% [markdown]
# ## Per-example gradients with vmap
#
# `gg.vmap(f)` runs a function written for one example on a whole batch. Combined with
# `gg.grad` it gives the gradient of each example's loss separately, something a summed
# loss hides: their norms show which examples pull hardest on the weights.


# %%
def example_loss(W1, b1, W2, b2, x, y):
    h = gg.tanh(x @ W1 + b1)
    return ((h @ W2 + b2 - y) ** 2).sum()


per_example = gg.vmap(
    gg.grad(example_loss, argnums=(0, 1, 2, 3)), in_axes=(None, None, None, None, 0, 0)
)(W1, b1, W2, b2, xb, yb)
norms = np.sqrt(sum((g.numpy().reshape(len(xb), -1) ** 2).sum(axis=1) for g in per_example))
print("per-example gradient norms:", np.round(norms, 3))
loop = [
    gg.grad(example_loss, argnums=(0, 1, 2, 3))(W1, b1, W2, b2, xb[i], yb[i])
    for i in range(len(xb))
]
record(
    "vmap's per-example gradient norms equal a Python loop's",
    norms,
    expected=np.sqrt([sum((g.numpy() ** 2).sum() for g in gs) for gs in loop]),
    tol=1e-12,
)
record(
    "the mean of the per-example gradients is the batch gradient (W1)",
    per_example[0].numpy().mean(axis=0),
    expected=eager_grads[0].numpy(),
    tol=1e-12,
)

# %% [markdown]
# ## Your turn
#
# 1. `ex1`: f(x) = x³. What is f'(2)?
# 2. `ex2`: the gradient of 3x² + 2xy at (1, 2).
# 3. `ex3`: a chain passes on 90%, 50% and 50%; what fraction reaches the end?
#
# Check an answer with `check("1.4.1", "ex1", your_answer)`; a wrong one prints a hint
# (below, the guess 3·2 = 6 for ex1 forgets to lower the power) and returns False.

# %%
record("a wrong answer is refused with a hint", check("1.4.1", "ex1", 3 * 2.0), expected=False)

# Replace each ... with your answer and run the cell: check marks it, and says why
# a wrong answer is wrong. The report shows a worked solution under each exercise.
ex1 = ...
ex2 = ...
ex3 = ...
check("1.4.1", "ex1", ex1)
check("1.4.1", "ex2", ex2)
check("1.4.1", "ex3", ex3)
