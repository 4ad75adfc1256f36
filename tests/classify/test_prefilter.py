"""The hyperscan prefilter changes only speed: the signals, the act gates and the testimony
details found with it equal those the plain regular expressions find alone, on written edge
cases, generated text and real posts; and its loosened patterns never match less."""

from __future__ import annotations

import csv
import importlib.util
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.classify import details, rules

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
NAMES = ("words", "details")

PIECES = [
    "When I was 12",
    "i was 45",
    "#ItWasMe",
    "#IWill",
    "I will speak up",
    "I'll",
    "witch hunt",
    "accused of",
    "my boss groped me",
    "me too",
    "#MeToo",
    "metoo",
    "I believe you",
    "hold him accountable",
    "She writes:",
    "(1/3)",
    "https://t.co/x1",
    "via @news",
    "my uncle",
    "on the bus",
    "a 16-year-old",
    "ÉTÉ",
    "İstanbul",
    "ſ",
    "मुझे भी",  # Devanagari: the gates leave it alone
    "Σίγμα",
    "ﬁ",
    "I\u0301",  # a combining mark after a word letter
    "x\u200bme",  # a zero-width space inside a word
    "ǅ",
    "١٢",  # Arabic-Indic digits: Python's \d takes them
    "_me_",
    "\x00",
    "\n",
    "\r",
    "\u2028",
    "  ",
    "🖤",
    "\ud800",  # a lone surrogate: no UTF-8, so every pattern stays a candidate
]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=10)), max_size=10).map(
    lambda parts: random.Random(len(parts)).choice([" ", "", "\n"]).join(parts)
)


# where hyperscan is not installed the plain scan is the only one
needs_hyperscan = pytest.mark.skipif(
    importlib.util.find_spec("hyperscan") is None, reason="hyperscan not installed"
)


def _plain(fn):
    """``fn()`` with every prefilter switched off: the plain regular expressions alone."""
    saved = {name: rules._PREFILTERS.get(name) for name in NAMES}
    rules._PREFILTERS.update(dict.fromkeys(NAMES))
    try:
        return fn()
    finally:
        for name, db in saved.items():
            if db is None:
                rules._PREFILTERS.pop(name, None)
            else:
                rules._PREFILTERS[name] = db


def _same(batch: list[str]) -> None:
    """Signals, gates and details with the prefilter equal those without it."""
    probs = np.random.default_rng(len(batch)).dirichlet(np.ones(7), len(batch))
    assert rules.scan(batch) == _plain(lambda: rules.scan(batch))
    hits, words = rules.scan_words(batch)
    plain_hits, plain_words = _plain(lambda: rules.scan_words(batch))
    assert hits == plain_hits
    np.testing.assert_array_equal(words, plain_words)
    np.testing.assert_array_equal(
        rules.gate_acts(batch, probs, words), rules.gate_acts(batch, probs)
    )
    np.testing.assert_array_equal(
        rules.gate_acts(batch, probs), _plain(lambda: rules.gate_acts(batch, probs))
    )
    assert details.read_many(batch) == _plain(lambda: details.read_many(batch))


@needs_hyperscan
def test_every_prefilter_compiles():
    for name in NAMES:
        assert rules._prefilter_db(name) is not None, name


def test_loosen_drops_assertions_and_unicode_classes_only():
    assert rules.loosen(r"\bhold \w+ accountable\b") == "hold .+ accountable"
    assert rules.loosen(r"^\W*(?:#?me\s?too)\W*$") == "^.*(?:#?me.?too).*$"
    assert rules.loosen(r"\Bx[^\W\d_a-z]y[- ]?\d{1,2}") == "x.y[- ]?.{1,2}"
    # escaped literals and plain brackets stay as they are
    assert rules.loosen(r"\(\d+/n?\d*\)|a\.b|[^\x00-\x7f]") == r"\(.+/n?.*\)|a\.b|[^\x00-\x7f]"
    assert rules.loosen(r"[]x]\b[\b]") == r"[]x][\b]"


@needs_hyperscan
def test_the_prefilter_rules_out_texts():
    """It does its job: rare signals are searched in a few texts, not all of them."""
    batch = ["I will speak up from now on. #IWill", "Breaking: minister resigns", "so brave"] * 50
    big, starts = rules._joined(batch)
    rows = rules.prefilter("words", big, starts)
    assert rows is not None
    names = rules.SIGNAL_NAMES
    assert rows[names.index("iwill_tag")] == list(range(0, 150, 3))
    assert rows[names.index("he_did_to_me")] == []
    assert rules.present("details", "hello") == set()


@needs_hyperscan
@settings(max_examples=80, deadline=None)
@given(st.lists(texts, min_size=1, max_size=8))
def test_prefilter_changes_nothing_on_generated_texts(batch):
    _same(batch)


@needs_hyperscan
def test_prefilter_changes_nothing_on_every_piece_pair():
    _same([f"{a} {b}" for a in PIECES for b in PIECES] + ["\ud800 my uncle groped me"])


def _real_texts() -> list[str]:
    found = []
    for name in ("metoo-unlabelled.csv", "metoo-acts-dev.csv", "edos/edos_labelled_aggregated.csv"):
        path = SHARED / name
        if path.exists():
            with path.open(encoding="utf-8", newline="") as f:
                found += [row.get("text") or "" for row in csv.DictReader(f)]
    return found


@needs_hyperscan
def test_prefilter_changes_nothing_on_real_posts():
    found = _real_texts()
    if not found:
        pytest.skip("../shared/data not present")
    for i in range(0, len(found), 4000):
        _same(found[i : i + 4000])
