"""What a device asks of the teacher's forward pass: the autocast dtype, pinned memory and
non-blocking copies, and how many padded tokens one batch may hold.

``device_ops`` makes these choices once, for a branch (``cpu`` or ``cuda``) and a place where the
tensors live. The place is normally the branch's own device; tests run the cuda branch with the
place set to ``cpu`` (the "device set by a flag"), so its code runs where no GPU exists.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from groundswell.errors import InputError, MissingExtraError

PRECISIONS = ("auto", "fp32", "fp16", "bf16")
_DTYPES = {"fp16": "float16", "bf16": "bfloat16"}


def require_device(device: str) -> str:
    """``device`` when this machine can run on it; an InputError saying how to fix it when not
    (never a silent fall-back: a run asked for a GPU is not quietly 100x slower)."""
    if device == "cpu":
        return device
    if device != "cuda" and not (device.startswith("cuda:") and device[5:].isdigit()):
        raise InputError(f"--device {device}: unknown device; use cpu, cuda or cuda:N")
    try:
        import torch
    except ImportError as exc:
        raise MissingExtraError(
            f"--device {device} needs torch: pip install 'groundswell[teacher]'"
        ) from exc
    if not torch.cuda.is_available():
        raise InputError(
            f"--device {device}: torch {torch.__version__} sees no CUDA GPU on this machine; "
            "use --device cpu, or install a CUDA build of torch where a GPU is present"
        )
    index = int(device[5:]) if ":" in device else 0
    if index >= torch.cuda.device_count():
        raise InputError(
            f"--device {device}: this machine has {torch.cuda.device_count()} GPU(s); "
            f"use cuda:0 to cuda:{torch.cuda.device_count() - 1}"
        )
    return device


def resolve_precision(precision: str, kind: str) -> str:
    """``auto`` is fp16 on cuda and fp32 on cpu; the others are taken as asked."""
    if precision not in PRECISIONS:
        raise InputError(f"--precision {precision}: expected one of {', '.join(PRECISIONS)}")
    if precision == "auto":
        return "fp16" if kind == "cuda" else "fp32"
    return precision


@dataclass(frozen=True)
class DeviceOps:
    """The forward pass's device-dependent choices (see ``device_ops``)."""

    kind: str  # the branch: "cpu" or "cuda"
    place: str  # where the model and tensors live
    precision: str  # fp32, fp16 or bf16 (autocast dtype)
    pin_memory: bool  # batches staged in page-locked memory by the tokenising threads
    non_blocking: bool  # host-to-device copies overlap the previous batch's kernels
    token_budget: int  # padded tokens (rows x width) per batch
    max_rows: int  # rows per batch, whatever their length
    chunk: int  # texts tokenised, sorted by length and batched together
    prefetch: int  # chunks prepared ahead of the forward pass (bounds memory on a stream)
    workers: int  # tokenising threads

    def autocast(self) -> AbstractContextManager[Any]:
        """The autocast context of the forward pass (none at fp32)."""
        if self.precision == "fp32":
            return nullcontext()
        import torch

        dtype = getattr(torch, _DTYPES[self.precision])
        return torch.autocast(device_type=self.place.split(":")[0], dtype=dtype)

    def stage(self, tensor: Any) -> Any:
        """A host tensor ready for the copy: page-locked on the cuda branch."""
        return tensor.pin_memory() if self.pin_memory else tensor

    def to_place(self, tensor: Any) -> Any:
        """``tensor`` on the device (asynchronously on the cuda branch)."""
        return tensor.to(self.place, non_blocking=self.non_blocking)

    def synchronize(self) -> None:
        """Wait for the device's queued work (a no-op on the CPU)."""
        if self.place.startswith("cuda"):
            import torch

            torch.cuda.synchronize(self.place)


def device_ops(
    device: str = "cpu",
    precision: str = "auto",
    *,
    max_rows: int | None = None,
    place: str | None = None,
) -> DeviceOps:
    """The choices for ``device``'s branch. ``place`` overrides where tensors live (tests run the
    cuda branch on the CPU); ``max_rows`` caps the rows of a batch (``--batch-size``)."""
    kind = "cuda" if device.startswith("cuda") else "cpu"
    if place is None:
        place = require_device(device)
    prec = resolve_precision(precision, kind)
    if kind == "cuda":
        # MiniLM-sized encoders run best at 1,000-4,000 rows of 48-64 tokens in fp16
        return DeviceOps(kind, place, prec, True, True, 131_072, max_rows or 4096, 16_384, 4, 4)
    return DeviceOps(kind, place, prec, False, False, 8192, max_rows or 64, 2048, 2, 1)
