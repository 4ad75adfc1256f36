"""The student's features: hashed word n-grams plus the structural weak signals.

Hashing needs no vocabulary (nothing to ship but the head's weights) and runs at tens of
thousands of posts a second. Evidence for a decision is read back from the same n-grams: the
words of the post whose hashed feature carries the most weight for the chosen label.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from groundswell.classify.rules import SIGNALS, Evidence, signal_matrix

N_FEATURES = 2**18
TOKEN_PATTERN = r"(?u)#?\b\w\w+\b"
_TOKEN = re.compile(TOKEN_PATTERN)


class StudentFeaturizer:
    """Texts to a sparse matrix: L2-normalised binary word 1-2 grams hashed into ``n_features``
    columns, then one column per structural signal (``rules.SIGNALS``)."""

    def __init__(self, n_features: int = N_FEATURES) -> None:
        self.n_features = n_features
        self._vec: Any = None

    @property
    def n_columns(self) -> int:
        return self.n_features + len(SIGNALS)

    def _vectorizer(self) -> Any:
        if self._vec is None:
            from sklearn.feature_extraction.text import HashingVectorizer

            self._vec = HashingVectorizer(
                n_features=self.n_features,
                ngram_range=(1, 2),
                token_pattern=TOKEN_PATTERN,
                alternate_sign=False,
                binary=True,
                norm="l2",
                dtype=np.float64,
            )
        return self._vec

    def words(self, texts: Sequence[str]) -> Any:
        """(n, n_features) CSR matrix of the hashed word n-grams alone."""
        return self._vectorizer().transform(texts)

    def transform(
        self, texts: Sequence[str], hits: list[list[tuple[int, int, int]]] | None = None
    ) -> Any:
        """(n, n_columns) CSR matrix (``hits``: a ``rules.scan`` of the texts to reuse)."""
        import scipy.sparse as sp

        words = self.words(texts)
        signals = sp.csr_matrix(signal_matrix(texts, None, hits).astype(np.float64))
        return sp.hstack([words, signals], format="csr")


def ngram_index(ngram: str, n_features: int = N_FEATURES) -> int:
    """The column HashingVectorizer gives an n-gram (lower-cased, tokens joined by a space)."""
    from sklearn.utils import murmurhash3_32

    h = murmurhash3_32(ngram, seed=0)
    if h == -(2**31):
        return (2**31 - 1 - (n_features - 1)) % n_features
    return abs(h) % n_features


def ngram_spans(text: str) -> list[tuple[str, int, int]]:
    """Every word 1-gram and 2-gram of ``text`` as (n-gram, start, end) character spans."""
    toks = [(m.group(0).lower(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    out = list(toks)
    out += [(f"{a[0]} {b[0]}", a[1], b[2]) for a, b in itertools.pairwise(toks)]
    return out


def ngram_evidence(
    text: str, label: str, weights: np.ndarray, top: int = 3, n_features: int = N_FEATURES
) -> list[Evidence]:
    """The ``top`` n-grams of ``text`` with the largest positive weight in ``weights`` (one
    head row over the hashed columns), as evidence spans for ``label``."""
    scored = []
    for ng, start, end in ngram_spans(text):
        w = float(weights[ngram_index(ng, n_features)])
        if w > 0:
            scored.append((w, start, end))
    scored.sort(key=lambda t: -t[0])
    chosen: list[Evidence] = []
    for _, start, end in scored:
        if any(start < e.end and e.start < end for e in chosen):
            continue  # overlaps a stronger span already chosen
        chosen.append(Evidence(label, start, end, text[start:end], "ngram"))
        if len(chosen) == top:
            break
    return chosen
