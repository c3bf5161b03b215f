"""A tiny bag-of-words vectorizer with scikit-learn's ``CountVectorizer`` defaults."""

import re

import numpy as np

__all__ = ["CountVectorizer"]


class CountVectorizer:
    """Turn documents into word counts: lowercase, tokens of 2+ word characters, sorted vocabulary.

    Example:
        >>> v = CountVectorizer().fit(["Win money now", "meeting now"])
        >>> v.get_feature_names_out().tolist()
        ['meeting', 'money', 'now', 'win']
        >>> v.transform(["now now win"]).tolist()
        [[0, 0, 2, 1]]
    """

    def __init__(self, lowercase=True, token_pattern=r"(?u)\b\w\w+\b"):
        self.lowercase, self.token_pattern = lowercase, token_pattern

    def _documents(self, docs, method):
        name = f"CountVectorizer.{method}"
        if isinstance(docs, str) or not hasattr(docs, "__iter__"):
            raise ValueError(f"{name}: expected an iterable of strings; got {type(docs).__name__}")
        docs = list(docs)
        bad = [type(d).__name__ for d in docs if not isinstance(d, str)]
        if bad:
            raise ValueError(f"{name}: every document must be a str; got {bad[0]}")
        return docs

    def _tokens(self, doc):
        return re.findall(self.token_pattern, doc.lower() if self.lowercase else doc)

    def fit(self, docs):
        """Build ``vocabulary_`` (token -> column, alphabetical); returns self."""
        words = {w for doc in self._documents(docs, "fit") for w in self._tokens(doc)}
        if not words:
            raise ValueError("CountVectorizer.fit: empty vocabulary; the documents have no tokens")
        self.vocabulary_ = {w: j for j, w in enumerate(sorted(words))}
        return self

    def transform(self, docs):
        """Count matrix of shape (n_documents, n_words), int64; unknown words are ignored."""
        if not hasattr(self, "vocabulary_"):
            raise RuntimeError("CountVectorizer.transform: not fitted; call fit first")
        docs = self._documents(docs, "transform")
        counts = np.zeros((len(docs), len(self.vocabulary_)), dtype=np.int64)
        for i, doc in enumerate(docs):
            for w in self._tokens(doc):
                if w in self.vocabulary_:
                    counts[i, self.vocabulary_[w]] += 1
        return counts

    def fit_transform(self, docs):
        """``fit(docs).transform(docs)``."""
        docs = self._documents(docs, "fit_transform")
        return self.fit(docs).transform(docs)

    def get_feature_names_out(self):
        """The vocabulary in column order, as an array of str."""
        if not hasattr(self, "vocabulary_"):
            raise RuntimeError("CountVectorizer.get_feature_names_out: not fitted; call fit first")
        return np.array(sorted(self.vocabulary_, key=self.vocabulary_.get), dtype=object)
