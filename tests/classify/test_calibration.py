"""Heads give probabilities that sum to 1, calibrate, round-trip, and ECE is computed right."""

from __future__ import annotations

import numpy as np
import pytest

from groundswell.classify.evaluation import act_metrics, expected_calibration_error
from groundswell.classify.heads import LinearHead, MultiLabelHead, softmax


def _toy(n=120, d=6, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(3, d)) * 2
    y = rng.integers(0, 3, size=n)
    X = centers[y] + rng.normal(size=(n, d))
    return X, np.array(["a", "b", "c"])[y]


def test_probabilities_sum_to_one_and_calibrate():
    X, y = _toy()
    head = LinearHead(C=1.0).fit(X, y)
    p = head.predict_proba(X)
    assert p.shape == (len(y), 3)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-9)
    assert (p >= 0).all()
    assert 0.05 <= head.temperature_ <= 20
    assert (head.predict(X) == y).mean() > 0.8


def test_head_round_trips_through_arrays():
    X, y = _toy()
    head = LinearHead(C=0.5).fit(X, y)
    back = LinearHead.from_arrays(head.to_arrays("act", sparse=True), "act")
    np.testing.assert_allclose(back.predict_proba(X), head.predict_proba(X), atol=1e-5)


def test_multilabel_head_gives_one_probability_per_label():
    X, y = _toy()
    rows = [["x"] if v == "a" else ["x", "y"] if v == "b" else [] for v in y]
    head = MultiLabelHead(["x", "y", "z"]).fit(X, rows)
    p = head.predict_proba(X)
    assert p.shape == (len(y), 3)
    assert (p[:, 2] == 0).all()  # never present in training: probability 0
    assert ((p[:, 0] > 0.5) == (y != "c")).mean() > 0.8


def test_softmax_is_stable_for_large_logits():
    p = softmax(np.array([[1000.0, 0.0, -1000.0]]))
    assert np.isfinite(p).all() and p[0, 0] == pytest.approx(1.0)


def test_ece_on_a_hand_computed_case():
    # bins of width 0.1, (lo, hi]:
    #   0.95, 0.95 (correct, wrong)   -> bin (0.9, 1.0]: acc 0.5, conf 0.95, gap 0.45, weight 2/5
    #   0.62, 0.68, 0.65 (all correct) -> bin (0.6, 0.7]: acc 1.0, conf 0.65, gap 0.35, weight 3/5
    # ECE = 0.4 * 0.45 + 0.6 * 0.35 = 0.18 + 0.21 = 0.39
    ece = expected_calibration_error(
        [0.95, 0.95, 0.62, 0.68, 0.65], [True, False, True, True, True]
    )
    assert ece == pytest.approx(0.39)


def test_ece_is_zero_when_confidence_matches_accuracy():
    conf = [0.75] * 4
    assert expected_calibration_error(conf, [True, True, True, False]) == pytest.approx(0.0)


def test_bin_edges_belong_to_the_lower_bin():
    # 0.7 is in (0.6, 0.7], with 0.61: mean conf 0.655, accuracy 0.5 -> ECE 0.155
    assert expected_calibration_error([0.7, 0.61], [True, False]) == pytest.approx(0.155)


def test_act_metrics_confusion_and_macro_f1():
    gold = ["support", "support", "reporting", "backlash"]
    pred = ["support", "reporting", "reporting", "support"]
    m = act_metrics(gold, pred)
    assert m["confusion"]["labels"] == ["support", "backlash", "reporting"]
    assert m["confusion"]["matrix"] == [[1, 0, 1], [1, 0, 0], [0, 0, 1]]
    # support P 1/2 R 1/2 F 0.5; backlash 0; reporting P 1/2 R 1 F 2/3
    assert m["macro_f1"] == pytest.approx((0.5 + 0 + 2 / 3) / 3)
