"""Map a batch function over batches: in process, in a local process pool, or on Ray."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


def map_batches(
    fn: Callable[[In], Out],
    batches: Iterable[In],
    *,
    engine: str = "local",
    workers: int = 1,
    inflight: int = 4,
) -> Iterator[Out]:
    """Apply ``fn`` (a picklable, module-level function) to each batch, yielding results in order.

    ``engine="local"`` with ``workers=1`` runs in this process; more workers use a process pool
    with at most ``workers * inflight`` batches in flight, so memory stays bounded on a stream.
    ``engine="ray"`` runs each batch as a Ray task (needs ``pip install 'groundswell[scale]'``).
    """
    if engine == "ray":
        yield from _map_ray(fn, batches, workers * inflight)
        return
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r}; use 'local' or 'ray'")
    if workers <= 1:
        for batch in batches:
            yield fn(batch)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending = []
        for batch in batches:
            pending.append(pool.submit(fn, batch))
            if len(pending) >= workers * inflight:
                yield pending.pop(0).result()
        for fut in pending:
            yield fut.result()


def _map_ray(fn: Callable[[In], Out], batches: Iterable[In], inflight: int) -> Iterator[Out]:
    from groundswell.engines.ray_session import ray_session

    with ray_session() as ray:  # joins a connected Ray, else starts one and stops it after
        remote = ray.remote(fn)
        pending = []
        for batch in batches:
            pending.append(remote.remote(batch))
            if len(pending) >= inflight:
                yield ray.get(pending.pop(0))
        for ref in pending:
            yield ray.get(ref)
