"""Ingest: readers for real platform exports, detected from content, streamed as schema records."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from groundswell.errors import InputError
from groundswell.ingest.registry import Reader, detect, load_readers
from groundswell.ingest.source import Source, sources_from_path
from groundswell.schema import Quarantined, Record

__all__ = [
    "Reader",
    "Source",
    "iter_records",
    "iter_sources",
    "load_readers",
    "read_batches",
    "read_source",
]


def iter_sources(
    paths: Iterable[str | os.PathLike],
    *,
    fmt: str | None = None,
    options: dict[str, Any] | None = None,
    exclude: Iterable[str | os.PathLike] = (),
) -> Iterator[tuple[Source, Reader | None]]:
    """Every source under ``paths`` with the reader for it (None: no known format, or a
    ``source.skip_reason`` such as an encrypted zip member).

    ``fmt`` forces a reader by name; otherwise each source's format is detected from its content.
    Files in ``exclude`` (the store's own database, WAL and key) are never read.
    """
    readers = load_readers(options)
    by_name = {r.name: r for r in readers}
    if fmt is not None and fmt not in by_name:
        raise InputError(f"unknown format {fmt!r}; known: {', '.join(sorted(by_name))}")
    skip = {os.path.realpath(p) for p in exclude}
    for path in paths:
        for source in sources_from_path(path):
            if os.path.realpath(source.path) in skip:
                source.skip_reason = "a file of the store this run writes: never read as input"
                yield source, None
                continue
            if source.member is None and source.skip_reason is None:
                source.skip_reason = store_part(source.path)
            if source.skip_reason is not None:
                yield source, None
            else:
                yield source, (by_name[fmt] if fmt else detect(source, readers))


def store_part(path: str | os.PathLike) -> str | None:
    """Why a file that belongs to a store (any store: its DuckDB file, write-ahead log or
    pseudonymisation key) is never read as input, or None. The key above all: printed or stored
    as a post, it would undo every pseudonym."""
    from groundswell.store.files import is_duckdb

    name = os.fspath(path)
    for suffix, part in ((".key", "pseudonymisation key"), (".wal", "write-ahead log")):
        if name.endswith(suffix) and is_duckdb(name[: -len(suffix)]):
            return f"a store's {part}: never read as input"
    return "a DuckDB database (a store?): never read as input" if is_duckdb(name) else None


def read_source(source: Source, reader: Reader) -> Iterator[Record]:
    """The records of one source. A reader that fails unexpectedly ends that source with one
    Quarantined record naming the reader and the line it reached; the run goes on.
    A configuration error (InputError, e.g. a --map column that does not exist) stops the run."""
    line = 0
    try:
        for rec in reader.read(source):
            if not rec.format:
                rec.format = reader.name
            line = getattr(rec, "source_line", getattr(rec, "line", line))
            yield rec
    except InputError:
        raise
    except Exception as exc:
        yield Quarantined(
            source_file=source.name,
            line=line + 1,
            format=reader.name,
            reason=f"reader {reader.name} failed: {type(exc).__name__}: {exc}",
        )


def iter_records(
    paths: Iterable[str | os.PathLike],
    *,
    fmt: str | None = None,
    options: dict[str, Any] | None = None,
    on_file: Callable[[str, str | None], None] | None = None,
    exclude: Iterable[str | os.PathLike] = (),
) -> Iterator[Record]:
    """Every record from every source under ``paths``, in order (see ``iter_sources``)."""
    for source, reader in iter_sources(paths, fmt=fmt, options=options, exclude=exclude):
        if on_file is not None:
            on_file(source.name, reader.name if reader else None)
        if reader is not None:
            yield from read_source(source, reader)


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
