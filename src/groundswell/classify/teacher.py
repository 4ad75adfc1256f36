"""The teacher's features: sentence embeddings from the encoder plus every weak signal.

The embedding carries meaning (a story told, a headline, a jab); the signals carry the
codebook's conventions (#ItWasMe, "when I was 15", "witch hunt") that a small labelled set
cannot teach an embedding alone. The head's weights decide how much each counts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from groundswell.classify.encoder import Encoder
from groundswell.classify.rules import SIGNALS, signal_matrix

SIGNAL_SCALE = 0.5  # signals next to unit-length embeddings: one weight each, as strong as a topic
_ENCODERS: dict[tuple[str, int | None], Encoder] = {}


def get_encoder(device: str = "cpu", batch_size: int | None = None) -> Encoder:
    """One loaded encoder per (device, batch size) in this process."""
    key = (device, batch_size)
    if key not in _ENCODERS:
        _ENCODERS[key] = Encoder(device=device, batch_size=batch_size)
    return _ENCODERS[key]


class TeacherFeaturizer:
    """Texts to a dense (n, 384 + n_signals) matrix."""

    def __init__(self, device: str = "cpu", batch_size: int | None = None) -> None:
        self.device = device
        self.batch_size = batch_size

    @property
    def n_columns(self) -> int:
        return Encoder.dim + len(SIGNALS)

    def transform(
        self,
        texts: Sequence[str],
        progress: Callable[[int], None] | None = None,
        hits: list[list[tuple[int, int, int]]] | None = None,
    ) -> np.ndarray:
        """Embeddings and signals side by side, float64 (``hits``: a full ``rules.scan``)."""
        emb = get_encoder(self.device, self.batch_size).encode(texts, progress=progress)
        sig = signal_matrix(texts, None, hits) * SIGNAL_SCALE
        # rounded so that re-training on another CPU (other float kernels) gives the same head
        return np.hstack([np.round(emb.astype(np.float64), 4), sig.astype(np.float64)])
