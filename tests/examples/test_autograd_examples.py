"""HIPS autograd's example programs, run on glassgrad with only the imports changed.

Each program below is written as autograd's examples write it (``np``, ``npr``, ``grad``,
``logsumexp``, ``mvn``, ``norm``, lists/tuples/dicts of parameters, ``scipy.optimize``), with
``import glassgrad.numpy as np`` in place of ``import autograd.numpy as np``. Values and
gradients are checked against independent oracles: PyTorch in float64 for the same model,
closed-form gradients, central differences of a plain NumPy/SciPy implementation, and
scikit-learn.
"""

import numpy as onp
import pytest
import scipy.optimize
import scipy.stats

import glassgrad.numpy as np
import glassgrad.numpy.random as npr
import glassgrad.scipy.stats.multivariate_normal as mvn
import glassgrad.scipy.stats.norm as norm
from glassgrad import grad, value_and_grad
from glassgrad.scipy.special import logsumexp
from glassgrad.testing import assert_close

torch = pytest.importorskip("torch")


def _t(a):
    return torch.tensor(onp.asarray(a), dtype=torch.float64, requires_grad=True)


def _g(x):
    """An ndarray from a glassgrad or torch Tensor (or an ndarray)."""
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return x.numpy() if hasattr(x, "numpy") else onp.asarray(x)


# ----- neural net classifier (examples/neural_net.py) ------------------------------------------
def init_random_params(scale, layer_sizes, rs=npr.RandomState(0)):  # noqa: B008 (as written)
    return [
        (scale * rs.randn(m, n), scale * rs.randn(n))
        for m, n in zip(layer_sizes[:-1], layer_sizes[1:], strict=False)
    ]


def neural_net_predict(params, inputs):
    for W, b in params:
        outputs = np.dot(inputs, W) + b
        inputs = np.tanh(outputs)
    return outputs - logsumexp(outputs, axis=1, keepdims=True)


def l2_norm(params):
    # autograd flattens with autograd.misc.flatten; a concatenation of the raveled leaves
    flattened = np.concatenate([np.ravel(a) for layer in params for a in layer])
    return np.dot(flattened, flattened)


def log_posterior(params, inputs, targets, L2_reg):
    log_prior = -L2_reg * l2_norm(params)
    log_lik = np.sum(neural_net_predict(params, inputs) * targets)
    return log_prior + log_lik


def accuracy(params, inputs, targets):
    target_class = np.argmax(targets, axis=1)
    predicted_class = np.argmax(neural_net_predict(params, inputs), axis=1)
    return np.mean(predicted_class == target_class)


def test_neural_net_classifier_matches_torch():
    rs = npr.RandomState(1)
    inputs = rs.randn(30, 6)
    targets = onp.eye(3)[rs.randint(0, 3, size=30)]
    params = init_random_params(0.5, [6, 5, 4, 3], rs=npr.RandomState(0))
    objective = lambda params: -log_posterior(params, inputs, targets, 0.1)
    value, g = value_and_grad(objective)(params)

    tparams = [(_t(W), _t(b)) for W, b in params]
    h = torch.tensor(inputs)
    for W, b in tparams:
        out = h @ W + b
        h = torch.tanh(out)
    logp = out - torch.logsumexp(out, dim=1, keepdim=True)
    l2 = sum((W**2).sum() + (b**2).sum() for W, b in tparams)
    tvalue = -(-0.1 * l2 + (logp * torch.tensor(targets)).sum())
    tvalue.backward()
    assert_close(value, tvalue.item(), rtol=1e-12)
    for (gW, gb), (W, b) in zip(g, tparams, strict=True):
        assert_close(gW, W.grad.numpy(), rtol=1e-10, atol=1e-12)
        assert_close(gb, b.grad.numpy(), rtol=1e-10, atol=1e-12)

    before = float(accuracy(params, inputs, targets))
    for _ in range(200):  # plain gradient descent on the list of (W, b) tuples
        g = grad(objective)(params)
        params = [
            (W - 0.01 * gW, b - 0.01 * gb) for (W, b), (gW, gb) in zip(params, g, strict=True)
        ]
    assert float(accuracy(params, inputs, targets)) > before


# ----- logistic regression (examples/logistic_regression.py) ------------------------------------
def sigmoid(x):
    return 0.5 * (np.tanh(x) + 1.0)


def predictions(weights, inputs):
    return sigmoid(np.dot(inputs, weights))


def loss(weights, inputs, targets):
    preds = predictions(weights, inputs)
    log_lik = np.sum(np.log(preds) * targets) + np.sum(np.log(1 - preds) * (1 - targets))
    return -log_lik


def test_logistic_regression_gradient_and_fit():
    npr.seed(0)
    true_weights = npr.randn(5)
    train_inputs = npr.randn(200, 5)
    train_targets = npr.rand(200) > predictions(true_weights, train_inputs)
    training_loss = lambda weights: loss(weights, train_inputs, train_targets)
    init_weights = npr.randn(5)

    X, y, w = _g(train_inputs), _g(train_targets).astype(float), _g(init_weights)
    p = 1.0 / (1.0 + onp.exp(-2.0 * X @ w))  # the program's sigmoid is (tanh(x) + 1)/2 = σ(2x)
    closed_form = 2.0 * X.T @ (p - y)  # d/dw of the negative log-likelihood
    assert_close(grad(training_loss)(init_weights), closed_form, rtol=1e-10, atol=1e-12)
    assert_close(training_loss(init_weights), -onp.sum(y * onp.log(p) + (1 - y) * onp.log1p(-p)))

    result = scipy.optimize.minimize(
        value_and_grad(training_loss), x0=init_weights, jac=True, method="CG"
    )
    assert result.success
    from sklearn.linear_model import LogisticRegression

    ref = LogisticRegression(penalty=None, fit_intercept=False, tol=1e-10, max_iter=10_000)
    assert_close(2.0 * result.x, ref.fit(X, y).coef_[0], rtol=1e-4, atol=1e-4)


# ----- Gaussian process regression (examples/gaussian_process.py) --------------------------------
def make_gp_funs(cov_func, num_cov_params):
    def unpack_kernel_params(params):
        mean = params[0]
        cov_params = params[2:]
        noise_scale = np.exp(params[1]) + 0.0001
        return mean, cov_params, noise_scale

    def predict(params, x, y, xstar):
        mean, cov_params, noise_scale = unpack_kernel_params(params)
        cov_f_f = cov_func(cov_params, xstar, xstar)
        cov_y_f = cov_func(cov_params, x, xstar)
        cov_y_y = cov_func(cov_params, x, x) + noise_scale * np.eye(len(y))
        pred_mean = mean + np.dot(np.linalg.solve(cov_y_y, cov_y_f).T, y - mean)
        pred_cov = cov_f_f - np.dot(np.linalg.solve(cov_y_y, cov_y_f).T, cov_y_f)
        return pred_mean, pred_cov

    def log_marginal_likelihood(params, x, y):
        mean, cov_params, noise_scale = unpack_kernel_params(params)
        cov_y_y = cov_func(cov_params, x, x) + noise_scale * np.eye(len(y))
        prior_mean = mean * np.ones(len(y))
        return mvn.logpdf(y, prior_mean, cov_y_y)

    return num_cov_params + 2, predict, log_marginal_likelihood


def rbf_covariance(kernel_params, x, xp):
    output_scale = np.exp(kernel_params[0])
    lengthscales = np.exp(kernel_params[1:])
    diffs = np.expand_dims(x / lengthscales, 1) - np.expand_dims(xp / lengthscales, 0)
    return output_scale * np.exp(-0.5 * np.sum(diffs**2, axis=2))


def build_toy_dataset(D=1, n_data=20, noise_std=0.1):
    rs = npr.RandomState(0)
    inputs = np.concatenate(
        [np.linspace(0, 3, num=n_data // 2), np.linspace(6, 8, num=n_data // 2)]
    )
    targets = (np.cos(inputs) + rs.randn(n_data) * noise_std) / 2.0
    inputs = (inputs - 4.0) / 2.0
    inputs = inputs.reshape((len(inputs), D))
    return inputs, targets


def _lml_numpy(params, x, y):
    """The same marginal likelihood in plain NumPy and SciPy (the oracle)."""
    noise = onp.exp(params[1]) + 0.0001
    d = (x[:, None, :] - x[None, :, :]) / onp.exp(params[3:])
    K = onp.exp(params[2]) * onp.exp(-0.5 * onp.sum(d**2, axis=2)) + noise * onp.eye(len(y))
    return scipy.stats.multivariate_normal.logpdf(y, params[0] * onp.ones(len(y)), K)


def test_gaussian_process_marginal_likelihood_and_its_gradient():
    D = 2
    num_params, predict, log_marginal_likelihood = make_gp_funs(rbf_covariance, D + 1)
    X, y = build_toy_dataset(D=1)
    X = np.concatenate([X, np.cos(X)], axis=1)  # two input dimensions: two lengthscales
    objective = lambda params: -log_marginal_likelihood(params, X, y)
    params = 0.1 * npr.RandomState(0).randn(num_params)

    value, g = value_and_grad(objective)(params)
    x_np, y_np, p_np = _g(X), _g(y), _g(params)
    assert_close(value, -_lml_numpy(p_np, x_np, y_np), rtol=1e-12)
    fd = onp.zeros(num_params)
    for i in range(num_params):
        e = onp.eye(num_params)[i] * 1e-6
        fd[i] = -(_lml_numpy(p_np + e, x_np, y_np) - _lml_numpy(p_np - e, x_np, y_np)) / 2e-6
    assert_close(g, fd, rtol=1e-6, atol=1e-7)

    result = scipy.optimize.minimize(
        value_and_grad(objective), params, jac=True, method="CG", options={"maxiter": 30}
    )
    assert result.fun < float(value) - 1.0
    xs = np.reshape(np.linspace(-7, 7, 5), (5, 1))
    pred_mean, pred_cov = predict(result.x, X[:, :1], y, xs)
    assert pred_mean.shape == (5,) and pred_cov.shape == (5, 5)
    assert onp.all(_g(np.diag(pred_cov)) > -1e-9)


# ----- black-box variational inference (examples/black_box_svi.py) ------------------------------
def black_box_variational_inference(logprob, D, num_samples):
    def unpack_params(params):
        mean, log_std = params[:D], params[D:]
        return mean, log_std

    def gaussian_entropy(log_std):
        return 0.5 * D * (1.0 + np.log(2 * np.pi)) + np.sum(log_std)

    rs = npr.RandomState(0)

    def variational_objective(params, t):
        mean, log_std = unpack_params(params)
        samples = rs.randn(num_samples, D) * np.exp(log_std) + mean
        lower_bound = gaussian_entropy(log_std) + np.mean(logprob(samples, t))
        return -lower_bound

    gradient = grad(variational_objective)
    return variational_objective, gradient, unpack_params


def log_posterior_2d(x, t):
    mu, log_sigma = x[:, 0], x[:, 1]
    prior = norm.logpdf(log_sigma, 0, 1.35)
    likelihood = norm.logpdf(mu, 0, np.exp(log_sigma))
    return prior + likelihood


def test_black_box_svi_gradient_matches_torch():
    D, S = 2, 500
    _, gradient, _ = black_box_variational_inference(log_posterior_2d, D, num_samples=S)
    params = np.concatenate([-1 * np.ones(D), -2 * np.ones(D)])
    g = gradient(params, 0)

    eps = torch.tensor(npr.RandomState(0).randn(S, D))  # the draws the program made
    tp = _t(_g(params))
    mean, log_std = tp[:D], tp[D:]
    x = eps * torch.exp(log_std) + mean
    scale = torch.tensor(1.35, dtype=torch.float64)  # a Python float would become float32
    prior = torch.distributions.Normal(0.0, scale).log_prob(x[:, 1])
    lik = torch.distributions.Normal(0.0, torch.exp(x[:, 1])).log_prob(x[:, 0])
    entropy = 0.5 * D * (1.0 + onp.log(2 * onp.pi)) + log_std.sum()
    (-(entropy + (prior + lik).mean())).backward()
    assert_close(g, tp.grad.numpy(), rtol=1e-10, atol=1e-12)

    # a few Adam-free steps of gradient descent raise the lower bound
    objective, gradient, _ = black_box_variational_inference(log_posterior_2d, D, S)
    start = float(objective(params, 0))
    for t in range(100):
        params = params - 0.05 * gradient(params, t)
    assert float(objective(params, 0)) < start


# ----- recurrent neural net (examples/rnn.py) -----------------------------------------------------
def concat_and_multiply(weights, *args):
    cat_state = np.hstack(args + (np.ones((args[0].shape[0], 1)),))
    return np.dot(cat_state, weights)


def create_rnn_params(
    input_size,
    state_size,
    output_size,
    param_scale=0.01,
    rs=npr.RandomState(0),  # noqa: B008
):
    return {
        "init hiddens": rs.randn(1, state_size) * param_scale,
        "change": rs.randn(input_size + state_size + 1, state_size) * param_scale,
        "predict": rs.randn(state_size + 1, output_size) * param_scale,
    }


def rnn_predict(params, inputs):
    def update_rnn(input, hiddens):
        return np.tanh(concat_and_multiply(params["change"], input, hiddens))

    def hiddens_to_output_probs(hiddens):
        output = concat_and_multiply(params["predict"], hiddens)
        return output - logsumexp(output, axis=1, keepdims=True)

    num_sequences = inputs.shape[1]
    hiddens = np.repeat(params["init hiddens"], num_sequences, axis=0)
    output = [hiddens_to_output_probs(hiddens)]
    for input in inputs:
        hiddens = update_rnn(input, hiddens)
        output.append(hiddens_to_output_probs(hiddens))
    return output


def rnn_log_likelihood(params, inputs, targets):
    logprobs = rnn_predict(params, inputs)
    loglik = 0.0
    num_time_steps, num_examples, _ = inputs.shape
    for t in range(num_time_steps):
        loglik += np.sum(logprobs[t] * targets[t])
    return loglik / (num_time_steps * num_examples)


def string_to_one_hot(string, maxchar):
    ascii = np.array([ord(c) for c in string]).T
    return np.array(ascii[:, None] == np.arange(maxchar)[None, :], dtype=int)


def build_dataset(filename, sequence_length, alphabet_size, max_lines=-1):
    with open(filename) as f:
        content = f.readlines()
    content = content[:max_lines]
    content = [line for line in content if len(line) > 2]
    seqs = np.zeros((sequence_length, len(content), alphabet_size))
    for ix, line in enumerate(content):
        padded_line = (line + " " * sequence_length)[:sequence_length]
        seqs[:, ix, :] = string_to_one_hot(padded_line, alphabet_size)
    return seqs


def test_rnn_gradient_matches_torch(tmp_path):
    text = tmp_path / "text.txt"
    text.write_text("def f(x):\n    return x * 2\n\nprint(f(3))\nhello world\n")
    inputs = build_dataset(text, sequence_length=8, alphabet_size=128, max_lines=10)
    assert inputs.shape == (8, 4, 128) and float(np.sum(inputs)) == 32.0
    params = create_rnn_params(128, 6, 128, param_scale=0.3)
    training_loss = lambda params: -rnn_log_likelihood(params, inputs, inputs)
    value, g = value_and_grad(training_loss)(params)

    tp = {k: _t(_g(v)) for k, v in params.items()}
    x = torch.tensor(_g(inputs))

    def step(weights, *args):
        return (
            torch.cat(args + (torch.ones(args[0].shape[0], 1, dtype=torch.float64),), 1) @ weights
        )

    def probs(h):
        out = step(tp["predict"], h)
        return out - torch.logsumexp(out, dim=1, keepdim=True)

    h = tp["init hiddens"].repeat(x.shape[1], 1)
    outs = [probs(h)]
    for xt in x:
        h = torch.tanh(step(tp["change"], xt, h))
        outs.append(probs(h))
    tloss = -sum((outs[t] * x[t]).sum() for t in range(x.shape[0])) / (x.shape[0] * x.shape[1])
    tloss.backward()
    assert_close(value, tloss.item(), rtol=1e-12)
    for k in params:
        assert_close(g[k], tp[k].grad.numpy(), rtol=1e-9, atol=1e-12)


# ----- convolutional net (examples/convnet.py) ----------------------------------------------------
import glassgrad.scipy.signal  # noqa: E402  (the program's own import order)

convolve = glassgrad.scipy.signal.convolve


class WeightsParser:
    def __init__(self):
        self.idxs_and_shapes = {}
        self.N = 0

    def add_weights(self, name, shape):
        start = self.N
        self.N += np.prod(shape)
        self.idxs_and_shapes[name] = (slice(start, self.N), shape)

    def get(self, vect, name):
        idxs, shape = self.idxs_and_shapes[name]
        return np.reshape(vect[idxs], shape)


def conv_logsumexp(X, axis, keepdims=False):
    max_X = np.max(X)
    return max_X + np.log(np.sum(np.exp(X - max_X), axis=axis, keepdims=keepdims))


def make_nn_funs(input_shape, layer_specs, L2_reg):
    parser = WeightsParser()
    cur_shape = input_shape
    for layer in layer_specs:
        N_weights, cur_shape = layer.build_weights_dict(cur_shape)
        parser.add_weights(layer, (N_weights,))

    def predictions(W_vect, inputs):
        cur_units = inputs
        for layer in layer_specs:
            cur_weights = parser.get(W_vect, layer)
            cur_units = layer.forward_pass(cur_units, cur_weights)
        return cur_units

    def loss(W_vect, X, T):
        log_prior = -L2_reg * np.dot(W_vect, W_vect)
        log_lik = np.sum(predictions(W_vect, X) * T)
        return -log_prior - log_lik

    return parser.N, predictions, loss


class conv_layer:
    def __init__(self, kernel_shape, num_filters):
        self.kernel_shape = kernel_shape
        self.num_filters = num_filters

    def forward_pass(self, inputs, param_vector):
        params = self.parser.get(param_vector, "params")
        biases = self.parser.get(param_vector, "biases")
        conv = convolve(inputs, params, axes=([2, 3], [2, 3]), dot_axes=([1], [0]), mode="valid")
        return conv + biases

    def build_weights_dict(self, input_shape):
        self.parser = WeightsParser()
        self.parser.add_weights("params", (input_shape[0], self.num_filters) + self.kernel_shape)
        self.parser.add_weights("biases", (1, self.num_filters, 1, 1))
        output_shape = (self.num_filters,) + self.conv_output_shape(
            input_shape[1:], self.kernel_shape
        )
        return self.parser.N, output_shape

    def conv_output_shape(self, A, B):
        return (A[0] - B[0] + 1, A[1] - B[1] + 1)


class maxpool_layer:
    def __init__(self, pool_shape):
        self.pool_shape = pool_shape

    def build_weights_dict(self, input_shape):
        output_shape = list(input_shape)
        for i in [0, 1]:
            assert input_shape[i + 1] % self.pool_shape[i] == 0
            output_shape[i + 1] = input_shape[i + 1] / self.pool_shape[i]
        return 0, output_shape

    def forward_pass(self, inputs, param_vector):
        new_shape = inputs.shape[:2]
        for i in [0, 1]:
            pool_width = self.pool_shape[i]
            img_width = inputs.shape[i + 2]
            new_shape += (img_width // pool_width, pool_width)
        result = inputs.reshape(new_shape)
        return np.max(np.max(result, axis=3), axis=4)


class full_layer:
    def __init__(self, size):
        self.size = size

    def build_weights_dict(self, input_shape):
        input_size = np.prod(input_shape, dtype=int)
        self.parser = WeightsParser()
        self.parser.add_weights("params", (input_size, self.size))
        self.parser.add_weights("biases", (self.size,))
        return self.parser.N, (self.size,)

    def forward_pass(self, inputs, param_vector):
        params = self.parser.get(param_vector, "params")
        biases = self.parser.get(param_vector, "biases")
        if inputs.ndim > 2:
            inputs = inputs.reshape((inputs.shape[0], np.prod(inputs.shape[1:])))
        return self.nonlinearity(np.dot(inputs[:, :], params) + biases)


class tanh_layer(full_layer):
    def nonlinearity(self, x):
        return np.tanh(x)


class softmax_layer(full_layer):
    def nonlinearity(self, x):
        return x - conv_logsumexp(x, axis=1, keepdims=True)


def test_convnet_matches_torch():
    layer_specs = [conv_layer((3, 3), 2), maxpool_layer((2, 2)), tanh_layer(5), softmax_layer(3)]
    N_weights, pred_fun, loss_fun = make_nn_funs((1, 8, 8), layer_specs, 0.1)
    rs = npr.RandomState(0)
    W = rs.randn(int(N_weights)) * 0.5
    images = rs.randn(4, 1, 8, 8)
    labels = onp.eye(3)[[0, 2, 1, 2]]
    value, g = value_and_grad(loss_fun)(W, images, labels)

    tw = _t(W)
    sizes = [1 * 2 * 3 * 3, 2, 18 * 5, 5, 5 * 3, 3]
    k, b1, w2, b2, w3, b3 = torch.split(tw, sizes)
    # convolve flips the kernel; torch's conv2d does not: flip both spatial axes
    kernel = k.reshape(1, 2, 3, 3).permute(1, 0, 2, 3).flip(2, 3)
    h = torch.nn.functional.conv2d(torch.tensor(images), kernel) + b1.reshape(1, 2, 1, 1)
    h = torch.nn.functional.max_pool2d(h, 2).reshape(4, 18)
    h = torch.tanh(h @ w2.reshape(18, 5) + b2)
    out = h @ w3.reshape(5, 3) + b3
    logp = out - torch.logsumexp(out, dim=1, keepdim=True)
    tloss = 0.1 * (tw * tw).sum() - (logp * torch.tensor(labels)).sum()
    tloss.backward()
    assert_close(value, tloss.item(), rtol=1e-12)
    assert_close(g, tw.grad.numpy(), rtol=1e-9, atol=1e-12)


# ----- negative binomial maximum likelihood (examples/negative_binomial_maxlike.py) -------------
from glassgrad.scipy.special import gammaln  # noqa: E402


def newton(f, x0):
    return scipy.optimize.newton(f, x0, fprime=grad(f), fprime2=grad(grad(f)))


def negbin_loglike(r, p, x):
    return gammaln(r + x) - gammaln(r) - gammaln(x + 1) + x * np.log(p) + r * np.log(1 - p)


def negbin_sample(r, p, size):
    return npr.poisson(npr.gamma(r, p / (1 - p), size=size))


def fit_maxlike(x, r_guess):
    assert np.var(x) > np.mean(x), "Likelihood-maximizing parameters don't exist!"
    loglike = lambda r, p: np.sum(negbin_loglike(r, p, x))
    p = lambda r: np.sum(x) / np.sum(r + x)
    rprime = lambda r: grad(loglike)(r, p(r))
    r = newton(rprime, r_guess)
    return r, p(r)


def test_negative_binomial_maxlike_reaches_scipy_stationary_point():
    npr.seed(0)
    data = negbin_sample(r=5, p=0.5, size=1000)
    r, p = fit_maxlike(data, r_guess=1)
    r, p, x = float(r), float(p), _g(data)
    # SciPy's nbinom counts failures with success probability 1 - p in this parametrisation
    assert_close(negbin_loglike(r, p, x), scipy.stats.nbinom.logpmf(x, r, 1 - p), rtol=1e-10)
    loglike = lambda r, p: scipy.stats.nbinom.logpmf(x, r, 1 - p).sum()
    h = 1e-5
    d_r = (loglike(r + h, p) - loglike(r - h, p)) / (2 * h)
    d_p = (loglike(r, p + h) - loglike(r, p - h)) / (2 * h)
    assert abs(d_r) < 1e-4 and abs(d_p) < 1e-2  # a stationary point of SciPy's likelihood
    g = grad(lambda rp: np.sum(negbin_loglike(rp[0], rp[1], data)))((r, p))
    assert_close([float(g[0]), float(g[1])], [d_r, d_p], rtol=1e-4, atol=1e-4)


# ----- Gaussian mixture model (examples/gmm.py) ---------------------------------------------------
def init_gmm_params(num_components, D, scale, rs=npr.RandomState(0)):  # noqa: B008
    return {
        "log proportions": rs.randn(num_components) * scale,
        "means": rs.randn(num_components, D) * scale,
        "lower triangles": np.zeros((num_components, D, D)) + np.eye(D),
    }


def log_normalize(x):
    return x - logsumexp(x)


def unpack_gmm_params(params):
    normalized_log_proportions = log_normalize(params["log proportions"])
    return normalized_log_proportions, params["means"], params["lower triangles"]


def gmm_log_likelihood(params, data):
    cluster_lls = []
    for log_proportion, mean, cov_sqrt in zip(*unpack_gmm_params(params), strict=False):
        cov = np.dot(cov_sqrt.T, cov_sqrt)
        cluster_lls.append(log_proportion + mvn.logpdf(data, mean, cov))
    return np.sum(logsumexp(np.vstack(cluster_lls), axis=0))


def test_gaussian_mixture_gradient_matches_torch():
    params = init_gmm_params(num_components=3, D=2, scale=0.5, rs=npr.RandomState(0))
    params["lower triangles"] = params["lower triangles"] + 0.3 * npr.RandomState(1).randn(3, 2, 2)
    data = npr.RandomState(2).randn(40, 2)
    value, g = value_and_grad(lambda p: -gmm_log_likelihood(p, data))(params)

    tp = {k: _t(_g(v)) for k, v in params.items()}
    logw = tp["log proportions"] - torch.logsumexp(tp["log proportions"], 0)
    lls = []
    for k in range(3):
        cov = tp["lower triangles"][k].T @ tp["lower triangles"][k]
        dist = torch.distributions.MultivariateNormal(tp["means"][k], covariance_matrix=cov)
        lls.append(logw[k] + dist.log_prob(torch.tensor(data)))
    tvalue = -torch.logsumexp(torch.stack(lls), 0).sum()
    tvalue.backward()
    assert_close(value, tvalue.item(), rtol=1e-12)
    for k in params:
        assert_close(g[k], tp[k].grad.numpy(), rtol=1e-9, atol=1e-11)
    # Newton-CG with the Hessian-vector product, as the program runs it on flattened params
    from glassgrad import hvp

    flat = lambda v: (
        -gmm_log_likelihood(
            {
                "log proportions": v[:3],
                "means": np.reshape(v[3:9], (3, 2)),
                "lower triangles": np.reshape(v[9:], (3, 2, 2)),
            },
            data,
        )
    )
    v0 = onp.concatenate([_g(params[k]).ravel() for k in params])
    result = scipy.optimize.minimize(
        flat, v0, jac=grad(flat), hessp=lambda v, u: hvp(flat, (v,), (u,)),
        method="Newton-CG", options={"maxiter": 5},
    )  # fmt: skip
    assert result.fun < float(value)


# ----- Bayesian optimization's acquisition function (examples/bayesian_optimization.py) ---------
def expected_new_max(mean, std, max_so_far):
    return (
        max_so_far
        - (mean - max_so_far) * norm.cdf(mean, max_so_far, std)
        + std * norm.pdf(mean, max_so_far, std)
    )


def _gp_posterior_numpy(params, X, y, xstar):
    """The GP's predictive mean and standard deviation in plain NumPy (the oracle)."""
    k = lambda a, b: (
        onp.exp(params[2])
        * onp.exp(
            -0.5 * onp.sum(((a[:, None, :] - b[None, :, :]) / onp.exp(params[3:])) ** 2, axis=2)
        )
    )
    K = k(X, X) + (onp.exp(params[1]) + 0.0001) * onp.eye(len(y))
    Ks = onp.linalg.solve(K, k(X, xstar))
    mean = params[0] + Ks.T @ (y - params[0])
    return mean, onp.sqrt(onp.diag(k(xstar, xstar) - Ks.T @ k(X, xstar)))


def test_expected_improvement_gradient_through_the_gp_posterior():
    _, predict, _ = make_gp_funs(rbf_covariance, num_cov_params=2)
    rs = npr.RandomState(3)
    X, y = rs.rand(6, 1) * 1.1, rs.randn(6)
    params = 0.1 * rs.randn(4)

    def acquisition_function(xstar):
        mean, cov = predict(params, X, y, xstar)
        return np.sum(expected_new_max(mean, np.sqrt(np.diag(cov)), np.max(y)))

    def oracle(xstar):
        mean, std = _gp_posterior_numpy(_g(params), _g(X), _g(y), xstar)
        best = onp.max(_g(y))
        return onp.sum(
            best
            - (mean - best) * scipy.stats.norm.cdf(mean, best, std)
            + std * scipy.stats.norm.pdf(mean, best, std)
        )

    xstar = onp.array([[0.3], [0.75], [1.0]])
    value, g = value_and_grad(acquisition_function)(xstar)
    assert_close(value, oracle(xstar), rtol=1e-11)
    fd = onp.zeros_like(xstar)
    for i in range(len(xstar)):
        e = onp.zeros_like(xstar)
        e[i] = 1e-6
        fd[i] = (oracle(xstar + e) - oracle(xstar - e)) / 2e-6
    assert_close(g, fd, rtol=1e-6, atol=1e-8)


def test_bayesian_optimization_next_point_search():
    _, predict, _ = make_gp_funs(rbf_covariance, num_cov_params=2)
    X, y = onp.array([[0.2], [0.55], [0.9]]), onp.array([0.1, 0.7, -0.2])
    params = onp.zeros(4)

    def acquisition_function(xstar):
        xstar = np.atleast_2d(xstar)  # as the program: scipy passes 1-D points
        mean, cov = predict(params, X, y, xstar)
        return np.sum(expected_new_max(mean, np.sqrt(np.diag(cov)), np.max(y)))

    grad_obj = value_and_grad(lambda x: -acquisition_function(x))
    result = scipy.optimize.minimize(
        grad_obj, x0=onp.array([0.4]), jac=True, method="L-BFGS-B", bounds=[(0.0, 1.1)]
    )
    assert result.fun <= float(grad_obj(onp.array([0.4]))[0])
