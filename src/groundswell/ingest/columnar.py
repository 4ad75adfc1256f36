"""Columnar fast path for the high-volume JSONL dumps: ``twarc2 flatten`` lines, v1.1 stream
lines and Reddit dump lines.

Each line is decoded straight from bytes into a msgspec Struct that names only the fields the
post schema needs (unknown fields are skipped, not built), and a whole batch becomes Arrow
columns: no per-record ``Post`` object, no dict. Times in Twitter's and Reddit's regular shapes
are parsed for the whole batch at once with ``pyarrow.compute``.

The fast path takes a line only when it gives exactly what the reader would: any line it cannot
handle exactly (another shape, a missing field, a value of another type, a retweet, a time in an
unusual form or out of range, non-ASCII bytes that are not UTF-8, a number beyond a double...)
goes through the reader's own per-record code (``line_records``), which yields the same posts or
the same quarantined record (file, line, reason, raw bytes) as the streaming path.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import msgspec
import pyarrow as pa
import pyarrow.compute as pc

from groundswell.care.forgetting import ForgetHasher
from groundswell.care.pseudonym import pseudonym_maker
from groundswell.ingest.columnar_shapes import SHAPES
from groundswell.ingest.fields import stated_time
from groundswell.ingest.registry import (
    JSON_ERRORS,
    Reader,
    _first_line_is_json,
    line_value,
)
from groundswell.ingest.source import MAX_LINE_BYTES, RAW_KEEP_BYTES, Source
from groundswell.schema import Quarantined, Record
from groundswell.store.db import FAST_POST_COLUMNS, POST_ARROW_SCHEMA, handle_key_column

ENABLED = True  # tests switch it off to compare with the per-record path
FORMATS = ("twitter_v2", "twitter_v1", "reddit")

# the columns a fast batch carries: the store's post schema without ``synthetic`` (the writer
# adds it), plus the URL a pseudonymised store keeps (``url_safe``), and the author's pseudonym
# (``author_pseudonym``) and handle key (``author_handle_key``) when the caller gave the store's
# key (the writer computes them otherwise)
_POSTS = pa.schema([POST_ARROW_SCHEMA.field(c) for c in FAST_POST_COLUMNS])
COLUMNS = (
    _POSTS.insert(_POSTS.get_field_index("url") + 1, pa.field("url_safe", pa.string()))
    .append(pa.field("author_pseudonym", pa.string()))
    .append(pa.field("author_handle_key", pa.string()))
)
# A number beyond a double (1e999, or hundreds of digits before a decimal point) is an error for
# the per-record decoder but skipped unseen by a typed one when it sits in a field the schema
# does not read: lines that may hold one (an exponent of three digits, a run of 200 digits)
# take the per-record path. Digits are mapped to '0' and '+' deleted first, so the test is two
# substring searches (deleting '+' only joins more text into a match: a false alarm costs the
# per-line check, never a missed number).
_DIGITS = bytes.maketrans(b"123456789E", b"000000000e")
_LONG_RUN = b"0" * 200


def _may_overflow(line: bytes) -> bool:
    x = line.translate(_DIGITS, b"+")
    return b"e000" in x or _LONG_RUN in x


_MAX_EPOCH = 10**11  # below this an epoch is seconds (see schema.parse_time)


@dataclass
class ColumnBatch:
    """One batch of a source: the posts the fast path made, as columns, and the records of the
    lines it passed to the reader (in line order), with the number of records read."""

    columns: pa.Table
    records: list[Record] = field(default_factory=list)


def supports(source: Source, reader: Reader) -> bool:
    """Whether this source is JSONL of a format the fast path reads (not one JSON document, not
    twarc2 response pages, which take the bulk path) with one of the built-in readers."""
    if (
        not ENABLED
        or reader.name not in SHAPES
        or not type(reader).__module__.startswith("groundswell.")
    ):
        return False
    head = source.head().lstrip()
    if head[:1] != b"{" or not _first_line_is_json(head):
        return False  # a JSON document (or a first line that is not JSON): the reader decides
    first = head.split(b"\n", 1)[0]
    return not (reader.name == "twitter_v2" and b'"data"' in first)


def line_records(source: Source, reader: Reader, lineno: int, line: bytes) -> list[Record]:
    """The records the streaming path gives for one JSONL line (the fast path's fallback)."""
    item = line_value(source, reader.name, lineno, line)
    if isinstance(item, Quarantined):
        return [item]
    out = list(reader.read_line(source, *item))  # type: ignore[attr-defined]
    for rec in out:
        if not rec.format:
            rec.format = reader.name
    return out


def read_columns(
    source: Source, reader: Reader, batch_size: int, key: bytes | None = None
) -> Iterator[ColumnBatch]:
    """The source's records in batches of about ``batch_size``: posts as columns, other records
    (quarantined lines, deletions, retweets, unusual shapes) as the reader makes them. With the
    store's ``key``, authors' pseudonyms come computed (``author_pseudonym``). A large plain
    file is read in chunks, as the worker processes read it (``_chunk_batches``)."""
    if parallel(source):
        return _chunked(source, reader, batch_size, key)
    return _collect(source.lines(), source, reader, batch_size, key)


def _chunked(
    source: Source, reader: Reader, batch_size: int, key: bytes | None
) -> Iterator[ColumnBatch]:
    return _joined(_chunk_by_chunk(source, reader, batch_size, key), batch_size)


def _chunk_by_chunk(
    source: Source, reader: Reader, batch_size: int, key: bytes | None
) -> Iterator[ColumnBatch]:
    for span in chunks(source):
        yield from _span_batches(source, reader, span, batch_size, key)


_DECODE_ERRORS = (msgspec.ValidationError, *JSON_ERRORS, UnicodeDecodeError, RecursionError)
_decoders: dict[str, msgspec.json.Decoder] = {}


def _decoder(reader: Reader) -> msgspec.json.Decoder:
    """The typed line decoder of the reader's format (one per process and format)."""
    if reader.name not in _decoders:
        _decoders[reader.name] = msgspec.json.Decoder(SHAPES[reader.name][0])
    return _decoders[reader.name]


def _collect(
    items: Iterable[tuple[int, bytes] | Quarantined],
    source: Source,
    reader: Reader,
    batch_size: int,
    key: bytes | None = None,
) -> Iterator[ColumnBatch]:
    decode = _decoder(reader).decode
    decoded: list[Any] = []
    lines: list[tuple[int, bytes]] = []  # (line number, bytes) of each decoded line
    records: list[Record] = []
    slow: list[tuple[int, bytes]] = []
    for item in items:
        if isinstance(item, Quarantined):
            item.format = reader.name
            records.append(item)
            continue
        try:
            decoded.append(decode(item[1]))
        except _DECODE_ERRORS:
            slow.append(item)
        else:
            lines.append(item)
        if len(lines) + len(slow) + len(records) >= batch_size:
            yield _finish(source, reader, decoded, lines, records, slow, key)
            decoded, lines, records, slow = [], [], [], []
    if lines or slow or records:
        yield _finish(source, reader, decoded, lines, records, slow, key)


# -- parallel parsing of a large plain file, in chunks cut at line boundaries ---------------------
CHUNK_BYTES = 4 * 1024 * 1024
MIN_PARALLEL_BYTES = 2 * CHUNK_BYTES  # below this one process is as fast
# worker processes for a large file (GROUNDSWELL_INGEST_WORKERS=1: parse in the main process)
WORKERS = int(os.environ.get("GROUNDSWELL_INGEST_WORKERS", "2") or 2)


def parallel(source: Source) -> bool:
    """Whether the source is a plain regular file large enough to parse in chunks."""
    if (
        source.member is not None
        or source.compression != "none"
        or source.recoded
        or not source.reopenable
    ):
        return False
    try:
        return source.path.stat().st_size >= MIN_PARALLEL_BYTES
    except OSError:
        return False


class Span(NamedTuple):
    """A byte range of a plain file that ends just after a newline (or at the end of the
    file), and the number of its first line. ``long``: it is one line longer than
    ``MAX_LINE_BYTES``, of which only the first bytes are ever read (its quarantined record)."""

    start: int
    end: int
    first: int
    long: bool = False


def chunks(source: Source, size: int | None = None) -> Iterator[Span]:
    """Consecutive byte ranges of the file of about ``size`` bytes (``CHUNK_BYTES``, read when
    called), each ending just after a newline (or at the end of the file). A line longer than
    a chunk is a range of its own, its end found in reads of ``size`` bytes that keep none of
    it (time linear in its length, memory bounded whatever its length); one longer than
    ``MAX_LINE_BYTES`` is marked ``long``."""
    size = size or CHUNK_BYTES
    start, lineno = 0, 1
    with open(source.path, "rb") as fh:
        while True:
            fh.seek(start)
            block = fh.read(size)
            if not block:
                return
            cut = block.rfind(b"\n")
            if cut >= 0:
                yield Span(start, start + cut + 1, lineno)
                lineno += block.count(b"\n", 0, cut + 1)
                start += cut + 1
                continue
            end, newline = start + len(block), False  # one line longer than the block
            del block
            while not newline and (more := fh.read(size)):
                found = more.find(b"\n")
                newline = found >= 0
                end += found + 1 if newline else len(more)
            body = end - start - (1 if newline else 0)
            yield Span(start, end, lineno, body > MAX_LINE_BYTES)
            lineno += 1
            start = end


def too_long(name: str, lineno: int, head: bytes) -> Quarantined:
    """The record ``Source.lines`` makes of a line longer than ``MAX_LINE_BYTES`` from its
    first bytes (``head``): the first ``RAW_KEEP_BYTES`` of the ``MAX_LINE_BYTES + 1`` it
    reads."""
    limit = MAX_LINE_BYTES
    return Quarantined(
        source_file=name,
        line=lineno,
        reason=f"line longer than {limit} bytes (first {RAW_KEEP_BYTES} kept)",
        raw=head[: min(RAW_KEEP_BYTES, limit + 1)],
    )


def chunk_lines(data: bytes, first: int, name: str) -> Iterator[tuple[int, bytes] | Quarantined]:
    """``Source.lines`` over a chunk held in memory: the same numbering, blank lines passed
    over, a line over ``MAX_LINE_BYTES`` quarantined with its first bytes."""
    parts = data.split(b"\n")
    last = len(parts) - 1
    for i, body in enumerate(parts):
        lineno = first + i
        if len(body) > MAX_LINE_BYTES:
            yield too_long(name, lineno, body)
        elif body.strip():
            line = body + b"\n" if i < last else body
            yield lineno, line


def _parse_chunk(
    reader: Reader, path: str, name: str, key: bytes | None, span: Span, size: int
) -> list[ColumnBatch]:
    """A worker's share: the batches of one chunk of a file (see ``read_columns_parallel``)."""
    source = Source(Path(path))
    source.__dict__["name"] = name  # the provenance name the main process gave it
    return _span_batches(source, reader, span, size, key)


def _span_batches(
    source: Source, reader: Reader, span: Span, size: int, key: bytes | None
) -> list[ColumnBatch]:
    """The batches of one span of a plain file (``chunks``): a ``long`` line is never read
    whole, only the bytes its quarantined record keeps."""
    with open(source.path, "rb") as fh:
        fh.seek(span.start)
        if span.long:
            head = fh.read(min(RAW_KEEP_BYTES, MAX_LINE_BYTES + 1))
            item = too_long(source.name, span.first, head)
            return list(_collect([item], source, reader, size, key))
        data = fh.read(span.end - span.start)
    with _no_gc():
        return list(_chunk_batches(data, span.first, source, reader, size, key))


def _chunk_batches(
    data: bytes, first: int, source: Source, reader: Reader, size: int, key: bytes | None
) -> Iterator[ColumnBatch]:
    """The batches of a chunk of a plain file held in memory (its first line numbered
    ``first``). When every line of the chunk is short and decodes (the usual case), the lines
    are decoded by one ``map`` and their bytes checked once for the whole chunk; otherwise
    (a blank or oversize line, a line that does not decode, a carriage return) the chunk goes
    line by line exactly as a stream does (``_collect``)."""
    lines = data.splitlines(keepends=True) if b"\r" not in data else []
    if lines and max(map(len, lines)) <= MAX_LINE_BYTES:
        try:
            decoded = list(map(_decoder(reader).decode, lines))
        except _DECODE_ERRORS:
            pass
        else:
            checked = (data.isascii() or _utf8(data)) and not _may_overflow(data)
            numbered = list(zip(range(first, first + len(lines)), lines, strict=True))
            for i in range(0, len(lines), size):
                part = slice(i, i + size)
                yield _finish(source, reader, decoded[part], numbered[part], [], [], key, checked)
            return
    yield from _collect(chunk_lines(data, first, source.name), source, reader, size, key)


@contextmanager
def _no_gc() -> Iterator[None]:
    """The cyclic garbage collector paused: a batch allocates hundreds of thousands of
    acyclic objects, and each collection would walk them all again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_columns_parallel(
    source: Source, reader: Reader, batch_size: int, pool: Executor, key: bytes | None = None
) -> Iterator[ColumnBatch]:
    """``read_columns`` of a large plain file, its chunks parsed by ``pool`` (cut at line
    boundaries, at most a few in flight) and handed back in file order."""
    return _joined(_in_order(source, reader, batch_size, pool, key), batch_size)


def _in_order(
    source: Source, reader: Reader, batch_size: int, pool: Executor, key: bytes | None
) -> Iterator[ColumnBatch]:
    pending: deque[Future] = deque()
    args = (reader, str(source.path), source.name, key)
    for span in chunks(source):
        pending.append(pool.submit(_parse_chunk, *args, span, batch_size))
        if len(pending) > 2 * WORKERS:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


def _joined(batches: Iterable[ColumnBatch], size: int) -> Iterator[ColumnBatch]:
    """Consecutive batches (of consecutive chunks) joined until each holds at least ``size``
    records, so the writer commits as few transactions as the streaming path (a chunk holds
    fewer lines than a batch; each transaction costs the store a fixed share)."""
    held: list[ColumnBatch] = []
    count = 0
    for batch in batches:
        held.append(batch)
        count += batch.columns.num_rows + len(batch.records)
        if count >= size:
            yield _join(held)
            held, count = [], 0
    if held:
        yield _join(held)


def _join(batches: list[ColumnBatch]) -> ColumnBatch:
    """One batch of consecutive ones (their records stay in line order)."""
    if len(batches) == 1:
        return batches[0]
    return ColumnBatch(
        pa.concat_tables([b.columns for b in batches]), [r for b in batches for r in b.records]
    )


def process_pool() -> Executor | None:
    """A pool of ``WORKERS`` forked processes for chunk parsing (None where there can be none:
    no fork on this system, one worker asked for, or this process is itself a daemon)."""
    if (
        WORKERS < 2
        or "fork" not in multiprocessing.get_all_start_methods()
        or multiprocessing.current_process().daemon  # a daemon may not have children
    ):
        return None
    return ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("fork"))


def _clean_bytes(lines: list[tuple[int, bytes]]) -> list[bool] | None:
    """None when every line is valid UTF-8 with no number beyond a double (checked for the
    whole batch at once), else whether each line is."""
    joined = b"".join([x[1] for x in lines])
    if (joined.isascii() or _utf8(joined)) and not _may_overflow(joined):
        return None
    return [(x[1].isascii() or _utf8(x[1])) and not _may_overflow(x[1]) for x in lines]


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@_no_gc()
def _finish(
    source: Source,
    reader: Reader,
    decoded: list[Any],
    lines: list[tuple[int, bytes]],
    records: list[Record],
    slow: list[tuple[int, bytes]],
    key: bytes | None = None,
    checked: bool = False,
) -> ColumnBatch:
    """One batch's columns and the records left to the reader, built with the cyclic garbage
    collector paused (``checked``: the lines' bytes are known to be clean UTF-8 with no number
    beyond a double)."""
    _, accept, columns, platform = SHAPES[reader.name]
    keep = accept(decoded)
    clean = _clean_bytes(lines) if lines and not checked else None
    if clean is not None:
        keep = [k and c for k, c in zip(keep, clean, strict=True)]
    if not all(keep):
        slow.extend(x for x, k in zip(lines, keep, strict=True) if not k)
        decoded = [d for d, k in zip(decoded, keep, strict=True) if k]
        lines = [x for x, k in zip(lines, keep, strict=True) if k]
    cols = columns(decoded)
    created, bad = _times(cols["created_at"], platform)
    cols["created_at"] = created
    n = len(decoded)
    cols["platform"] = pa.array([platform] * n, pa.string())
    cols["format"] = pa.array([reader.name] * n, pa.string())
    cols["source_file"] = pa.array([source.name] * n, pa.string())
    cols["source_line"] = pa.array([x[0] for x in lines], pa.int64())
    cols["author_pseudonym"] = (
        _pseudonyms(pa.array(cols["author"], pa.string()), platform, key)
        if key is not None
        else pa.nulls(n, pa.string())
    )
    cols["author_handle_key"] = (
        handle_key_column(pa.array(cols["author_name"], pa.string()), ForgetHasher(key))
        if key is not None
        else pa.nulls(n, pa.string())
    )
    table = pa.table({k: cols[k] for k in COLUMNS.names}, schema=COLUMNS)
    if bad:  # a time the reader refuses (out of range): those lines take the reader's code
        slow.extend(lines[i] for i in sorted(bad))
        table = table.filter(pa.array([i not in bad for i in range(n)]))
    for lineno, line in slow:
        records.extend(line_records(source, reader, lineno, line))
    records.sort(key=_line_of)
    return ColumnBatch(table, records)


# pseudonyms this process has made, by (key, platform) and author
_seen_authors: dict[tuple[bytes, str], dict[str, str]] = {}


def _pseudonyms(authors: pa.Array, platform: str, key: bytes) -> pa.Array:
    """Each author's keyed pseudonym, computed once per distinct author in this process."""
    codes = pc.dictionary_encode(authors)
    seen = _seen_authors.setdefault((key, platform), {})
    make = None
    names = []
    for author in codes.dictionary.to_pylist():
        name = seen.get(author) if author else None
        if name is None and author:
            if make is None:
                make = pseudonym_maker(key, platform)
            name = make(author)
            if len(seen) < 1_000_000:
                seen[author] = name
        names.append(name)
    return pc.take(pa.array(names, pa.string()), codes.indices)


def _line_of(rec: Record) -> int:
    return getattr(rec, "source_line", None) or getattr(rec, "line", 0)


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NAMES = pa.array(_MONTHS, pa.string())
_MONTH_DIGITS = pa.array([f"{i:02d}" for i in range(1, 13)], pa.string())
# Twitter's two regular time shapes, in RE2 (whose \d is ASCII only)
_V2_TIME = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"  # 2017-10-15T00:00:05.000Z
_V1_TIME = (  # Sun Oct 15 00:00:05 +0000 2017
    r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:"
    + "|".join(_MONTHS)
    + r") \d\d \d\d:\d\d:\d\d \+0000 \d{4}$"
)
_ISO = "%Y-%m-%dT%H:%M:%S"


def _twitter_times(values: list[Any]) -> tuple[pa.Array, pa.Array]:
    """Times in Twitter's regular shapes for a whole batch, as microseconds (naive UTC), and
    which rows they are. Each is rewritten as ``YYYY-MM-DDTHH:MM:SS``, parsed by Arrow and kept
    only if it prints back as the same text (so no 30 February rolled into March, no second
    60) and its year is not 0: exactly the times a ``datetime`` holds."""
    try:  # the shapes type the time as a string (or None)
        text = pa.array(values, pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        text = pa.array([v if type(v) is str else None for v in values], pa.string())
    v2 = pc.fill_null(pc.match_substring_regex(text, _V2_TIME), False)
    iso = pc.utf8_slice_codeunits(text, 0, 19)
    v1 = pa.repeat(False, len(text))
    if not pc.all(v2).as_py():
        v1 = pc.fill_null(pc.match_substring_regex(text, _V1_TIME), False)
    if pc.any(v1).as_py():
        digits = pc.index_in(pc.utf8_slice_codeunits(text, 4, 7), _MONTH_NAMES)
        v1_iso = pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(text, 26, 30),
            "-",
            pc.take(_MONTH_DIGITS, digits),
            "-",
            pc.utf8_slice_codeunits(text, 8, 10),
            "T",
            pc.utf8_slice_codeunits(text, 11, 19),
            "",
        )
        iso = pc.if_else(v1, v1_iso, iso)
    iso = pc.if_else(pc.or_(v1, v2), iso, pa.scalar(None, pa.string()))
    seconds = pc.strptime(iso, _ISO, "s", error_is_null=True)
    printed = pc.replace_substring(pc.cast(seconds, pa.string()), " ", "T", max_replacements=1)
    ok = pc.and_(pc.equal(printed, iso), pc.not_equal(pc.utf8_slice_codeunits(iso, 0, 4), "0000"))
    ok = pc.fill_null(ok, False)
    millis = pc.cast(pc.if_else(v2, pc.utf8_slice_codeunits(text, 20, 23), "0"), pa.int64())
    micros = pc.add(pc.multiply(pc.cast(seconds, pa.int64()), 1_000_000), pc.multiply(millis, 1000))
    return pc.if_else(ok, micros, 0), ok


def _times(values: list[Any], platform: str) -> tuple[pa.Array, set[int]]:
    """UTC times (naive, microseconds) for a batch, and the rows whose time the per-record
    parse refuses (no time, or out of range). Values in the regular shapes (Reddit's epoch seconds,
    Twitter's two text shapes) are parsed for the whole batch at once; the rest one by one,
    exactly as the reader does."""
    unit = pa.timestamp("us")
    bad: set[int] = set()
    if platform == "reddit":
        ints = pa.array(  # an int beyond 64 bits goes to the per-record parse (out of range)
            [v if type(v) is int and -(2**63) <= v < 2**63 else None for v in values], pa.int64()
        )
        ok = pc.fill_null(pc.and_(pc.greater_equal(ints, 0), pc.less(ints, _MAX_EPOCH)), False)
        micros = pc.multiply(pc.if_else(ok, ints, 0), 1_000_000)
    else:
        micros, ok = _twitter_times(values)
    out = pc.cast(micros, pa.int64()).cast(unit)
    todo = pc.indices_nonzero(pc.invert(ok)).to_pylist()
    if not todo:
        return out, bad
    fixed: list[datetime | None] = []
    field = "created_utc" if platform == "reddit" else "created_at"
    epoch = "s" if platform == "reddit" else None  # Reddit's documented unit
    for i in todo:  # the per-record parse, exactly as the reader does it
        try:
            dt = stated_time(values[i], field, epoch)
        except ValueError:  # no time, or out of range: the reader quarantines the line
            bad.add(i)
            dt = None
        fixed.append(None if dt is None else dt.astimezone(UTC).replace(tzinfo=None))
    return pc.replace_with_mask(out, pc.invert(ok), pa.array(fixed, unit)), bad
