"""The student's features: hashed word n-grams plus the structural weak signals.

Hashing needs no vocabulary (nothing to ship but the head's weights) and runs at tens of
thousands of posts a second. Evidence for a decision is read back from the same n-grams: the
words of the post whose hashed feature carries the most weight for the chosen label.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from groundswell.classify.rules import SIGNALS, Evidence, signal_matrix

N_FEATURES = 2**18
TOKEN_PATTERN = r"(?u)#?\b\w\w+\b"
_TOKEN = re.compile(TOKEN_PATTERN)
_SPLIT = re.compile(f"(?u)({TOKEN_PATTERN.removeprefix('(?u)')})")  # keeps the tokens


@dataclass(frozen=True)
class HashedWords:
    """A batch's hashed word n-grams, tokenised once for both features and evidence.

    ``matrix`` is what HashingVectorizer gives (L2-normalised binary counts, sorted columns);
    ``first[k]`` is where ``matrix.indices[k]`` first occurs among its text's n-grams, in the
    vectorizer's order (the tokens, then the bigrams); ``parts[row]`` is the row's lowered text
    split around its tokens (tokens at odd places), which places every token.
    """

    matrix: Any
    first: np.ndarray
    parts: list[list[str]]

    def spans(self, text: str, row: int, positions: list[int]) -> list[tuple[int, int]] | None:
        """The [start, end) in ``text`` (row ``row``'s own text) of its n-grams at
        ``positions``; None when lower-casing ``text`` moves or changes its letters (then the
        lowered text's tokens need not be the text's: see ``ngram_spans``)."""
        if not text.isascii() and (len(text.lower()) != len(text) or "\u03a3" in text):
            return None  # a letter lowers to two, or a capital sigma lowers by its context
        parts = self.parts[row]
        n = len(parts) // 2
        last = max(p if p < n else p - n + 1 for p in positions)
        # ends[2i] is where token i starts, ends[2i + 1] where it ends
        ends = list(itertools.accumulate(map(len, itertools.islice(parts, 2 * last + 2))))
        return [
            (ends[2 * p], ends[2 * p + 1]) if p < n else (ends[2 * (p - n)], ends[2 * (p - n) + 3])
            for p in positions
        ]


def hash_words(texts: Sequence[str], n_features: int = N_FEATURES) -> HashedWords:
    """The texts' hashed word 1-2 grams, equal to ``StudentFeaturizer``'s HashingVectorizer."""
    import scipy.sparse as sp

    split = _SPLIT.split
    grams: list[list[str]] = []
    parts: list[list[str]] = []
    for text in texts:
        pieces = split(text.lower())
        toks = pieces[1::2]
        grams.append(toks + [f"{a} {b}" for a, b in itertools.pairwise(toks)])
        parts.append(pieces)
    cols, indptr = _hash(grams, n_features)
    n = len(grams)
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    keys, first = np.unique(rows * n_features + cols, return_index=True)  # stable: 1st seen
    rows = keys // n_features
    counts = np.bincount(rows, minlength=n)
    ptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(counts, out=ptr[1:])
    norm = 1.0 / np.sqrt(np.maximum(counts, 1).astype(np.float64))  # as sklearn's l2 norm
    matrix = sp.csr_matrix(
        (norm[rows], (keys % n_features).astype(np.int32), ptr), shape=(n, n_features)
    )
    return HashedWords(matrix, first - indptr[rows], parts)


def _hash(grams: list[list[str]], n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """Every n-gram's column (murmurhash3 as FeatureHasher) in order, and the row pointers."""
    try:
        from sklearn.feature_extraction._hashing_fast import transform
    except ImportError:  # scikit-learn moved its private hasher: hash one n-gram at a time
        cols = np.array([ngram_index(g, n_features) for row in grams for g in row], np.int64)
        return cols, np.cumsum([0, *map(len, grams)], dtype=np.int64)
    ones = itertools.repeat(1)
    cols, indptr, _ = transform(
        (zip(g, ones, strict=False) for g in grams), n_features, np.float64, False, 0
    )
    return cols.astype(np.int64), indptr.astype(np.int64)


class StudentFeaturizer:
    """Texts to a sparse matrix: L2-normalised binary word 1-2 grams hashed into ``n_features``
    columns, then one column per structural signal (``rules.SIGNALS``)."""

    def __init__(self, n_features: int = N_FEATURES) -> None:
        self.n_features = n_features

    @property
    def n_columns(self) -> int:
        return self.n_features + len(SIGNALS)

    def hashed(self, texts: Sequence[str]) -> HashedWords:
        """The hashed word n-grams with where each occurs (see ``hash_words``)."""
        return hash_words(texts, self.n_features)

    def words(self, texts: Sequence[str]) -> Any:
        """(n, n_features) CSR matrix of the hashed word n-grams alone."""
        return self.hashed(texts).matrix

    def transform(
        self,
        texts: Sequence[str],
        hits: list[list[tuple[int, int, int]]] | None = None,
        words: Any = None,
    ) -> Any:
        """(n, n_columns) CSR matrix (``hits``: a ``rules.scan`` of the texts to reuse;
        ``words``: their ``words`` matrix to reuse)."""
        import scipy.sparse as sp

        words = self.words(texts) if words is None else words
        signals = sp.csr_matrix(signal_matrix(texts, None, hits).astype(np.float64))
        return sp.hstack([words, signals], format="csr")


def vectorizer(n_features: int = N_FEATURES) -> Any:
    """The scikit-learn HashingVectorizer that ``hash_words`` reproduces (the reference)."""
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        n_features=n_features,
        ngram_range=(1, 2),
        token_pattern=TOKEN_PATTERN,
        alternate_sign=False,
        binary=True,
        norm="l2",
        dtype=np.float64,
    )


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
