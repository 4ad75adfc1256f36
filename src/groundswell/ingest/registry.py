"""The readers registry and content-based format detection.

Readers register under the ``groundswell.readers`` entry-point group; the built-in ones are listed
in ``BUILTIN_READERS`` and go through the same loading path, so a plug-in is a peer, not a hack.
Detection looks at the first decompressed bytes of a file (64 KB; more, up to one record's limit,
when no reader claims them and they end inside the first JSON record): each reader scores how sure
it is.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import msgspec
import orjson

from groundswell.errors import InputError
from groundswell.ingest.source import HEAD_BYTES, MAX_LINE_BYTES, Source, archive_kind
from groundswell.plugins import load_plugins
from groundswell.schema import Quarantined, Record

ENTRY_POINT_GROUP = "groundswell.readers"

BUILTIN_READERS: dict[str, str] = {
    "twitter_v2": "groundswell.ingest.twitter_v2:TwitterV2Reader",
    "twitter_v1": "groundswell.ingest.twitter_v1:TwitterV1Reader",
    "twitter_csv": "groundswell.ingest.twitter_csv:TwitterCsvReader",
    "twitwi_json": "groundswell.ingest.twitter_csv:TwitwiJsonReader",
    "hydrator": "groundswell.ingest.docnow_csv:HydratorReader",
    "twarc_json2csv": "groundswell.ingest.docnow_csv:Json2csvReader",
    "tcat": "groundswell.ingest.tcat:TcatReader",
    "twint": "groundswell.ingest.twint:TwintReader",
    "snscrape": "groundswell.ingest.snscrape:SnscrapeReader",
    "reddit": "groundswell.ingest.reddit:RedditReader",
    "pushshift_api": "groundswell.ingest.pushshift_api:PushshiftApiReader",
    "mastodon": "groundswell.ingest.mastodon:MastodonReader",
    "bluesky": "groundswell.ingest.bluesky:BlueskyReader",
    "bluesky_car": "groundswell.ingest.bluesky_car:BlueskyCarReader",
    "bluesky_csv": "groundswell.ingest.bluesky_csv:BlueskyCsvReader",
    "telegram": "groundswell.ingest.telegram:TelegramReader",
    "twitter_archive": "groundswell.ingest.twitter_archive:TwitterArchiveReader",
    "reddit_export": "groundswell.ingest.reddit_export:RedditExportReader",
    "crowdtangle": "groundswell.ingest.crowdtangle:CrowdTangleReader",
    "zeeschuimer": "groundswell.ingest.zeeschuimer:ZeeschuimerReader",
    "fourcat": "groundswell.ingest.fourcat:FourcatReader",
    "generic": "groundswell.ingest.generic:GenericReader",
    "article": "groundswell.ingest.article:ArticleReader",
}


def first_object(values: list) -> Any:
    """The value of a JSON array that decides its format: the first non-empty object among its
    first values (one bad record first must not hide the file's format), else the first."""
    return next((x for x in values[:20] if isinstance(x, dict) and x), values[0])


def _parsed(data: str | bytes) -> Any:
    """``data`` as JSON (a value nested too deeply read as null, as the readers read a
    document), or None when it is not."""
    try:
        return loads_document(
            data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
        )
    except JSON_ERRORS:
        return None


VOTERS = 7  # records of a JSON file's head that vote on its format


@dataclass
class Head:
    """What detection can see of a source: its first bytes, parsed as far as they allow."""

    source: Source
    raw: bytes
    size: int = HEAD_BYTES  # the bytes asked for: fewer in ``raw`` when it holds the whole file

    @property
    def suffix(self) -> str:
        return self.source.suffix

    @cached_property
    def text(self) -> str:
        return self.raw.decode("utf-8", errors="replace").lstrip("\ufeff")

    @cached_property
    def first_json(self) -> Any:
        """The first JSON value: the first line of JSONL, or the whole head of a JSON document if
        it parses (None otherwise)."""
        stripped = self.text.lstrip()
        if not stripped:
            return None
        lines = stripped.split("\n")
        first = _parsed(lines[0])
        if isinstance(first, dict) and first:
            return first
        if stripped[0] in "[{":
            whole = _parsed(stripped) if len(lines) > 1 else None
            if whole is not None:
                return whole
        if stripped[0] == "[" and self.records:  # an array larger than the head
            return [self.records[0]]
        # JSON lines whose first line is a bad record (a number, a list, {}, invalid JSON): the
        # first line that is an object decides, so one bad line does not take its file with it.
        # Only unindented lines count (inside a pretty-printed document too large for the head,
        # objects are indented); the head's last line may be cut, so it is not looked at.
        for line in lines[1:-1]:
            if not line.startswith("{"):
                continue
            value = _parsed(line)
            if isinstance(value, dict) and value:
                return value
        return first if stripped[0] in "[{" else None

    @cached_property
    def records(self) -> list[dict]:
        """The non-empty objects among the first records the head holds whole (JSON lines, or the
        values of a JSON array), at most ``VOTERS``: each says which format it is, so that one
        bad or foreign record first does not decide for its file."""
        stripped = self.text.lstrip()
        found: list[dict] = []
        if stripped[:1] == "[":
            for item in array_items(stripped.encode("utf-8", "surrogatepass")):
                value = _parsed(item)  # None: cut by the head's end, or damaged
                if isinstance(value, dict) and value:
                    found.append(value)
                    if len(found) == VOTERS:
                        break
        elif stripped[:1] == "{":
            lines = stripped.split("\n")
            whole = len(self.raw) < self.size
            for line in lines if whole else lines[:-1]:
                value = _parsed(line) if line.startswith("{") else None
                if isinstance(value, dict) and value:
                    found.append(value)
                    if len(found) == VOTERS:
                        break
        return found

    def as_if_first(self, record: dict) -> Head:
        """This head as detection would see it if ``record`` came first."""
        head = Head(self.source, self.raw, self.size)
        head.__dict__["first_json"] = [record] if self.text.lstrip()[:1] == "[" else record
        return head

    @cached_property
    def first_record(self) -> Any:
        """``first_json``, or the value of it that decides when it is an array (``first_object``):
        what a reader of records looks at to know its shape."""
        value = self.first_json
        return first_object(value) if isinstance(value, list) and value else value

    @cached_property
    def json_text(self) -> str:
        """The head as text, for key sniffing of JSON too large to parse from the head."""
        return self.text if self.text.lstrip()[:1] in ("{", "[") else ""

    @cached_property
    def csv_header(self) -> list[str]:
        """Column names if the head looks like CSV with a header row, else []."""
        text = self.text
        if not text or text.lstrip()[:1] in ("{", "[", "<"):
            return []
        first = text.split("\n", 1)[0]
        if "," not in first and "\t" not in first and ";" not in first:
            return []
        try:
            dialect = csv.Sniffer().sniff(first, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        row = next(csv.reader(io.StringIO(first), dialect), [])
        return [c.strip() for c in row]


class Reader:
    """Base class of a format reader.

    ``sniff`` returns a confidence in [0, 1] that the head belongs to this format;
    ``read`` yields Post, Article or Quarantined records with provenance filled in.
    """

    name: ClassVar[str] = ""
    platform: ClassVar[str] = ""

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        self.options = options or {}

    def sniff(self, head: Head) -> float:
        raise NotImplementedError

    def read(self, source: Source) -> Iterator[Record]:
        raise NotImplementedError

    def declines(self, head: Head) -> str | None:
        """Why this reader, knowing the file for one of its platform's, will not read it (a
        part of an export that holds no posts), or None. Said when no reader claims the file,
        instead of "no known format"; it also outweighs a mere guess from column names
        (``GUESS_SCORE``), so private parts are never read as posts."""
        return None

    def aliases(self) -> dict[str, str]:
        """Provisional keys this reader may have written in ``reply_to``/``quote_of`` (this run
        or an earlier one), mapped to the stored post id it has since learnt for each; the store
        rewrites them after the run. Most formats need none."""
        return {}


class JsonReader(Reader):
    """A reader of JSON documents or JSONL: bad lines are quarantined by the base, and each
    top-level JSON value goes to ``read_value``."""

    def read(self, source: Source) -> Iterator[Record]:
        for item in iter_json_document_or_lines(source, self.name):
            if not isinstance(item, tuple):
                yield item
                continue
            yield from self.read_line(source, *item)

    def read_line(self, source: Source, lineno: int, obj: Any) -> Iterator[Record]:
        """The records of one top-level JSON value (a line of JSONL, or a whole document)."""
        if isinstance(obj, list):  # a JSON array: each value on its own, numbered
            for i, value in enumerate(obj, start=1):
                line = lineno if lineno > 1 else i
                yield from guarded(source, self.name, line, value, self.read_value, line, value)
        else:
            yield from guarded(source, self.name, lineno, obj, self.read_value, lineno, obj)

    def read_value(self, source: Source, lineno: int, obj: Any) -> Iterator[Record]:
        """The records of one top-level JSON value found at ``lineno``."""
        raise NotImplementedError


def load_readers(options: dict[str, Any] | None = None) -> list[Reader]:
    """Instantiate every registered reader: built-ins first, then plug-ins by entry point."""
    return [cls(options) for cls in load_plugins(BUILTIN_READERS, ENTRY_POINT_GROUP).values()]


# a claim below this is a guess from column names (the generic reader's): a reader that knows
# the file for a part of its platform's export with no posts in it (a Reddit export's private
# messages: an id and a body) declines it instead
GUESS_SCORE = 0.6
# the most a head is read to when its first record is longer than the first 64 KB: a record
# longer than MAX_LINE_BYTES is quarantined, and the one after it then decides
MAX_HEAD_BYTES = MAX_LINE_BYTES + HEAD_BYTES


def detect(source: Source, readers: list[Reader]) -> Reader | None:
    """The reader most confident about this source, or None when none claims it (or one that
    knows the file declines it: a claim below ``GUESS_SCORE`` yields to that)."""
    head = Head(source, source.head())
    if not head.raw.strip():
        return None
    if source.member is not None and archive_kind(head.raw) is not None:
        source.skip_reason = "an archive inside an archive: extract it and ingest the inner one"
        return None
    best, best_score = _claimed(head, readers)
    while best_score < GUESS_SCORE and _first_record_cut(head) and head.size < MAX_HEAD_BYTES:
        size = min(4 * head.size, MAX_HEAD_BYTES)
        head = Head(source, source.head(size), size)
        best, best_score = _claimed(head, readers)
    if best_score < GUESS_SCORE and _first_line_overflows(head):
        after = source.lines_after_long_ones()  # that line is quarantined; the next ones decide
        if after.strip():
            best, best_score = _claimed(Head(source, after, len(after) + 1), readers)
        if best_score < GUESS_SCORE:
            why = (
                "no line after it shows its format"
                if source.reopenable
                else "the lines after it, in a stream read once, cannot be looked at first"
            )
            source.skip_reason = (
                f"its first line is longer than {MAX_LINE_BYTES} bytes and {why}: "
                "name the format with --format"
            )
            return None
    if best_score >= GUESS_SCORE:
        return best
    for reader in readers:
        try:
            why = reader.declines(head)
        except Exception:  # a plug-in's decline must not stop detection
            why = None
        if why:
            source.skip_reason = why
            return None
    return best if best_score >= 0.5 else None


def _claimed(head: Head, readers: list[Reader]) -> tuple[Reader | None, float]:
    """The reader the head's first records vote for, else the one most sure of its head."""
    voted = _voted(head, readers)
    return voted if voted is not None else _most_sure(head, readers)


def _first_record_cut(head: Head) -> bool:
    """Whether the head is JSON cut before the end of its first record (a Reddit post with a
    40,000-character selftext, a long value in an early key), so that a longer head may show
    what the first 64 KB hid."""
    return len(head.raw) == head.size and not head.records and head.text.lstrip()[:1] in ("[", "{")


def _first_line_overflows(head: Head) -> bool:
    """Whether the head, read to ``MAX_HEAD_BYTES``, is all one JSON line still not ended (a
    record over the limit, which its reader quarantines): only the lines after it can tell the
    file's format."""
    text = head.text.lstrip()
    return len(head.raw) >= MAX_HEAD_BYTES and text[:1] in ("{", "[") and "\n" not in text


def _most_sure(head: Head, readers: list[Reader]) -> tuple[Reader | None, float]:
    """The reader that claims ``head`` with the highest score, and that score."""
    best, best_score = None, 0.0
    for reader in readers:
        try:
            score = reader.sniff(head)
        except Exception:  # a plug-in's sniff must not stop detection
            score = 0.0
        if score > best_score:
            best, best_score = reader, score
    return best, best_score


def _voted(head: Head, readers: list[Reader]) -> tuple[Reader, float] | None:
    """The reader most of a JSON file's first records are claimed by (each record as if it came
    first), with its best score; ties go to the reader of the earliest record. None when the
    head holds fewer than two records or none is claimed. A first record without an id, a
    stream notice or one record of another platform no longer decides for the whole file."""
    records = head.records if head.text.lstrip()[:1] in "[{" else []
    if len(records) < 2:
        return None
    votes: dict[str, list] = {}
    for record in records:
        reader, score = _most_sure(head.as_if_first(record), readers)
        if reader is not None and score >= 0.5:
            tally = votes.setdefault(reader.name, [reader, 0, 0.0])
            tally[1] += 1
            tally[2] = max(tally[2], score)
            if tally[1] * 2 > len(records):  # a majority: the rest cannot change the outcome
                break
    if not votes:
        return None
    reader, _, score = max(votes.values(), key=lambda t: t[1])  # max keeps the first of a tie
    return reader, score


JSON_ERRORS = (orjson.JSONDecodeError, msgspec.DecodeError)
BOM = b"\xef\xbb\xbf"
_DECODER = msgspec.json.Decoder()
# an escaped high surrogate not followed by a low one, or a low one not after a high one, each
# after an even run of backslashes (an escaped backslash followed by ``ud800`` is left alone)
_LONE_SURROGATE = re.compile(
    rb"(?<!\\)((?:\\\\)*)(?:\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2})"
)
# outside strings (kept as they are): a bare non-finite number, as Python's json writes it
# (NaN, Infinity, -Infinity) or in another spelling DuckDB's parser takes (nan, inf, any case)
# (group 1); a number with a fraction or an exponent, null when it is beyond a double (group 2)
_NON_FINITE = re.compile(
    rb'"[^"\\]*(?:\\.[^"\\]*)*"'
    rb"|(-?(?:[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN]))"
    rb"|(-?[0-9]+(?:\.[0-9]+)?[eE][-+]?[0-9]+|-?[0-9]+\.[0-9]+)"
)


def loads_json(data: bytes | str) -> Any:
    """Parse JSON, keeping integers beyond 64 bits exact (orjson turns them into floats, which
    makes distinct ids collide); raises one of ``JSON_ERRORS``.

    msgspec parses as fast as orjson and keeps big integers as ints, so no pre-scan for long
    digit runs is needed (that scan cost as much as the parse). Values that are not JSON, or
    no double holds, but that files written by others carry are read in their one place: a
    lone UTF-16 surrogate escape (``"\\ud800"``) becomes U+FFFD, and a number that is no
    finite double (a bare ``NaN``, ``Infinity`` or ``-Infinity``, as Python's json writes them,
    ``nan`` or ``inf``, or ``1e999``) becomes null, as a value of no use."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    try:
        return _decode(raw)
    except msgspec.DecodeError as exc:
        if isinstance(exc.__cause__, UnicodeDecodeError | RecursionError):
            raise  # no repair reaches these
        fixed = _repaired(raw, str(exc))
        if fixed is None:
            raise
        try:
            return _decode(fixed)
        except msgspec.DecodeError as again:
            # the error of the repaired text when it says what a document can still be
            # salvaged from (invalid UTF-8, deep nesting), else the one at the original bytes
            if "utf-8" in str(again).lower() or "nested too deeply" in str(again):
                raise again from exc
            raise exc from None


def _decode(raw: bytes) -> Any:
    """``raw`` parsed by msgspec, every failure as a ``msgspec.DecodeError`` (caused by the
    UnicodeDecodeError or RecursionError behind it, where there is one)."""
    try:
        return _DECODER.decode(raw)
    except UnicodeDecodeError as exc:
        raise msgspec.DecodeError(f"invalid UTF-8: {exc}") from exc
    except RecursionError as exc:  # ``[[[[...`` thousands deep
        raise msgspec.DecodeError("JSON nested too deeply") from exc


def _repaired(raw: bytes, error: str) -> bytes | None:
    """``raw`` with its lone surrogate escapes as U+FFFD and, when the parser stopped at a
    character or a number (``error``) or at a surrogate, its non-finite numbers as null; None
    when nothing changed (its error is another)."""
    fixed = raw
    if b"\\u" in fixed:
        fixed = _LONE_SURROGATE.sub(rb"\1\\ufffd", fixed)
    if fixed != raw or "invalid character" in error or "out of range" in error:
        fixed = _NON_FINITE.sub(_null_for_number, fixed)
    return None if fixed == raw else fixed


def _null_for_number(match: re.Match[bytes]) -> bytes:
    """null for a number that is no finite double; a string or any other number as it is."""
    if match.group(1) or (match.group(2) and math.isinf(float(match.group(2)))):
        return b"null"
    return match.group()


MAX_DEPTH = 200  # a value nested deeper than this in a document is read as null
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')  # a string, or a bracket outside one
_ITEM_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{},]')  # ... or a comma outside one


def array_items(data: bytes, at: int = 0, closed: list[bool] | None = None) -> Iterator[bytes]:
    """The bytes of each item of the JSON array at offset ``at`` of ``data``, found by its
    brackets and commas outside strings, so that a document cut short or damaged in one item
    still gives every other: the caller parses each alone. A last item cut short is given as it
    is. ``closed``, when given, gets True once the array's closing bracket is met."""
    start, depth = -1, 0
    for token in _ITEM_TOKEN.finditer(data, at):
        char = token.group()[:1]
        if char == b'"':
            continue
        if char in b"[{":
            depth += 1
            if depth == 1:
                start = token.end()
        elif char == b",":
            if depth == 1:
                if data[start : token.start()].strip():
                    yield data[start : token.start()].strip()
                start = token.end()
        else:
            depth -= 1
            if depth == 0:
                if data[start : token.start()].strip():
                    yield data[start : token.start()].strip()
                if closed is not None:
                    closed.append(True)
                return
    if start >= 0 and data[start:].strip():
        yield data[start:].strip()  # cut short inside the array


class UnreadableItem(ValueError):
    """An item of a JSON array that does not parse: why, and its first bytes."""

    def __init__(self, why: str, raw: bytes) -> None:
        super().__init__(why)
        self.raw = raw[:65536]


def array_values(data: bytes, at: int = 0) -> Iterator[tuple[int, Any]]:
    """(1-based position, value) of each item of the JSON array ``data`` (or the one at offset
    ``at`` inside it: not copied out); an item that cannot be read (the document cut inside it,
    a stray quote) comes as an UnreadableItem and the items after it are still read. A document
    that parses whole is read whole; one that is no array is one item.

    A stray quote makes the split run two items together; a pretty-printed array (every real
    export that writes one) then splits again where an item closes and the next opens at the
    first item's indentation."""
    try:
        values = loads_document(data) if at == 0 else None  # inside a document: it failed
    except JSON_ERRORS:
        values = None
    if isinstance(values, list):
        yield from enumerate(values, start=1)
        return
    if values is not None:
        yield 1, values
        return
    opened = re.search(rb"\[([ \t]*\r?\n)?([ \t]*)\{", data[at : at + 65536])
    indent = re.escape(opened.group(2)) if opened else b""
    next_item = re.compile(rb"(?<=\n" + indent + rb"\}),?[ \t]*\r?\n(?=" + indent + rb"\{)")
    pos, closed, cut = 0, [], False
    for raw in array_items(data, at, closed):
        pieces = [raw]
        try:
            value = loads_document(raw)
        except JSON_ERRORS as exc:
            pieces = next_item.split(raw)
            value = UnreadableItem(str(exc).split("\n")[0], raw) if len(pieces) == 1 else None
        if len(pieces) == 1:
            pos += 1
            cut = isinstance(value, UnreadableItem)
            yield pos, value
            continue
        for piece in pieces:
            pos += 1
            try:
                cut = False
                yield pos, loads_document(piece)
            except JSON_ERRORS as exc:
                cut = True
                yield pos, UnreadableItem(str(exc).split("\n")[0], piece)
    if not closed and not cut:  # the document ends between two items: what followed is lost
        why = "the document ends after a whole item, before its array closes"
        yield pos + 1, UnreadableItem(why, data[max(at, len(data) - 1024) :])


def loads_document(data: bytes) -> Any:
    """Parse a whole JSON document (a timeline, an export) so that one damaged part does not
    cost the rest: invalid UTF-8 becomes U+FFFD and a value nested too deeply for the parser
    becomes null, in the one record that holds it. Raises one of ``JSON_ERRORS`` otherwise."""
    try:
        return loads_json(data)
    except JSON_ERRORS as exc:
        if "utf-8" not in str(exc).lower() and "nested too deeply" not in str(exc):
            raise
    fixed = data.decode("utf-8", "replace").encode("utf-8", "surrogatepass")
    try:
        return loads_json(fixed)
    except JSON_ERRORS as exc:
        if "nested too deeply" not in str(exc):
            raise
    return loads_json(_flatten_deep(fixed))


def _flatten_deep(data: bytes, limit: int = MAX_DEPTH) -> bytes:
    """``data`` with every array or object opened deeper than ``limit`` replaced by null."""
    parts, depth, cut_at, start = [], 0, -1, 0
    for token in _TOKEN.finditer(data):
        char = token.group()[:1]
        if char == b'"':
            continue
        if char in b"[{":
            depth += 1
            if depth == limit + 1 and cut_at < 0:
                cut_at = token.start()
        else:
            depth -= 1
            if depth == limit and cut_at >= 0:
                parts += [data[start:cut_at], b"null"]
                start, cut_at = token.end(), -1
    return b"".join([*parts, data[start:]])


_OPENS_ARRAY = re.compile(rb"\s*:\s*\[")


def lists_under(data: bytes, key: bytes | None = None) -> list[tuple[dict, bytes, Any]]:
    """What a JSON document cut short or damaged still holds of its arrays of records: for each
    object with an array under ``key`` (None: the first array of objects of the outermost
    object), ``(the object's keys written before the array, the key, array_values of the
    array)``. Keys after the array are lost; an object whose keys before it do not parse gives
    ``{}``. Empty when no such array is found."""
    found: list[tuple[dict, bytes, Any]] = []
    opens: list[int] = []  # where each object still open starts
    for token in _ITEM_TOKEN.finditer(data):
        char = token.group()[:1]
        if char == b"{":
            opens.append(token.start())
        elif char == b"}":
            if opens:
                opens.pop()
        elif char == b'"' and opens:
            name = token.group()[1:-1]
            if (key is None and len(opens) != 1) or (key is not None and name != key):
                continue
            bracket = _OPENS_ARRAY.match(data, token.end())
            if bracket is None:
                continue
            at = bracket.end() - 1  # the array's bracket: read there, not copied out
            if key is None and not re.match(rb"\[\s*\{", data[at : at + 4096]):
                continue
            try:
                header = loads_document(
                    data[opens[-1] : token.start()].rstrip().rstrip(b",") + b"}"
                )
            except JSON_ERRORS:
                header = {}
            found.append((header if isinstance(header, dict) else {}, name, array_values(data, at)))
            if key is None:
                break
    return found


_TRAILING = re.compile(r"trailing characters \(byte (\d+)\)")


@dataclass
class DamagedRest:
    """What follows the last readable document of a run of them, and why it does not parse."""

    raw: bytes
    error: str


def documents_in_a_row(data: bytes) -> Iterator[tuple[int, Any]]:
    """JSON documents written one after another with nothing between them but spaces
    (``{...}{...}``: API responses appended to one file), each as ``(byte offset, value)``;
    a part that does not parse as ``(offset, DamagedRest)``, reading going on at the next
    document that opens as the first one did (the same first key). Each document is parsed
    about twice, so the cost stays linear."""
    at = 0
    body = data.lstrip()
    colon = body.find(b":", 0, 64)
    opening = body[: colon + 1] if colon > 0 else b""  # '{"data":' for twarc2 pages
    while rest := data[at:]:
        lead = len(rest) - len(rest.lstrip())
        if lead == len(rest):
            return
        try:
            yield at + lead, loads_document(rest)
            return
        except JSON_ERRORS as exc:
            error = str(exc).split("\n")[0]
        found = _TRAILING.search(error)
        end = int(found.group(1)) - 1 if found else 0  # the parser counts bytes from 1
        value: Any = DamagedRest(rest[lead:], error)
        if end > lead:
            with suppress(*JSON_ERRORS):
                value = loads_document(rest[:end])
        if isinstance(value, DamagedRest):
            again = rest.find(opening, lead + 1) if opening else -1
            if again < 0:
                yield at + lead, value
                return
            yield at + lead, DamagedRest(rest[lead:again], error)
            at += again
            continue
        yield at + lead, value
        at += end


def iter_json_lines(source: Source, fmt: str) -> Iterator[tuple[int, Any] | Quarantined]:
    """Parse a JSONL source line by line; bad lines become Quarantined records naming the line.
    A line of documents one after another (``{...}{...}``) yields each of them."""
    for item in source.lines():
        if isinstance(item, Quarantined):
            item.format = fmt
            yield item
            continue
        value = line_value(source, fmt, *item)
        if isinstance(value, Quarantined) and "trailing characters" in value.reason:
            documents = _line_of_documents(item[1])
            if documents:
                yield from ((item[0], doc) for doc in documents)
                continue
        yield value


def _line_of_documents(line: bytes) -> list[Any]:
    """The documents of a line of them (``{...}{...}``), when every one parses and holds
    something (an object with keys, an array); else empty, and the line is one bad record."""
    docs = [value for _, value in documents_in_a_row(line.removeprefix(BOM))]
    if all(isinstance(d, dict | list) and d for d in docs):
        return docs
    return []


def line_value(source: Source, fmt: str, lineno: int, line: bytes) -> tuple[int, Any] | Quarantined:
    """``(lineno, value)`` of one JSONL line, or the line quarantined when it is not JSON. A
    byte-order mark before it (a file saved by Notepad, files joined by ``cat``) is passed over."""
    try:
        return lineno, loads_json(line.removeprefix(BOM) if line[:1] == b"\xef" else line)
    except JSON_ERRORS as exc:
        page = _salvaged_page(line)
        if page is not None:
            return lineno, page
        reason = "invalid UTF-8" if "utf-8" in str(exc).lower() else f"invalid JSON: {exc}"
        return Quarantined(
            source_file=source.name, line=lineno, reason=reason, raw=line[:65536], format=fmt
        )


def _salvaged_page(line: bytes) -> Any:
    """A line that is a page of several records (a twarc2 page, a JSON array) read as a
    document is (``loads_document``), so one damaged record does not cost the page; None for
    anything else, which is quarantined whole."""
    try:
        value = loads_document(line)
    except JSON_ERRORS:
        return None
    data = value.get("data") if isinstance(value, dict) else value
    if isinstance(data, dict):  # a Reddit listing
        data = data.get("children")
    if isinstance(data, list) and sum(isinstance(v, dict) for v in data) > 1:
        return value
    return None


def iter_json_document_or_lines(
    source: Source, fmt: str
) -> Iterator[tuple[int, Any] | Quarantined]:
    """Yield top-level JSON values of a source that is either one JSON document (possibly
    pretty-printed over many lines) or JSONL. Line numbers are 1 for a single document."""
    head = source.head().removeprefix(BOM)
    text_head = head.lstrip()
    one_line = len(head) < HEAD_BYTES and b"\n" not in text_head.rstrip()  # the whole file
    looks_document = text_head[:1] == b"[" or (
        text_head[:1] == b"{"
        and (one_line or (b"\n" in text_head and not _first_line_is_json(text_head)))
    )
    if not looks_document:
        yield from iter_json_lines(source, fmt)
        return
    data = source.read_all()
    if isinstance(data, Quarantined):
        data.format = fmt
        yield data
        return
    data = data.removeprefix(BOM)
    try:
        yield 1, loads_document(data)
        return
    except JSON_ERRORS as exc:
        error = str(exc).split("\n")[0]
    if _lines_are_records(data.lstrip()):  # JSONL after all (a first line that was long)
        yield from iter_json_lines(source, fmt)
        return
    if "trailing characters" not in error:
        yield from _salvaged_document(source, fmt, data, error)
        return
    for offset, value in documents_in_a_row(data):  # {...}{...}: each document read whole
        line = data.count(b"\n", 0, offset) + 1
        if isinstance(value, DamagedRest):
            yield from _salvaged_document(source, fmt, value.raw, value.error)
        else:
            yield line, value


def _lines_are_records(data: bytes, look: int = 20) -> bool:
    """Whether ``data`` reads as JSON lines: one of its first lines is a record (an object with
    keys, or an array of objects) on its own. No line of a pretty-printed document is."""
    for line in data.split(b"\n", look)[:look]:  # however long the first lines are
        try:
            value = loads_json(line)
        except JSON_ERRORS:
            continue
        if (isinstance(value, dict) and value) or (
            isinstance(value, list) and any(isinstance(v, dict) for v in value)
        ):
            return True
    return False


def _salvaged_document(
    source: Source, fmt: str, data: bytes, error: str
) -> Iterator[tuple[int, Any] | Quarantined]:
    """A JSON document cut short or damaged (``error``): each item of its array of records
    that still parses (an array's items by position; an object's first array of objects, with
    the keys before it), each one that does not quarantined, so nothing readable is lost; a
    document with no such array is one quarantined record."""
    text = data.lstrip()
    if text[:1] == b"[":
        values: Any = array_values(text)
        wrap = None
    else:
        lists = lists_under(text)
        if not lists:
            reason = f"invalid JSON document (cut short or damaged): {error}"
            yield Quarantined(
                source_file=source.name, line=1, reason=reason, raw=data[:65536], format=fmt
            )
            return
        header, key, values = lists[0]
        wrap = (header, key.decode("utf-8", "replace"))
    good: list[Any] = []
    last, damaged = 0, False
    for pos, value in values:
        last = pos
        if isinstance(value, UnreadableItem):
            damaged = True
            reason = f"unreadable item of a document cut short or damaged: {value}"
            yield Quarantined(
                source_file=source.name, line=pos, reason=reason, raw=value.raw, format=fmt
            )
        elif wrap is None:
            yield pos, value
        else:
            good.append(value)
    if wrap is not None:
        yield 1, {**wrap[0], wrap[1]: good}
    if not damaged:
        # every item read whole: the cut or damage lies between two items or outside the array
        # (a twarc2 page's includes, with the tweets its retweets and quotes name), and what
        # was there is lost: one record says so
        reason = f"document cut short or damaged after its last whole record: {error}"
        yield Quarantined(
            source_file=source.name,
            line=1 if wrap is not None else last + 1,
            reason=reason,
            raw=data[-65536:],
            format=fmt,
        )


def _first_line_is_json(head: bytes) -> bool:
    """Whether the first line of ``head`` is a JSON value (one with a number that is no finite
    double, which ``loads_json`` reads as null, is one)."""
    line = head.split(b"\n", 1)[0]
    try:
        orjson.loads(line)
        return True
    except orjson.JSONDecodeError:
        pass
    try:
        loads_json(line)
    except JSON_ERRORS:
        return False
    return True


def guarded(
    source: Source, fmt: str, line: int, raw: Any, make: Callable[..., Any], *args: Any
) -> list[Record]:
    """The records ``make(source, *args)`` gives for one input record, or, if it fails (a time
    out of range, a value of an unexpected type), that one record quarantined with the reason.

    The records are collected first, so a failure never leaves half of a record's output stored.
    A configuration error (InputError) still stops the run.
    """
    try:
        out = make(source, *args)
        return [out] if isinstance(out, Record) else list(out)
    except InputError:
        raise
    except Exception as exc:
        return [quarantine(source, line, f"{type(exc).__name__}: {exc}", raw, fmt)]


def quarantine(source: Source, line: int, reason: str, raw: Any, fmt: str) -> Quarantined:
    """A Quarantined record for a parsed value that is not a usable post (missing id or text...)."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    elif not isinstance(raw, bytes | bytearray):
        try:
            raw = orjson.dumps(raw)
        except TypeError:
            raw = repr(raw).encode()
    return Quarantined(
        source_file=source.name, line=line, reason=reason, raw=bytes(raw[:65536]), format=fmt
    )
