"""CSV rows, streamed with a guard against the one broken quote that eats a file.

A quoted field may span lines, so a row with an unclosed quote makes a plain CSV parser read every
following row into one text field, up to the next stray quote or the end of the file. Here a quote
opens a field only as its first character (as Python's csv reads it), and the field is taken never
to have closed (its row quarantined, the lines it took read again as rows) when:

- the input ends, or a line that could not be read comes, before it closes;
- on a line it took, a quoted field closes on a quote that text follows (as the next row's own
  quoted field does: ``2,"a",...``);
- a line it took reads as a whole row, in a table of at least ``ROW_SHAPE_MIN_FIELDS`` columns;
- at the size cap, most of the lines it took are whole rows (otherwise the field is one oversized
  row, skipped to its close);
- its row, closed, cannot be read (bad UTF-8, broken quoting, the wrong number of fields) and a
  line it took reads as a whole row. Without such a line it is one bad row, quarantined once.

In a table wide enough to tell, the lines an unclosed quote took that are not rows stay with it,
as one quarantined record. A bare carriage return inside a row (not before a newline) is text of
its cell, quoted or not; files whose lines end in bare carriage returns reach here recoded
(``Source``), their line ends made newlines. Each row is decoded as strict UTF-8 on its own, so a
bad byte quarantines that row only; so does a NUL byte. A BOM at the start of a row and a row that
repeats the header (files joined end to end) are dropped.
"""

from __future__ import annotations

import csv
import re
from collections import deque
from collections.abc import Iterator

from groundswell.ingest.source import MAX_LINE_BYTES, RAW_KEEP_BYTES, Source
from groundswell.schema import Quarantined

ROW_SHAPE_MIN_FIELDS = 4  # below this, a line of prose parses as a row too easily to judge by

Line = tuple[int, bytes]


def csv_delimiter(source: Source) -> str:
    """The delimiter of a CSV/TSV source, from its suffix and first line."""
    if source.suffix == ".tsv":
        return "\t"
    first = source.head().decode("utf-8", errors="replace").lstrip("\ufeff").split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def row_dict(header: list[str], row: list[str]) -> dict[str, str]:
    """``{column: value}`` for a row; a name the header repeats keeps its first column's value."""
    values: dict[str, str] = {}
    for name, value in zip(header, row, strict=False):
        values.setdefault(name, value)
    return values


def iter_csv_rows(
    source: Source,
    fmt: str,
    delimiter: str | None = None,
    limit: int | None = None,
) -> Iterator[tuple[int, list[str]] | Quarantined]:
    """Stream ``(first physical line, fields)`` for each CSV row, the header first.

    A row that is not UTF-8, cannot be parsed, is larger than ``limit`` bytes (``MAX_LINE_BYTES``
    by default), or opens a quote it never closes becomes a Quarantined record naming its line;
    reading goes on after it.
    """
    limit = MAX_LINE_BYTES if limit is None else limit
    delimiter = delimiter or csv_delimiter(source)
    if csv.field_size_limit() < limit + 1:
        csv.field_size_limit(limit + 1)
    shape = _Shape(delimiter)
    lines = _PhysicalLines(source, fmt, limit)
    header: list[str] = []
    while (first := lines.next()) is not None:
        if isinstance(first, Quarantined):
            yield first
            continue
        start, raw = first
        if not raw.strip():
            continue
        held, why = _row_lines(lines, first, shape, limit)
        record = b"".join(line for _, line in held)
        if why:
            yield _bad(source, fmt, start, why, record)
            continue
        try:
            text = record.decode("utf-8")
        except UnicodeDecodeError as exc:
            text, why = "", f"invalid UTF-8 at byte {exc.start} of the row"
        row = _parse(text.lstrip("\ufeff"), delimiter) if text else None
        if row is None:
            why = why or "broken CSV row"
        elif "\x00" in text:
            row, why = None, "NUL byte in the row (damaged bytes)"
        misfit = row is None or (bool(header) and len(row) != len(header))
        if misfit and len(held) > 1 and (not header or any(shape.is_row(ln) for _, ln in held[1:])):
            lines.push_back(held[1:])  # the quote took whole rows: it never closed
            yield _bad(source, fmt, start, _UNCLOSED, raw)
        elif row is None:
            yield _bad(source, fmt, start, why, record)
        elif not header:
            header = [c.strip() for c in row]
            shape.width = len(row)
            yield start, row
        elif not _repeats(row, header):  # the header again (files joined) is not a record
            yield start, row  # a row of the wrong width is left for the reader to judge


_UNCLOSED = "unclosed quote: the lines after it are read as rows of their own"
_BOM = b"\xef\xbb\xbf"
_LINE_END = (b"", b"\n", b"\r")


def _repeats(row: list[str], header: list[str]) -> bool:
    """Whether a row is the header again."""
    return (
        len(row) == len(header)
        and row[0].strip() == header[0]
        and [c.strip() for c in row] == header
    )


def _row_lines(
    lines: _PhysicalLines, first: Line, shape: _Shape, limit: int
) -> tuple[list[Line], str | None]:
    """The lines of the row that starts with ``first``, up to where its quoted field closes, and
    why they are not a row (None if they may be). After an unclosed quote, the lines it took are
    read again (those that cannot be rows stay with it); a row too big is skipped to its close."""
    held, size = [first], len(first[1])
    is_open = shape.scan(first[1], False)[0]
    while is_open:
        nxt = lines.next_line()
        if nxt is None:  # the end of the input, or a line quarantined of its own
            return _unclosed(lines, held, shape, len(held))
        held.append(nxt)
        size += len(nxt[1])
        is_open, betrayed = shape.took(nxt[1])
        if betrayed:
            return _unclosed(lines, held, shape, len(held) - 1)
        if size > limit:
            if is_open and shape.mostly_rows(held[1:]):
                return _unclosed(lines, held, shape, 1)
            return [first], _skip_to_close(lines, shape, is_open, limit)
    return held, None


def _unclosed(
    lines: _PhysicalLines, held: list[Line], shape: _Shape, end: int
) -> tuple[list[Line], str]:
    """``held[0]`` opened a quote that never closed: the lines from ``held[end]`` on are read
    again, and so are those before it unless the table is wide enough to know they are no rows
    (then they stay with the first line, as one bad row)."""
    if end == 1 or shape.width < ROW_SHAPE_MIN_FIELDS:
        lines.push_back(held[1:])
        return held[:1], _UNCLOSED
    lines.push_back(held[end:])
    return held[:end], f"unclosed quote: the {end - 1} line(s) after it, not rows, are kept with it"


def _skip_to_close(lines: _PhysicalLines, shape: _Shape, is_open: bool, limit: int) -> str:
    """Read past the rest of an oversized row; the reason it is quarantined."""
    while is_open:
        nxt = lines.next_line()
        if nxt is None:
            return f"CSV row longer than {limit} bytes, its quote never closed"
        is_open, betrayed = shape.took(nxt[1])
        if betrayed:
            lines.push_back([nxt])
            return f"unclosed quote: its field ran over {limit} bytes of lines that are no rows"
    return f"CSV row longer than {limit} bytes"


class _Shape:
    """How lines read under the file's delimiter and, once the header is read, its width."""

    def __init__(self, delimiter: str) -> None:
        self.delimiter = delimiter
        self.sep = delimiter.encode()
        self.width = 0  # the header's number of fields, once read

    def scan(self, line: bytes, is_open: bool) -> tuple[bool, bool]:
        """Whether a quoted field is open at the end of ``line``, given whether one was open at
        its start, and whether a quoted field closed on it with text right after its quote (not
        CSV). A quote opens a field only as its first character; inside, ``""`` is a quote."""
        if b'"' not in line:
            return is_open, False
        first = -1 if is_open else len(_BOM) if line.startswith(_BOM) else 0
        at, torn, width = 0, False, len(self.sep)
        while True:
            if is_open:
                at = _after_close(line, at)
                if at < 0:
                    return True, torn
                torn |= not (line.startswith(self.sep, at) or line[at : at + 1] in _LINE_END)
                is_open = False
            quote = line.find(b'"', at)
            if quote < 0:
                return False, torn
            # a quote inside an unquoted field is text
            is_open = quote == first or line[quote - width : quote] == self.sep
            at = quote + 1

    def took(self, line: bytes) -> tuple[bool, bool]:
        """For a line an open quoted field took: whether a field is still open after it, and
        whether it shows that the quote never closed: a quoted field on it closes on a quote that
        text follows, or it reads as a whole row of its own (in a table wide enough to tell)."""
        is_open, torn = self.scan(line, True)
        wide = self.width >= ROW_SHAPE_MIN_FIELDS
        return is_open, torn or (is_open and wide and self.is_row(line))

    def is_row(self, line: bytes) -> bool:
        """Whether a line, on its own, parses as a whole row of the header's width."""
        if not self.width or line.count(self.sep) < self.width - 1:
            return False
        try:
            fields = _parse(line.decode("utf-8"), self.delimiter)
        except UnicodeDecodeError:
            return False
        return fields is not None and len(fields) == self.width

    def mostly_rows(self, lines: list[Line]) -> bool:
        """Whether more than half of the non-blank lines are whole rows of their own."""
        kept = [line for _, line in lines if line.strip()]
        return sum(map(self.is_row, kept)) * 2 > len(kept)


def _after_close(line: bytes, at: int) -> int:
    """Where the quoted field open at ``at`` closes (just past its quote), or -1 if it does not
    close in ``line``."""
    while (at := line.find(b'"', at)) >= 0:
        if not line.startswith(b'"', at + 1):
            return at + 1
        at += 2
    return -1


# a carriage return that ends no line (not before a newline, not at the record's end)
_BARE_CR = re.compile(r"\r(?!\n|\Z)")
_HELD_CR = "\uffff"  # a noncharacter that stands for a bare CR while its record is parsed


def _parse(text: str, delimiter: str) -> list[str] | None:
    """The fields of one record, or None when it does not parse as strict CSV. A bare carriage
    return inside the record is text, in a quoted field or not (Python's csv would end an
    unquoted field on it, as if the line ended there)."""
    held = "\r" in text and _HELD_CR not in text
    if held:
        text = _BARE_CR.sub(_HELD_CR, text)
    try:
        fields = next(csv.reader([text], delimiter=delimiter, strict=True), [])
    except csv.Error:
        return None
    return [field.replace(_HELD_CR, "\r") for field in fields] if held else fields


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
