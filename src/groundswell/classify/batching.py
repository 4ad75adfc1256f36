"""Batches for the encoder: rows of similar length under a token budget, padded in one numpy
step, and prepared in worker threads a bounded number of chunks ahead of the forward pass."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import numpy as np

In = TypeVar("In")
Out = TypeVar("Out")


def plan_batches(
    lengths: Sequence[int] | np.ndarray,
    token_budget: int,
    max_rows: int,
    *,
    by_length: bool = True,
) -> list[np.ndarray]:
    """Row indices of each batch. ``by_length``: rows sorted by length (stable), each batch as
    many rows as fit ``token_budget`` padded tokens (rows x longest row) and ``max_rows``; else
    ``max_rows`` rows at a time in the given order (the plain batching it must agree with)."""
    lens = np.asarray(lengths, dtype=np.int64)
    n = len(lens)
    if not by_length:
        return [np.arange(i, min(i + max_rows, n)) for i in range(0, n, max_rows)]
    order = np.argsort(lens, kind="stable")
    ordered = np.maximum(lens[order], 1)
    out: list[np.ndarray] = []
    i = 0
    while i < n:
        cap = min(max_rows, n - i)
        # ascending lengths: a batch of k rows is as wide as its k-th row
        fits = np.arange(1, cap + 1) * ordered[i : i + cap] <= token_budget
        k = max(1, int(fits.sum()))
        out.append(order[i : i + k])
        i += k
    return out


def pad(rows: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Token id rows as a right-padded (ids, attention mask) pair of int64 arrays."""
    lens = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    width = max(1, int(lens.max())) if len(rows) else 1
    mask = np.arange(width)[None, :] < lens[:, None]
    ids = np.zeros((len(rows), width), dtype=np.int64)
    if lens.sum():
        ids[mask] = np.fromiter((t for r in rows for t in r), dtype=np.int64, count=lens.sum())
    return ids, mask.astype(np.int64)


def prefetch(
    fn: Callable[[In], Out], items: Iterable[In], *, workers: int = 1, depth: int = 2
) -> Iterator[Out]:
    """``fn`` over ``items`` in ``workers`` threads, results in order, with at most ``depth``
    items taken ahead of the consumer (memory stays flat on an endless stream). Threads pay off
    because the tokenizer and numpy release the GIL."""
    if workers < 1 or depth < 1:
        yield from map(fn, items)
        return
    pending: deque[Future[Out]] = deque()
    pool = ThreadPoolExecutor(workers, thread_name_prefix="groundswell-tokenise")
    try:
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= depth:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for fut in pending:
            fut.cancel()
        pool.shutdown(wait=True)
