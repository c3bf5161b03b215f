# %% [markdown]
# # Loss landscapes: the terrain training walks on
#
# Plot the loss as a height over parameter space and training is a walk through foggy
# mountains: you only see where you stand (the current loss), you feel the slope (the
# gradient), you can get stuck in small valleys (local minima), and the lowest point may be
# far away (the global minimum).
#
# | Feature | What it means |
# |---|---|
# | Narrow valleys | Training is unstable |
# | Flat regions | Gradients vanish, slow learning |
# | Many local minima | Different training runs give different results |
# | Wide flat minima | Good generalization |

# %%
import matplotlib.pyplot as plt
import numpy as np

import glassgrad as gg
from glassgrad.labs import check, playground, record, savefig

# %% [markdown]
# ## A gallery of toy functions
#
# Known minima: Rosenbrock's curved valley bottoms out at (1, 1) and Himmelblau has four
# minima with value 0, one at (3, 2).

# %%
toys = {name: make() for name, make in gg.analysis.TOY_FUNCTIONS.items()}
fig, axes = plt.subplots(2, 4, figsize=(12, 5.5))
for ax, (name, fn) in zip(axes.ravel(), toys.items()):
    gg.viz.plot_function(fn, ax)
    for p in fn.minima:
        ax.plot(*p, "r*", markersize=9)
    ax.set_title(fn.name, fontsize=9)
    ax.set_xlabel("x", fontsize=8)
    ax.set_ylabel("y", fontsize=8)
for ax in axes.ravel()[len(toys):]:
    ax.axis("off")
fig.tight_layout()
savefig(fig, "toy_functions",
        caption="Red stars mark the known minima: one in a round bowl, one at the end of Rosenbrock's curved valley, four for Himmelblau, a grid of traps for Rastrigin, none for the saddle.")

# Hover to read the loss; the sliders pick the start and how many steps to show.
savefig(playground.landscape_paths(), "landscape_paths")

record("Rosenbrock at (1, 1)", toys["rosenbrock"]([1.0, 1.0]), expected=0.0)
record("Himmelblau at (3, 2)", toys["himmelblau"]([3.0, 2.0]), expected=0.0)
record("∇Rosenbrock at (1, 1)", gg.grad(toys["rosenbrock"])(np.array([1.0, 1.0])),
       expected=[0.0, 0.0])

# %% [markdown]
# ## Saddle points: the Hessian's eigenvalues tell
#
# At a critical point (∇f = 0) the Hessian's eigenvalues classify it: all positive, a
# minimum; all negative, a maximum; mixed signs, a saddle. $f = x^2 - y^2$ has $H = \begin{pmatrix} 2 & 0 \\ 0 & -2 \end{pmatrix}$.
# Gradient descent started exactly on the ridge y = 0 walks into the saddle and stops there;
# the slightest nudge off the ridge lets it escape.

# %%
saddle = toys["saddle"]
info = gg.analysis.classify_critical_point(saddle, [0.0, 0.0])
record("Hessian eigenvalues of x² − y² at 0", info["eigenvalues"], expected=[-2.0, 2.0],
       tol=1e-12)
record("x² − y² at 0 is a saddle", info["kind"] == "saddle", expected=True)
record("x² + y² at 0 is a minimum",
       gg.analysis.classify_critical_point(lambda p: (p**2).sum(), [0.0, 0.0])["kind"]
       == "minimum", expected=True)

on_ridge = gg.analysis.trajectory(saddle, [1.5, 0.0], "sgd", steps=30, lr=0.1)
nudged = gg.analysis.trajectory(saddle, [1.5, 1e-3], "sgd", steps=30, lr=0.1)
record("GD on the ridge ends at the saddle (x = 0.8³⁰·1.5)", on_ridge.path[-1],
       expected=[1.5 * 0.8**30, 0.0], tol=1e-12)
record("nudged by 1e-3 it escapes (y = 1.2³⁰·1e-3)", nudged.path[-1][1],
       expected=1e-3 * 1.2**30, tol=1e-9)
fig, _ = gg.viz.plot_trajectories(saddle, {"on the ridge": on_ridge, "nudged": nudged})
savefig(fig, "saddle_escape",
        caption="Started exactly on the ridge y = 0, gradient descent walks into the saddle and stops; nudged off the ridge by 10⁻³, it slides away along the negative-curvature direction.")

# %% [markdown]
# ## Wide versus sharp minima
#
# Two wells of equal depth: a wide one (width 1) and a sharp one (width 0.2). The Hessian at
# the bottom is diag(1/w², 1/w²): 1 for the wide well, 25 for the sharp one. Shift the
# parameters a little (as a new data set does) and the sharp well's loss shoots up: the wide
# minimum generalises better.

# %%
wells = gg.analysis.wide_sharp(width=1.0, sharpness=0.2)
H_wide = gg.hessian(wells)(np.array([-3.0, 0.0]))
H_sharp = gg.hessian(wells)(np.array([3.0, 0.0]))
record("curvature of the wide minimum", np.linalg.eigvalsh(H_wide.numpy()), expected=[1, 1],
       tol=1e-6)
record("curvature of the sharp minimum", np.linalg.eigvalsh(H_sharp.numpy()),
       expected=[25, 25], tol=1e-5)
shift = 0.3
rise_wide = wells([-3.0 + shift, 0.0]).item() - wells([-3.0, 0.0]).item()
rise_sharp = wells([3.0 + shift, 0.0]).item() - wells([3.0, 0.0]).item()
record("loss rise after a 0.3 shift, wide", rise_wide, expected=1 - np.exp(-(shift**2) / 2),
       tol=1e-6)
record("loss rise after a 0.3 shift, sharp", rise_sharp,
       expected=1 - np.exp(-(shift**2) / (2 * 0.2**2)), tol=1e-6)
xs = np.linspace(-6, 6, 400)
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(xs, wells(np.stack([xs, 0 * xs], axis=1)).numpy())
ax.set_title("a wide minimum (left) and a sharp one (right)")
ax.set_xlabel("parameter x")
ax.set_ylabel("loss")
savefig(fig, "wide_vs_sharp",
        caption="Both minima reach the same loss, but the same small shift raises the sharp one's loss far more: a flat minimum is robust to perturbations of the weights.")

# %% [markdown]
# Narrow valleys also make training unstable. Near a minimum gradient descent multiplies the
# distance to it by (1 − lr·λ) along each Hessian eigenvector, so it settles only while
# $\eta < 2/\lambda$: 2 in the wide well, 2/25 = 0.08 in the sharp one. At lr = 0.1 it settles in the
# wide valley and keeps bouncing across the sharp one.

# %%
lr = 0.1
in_wide = gg.analysis.trajectory(wells, [-2.9, 0.0], "sgd", steps=40, lr=lr)
in_sharp = gg.analysis.trajectory(wells, [3.02, 0.0], "sgd", steps=40, lr=lr)
record("largest stable learning rate in the sharp well, 2/λ", 2 / np.linalg.eigvalsh(
    H_sharp.numpy()).max(), expected=0.08, tol=1e-6)
record("lr 0.1: GD settles in the wide valley (loss within 1e-3 of its bottom)",
       in_wide.losses[-1] - wells([-3.0, 0.0]).item() < 1e-3, expected=True)
record("lr 0.1: GD keeps bouncing in the sharp valley (loss ≥ 0.1 above its bottom)",
       in_sharp.losses[-1] - wells([3.0, 0.0]).item() > 0.1, expected=True)
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(in_wide.path[:, 0] + 3.0, "o-", markersize=3, label="wide valley: x − (−3)")
ax.plot(in_sharp.path[:, 0] - 3.0, "s-", markersize=3, label="sharp valley: x − 3")
ax.set_xlabel("step (lr = 0.1)")
ax.set_ylabel("distance to the minimum")
ax.legend()
savefig(fig, "narrow_valley_unstable",
        caption="At lr = 0.1 GD settles in the wide valley (its limit is 2/λ = 2) but keeps bouncing across the sharp one (0.1 > 2/25).")

# %% [markdown]
# ## Flat regions and many local minima
#
# On the plateau 1 − exp(−(x² + y²)) the gradient far from the well is almost zero: GD
# barely moves. On Rastrigin's egg-crate, runs from different starts end in different valleys.

# %%
plateau = toys["plateau"]
g_far = gg.grad(plateau)(np.array([3.0, 3.0]))
record("plateau gradient at (3, 3) = 2x·e^(−18)", g_far, expected=[6 * np.exp(-18)] * 2,
       tol=1e-15)
rng = np.random.default_rng(0)
ends = [gg.analysis.trajectory(toys["rastrigin"], rng.uniform(-4, 4, 2), "sgd", steps=200,
                               lr=0.002).losses[-1] for _ in range(5)]
print("Rastrigin: final losses from 5 random starts:", np.round(ends, 3))
record("Rastrigin: runs end in different valleys", len(set(np.round(ends, 3))) > 1,
       expected=True)

# %% [markdown]
# ## The landscape of a trained network, sliced in 2-D
#
# A network has thousands of parameters, so we look at a plane through the trained
# parameters θ: L(θ + α d₁ + β d₂). Random directions must be **filter-normalised** (each
# row of d scaled to the norm of the matching row of θ), otherwise the picture depends on
# the arbitrary scale of each layer. Here is a small two-layer MLP trained on two moons.

# %%
X, y = gg.data.make_moons(200, noise=0.1, generator=0)
yv = y.astype("float64")
rng = np.random.default_rng(1)
params = [gg.Tensor(rng.normal(0, 1 / np.sqrt(2), (2, 16)), requires_grad=True),
          gg.Tensor(np.zeros(16), requires_grad=True),
          gg.Tensor(rng.normal(0, 1 / 4, (16, 1)), requires_grad=True),
          gg.Tensor(np.zeros(1), requires_grad=True)]


def mlp_loss(ps):
    w1, b1, w2, b2 = ps
    logits = (gg.tanh(X @ w1 + b1) @ w2 + b2).reshape(-1)
    # binary cross-entropy with logits, in the stable form max(z,0) − z·y + log(1 + e^(−|z|))
    return gg.mean(gg.relu(logits) - logits * yv + gg.log(1 + gg.exp(-gg.abs(logits))))


opt = gg.optim.Adam(params, lr=0.05)
for _ in range(300):
    opt.zero_grad()
    loss = mlp_loss(params)
    loss.backward()
    opt.step()
final = mlp_loss(params).item()
record("trained MLP loss on moons", final)
record("trained to a low loss (< 0.1)", final < 0.1, expected=True)

d1 = gg.analysis.random_direction(params, generator=0)
record("filter-normalised: each row of d has the norm of θ's row",
       np.linalg.norm(d1[0], axis=1), expected=np.linalg.norm(params[0].detach().numpy(), axis=1),
       tol=1e-12)
scape = gg.analysis.loss_landscape_2d(params, mlp_loss, span=1.0, steps=15, generator=0)
record("landscape centre = the trained loss", scape.losses[7, 7], expected=final, tol=1e-12)
record("the trained point is the lowest on the grid", scape.losses.min() >= final - 1e-12,
       expected=True)
fig, _ = gg.viz.plot_landscape(scape)
savefig(fig, "mlp_landscape_2d",
        caption="The trained MLP sits at the centre of a basin; the contours along two filter-normalised random directions show how quickly the loss rises around it.")

# %% [markdown]
# ## Explain it back
#
# How does the final error "know" what early layers did? By multiplying effects: the chain
# rule (lab 1.4.1) carries the error back through every layer, and the landscape above is
# what those gradients feel: steep walls in sharp valleys, almost nothing on plateaus.

# %% [markdown]
# ## Your turn
#
# 1. `ex1`: is (0, 0) of x² − y² a 'minimum', 'maximum' or 'saddle'?
# 2. `ex2`: the Hessian eigenvalues of x² + xy + y² (ascending).
# 3. `ex3`: how much sharper is 10x² than x² (ratio of curvatures)?

# %%
# Replace each ... with your answer and run the cell: check marks it, and says why
# a wrong answer is wrong. The report shows a worked solution under each exercise.
ex1 = ...
ex2 = ...
ex3 = ...
check("1.4.3", "ex1", ex1)
check("1.4.3", "ex2", ex2)
check("1.4.3", "ex3", ex3)
