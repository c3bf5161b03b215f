# %% [markdown]
# # Optimizers: learning rate, momentum and Adam
#
# Gradient descent walks downhill: $x \leftarrow x - \eta \nabla f(x)$ with learning rate $\eta$ (lr in the code). The learning rate is the step size.
# Finding a light switch in the dark: swing your arms wildly (too high) and you knock things
# over and never find it; take baby steps (too low) and it takes hours; smooth deliberate
# steps (just right) find it quickly. Smaller is **not** always safer.

# %%
import matplotlib.pyplot as plt
import numpy as np

import glassgrad as gg
import glassgrad.nn.functional as F
from glassgrad.labs import check, playground, record, savefig

# %% [markdown]
# ## Too low, just right, too high on f(x) = x²
#
# Here ∇f = 2x, so one step multiplies x by (1 − 2·lr): exactly $x_k = (1 - 2\eta)^k x_0$.
# The step shrinks x while |1 − 2·lr| < 1, that is for 0 < lr < 1.

# %%
def descend(lr, steps=20, x0=1.0):
    x = gg.Tensor(x0, requires_grad=True)
    opt = gg.optim.SGD([x], lr=lr)
    path = [x0]
    for _ in range(steps):
        opt.zero_grad()
        (x**2).backward()
        opt.step()
        path.append(x.item())
    return np.array(path)


rates = {"too low (0.01)": 0.01, "just right (0.4)": 0.4, "too high (1.05)": 1.05}
paths = {name: descend(lr) for name, lr in rates.items()}
for name, lr in rates.items():
    record(f"x after 20 steps, lr {lr}", paths[name][-1], expected=(1 - 2 * lr) ** 20,
           tol=1e-12)
record("too low: still far from 0 after 20 steps", abs(paths["too low (0.01)"][-1]) > 0.5,
       expected=True)
record("too high: |x| grows (overshoots every step)", abs(paths["too high (1.05)"][-1]) > 1,
       expected=True)

fig, ax = plt.subplots(figsize=(5, 3.5))
for name, path in paths.items():
    ax.plot(path, "o-", markersize=3, label=name)
ax.set_xlabel("step")
ax.set_ylabel("x")
ax.set_title("gradient descent on x², three learning rates")
ax.legend()
savefig(fig, "learning_rates_1d",
        caption="Too low (0.01) barely moves in 20 steps, just right (0.4) reaches 0 fast, too high (1.05) overshoots further every step: smaller is not always safer.")

# Try it: each slider position is a glassgrad run, computed when this cell ran.
savefig(playground.gd_learning_rate(), "learning_rate_slider")

# %% [markdown]
# ## The same on a 2-D bowl ½(x² + 10y²)
#
# The steep direction (curvature 10) limits the step: GD is stable only for lr < 2/10.

# %%
fig, runs = gg.viz.learning_rate_comparison()
for label, t in runs.items():
    print(t)
bowl = gg.analysis.quadratic_bowl(10.0)
good = [t for label, t in runs.items() if label.startswith("good")][0]
factors = np.array([1 - 0.15 * 1.0, 1 - 0.15 * 10.0])
record("bowl: GD iterate = (1 − lr·λ)ᵏ x₀", good.path[-1],
       expected=np.array([-1.8, 1.6]) * factors ** (len(good.path) - 1), tol=1e-10)
record("bowl: lr 0.21 > 2/10 diverges", [t for label, t in runs.items()
                                         if label.startswith("too large")][0].diverged,
       expected=True)
savefig(fig, "learning_rates_bowl",
        caption="On the bowl ½(x² + 10y²) the steep y direction limits the step: lr = 0.21 > 2/10 zigzags outward in y although x alone would be fine.")

# The step x ← x − lr·∇f(x) is itself a map, and its Jacobian I − lr·H has eigenvalues
# 1 − lr·λ. Training is stable when all of them lie inside (−1, 1): the eigenvalues of a
# Jacobian tell whether training is stable.
for lr in (0.15, 0.21):
    step_map = lambda x, lr=lr: x - lr * gg.grad(bowl)(x)
    jac_eigs = np.linalg.eigvals(gg.jacfwd(step_map)(np.array([-1.8, 1.6])).numpy())
    record(f"lr {lr}: eigenvalues of the step's Jacobian = 1 − lr·λ", np.sort(jac_eigs),
           expected=np.sort([1 - lr * 1.0, 1 - lr * 10.0]), tol=1e-12)
    record(f"lr {lr}: stable (all |1 − lr·λ| < 1)", bool(np.all(np.abs(jac_eigs) < 1)),
           expected=lr < 2 / 10)

# %% [markdown]
# ## Momentum: a bowling ball instead of a book
#
# A pushed book stops where you stop pushing and every noisy gradient changes its direction
# (zigzag). A bowling ball remembers: $v \leftarrow \beta v + \nabla f$, $x \leftarrow x - \eta v$. Small bumps don't turn it,
# and it rolls faster along a long, shallow valley.

# %%
valley = gg.analysis.quadratic_bowl(50.0)
x0 = [-1.8, 0.5]
plain = gg.analysis.trajectory(valley, x0, "sgd", steps=100, lr=0.02)
heavy = gg.analysis.trajectory(valley, x0, "sgd", steps=100, lr=0.02, momentum=0.8)

x, v, by_hand = np.array(x0), np.zeros(2), [np.array(x0)]
for _ in range(100):  # the heavy-ball recursion written out in NumPy
    g = np.array([1.0, 50.0]) * x
    v = 0.8 * v + g
    x = x - 0.02 * v
    by_hand.append(x)
record("momentum path = NumPy heavy-ball recursion", heavy.path, expected=np.array(by_hand),
       tol=1e-10)
record("loss after 100 steps without momentum", plain.losses[-1])
record("loss after 100 steps with momentum 0.8", heavy.losses[-1])
record("momentum reaches a lower loss", heavy.losses[-1] < plain.losses[-1] / 100,
       expected=True)

fig, _ = gg.viz.plot_trajectories(valley, {"SGD": plain, "momentum 0.8": heavy})
savefig(fig, "momentum",
        caption="Without momentum SGD zigzags across the narrow valley and crawls along it; momentum 0.8 damps the zigzag and rolls along the floor.")
savefig(playground.gd_valley(), "momentum_slider")

# %% [markdown]
# ## Adam: a coach with a plan per muscle
#
# Adam keeps a running mean m of gradients (momentum) and of squared gradients v, and
# divides: $x \leftarrow x - \eta \frac{\hat{m}}{\sqrt{\hat{v}} + \epsilon}$. Each parameter gets its own step size: its first step is
# lr in every coordinate however different the gradients' scales are.

# %%
p = gg.Tensor([1.0, 1.0], requires_grad=True)
adam = gg.optim.Adam([p], lr=0.1)
adam.zero_grad()
(p[0] ** 2 + 1000 * p[1] ** 2).backward()
print("gradients:", p.grad)
adam.step()
record("Adam's first step: lr in each coordinate", 1.0 - p.detach().numpy(), expected=[0.1, 0.1],
       tol=1e-6)

fig, runs = gg.viz.optimizer_comparison(steps=200)
for label, t in runs.items():
    record(f"Rosenbrock, {label}: final loss", t.losses[-1])
record("Adam gets closer to Rosenbrock's minimum than plain GD",
       runs["Adam"].losses[-1] < runs["GD"].losses[-1], expected=True)
savefig(fig, "optimizers_rosenbrock",
        caption="On Rosenbrock's curved valley plain GD stalls on the floor, momentum overshoots the bends, Adam adapts its step per coordinate and Newton uses the curvature.")
savefig(playground.adam_betas(), "adam_slider")

# %% [markdown]
# ## Gradient norms: watching and clipping the step
#
# The gradient's norm tells how steep the ground is. When it spikes, one step can throw the
# parameters far away; clipping rescales all gradients together so that their joint norm
# is at most a threshold, keeping the direction.

# %%
w = gg.Tensor([3.0, 4.0], requires_grad=True)
(0.5 * (w**2).sum() * 10).backward()  # gradient 10·w = [30, 40], norm 50
total = gg.optim.clip_grad_norm_([w], max_norm=5.0)
record("gradient norm before clipping", total, expected=50.0, tol=1e-12)
record("clipped gradient keeps the direction, norm 5", w.grad, expected=[3.0, 4.0], tol=1e-5)

# %% [markdown]
# ## A real model: a small MLP on two moons
#
# The same optimizers train a network. Adam works well out of the box; plain SGD with the
# same learning rate is slower.

# %%
X, y = gg.data.make_moons(200, noise=0.15, generator=0)
curves = {}
for name, make in {"SGD": lambda ps: gg.optim.SGD(ps, lr=0.05),
                   "SGD + momentum": lambda ps: gg.optim.SGD(ps, lr=0.05, momentum=0.9),
                   "Adam": lambda ps: gg.optim.Adam(ps, lr=0.05)}.items():
    gg.manual_seed(0)
    model = gg.nn.MLP([2, 16, 16, 2])
    opt = make(model.parameters())
    losses = []
    for _ in range(100):
        opt.zero_grad()
        loss = F.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    curves[name] = losses
    with gg.no_grad():
        accuracy = float((model(X).numpy().argmax(1) == y.numpy()).mean())
    record(f"moons, {name}: training accuracy", accuracy)
record("Adam's final loss below plain SGD's", curves["Adam"][-1] < curves["SGD"][-1],
       expected=True)
fig, ax = plt.subplots(figsize=(5, 3.5))
for name, losses in curves.items():
    ax.semilogy(losses, label=name)
ax.set_xlabel("step")
ax.set_ylabel("cross-entropy")
ax.legend()
savefig(fig, "moons_training",
        caption="The loss axis is logarithmic: Adam drives the loss down fastest, momentum helps plain SGD, and plain SGD with the same learning rate lags behind.")

# %% [markdown]
# ## Explain it back
#
# You understand when you can answer these, and this lab gives the evidence:
#
# - Why does training make models better? Each step follows the slope downhill, so the loss
#   falls (every run above that converged).
# - Why is one learning rate not enough? Different parameters have different curvature:
#   the bowl's steep direction caps the step at 2/10 while the flat one wants more; Adam
#   gives each parameter its own step (its first step was 0.1 in both coordinates although
#   the gradients differed 1000-fold).

# %% [markdown]
# ## Your turn
#
# 1. `ex1`: on f = x² + 3y², at which learning rate does gradient descent stop converging?
# 2. `ex2`: SGD with lr = 0.1 on x² from x = 1: x after 10 steps?
# 3. `ex3`: Adam with lr = 0.1 on x² from x = 1: x after one step?

# %%
# Replace each ... with your answer and run the cell: check marks it, and says why
# a wrong answer is wrong. The report shows a worked solution under each exercise.
ex1 = ...
ex2 = ...
ex3 = ...
check("1.4.2", "ex1", ex1)
check("1.4.2", "ex2", ex2)
check("1.4.2", "ex3", ex3)
