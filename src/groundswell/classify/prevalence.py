"""Shares of labels corrected for the classifier's errors, with intervals that include them.

Counting a classifier's top labels is biased whenever it errs (Forman 2008): a model that calls
some support `backlash` inflates backlash on every store. Two estimators, each with a 95%
interval:

- ``adjusted_shares`` (adjusted classify-and-count): the model's confusion matrix, measured on
  real labelled posts, maps the true shares to the expected predicted shares; the true shares
  are the non-negative solution summing to one. The interval is a bootstrap over both the store's
  predictions and the labelled set the matrix came from, so a matrix measured on a few posts
  gives a wide interval, as it should. It assumes the store differs from the labelled set in
  its label mix, not in how each label is written (prior shift).
- ``ppi_shares`` (prediction-powered inference, Angelopoulos et al., Science 2023): when the user
  labelled a random sample of their own store, the model's mean prediction over every post is
  corrected by its mean error on that sample; the interval is valid with a few hundred labels
  and makes no assumption about the shift.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from groundswell.schema import ACTS

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Share:
    """One label's raw count and share, and its corrected share with a 95% interval."""

    label: str
    count: int
    raw_share: float
    share: float
    low: float
    high: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _row_normalised(confusion: np.ndarray) -> np.ndarray:
    """P(predicted j | true i), with half a count spread over each row (a label never seen in
    the labelled set gets a flat row, not a division by zero)."""
    k = confusion.shape[0]
    c = confusion.astype(float) + 0.5 / k
    return c / c.sum(axis=1, keepdims=True)


def solve_shares(observed: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """The true shares p >= 0, sum 1, whose expected predicted shares ``rates.T @ p`` are
    nearest to ``observed`` (least squares on the simplex)."""
    from scipy.optimize import nnls

    k = len(observed)
    weight = 1e3  # the sum-to-one row, much stiffer than the others
    A = np.vstack([rates.T, weight * np.ones((1, k))])
    b = np.concatenate([observed, [weight]])
    p, _ = nnls(A, b)
    total = p.sum()
    return p / total if total > 0 else np.full(k, 1.0 / k)


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval for k successes in n trials (95% by default)."""
    if n <= 0:
        return 0.0, 0.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


MIN_SUPPORT = 5  # a label with fewer true examples in the labelled set cannot be corrected


def adjusted_shares(
    counts: Sequence[int],
    confusion: np.ndarray,
    labels: Sequence[str],
    *,
    n_boot: int = 400,
    seed: int = 13,
    min_support: int = MIN_SUPPORT,
) -> list[Share]:
    """Corrected shares of ``labels`` from the store's predicted ``counts`` and the model's
    ``confusion`` counts (rows true, columns predicted, in ``labels`` order) on labelled posts.

    Labels with fewer than ``min_support`` true examples in the labelled set have no measured
    error rates: they keep their raw share (a Wilson interval: sampling error only) and the
    correction is solved among the others, over the rest of the posts."""
    counts = np.asarray(counts, dtype=float)
    confusion = np.asarray(confusion, dtype=float)
    n = counts.sum()
    if n == 0:
        return [Share(lab, 0, 0.0, 0.0, 0.0, 0.0) for lab in labels]
    observed = counts / n
    keep = np.flatnonzero(confusion.sum(axis=1) >= min_support)
    out = [
        Share(
            lab,
            int(counts[i]),
            float(observed[i]),
            float(observed[i]),
            *wilson(int(counts[i]), int(n)),
        )
        for i, lab in enumerate(labels)
    ]
    if len(keep) < 2 or counts[keep].sum() == 0:
        return out
    sub = confusion[np.ix_(keep, keep)]
    mass = counts[keep].sum() / n  # the posts predicted as a correctable label
    k = len(keep)
    sub_obs = counts[keep] / counts[keep].sum()
    point = solve_shares(sub_obs, _row_normalised(sub)) * mass
    rng = np.random.default_rng(seed)
    pairs = np.repeat(np.arange(k * k), sub.astype(int).ravel())
    boot = np.empty((n_boot, k))
    for b in range(n_boot):
        obs_b = rng.multinomial(int(counts[keep].sum()), sub_obs) / counts[keep].sum()
        drawn = rng.choice(pairs, size=len(pairs), replace=True)
        conf_b = np.bincount(drawn, minlength=k * k).reshape(k, k)
        boot[b] = solve_shares(obs_b, _row_normalised(conf_b)) * mass
    low, high = np.quantile(boot, [0.025, 0.975], axis=0)
    for j, i in enumerate(keep):
        out[i] = Share(
            labels[i],
            int(counts[i]),
            float(observed[i]),
            float(point[j]),
            float(min(low[j], point[j])),
            float(max(high[j], point[j])),
        )
    return out


def ppi_shares(
    predicted: np.ndarray,
    sample_predicted: np.ndarray,
    sample_true: Sequence[str],
    labels: Sequence[str],
    counts: Sequence[int] | None = None,
) -> list[Share]:
    """Prediction-powered shares: ``predicted`` (N, k) the model's probabilities on every post,
    ``sample_predicted`` (n, k) on a random labelled sample whose true labels are
    ``sample_true``; ``counts`` the raw top-label counts to show beside them."""
    predicted = np.asarray(predicted, dtype=float)
    if counts is None:
        counts = np.bincount(predicted.argmax(axis=1), minlength=len(labels))
    return ppi_from_moments(
        predicted.mean(axis=0),
        predicted.var(axis=0, ddof=1),
        len(predicted),
        sample_predicted,
        sample_true,
        labels,
        counts,
    )


def ppi_from_moments(
    mean: Sequence[float],
    var: Sequence[float],
    big_n: int,
    sample_predicted: np.ndarray,
    sample_true: Sequence[str],
    labels: Sequence[str],
    counts: Sequence[int],
) -> list[Share]:
    """``ppi_shares`` from the per-label mean and variance of the model's probabilities over
    all ``big_n`` posts (computed in SQL for a large store)."""
    sample_predicted = np.asarray(sample_predicted, dtype=float)
    truth = np.zeros_like(sample_predicted)
    index = {lab: j for j, lab in enumerate(labels)}
    for r, lab in enumerate(sample_true):
        truth[r, index[lab]] = 1.0
    rectifier = sample_predicted - truth
    point = np.asarray(mean, dtype=float) - rectifier.mean(axis=0)
    spread = np.nan_to_num(np.asarray(var, dtype=float)) / max(big_n, 1)
    half = Z95 * np.sqrt(spread + rectifier.var(axis=0, ddof=1) / len(sample_true))
    counts = np.asarray(counts)
    total = max(int(counts.sum()), 1)
    return [
        Share(
            lab,
            int(counts[j]),
            float(counts[j] / total),
            float(np.clip(point[j], 0.0, 1.0)),
            float(np.clip(point[j] - half[j], 0.0, 1.0)),
            float(np.clip(point[j] + half[j], 0.0, 1.0)),
        )
        for j, lab in enumerate(labels)
    ]


# -- the store's shares ---------------------------------------------------------------------
MIN_PPI_LABELS = 30  # fewer random labels than this: the confusion matrix corrects instead


@functools.cache
def _shipped(kind: str) -> tuple[str, dict[str, Any] | None]:
    """The shipped model's version and real-data evaluation (read once per process)."""
    from groundswell.classify.bundle import Bundle, shipped_path

    bundle = Bundle.load(shipped_path(kind))
    return bundle.version, bundle.meta.get("evaluation")


def model_evaluation(con: Any, model: str, version: str) -> dict[str, Any] | None:
    """The real-data evaluation kept with a model: the shipped teacher's or student's, or a
    head kept in the store's ``heads`` table; None when there is none."""
    from groundswell.classify.bundle import Bundle

    if model in ("teacher", "student"):
        shipped_version, evaluation = _shipped(model)
        if shipped_version == version:
            return evaluation
    try:
        row = con.execute(
            "SELECT blob FROM heads WHERE name = ? AND version = ?", [model, version]
        ).fetchone()
    except Exception:  # no heads table: nothing kept in this store
        row = None
    if row is None:
        return None
    return Bundle.from_bytes(bytes(row[0])).meta.get("evaluation")


def current_model(con: Any) -> tuple[str, str] | None:
    """The (model, version) that labelled the most posts, or None before ``classify``."""
    try:
        row = con.execute(
            "SELECT model, version FROM acts GROUP BY ALL ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    except Exception:
        return None
    return (row[0], row[1]) if row else None


def _random_labels(con: Any, model: str, version: str) -> tuple[np.ndarray, list[str]]:
    """The model's act probabilities and the user's act for each post labelled at random."""
    import orjson

    try:
        rows = con.execute(
            "SELECT a.scores, l.act FROM labels l JOIN acts a USING (platform, id) "
            "WHERE l.source = 'random' AND a.model = ? AND a.version = ?",
            [model, version],
        ).fetchall()
    except Exception:
        return np.zeros((0, 7)), []
    probs = np.asarray([[orjson.loads(s).get(a, 0.0) for a in ACTS] for s, _ in rows])
    return probs.reshape(len(rows), len(ACTS)), [act for _, act in rows]


def store_act_shares(con: Any) -> dict[str, Any] | None:
    """The store's act shares with 95% intervals that include the model's error: by
    prediction-powered inference when the user labelled a random sample of at least
    MIN_PPI_LABELS posts, else adjusted by the model's confusion matrix on real labelled posts,
    else raw counts (method ``raw``, with the reason). None before ``classify``."""
    current = current_model(con)
    if current is None:
        return None
    model, version = current
    counts = dict(
        con.execute(
            "SELECT act, count(*) FROM acts WHERE model = ? AND version = ? GROUP BY act",
            [model, version],
        ).fetchall()
    )
    n = np.asarray([counts.get(a, 0) for a in ACTS])
    evaluation = model_evaluation(con, model, version)
    out: dict[str, Any] = {"model": model, "version": version, "posts": int(n.sum())}
    if evaluation:
        out["quality"] = {
            "labelled_set": evaluation.get("labelled_set", "real corpus test split"),
            "n": evaluation.get("n"),
            "macro_f1": evaluation.get("acts", {}).get("macro_f1"),
            "accuracy": evaluation.get("acts", {}).get("accuracy"),
        }
    sample_probs, sample_true = _random_labels(con, model, version)
    if len(sample_true) >= MIN_PPI_LABELS:
        means = con.execute(
            "SELECT "
            + ", ".join(
                f"avg(CAST(json_extract(scores, '$.{a}') AS DOUBLE)), "
                f"var_samp(CAST(json_extract(scores, '$.{a}') AS DOUBLE))"
                for a in ACTS
            )
            + " FROM acts WHERE model = ? AND version = ?",
            [model, version],
        ).fetchone()
        out["method"] = "prediction-powered inference"
        out["labelled_set"] = f"{len(sample_true)} posts of this store labelled at random"
        out["shares"] = ppi_from_moments(
            means[0::2], means[1::2], int(n.sum()), sample_probs, sample_true, ACTS, n
        )
    elif evaluation and evaluation.get("act_confusion"):
        out["method"] = "adjusted classify-and-count"
        out["labelled_set"] = out["quality"]["labelled_set"]
        out["shares"] = adjusted_shares(n, np.asarray(evaluation["act_confusion"]), ACTS)
    else:
        out["method"] = "raw"
        out["reason"] = (
            "no real-data evaluation is kept with this model: the interval is sampling error "
            "only (Wilson), not the model's error"
        )
        total = int(n.sum())
        out["shares"] = [
            Share(a, int(k), k / max(total, 1), k / max(total, 1), *wilson(int(k), total))
            for a, k in zip(ACTS, n, strict=True)
        ]
    return out


LOW_CONFIDENCE = 0.5  # a top act probability under this is a post the model is unsure of
OFF_TOPIC_OTHER = 0.6  # a store whose corrected `other` share reaches this looks off-topic


def domain_check(con: Any, shares: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """Whether the store looks like what the model learned from: the share of posts it is
    unsure of, of unsupported languages, and the corrected share of posts not about the
    movement (`other`); ``off_topic`` and ``advice`` say what that means for the shares."""
    current = current_model(con)
    if current is None:
        return None
    model, version = current
    low, unsupported, n = con.execute(
        "SELECT count(*) FILTER (WHERE greatest("
        + ", ".join(f"CAST(json_extract(scores, '$.{a}') AS DOUBLE)" for a in ACTS)
        + f") < {LOW_CONFIDENCE}), count(*) FILTER (WHERE unsupported_language), count(*) "
        "FROM acts WHERE model = ? AND version = ?",
        [model, version],
    ).fetchone()
    shares = shares or store_act_shares(con)
    other = next((s for s in (shares or {}).get("shares", []) if s.label == "other"), None)
    out: dict[str, Any] = {
        "posts": int(n),
        "low_confidence": low / n if n else 0.0,
        "unsupported_language": unsupported / n if n else 0.0,
        "other": other.share if other else None,
    }
    reasons = []
    if other is not None and other.share >= OFF_TOPIC_OTHER:
        reasons.append(f"{other.share:.0%} of posts are not about the movement (act `other`)")
    if out["low_confidence"] >= 0.5:
        reasons.append(f"the model is unsure of {out['low_confidence']:.0%} of posts")
    if out["unsupported_language"] >= 0.3:
        reasons.append(f"{out['unsupported_language']:.0%} of posts are in unsupported languages")
    out["off_topic"] = bool(reasons)
    out["reasons"] = reasons
    out["advice"] = (
        "The store looks unlike the posts the model learned from ("
        + "; ".join(reasons)
        + "): treat its shares with care, and label a random sample "
        "(`groundswell label --random 300`) to get shares that hold on this store."
        if reasons
        else ""
    )
    return out


def share_summary(con: Any) -> dict[str, Any] | None:
    """The store's corrected act shares and domain check as plain JSON-able values (for
    ``stats`` and the Python API); None before ``classify``."""
    estimate = store_act_shares(con)
    if estimate is None:
        return None
    out = {k: v for k, v in estimate.items() if k != "shares"}
    out["shares"] = [s.to_dict() for s in estimate["shares"]]
    out["domain"] = domain_check(con, estimate)
    return out
