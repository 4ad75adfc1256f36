"""classify stage: speech acts of posts and what testimonies describe (CODEBOOK sections 1-2).

Two tiers: a teacher (all-MiniLM-L6-v2 fine-tuned with a LoRA adapter on the real labelled
corpus, calibrated heads, ``groundswell[teacher]``) and a fast student (hashed n-grams + the
codebook's cues), shipped already distilled from the teacher on real posts, loading no torch.
Testimony details are read from the phrases a text states (``details.py``); shares come corrected
for the model's errors (``prevalence.py``). Heavy imports happen inside the functions.
"""

from __future__ import annotations

from typing import Any


def classify_store(
    store: Any,
    model: str = "auto",
    device: str = "cpu",
    batch_size: int = 2000,
    progress: Any = None,
    **kw: Any,
) -> dict[str, Any]:
    """Classify every post of ``store`` without a row from the current model (resumable)."""
    from groundswell.classify.store import classify_store as run

    return run(store, model, device, batch_size, progress, **kw)


def predict_texts(texts: list[str], model: str = "student", **kw: Any) -> list[dict[str, Any]]:
    """Labels, probabilities, evidence and language flag for each text."""
    from groundswell.classify.run import predict_texts as run

    return run(texts, model, **kw)


def evaluate(labels_csv: str, model: str = "student", **kw: Any) -> dict[str, Any]:
    """Per-class P/R/F1, macro-F1, confusion matrix and ECE on a labelled CSV."""
    from groundswell.classify.evaluation import evaluate as run

    return run(labels_csv, model, **kw)


def format_evaluation(result: dict[str, Any]) -> str:
    """An ``evaluate`` result as a text table."""
    from groundswell.classify.evaluation import format_evaluation as run

    return run(result)


def train(data_dir: str = "data", out_dir: str = "models", **kw: Any) -> dict[str, Any]:
    """Train heads from the labelled CSVs in ``data_dir`` into ``out_dir``."""
    from groundswell.classify.training import train as run

    return run(data_dir, out_dir, **kw)


def act_shares(store: Any) -> dict[str, Any] | None:
    """The store's act shares corrected for the classifier's errors, each with a 95% interval
    that includes them, the method, model and labelled set used, and the domain check (is the
    store like what the model learned from?); None before ``classify``."""
    from groundswell.classify.prevalence import share_summary

    return share_summary(store.con)


def label_loop(store: Any, **kw: Any) -> dict[str, Any]:
    """Record a round of labels, retrain the student's act head and evaluate it."""
    from groundswell.classify.label import label_loop as run

    return run(store, **kw)


__all__ = [
    "act_shares",
    "classify_store",
    "evaluate",
    "format_evaluation",
    "label_loop",
    "predict_texts",
    "train",
]
