"""Blocks: a source's records in fixed-size runs, each named by (source, index, content hash).

``read_blocks`` is the ingest stage's batch function: the same code reads a file in this process
or on a Ray worker. The store keeps one ``blocks`` row per finished block, written in the same
transaction as the block's rows, so a run killed at any point and started again skips what was
finished (and only that).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import msgspec

from groundswell.engines.faults import fault_point
from groundswell.ingest import Source, load_readers, read_source
from groundswell.ingest.source import sources_from_path
from groundswell.schema import Deletion, Quarantined, Record

BLOCKS_SQL = """
CREATE TABLE IF NOT EXISTS blocks (
  stage VARCHAR NOT NULL, source VARCHAR NOT NULL, block BIGINT NOT NULL, hash VARCHAR NOT NULL,
  records BIGINT, finished_at TIMESTAMP DEFAULT current_timestamp,
  PRIMARY KEY (stage, source, block));
"""
MAX_ERRORS = 50  # quarantine lines a report lists, as the local engine does


@dataclass
class SourceRef:
    """Where a worker finds a source again: a file, or a member of a zip or tar archive."""

    path: str
    member: str | None = None
    ordinal: int = 1  # the nth member of that name

    def open(self) -> Source:
        """The Source this names (a zip archive is opened again to reach its member)."""
        for source in sources_from_path(self.path):
            if source.member == self.member and source.ordinal == self.ordinal:
                return source
        raise FileNotFoundError(f"{self.path}!{self.member}: member not found")


@dataclass
class Block:
    """One run of a source's records, or, when ``records`` is None, a block the store already
    holds (then only its counts travel back)."""

    source: str
    index: int
    hash: str
    records: list[Record] | None
    read: int = 0  # records that are not deletion notices
    quarantined: int = 0
    by_format: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    deletions: list[str] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)  # only on a source's last block
    last: bool = False


_ENCODER = msgspec.msgpack.Encoder()


def block_hash(records: list[Record]) -> str:
    """A content hash of the records (their fields, in order): the same bytes give the same hash."""
    return hashlib.blake2b(_ENCODER.encode(records), digest_size=16).hexdigest()


def read_blocks(
    source: Source | SourceRef,
    reader_name: str,
    options: dict[str, Any] | None,
    batch_size: int,
    done: dict[int, str] | None = None,
) -> Iterator[Block]:
    """The records of one source in blocks of ``batch_size``, via ``read_source`` (the local
    engine's reader path). Blocks named in ``done`` (index -> hash) with the same hash come back
    without records; the last item carries the reader's aliases and ``last=True``."""
    if isinstance(source, SourceRef):
        source = source.open()
    reader = next(r for r in load_readers(options) if r.name == reader_name)
    done = done or {}
    index = 0
    batch: list[Record] = []

    def block(records: list[Record], last: bool) -> Block:
        out = Block(source.name, index, block_hash(records), records, last=last)
        for rec in records:
            if isinstance(rec, Deletion):
                out.deletions.append(rec.id)
                continue
            out.read += 1
            fmt = rec.format or "unknown"
            out.by_format[fmt] = out.by_format.get(fmt, 0) + 1
            if isinstance(rec, Quarantined):
                out.quarantined += 1
                if len(out.errors) < MAX_ERRORS:
                    out.errors.append(f"{rec.source_file}:{rec.line}: {rec.reason}")
        if done.get(index) == out.hash:
            out.records = None
        if last:
            out.aliases = reader.aliases()
        return out

    for rec in read_source(source, reader):
        batch.append(rec)
        if len(batch) >= batch_size:
            yield block(batch, False)
            fault_point("ingest-worker", index)
            index += 1
            batch = []
    yield block(batch, True)


def ensure_blocks(con: Any) -> None:
    """Create the ``blocks`` table when missing."""
    con.execute(BLOCKS_SQL)


def finished_blocks(con: Any, stage: str, source: str) -> dict[int, str]:
    """Blocks of ``source`` the store holds for ``stage``: index -> content hash."""
    rows = con.execute(
        "SELECT block, hash FROM blocks WHERE stage = ? AND source = ?", [stage, source]
    ).fetchall()
    return dict(rows)


def record_block(con: Any, stage: str, block: Block) -> None:
    """Mark ``block`` finished (call inside the transaction that writes its rows)."""
    con.execute(
        "INSERT OR REPLACE INTO blocks (stage, source, block, hash, records) "
        "VALUES (?, ?, ?, ?, ?)",
        [stage, block.source, block.index, block.hash, block.read + len(block.deletions)],
    )
