"""Naive Bayes and CountVectorizer vs scikit-learn (digits, iris, a small spam corpus)."""

import warnings

import numpy as np
import pytest

from glassgrad.core.tensor import Tensor
from glassgrad.prob import naive_bayes as nb
from glassgrad.prob.text import CountVectorizer

sk_nb = pytest.importorskip("sklearn.naive_bayes")
from sklearn.datasets import load_digits, load_iris  # noqa: E402
from sklearn.feature_extraction.text import CountVectorizer as SkCountVectorizer  # noqa: E402

SPAM = [
    "Win money now, claim your free prize",
    "Free money!!! Click now to win",
    "Cheap meds, free shipping, win big",
    "Claim your prize: free cash now",
]
HAM = [
    "Meeting moved to Tuesday afternoon",
    "Can you review my draft before the meeting",
    "Lunch tomorrow? The usual place",
    "Notes from today's meeting attached",
    "Your draft looks good, see my notes",
]
DOCS, LABELS = SPAM + HAM, np.array([1] * len(SPAM) + [0] * len(HAM))


def _datasets():
    digits, iris = load_digits(return_X_y=True), load_iris(return_X_y=True)
    text = SkCountVectorizer().fit_transform(DOCS).toarray(), LABELS
    return {"digits": digits, "iris": iris, "text": text}


DATA = _datasets()
MODELS = [
    (
        lambda: nb.MultinomialNB(),
        lambda: sk_nb.MultinomialNB(),
        ["class_count_", "class_log_prior_", "feature_count_", "feature_log_prob_"],
    ),
    (
        lambda: nb.MultinomialNB(alpha=0.5, fit_prior=False),
        lambda: sk_nb.MultinomialNB(alpha=0.5, fit_prior=False),
        ["class_log_prior_", "feature_log_prob_"],
    ),
    (
        lambda: nb.BernoulliNB(),  # binarize at 0: word present or absent
        lambda: sk_nb.BernoulliNB(),
        ["class_count_", "class_log_prior_", "feature_count_", "feature_log_prob_"],
    ),
    (
        lambda: nb.BernoulliNB(binarize=4.0),
        lambda: sk_nb.BernoulliNB(binarize=4.0),
        ["class_count_", "class_log_prior_", "feature_count_", "feature_log_prob_"],
    ),
    (
        lambda: nb.GaussianNB(),
        lambda: sk_nb.GaussianNB(),
        ["class_count_", "class_prior_", "theta_", "var_", "epsilon_"],
    ),
]


@pytest.mark.parametrize("data", DATA)
@pytest.mark.parametrize("ours, theirs, attrs", MODELS)
def test_matches_sklearn(data, ours, theirs, attrs):
    X, y = DATA[data]
    a, b = ours(), theirs()
    assert a.fit(X, y) is a
    b.fit(X, y)
    np.testing.assert_array_equal(a.classes_, b.classes_)
    for name in attrs:
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-12, atol=1e-12)
    # log P near 0 is jll - logsumexp(jll) of numbers in the hundreds: compare absolutely there
    np.testing.assert_allclose(
        a.predict_log_proba(X), b.predict_log_proba(X), rtol=1e-12, atol=1e-12
    )
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    assert a.score(X, y) == b.score(X, y)


@pytest.mark.parametrize("ours, theirs, attrs", MODELS)
def test_partial_fit_matches_sklearn(ours, theirs, attrs):
    X, y = DATA["iris"]
    order = np.random.default_rng(0).permutation(len(y))
    X, y = X[order], y[order]
    a, b = ours(), theirs()
    for chunk in np.array_split(np.arange(len(y)), 3):
        a.partial_fit(X[chunk], y[chunk], classes=[0, 1, 2])
        b.partial_fit(X[chunk], y[chunk], classes=[0, 1, 2])
    for name in attrs:
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-12, atol=1e-12)


def test_class_prior_and_priors_match_sklearn():
    X, y = DATA["iris"]
    a = nb.GaussianNB(priors=[0.2, 0.3, 0.5]).fit(X, y)
    b = sk_nb.GaussianNB(priors=[0.2, 0.3, 0.5]).fit(X, y)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-12, atol=1e-12)
    a = nb.MultinomialNB(class_prior=[0.2, 0.3, 0.5]).fit(X, y)
    b = sk_nb.MultinomialNB(class_prior=[0.2, 0.3, 0.5]).fit(X, y)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-12, atol=1e-12)


def test_count_vectorizer_matches_sklearn_and_sparse_input_accepted():
    ours, theirs = CountVectorizer(), SkCountVectorizer()
    counts = ours.fit_transform(DOCS)
    sparse = theirs.fit_transform(DOCS)
    np.testing.assert_array_equal(counts, sparse.toarray())
    np.testing.assert_array_equal(ours.get_feature_names_out(), theirs.get_feature_names_out())
    assert ours.vocabulary_ == {k: int(v) for k, v in theirs.vocabulary_.items()}
    new = ["free prize meeting unknownword"]
    np.testing.assert_array_equal(ours.transform(new), theirs.transform(new).toarray())
    a = nb.MultinomialNB().fit(sparse, LABELS)  # scipy.sparse input, no scipy import inside
    b = sk_nb.MultinomialNB().fit(sparse, LABELS)
    np.testing.assert_allclose(a.predict_proba(sparse), b.predict_proba(sparse), rtol=1e-12)
    t = nb.MultinomialNB().fit(Tensor(counts.astype(float)), Tensor(LABELS))  # Tensors too
    np.testing.assert_allclose(t.feature_log_prob_, a.feature_log_prob_, rtol=1e-14)


def test_word_contributions_explain_the_spam_decision():
    v = CountVectorizer()
    X = v.fit_transform(DOCS)
    model = nb.MultinomialNB().fit(X, LABELS)
    x = v.transform(["Free prize, win money now"])[0]
    e = model.explain_prediction(x)
    np.testing.assert_allclose(e.joint_log_likelihood, model._joint_log_likelihood(x[None])[0])
    np.testing.assert_allclose(np.exp(e.log_proba), model.predict_proba(x[None])[0], rtol=1e-12)
    rows = model.word_contributions(x, v.get_feature_names_out())
    names = {r[0] for r in rows}
    assert names == {"free", "prize", "win", "money", "now"}
    flp = model.feature_log_prob_
    for word, count, value in rows:  # each word's log-odds share: count * log(P(w|spam)/P(w|ham))
        j = v.vocabulary_[word]
        assert value == pytest.approx(count * (flp[1, j] - flp[0, j]), rel=1e-14)
    prior_odds = model.class_log_prior_[1] - model.class_log_prior_[0]
    total = prior_odds + sum(r[2] for r in rows)
    log_odds = np.diff(model.predict_log_proba(x[None])[0])[0]
    assert total == pytest.approx(log_odds, rel=1e-12)
    assert all(abs(rows[i][2]) >= abs(rows[i + 1][2]) for i in range(len(rows) - 1))


def test_bernoulli_and_gaussian_explanations_add_up():
    X, y = DATA["iris"]
    for model in (nb.GaussianNB().fit(X, y), nb.BernoulliNB(binarize=2.0).fit(X, y)):
        e = model.explain_prediction(X[60])
        jll = model._joint_log_likelihood(X[60:61])[0]
        np.testing.assert_allclose(e.log_prior + e.contributions.sum(1), jll, rtol=1e-12)


def test_log_space_avoids_the_product_underflow():
    v = CountVectorizer()
    model = nb.MultinomialNB().fit(v.fit_transform(DOCS), LABELS)
    long_doc = " ".join(["free money meeting draft"] * 300)
    x = v.transform([long_doc])[0]
    theta = np.exp(model.feature_log_prob_)
    prior = np.exp(model.class_log_prior_)
    product = prior * np.prod(theta ** x[None, :], axis=1)  # the textbook product form
    assert np.all(product == 0.0)  # underflow: both classes get probability 0, ratio is 0/0
    proba = model.predict_proba(x[None])[0]
    assert np.all(np.isfinite(proba)) and proba.sum() == pytest.approx(1.0)
    exact = sk_nb.MultinomialNB().fit(v.transform(DOCS), LABELS).predict_proba(x[None])[0]
    np.testing.assert_allclose(proba, exact, rtol=1e-12, atol=1e-300)


def test_get_set_params_and_repr():
    m = nb.BernoulliNB(alpha=0.3)
    assert m.get_params() == {"alpha": 0.3, "binarize": 0.0, "fit_prior": True, "class_prior": None}
    assert m.set_params(alpha=2.0) is m and m.alpha == 2.0
    assert "BernoulliNB(alpha=2.0" in repr(m)


# scikit-learn's check_estimator needs estimator tags (sklearn's own API); the package must not
# import sklearn, so these test-only subclasses add them. Names match for the name-based checks.
def _tags(self):
    from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags

    discrete = isinstance(self, (nb.MultinomialNB, nb.BernoulliNB))
    return Tags(  # the tags scikit-learn gives its own three classifiers
        estimator_type="classifier",
        target_tags=TargetTags(required=True),
        classifier_tags=ClassifierTags(poor_score=discrete),
        input_tags=InputTags(sparse=True, positive_only=isinstance(self, nb.MultinomialNB)),
    )


class MultinomialNB(nb.MultinomialNB):
    __sklearn_tags__ = _tags


class BernoulliNB(nb.BernoulliNB):
    __sklearn_tags__ = _tags


class GaussianNB(nb.GaussianNB):
    __sklearn_tags__ = _tags


EXPECTED_FAILURES = {
    # sklearn requires its own NotFittedError class; ours subclasses ValueError and
    # AttributeError like it, but the package cannot import sklearn to inherit from it.
    "check_estimators_unfitted",
    # expects sklearn's DataConversionWarning class for a column-vector y (we ravel silently).
    "check_supervised_y_2d",
}


@pytest.mark.parametrize("cls", [MultinomialNB, BernoulliNB, GaussianNB])
def test_sklearn_check_estimator(cls):
    from sklearn.utils.estimator_checks import check_estimator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(cls(), on_fail=None)
    failed = {r["check_name"] for r in results if r["status"] == "failed"}
    assert failed == EXPECTED_FAILURES, failed
    assert len(results) > 40


BAD = [
    (lambda: nb.MultinomialNB().fit([[1, -1]], [0]), ValueError, "Negative values in data"),
    (
        lambda: nb.MultinomialNB().fit([1, 2], [0, 1]),
        ValueError,
        r"X must be 2-D .* got shape \(2,\)",
    ),
    (lambda: nb.GaussianNB().fit([[1.0], [np.nan]], [0, 1]), ValueError, "NaN or infinity"),
    (lambda: nb.GaussianNB().fit([[1.0], [2.0]], [0]), ValueError, "one label per row of X"),
    (lambda: nb.GaussianNB().fit([[1.0], [2.0]], [0.5, 1.0]), ValueError, "Unknown label type"),
    (lambda: nb.GaussianNB().fit([[1.0]], None), ValueError, "requires y to be passed"),
    (lambda: nb.GaussianNB().predict([[1.0]]), nb.NotFittedError, "not fitted; call fit first"),
    (
        lambda: nb.GaussianNB().fit([[1.0], [2.0]], [0, 1]).predict([[1.0, 2.0]]),
        ValueError,
        "X has 2 features, but GaussianNB is expecting 1 features as input",
    ),
    (lambda: nb.GaussianNB().partial_fit([[1.0]], [0]), ValueError, "classes must be given"),
    (
        lambda: nb.GaussianNB().partial_fit([[1.0]], [3], classes=[0, 1]),
        ValueError,
        r"labels \[3\] are not in",
    ),
    (
        lambda: nb.GaussianNB(priors=[0.5, 0.6]).fit([[1.0], [2.0]], [0, 1]),
        ValueError,
        "priors must be 2 non-negative",
    ),
    (
        lambda: nb.GaussianNB(var_smoothing=-1).fit([[1.0], [2.0]], [0, 1]),
        ValueError,
        "var_smoothing must be",
    ),
    (
        lambda: nb.MultinomialNB(alpha=-1).fit([[1.0], [2.0]], [0, 1]),
        ValueError,
        "alpha must be a number >= 0",
    ),
    (
        lambda: nb.MultinomialNB(class_prior=[1.0]).fit([[1.0], [2.0]], [0, 1]),
        ValueError,
        "class_prior must have one entry",
    ),
    (lambda: nb.MultinomialNB().set_params(beta=1), ValueError, "invalid parameter 'beta'"),
    (lambda: nb.MultinomialNB().fit([[1j]], [0]), ValueError, "Complex data not supported"),
    (lambda: nb.MultinomialNB().fit(np.zeros((2, 0)), [0, 1]), ValueError, r"0 feature\(s\)"),
    (
        lambda: (
            nb.MultinomialNB().fit([[1.0], [2.0]], [0, 1]).word_contributions([1.0], ["a", "b"])
        ),
        ValueError,
        "feature_names has 2 names for 1 features",
    ),
    (
        lambda: CountVectorizer().fit("just one string"),
        ValueError,
        "expected an iterable of strings",
    ),
    (lambda: CountVectorizer().fit(["ok", 3]), ValueError, "every document must be a str; got int"),
    (lambda: CountVectorizer().fit(["a b c"]), ValueError, "empty vocabulary"),
    (lambda: CountVectorizer().transform(["x"]), RuntimeError, "not fitted"),
]


def test_bad_input(make, err, match):  # one case per row of BAD (see conftest.py)
    with pytest.raises(err, match=match):
        make()
