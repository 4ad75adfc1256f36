"""CSV rows, streamed with a guard against the one broken quote that eats a file.

A quoted field may span lines, so a row with an unclosed quote makes a plain CSV parser read every
following row into one text field, up to the next stray quote or the end of the file. Here a row
that spans lines is accepted only when it looks like one row: it closes before the end of the
input, parses strictly, has the header's number of fields, stays under the size cap, and none of
the lines it swallowed reads as a complete row of its own. Otherwise its first line is quarantined
as an unclosed quote and the lines after it are read again as rows.

Each row is decoded as strict UTF-8 on its own, so a bad byte quarantines that row only.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterator

from groundswell.ingest.source import MAX_LINE_BYTES, RAW_KEEP_BYTES, Source
from groundswell.schema import Quarantined

ROW_SHAPE_MIN_FIELDS = 4  # below this, a line of prose parses as a row too easily to judge by


def csv_delimiter(source: Source) -> str:
    """The delimiter of a CSV/TSV source, from its suffix and first line."""
    if source.suffix == ".tsv":
        return "\t"
    first = source.head().decode("utf-8", errors="replace").lstrip("\ufeff").split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def iter_csv_rows(
    source: Source,
    fmt: str,
    delimiter: str | None = None,
    limit: int = MAX_LINE_BYTES,
) -> Iterator[tuple[int, list[str]] | Quarantined]:
    """Stream ``(first physical line, fields)`` for each CSV row, the header first.

    A row that is not UTF-8, cannot be parsed, is larger than ``limit`` bytes, or opens a quote it
    never closes becomes a Quarantined record naming its line; reading goes on after it.
    """
    delimiter = delimiter or csv_delimiter(source)
    if csv.field_size_limit() < limit + 1:
        csv.field_size_limit(limit + 1)
    sep = delimiter.encode()
    lines = _PhysicalLines(source, fmt, limit)
    width = 0  # the header's number of fields, once read
    while (first := lines.next()) is not None:
        if isinstance(first, Quarantined):
            yield first
            continue
        start, raw = first
        if not raw.strip():
            continue
        held, quotes, size, betrayed = [first], raw.count(b'"'), len(raw), False
        while quotes % 2 and (nxt := lines.next_line()) is not None:
            quotes += nxt[1].count(b'"')
            size += len(nxt[1])
            if quotes % 2 and _is_row(nxt[1], sep, delimiter, width):
                betrayed = True  # a line the open quote swallowed is a whole row of its own
                held.append(nxt)
                break
            if size <= limit:
                held.append(nxt)
        if betrayed or (quotes % 2 and size <= limit):
            lines.push_back(held[1:])
            yield _bad(source, fmt, start, _UNCLOSED, raw)
            continue
        if size > limit:
            yield _bad(source, fmt, start, f"CSV row longer than {limit} bytes", raw)
            continue
        record = b"".join(line for _, line in held)
        try:
            text = record.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield _bad(source, fmt, start, f"invalid UTF-8 at byte {exc.start} of the row", record)
            continue
        row = _parse(text.lstrip("\ufeff") if start == 1 else text, delimiter)
        if len(held) > 1 and (row is None or (width and len(row) != width)):
            lines.push_back(held[1:])
            yield _bad(source, fmt, start, _UNCLOSED, raw)
            continue
        if row is None:
            yield _bad(source, fmt, start, "broken CSV row", record)
            continue
        if not width:
            width = len(row)
        yield start, row


_UNCLOSED = "unclosed quote: the lines after it are read as rows of their own"


def _is_row(line: bytes, sep: bytes, delimiter: str, width: int) -> bool:
    """Whether a line, on its own, parses as a whole row of ``width`` fields."""
    if width < ROW_SHAPE_MIN_FIELDS or line.count(sep) < width - 1:
        return False
    try:
        fields = _parse(line.decode("utf-8"), delimiter)
    except UnicodeDecodeError:
        return False
    return fields is not None and len(fields) == width


def _parse(text: str, delimiter: str) -> list[str] | None:
    """The fields of one record, or None when it does not parse as strict CSV."""
    try:
        return next(csv.reader([text], delimiter=delimiter, strict=True), [])
    except csv.Error:
        return None


def _bad(source: Source, fmt: str, line: int, reason: str, raw: bytes) -> Quarantined:
    return Quarantined(
        source_file=source.name, line=line, reason=reason, raw=raw[:RAW_KEEP_BYTES], format=fmt
    )


class _PhysicalLines:
    """The lines of a source with their numbers, able to take lines back for a second reading.

    An over-long line and a truncated or corrupt stream come out as Quarantined records."""

    def __init__(self, source: Source, fmt: str, limit: int) -> None:
        self._items = source.lines(limit, keep_blank=True)
        self._fmt = fmt
        self._back: deque[tuple[int, bytes] | Quarantined] = deque()

    def next(self) -> tuple[int, bytes] | Quarantined | None:
        if self._back:
            return self._back.popleft()
        item = next(self._items, None)
        if isinstance(item, Quarantined):
            item.format = self._fmt
        return item

    def next_line(self) -> tuple[int, bytes] | None:
        """The next line, to continue a quoted field (None at the end, or at a line that was
        quarantined, which is kept for the next call of ``next``)."""
        item = self.next()
        if isinstance(item, Quarantined):
            self._back.appendleft(item)
            return None
        return item

    def push_back(self, lines: list[tuple[int, bytes]]) -> None:
        self._back.extendleft(reversed(lines))
