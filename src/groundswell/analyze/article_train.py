"""Rebuild, tune and measure the article stance model from the labelled op-ed corpus.

The corpus (``data/stance/`` in a source checkout, with its datasheet) keeps labels only:
each article's URL, the sha256 of its text, its split and its stance; each sentence's index,
the sha256 of its text, its stance and claims. The texts are not in the repository (they are
others' writing); ``--texts DIR`` points at a folder with one JSON file per article,
``{"id", "url", "title", "text"}``, and only texts whose hashes match are used.

Tuning runs on the train split only (5-fold cross-validation grouped by article: the
regularisation and the cue weight for sentence macro-F1, then the article thresholds for article
macro-F1 on the out-of-fold sentence probabilities); the test split is read once, at the end.

Usage: python -m groundswell.analyze.article_train --texts DIR [--write]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from groundswell.analyze.article import _decide, lexicon_stance, model_stance, score_article
from groundswell.analyze.article_evidence import ArticleParams, ScoredSentence
from groundswell.analyze.article_model import (
    MODEL_FILE,
    SENTENCE_STANCES,
    SentenceStanceModel,
    features,
    fit,
)
from groundswell.schema import Article

ARTICLE_STANCES = ("supportive", "critical", "mixed", "none")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def corpus_dir() -> Path:
    """``data/stance`` of the source checkout this module runs from."""
    return Path(__file__).resolve().parents[3] / "data" / "stance"


@dataclass
class LabelledArticle:
    """One labelled article with its text and the sentences scored by the lexicon."""

    id: str
    split: str
    stance: str
    text: str
    title: str
    sentence_labels: dict[int, str]
    scored: list[ScoredSentence] = field(default_factory=list)

    def rows(self) -> tuple[list[ScoredSentence], list[str]]:
        """The labelled body sentences and their labels (the title carries no label)."""
        keep = [s for s in self.scored if s.index in self.sentence_labels]
        return keep, [self.sentence_labels[s.index] for s in keep]


def load(texts_dir: Path, labels_dir: Path | None = None) -> tuple[list[LabelledArticle], int]:
    """The labelled articles whose texts are found in ``texts_dir`` and hash right, and how
    many labelled articles could not be matched."""
    labels_dir = labels_dir or corpus_dir()
    with open(labels_dir / "articles.csv", encoding="utf-8") as f:
        arts = {r["article"]: r for r in csv.DictReader(f)}
    sents: dict[str, dict[int, tuple[str, str]]] = {}
    with open(labels_dir / "sentences.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            entry = (r["sha256"], r["stance"])
            sents.setdefault(r["article"], {})[int(r["sentence_index"])] = entry
    by_hash = {r["text_sha256"]: r for r in arts.values()}
    params = ArticleParams()
    found: list[LabelledArticle] = []
    for path in sorted(Path(texts_dir).glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        row = by_hash.get(sha256(doc.get("text", "")))
        if row is None:
            continue
        art = Article(id=row["article"], title=doc.get("title", ""), text=doc["text"])
        scored = score_article(art, params)
        want = sents.get(row["article"], {})
        labels = {
            s.index: want[s.index][1]
            for s in scored
            if s.index in want and want[s.index][0] == sha256(s.text)
        }
        found.append(
            LabelledArticle(
                row["article"], row["split"], row["stance"], art.text, art.title, labels, scored
            )
        )
    return found, len(arts) - len(found)


def agreement(labels_dir: Path | None = None) -> dict[str, dict[str, float]]:
    """Cohen's kappa and raw agreement of the two first annotators, for sentence and article
    stance (``annotations.csv``; the adjudicator's rows are not part of it)."""
    from sklearn.metrics import cohen_kappa_score

    pairs: dict[tuple[str, str, str], dict[str, str]] = {}
    with open((labels_dir or corpus_dir()) / "annotations.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["annotator"] in ("a1", "a2"):
                key = (r["level"], r["article"], r["sentence_index"])
                pairs.setdefault(key, {})[r["annotator"]] = r["stance"]
    out = {}
    for level in ("sentence", "article"):
        both = [v for k, v in pairs.items() if k[0] == level and len(v) == 2]
        a, b = [v["a1"] for v in both], [v["a2"] for v in both]
        out[level] = {
            "n": len(both),
            "agreement": round(float(np.mean([x == y for x, y in zip(a, b, strict=True)])), 3),
            "kappa": round(float(cohen_kappa_score(a, b)), 3),
        }
    return out


def _stack(arts: list[LabelledArticle]) -> tuple[list[ScoredSentence], list[str], list[int]]:
    scored, labels, groups = [], [], []
    for i, a in enumerate(arts):
        s, y = a.rows()
        scored += s
        labels += y
        groups += [i] * len(s)
    return scored, labels, groups


def _macro_f1(truth: list[str], pred: list[str], labels: tuple[str, ...]) -> float:
    from sklearn.metrics import f1_score

    present = [lab for lab in labels if lab in truth or lab in pred]
    return float(f1_score(truth, pred, labels=present, average="macro", zero_division=0))


def _folds(n: int, k: int = 5, seed: int = 7) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return [order[i::k] for i in range(k)]


C_GRID = (0.5, 2.0)
CUE_GRID = (1.0, 4.0)


def _oof_sides(
    train: list[LabelledArticle], c: float, cue: float
) -> tuple[float, list[tuple[float, float, float, float]]]:
    """Sentence macro-F1 of out-of-fold predictions (folds of whole articles), and each
    article's two sides summed from its out-of-fold sentence probabilities, then the lexicon's."""
    from sklearn.linear_model import LogisticRegression

    scored = [s for a in train for s in a.scored]
    owner = np.repeat(np.arange(len(train)), [len(a.scored) for a in train])
    labels = np.asarray(
        [a.sentence_labels.get(s.index, "") for a in train for s in a.scored], dtype=object
    )
    x = features(scored, cue)
    probs = np.zeros((len(scored), len(SENTENCE_STANCES)))
    for held in _folds(len(train)):
        test_rows = np.isin(owner, held)
        fit_rows = ~test_rows & (labels != "")
        clf = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
        clf.fit(x[fit_rows], labels[fit_rows])
        p = clf.predict_proba(x[test_rows])
        for j, cls in enumerate(clf.classes_):
            probs[test_rows, SENTENCE_STANCES.index(cls)] = p[:, j]
    judged = labels != ""
    pred = [SENTENCE_STANCES[j] for j in probs[judged].argmax(axis=1)]
    score = _macro_f1(list(labels[judged]), pred, SENTENCE_STANCES)
    factor = np.asarray([s.factor for s in scored])
    sides = [
        (
            float((probs[owner == i, 0] * factor[owner == i]).sum()),
            float((probs[owner == i, 1] * factor[owner == i]).sum()),
            sum(s.supportive for s in train[i].scored),
            sum(s.critical for s in train[i].scored),
        )
        for i in range(len(train))
    ]
    return score, sides


def tune(train: list[LabelledArticle]) -> tuple[dict[str, float], ArticleParams, dict[str, Any]]:
    """Hyper-parameters by grouped cross-validation on the train split only: the sentence
    model's for sentence macro-F1, then the article thresholds for article macro-F1."""
    best: tuple[float, dict[str, float], list[tuple[float, float, float, float]]] | None = None
    for c, cue in itertools.product(C_GRID, CUE_GRID):
        score, sides = _oof_sides(train, c, cue)
        if best is None or score > best[0]:
            best = (score, {"c": c, "cue_weight": cue}, sides)
    assert best is not None
    score_s, hyper, sides = best
    truth = [a.stance for a in train]
    best_p: tuple[float, ArticleParams] | None = None
    grid = itertools.product(
        (0.0, 0.3, 1.0, 2.0),
        (0.5, 1.0, 2.0, 3.0),
        (0.3, 0.35, 0.4, 0.45, 2.0),
        (1.0, 2.0, 3.0),
        (0.4, 0.45, 0.5, 0.55, 0.6),
    )
    for lex, ev, share, weight, crit in grid:
        p = replace(ArticleParams(), model_min_evidence=ev, model_mixed_share=share)
        p.model_mixed_weight, p.model_critical_share = weight, crit
        p.model_lexicon_weight = lex
        args = (ev, share, weight, crit)
        pred = [
            _decide(sm + lex * sl, cm + lex * cl, *args)[0] or "none" for sm, cm, sl, cl in sides
        ]
        score = _macro_f1(truth, pred, ARTICLE_STANCES)
        if best_p is None or score > best_p[0] + 1e-9:
            best_p = (score, p)
    assert best_p is not None
    cv = {"sentence_macro_f1": round(score_s, 3), "article_macro_f1": round(best_p[0], 3)}
    return hyper, best_p[1], cv


def _report(truth: list[str], pred: list[str], labels: tuple[str, ...]) -> dict[str, Any]:
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    present = [lab for lab in labels if lab in truth or lab in pred]
    p, r, f, n = precision_recall_fscore_support(truth, pred, labels=present, zero_division=0)
    return {
        "n": len(truth),
        "accuracy": round(float(np.mean([a == b for a, b in zip(truth, pred, strict=True)])), 3),
        "macro_f1": round(_macro_f1(truth, pred, labels), 3),
        "per_class": {
            lab: {
                "precision": round(float(p[i]), 3),
                "recall": round(float(r[i]), 3),
                "f1": round(float(f[i]), 3),
                "support": int(n[i]),
            }
            for i, lab in enumerate(present)
        },
        "labels": present,
        "confusion": confusion_matrix(truth, pred, labels=present).tolist(),
    }


def evaluate(
    model: SentenceStanceModel, params: ArticleParams, test: list[LabelledArticle]
) -> dict[str, Any]:
    """Sentence and article quality of the model, and of the lexicon alone, on ``test``."""
    x, y, _ = _stack(test)
    pred = [SENTENCE_STANCES[j] for j in model.proba(x).argmax(axis=1)]
    truth_a = [a.stance for a in test]
    model_a = [model_stance(a.scored, model, params)[0] or "none" for a in test]
    lexicon_a = [lexicon_stance(a.scored, params)[0] or "none" for a in test]
    return {
        "sentences": _report(y, pred, SENTENCE_STANCES),
        "articles": _report(truth_a, model_a, ARTICLE_STANCES),
        "articles_lexicon": _report(truth_a, lexicon_a, ARTICLE_STANCES),
    }


def _print(name: str, rep: dict[str, Any]) -> None:
    print(f"\n{name}: n={rep['n']} accuracy={rep['accuracy']} macro-F1={rep['macro_f1']}")
    for lab, m in rep["per_class"].items():
        print(
            f"  {lab:<11} P={m['precision']:.3f} R={m['recall']:.3f} F1={m['f1']:.3f} "
            f"n={m['support']}"
        )
    print("  confusion (rows true, columns predicted):", rep["labels"])
    for lab, row in zip(rep["labels"], rep["confusion"], strict=True):
        print(f"  {lab:<11} {row}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--texts", required=True, type=Path, help="folder of article JSON files")
    ap.add_argument("--labels", type=Path, default=None, help="default: data/stance")
    ap.add_argument("--write", action="store_true", help="ship the model and its evaluation")
    ap.add_argument("--cv-only", action="store_true", help="tune and stop: never read the test")
    ap.add_argument(
        "--evaluate", action="store_true", help="measure the shipped model as it runs, no tuning"
    )
    args = ap.parse_args(argv)
    arts, missing = load(args.texts, args.labels)
    train = [a for a in arts if a.split == "train"]
    test = [a for a in arts if a.split == "test"]
    print(f"articles: {len(train)} train, {len(test)} test, {missing} without a matching text")
    print(f"annotator agreement: {agreement(args.labels)}")
    if not train or not test:
        print("no labelled texts found: nothing to train", file=sys.stderr)
        return 1
    if args.evaluate:
        from groundswell.analyze.article_model import shipped_model

        shipped = shipped_model()
        if shipped is None:
            print("no shipped model", file=sys.stderr)
            return 1
        ev = evaluate(shipped, ArticleParams(), test)
        _print("test sentences (model)", ev["sentences"])
        _print("test articles (model)", ev["articles"])
        _print("test articles (lexicon alone)", ev["articles_lexicon"])
        if args.write:
            shipped.meta["evaluation"].update(ev)
            out = Path(__file__).parent / "models" / MODEL_FILE
            out.write_bytes(shipped.to_bytes())
            labels_dir = args.labels or corpus_dir()
            (labels_dir / "evaluation.json").write_text(json.dumps(shipped.meta, indent=1) + "\n")
        return 0
    hyper, params, cv = tune(train)
    x, y, _ = _stack(train)
    model = fit(x, y, c=hyper["c"], cue_weight=hyper["cue_weight"])
    print(f"tuned on train (grouped 5-fold CV): {hyper}, {cv}")
    print(
        "article thresholds: "
        f"min_evidence={params.model_min_evidence} mixed_share={params.model_mixed_share} "
        f"mixed_weight={params.model_mixed_weight} critical_share={params.model_critical_share} "
        f"lexicon_weight={params.model_lexicon_weight}"
    )
    if args.cv_only:
        return 0
    ev = evaluate(model, params, test)
    _print("test sentences (model)", ev["sentences"])
    _print("test articles (model)", ev["articles"])
    _print("test articles (lexicon alone)", ev["articles_lexicon"])
    if args.write:
        thresholds = {
            "model_min_evidence": params.model_min_evidence,
            "model_mixed_share": params.model_mixed_share,
            "model_mixed_weight": params.model_mixed_weight,
            "model_critical_share": params.model_critical_share,
            "model_lexicon_weight": params.model_lexicon_weight,
        }
        version = sha256(json.dumps([hyper, len(y), thresholds]) + str(model.coef.sum()))[:12]
        model.meta = {
            "version": version,
            "trained_on": f"{len(train)} real op-eds, {len(y)} labelled sentences (train split)",
            "hyper": hyper,
            "cv": cv,
            "thresholds": thresholds,
            "evaluation": {
                "test_articles": len(test),
                "sentences": ev["sentences"],
                "articles": ev["articles"],
                "articles_lexicon": ev["articles_lexicon"],
            },
        }
        out = Path(__file__).parent / "models" / MODEL_FILE
        out.write_bytes(model.to_bytes())
        labels_dir = args.labels or corpus_dir()
        (labels_dir / "evaluation.json").write_text(json.dumps(model.meta, indent=1) + "\n")
        print(f"wrote {out} (version {version})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
