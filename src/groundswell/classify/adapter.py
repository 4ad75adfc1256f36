"""The teacher's LoRA adapter: low-rank updates to every linear layer of the encoder, learned by
fine-tuning on real labelled posts (``finetune.py``) and shipped as a small .npz of plain arrays
(a few hundred thousand numbers instead of the encoder's 22 million). peft builds and merges it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from groundswell.errors import MissingExtraError, ModelError

LORA_RANK = 8
LORA_ALPHA = 16
LORA_TARGETS = ("query", "key", "value", "dense")  # every linear layer of a BERT block


def lora_config(
    rank: int = LORA_RANK,
    alpha: int = LORA_ALPHA,
    layers: Sequence[int] | None = None,
    dropout: float = 0.1,
) -> Any:
    """The peft LoraConfig the teacher is trained and loaded with (``layers``: the encoder
    blocks that get an adapter, all when None)."""
    try:
        from peft import LoraConfig
    except ImportError as exc:
        raise MissingExtraError(
            "the fine-tuned teacher needs peft: pip install 'groundswell[teacher]'"
        ) from exc
    return LoraConfig(
        r=rank,
        lora_alpha=alpha,
        lora_dropout=dropout,
        target_modules=list(LORA_TARGETS),
        layers_to_transform=list(layers) if layers is not None else None,
        layers_pattern="layer" if layers is not None else None,
    )


def wrap(
    model: Any,
    rank: int = LORA_RANK,
    alpha: int = LORA_ALPHA,
    layers: Sequence[int] | None = None,
) -> Any:
    """``model`` with trainable LoRA layers (its own weights frozen)."""
    from peft import get_peft_model

    return get_peft_model(model, lora_config(rank, alpha, layers))


def adapter_arrays(peft_model: Any) -> dict[str, np.ndarray]:
    """The adapter's weights as float32 arrays keyed by peft's names."""
    from peft import get_peft_model_state_dict

    state = get_peft_model_state_dict(peft_model)
    return {k: v.detach().cpu().float().numpy() for k, v in state.items()}


def merge_adapter(model: Any, adapter: dict[str, Any]) -> Any:
    """``model`` with the adapter (``{"arrays", "rank", "alpha"}``) merged into its weights: a
    plain encoder again, as fast as the base one."""
    import torch
    from peft import set_peft_model_state_dict

    layers = adapter.get("layers")
    peft_model = wrap(model, int(adapter["rank"]), int(adapter["alpha"]), layers)
    state = {k: torch.from_numpy(np.asarray(v)) for k, v in adapter["arrays"].items()}
    result = set_peft_model_state_dict(peft_model, state)
    unused = [k for k in getattr(result, "unexpected_keys", []) if "lora" in k]
    if unused:
        raise ModelError(f"adapter does not fit the encoder: {unused[:3]}")
    return peft_model.merge_and_unload()


def adapter_arrays_for_npz(adapter: dict[str, Any]) -> dict[str, np.ndarray]:
    """An adapter as arrays to store in a bundle's .npz (keys ``lora/...``; float16 halves the
    file and moves predictions by far less than the calibration error)."""
    out = {f"lora/{k}": np.asarray(v).astype(np.float16) for k, v in adapter["arrays"].items()}
    out["lora_rank"] = np.array([int(adapter["rank"])])
    out["lora_alpha"] = np.array([int(adapter["alpha"])])
    if adapter.get("layers") is not None:
        out["lora_layers"] = np.asarray(adapter["layers"], dtype=np.int64)
    return out


def adapter_from_arrays(arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """The adapter stored inside a bundle's arrays (keys ``lora/...``), or {} when absent."""
    lora = {
        k[5:]: np.asarray(v, dtype=np.float32) for k, v in arrays.items() if k.startswith("lora/")
    }
    if not lora:
        return {}
    return {
        "arrays": lora,
        "rank": int(arrays["lora_rank"][0]),
        "alpha": int(arrays["lora_alpha"][0]),
        "layers": [int(x) for x in arrays["lora_layers"]] if "lora_layers" in arrays else None,
    }
