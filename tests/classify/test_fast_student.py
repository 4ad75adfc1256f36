"""The fast student path against slow, obviously-correct references: its one tokenisation gives
scikit-learn's feature matrix, the spans the evidence re-tokenising found, the same records; the
language guess equals a character-by-character one; the stored JSON holds the records' values."""

from __future__ import annotations

import functools
import json
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.classify import langs
from groundswell.classify.run import load_classifier
from groundswell.classify.student import (
    HashedWords,
    hash_words,
    ngram_index,
    ngram_spans,
    vectorizer,
)

PIECES = [
    "When I was 14 my Uncle",
    "#MeToo",
    "#ItWasMe",
    "I believe you",
    "witch hunt",
    "https://t.co/x1",
    "the the the",
    "me too me too",
    "ΣΟΦΙΑ ΑΣ'Α",  # capital sigma: lower-cased by its context
    "İstanbul",  # lower-cases to two characters
    "straße STRASSE",
    "यह आंदोलन बहुत जरूरी है",
    "حان الوقت",
    "我也是",
    "🖤🙏🏽",
    "don't_stop",
    "\n\t ",
    "",
]
TEXTS = st.lists(
    st.one_of(
        st.sampled_from(PIECES),
        st.text(alphabet="aAbB #@'_1éÉΣσİıßЖжअ中🖤\n", max_size=20),
        st.text(max_size=10),
    ),
    max_size=10,
).map(" ".join)


def _analyzed(text: str) -> list[str]:
    """The vectorizer's own n-grams of ``text``, in its order."""
    return vectorizer().build_analyzer()(text)


@settings(max_examples=80, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=6))
def test_hashed_words_equal_the_vectorizer(texts):
    mine = hash_words(texts).matrix
    ref = vectorizer().transform(texts).tocsr()
    assert np.array_equal(mine.indptr, ref.indptr)
    assert np.array_equal(mine.indices, ref.indices)
    assert np.array_equal(mine.data, ref.data)  # exactly: the same L2 norms


@settings(max_examples=80, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=6))
def test_first_positions_and_spans_match_the_slow_reference(texts):
    hashed = hash_words(texts)
    m = hashed.matrix
    for row, text in enumerate(texts):
        grams = _analyzed(text)
        cols = m.indices[m.indptr[row] : m.indptr[row + 1]].tolist()
        first = hashed.first[m.indptr[row] : m.indptr[row + 1]].tolist()
        for col, pos in zip(cols, first, strict=True):
            assert pos == [ngram_index(g) for g in grams].index(col)
        spans = hashed.spans(text, row, first) if first else []
        if text.isascii():
            assert spans is not None
        if spans is None:
            continue  # the classifier re-tokenises these texts (see the next test)
        for col, span in zip(cols, spans, strict=True):
            ref = next((s, e) for g, s, e in ngram_spans(text) if ngram_index(g) == col)
            assert span == ref


def _records_equal(a: list[dict], b: list[dict]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert list(x) == list(y)
        for k in x:
            if isinstance(x[k], float | dict):
                assert x[k] == pytest.approx(y[k], abs=1e-9)
            else:
                assert x[k] == y[k], k


@functools.cache
def _student():
    return load_classifier("student")


def _check_against_re_tokenising(texts: list[str]) -> None:
    """The records of ``texts`` equal those whose evidence re-tokenises every text."""
    clf = _student()
    fast = clf.predict(texts)
    fast_all = clf.predict(texts, all_testimony=True)
    original = HashedWords.spans
    try:
        HashedWords.spans = lambda self, text, row, positions: None  # type: ignore[method-assign]
        slow = clf.predict(texts)
        slow_all = clf.predict(texts, all_testimony=True)
    finally:
        HashedWords.spans = original  # type: ignore[method-assign]
    _records_equal(fast, slow)
    _records_equal(fast_all, slow_all)


@settings(max_examples=25, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=8))
def test_records_equal_those_of_the_re_tokenising_evidence(texts):
    _check_against_re_tokenising(texts)


def test_long_and_repetitive_texts_keep_their_evidence():
    _check_against_re_tokenising(
        ["my boss touched me at the office " * 300, "x" * 5000, "", "the " * 1000 + "rape"]
    )


def _reference_language(text: str, lang: str | None = None) -> str:
    """The language guess one character and one word at a time (the fast one's reference)."""
    if lang and lang.lower() not in langs._UNDEFINED:
        return lang.lower()
    body = langs._STRIP.sub(" ", text)
    counts: dict[str, int] = {}
    latin = 0
    for ch in body:
        if not ch.isalpha():
            continue
        if ch.isascii():
            latin += 1
            continue
        name = unicodedata.name(ch, "")
        for prefix, code in langs._SCRIPTS:
            if name.startswith(prefix):
                counts[code] = counts.get(code, 0) + 1
                break
        else:
            latin += 1
    if counts:
        code, n = max(counts.items(), key=lambda kv: kv[1])
        if n > latin:
            return code
    words = [w.lower() for w in langs._WORD.findall(body)]
    if len(words) < 3:
        return "und"
    scores = dict.fromkeys(langs._STOP, 0)
    for w in words:
        for k in langs._STOP_LANGS.get(w, ()):
            scores[k] += 1
    best = max(scores, key=lambda k: (scores[k], k == "en"))
    if scores[best] == 0:
        return "und"
    if best != "en" and scores[best] <= scores["en"]:
        return "en"
    if best != "en" and scores[best] < 2:
        return "en" if scores["en"] else "und"
    return best


WORDS = st.sampled_from(
    ["the", "and", "le", "la", "de", "que", "der", "hai", "ki", "you", "Le", "THE", "été", "ΑΣ"]
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(WORDS, st.sampled_from(PIECES), st.text(max_size=8)), max_size=12).map(
        " ".join
    ),
    st.sampled_from([None, "", "und", "fr", "EN"]),
)
def test_language_guess_equals_the_character_by_character_reference(text, lang):
    assert langs.detect_language(text, lang) == _reference_language(text, lang)


def test_stored_json_holds_the_records_values():
    from groundswell.classify.store import _rows

    texts = ["When I was 12 my coach groped me at school #MeToo", "Thank you for sharing 🖤", ""]
    recs = _student().predict(texts)
    acts, testimony = _rows([("twitter", str(i)) for i in range(len(recs))], recs)
    for rec, scores, evidence in zip(
        recs,
        acts.column("scores").to_pylist(),
        acts.column("evidence").to_pylist(),
        strict=True,
    ):
        want = {k[2:]: round(v, 6) for k, v in rec.items() if k[:2] == "p_"}
        assert json.loads(scores) == pytest.approx(want, abs=1e-12)
        assert json.loads(evidence) == rec["evidence"]
    told = [r for r in recs if r["act"] == "testimony"]
    assert told and testimony.column("id").to_pylist() == [
        str(i) for i, r in enumerate(recs) if r["act"] == "testimony"
    ]
    for rec, details in zip(told, testimony.column("scores").to_pylist(), strict=True):
        for key, got in json.loads(details).items():
            assert got == {lab: round(v, 6) for lab, v in rec[f"{key}_scores"].items()}
