"""Honest evaluation: per-class precision / recall / F1, macro-F1, confusion matrix and expected
calibration error (ECE) of the act classifier on a labelled CSV (``text``, ``act``)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from groundswell.errors import InputError
from groundswell.schema import ACTS

N_BINS = 10


def expected_calibration_error(
    confidence: Sequence[float], correct: Sequence[bool], n_bins: int = N_BINS
) -> float:
    """ECE of top-label confidences: sum over equal-width bins (lo, hi] of
    (share of posts in the bin) x |accuracy in the bin - mean confidence in the bin|."""
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=float)
    if conf.size == 0:
        return 0.0
    idx = np.clip(np.ceil(conf * n_bins).astype(int) - 1, 0, n_bins - 1)
    ece = 0.0
    for b in range(n_bins):
        in_bin = idx == b
        if in_bin.any():
            ece += in_bin.mean() * abs(ok[in_bin].mean() - conf[in_bin].mean())
    return float(ece)


def act_metrics(
    y_true: Sequence[str], y_pred: Sequence[str], probs: np.ndarray | None = None
) -> dict[str, Any]:
    """Metrics of predicted acts against true ones; ``probs`` (n, 7, ACTS order) adds ECE."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    y_true = list(y_true)
    y_pred = list(y_pred)
    labels = [a for a in ACTS if a in set(y_true) | set(y_pred)]
    present = [a for a in ACTS if a in set(y_true)]
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    with warnings.catch_warnings():  # one act in the file: its 1x1 matrix is right, no warning
        warnings.filterwarnings("ignore", "A single label was found", UserWarning)
        matrix = confusion_matrix(y_true, y_pred, labels=labels)
    per_class = {
        lab: {
            "precision": float(p[i]),
            "recall": float(r[i]),
            "f1": float(f[i]),
            "support": int(s[i]),
        }
        for i, lab in enumerate(labels)
    }
    out: dict[str, Any] = {
        "n": len(y_true),
        "accuracy": float(np.mean(np.asarray(y_true) == np.asarray(y_pred))) if y_true else 0.0,
        # macro over the acts that occur in the gold labels: an act absent from the set
        # cannot be recalled, and its false positives already cost the others' precision
        "macro_f1": float(np.mean([per_class[a]["f1"] for a in present])) if present else 0.0,
        "per_class": per_class,
        "confusion": {
            "labels": labels,
            "matrix": matrix.tolist(),
        },
    }
    if probs is not None and len(y_true):
        conf = probs.max(axis=1)
        out["ece"] = expected_calibration_error(conf, np.asarray(y_true) == np.asarray(y_pred))
    return out


def read_eval_csv(
    path: str | os.PathLike, errors: list[str] | None = None
) -> tuple[list[str], list[str]]:
    """Texts and gold acts of a labelled CSV (other columns ignored); given ``errors``, a row
    that cannot be read is named there and the others are read (``read_labelled_csv``)."""
    from groundswell.classify.training import read_labelled_csv

    data = read_labelled_csv(path, errors)
    return data.texts, data.acts


def evaluate(
    labels_csv: str | os.PathLike,
    model: str = "student",
    *,
    device: str = "cpu",
    heads_dir: str | os.PathLike | None = None,
    precision: str = "auto",
) -> dict[str, Any]:
    """Classify the texts of ``labels_csv`` with ``model`` and score them against its ``act``
    column; returns metrics with the model's name and version, and ``errors``: the rows that
    could not be read (``file:line: why``), left out of the metrics."""
    from groundswell.classify.run import load_classifier

    errors: list[str] = []
    texts, gold = read_eval_csv(labels_csv, errors)
    if errors and not texts:
        raise InputError(f"{errors[0]}; no labelled row could be read")
    if not texts:
        raise InputError(
            f"{labels_csv}: no labelled rows to evaluate on; give each row a non-empty 'text' "
            f"and an 'act' ({', '.join(ACTS)})"
        )
    clf = load_classifier(
        model, n_posts=len(texts), device=device, heads_dir=heads_dir, precision=precision
    )
    probs = clf.scores(texts)["act"]
    pred = [ACTS[i] for i in probs.argmax(axis=1)]
    out = act_metrics(gold, pred, probs)
    out.update({"file": str(labels_csv), "model": clf.name, "version": clf.version})
    out["errors"] = errors
    return out


def format_evaluation(result: dict[str, Any]) -> str:
    """A plain-text table of an ``evaluate`` result."""
    lines = []
    if "model" in result:
        lines.append(
            f"model {result['model']} {result['version']} on {result.get('file', '')}"
            f" ({result['n']} posts)"
        )
    lines.append(f"{'act':<12}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}")
    for lab, m in result["per_class"].items():
        lines.append(
            f"{lab:<12}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}{m['support']:>9d}"
        )
    lines.append(
        f"macro-F1 {result['macro_f1']:.3f}   accuracy {result['accuracy']:.3f}"
        + (f"   ECE {result['ece']:.3f}" if "ece" in result else "")
    )
    labels = result["confusion"]["labels"]
    short = [lab[:6] for lab in labels]
    lines.append("confusion (rows: gold, columns: predicted)")
    lines.append(" " * 12 + "".join(f"{s:>8}" for s in short))
    for lab, row in zip(labels, result["confusion"]["matrix"], strict=True):
        lines.append(f"{lab:<12}" + "".join(f"{v:>8d}" for v in row))
    return "\n".join(lines)
