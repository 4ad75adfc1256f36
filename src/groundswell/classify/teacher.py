"""The teacher's features: the fine-tuned encoder's pooled embedding of each text, and (for a
teacher trained with them) the codebook's structural cues beside it.

The encoder carries the adapter learned on real labelled posts (``finetune.py``), so its
embedding already separates the codebook's acts; the bundle's linear heads read it directly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from groundswell.classify.encoder import Encoder
from groundswell.classify.rules import SIGNALS, signal_matrix

SIGNAL_SCALE = 0.5  # cues next to an embedding: one weight each, learned with the heads
_ENCODERS: dict[tuple[str, int | None, str, str], Encoder] = {}


def get_encoder(
    device: str = "cpu",
    batch_size: int | None = None,
    adapter: dict[str, Any] | None = None,
    precision: str = "auto",
) -> Encoder:
    """One loaded encoder per (device, batch size, precision, adapter content) in this
    process."""
    from groundswell.classify.heads import arrays_digest

    key = (device, batch_size, precision, arrays_digest(adapter["arrays"]) if adapter else "")
    if key not in _ENCODERS:
        _ENCODERS[key] = Encoder(
            device=device,
            batch_size=batch_size,
            adapter=adapter,
            normalize=adapter is None,
            precision=precision,
        )
    return _ENCODERS[key]


class TeacherFeaturizer:
    """Texts to a dense (n, 384) matrix of fine-tuned embeddings."""

    def __init__(
        self,
        device: str = "cpu",
        batch_size: int | None = None,
        adapter: dict[str, Any] | None = None,
        signals: bool = False,
        precision: str = "auto",
    ) -> None:
        self.device = device
        self.precision = precision
        self.batch_size = batch_size
        self.adapter = adapter
        self.signals = signals
        self._encoder: Encoder | None = None

    @property
    def n_columns(self) -> int:
        return Encoder.dim + (len(SIGNALS) if self.signals else 0)

    def transform(
        self,
        texts: Sequence[str],
        progress: Callable[[int], None] | None = None,
        hits: list[list[tuple[int, int, int]]] | None = None,
    ) -> np.ndarray:
        """Embeddings (and cues), float64 (``hits``: a full ``rules.scan`` to reuse)."""
        if self._encoder is None:  # keyed by the adapter's content: hash it once, not per batch
            self._encoder = get_encoder(self.device, self.batch_size, self.adapter, self.precision)
        enc = self._encoder
        emb = enc.encode(texts, progress=progress).astype(np.float64)
        if not self.signals:
            return emb
        return np.hstack([emb, signal_matrix(texts, None, hits).astype(np.float64) * SIGNAL_SCALE])
