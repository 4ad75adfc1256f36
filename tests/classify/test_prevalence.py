"""Corrected shares: the estimators recover true shares and their 95% intervals cover them about
95% of the time, on the shipped model's real (gold, predicted) pairs from the corpus test split,
split many ways with the label mix shifted between the labelled part and the 'store' part."""

from __future__ import annotations

import numpy as np
import pytest

from groundswell.classify.bundle import Bundle, shipped_path
from groundswell.classify.prevalence import adjusted_shares, ppi_shares, solve_shares
from groundswell.schema import ACTS


def real_pairs(kind: str = "teacher") -> np.ndarray:
    """The shipped model's (gold, predicted) act indices on the real test split."""
    meta = Bundle.load(shipped_path(kind)).meta
    conf = np.asarray(meta["evaluation"]["act_confusion"])
    gold, pred = np.nonzero(conf)
    reps = conf[gold, pred]
    return np.column_stack([np.repeat(gold, reps), np.repeat(pred, reps)])


def shifted_store(pairs: np.ndarray, rng: np.random.Generator, size: int) -> np.ndarray:
    """Pairs drawn with a label mix unlike the labelled set's (prior shift)."""
    weights = rng.dirichlet(np.ones(len(ACTS)))[pairs[:, 0]]
    return pairs[rng.choice(len(pairs), size=size, p=weights / weights.sum())]


def labelled_and_store(
    pairs: np.ndarray, rng: np.random.Generator, size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The real pairs as the population: a labelled set drawn from it (half its size) and a
    large store drawn from it with another label mix (prior shift): (the labelled set's
    confusion counts, the store's predicted counts, the store's true shares)."""
    lab = pairs[rng.choice(len(pairs), size=len(pairs) // 2, replace=True)]
    store = shifted_store(pairs, rng, size)
    conf = np.zeros((7, 7))
    np.add.at(conf, (lab[:, 0], lab[:, 1]), 1)
    truth = np.bincount(store[:, 0], minlength=7) / len(store)
    return conf, np.bincount(store[:, 1], minlength=7), truth


def test_solve_shares_inverts_a_known_confusion():
    rates = np.array([[0.8, 0.2, 0.0], [0.1, 0.7, 0.2], [0.0, 0.3, 0.7]])
    truth = np.array([0.2, 0.5, 0.3])
    got = solve_shares(rates.T @ truth, rates)
    assert got == pytest.approx(truth, abs=1e-6)


def test_adjusted_shares_beat_raw_counts_under_prior_shift():
    pairs = real_pairs()
    rng = np.random.default_rng(0)
    raw_err, adj_err = [], []
    for _ in range(20):
        conf, counts, truth = labelled_and_store(pairs, rng, 3000)
        shares = adjusted_shares(counts, conf, ACTS, n_boot=20)
        raw_err.append(np.abs([s.raw_share for s in shares] - truth).sum())
        adj_err.append(np.abs([s.share for s in shares] - truth).sum())
    assert np.mean(adj_err) < np.mean(raw_err)


@pytest.mark.parametrize("kind", ["teacher", "student"])
def test_adjusted_intervals_cover_about_95_percent(kind):
    pairs = real_pairs(kind)
    rng = np.random.default_rng(1)
    hits = total = 0
    for _ in range(60):
        conf, counts, truth = labelled_and_store(pairs, rng, 5000)
        shares = adjusted_shares(counts, conf, ACTS, n_boot=150)
        for j, s in enumerate(shares):
            if conf[j].sum() >= 10:  # acts the labelled half holds
                hits += s.low - 1e-9 <= truth[j] <= s.high + 1e-9
                total += 1
    assert total > 100
    assert 0.88 <= hits / total <= 1.0


def test_ppi_intervals_cover_about_95_percent():
    pairs = real_pairs()
    rng = np.random.default_rng(2)
    hits = total = 0
    eye = np.eye(7)
    for _ in range(200):
        store = pairs[rng.choice(len(pairs), size=5000, replace=True)]
        sample = store[rng.choice(len(store), size=300, replace=False)]
        truth = np.bincount(store[:, 0], minlength=7) / len(store)
        shares = ppi_shares(
            eye[store[:, 1]], eye[sample[:, 1]], [ACTS[g] for g in sample[:, 0]], ACTS
        )
        for j, s in enumerate(shares):
            if truth[j] >= 0.02:
                hits += s.low <= truth[j] <= s.high
                total += 1
    assert 0.90 <= hits / total <= 0.995


def test_labels_never_seen_in_the_labelled_set_keep_their_raw_share():
    conf = np.zeros((7, 7))
    conf[3, 3], conf[3, 5], conf[5, 5], conf[5, 3], conf[6, 6] = 40, 10, 45, 5, 50
    counts = np.array([0, 30, 0, 300, 0, 500, 170])  # 30 predicted confessions, none labelled
    shares = {s.label: s for s in adjusted_shares(counts, conf, ACTS, n_boot=50)}
    assert shares["confession"].share == pytest.approx(0.03)
    assert shares["confession"].low < 0.03 < shares["confession"].high
    assert sum(s.share for s in shares.values()) == pytest.approx(1.0, abs=1e-6)
