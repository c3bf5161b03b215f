# %% [markdown]
# # SVD and low rank: MP3 compression for matrices, and LoRA
#
# An MP3 file throws away sounds people can't really hear and keeps the important parts:
# a much smaller file that sounds almost the same. The singular value decomposition
# $A = U \Sigma V^\top$ does this for matrices: keep the directions with the largest σ, throw
# away the small contributions, and the smaller matrix acts almost the same.

# %%
import matplotlib.pyplot as plt
import numpy as np

import glassgrad as gg
from glassgrad.labs import check, playground, record, savefig

# %% [markdown]
# ## An image to compress
#
# A 64×64 grey-scale picture generated here: smooth shading, a disc and a bar, plus a little
# noise, so it has a few strong directions and many weak ones.

# %%
n = 64
u, v = np.meshgrid(np.linspace(-1, 1, n), np.linspace(-1, 1, n), indexing="ij")
image = 0.5 + 0.3 * np.cos(2 * u) * np.sin(3 * v)
image += 0.6 * ((u - 0.2) ** 2 + (v + 0.3) ** 2 < 0.15)
image += 0.4 * ((np.abs(u + 0.5) < 0.1) & (np.abs(v) < 0.7))
image += 0.02 * np.random.default_rng(0).standard_normal((n, n))
A = gg.tensor(image)
record("image shape", list(A.shape), expected=[64, 64])
fig, ax = plt.subplots(figsize=(3, 3))
ax.imshow(image, cmap="gray")
ax.set_title("the 64×64 test image")
ax.axis("off")
savefig(fig, "test_image",
        caption="The image the SVD will compress: smooth shading, a disc and a bar, and a little noise.")

# %% [markdown]
# ## Rank-k approximations and the Eckart–Young theorem
#
# Keeping the first k singular triplets gives $A_k = \sum_{i \le k} \sigma_i u_i v_i^\top$. Eckart–Young: no matrix
# of rank k is closer to A, and the error is exactly $\|A - A_k\|_F = \sqrt{\sum_{i > k} \sigma_i^2}$ (and
# $\|A - A_k\|_2 = \sigma_{k+1}$). Storing A_k takes k(m + n + 1) numbers instead of m·n.

# %%
U, S, Vh = gg.linalg.svd(A, full_matrices=False)
record("singular values match NumPy's", S, expected=np.linalg.svd(image, compute_uv=False),
       tol=1e-10)
record("U·diag(σ)·Vᵀ rebuilds the image", (U * S) @ Vh, expected=image, tol=1e-10)
ranks = [1, 4, 8, 16]
fig, axes = plt.subplots(1, len(ranks) + 1, figsize=(12, 2.8))
axes[0].imshow(image, cmap="gray")
axes[0].set_title("original (4096 numbers)", fontsize=8)
for ax, k in zip(axes[1:], ranks):
    approx = (U[:, :k] * S[:k]) @ Vh[:k]
    error = np.linalg.norm(image - approx.numpy())
    record(f"rank {k}: ‖A − A_k‖_F = √(Σ dropped σ²)", error,
           expected=np.sqrt(np.sum(S.numpy()[k:] ** 2)), tol=1e-9)
    record(f"rank {k}: ‖A − A_k‖₂ = σ_{k + 1}", np.linalg.norm(image - approx.numpy(), 2),
           expected=S.numpy()[k], tol=1e-9)
    ax.imshow(approx.numpy(), cmap="gray")
    ax.set_title(f"rank {k} ({k * (2 * n + 1)} numbers)", fontsize=8)
for ax in axes:
    ax.axis("off")
savefig(fig, "svd_compression",
        caption="Rank 1 keeps only the dominant shading; by rank 8 the disc and the bar are sharp while storing a quarter of the numbers.")
savefig(playground.svd_rank(image), "svd_rank_slider")

k = 8
best = np.linalg.norm(image - ((U[:, :k] * S[:k]) @ Vh[:k]).numpy())
rng = np.random.default_rng(1)
others = []
for _ in range(20):  # other rank-8 approximations: project onto random 8-D subspaces
    Q, _ = np.linalg.qr(rng.standard_normal((n, k)))
    others.append(np.linalg.norm(image - Q @ (Q.T @ image)))
record("Eckart–Young: the truncated SVD beats 20 random rank-8 projections",
       best < min(others), expected=True)
energy = np.cumsum(S.numpy() ** 2) / np.sum(S.numpy() ** 2)
record("share of ‖A‖² kept by rank 8", energy[7])
fig, ax = plt.subplots(figsize=(5, 3))
ax.semilogy(S.numpy(), "o", markersize=3)
ax.set_xlabel("i")
ax.set_ylabel("σᵢ")
ax.set_title("singular values: a few large, many small")
savefig(fig, "singular_values",
        caption="The singular values fall fast and then flatten into the noise floor: the steep part is the structure worth keeping.")

# %% [markdown]
# ## LoRA: fine-tune a low-rank update instead of the whole matrix
#
# LoRA freezes a layer's weight W and learns $\Delta W = BA$ with B of shape d_out×r and A of
# shape r×d_in. For a 1000×1000 layer at r = 16:
#
# - original weights: 1000×1000 = 1,000,000 parameters
# - low rank (r = 16): 1000×16 + 16×1000 = 32,000 parameters
#
# That is 96.8% fewer (the notes round it to "97% fewer parameters, almost the same
# performance").

# %%
d_out, d_in, r = 1000, 1000, 16
full, low = d_out * d_in, d_out * r + r * d_in
record("full 1000×1000 weights", full, expected=1_000_000)
record("LoRA r = 16 parameters", low, expected=32_000)
record("fraction saved", 1 - low / full, expected=0.968, tol=1e-12)
record("rounded as in the notes (97%)", round(100 * (1 - low / full)), expected=97)
fig, ax = plt.subplots(figsize=(5, 2.5))
ax.barh(["full W (1000×1000)", "LoRA B·A (r = 16)"], [full, low], color=["grey", "tab:blue"])
ax.set_xlabel("trainable parameters")
ax.set_ylabel("what is trained")
ax.set_title("LoRA trains 3.2% of the parameters")
savefig(fig, "lora_parameters",
        caption="Training B·A at r = 16 touches 32,000 numbers instead of a million: 3.2% of the full layer.")
record("gg.nn.lora_param_count(1000, 1000, 16)", gg.nn.lora_param_count(1000, 1000, 16),
       expected=32_000)
layer = gg.nn.LoRALinear(gg.nn.Linear(1000, 1000, bias=False), r=16)
trainable = sum(p.size for p in layer.parameters() if p.requires_grad)
record("trainable parameters of LoRALinear(1000×1000, r=16)", trainable, expected=32_000)

# A fine-tuning update that is nearly rank 4 (plus a little noise) for a 64×64 layer: how
# much of it can a rank-r adapter hold, and at what cost?
rng = np.random.default_rng(2)
update = rng.standard_normal((64, 4)) @ rng.standard_normal((4, 64)) / 8
update += 0.02 * rng.standard_normal((64, 64))
savefig(playground.lora_rank(update), "lora_rank_slider")

# %% [markdown]
# ## LoRA fine-tuning recovers a low-rank update
#
# A "pre-trained" layer W₀ must become W₀ + ΔW where ΔW has rank 2. We freeze W₀, train
# only the LoRA factors (r = 4) on input/output pairs of the new layer, and compare the
# learned update with the true one. The learned update has rank ≤ r by construction.

# %%
rng = np.random.default_rng(0)
d = 20
gg.manual_seed(0)
base = gg.nn.Linear(d, d, bias=False)
W0 = base.weight.detach().numpy().copy()
delta = rng.standard_normal((d, 2)) @ rng.standard_normal((2, d)) / d
X = gg.tensor(rng.standard_normal((256, d)))
Y = X @ gg.tensor((W0 + delta).T)
lora = gg.nn.LoRALinear(base, r=4, alpha=4.0)
trainable = [p for p in lora.parameters() if p.requires_grad]
opt = gg.optim.Adam(trainable, lr=0.02)
for _ in range(400):
    opt.zero_grad()
    loss = gg.mean((lora(X) - Y) ** 2)
    loss.backward()
    opt.step()
eye = gg.tensor(np.eye(d))
with gg.no_grad():
    learned = (lora(eye) - eye @ gg.tensor(W0.T)).numpy().T
rel = np.linalg.norm(learned - delta) / np.linalg.norm(delta)
record("trainable LoRA parameters (2·20·4)", sum(p.size for p in trainable), expected=160)
record("frozen W₀ unchanged", base.weight, expected=W0, tol=0)
record("relative error of the learned ΔW", rel)
record("learned ΔW ≈ true ΔW (rel. error < 2%)", rel < 0.02, expected=True)
record("rank of the learned update ≤ r = 4",
       int(np.sum(np.linalg.svd(learned, compute_uv=False) > 1e-8)) <= 4, expected=True)

# %% [markdown]
# ## Your turn
#
# 1. `ex1`: LoRA on a 4096×4096 layer with r = 8: how many trainable parameters?
# 2. `ex2`: the Frobenius error of the best rank-1 approximation of diag(3, 2, 1)?
# 3. `ex3`: for 1000×1000 at r = 16, what fraction of the parameters is saved?

# %%
# Replace each ... with your answer and run the cell: check marks it, and says why
# a wrong answer is wrong. The report shows a worked solution under each exercise.
ex1 = ...
ex2 = ...
ex3 = ...
check("1.4.4", "ex1", ex1)
check("1.4.4", "ex2", ex2)
check("1.4.4", "ex3", ex3)
