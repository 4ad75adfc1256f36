"""Ingest: stream files through the readers into the store in batches, reconciling every count.

``read == stored + duplicates + reposts + quarantined`` holds for every run: a record a reader
yields is exactly one of those four.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from groundswell.errors import InputError
from groundswell.ingest import columnar, iter_sources, read_source
from groundswell.ingest.source import shown_name
from groundswell.schema import Deletion, Quarantined, Record
from groundswell.store.bulk import NotBulkable, bulkable, load_twitter_v2
from groundswell.store.db import BatchCounts, Store
from groundswell.store.forget import forget

BATCH_SIZE = 20_000


@dataclass
class IngestReport:
    """The reconciliation of one ingest run."""

    read: int = 0
    stored: int = 0
    duplicates: int = 0
    reposts: int = 0
    quarantined: int = 0
    articles: int = 0
    forgotten: int = 0
    # platform deletion notices read (not posts, so outside ``read``); those posts are forgotten
    deleted_on_platform: int = 0
    files: int = 0
    by_format: dict[str, int] = field(default_factory=dict)
    skipped_files: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line per quarantined record (first 50)

    @property
    def balanced(self) -> bool:
        return self.read == self.stored + self.duplicates + self.reposts + self.quarantined

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["balanced"] = self.balanced
        return out


def ingest(
    paths: Iterable[str | os.PathLike],
    store: Store,
    *,
    fmt: str | None = None,
    options: dict[str, Any] | None = None,
    batch_size: int = BATCH_SIZE,
    progress: bool | None = None,
    synthetic: bool = False,
    bulk: bool = True,
    engine: str = "local",
    address: str | None = None,
) -> IngestReport:
    """Read every path (files, folders, archives) into ``store``; returns the reconciled counts.

    Large clean twarc2 files take DuckDB's bulk path (``bulk=False`` forces the streaming
    readers; both give the same store). ``engine="ray"`` reads the files on Ray workers (a
    cluster at ``address``, or a local one started for the run) with the same readers, in
    blocks this process writes and records, so a killed run resumes where it stopped; the store
    is the one the local engine leaves. Raises InputError naming the path when nothing at all
    could be read.
    """
    if engine not in ("local", "ray"):
        raise InputError(f"unknown engine {engine!r}; use local or ray")
    started = datetime.now(UTC)
    paths = [os.fspath(p) for p in paths]
    for p in paths:
        if not os.path.exists(p):
            raise InputError(f"{p}: no such file or directory")
    report = IngestReport()
    by_format: Counter[str] = Counter()
    totals = BatchCounts()
    bar = _progress(progress)
    reasons: list[str | None] = []  # why each skipped file was skipped (None: no known format)

    def on_file(name: str, reader_name: str | None, why: str | None = None) -> None:
        if reader_name is None:
            report.skipped_files.append(f"{name} ({why})" if why else name)
            reasons.append(why)
        else:
            report.files += 1
        if bar is not None:
            bar.update(task, description=os.path.basename(name)[:40])

    task = bar.add_task("ingest", total=None) if bar is not None else None
    if bar is not None:
        bar.start()
    own = [store.path, f"{store.path}.wal", f"{store.path}.key"]
    batch: list[Record] = []
    deletions: set[str] = set()
    used: dict[str, Any] = {}  # reader name -> reader, for the aliases they learnt
    pool: Any = None  # worker processes for large plain files, started at the first (False: none)

    def take(rec: Record | Deletion) -> bool:
        """Count a record read (True: write it), or note a platform's deletion notice."""
        if isinstance(rec, Deletion):
            deletions.add(rec.id)
            report.deleted_on_platform += 1
            return False
        report.read += 1
        by_format[rec.format or "unknown"] += 1
        if isinstance(rec, Quarantined) and len(report.errors) < 50:
            report.errors.append(f"{rec.source_file}:{rec.line}: {rec.reason}")
        return True

    def flush() -> None:
        nonlocal batch, totals
        if batch:
            totals += store.write_batch(batch, synthetic=synthetic)
            batch = []
        if bar is not None:
            bar.update(task, completed=report.read)

    sources = iter_sources(paths, fmt=fmt, options=options, exclude=own)
    engine_aliases: dict[str, dict[str, str]] = {}
    try:
        if engine == "ray":
            engine_aliases = _ingest_on_ray(
                sources,
                store,
                report,
                by_format,
                deletions,
                on_file,
                options=options,
                batch_size=batch_size,
                synthetic=synthetic,
                address=address,
                progress=(lambda n: bar.update(task, completed=n)) if bar is not None else None,
                totals=totals,
            )
            sources = iter(())
        for source, reader in sources:
            on_file(source.name, reader.name if reader else None, source.skip_reason)
            if reader is None:
                continue
            used[reader.name] = reader
            if columnar.supports(source, reader):
                flush()
                if pool is None and columnar.parallel(source):
                    pool = columnar.process_pool() or False
                key = store.pseudonym.key if store.pseudonymise else None
                parts = (
                    columnar.read_columns_parallel(source, reader, batch_size, pool, key)
                    if pool and columnar.parallel(source)
                    else columnar.read_columns(source, reader, batch_size, key)
                )
                for part in parts:
                    fast = part.columns.num_rows
                    report.read += fast
                    by_format[reader.name] += fast
                    rest = [rec for rec in part.records if take(rec)]
                    totals += store.write_batch(rest, synthetic=synthetic, columns=part.columns)
                    if bar is not None:
                        bar.update(task, completed=report.read)
                continue
            if bulk and bulkable(source, reader.name):
                flush()
                try:
                    read, counts = load_twitter_v2(store, source, synthetic)
                except NotBulkable:
                    pass  # the streaming reader below takes it, quarantining per line
                else:
                    report.read += read
                    by_format[reader.name] += read
                    totals += counts
                    continue
            for rec in read_source(source, reader):
                if take(rec):
                    batch.append(rec)
                    if len(batch) >= batch_size:
                        flush()
        flush()
        for reader in used.values():
            resolve_aliases(store, reader.platform, reader.aliases())
        for platform, aliases in engine_aliases.items():
            resolve_aliases(store, platform, aliases)
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
        if bar is not None:
            bar.stop()
    report.errors.extend(totals.errors[: max(0, 50 - len(report.errors))])
    report.stored, report.duplicates = totals.stored, totals.duplicates
    report.reposts, report.quarantined = totals.reposts, totals.quarantined
    report.articles, report.forgotten = totals.articles, totals.forgotten
    report.by_format = dict(by_format)
    if deletions:  # honoured after the run, so a notice read before its post still applies
        forget(store, sorted(deletions), authors=False)
    store.record_run(
        "ingest",
        {"paths": [shown_name(p) for p in paths], "format": fmt, "options": options or {}},
        report.to_dict(),
        started,
    )
    store.checkpoint()
    # a file of a known format that holds no posts (an empty listing, only deletion notices)
    # was read: its run is kept, and its deletions with it
    if report.read == 0 and report.files == 0:
        what = report.skipped_files[0] if report.skipped_files else paths[0] if paths else "(none)"
        if reasons and reasons[0]:  # skipped for a reason (an encrypted member, a workbook)
            raise InputError(f"nothing could be read: {what}")
        raise InputError(
            f"{what}: nothing could be read (no known format); "
            "use --format and --map for a generic CSV/JSONL"
        )
    return report


def _ingest_on_ray(
    sources: Iterable[tuple[Any, Any]],
    store: Store,
    report: IngestReport,
    by_format: Counter[str],
    deletions: set[str],
    on_file: Callable[..., None],
    *,
    totals: BatchCounts,
    **kwargs: Any,
) -> dict[str, dict[str, str]]:
    """The source loop on Ray (engines.ingest_on_ray), its counts added to this run's;
    returns the aliases the readers learnt, by platform."""
    from groundswell.engines.ingest import ingest_on_ray

    def readable() -> Iterator[tuple[Any, Any]]:
        for source, reader in sources:
            on_file(source.name, reader.name if reader else None, source.skip_reason)
            if reader is not None:
                yield source, reader

    counts, run = ingest_on_ray(readable(), store, **kwargs)
    totals += counts
    report.read += run.read
    report.deleted_on_platform += run.deleted_on_platform
    by_format.update(run.by_format)
    report.errors.extend(run.errors[: max(0, 50 - len(report.errors))])
    deletions.update(run.deletions)
    return run.aliases


def resolve_aliases(store: Store, platform: str, aliases: dict[str, str]) -> int:
    """Rewrite ``reply_to`` and ``quote_of`` values that are provisional keys (a Mastodon parent
    known only by instance and local id) to the post id learnt for them; returns rows changed."""
    if not aliases:
        return 0
    store.con.register("gs_aliases", pa.table({"k": list(aliases), "v": list(aliases.values())}))
    changed = 0
    try:
        for col in ("reply_to", "quote_of"):
            changed += store.con.execute(
                f"UPDATE posts SET {col} = a.v FROM gs_aliases a "
                f"WHERE posts.platform = ? AND posts.{col} = a.k",
                [platform],
            ).fetchone()[0]
    finally:
        store.con.unregister("gs_aliases")
    return changed


def _progress(progress: bool | None):
    """A rich progress display on a terminal, none otherwise."""
    if progress is None:
        progress = sys.stderr.isatty()
    if not progress:
        return None
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} records"),
        TimeElapsedColumn(),
        transient=True,
    )
