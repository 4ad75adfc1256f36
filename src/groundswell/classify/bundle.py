"""A model bundle: the heads of one model (act, harm, relation, setting, minor_at_time) with
their features' kind, saved as one .npz of plain arrays and versioned by its content hash."""

from __future__ import annotations

import io
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from groundswell.classify.adapter import adapter_arrays_for_npz, adapter_from_arrays
from groundswell.classify.heads import LinearHead, MultiLabelHead, arrays_digest
from groundswell.errors import ModelError
from groundswell.schema import ACTS, HARMS, MINOR, RELATIONS, SETTINGS

KINDS = ("student", "teacher")
SINGLE = {"act": ACTS, "relation": RELATIONS, "setting": SETTINGS, "minor": MINOR}


# The rule between the heads and a prediction (run.Classifier.act_probs: the teacher's vote
# with the student, the codebook's gates on acts); change the name when the rule changes.
DECISION = "acts-1"


def shipped_path(kind: str) -> Path:
    """Where the package keeps the head trained from data/ for ``kind``."""
    return Path(str(resources.files("groundswell.classify").joinpath("models", f"{kind}.npz")))


class Bundle:
    """The fitted heads of one model; ``scores`` maps features to probabilities in codebook
    order (a label the training data lacked gets probability 0)."""

    def __init__(
        self,
        kind: str,
        heads: dict[str, Any],
        meta: dict[str, Any] | None = None,
        adapter: dict[str, Any] | None = None,
    ) -> None:
        if kind not in KINDS:
            raise ModelError(f"unknown model kind {kind!r}; expected one of {', '.join(KINDS)}")
        self.kind = kind
        self.heads = heads
        self.meta = dict(meta or {})
        self.adapter = adapter or {}  # the fine-tuned teacher's LoRA weights (adapter.py)

    # -- scoring -----------------------------------------------------------------------------
    def scores(self, X: Any) -> dict[str, np.ndarray]:
        """{'act': (n, 7), 'relation': (n, 9), 'setting': (n, 8), 'minor': (n, 3),
        'harm': (n, 6)} probabilities, columns in the codebook's order."""
        out: dict[str, np.ndarray] = {}
        for name, labels in SINGLE.items():
            head: LinearHead = self.heads[name]
            p = head.predict_proba(X)
            full = np.zeros((X.shape[0], len(labels)))
            for j, cls in enumerate(head.classes_):
                full[:, labels.index(cls)] = p[:, j]
            out[name] = full
        out["harm"] = self.heads["harm"].predict_proba(X)
        return out

    def act_weights(self, act: str) -> np.ndarray | None:
        """The act head's weight row for ``act`` over the feature columns (None if absent)."""
        head: LinearHead = self.heads["act"]
        classes = list(head.classes_)
        return head.coef_[classes.index(act)] if act in classes else None

    # -- arrays ------------------------------------------------------------------------------
    def to_arrays(self) -> dict[str, np.ndarray]:
        """Every array of every head, plus the metadata as a JSON string."""
        sparse = self.kind == "student"
        arrays: dict[str, np.ndarray] = {}
        for name in SINGLE:
            arrays.update(self.heads[name].to_arrays(name, sparse=sparse))
        arrays.update(self.heads["harm"].to_arrays("harm", sparse=sparse))
        arrays["kind"] = np.array(self.kind)
        if self.adapter:
            arrays.update(adapter_arrays_for_npz(self.adapter))
        return arrays

    @property
    def version(self) -> str:
        """Content hash of the heads and of the decision rule on top of them (DECISION):
        equal heads give equal versions, and a new rule classifies stores again."""
        return arrays_digest({**self.to_arrays(), "decision": np.array(DECISION)})

    def to_bytes(self) -> bytes:
        """The bundle as .npz bytes (compressed), metadata included."""
        buf = io.BytesIO()
        arrays = self.to_arrays()
        arrays["meta"] = np.array(json.dumps(self.meta, sort_keys=True))
        np.savez_compressed(buf, **arrays)
        return buf.getvalue()

    def save(self, path: str | os.PathLike) -> Path:
        """Write the bundle to ``path`` (.npz)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.to_bytes())
        return path

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "<bytes>") -> Bundle:
        """Read a bundle written by ``to_bytes`` / ``save``."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
        except (OSError, ValueError) as exc:
            raise ModelError(f"{source}: not a groundswell model file: {exc}") from exc
        kind = str(arrays["kind"])
        heads: dict[str, Any] = {name: LinearHead.from_arrays(arrays, name) for name in SINGLE}
        heads["harm"] = MultiLabelHead.from_arrays(arrays, "harm", HARMS)
        meta = json.loads(str(arrays["meta"])) if "meta" in arrays else {}
        return cls(kind, heads, meta, adapter=adapter_from_arrays(arrays))

    @classmethod
    def load(cls, path: str | os.PathLike) -> Bundle:
        """Read a bundle from an .npz file."""
        path = Path(path)
        if not path.exists():
            raise ModelError(f"{path}: no such model file; run `groundswell train` to make it")
        return cls.from_bytes(path.read_bytes(), str(path))
