# %% [markdown]
# # Probability: Bayes, expectation, variance and distributions
#
# All uncertainty in machine learning flows through a distribution. This lab works through
# Bayes' rule, a Naive Bayes spam filter in log space, expectation and variance, the
# bias-variance trade-off, and the Bernoulli and Gaussian families, ending with a Gaussian
# mixture and a Kalman filter.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

import glassgrad as gg
from glassgrad.labs import check, playground, record, savefig

# %% [markdown]
# ## Bayes' rule: the probability of a cause, given an effect
#
# $P(A \mid B) = \frac{P(B \mid A)\,P(A)}{P(B)}$: posterior = likelihood × prior / evidence, where the evidence
# P(B) sums over all causes. With A = "patient has the disease" and B = "test is positive":
# 1% of patients are ill, the test catches 99% of them and false-alarms on 5% of the healthy.

# %%
prior, sensitivity, false_alarm = 0.01, 0.99, 0.05
evidence = sensitivity * prior + false_alarm * (1 - prior)
posterior = sensitivity * prior / evidence
record("P(positive)", evidence, expected=0.0594, tol=1e-12)
record("P(disease | positive)", posterior, expected=0.0099 / 0.0594, tol=1e-12)
record("a positive test still means only ~17% ill", round(posterior, 2), expected=0.17)
log_post = math.log(sensitivity) + math.log(prior) - math.log(evidence)
record("log form: log P(A|B) = log P(B|A) + log P(A) − log P(B)", math.exp(log_post),
       expected=posterior, tol=1e-15)
result = gg.prob.bayes_rule(prior, sensitivity, false_alarm)
record("gg.prob.bayes_rule posterior", result.posterior, expected=posterior, tol=1e-12)
record("gg.prob.bayes_rule evidence", result.evidence, expected=evidence, tol=1e-12)

priors = np.linspace(0.001, 0.999, 200)
fig, ax = plt.subplots(figsize=(5, 3.5))
for lik, fa in [(0.99, 0.05), (0.9, 0.2), (0.6, 0.4)]:
    ax.plot(priors, lik * priors / (lik * priors + fa * (1 - priors)),
            label=f"P(+|ill) = {lik}, P(+|healthy) = {fa}")
ax.plot(priors, priors, "k:", label="no evidence")
ax.set_xlabel("prior P(ill)")
ax.set_ylabel("posterior P(ill | +)")
ax.legend(fontsize=7)
ax.set_title("stronger likelihoods reshape the prior more")
savefig(fig, "bayes_posterior",
        caption="The dotted diagonal is 'no evidence'. A good test lifts the posterior far above the prior, yet at a prior of 1% even the best test gives only 17%.")
savefig(playground.bayes_test(), "bayes_slider")

# %% [markdown]
# ## A Naive Bayes spam filter, in log space
#
# Assuming words independent given the class, $P(\text{spam} \mid \text{words}) \propto P(\text{spam}) \prod_i P(w_i \mid \text{spam})$.
# A long message multiplies hundreds of small numbers and underflows to 0.0 for both
# classes: the product form gives 0/0. Sums of logs do not underflow, and the posterior is
# normalised with logsumexp.

# %%
vocab = ["free", "win", "money", "meeting", "project", "lunch"]
train = np.array([  # word counts per message
    [3, 2, 2, 0, 0, 0], [2, 1, 3, 0, 0, 1], [1, 3, 1, 0, 1, 0],  # spam
    [0, 0, 0, 2, 3, 1], [0, 0, 1, 1, 2, 2], [1, 0, 0, 3, 1, 1],  # ham
])
labels = np.array([1, 1, 1, 0, 0, 0])
counts = np.stack([train[labels == c].sum(0) for c in (0, 1)]) + 1.0  # Laplace smoothing
log_word = gg.log(gg.tensor(counts / counts.sum(1, keepdims=True)))  # log P(w | class)
log_prior = gg.log(gg.tensor([0.5, 0.5]))


def log_posterior(message):
    joint = log_prior + (log_word * gg.tensor(message)).sum(axis=1)
    return joint - gg.logsumexp(joint)


short = np.array([2, 1, 1, 0, 0, 0])
p_word = counts / counts.sum(1, keepdims=True)
product = 0.5 * np.prod(p_word ** short, axis=1)
record("short message: log space = product form", gg.exp(log_posterior(short)),
       expected=product / product.sum(), tol=1e-12)
record("P(spam | 'free free win money')", gg.exp(log_posterior(short))[1])

long_msg = short * 150
with np.errstate(under="ignore"):
    product_long = 0.5 * np.prod(p_word ** long_msg, axis=1)
record("long message, product form: both classes underflow to 0.0", product_long,
       expected=[0.0, 0.0])
post_long = gg.exp(log_posterior(long_msg))
record("long message, log space: a proper posterior", post_long.sum(), expected=1.0,
       tol=1e-12)
record("long message: confidently spam", post_long[1].item() > 0.999, expected=True)
nb = gg.prob.MultinomialNB(alpha=1.0).fit(gg.tensor(train.astype(float)), gg.tensor(labels))
record("gg.prob.MultinomialNB agrees",
       nb.predict_proba(gg.tensor(short[None].astype(float)))[0],
       expected=gg.exp(log_posterior(short)).numpy(), tol=1e-9)

# For binary features (is the word present?) Bernoulli Naive Bayes uses
# P(x | y) = Πᵢ pᵢ^xᵢ (1 − pᵢ)^(1 − xᵢ): an absent word is evidence too.
present = (train > 0).astype(float)
p_present = np.stack([(present[labels == c].sum(0) + 1) / (np.sum(labels == c) + 2)
                      for c in (0, 1)])
query = (short > 0).astype(float)
joint_b = np.log(0.5) + (query * np.log(p_present) + (1 - query) * np.log(1 - p_present)).sum(1)
bnb = gg.prob.BernoulliNB(alpha=1.0).fit(gg.tensor(present), gg.tensor(labels))
record("gg.prob.BernoulliNB = the Bernoulli product by hand",
       bnb.predict_proba(gg.tensor(query[None]))[0],
       expected=np.exp(joint_b - np.logaddexp.reduce(joint_b)), tol=1e-9)

# %% [markdown]
# ## Expectation and variance
#
# $E[X] = \sum_i x_i P(x_i)$ is the centre of mass; $\mathrm{Var}(X) = E[(X - E[X])^2] = E[X^2] - E[X]^2$ is the
# spread. A coin with P(1) = 0.7 has E[X] = 0·0.3 + 1·0.7 = 0.7. X ∈ {1, 3} with equal
# probability has E[X] = 2 and Var(X) = 0.5(1² + 3²) − 2² = 5 − 4 = 1.

# %%
def expectation(values, probs):
    return gg.sum(gg.tensor(values) * gg.tensor(probs))


def variance(values, probs):
    mean = expectation(values, probs)
    return expectation(np.asarray(values, float) ** 2, probs) - mean**2


record("coin with P(1) = 0.7: E[X]", expectation([0.0, 1.0], [0.3, 0.7]), expected=0.7,
       tol=1e-15)
record("X ∈ {1, 3}: E[X]", expectation([1.0, 3.0], [0.5, 0.5]), expected=2.0)
record("X ∈ {1, 3}: Var = E[X²] − E[X]²", variance([1.0, 3.0], [0.5, 0.5]), expected=1.0)
record("X ∈ {1, 3}: Var = E[(X − E[X])²]",
       expectation((np.array([1.0, 3.0]) - 2.0) ** 2, [0.5, 0.5]), expected=1.0)
record("gg.prob.expectation (coin)", gg.prob.expectation([0.0, 1.0], [0.3, 0.7]),
       expected=0.7, tol=1e-12)
record("gg.prob.variance ({1, 3})", gg.prob.variance([1.0, 3.0], [0.5, 0.5]),
       expected=1.0, tol=1e-12)

# %% [markdown]
# In supervised learning the model predicts ŷ = E[Y | X]: the expected label minimises
# the expected squared error. Gradient descent on mean((c − y)²) finds the sample mean.

# %%
ys = np.random.default_rng(0).normal(3.0, 2.0, size=1000)
c = gg.Tensor(0.0, requires_grad=True)
opt = gg.optim.SGD([c], lr=0.1)
for _ in range(100):
    opt.zero_grad()
    gg.mean((c - gg.tensor(ys)) ** 2).backward()
    opt.step()
record("argmin_c E[(c − Y)²] = mean of Y", c, expected=ys.mean(), tol=1e-9)

# %% [markdown]
# ## The bias-variance trade-off
#
# Error = Bias² + Variance + Irreducible error. Bias is the error from wrong assumptions
# (a straight line for a curve); variance is the sensitivity to the training set. We fit
# polynomials of degree 1, 3 and 9 to 300 noisy training sets drawn from sin(x).

# %%
rng = np.random.default_rng(0)
x_train, x_test = np.linspace(-3, 3, 20), np.linspace(-2.5, 2.5, 50)
truth, noise = np.sin(x_test), 0.3
table = {}
for degree in (1, 3, 9):
    preds = np.array([np.polyval(np.polyfit(x_train, np.sin(x_train) + rng.normal(0, noise, 20),
                                            degree), x_test) for _ in range(300)])
    bias2 = np.mean((preds.mean(0) - truth) ** 2)
    var = np.mean(preds.var(0))
    mse = np.mean((preds - truth) ** 2)
    table[degree] = (bias2, var)
    record(f"degree {degree}: E[(f − f̂)²] = bias² + variance", mse, expected=bias2 + var,
           tol=1e-12)
    # Least squares is linear in y, so both terms have closed forms: the fit of the
    # noise-free curve gives the bias, σ²·diag(V_test (VᵀV)⁻¹ V_testᵀ) the variance.
    V, Vt = np.vander(x_train, degree + 1), np.vander(x_test, degree + 1)
    exact_bias2 = np.mean((Vt @ np.linalg.lstsq(V, np.sin(x_train), rcond=None)[0] - truth) ** 2)
    exact_var = noise**2 * np.mean(np.sum((Vt @ np.linalg.inv(V.T @ V)) * Vt, axis=1))
    record(f"degree {degree}: variance ≈ closed form (20%)", var, expected=exact_var,
           rtol=0.2)
    record(f"degree {degree}: bias² ≈ closed form", bias2, expected=exact_bias2,
           tol=0.2 * exact_var / 30, rtol=0.05)
record("bias falls from degree 1 to 3", table[1][0] > 10 * table[3][0], expected=True)
record("variance rises with degree", table[1][1] < table[3][1] < table[9][1], expected=True)
# Regularisation controls variance: the ridge fit w = (VᵀV + λI)⁻¹Vᵀy of degree 9 (on x/3,
# so that all powers have similar sizes) moves less with the training set than the plain fit.
V9, Vt9 = np.vander(x_train / 3, 10), np.vander(x_test / 3, 10)
ridge_var = {}
for lam in (0.0, 0.1):
    to_pred = Vt9 @ np.linalg.solve(V9.T @ V9 + lam * np.eye(10), V9.T)  # ŷ = to_pred @ y
    preds = np.array([to_pred @ (np.sin(x_train) + rng.normal(0, noise, 20)) for _ in range(300)])
    ridge_var[lam] = np.mean(preds.var(0))
    record(f"degree 9, λ = {lam}: variance ≈ σ²·mean Σⱼ(to_pred)²ᵢⱼ (20%)", ridge_var[lam],
           expected=noise**2 * np.mean(np.sum(to_pred**2, axis=1)), rtol=0.2)
record("the L2 penalty (λ = 0.1) more than halves the variance", ridge_var[0.1] < ridge_var[0.0] / 2,
       expected=True)
V, Vt = np.vander(x_train, 2), np.vander(x_test, 2)
bv = gg.prob.bias_variance_decomposition(lambda: gg.prob.PolynomialRegression(1), x_train,
                                         None, x_test, np.sin, n_rounds=300, method="fresh",
                                         noise_std=noise, generator=0)
record("gg.prob.bias_variance_decomposition, degree 1: bias²", bv.bias2,
       expected=np.mean((Vt @ np.linalg.lstsq(V, np.sin(x_train), rcond=None)[0]
                         - truth) ** 2), rtol=0.05)
record("its noise term is σ²", bv.noise, expected=noise**2, tol=1e-12)
fig, ax = plt.subplots(figsize=(5, 3))
degrees = list(table)
ax.plot(degrees, [table[d][0] for d in degrees], "o-", label="bias²")
ax.plot(degrees, [table[d][1] for d in degrees], "s-", label="variance")
ax.set_xlabel("polynomial degree")
ax.set_ylabel("error (log scale)")
ax.set_yscale("log")
ax.legend()
savefig(fig, "bias_variance",
        caption="As the degree grows the bias² falls and the variance rises: the best model balances the two.")

# %% [markdown]
# ## The Bernoulli distribution
#
# $P(X = x) = p^x (1 - p)^{1 - x}$ for $x \in \{0, 1\}$; E[X] = p, Var(X) = p(1 − p). A binary classifier
# outputs p = sigmoid(z) and the label is y ~ Bernoulli(p).

# %%
z = gg.tensor(0.8472978603872037)  # logit of 0.7
p = gg.sigmoid(z)
record("sigmoid(z) = p = 0.7", p, expected=0.7, tol=1e-12)
pmf = lambda x: p**x * (1 - p) ** (1 - x)
record("P(X=1), P(X=0)", [pmf(1.0).item(), pmf(0.0).item()], expected=[0.7, 0.3], tol=1e-12)
record("Bernoulli mean", expectation([0.0, 1.0], [0.3, 0.7]), expected=0.7, tol=1e-15)
record("Bernoulli variance p(1 − p)", variance([0.0, 1.0], [0.3, 0.7]), expected=0.21,
       tol=1e-15)
draws = np.random.default_rng(1).random(20000) < p.item()
record("sample mean of 20000 draws ≈ p (within 4σ)",
       abs(draws.mean() - 0.7) < 4 * math.sqrt(0.21 / 20000), expected=True)
bern = gg.prob.Bernoulli(probs=0.7)
record("gg.prob.Bernoulli mean, variance", [bern.mean.item(), bern.variance.item()],
       expected=[0.7, 0.21], tol=1e-12)
record("gg.prob.Bernoulli log_prob(1)", bern.log_prob(gg.tensor(1.0)), expected=math.log(0.7),
       tol=1e-12)
fig, bars = gg.viz.bernoulli_bars((0.3, 0.7))
savefig(fig, "bernoulli",
        caption="A Bernoulli coin has mean p and standard deviation √(p(1 − p)): p = 0.3 and p = 0.7 are mirror images with the same spread.")

# %% [markdown]
# ## The Gaussian distribution
#
# $p(x) = \frac{1}{\sqrt{2\pi\sigma^2}} \exp\left(-\frac{(x - \mu)^2}{2\sigma^2}\right)$, with E[X] = μ and Var(X) = σ². Wider curves have
# larger variance. Numerical integrals of the density check all three facts.

# %%
mu, sigma = 1.0, 2.0
normal_pdf = lambda x: gg.exp(-((x - mu) ** 2) / (2 * sigma**2)) / math.sqrt(2 * math.pi * sigma**2)
grid = np.linspace(mu - 12 * sigma, mu + 12 * sigma, 20001)
dens = normal_pdf(gg.tensor(grid)).numpy()
record("∫ p(x) dx = 1", np.trapezoid(dens, grid), expected=1.0, tol=1e-9)
record("∫ x p(x) dx = μ", np.trapezoid(grid * dens, grid), expected=mu, tol=1e-9)
record("∫ (x − μ)² p(x) dx = σ²", np.trapezoid((grid - mu) ** 2 * dens, grid),
       expected=sigma**2, tol=1e-8)
normal = gg.prob.Normal(mu, sigma)
record("gg.prob.Normal log_prob = log of the formula", normal.log_prob(gg.tensor(2.5)),
       expected=math.log(normal_pdf(gg.tensor(2.5)).item()), tol=1e-12)
# Reparameterisation (as in VAEs): $x = \mu + \sigma \varepsilon$ keeps samples differentiable in μ and σ.
# E[x²] = μ² + σ², so its gradient is (2μ, 2σ) = (2, 4); the Monte Carlo one is close.
loc, scale = gg.Tensor(1.0, requires_grad=True), gg.Tensor(2.0, requires_grad=True)
g_loc, g_scale = gg.grad(lambda m, s_: gg.mean(
    gg.prob.Normal(m, s_).rsample((20000,), generator=0) ** 2), argnums=(0, 1))(loc, scale)
record("∂E[x²]/∂μ by reparameterised samples ≈ 2μ = 2", g_loc, expected=2.0, tol=0.1)
record("∂E[x²]/∂σ by reparameterised samples ≈ 2σ = 4", g_scale, expected=4.0, tol=0.15)
# Regression assumes Normal residuals: −log p(y | ŷ, σ = 1) = (y − ŷ)²/2 + log √(2π), so
# maximising the Gaussian likelihood is minimising the squared error.
y_obs, y_hat = np.array([2.0, -0.5, 1.2]), gg.tensor([1.5, 0.0, 1.0])
gauss_nll = lambda yh: -gg.mean(gg.prob.Normal(yh, 1.0).log_prob(gg.tensor(y_obs)))
record("Gaussian NLL (σ = 1) = MSE/2 + log √(2π)", gauss_nll(y_hat),
       expected=np.mean((y_obs - y_hat.numpy()) ** 2) / 2 + 0.5 * math.log(2 * math.pi),
       tol=1e-12)
record("its gradient in ŷ = the gradient of MSE/2", gg.grad(gauss_nll)(y_hat),
       expected=(y_hat.numpy() - y_obs) / 3, tol=1e-12)
fig, curves = gg.viz.gaussian_curves()
ax = fig.axes[0]
ax.axvline(0.0, color="k", lw=0.8)
ax.axvspan(-1.0, 1.0, alpha=0.1, label="μ ± σ of N(0, 1)")
ax.legend(fontsize=7)
savefig(fig, "gaussians",
        caption="μ moves the bell, σ widens it; because the area is always 1 a wider bell is lower.")
savefig(playground.gaussian(), "gaussian_slider")

# %% [markdown]
# ## The multivariate Gaussian
#
# p(x) = exp(−½(x − μ)ᵀΣ⁻¹(x − μ))/√((2π)ᵈ|Σ|) with mean vector μ and covariance Σ.

# %%
mean = np.array([1.0, -1.0])
cov = np.array([[2.0, 0.8], [0.8, 1.0]])
point = np.array([0.5, 0.0])
diff = gg.tensor(point - mean)
maha = diff @ gg.tensor(np.linalg.inv(cov)) @ diff
mvn_pdf = gg.exp(-0.5 * maha) / math.sqrt((2 * math.pi) ** 2 * np.linalg.det(cov))
independent = (math.exp(-((0.5 - 1) ** 2) / 4) / math.sqrt(4 * math.pi)
               * math.exp(-1 / 2) / math.sqrt(2 * math.pi))
record("with Σ diagonal the density factorises",
       gg.exp(-0.5 * (diff @ gg.tensor(np.diag([0.5, 1.0])) @ diff))
       / math.sqrt((2 * math.pi) ** 2 * 2.0), expected=independent, tol=1e-15)
record("density at (0.5, 0)", mvn_pdf)
g1, g2 = np.meshgrid(np.linspace(-9, 11, 401), np.linspace(-9, 7, 321), indexing="ij")
dev = np.stack([g1 - mean[0], g2 - mean[1]], axis=-1)
quad = np.einsum("...i,ij,...j->...", dev, np.linalg.inv(cov), dev)
dens2 = np.exp(-0.5 * quad) / math.sqrt((2 * math.pi) ** 2 * np.linalg.det(cov))
record("∫∫ p(x) dx = 1", np.trapezoid(np.trapezoid(dens2, g2[0], axis=1), g1[:, 0]),
       expected=1.0, tol=1e-6)
samples = np.random.default_rng(2).multivariate_normal(mean, cov, size=20000)
record("sample covariance ≈ Σ (within 0.06)", np.abs(np.cov(samples.T) - cov).max() < 0.06,
       expected=True)
mvn = gg.prob.MultivariateNormal(gg.tensor(mean), covariance_matrix=gg.tensor(cov))
record("gg.prob.MultivariateNormal log_prob", mvn.log_prob(gg.tensor(point)),
       expected=math.log(mvn_pdf.item()), tol=1e-12)

# %% [markdown]
# ## A Gaussian mixture: soft cluster assignments by Bayes' rule
#
# Data from two Gaussians. Expectation-maximisation alternates: the E-step gives each point
# its posterior responsibility for each component (Bayes' rule), the M-step refits weights,
# means and variances. Each iteration never lowers the log-likelihood.

# %%
rng = np.random.default_rng(3)
data = np.concatenate([rng.normal(-2.0, 0.7, 300), rng.normal(3.0, 1.0, 200)])
weights, means, sds = np.array([0.5, 0.5]), np.array([-1.0, 1.0]), np.array([1.0, 1.0])
loglik = []
for _ in range(40):
    log_joint = (np.log(weights) - 0.5 * np.log(2 * np.pi * sds**2)
                 - (data[:, None] - means) ** 2 / (2 * sds**2))
    log_evidence = gg.logsumexp(gg.tensor(log_joint), axis=1)
    loglik.append(log_evidence.sum().item())
    resp = np.exp(log_joint - log_evidence.numpy()[:, None])  # E-step: P(component | x)
    nk = resp.sum(0)  # M-step
    weights, means = nk / len(data), (resp * data[:, None]).sum(0) / nk
    sds = np.sqrt((resp * (data[:, None] - means) ** 2).sum(0) / nk)
record("EM: log-likelihood never decreases", bool(np.all(np.diff(loglik) >= -1e-9)),
       expected=True)
record("recovered means ≈ (−2, 3)", means, expected=[-2.0, 3.0], tol=0.15)
record("recovered weights ≈ (0.6, 0.4)", weights, expected=[0.6, 0.4], tol=0.03)
gm = gg.prob.GaussianMixture(2, max_iter=200, tol=1e-10, means_init=[[-1.0], [1.0]])
gm.fit(data[:, None])
record("gg.prob.GaussianMixture means = the EM above", np.sort(gm.means_.ravel()),
       expected=np.sort(means), tol=1e-3)
xs = np.linspace(-5, 7, 300)
fig, ax = plt.subplots(figsize=(5, 3))
ax.hist(data, bins=40, density=True, alpha=0.4)
for w_, m_, s_ in zip(weights, means, sds):
    ax.plot(xs, w_ * np.exp(-((xs - m_) ** 2) / (2 * s_**2)) / np.sqrt(2 * np.pi * s_**2))
ax.set_title("two-component Gaussian mixture fitted by EM")
ax.set_xlabel("x")
ax.set_ylabel("density")
savefig(fig, "gaussian_mixture",
        caption="The histogram has two humps; EM finds one Gaussian per hump, each weighted by its share of the data.")

# %% [markdown]
# ## A Kalman filter: Gaussian beliefs about a moving state
#
# A position follows a random walk (process variance q) and is measured with noise
# (variance r). The belief stays Gaussian: predict (variance P + q), then update with the
# measurement, weighting it by the Kalman gain K = P⁻/(P⁻ + r). The variance settles where
# P² + qP − qr = 0, and the filtered track is closer to the truth than the raw measurements.

# %%
q, r, steps = 0.05, 1.0, 400
rng = np.random.default_rng(4)
truth = np.cumsum(rng.normal(0, math.sqrt(q), steps))
measured = truth + rng.normal(0, math.sqrt(r), steps)
est, P, track = 0.0, 10.0, []
for zk in measured:
    P_pred = P + q
    K = P_pred / (P_pred + r)
    est = est + K * (zk - est)
    P = (1 - K) * P_pred
    track.append(est)
track = np.array(track)
record("steady-state variance solves P² + qP − qr = 0", P,
       expected=(-q + math.sqrt(q * q + 4 * q * r)) / 2, tol=1e-12)
kf = gg.prob.KalmanFilter(initial_mean=0.0, initial_var=10.0, process_var=q,
                          observation_var=r)
kf_means, kf_vars = kf.filter(measured)
record("gg.prob.KalmanFilter = the loop above", np.asarray(kf_means), expected=track,
       tol=1e-12)
rmse_filter = np.sqrt(np.mean((track - truth) ** 2))
rmse_raw = np.sqrt(np.mean((measured - truth) ** 2))
record("RMSE of measurements", rmse_raw)
record("RMSE of the Kalman estimate", rmse_filter)
record("the filter beats the raw measurements", rmse_filter < 0.6 * rmse_raw, expected=True)
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(measured, ".", markersize=2, alpha=0.4, label="measurements")
ax.plot(truth, "k", lw=1, label="true position")
ax.plot(track, "r", lw=1, label="Kalman estimate")
ax.set_xlabel("time step")
ax.set_ylabel("position")
ax.legend(fontsize=7)
savefig(fig, "kalman",
        caption="The Kalman estimate follows the true position far more closely than the scattered measurements it is built from.")

# %% [markdown]
# ## Your turn
#
# 1. `ex1`: 1% have the disease, the test catches 99% and false-alarms 5%: P(disease | +)?
# 2. `ex2`: the variance of a Bernoulli(0.7) coin?
# 3. `ex3`: the variance of a fair six-sided die?

# %%
# Replace each ... with your answer and run the cell: check marks it, and says why
# a wrong answer is wrong. The report shows a worked solution under each exercise.
ex1 = ...
ex2 = ...
ex3 = ...
check("probability", "ex1", ex1)
check("probability", "ex2", ex2)
check("probability", "ex3", ex3)
