"""How the shipped models are made, from the real corpus (``corpus.py``) and its recipe.

1. The teacher is fine-tuned on the corpus's ``train`` split, plus the team's written rows of
   the acts real traffic rarely holds (confession, pledge, testimony: data/acts.csv and
   data/testimonies.csv), with a fixed seed. The written rows of the other acts stay out: real
   rows of those are plenty, and written ones teach a register real posts do not have.
2. It is measured once on the ``test`` split, which no model is tuned on; the confusion matrices
   are kept in the model's metadata, where ``prevalence.py`` reads them to correct shares.
3. The student (hashed n-grams) learns from the same rows plus the teacher's probabilities on a
   seeded sample of the real sources' other texts (distillation), then is measured the same way.
   The teacher's probabilities are cached in data/corpus/teacher_probs.npz, keyed by text hash,
   so that the student is re-made in seconds from the shipped teacher.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from groundswell.classify import corpus
from groundswell.classify.bundle import KINDS, Bundle, shipped_path
from groundswell.classify.training import (
    TrainingData,
    distill,
    fit_bundle,
    load_training_data,
    read_labelled_csv,
)
from groundswell.schema import ACTS, MINOR, RELATIONS, SETTINGS

DISTIL_POOL = 6000  # real texts the teacher labels for the student
WRITTEN_ACTS = ("testimony", "confession", "pledge")  # written rows kept, by act


def training_set(
    rows: list[dict[str, Any]], data_dir: str | os.PathLike, labels_csv: str | None = None
) -> TrainingData:
    """The train split, the written rows of WRITTEN_ACTS, and a user's labels."""
    data = corpus.to_training_data(rows, "train")
    data.extend(load_training_data(data_dir).subset(WRITTEN_ACTS))
    if labels_csv:
        data.extend(read_labelled_csv(labels_csv))
    return data


def evaluate_split(clf: Any, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Acts (every post) and details (testimonies) of ``rows`` against their labels: per-class
    metrics, macro-F1 and confusion counts (rows true, columns predicted, codebook order)."""
    from sklearn.metrics import confusion_matrix

    from groundswell.classify.evaluation import act_metrics

    texts = [r["text"] for r in rows]
    preds = clf.predict(texts, evidence=False)
    gold = [r["act"] for r in rows]
    out: dict[str, Any] = {"n": len(rows), "acts": act_metrics(gold, [p["act"] for p in preds])}
    out["act_confusion"] = confusion_matrix(gold, [p["act"] for p in preds], labels=ACTS).tolist()
    told = [i for i, r in enumerate(rows) if r["act"] == "testimony"]
    # details are read on the true testimonies: their quality apart from the act's
    detail_preds = clf.predict([texts[i] for i in told], evidence=False, all_testimony=True)
    for key, labels in (
        ("relation", RELATIONS),
        ("setting", SETTINGS),
        ("minor_at_time", MINOR),
    ):
        g = [rows[i][key] for i in told]
        p = [d[key] for d in detail_preds]
        out[key] = {
            "n": len(g),
            "accuracy": float(np.mean([a == b for a, b in zip(g, p, strict=True)])) if g else 0.0,
            "confusion": confusion_matrix(g, p, labels=list(labels)).tolist() if g else [],
        }
    return out


def distil_pool(shared: str | os.PathLike, rows: list[dict[str, Any]], size: int) -> list[str]:
    """A seeded sample of the sources' texts that are not in the test split."""
    test = {r["sha256"] for r in rows if r["split"] == "test"}
    texts = corpus.source_texts(shared)
    keys = sorted(k for k in texts if k not in test)
    rng = np.random.default_rng(2026)
    pick = rng.choice(len(keys), size=min(size, len(keys)), replace=False)
    return [texts[keys[i]] for i in sorted(pick)]


def teacher_probs(
    teacher: Any, texts: Sequence[str], cache: Path, progress: Callable[[str], None] | None
) -> np.ndarray:
    """The teacher's act probabilities on ``texts``, from ``cache`` when it holds them for this
    teacher version (the file is rewritten otherwise)."""
    keys = [corpus.text_key(t) for t in texts]
    if cache.exists():
        with np.load(cache, allow_pickle=False) as z:
            if str(z["version"]) == teacher.version:
                have = dict(zip(z["keys"].tolist(), z["probs"], strict=True))
                if all(k in have for k in keys):
                    return np.asarray([have[k] for k in keys], dtype=np.float64)
    if progress:
        progress(f"teacher labels {len(texts)} texts for the student")
    probs = teacher.scores(list(texts))["act"]
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        cache,
        version=np.array(teacher.version),
        keys=np.asarray(keys),
        probs=probs.astype(np.float32),
    )
    return probs.astype(np.float32).astype(np.float64)


def train_models(
    shared: str | os.PathLike,
    data_dir: str | os.PathLike = "data",
    out_dir: str | os.PathLike = "models",
    kinds: Sequence[str] = KINDS,
    *,
    labels_csv: str | None = None,
    config: Any = None,
    pool_size: int = DISTIL_POOL,
    progress: Callable[[str], None] | None = None,
) -> dict[str, dict[str, Any]]:
    """Make the models of ``kinds`` from the corpus under ``shared`` into ``out_dir``; the
    student is distilled from the teacher made here, or from the shipped one."""
    from groundswell.classify.finetune import finetune
    from groundswell.classify.run import Classifier

    rows = corpus.rebuild(shared, data_dir)
    test = [r for r in rows if r["split"] == "test"]
    data = training_set(rows, data_dir, labels_csv)
    out: dict[str, dict[str, Any]] = {}
    teacher = None
    if "teacher" in kinds:
        teacher = finetune(data, config, progress=progress)
        teacher.meta["evaluation"] = evaluate_split(Classifier(teacher), test)
        out["teacher"] = _saved(teacher, out_dir)
    if "student" in kinds:
        teacher = teacher or Bundle.load(shipped_path("teacher"))
        pool = distil_pool(shared, rows, pool_size)
        cache = corpus.corpus_dir(data_dir) / "teacher_probs.npz"
        probs = teacher_probs(Classifier(teacher, decide=False), pool, cache, progress)
        base = fit_bundle("student", data)
        student, agreement = distill(probs, pool, base, data)
        student.meta.update(teacher_version=teacher.version, distillation=agreement)
        clf = Classifier(student)
        student.meta["evaluation"] = evaluate_split(clf, test)
        out["student"] = _saved(student, out_dir)
    return out


def _saved(bundle: Bundle, out_dir: str | os.PathLike) -> dict[str, Any]:
    path = bundle.save(Path(out_dir) / f"{bundle.kind}.npz")
    return {"path": str(path), "version": bundle.version, **bundle.meta}
