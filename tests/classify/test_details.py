"""Testimony details read from the words a testimony states (CODEBOOK section 2)."""

from __future__ import annotations

import csv
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundswell.classify.details import describe, read_details
from groundswell.schema import HARMS, MINOR, RELATIONS, SETTINGS
from gspaths import DATA


@pytest.mark.parametrize(
    ("text", "relation", "setting", "minor"),
    [
        ("When I was 12 my uncle touched me at his house. #MeToo", "family", "home", "yes"),
        ("A man groped me on the bus to work. Me too.", "stranger", "street", "unknown"),
        (
            "My boss told me a promotion needed a night with him, at the office party.",
            "boss",
            "work",
            "no",
        ),
        ("In 8th grade my teacher kept me after class. #MeToo", "teacher", "school", "yes"),
        (
            "My ex stalked me for a year and sent me pics I never asked for.",
            "partner",
            "online",
            "unknown",
        ),
        ("A classmate kissed me at a party when I was 19.", "friend", "social", "no"),
        ("The uber driver wouldn't let me out of the cab.", "stranger", "street", "unknown"),
        ("me too", None, None, None),
    ],
)
def test_stated_relation_setting_and_age(text, relation, setting, minor):
    d = read_details(text)
    assert (d.relation.label if d.relation else None) == relation
    assert (d.setting.label if d.setting else None) == setting
    assert (d.minor.label if d.minor else "unknown" if minor == "unknown" else None) == minor


def test_harms_named_in_words():
    d = read_details("He groped me, then called me a slut, and later he raped me.")
    assert d.harm_labels == ["assault", "physical", "verbal"]


@pytest.mark.parametrize(
    ("text", "harms"),
    [  # the codebook's own words for each harm (section 2), as first-hand accounts put them
        ("Some boys passed lewd comments and whistled at me.", ["verbal"]),
        ("He made remarks about my body in front of everyone.", ["verbal"]),
        ("A man kept staring at my chest the whole ride.", ["nonverbal"]),
        ("A guy was following me home and exposed himself.", ["nonverbal"]),
        ("He touched my waist and tried to kiss me.", ["physical"]),
        ("A man blocked my way and grabbed my arm.", ["physical"]),
        ("I read the comments and stared at the wall for hours.", []),  # not a harm
    ],
)
def test_harm_phrases_follow_the_codebook(text, harms):
    assert read_details(text).harm_labels == harms


@pytest.mark.parametrize(
    ("text", "relation", "minor"),
    [  # codebook: teachers, coaches, professors, mentors are `teacher`; college is adult
        ("My PhD advisor put his hand on my thigh.", "teacher", "no"),
        ("A senior professor at the conference cornered me.", "teacher", None),
        ("My labmate made sexual jokes every day in grad school.", "colleague", "no"),
        ("An elderly man on the platform flashed me.", "stranger", None),
    ],
)
def test_academic_and_described_perpetrators(text, relation, minor):
    d = read_details(text)
    assert d.relation is not None and d.relation.label == relation
    assert (d.minor.label if d.minor else None) == minor


def test_the_relation_told_most_often_wins():
    text = "A stranger stared. Years later my stepfather abused me; my stepfather did it again."
    assert read_details(text).relation.label == "family"


def test_a_company_party_is_work_not_social():
    assert read_details("It happened at the company party last year.").setting.label == "work"


@given(st.text(max_size=300))
def test_spans_lie_inside_the_text(text):
    for span in read_details(text).spans():
        assert text[span.start : span.end] == span.text


def _scores(relation: str = "boss", p: float = 0.9) -> dict[str, np.ndarray]:
    rel = np.full(len(RELATIONS), (1 - p) / (len(RELATIONS) - 1))
    rel[RELATIONS.index(relation)] = p
    return {
        "harm": np.zeros(len(HARMS)),
        "relation": rel,
        "setting": np.full(len(SETTINGS), 1 / len(SETTINGS)),
        "minor": np.full(len(MINOR), 1 / len(MINOR)),
    }


def test_stated_words_override_the_model_and_become_evidence():
    rec = {"act": "testimony"}
    ev = describe(rec, "my uncle did it", _scores("boss", 0.95), testimony=True)
    assert rec["relation"] == "family"
    assert any(e.label == "relation:family" and e.text == "my uncle" for e in ev)


def test_the_model_fills_in_only_when_confident():
    confident, unsure = {"act": "testimony"}, {"act": "testimony"}
    describe(confident, "it happened", _scores("boss", 0.9), testimony=True)
    describe(unsure, "it happened", _scores("boss", 0.4), testimony=True)
    assert confident["relation"] == "boss"
    assert unsure["relation"] == "unknown" and unsure["setting"] == "unknown"


def test_other_acts_get_the_confident_model_reading_and_no_evidence():
    rec = {"act": "reporting"}
    assert describe(rec, "my uncle, on the bus", _scores("boss", 0.9), testimony=False) == []
    assert (rec["relation"], rec["setting"]) == ("boss", "unknown")


def _ignoring_case(monkeypatch):
    """Make ``details`` read texts as it did before: each pattern ignoring case, on the text
    itself (the reference its lowered, case-sensitive reading is held to)."""
    from groundswell.classify import details

    for name in ("_REL", "_SET", "_HARM"):
        pats = {k: re.compile(p.pattern, re.IGNORECASE) for k, p in getattr(details, name).items()}
        monkeypatch.setattr(details, name, pats)
    for name in ("_REL_STRANGER", "_AGE", "_MINOR", "_ADULT"):
        monkeypatch.setattr(details, name, re.compile(getattr(details, name).pattern, re.I))
    monkeypatch.setattr(details, "_lowered", lambda text: text)


def test_lowered_reading_equals_reading_ignoring_case(monkeypatch, data_dir):
    from groundswell.classify.details import read_details

    texts = [r["text"] for r in csv.DictReader((data_dir / "testimonies.csv").open())]
    if (DATA / "metoo-unlabelled.csv").exists():  # real posts, where ../shared is present
        texts += [r["text"] for r in csv.DictReader((DATA / "metoo-unlabelled.csv").open())]
    texts += [t.upper() for t in texts[:200]] + [
        "MY UNCLE touched me ON THE BUS when I was 12",
        "İn my OFFİCE my Boss said ß things",
        "my ſtep-dad, a KELVIN K, at a Party",
        "",
    ]
    fast = [read_details(t) for t in texts]
    _ignoring_case(monkeypatch)
    slow = [read_details(t) for t in texts]
    assert fast == slow
