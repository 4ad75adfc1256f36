"""A fast offline model of hostile (sexist) wording, for the pile-on report (CODEBOOK section 5).

Trained on EDOS task A (Kirk et al., SemEval-2023 Task 10; CC0-1.0): "sexist" vs "not sexist"
English social-media posts. Features are hashed words, word bigrams and 4-character word prefixes
and suffixes (a cheap stand-in for character n-grams that keeps the model above 20,000 texts/s on
one core); the classifier is an L2 logistic regression whose ``C`` and decision threshold are tuned
on the dev split for macro-F1. Only the weights ship (``models/hostility_edos.npz``, float16); the
texts never do. ``train_hostility`` rebuilds the file from the CSV when it is present.

The model reads wording, not intent: it flags sexist and demeaning language whoever it targets, and
is English only. Treat its share as an indicator over many posts, never as a verdict on one.
Test macro-F1 0.770 (EDOS task A; the leaderboard's best is 0.8746). Speed on one core: about
25,000-40,000 EDOS-length texts/s, 1 M short posts in 8-22 s (bench/analyze.py).
Rebuild: ``train_hostility(EDOS_CSV, model_path())``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from groundswell.errors import InputError, ModelError

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

MODEL_FILE = "hostility_edos.npz"
MODEL_VERSION = "edos-a-1"
N_FEATURES = 2**19
C_GRID = (1.0, 3.0, 10.0, 30.0, 100.0)
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.20, 0.81, 0.05))

_TOKEN = re.compile(r"[a-z0-9']+|[^\sa-z0-9]")
_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"(?<!\w)@\w+")


def normalise(text: str) -> str:
    """Put live text in the corpus's form: handles become [USER], links [URL]."""
    if "@" in text:
        text = _HANDLE.sub("[USER]", text)
    if "http" in text or "www." in text:
        text = _URL.sub("[URL]", text)
    return text


def features(doc: str) -> list[str]:
    """Words, word bigrams, and 4-character prefixes/suffixes of words longer than 4."""
    words = _TOKEN.findall(normalise(doc).lower())
    out = list(words)
    out += [f"{a} {b}" for a, b in pairwise(words)]
    for w in words:
        if len(w) > 4:
            out.append("<" + w[:4])
            out.append(w[-4:] + ">")
    return out


def _vectorizer() -> Any:
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(analyzer=features, n_features=N_FEATURES)


def vectorise(texts: Iterable[str]) -> csr_matrix:
    """Hashed, L2-normalised feature rows for texts (None counts as empty)."""
    return _vectorizer().transform([t or "" for t in texts])


@dataclass(frozen=True)
class HostilityModel:
    """Weights of the shipped linear model and the numbers measured when it was trained."""

    coef: np.ndarray
    intercept: float
    threshold: float
    info: dict[str, Any]

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of hostile wording per text (0..1)."""
        if len(texts) == 0:
            return np.zeros(0, dtype=np.float64)
        margin = vectorise(texts) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-margin))

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """True where a text's score reaches the tuned threshold."""
        return self.scores(texts) >= self.threshold

    def save(self, path: str | Path) -> None:
        meta = {k: np.asarray(v) for k, v in self.info.items()}
        np.savez_compressed(
            path,
            coef=self.coef.astype(np.float16),
            intercept=np.float64(self.intercept),
            threshold=np.float64(self.threshold),
            **meta,
        )


def model_path() -> Path:
    """Where the shipped model lives inside the package."""
    return Path(str(resources.files("groundswell.analyze").joinpath("models", MODEL_FILE)))


def load_model(path: str | Path | None = None) -> HostilityModel:
    """Read a model file (default: the shipped one)."""
    path = Path(path) if path else model_path()
    if not path.exists():
        raise ModelError(
            f"{path}: hostility model missing; rebuild it with "
            "groundswell.analyze.hostility.train_hostility(EDOS_CSV)"
        )
    with np.load(path) as z:
        info = {k: z[k].item() for k in z.files if k not in ("coef", "intercept", "threshold")}
        return HostilityModel(
            coef=z["coef"].astype(np.float64),
            intercept=float(z["intercept"]),
            threshold=float(z["threshold"]),
            info=info,
        )


@lru_cache(maxsize=1)
def _shipped() -> HostilityModel:
    return load_model()


def hostile_scores(texts: Sequence[str]) -> np.ndarray:
    """Per-text probability of hostile (sexist) wording from the shipped model."""
    return _shipped().scores(list(texts))


def hostile_share(texts: Sequence[str]) -> float:
    """Share of texts whose wording the shipped model flags as hostile (nan for no texts)."""
    texts = list(texts)
    if not texts:
        return float("nan")
    return float(_shipped().predict(texts).mean())


def _read_edos(csv_path: str | Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    import pandas as pd

    path = Path(csv_path)
    if not path.exists():
        raise InputError(f"{path}: EDOS CSV not found")
    df = pd.read_csv(path)
    missing = {"text", "label_sexist", "split"} - set(df.columns)
    if missing:
        raise InputError(f"{path}: not the EDOS aggregated CSV (missing {sorted(missing)})")
    y = (df["label_sexist"] == "sexist").to_numpy(dtype=np.int8)
    return df["text"].fillna("").tolist(), y, df["split"].to_numpy()


def macro_f1(model: HostilityModel, csv_path: str | Path, split: str = "test") -> float:
    """Macro-F1 of a model on one split of the EDOS CSV (task A)."""
    from sklearn.metrics import f1_score

    texts, y, splits = _read_edos(csv_path)
    idx = np.flatnonzero(splits == split)
    pred = model.predict([texts[i] for i in idx])
    return float(f1_score(y[idx], pred, average="macro"))


def train_hostility(
    csv_path: str | Path,
    out_path: str | Path | None = None,
    c_grid: Sequence[float] = C_GRID,
) -> HostilityModel:
    """Train on split=train, choose C (from ``c_grid``) and the threshold on dev, measure test
    macro-F1; save if asked. Deterministic (lbfgs, no sampling): the same CSV reproduces the
    shipped file (about a minute on one core).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score

    texts, y, splits = _read_edos(csv_path)
    X = vectorise(texts)
    tr, dv, te = (np.flatnonzero(splits == s) for s in ("train", "dev", "test"))
    if not len(tr) or not len(dv):
        raise InputError(f"{csv_path}: needs train and dev splits")
    best: tuple[float, float, float, Any] | None = None
    for C in c_grid:
        clf = LogisticRegression(C=C, max_iter=3000, class_weight="balanced").fit(X[tr], y[tr])
        p = clf.predict_proba(X[dv])[:, 1]
        for th in THRESHOLDS:
            f = f1_score(y[dv], p >= th, average="macro")
            if best is None or f > best[0] + 1e-9:
                best = (f, C, th, clf)
    assert best is not None
    dev_f1, C, th, clf = best
    coef = clf.coef_[0].astype(np.float16).astype(np.float64)  # what ships
    model = HostilityModel(
        coef=coef,
        intercept=float(clf.intercept_[0]),
        threshold=float(th),
        info={"version": MODEL_VERSION, "C": C, "dev_macro_f1": dev_f1, "n_train": len(tr)},
    )
    if len(te):
        test_pred = model.predict([texts[i] for i in te])
        model.info["test_macro_f1"] = float(f1_score(y[te], test_pred, average="macro"))
    if out_path is not None:
        Path(out_path).parent.mkdir(parents=True, exist_ok=True)
        model.save(out_path)
    return model
