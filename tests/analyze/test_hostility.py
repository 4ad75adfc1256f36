"""The shipped hostile-wording model: behaviour on sentences written here, speed, and (when the
EDOS CSV is present) its test macro-F1 and the reproduction of the shipped weights."""

from __future__ import annotations

import math

import numpy as np
import pytest

from groundswell.analyze import hostility
from groundswell.analyze.hostility import (
    hostile_scores,
    hostile_share,
    load_model,
    macro_f1,
    normalise,
    train_hostility,
)

HOSTILE = [
    "Women are stupid and belong in the kitchen, not in the office.",
    "All feminists are ugly hysterical bitches who lie about rape.",
    "She is a dumb slut, women like her should shut up and obey men.",
    "Typical woman, too emotional to do a man's job. Get back to making sandwiches.",
]
NEUTRAL = [
    "The weather in Lisbon was lovely this weekend, we walked by the river.",
    "Our team shipped the new release today, thanks to everyone who tested it.",
    "I made a lentil soup with carrots and cumin for dinner.",
    "The train to Manchester is delayed by twenty minutes this morning.",
]


def test_hostile_sentences_score_above_neutral_ones():
    model = load_model()
    scores = hostile_scores(HOSTILE + NEUTRAL)
    assert (scores[:4] >= model.threshold).all(), scores
    assert (scores[4:] < model.threshold).all(), scores
    assert scores[:4].min() > scores[4:].max()


def test_share_counts_flagged_texts():
    assert hostile_share(HOSTILE[:1] + NEUTRAL) == pytest.approx(1 / 5)
    assert hostile_share(NEUTRAL) == 0.0
    assert math.isnan(hostile_share([]))
    assert hostile_scores([]).shape == (0,)


def test_live_text_put_in_corpus_form():
    assert normalise("@someone look https://t.co/x1") == "[USER] look [URL]"
    # a handle or link must not change the verdict on the words
    a, b = hostile_scores([HOSTILE[0], "@abc " + HOSTILE[0] + " https://x.co/1"])
    assert abs(a - b) < 0.2


def test_shipped_model_meets_its_reported_test_f1(shared_data):
    csv = shared_data / "edos" / "edos_labelled_aggregated.csv"
    if not csv.exists():
        pytest.skip("EDOS CSV not present")
    model = load_model()
    f1 = macro_f1(model, csv, "test")
    assert abs(f1 - model.info["test_macro_f1"]) <= 0.01
    assert f1 > 0.74  # a linear model on EDOS task A; the leaderboard's best is 0.8746


def test_training_reproduces_the_shipped_weights(shared_data, tmp_path):
    csv = shared_data / "edos" / "edos_labelled_aggregated.csv"
    if not csv.exists():
        pytest.skip("EDOS CSV not present")
    shipped = load_model()
    out = tmp_path / "h.npz"
    rebuilt = train_hostility(csv, out, c_grid=(shipped.info["C"],))
    assert out.exists()
    assert rebuilt.threshold == pytest.approx(shipped.threshold)
    assert np.corrcoef(rebuilt.coef, shipped.coef)[0, 1] > 0.999
    assert abs(rebuilt.info["test_macro_f1"] - shipped.info["test_macro_f1"]) <= 0.01


def test_missing_model_file_says_how_to_rebuild(tmp_path):
    from groundswell.errors import ModelError

    with pytest.raises(ModelError, match="train_hostility"):
        hostility.load_model(tmp_path / "none.npz")
