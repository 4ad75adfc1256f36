"""Evidence spans point inside the text; the batch scan agrees with scanning one text at a time;
the n-gram hashing matches scikit-learn's; languages are flagged."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.classify.langs import detect_language, is_supported
from groundswell.classify.rules import SIGNALS, find_signals, scan, signal_matrix
from groundswell.classify.run import predict_texts
from groundswell.classify.student import N_FEATURES, StudentFeaturizer, ngram_index, ngram_spans

CUES = [
    "when I was 12",
    "#ItWasMe",
    "I will speak up",
    "witch hunt",
    "accused of",
    "my boss groped me",
    "me too",
    "I believe you",
    "https://t.co/x1",
    "ÉTÉ",
    "İstanbul",
    "\n",
    "  ",
    "#MeToo",
    "🖤",
    "I have harassed",
]
texts = st.lists(st.one_of(st.sampled_from(CUES), st.text(max_size=12)), max_size=8).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(texts)
def test_signal_spans_lie_inside_the_text(text):
    for ev in find_signals(text):
        assert 0 <= ev.start < ev.end <= len(text)
        assert text[ev.start : ev.end] == ev.text


@settings(max_examples=30, deadline=None)
@given(st.lists(texts, min_size=1, max_size=6))
def test_batch_scan_equals_one_text_at_a_time(batch):
    together = scan(batch)
    for text, hits in zip(batch, together, strict=True):
        assert sorted(hits) == sorted(scan([text])[0])


@settings(max_examples=25, deadline=None)
@given(st.lists(texts, min_size=1, max_size=4))
def test_prediction_evidence_lies_inside_the_text(batch):
    for text, rec in zip(batch, predict_texts(batch), strict=True):
        for ev in rec["evidence"]:
            assert 0 <= ev["start"] < ev["end"] <= len(text)
            assert text[ev["start"] : ev["end"]] == ev["text"]
        assert sum(
            rec[f"p_{a}"]
            for a in (
                "testimony",
                "confession",
                "pledge",
                "support",
                "backlash",
                "reporting",
                "other",
            )
        ) == np_approx(1.0)


def np_approx(x):
    import pytest

    return pytest.approx(x, abs=1e-9)


def test_signals_fire_on_codebook_cues():
    found = {
        (e.source, e.text)
        for e in find_signals("When I was 12 my uncle touched me. #ItWasMe is not this. #IWill")
    }
    assert ("when_i_was", "When I was 12") in found
    assert ("itwasme_tag", "#ItWasMe") in found
    assert ("iwill_tag", "#IWill") in found
    assert not find_signals("undue processing")  # no match starting inside a word
    m = signal_matrix(["This witch hunt has gone too far", "nothing here"])
    col = [s[0] for s in SIGNALS].index("witch_hunt")
    assert m[0, col] == 1 and m[1].sum() == 0


def test_ngram_hashing_matches_the_vectorizer():
    text = "When I was 15 my Coach kept #touching me, said nothing"
    X = StudentFeaturizer().transform([text])
    cols = set(X.indices[X.indices < N_FEATURES].tolist())
    mine = {ngram_index(ng) for ng, _, _ in ngram_spans(text)}
    assert mine == cols


def test_ngram_evidence_is_the_heaviest_words():
    rec = predict_texts(["This witch hunt against good men has gone too far"])[0]
    assert rec["act"] == "backlash"
    assert any(e["source"] == "witch_hunt" for e in rec["evidence"])


def test_language_flag():
    assert detect_language("I was followed home by a man from the bus stop") == "en"
    assert (
        detect_language("Le harcèlement dans le métro est quotidien et il faut que ça cesse")
        == "fr"
    )
    assert detect_language("यह आंदोलन बहुत जरूरी है") == "hi"
    assert detect_language("kya baat hai, yeh sab kuch nahi hota bhai") == "hi-Latn"
    assert detect_language("#MeToo #TimesUp") == "und"
    assert detect_language("anything", "es") == "es"
    assert is_supported("en") and is_supported("und") and not is_supported("fr")
    recs = predict_texts(
        ["Cuando tenía 14 años mi profesor me tocó y nadie me creyó", "I believe you, all of you"]
    )
    assert recs[0]["unsupported_language"] is True and recs[0]["lang"] == "es"
    assert recs[1]["unsupported_language"] is False
    assert np.isclose(sum(recs[0][k] for k in recs[0] if k.startswith("p_")), 1.0)
