"""Label heads: calibrated linear estimators with scikit-learn's fit / predict / predict_proba.

A head is a multinomial logistic regression whose logits are divided by a temperature fitted on
cross-validated predictions (temperature scaling), so its probabilities sum to 1 and mean what
they say. Heads are saved as plain arrays (no pickle): a sparse column set for hashed features,
so a student head stays a few MB.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

SEED = 13


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable for large logits."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _fit_temperature(logits: np.ndarray, y_idx: np.ndarray) -> float:
    """The temperature T minimising the negative log-likelihood of softmax(logits / T)."""
    from scipy.optimize import minimize_scalar

    def nll(t: float) -> float:
        p = softmax(logits / t)
        return float(-np.log(np.clip(p[np.arange(len(y_idx)), y_idx], 1e-12, None)).mean())

    res = minimize_scalar(nll, bounds=(0.05, 20.0), method="bounded", options={"xatol": 1e-4})
    return float(round(res.x, 4))


class LinearHead:
    """Calibrated multinomial logistic regression (binary targets become two classes).

    ``C`` is the inverse L2 strength; ``class_weight`` as in scikit-learn; ``calibrate`` fits a
    temperature on ``folds``-fold cross-validated logits.
    """

    def __init__(
        self,
        C: float = 1.0,
        class_weight: str | None = "balanced",
        calibrate: bool = True,
        folds: int = 5,
        max_iter: int = 3000,
    ) -> None:
        self.C = C
        self.class_weight = class_weight
        self.calibrate = calibrate
        self.folds = folds
        self.max_iter = max_iter

    def _lr(self) -> Any:
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(
            C=self.C,
            class_weight=self.class_weight,
            max_iter=self.max_iter,
            tol=1e-5,
            solver="newton-cg",
            random_state=SEED,
        )

    @staticmethod
    def _full_coef(lr: Any, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
        coef = np.asarray(lr.coef_, dtype=np.float64)
        icpt = np.asarray(lr.intercept_, dtype=np.float64)
        if n_classes == 2 and coef.shape[0] == 1:
            coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
            icpt = np.array([0.0, icpt[0]])
        return coef, icpt

    def fit(self, X: Any, y: Sequence[str], sample_weight: np.ndarray | None = None) -> LinearHead:
        """Fit on features ``X`` (dense or sparse) and string labels ``y``."""
        y_arr = np.asarray(y, dtype=str)
        classes = np.unique(y_arr)
        self.classes_ = classes
        if len(classes) == 1:  # nothing to learn: constant head
            self.coef_ = np.zeros((1, X.shape[1]))
            self.intercept_ = np.zeros(1)
            self.temperature_ = 1.0
            return self
        n_features = X.shape[1]
        used = None
        if hasattr(X, "tocsc"):  # hashed features: fit on the columns in use only (the others
            used = np.flatnonzero(X.getnnz(axis=0))  # get zero weight under L2 anyway), ~50x faster
            X = X.tocsc()[:, used].tocsr()
        lr = self._lr().fit(X, y_arr, sample_weight=sample_weight)
        coef, self.intercept_ = self._full_coef(lr, len(classes))
        if used is None:
            self.coef_ = coef
        else:
            self.coef_ = np.zeros((coef.shape[0], n_features))
            self.coef_[:, used] = coef
        self.temperature_ = 1.0
        y_idx = np.searchsorted(classes, y_arr)
        counts = np.bincount(y_idx, minlength=len(classes))
        folds = int(min(self.folds, counts.min()))
        if self.calibrate and folds >= 2:
            from sklearn.model_selection import StratifiedKFold

            logits = np.zeros((len(y_arr), len(classes)))
            cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
            for tr, te in cv.split(np.zeros(len(y_arr)), y_idx):
                sw = None if sample_weight is None else sample_weight[tr]
                sub = self._lr().fit(X[tr], y_arr[tr], sample_weight=sw)
                c, b = self._full_coef(sub, len(classes))
                logits[te] = np.asarray(X[te] @ c.T) + b
            self.temperature_ = _fit_temperature(logits, y_idx)
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """Uncalibrated logits, shape (n, n_classes)."""
        if not hasattr(X, "tocsr"):
            return np.asarray(X @ self.coef_.T) + self.intercept_
        # a sparse product copies a transposed (F-ordered) weight matrix every call: keep
        # one C-ordered copy per weight array (the same numbers, summed in the same order)
        kept = getattr(self, "_coef_t", None)
        if kept is None or kept[0] is not self.coef_:
            kept = self._coef_t = (self.coef_, np.ascontiguousarray(self.coef_.T))
        return np.asarray(X @ kept[1]) + self.intercept_

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated probabilities, rows sum to 1, columns in ``classes_`` order."""
        if len(self.classes_) == 1:
            return np.ones((X.shape[0], 1))
        return softmax(self.decision_function(X) / self.temperature_)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    # -- arrays in, arrays out ---------------------------------------------------------
    def to_arrays(self, prefix: str, *, sparse: bool) -> dict[str, np.ndarray]:
        """Plain arrays for np.savez (``sparse`` keeps only columns with a non-zero weight)."""
        coef = self.coef_.astype(np.float32)
        out = {
            f"{prefix}/classes": np.asarray(self.classes_, dtype=str),
            f"{prefix}/intercept": self.intercept_.astype(np.float32),
            f"{prefix}/temperature": np.array([self.temperature_], dtype=np.float32),
            f"{prefix}/n_features": np.array([coef.shape[1]], dtype=np.int64),
        }
        if sparse:
            cols = np.flatnonzero(np.any(coef != 0, axis=0)).astype(np.int32)
            out[f"{prefix}/cols"] = cols
            out[f"{prefix}/coef"] = coef[:, cols]
        else:
            out[f"{prefix}/coef"] = coef
        return out

    @classmethod
    def from_arrays(cls, arrays: Any, prefix: str) -> LinearHead:
        """Rebuild a fitted head from ``to_arrays`` output (or an open npz file)."""
        head = cls()
        head.classes_ = np.asarray(arrays[f"{prefix}/classes"]).astype(str)
        head.intercept_ = np.asarray(arrays[f"{prefix}/intercept"], dtype=np.float64)
        head.temperature_ = float(arrays[f"{prefix}/temperature"][0])
        n = int(arrays[f"{prefix}/n_features"][0])
        coef = np.asarray(arrays[f"{prefix}/coef"], dtype=np.float64)
        if f"{prefix}/cols" in arrays:
            full = np.zeros((coef.shape[0], n))
            full[:, np.asarray(arrays[f"{prefix}/cols"])] = coef
            coef = full
        head.coef_ = coef
        return head


class MultiLabelHead:
    """One binary LinearHead per label (``harm`` is multi-label); ``predict_proba`` gives the
    probability of each label being present, columns in ``labels`` order."""

    def __init__(self, labels: Sequence[str], C: float = 1.0) -> None:
        self.labels = tuple(labels)
        self.C = C

    def fit(self, X: Any, Y: Sequence[Sequence[str]]) -> MultiLabelHead:
        """Fit on features ``X`` and, per row, the list of labels present."""
        self.heads_ = {}
        for label in self.labels:
            y = ["yes" if label in row else "no" for row in Y]
            self.heads_[label] = LinearHead(C=self.C).fit(X, y)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """(n, n_labels) probabilities that each label applies."""
        cols = []
        for label in self.labels:
            head = self.heads_[label]
            p = head.predict_proba(X)
            if len(head.classes_) == 1:
                cols.append(np.full(X.shape[0], 1.0 if head.classes_[0] == "yes" else 0.0))
            else:
                cols.append(p[:, list(head.classes_).index("yes")])
        return np.column_stack(cols)

    def to_arrays(self, prefix: str, *, sparse: bool) -> dict[str, np.ndarray]:
        """Plain arrays for np.savez, one LinearHead each."""
        out: dict[str, np.ndarray] = {}
        for label, head in self.heads_.items():
            out.update(head.to_arrays(f"{prefix}.{label}", sparse=sparse))
        return out

    @classmethod
    def from_arrays(cls, arrays: Any, prefix: str, labels: Sequence[str]) -> MultiLabelHead:
        """Rebuild from ``to_arrays`` output."""
        head = cls(labels)
        head.heads_ = {lab: LinearHead.from_arrays(arrays, f"{prefix}.{lab}") for lab in labels}
        return head


def arrays_digest(arrays: dict[str, np.ndarray]) -> str:
    """A short content hash of a head's arrays: the model version, identical on re-training."""
    h = hashlib.sha256()
    for key in sorted(arrays):
        a = np.ascontiguousarray(arrays[key])
        h.update(key.encode())
        h.update(str(a.dtype).encode())
        h.update(a.tobytes())
    return h.hexdigest()[:12]
