# %% [markdown]
# # Tensors, activations and loss functions
#
# Deep learning in four ideas: **tensors** hold the data, **the chain rule** propagates
# the learning, **activation functions** allow for complexity, and **loss functions** guide
# the optimization. This lab takes them in turn.

# %%
import matplotlib.pyplot as plt
import numpy as np

import glassgrad as gg
import glassgrad.nn.functional as F
from glassgrad.labs import check, record, savefig

# %% [markdown]
# ## Tensors from 0-D to 4-D
#
# - Scalar (0-D tensor): a single number, e.g. 42.
# - Vector (1-D): a list of numbers, e.g. [1, 2, 3].
# - Matrix (2-D): a grid, e.g. a black-and-white image.
# - 3-D: a cube, e.g. a colour image with red, green and blue channels.
# - 4-D: a batch of colour images, e.g. 64 images processed at once.
#
# Everything is a tensor, and training flows tensors through mathematical transformations.

# %%
scalar = gg.tensor(42.0)
vector = gg.tensor([1.0, 2.0, 3.0])
X_digits, _ = gg.data.load_digits(images=True)
grey = X_digits[0, 0]  # one 8×8 black-and-white digit
colour = gg.tensor(np.random.default_rng(0).uniform(size=(3, 32, 32)))
batch = gg.tensor(np.random.default_rng(1).uniform(size=(64, 3, 32, 32)))
for name, t in [("scalar", scalar), ("vector", vector), ("matrix (grey image)", grey),
                ("3-D (colour image)", colour), ("4-D (batch of 64)", batch)]:
    print(f"{name:<22} ndim={t.ndim} shape={t.shape}")
record("ndim of scalar, vector, matrix, 3-D, 4-D",
       [scalar.ndim, vector.ndim, grey.ndim, colour.ndim, batch.ndim], expected=[0, 1, 2, 3, 4])
record("the scalar", scalar, expected=42)
record("the vector", vector, expected=[1, 2, 3])
record("batch shape", list(batch.shape), expected=[64, 3, 32, 32])
record("mean brightness per channel of the batch (a reduction over 3 axes)",
       batch.mean(axis=(0, 2, 3)), expected=batch.numpy().mean(axis=(0, 2, 3)), tol=1e-12)

# %% [markdown]
# ## Activations: ReLU and sigmoid
#
# Matrix multiplications alone are linear: two stacked linear layers are one linear layer
# $W_2(W_1 x) = (W_2 W_1)x$, whatever the depth. An activation after each layer breaks this.
# ReLU(x) = max(0, x) turns off negative values; the sigmoid $\sigma(x) = \frac{1}{1 + e^{-x}}$ squashes
# values into (0, 1).

# %%
rng = np.random.default_rng(2)
W1, W2, x = (gg.tensor(rng.standard_normal(s)) for s in [(4, 3), (2, 4), (3,)])
record("two linear layers = one: W₂(W₁x) = (W₂W₁)x", W2 @ (W1 @ x), expected=(W2 @ W1) @ x,
       tol=1e-12)
record("ReLU([-2, -0.5, 0, 1.5])", gg.relu(gg.tensor([-2.0, -0.5, 0.0, 1.5])),
       expected=[0, 0, 0, 1.5])
record("sigmoid(0)", gg.sigmoid(gg.tensor(0.0)), expected=0.5)
record("sigmoid'(0) = σ(1 − σ) = 1/4", gg.grad(gg.sigmoid)(0.0), expected=0.25)
xs = np.linspace(-6, 6, 241)
dsig = gg.grad(lambda t: gg.sigmoid(t).sum())(xs).numpy()
record("sigmoid' is at most 1/4", dsig.max(), expected=0.25, tol=1e-12)
fig, axes = plt.subplots(1, 2, figsize=(9, 3))
axes[0].plot(xs, gg.relu(gg.tensor(xs)).numpy(), label="ReLU")
axes[0].plot(xs, gg.sigmoid(gg.tensor(xs)).numpy(), label="sigmoid")
axes[0].set_title("activations")
axes[0].set_xlabel("input x")
axes[0].set_ylabel("activation(x)")
axes[0].legend()
axes[1].plot(xs, gg.grad(lambda t: gg.relu(t).sum())(xs).numpy(), label="ReLU'")
axes[1].plot(xs, dsig, label="sigmoid'")
axes[1].set_title("their derivatives")
axes[1].set_xlabel("input x")
axes[1].set_ylabel("slope")
axes[1].legend()
savefig(fig, "activations",
        caption="The sigmoid's slope never exceeds 1/4 and vanishes for large |x|; ReLU's slope is exactly 1 wherever it is on, so gradients pass through unchanged.")

# %% [markdown]
# ## Vanishing gradients
#
# Backpropagation multiplies local derivatives. Through ten sigmoids each factor is at most
# 1/4, so the gradient reaching the first layer is at most 4⁻¹⁰ ≈ 1e-6 of what it was.

# %%
def sigmoid_chain(t, depth=10):
    for _ in range(depth):
        t = gg.sigmoid(t)
    return t


a, factors = 0.0, []
for _ in range(10):
    s = 1 / (1 + np.exp(-a))
    factors.append(s * (1 - s))
    a = s
record("d/dx of 10 stacked sigmoids = product of σ'", gg.grad(sigmoid_chain)(0.0),
       expected=np.prod(factors), tol=1e-15)
record("bounded by 4⁻¹⁰", np.prod(factors) <= 0.25**10, expected=True)
sig_norms = gg.analysis.vanishing_gradient_demo(depth=10, activation="sigmoid")
relu_norms = gg.analysis.vanishing_gradient_demo(depth=10, activation="relu")
record("sigmoid net: first-layer gradient / last-layer gradient", sig_norms[0] / sig_norms[-1])
record("ReLU net: first-layer gradient / last-layer gradient", relu_norms[0] / relu_norms[-1])
record("sigmoid gradients vanish far more than ReLU's",
       sig_norms[0] / sig_norms[-1] < 1e-2 * relu_norms[0] / relu_norms[-1], expected=True)
fig, ax = plt.subplots(figsize=(5, 3))
ax.semilogy(range(1, 11), sig_norms, "o-", label="sigmoid")
ax.semilogy(range(1, 11), relu_norms, "s-", label="ReLU (He init)")
ax.set_xlabel("layer")
ax.set_ylabel("‖∂L/∂W‖")
ax.legend()
savefig(fig, "vanishing_gradients",
        caption="The logarithmic axis shows the gradient norm shrinking layer by layer towards the input with sigmoid, and staying level with ReLU.")

# %% [markdown]
# ## Loss functions: the score keeper
#
# Loss is like golf: par is 0 (perfect predictions), every mistake adds strokes, and the
# goal is the lowest score. Different courses score differently:
#
# | Loss | Good for | Intuition |
# |---|---|---|
# | MSE | Regression | "Average squared error" |
# | Cross-entropy | Classification | "How surprised by the answer" |
#
# Predicting a price, MSE cares about the exact number. Classifying cat versus dog,
# cross-entropy cares about confidence.

# %%
prices = gg.tensor([310.0, 250.0, 420.0])
predicted = gg.tensor([300.0, 260.0, 400.0])
mse = gg.mean((predicted - prices) ** 2)
record("MSE of price predictions: (10² + 10² + 20²)/3", mse, expected=200.0)
record("a perfect prediction scores par (0)", gg.mean((prices - prices) ** 2), expected=0.0)

logits = gg.tensor([[2.0, 0.5, -1.0]])
ce = -gg.log_softmax(logits, axis=-1)[0, 0]
p_true = np.exp(2.0) / np.exp([2.0, 0.5, -1.0]).sum()
record("cross-entropy = −log p(true class)", ce, expected=-np.log(p_true), tol=1e-12)
record("∂CE/∂logits = softmax − one-hot",
       gg.grad(lambda z: -gg.log_softmax(z, axis=-1)[0, 0])(logits),
       expected=np.exp([2.0, 0.5, -1.0]) / np.exp([2.0, 0.5, -1.0]).sum() - [1, 0, 0],
       tol=1e-12)
record("F.mse_loss agrees", F.mse_loss(predicted, prices), expected=200.0, tol=1e-9)
record("F.cross_entropy agrees", F.cross_entropy(logits, gg.tensor([0])),
       expected=-np.log(p_true), tol=1e-12)

# %% [markdown]
# ## Cross-entropy heavily penalises confident wrong answers
#
# When the true class gets probability p, cross-entropy is $-\log p$: 0.105 at p = 0.9, 0.693
# at p = 0.5, 4.6 at p = 0.01, and unbounded as p → 0. The squared error on the same
# probability, (1 − p)², never exceeds 1.

# %%
ps = np.array([0.9, 0.5, 0.1, 0.01])
ce_values = -gg.log(gg.tensor(ps))
record("−log p at p = 0.9, 0.5, 0.1, 0.01", ce_values, expected=-np.log(ps), tol=1e-12)
record("cross-entropy at p = 0.9", ce_values[0], expected=0.105, tol=5e-4)
record("a confident wrong answer (p = 0.01) costs ≥ 40× a good one",
       (ce_values[3] / ce_values[0]).item() > 40, expected=True)
record("squared error of the same answer stays ≤ 1", (1 - ps[3]) ** 2 <= 1, expected=True)
grid = np.linspace(0.005, 1, 200)
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(grid, -np.log(grid), label="cross-entropy −log p")
ax.plot(grid, (1 - grid) ** 2, label="squared error (1 − p)²")
ax.set_xlabel("probability given to the true class")
ax.set_ylabel("loss")
ax.legend()
savefig(fig, "confident_wrong",
        caption="Cross-entropy grows without bound as the true class's probability goes to 0, while squared error stays below 1: confident mistakes are punished hard.")

# %% [markdown]
# ## Naive versus stable softmax and binary cross-entropy
#
# $\mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}$ overflows for large logits when computed naively; the
# stable form subtracts max(z) first (the result is unchanged). Likewise
# −log(1 − σ(z)) for a confident logit z = 40 hits log(0); the stable form
# max(z, 0) − z·y + log(1 + e^(−|z|)) does not.

# %%
big = np.array([1000.0, 1001.0, 1002.0])
with np.errstate(over="ignore", invalid="ignore"):
    naive = np.exp(big) / np.exp(big).sum()
record("naive softmax of [1000, 1001, 1002] is NaN", bool(np.isnan(naive).all()),
       expected=True)
stable = gg.softmax(gg.tensor(big))
record("gg.softmax of [1000, 1001, 1002] = softmax([0, 1, 2])", stable,
       expected=np.exp([0.0, 1, 2]) / np.exp([0.0, 1, 2]).sum(), tol=1e-12)

z, y = 40.0, 0.0
with np.errstate(divide="ignore"):
    naive_bce = -(y * np.log(1 / (1 + np.exp(-z))) + (1 - y) * np.log(1 - 1 / (1 + np.exp(-z))))
record("naive BCE at logit 40, label 0", naive_bce == np.inf, expected=True)
zt = gg.tensor(z)
stable_bce = gg.relu(zt) - zt * y + gg.log(1 + gg.exp(-gg.abs(zt)))
record("stable BCE at logit 40, label 0 = 40 + log(1 + e⁻⁴⁰)", stable_bce,
       expected=40 + np.log1p(np.exp(-40.0)), tol=1e-12)
record("F.binary_cross_entropy_with_logits agrees",
       F.binary_cross_entropy_with_logits(gg.tensor([z]), gg.tensor([y])),
       expected=40 + np.log1p(np.exp(-40.0)), tol=1e-12)

# %% [markdown]
# ## Your turn
#
# 1. `ex1`: the cross-entropy when the true class gets probability 0.9?
# 2. `ex2`: the slope of the sigmoid at 0?
# 3. `ex3`: how many numbers in a batch of 64 RGB images of 32×32?

# %%
# Replace each ... with your answer and run the cell: check marks it, and says why
# a wrong answer is wrong. The report shows a worked solution under each exercise.
ex1 = ...
ex2 = ...
ex3 = ...
check("1.4.5", "ex1", ex1)
check("1.4.5", "ex2", ex2)
check("1.4.5", "ex3", ex3)
