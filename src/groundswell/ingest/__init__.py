"""Ingest: readers for real platform exports, detected from content, streamed as schema records."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from groundswell.errors import InputError
from groundswell.ingest.registry import Reader, detect, load_readers
from groundswell.ingest.source import Source, sources_from_path
from groundswell.schema import Quarantined, Record

__all__ = ["Reader", "Source", "iter_records", "load_readers", "read_batches"]


def iter_records(
    paths: Iterable[str | os.PathLike],
    *,
    fmt: str | None = None,
    options: dict[str, Any] | None = None,
    on_file: Callable[[str, str | None], None] | None = None,
    exclude: Iterable[str | os.PathLike] = (),
) -> Iterator[Record]:
    """Every record from every source under ``paths``, in order.

    ``fmt`` forces a reader by name; otherwise each source's format is detected from its content.
    Files in ``exclude`` (the store's own database, WAL and key) are never read.
    A reader that fails unexpectedly turns into one Quarantined record for that source.
    """
    readers = load_readers(options)
    by_name = {r.name: r for r in readers}
    if fmt is not None and fmt not in by_name:
        raise InputError(f"unknown format {fmt!r}; known: {', '.join(sorted(by_name))}")
    skip = {os.path.realpath(p) for p in exclude}
    for path in paths:
        for source in sources_from_path(path):
            if os.path.realpath(source.path) in skip:
                continue
            reader = by_name[fmt] if fmt else detect(source, readers)
            if on_file is not None:
                on_file(source.name, reader.name if reader else None)
            if reader is None:
                continue
            line = 0
            try:
                for rec in reader.read(source):
                    if not rec.format:
                        rec.format = reader.name
                    line = getattr(rec, "source_line", getattr(rec, "line", line))
                    yield rec
            except Exception as exc:  # a reader bug must not lose the run; record it instead
                yield Quarantined(
                    source_file=source.name,
                    line=line + 1,
                    format=reader.name,
                    reason=f"reader {reader.name} failed: {type(exc).__name__}: {exc}",
                )


def read_batches(
    paths: Iterable[str | os.PathLike], batch_size: int = 20_000, **kwargs: Any
) -> Iterator[list[Record]]:
    """The same records as ``iter_records``, in lists of ``batch_size`` (a stage's batch form)."""
    batch: list[Record] = []
    for rec in iter_records(paths, **kwargs):
        batch.append(rec)
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch
