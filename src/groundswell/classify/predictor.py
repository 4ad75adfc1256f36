"""A batch of texts to a table of label columns: the function a distributed engine maps.

On Ray Data, ``BatchPredictor`` is the callable class of an actor pool, one actor per GPU, each
loading the teacher once (``ray_gpu_options`` gives the arguments)::

    ds.map_batches(BatchPredictor, fn_constructor_kwargs={"device": "cuda"},
                   batch_size=20_000, **ray_gpu_options(n_gpus))

It imports no Ray: the same class runs in this process, which is how it is tested.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np


def predict_batch(
    classifier: Any, texts: Sequence[str], langs: Sequence[str | None] | None = None
) -> dict[str, np.ndarray]:
    """``classifier.predict`` as columns: one array per field of the per-post record, lists and
    dicts (harm, scores, evidence) as JSON text, so the table travels as Arrow."""
    import orjson

    recs = classifier.predict(list(texts), list(langs) if langs is not None else None)
    if not recs:
        return {}
    out: dict[str, np.ndarray] = {}
    for key in recs[0]:
        values = [r.get(key) for r in recs]
        if any(isinstance(v, list | dict) for v in values):
            values = [orjson.dumps(v).decode() for v in values]
        out[key] = np.asarray(values, dtype=object if isinstance(values[0], str) else None)
    return out


class BatchPredictor:
    """One loaded classifier (the teacher on a GPU by default) called on ``{"text": ...}``
    batches, with an optional ``lang`` column; returns ``predict_batch``'s columns."""

    def __init__(
        self,
        model: str = "teacher",
        device: str = "cuda",
        precision: str = "auto",
        heads_dir: str | os.PathLike | None = None,
        batch_size: int | None = None,
    ) -> None:
        from groundswell.classify.run import load_classifier

        self.classifier = load_classifier(
            model,
            n_posts=0,
            device=device,
            batch_size=batch_size,
            heads_dir=heads_dir,
            precision=precision,
        )

    def __call__(self, batch: dict[str, Any]) -> dict[str, np.ndarray]:
        texts = ["" if t is None else str(t) for t in batch["text"]]
        langs = batch.get("lang")
        return predict_batch(
            self.classifier, texts, None if langs is None else [v or None for v in langs]
        )


def ray_gpu_options(n_gpus: int) -> dict[str, Any]:
    """Ray Data ``map_batches`` arguments for one ``BatchPredictor`` actor per GPU."""
    return {"num_gpus": 1, "concurrency": max(1, n_gpus)}
