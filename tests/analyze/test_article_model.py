"""The article stance model learned from real op-ed sentences: its corpus of labels, the shipped
weights and what they were measured on, the model path of ``analyze_article``, and fitting."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from groundswell.analyze.article import analyze_article
from groundswell.analyze.article_evidence import ArticleParams, score_sentence
from groundswell.analyze.article_model import (
    SENTENCE_STANCES,
    SentenceStanceModel,
    fit,
    shipped_model,
)
from groundswell.analyze.article_train import ARTICLE_STANCES, agreement, corpus_dir

STANCE = Path(__file__).resolve().parents[2] / "data" / "stance"


def _rows(name: str) -> list[dict[str, str]]:
    with open(STANCE / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_corpus_labels_are_complete_and_keyed_without_text():
    assert corpus_dir() == STANCE
    arts = _rows("articles.csv")
    sents = _rows("sentences.csv")
    assert set(arts[0]) == {"article", "url", "text_sha256", "split", "stance", "criticism"}
    assert all(len(a["text_sha256"]) == 64 and a["url"].startswith("http") for a in arts)
    assert {a["stance"] for a in arts} <= set(ARTICLE_STANCES)
    assert {s["stance"] for s in sents} <= set(SENTENCE_STANCES)
    splits = Counter(a["split"] for a in arts)
    assert splits["test"] >= 40 and splits["train"] >= 40
    assert len({a["text_sha256"] for a in arts}) == len(arts)  # no text twice
    labelled = {s["article"] for s in sents}
    assert labelled == {a["article"] for a in arts}
    assert all("text" not in row for row in sents)  # labels only


def test_agreement_is_recomputed_from_two_independent_annotators():
    per_item = Counter(
        (r["level"], r["article"], r["sentence_index"])
        for r in _rows("annotations.csv")
        if r["annotator"] in ("a1", "a2")
    )
    assert set(per_item.values()) == {2}
    kappa = agreement(STANCE)
    assert kappa["sentence"]["n"] == len(_rows("sentences.csv"))
    assert kappa["article"]["n"] == len(_rows("articles.csv"))
    assert 0.6 < kappa["sentence"]["kappa"] <= 1.0
    assert 0.6 < kappa["article"]["kappa"] <= 1.0


def test_shipped_model_carries_its_real_data_evaluation_and_thresholds():
    model = shipped_model()
    assert model is not None
    ev = model.meta["evaluation"]
    assert ev["test_articles"] >= 40
    assert ev["articles"]["n"] == ev["test_articles"]
    for level in ("sentences", "articles", "articles_lexicon"):
        rep = ev[level]
        assert 0.0 <= rep["macro_f1"] <= 1.0
        assert np.asarray(rep["confusion"]).sum() == rep["n"]
    defaults = ArticleParams()
    for name, value in model.meta["thresholds"].items():
        assert getattr(defaults, name) == pytest.approx(value)


def test_model_bytes_round_trip():
    model = shipped_model()
    again = SentenceStanceModel.from_bytes(model.to_bytes())
    params = ArticleParams()
    scored = [
        score_sentence(t, i, params)
        for i, t in enumerate(
            [
                "The movement has become a witch hunt without due process.",
                "Survivors deserve to be heard and believed.",
                "The hearing was held on Tuesday.",
            ]
        )
    ]
    assert np.allclose(model.proba(scored), again.proba(scored), atol=1e-6)
    assert np.allclose(model.proba(scored).sum(axis=1), 1.0, atol=1e-6)


def test_fit_learns_sides_it_was_shown_and_generalises_to_new_wording():
    params = ArticleParams()
    sup = [
        "Women deserve to be believed when they speak up about harassment.",
        "The movement gave survivors a voice after decades of silence.",
        "Powerful men used their positions to abuse women for years.",
        "Speaking out took enormous courage and it is changing workplaces.",
    ]
    cri = [
        "This moral panic ruins innocent men without a trial.",
        "The mob has abandoned due process and the presumption of innocence.",
        "Careers are destroyed by anonymous accusations on social media.",
        "The campaign has turned into a puritanical witch hunt.",
    ]
    none = [
        "The article was published on Monday.",
        "He moved to Los Angeles in 1998.",
        "The committee will meet again next week.",
        "She works as an editor at a magazine.",
    ]
    texts = sup + cri + none
    labels = ["supportive"] * 4 + ["critical"] * 4 + ["none"] * 4
    scored = [score_sentence(t, i, params) for i, t in enumerate(texts)]
    model = fit(scored, labels, c=10.0)
    probe = [
        score_sentence("Innocent men are ruined by a witch hunt with no due process.", 0, params),
        score_sentence("Survivors who speak up deserve to be believed.", 1, params),
    ]
    p = model.proba(probe)
    assert p[0].argmax() == SENTENCE_STANCES.index("critical")
    assert p[1].argmax() == SENTENCE_STANCES.index("supportive")


def test_analyze_article_names_its_method_and_the_criticism_of_a_supportive_piece():
    text = (
        "The #MeToo movement has done enormous good. Survivors who stayed silent for decades "
        "were finally heard, and powerful men who abused their positions were held to account.\n\n"
        "Harassment at work is widespread, and women deserve to be believed.\n\n"
        "One practice worries me: anonymous lists that name men with no chance to answer the "
        "accusation, which abandon due process.\n\n"
        "Still, the movement is necessary, and we should support the women who speak up."
    )
    auto = analyze_article(text)
    lex = analyze_article(text, method="lexicon")
    assert auto.method.startswith("model article_stance") and lex.method == "lexicon"
    assert auto.stance == "supportive"
    assert auto.criticisms, "the named criticism is kept with a supportive stance"
    assert any("anonymous lists" in c["sentence"] for c in auto.criticisms)
    assert all(c["sentence"] in text for c in auto.criticisms)
    critical = analyze_article(
        "The #MeToo movement has become a witch hunt. Men are destroyed by anonymous "
        "accusations with no due process. This moral panic must end before more innocent "
        "careers are ruined by the mob."
    )
    assert critical.stance == "critical" and critical.criticisms == []
