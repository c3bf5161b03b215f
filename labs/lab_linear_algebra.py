# %% [markdown]
# # Linear algebra: the skeleton of deep learning
#
# "Neural networks are just matrix multiplications with purpose." Dot products, matrix
# products, norms, distances and eigenvalues: the language of tensors, the structure of the
# computations and the geometry of data flow.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

import glassgrad as gg
from glassgrad.labs import check, playground, record, savefig

# %% [markdown]
# ## The dot product
#
# $a \cdot b = \sum_i a_i b_i$ returns a scalar. It measures similarity (it is ‖a‖‖b‖cos θ) and is the
# core of attention scores, projections of embeddings and many losses.

# %%
a, b = gg.tensor([1.0, 2.0, 3.0]), gg.tensor([4.0, 5.0, 6.0])
record("[1, 2, 3]·[4, 5, 6] = 4 + 10 + 18", gg.dot(a, b), expected=32.0)
record("a·b = Σ aᵢbᵢ (by a loop)", sum(x * y for x, y in zip(a.tolist(), b.tolist())),
       expected=gg.dot(a, b).item())
angle = math.acos(gg.dot(a, b).item() / (math.sqrt(14) * math.sqrt(77)))
record("a·b = ‖a‖‖b‖cos θ", math.sqrt(14) * math.sqrt(77) * math.cos(angle), expected=32.0,
       tol=1e-12)
record("∂(a·b)/∂a = b", gg.grad(lambda u: gg.dot(u, b))(a), expected=[4, 5, 6])

# Projecting an embedding onto a direction: proj_b(a) = (a·b / b·b)·b, and what is left,
# a − proj_b(a), is orthogonal to b.
proj = gg.dot(a, b) / gg.dot(b, b) * b
record("proj of [1,2,3] on [4,5,6] = (32/77)·b", proj, expected=32 / 77 * np.array([4, 5, 6]),
       tol=1e-12)
record("the residual is orthogonal to b", gg.dot(a - proj, b), expected=0.0, tol=1e-12)

# %% [markdown]
# ## Matrix multiplication
#
# $C = AB$ with $C_{ij} = \sum_k A_{ik} B_{kj}$. For A = [[1, 2], [3, 4]] and B = [[5, 6], [7, 8]]:
# C = [[1·5 + 2·7, 1·6 + 2·8], [3·5 + 4·7, 3·6 + 4·8]] = [[19, 22], [43, 50]].
# It is associative, (AB)C = A(BC), but not commutative, AB ≠ BA.

# %%
A = gg.tensor([[1.0, 2.0], [3.0, 4.0]])
B = gg.tensor([[5.0, 6.0], [7.0, 8.0]])
C = A @ B
by_loops = [[sum(A[i, k].item() * B[k, j].item() for k in range(2)) for j in range(2)]
            for i in range(2)]
record("[[1,2],[3,4]] @ [[5,6],[7,8]]", C, expected=[[19, 22], [43, 50]])
record("Cᵢⱼ = Σₖ AᵢₖBₖⱼ by loops", by_loops, expected=[[19, 22], [43, 50]])
D = gg.tensor([[0.0, 1.0], [-1.0, 2.0]])
record("associative: (AB)D = A(BD)", (A @ B) @ D, expected=(A @ (B @ D)).numpy(), tol=1e-12)
record("BA = [[23, 34], [31, 46]]", B @ A, expected=[[23, 34], [31, 46]])
record("not commutative: AB ≠ BA", bool(np.any((A @ B).numpy() != (B @ A).numpy())),
       expected=True)

# %% [markdown]
# ## A layer is a matrix multiplication: z = Wx + b
#
# Each layer of a network maps its input with a weight matrix W and adds a bias b.

# %%
W = gg.tensor([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]])
x = gg.tensor([1.0, 2.0, 3.0])
bias = gg.tensor([0.1, -0.2])
record("z = Wx + b", W @ x + bias, expected=[0.5 - 2 + 6 + 0.1, 1.5 - 1.5 - 0.2], tol=1e-12)

# %% [markdown]
# ## Norms: the size of a vector
#
# $\|x\|_2 = \sqrt{\sum_i x_i^2}$ (straight-line length, L2/ridge regularisation λ‖w‖₂²), ‖x‖₁ = Σ|xᵢ|
# (moving only along axes; lasso, sparse weights, pruning), ‖x‖∞ = maxᵢ|xᵢ| (robust
# optimisation). In 2-D the unit balls are a circle, a diamond and a square.

# %%
v = gg.tensor([3.0, -4.0])
record("‖[3, −4]‖₂", gg.linalg.norm(v), expected=5.0)
record("‖[3, −4]‖₁", gg.linalg.norm(v, ord=1), expected=7.0)
record("‖[3, −4]‖∞", gg.linalg.norm(v, ord=math.inf), expected=4.0)
record("∂‖x‖₂/∂x = x/‖x‖", gg.grad(gg.linalg.norm)(v), expected=[0.6, -0.8], tol=1e-12)
w = gg.tensor([0.5, -1.0, 2.0])
record("L2 penalty λ‖w‖₂² with λ = 0.01", 0.01 * gg.linalg.norm(w) ** 2,
       expected=0.01 * 5.25, tol=1e-12)
# L1 promotes sparse weights (lasso, pruning): proximal gradient descent on
# ½‖Xw − y‖²/n + λ‖w‖₁ sets useless weights exactly to 0; the L2 penalty only shrinks them.
rng = np.random.default_rng(5)
Xr = rng.standard_normal((200, 8))
true_w = np.array([3.0, 0, 0, -2.0, 0, 0, 0, 1.5])
yr = Xr @ true_w + 0.1 * rng.standard_normal(200)
loss_fit = lambda w_: 0.5 * gg.mean((gg.tensor(Xr) @ w_ - gg.tensor(yr)) ** 2)
w_l1, w_l2 = np.zeros(8), np.zeros(8)
for _ in range(300):
    w_l1 = w_l1 - 0.1 * gg.grad(loss_fit)(w_l1).numpy()
    w_l1 = np.sign(w_l1) * np.maximum(np.abs(w_l1) - 0.1 * 0.1, 0)  # soft threshold (prox of L1)
    w_l2 = w_l2 - 0.1 * gg.grad(lambda w_: loss_fit(w_) + 0.1 * gg.sum(w_**2))(w_l2).numpy()
record("L1: the 5 useless weights are exactly 0", np.abs(w_l1[true_w == 0]).max(), expected=0.0)
record("L2: none of them is exactly 0", bool(np.all(w_l2[true_w == 0] != 0)), expected=True)
fig, balls = gg.viz.unit_balls()
for p, pts in balls.items():
    record(f"every point of the p = {p} ball has norm 1",
           np.linalg.norm(pts, ord=p, axis=1), expected=np.ones(len(pts)), tol=1e-12)
savefig(fig, "norm_balls",
        caption="All points at distance 1 under each norm: the L1 ball is a diamond (its corners make lasso weights sparse), L2 a circle, L∞ a square.")

# %% [markdown]
# ## Distances and cosine similarity
#
# d₂(x, y) = ‖x − y‖₂ (k-NN, k-means, image similarity), d₁(x, y) = ‖x − y‖₁ (better for
# sparse high-dimensional data), and $\cos\theta = \frac{x \cdot y}{\|x\| \|y\|}$, which compares angles and
# ignores length (word embeddings, recommenders).

# %%
p, q = gg.tensor([1.0, 2.0]), gg.tensor([4.0, 6.0])
record("Euclidean distance (1,2)–(4,6)", gg.linalg.euclidean_distance(p, q), expected=5.0)
record("Manhattan distance (1,2)–(4,6)", gg.linalg.manhattan_distance(p, q), expected=7.0)
record("cosine similarity of [1, 0] and [1, 1]",
       gg.linalg.cosine_similarity(gg.tensor([1.0, 0.0]), gg.tensor([1.0, 1.0])),
       expected=1 / math.sqrt(2), tol=1e-12)
record("cosine ignores length: cos(x, 10x) = 1",
       gg.linalg.cosine_similarity(p, 10 * p), expected=1.0, tol=1e-12)

# k-nearest neighbours with the Euclidean distance: label each test digit (8×8 pixels, a
# point in 64 dimensions) like the closest training digit.
digits, labels = gg.data.load_digits()
train_x, test_x = digits[:1000], digits[1000:1300]
dist = gg.linalg.pairwise_distances(test_x, train_x)
brute = np.sqrt(((test_x.numpy()[:20, None] - train_x.numpy()[None]) ** 2).sum(-1))
record("pairwise Euclidean distances = √Σ(xᵢ − yᵢ)² (first 20 test digits)", dist[:20],
       expected=brute, tol=1e-9)
nearest = dist.numpy().argmin(axis=1)
knn_accuracy = float(np.mean(labels.numpy()[1000:1300] == labels.numpy()[:1000][nearest]))
record("1-NN test accuracy on the digits", knn_accuracy)
record("1-NN with the Euclidean distance: > 90% of test digits right", knn_accuracy > 0.9,
       expected=True)

# %% [markdown]
# ## Attention scores: dot products and a normalisation
#
# A transformer scores each key against a query by a dot product, scales by √d and turns
# the scores into weights with a softmax. The most similar key gets the most weight.

# %%
keys = gg.tensor([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 1.0, 1.0]])
query = gg.tensor([2.0, 0.0, 2.0, 0.0])
scores = keys @ query / math.sqrt(4)
record("scores qᵀkᵢ/√d", scores, expected=[2.0, 0.0, 2.0])
weights = gg.softmax(scores)
record("attention weights sum to 1", weights.sum(), expected=1.0, tol=1e-12)
record("attention weights", weights, expected=np.exp([2.0, 0, 2]) / np.exp([2.0, 0, 2]).sum(),
       tol=1e-12)

# %% [markdown]
# Two more products: the outer product abᵀ (a rank-1 matrix, (abᵀ)ᵢⱼ = aᵢbⱼ) and the
# Hadamard product a ⊙ b (elementwise, used by gates and masks).

# %%
outer = gg.reshape(a, (3, 1)) @ gg.reshape(b, (1, 3))
record("outer product [1,2,3]ᵀ[4,5,6]", outer, expected=[[4, 5, 6], [8, 10, 12], [12, 15, 18]])
record("its rank is 1", np.linalg.matrix_rank(outer.numpy()), expected=1)
record("Hadamard product [1,2,3] ⊙ [4,5,6]", a * b, expected=[4, 10, 18])

# %% [markdown]
# ## Eigenvalues and eigenvectors
#
# $Av = \lambda v$: $v$ is a direction the transformation does not bend, only stretches by λ. Solve
# $\det(A - \lambda I) = 0$. For A = [[2, 1], [1, 2]]: (2 − λ)² − 1 = 0, so λ = 1 and λ = 3.

# %%
S = gg.tensor([[2.0, 1.0], [1.0, 2.0]])
record("det(λI − A) = λ² − 4λ + 3", gg.linalg.characteristic_polynomial(S),
       expected=[1, -4, 3], tol=1e-12)
lams, vecs = gg.linalg.eig(S)
record("eigenvalues of [[2, 1], [1, 2]]", lams, expected=[1.0, 3.0], tol=1e-12)
for i in range(2):
    record(f"A v = λ v for λ = {lams[i].item():g}", S @ vecs[:, i],
           expected=(lams[i] * vecs[:, i]).numpy(), tol=1e-12)
lam_max, _ = gg.linalg.power_iteration(S, generator=0)
record("power iteration finds the largest, 3", lam_max, expected=3.0, tol=1e-9)
fig, info = gg.viz.eigen_transform()
savefig(fig, "eigen_transform",
        caption="The unit circle becomes an ellipse; along the eigenvectors the matrix only stretches, by its eigenvalues 3 and 1.")
savefig(playground.matrix_circle(), "matrix_slider")

# %% [markdown]
# ## Spectral clustering: eigenvectors of a graph Laplacian
#
# Two triangles of friends joined by one weak link. The Laplacian L = D − A (degree matrix
# minus adjacency) has eigenvalue 0 for the constant vector; the eigenvector of the second
# smallest eigenvalue (the Fiedler vector) changes sign exactly between the two groups.

# %%
adjacency = np.zeros((6, 6))
for i, j in [(0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5), (2, 3)]:
    adjacency[i, j] = adjacency[j, i] = 1.0
laplacian = gg.tensor(np.diag(adjacency.sum(1)) - adjacency)
lam_l, vec_l = gg.linalg.eig(laplacian)
record("smallest Laplacian eigenvalue is 0", lam_l[0], expected=0.0, tol=1e-9)
record("Laplacian eigenvalues = NumPy's", lam_l, expected=np.linalg.eigvalsh(laplacian.numpy()),
       tol=1e-8)
fiedler = vec_l[:, 1].numpy()
groups = fiedler > 0
record("the Fiedler vector splits {0,1,2} from {3,4,5}",
       groups.tolist() in ([True] * 3 + [False] * 3, [False] * 3 + [True] * 3), expected=True)

# %% [markdown]
# ## PCA: eigenvectors of the covariance are directions of maximum variance
#
# Σv = λv: the first principal component is the eigenvector with the largest eigenvalue, and
# the variance of the data projected on it is that eigenvalue.

# %%
rng = np.random.default_rng(0)
data = rng.standard_normal((500, 2)) @ np.array([[2.0, 0.0], [1.2, 0.5]])
centered = data - data.mean(axis=0)
cov = gg.tensor(centered.T @ centered / (len(data) - 1))
var, axes_ = gg.linalg.eig(cov)
first = axes_[:, 1]
record("variance along the first component = largest eigenvalue",
       np.var(centered @ first.numpy(), ddof=1), expected=var[1].item(), tol=1e-9)
record("eigenvalues = NumPy's eigvalsh of the covariance", var,
       expected=np.linalg.eigvalsh(cov.numpy()), tol=1e-9)
angles = np.linspace(0, np.pi, 181)
spread = [np.var(centered @ np.array([np.cos(t), np.sin(t)]), ddof=1) for t in angles]
record("no direction has more variance than PC1", max(spread) <= var[1].item() + 1e-9,
       expected=True)
pca = gg.linalg.PCA(n_components=2).fit(gg.tensor(data))
record("PCA explained variance = covariance eigenvalues",
       np.sort(np.asarray(pca.explained_variance_.numpy())), expected=var.numpy(),
       tol=1e-9)
fig, ax = plt.subplots(figsize=(4.5, 4.5))
ax.scatter(*data.T, s=4, alpha=0.4)
for lam, vec in zip(var.numpy(), axes_.numpy().T):
    ax.plot(*np.stack([data.mean(0), data.mean(0) + 2 * np.sqrt(lam) * vec]).T, "r-", lw=2)
ax.set_aspect("equal")
ax.set_title("principal components")
ax.set_xlabel("feature 1")
ax.set_ylabel("feature 2")
savefig(fig, "pca",
        caption="The red lines are the covariance's eigenvectors, each two standard deviations long: the first points along the cloud's longest spread.")

# %% [markdown]
# ## Eigenvalues in recurrent networks: exploding and vanishing gradients
#
# An RNN applies the same W at every step, so the gradient from k steps back is multiplied
# by W k times: it scales like |λ|ᵏ. |λ| > 1, gradients may explode; |λ| < 1, they vanish.

# %%
fig, norms = gg.viz.plot_rnn_gradients(radii=(0.9, 1.0, 1.1), steps=30)
for r, g in norms.items():
    record(f"|λ| = {r}: gradient 30 steps back / now = |λ|³⁰", g[0] / g[-1],
           expected=r**30, rtol=1e-9)
record("|λ| = 1.1 explodes (> 10×)", norms[1.1][0] / norms[1.1][-1] > 10, expected=True)
record("|λ| = 0.9 vanishes (< 0.1×)", norms[0.9][0] / norms[0.9][-1] < 0.1, expected=True)
savefig(fig, "rnn_gradients",
        caption="Backpropagating through time multiplies by the recurrent matrix again and again: spectral radius 0.9 vanishes, 1.1 explodes, only 1.0 keeps the gradient's size.")

# %% [markdown]
# ## Your turn
#
# 1. `ex1`: [[1, 2], [3, 4]] @ [1, 1]?
# 2. `ex2`: the cosine similarity of [1, 0] and [1, 1]?
# 3. `ex3`: the eigenvalues of [[4, 1], [2, 3]]?

# %%
# Replace each ... with your answer and run the cell: check marks it, and says why
# a wrong answer is wrong. The report shows a worked solution under each exercise.
ex1 = ...
ex2 = ...
ex3 = ...
check("linear-algebra", "ex1", ex1)
check("linear-algebra", "ex2", ex2)
check("linear-algebra", "ex3", ex3)
