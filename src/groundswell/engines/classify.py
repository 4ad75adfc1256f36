"""Classify on Ray: this process streams the store's unlabelled posts in blocks, Ray workers run
the classify stage's batch function (``classify.store.table_batch``) and this process writes
each block's labels in its own transaction, so a killed run resumes at the first block not
written (the pending query skips every post a committed block labelled)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from groundswell.engines.faults import fault_point
from groundswell.engines.ray_session import ray_cpus, ray_session

RETRIES = 3  # a block whose worker died is predicted again (prediction has no side effects)


def predict_block(
    bundle: Any, clf: tuple[str, str, str], rows: list[tuple], index: int
) -> tuple[Any, Any]:
    """Block ``index``'s (platform, id, text, lang) rows predicted with the driver's classifier
    settings ``clf`` (version, device, precision), as the ``acts`` and ``testimony`` rows to
    write (``classify.store.table_batch``); the index only names the block to fault tests."""
    from groundswell.classify.store import table_batch

    fault_point("classify-worker", index)
    version, device, precision = clf
    return table_batch(bundle, device, rows, version=version, precision=precision)


def classify_on_ray(
    store: Any,
    clf: Any,
    *,
    batch_size: int,
    address: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    todo: int = 0,
    max_batches: int | None = None,
) -> int:
    """Label every pending post of ``store`` with ``clf``'s model on Ray; returns how many."""
    from groundswell.classify.store import pending_blocks, write_tables

    done = written = 0
    with ray_session(address) as ray:
        bundle = ray.put(clf.bundle)
        settings = (clf.version, clf.device, getattr(clf, "precision", "auto"))
        predict = ray.remote(predict_block).options(max_retries=RETRIES)
        ahead = 2 * ray_cpus(ray)
        inflight: deque[tuple[list[tuple], Any]] = deque()

        def write_next() -> None:
            nonlocal done, written
            rows, ref = inflight.popleft()
            write_tables(store, ray.get(ref))
            done += len(rows)
            written += 1
            fault_point("classify-driver", written)
            if progress:
                progress(done, todo)

        for index, rows in enumerate(pending_blocks(store, clf, batch_size)):
            if max_batches is not None and index >= max_batches:
                break
            inflight.append((rows, predict.remote(bundle, settings, rows, index)))
            if len(inflight) >= ahead:
                write_next()
        while inflight:
            write_next()
    return done
