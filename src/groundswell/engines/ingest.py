"""Ingest on Ray: workers read the files in blocks (``read_blocks``, the local reader path),
this process writes each block through the store's one writer, in file and block order, with
the block's ``blocks`` row in the same transaction."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from groundswell.engines.blocks import (
    MAX_ERRORS,
    Block,
    SourceRef,
    ensure_blocks,
    finished_blocks,
    read_blocks,
    record_block,
)
from groundswell.engines.faults import fault_point
from groundswell.engines.ray_session import ray_cpus, ray_session, worker_died
from groundswell.errors import StoreError
from groundswell.ingest import Reader, Source
from groundswell.schema import Deletion

STAGE = "ingest"
BACKPRESSURE = 3  # blocks a file's task may run ahead of the writer
RETRIES = 3  # times a file is started again after its worker died


@dataclass
class EngineRun:
    """What the engine read, beyond the store's own counts: the parts of the reconciliation
    the local loop keeps in ``ingest``."""

    read: int = 0
    deleted_on_platform: int = 0
    by_format: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    deletions: set[str] = field(default_factory=set)
    aliases: dict[str, dict[str, str]] = field(default_factory=dict)  # platform -> key -> id
    blocks_written: int = 0
    blocks_skipped: int = 0


@dataclass
class _FileRun:
    name: str
    source: Source | SourceRef
    reader: Reader
    blocks: Iterator[Any]
    next_index: int = 0
    tries: int = 0


def ingest_on_ray(
    sources: Iterable[tuple[Source, Reader]],
    store: Any,
    *,
    options: dict[str, Any] | None,
    batch_size: int,
    synthetic: bool,
    address: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[Any, EngineRun]:
    """Read ``sources`` on Ray and write them to ``store``; returns (BatchCounts, EngineRun).

    Files are started ``cpus + 1`` ahead and written in order, so the store is the one a local
    run leaves (first seen wins in the same order). Blocks the store already holds are not
    written again; a file whose worker died is started again from its first unfinished block.
    """
    from groundswell.store.db import BatchCounts

    ensure_blocks(store.con)
    totals = BatchCounts()
    run = EngineRun()
    with ray_session(address) as ray:
        task = ray.remote(read_blocks).options(
            num_returns="streaming",
            _generator_backpressure_num_objects=BACKPRESSURE,
            max_retries=0,  # a retry is ours: it knows which blocks were written meanwhile
        )

        def start(name: str, where: Source | SourceRef, reader: Reader) -> Iterator[Any]:
            done = finished_blocks(store.con, STAGE, name)
            if isinstance(where, SourceRef):
                return task.remote(where, reader.name, options, batch_size, done)
            return read_blocks(where, reader.name, options, batch_size, done)  # a pipe: here

        def submit(source: Source, reader: Reader) -> _FileRun:
            where: Source | SourceRef = source
            if source.reopenable:
                where = SourceRef(str(source.path), source.member, source.ordinal)
            return _FileRun(source.name, where, reader, start(source.name, where, reader))

        pending = iter(sources)
        window: deque[_FileRun] = deque()
        ahead = ray_cpus(ray) + 1
        while True:
            while (
                len(window) < ahead
                and not (window and _holds_stream(window[-1]))
                and (nxt := next(pending, None)) is not None
            ):
                window.append(submit(*nxt))
            if not window:
                break
            file_run = window.popleft()
            _consume(ray, file_run, start, store, synthetic, totals, run, progress)
    return totals, run


def _holds_stream(file_run: _FileRun) -> bool:
    """Whether the file is a member of an archive read from a stream (a .tar.gz.gz, a tar piped
    in), read here: the next source comes from the same stream, so it waits until this is read."""
    return isinstance(file_run.source, Source) and file_run.source.streamed


def _consume(
    ray: Any,
    file_run: _FileRun,
    start: Callable[..., Iterator[Any]],
    store: Any,
    synthetic: bool,
    totals: Any,
    run: EngineRun,
    progress: Callable[[int], None] | None,
) -> None:
    """Write one file's blocks in order; start the file again when its worker dies."""
    while True:
        try:
            for item in file_run.blocks:
                block: Block = item if isinstance(item, Block) else ray.get(item)
                if block.index < file_run.next_index:
                    continue  # written before the worker died; the new task sends it again
                _apply(block, file_run.reader.platform, store, synthetic, totals, run)
                file_run.next_index = block.index + 1
                if progress is not None:
                    progress(run.read)
            return
        except StoreError:
            raise
        except Exception as exc:
            if not worker_died(exc) or file_run.tries >= RETRIES:
                raise
            file_run.tries += 1
            file_run.blocks = start(file_run.name, file_run.source, file_run.reader)


def _apply(
    block: Block, platform: str, store: Any, synthetic: bool, totals: Any, run: EngineRun
) -> None:
    """Count one block into the run and write it (unless the store holds it already)."""
    run.read += block.read
    run.deleted_on_platform += len(block.deletions)
    run.deletions.update(block.deletions)
    for fmt, n in block.by_format.items():
        run.by_format[fmt] = run.by_format.get(fmt, 0) + n
    run.errors.extend(block.errors[: max(0, MAX_ERRORS - len(run.errors))])
    if block.last and block.aliases:
        run.aliases.setdefault(platform, {}).update(block.aliases)
    if block.records is None:  # finished by an earlier run: as a re-read, these are duplicates
        totals.quarantined += block.quarantined
        totals.duplicates += block.read - block.quarantined
        run.blocks_skipped += 1
        return
    if not block.records:
        return
    records = [r for r in block.records if not isinstance(r, Deletion)]
    totals += store.write_batch(
        records, synthetic=synthetic, within=lambda con: record_block(con, STAGE, block)
    )
    run.blocks_written += 1
    fault_point("ingest-driver", run.blocks_written)
