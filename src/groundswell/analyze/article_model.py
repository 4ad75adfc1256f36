"""Sentence stance toward the movement, learned from real op-ed sentences (CODEBOOK section 6).

Each sentence of an article gets probabilities for ``supportive``, ``critical`` and ``none`` (no
stance of the author's own) from a logistic regression over two blocks of features:
- the sentence's words and word pairs, hashed (scikit-learn's ``HashingVectorizer``: nothing to
  fit, so the shipped weights are all there is);
- the lexicon's reading of the same sentence (``article_evidence.score_sentence``): its weight for
  each side and which claims it makes, asserted, reported or rebutted.
The weights were fitted on real op-ed sentences labelled per the codebook by two annotators and
settled by a third (``data/stance/``, its datasheet, and ``article_train``, which rebuilds them);
they ship as ``models/article_stance.npz`` with their evaluation on articles never tuned on.
Runs in the base install (NumPy, SciPy, scikit-learn), a few hundred sentences per millisecond.
"""

from __future__ import annotations

import functools
import io
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
from scipy import sparse

from groundswell.analyze.article_evidence import ScoredSentence
from groundswell.analyze.article_lexicon import CLAIMS

SENTENCE_STANCES = ("supportive", "critical", "none")
N_HASH = 2**16
MODES = ("asserted", "reported", "rebutted")
TOKEN_PATTERN = r"(?u)\b\w[\w'’]*\b"


@functools.lru_cache(maxsize=1)
def _hasher() -> Any:
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        n_features=N_HASH,
        ngram_range=(1, 2),
        alternate_sign=False,
        norm="l2",
        lowercase=True,
        token_pattern=TOKEN_PATTERN,
    )


def cue_features(scored: ScoredSentence, is_title: bool = False) -> np.ndarray:
    """The lexicon's reading of one sentence as numbers: its weight for each side, and one
    indicator per claim and mode (asserted / reported / rebutted)."""
    out = np.zeros(4 + len(CLAIMS) * len(MODES), dtype=np.float32)
    out[0] = scored.supportive / 3.0
    out[1] = scored.critical / 3.0
    out[2] = float(is_title)
    out[3] = min(len(scored.text), 400) / 400.0
    for ev in scored.evidence:
        if ev.claim is not None:
            out[4 + CLAIMS.index(ev.claim) * len(MODES) + MODES.index(ev.mode)] = 1.0
    return out


def features(scored: list[ScoredSentence], cue_weight: float = 1.0) -> sparse.csr_matrix:
    """The model's input for a list of scored sentences (the title has index -1)."""
    words = _hasher().transform([s.text for s in scored])
    cues = np.vstack([cue_features(s, s.index < 0) for s in scored]) * cue_weight
    return sparse.hstack([words, sparse.csr_matrix(cues)], format="csr")


@dataclass
class SentenceStanceModel:
    """A fitted multinomial logistic regression over ``features`` (weights kept sparse)."""

    coef: sparse.csr_matrix  # classes x features
    intercept: np.ndarray
    cue_weight: float = 1.0
    meta: dict[str, Any] = field(default_factory=dict)

    def proba(self, scored: list[ScoredSentence]) -> np.ndarray:
        """P(supportive, critical, none) per sentence, rows in ``scored`` order."""
        if not scored:
            return np.zeros((0, len(SENTENCE_STANCES)))
        z = np.asarray((features(scored, self.cue_weight) @ self.coef.T).todense()) + self.intercept
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "unversioned"))

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        coo = self.coef.tocoo()
        np.savez_compressed(
            buf,
            rows=coo.row.astype(np.int8),
            cols=coo.col.astype(np.int32),
            vals=coo.data.astype(np.float32),
            shape=np.asarray(coo.shape),
            intercept=self.intercept.astype(np.float64),
            cue_weight=np.asarray(self.cue_weight),
            meta=np.frombuffer(json.dumps(self.meta).encode(), dtype=np.uint8),
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> SentenceStanceModel:
        z = np.load(io.BytesIO(blob))
        coef = sparse.csr_matrix(
            (z["vals"], (z["rows"].astype(np.int64), z["cols"])), shape=tuple(z["shape"])
        )
        return cls(
            coef=coef,
            intercept=z["intercept"],
            cue_weight=float(z["cue_weight"]),
            meta=json.loads(bytes(z["meta"]).decode()),
        )


def fit(
    scored: list[ScoredSentence],
    labels: list[str],
    *,
    c: float = 4.0,
    cue_weight: float = 1.0,
    meta: dict[str, Any] | None = None,
) -> SentenceStanceModel:
    """Fit the sentence model on scored sentences and their codebook labels."""
    from sklearn.linear_model import LogisticRegression

    y = np.asarray([SENTENCE_STANCES.index(lab) for lab in labels])
    x = features(scored, cue_weight)
    clf = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    clf.fit(x, y)
    coef = np.zeros((len(SENTENCE_STANCES), x.shape[1]))
    intercept = np.full(len(SENTENCE_STANCES), -20.0)  # a class never seen stays improbable
    if len(clf.classes_) == 2:  # sigmoid: the first class is the softmax's zero
        intercept[clf.classes_[0]] = 0.0
        coef[clf.classes_[1]], intercept[clf.classes_[1]] = clf.coef_[0], clf.intercept_[0]
    else:
        for row, cls in enumerate(clf.classes_):
            coef[cls], intercept[cls] = clf.coef_[row], clf.intercept_[row]
    coef[np.abs(coef) < 1e-4] = 0.0
    return SentenceStanceModel(sparse.csr_matrix(coef), intercept, cue_weight, dict(meta or {}))


MODEL_FILE = "article_stance.npz"


@functools.lru_cache(maxsize=1)
def shipped_model() -> SentenceStanceModel | None:
    """The shipped sentence model, or None when this installation has none."""
    path = resources.files("groundswell.analyze") / "models" / MODEL_FILE
    try:
        return SentenceStanceModel.from_bytes(path.read_bytes())
    except (FileNotFoundError, OSError):
        return None
