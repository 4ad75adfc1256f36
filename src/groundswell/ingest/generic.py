"""Generic CSV, TSV, JSONL or JSON posts, read through a column mapping.

The mapping comes from the reader options: ``{"mapping": {"text": "body", "id": "post_id",
"created_at": "date", "author": "user.id"}, "platform": "forum"}``. Keys are Post fields, values are
column names (CSV) or dotted key paths (JSON). Without a mapping the reader only claims files whose
columns carry obvious names (an id plus a text/body/message/content column), with a low confidence
so that every platform reader wins. The CSV streaming here (line numbers, undecodable rows) is also
what the CrowdTangle reader uses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import chain
from typing import Any

import orjson

from groundswell.errors import InputError
from groundswell.ingest.csv_rows import iter_csv_rows, row_dict
from groundswell.ingest.fields import stated_time
from groundswell.ingest.registry import (
    Head,
    Reader,
    guarded,
    iter_json_document_or_lines,
    quarantine,
)
from groundswell.ingest.source import Source
from groundswell.schema import (
    Post,
    Quarantined,
    Record,
    hashtags_in_text,
    merge_hashtags,
)

FIELDS = (
    "id",
    "text",
    "created_at",
    "author",
    "author_name",
    "url",
    "lang",
    "hashtags",
    "mentions",
    "reply_to",
    "quote_of",
    "repost_of",
)
# Column names that, without a mapping, are obvious enough to guess (first match wins).
GUESSES: dict[str, tuple[str, ...]] = {
    "id": ("id", "post_id", "status_id", "message_id", "uuid"),
    "text": ("text", "body", "message", "content", "full_text"),
    "created_at": (
        "created_at",
        "unix_timestamp",
        "timestamp",
        "date",
        "datetime",
        "created",
        "time",
    ),
    "author": ("author_id", "user_id", "author", "user", "username", "screen_name"),
    "url": ("url", "link", "permalink"),
    "lang": ("lang", "language"),
    "hashtags": ("hashtags", "tags"),
    "reply_to": ("reply_to", "in_reply_to", "parent_id"),
}
JSON_BUFFER = 50  # records looked at to check that the mapped JSON keys exist
_TAG_SPLIT = re.compile(r"[|,;\s]+")
_MISSING = object()


def iter_csv_dicts(
    source: Source,
    fmt: str,
    delimiter: str | None = None,
) -> Iterator[tuple[int, dict[str, str]] | list[str] | Quarantined]:
    """The header (a list, first), then ``(line, {column: value})`` per row (a column name that
    repeats keeps its first column); a row whose field count differs from the header's is
    quarantined."""
    header: list[str] | None = None
    for item in iter_csv_rows(source, fmt, delimiter):
        if isinstance(item, Quarantined):
            yield item
            continue
        line, row = item
        if header is None:
            header = [c.strip() for c in row]
            yield header
            continue
        if len(row) != len(header):
            yield quarantine(
                source,
                line,
                f"row has {len(row)} fields, the header has {len(header)}",
                ",".join(row).encode("utf-8", "surrogateescape"),
                fmt,
            )
            continue
        yield line, row_dict(header, row)


def csv_records(
    source: Source, fmt: str, make: Callable[[Source, int, dict[str, str]], Any]
) -> Iterator[Record]:
    """The records ``make(source, line, row)`` gives for each CSV row, each row ``guarded`` (a
    failing row quarantined alone), and the rows ``iter_csv_dicts`` quarantined."""
    for item in iter_csv_dicts(source, fmt):
        if isinstance(item, list):  # the header
            continue
        if not isinstance(item, tuple):
            yield item
            continue
        lineno, row = item
        yield from guarded(source, fmt, lineno, row, make, lineno, row)


def lookup(record: Any, path: str) -> Any:
    """The value at ``path`` in a record: an exact key first, then a dotted path (``user.id``)."""
    if isinstance(record, dict) and path in record:
        return record[path]
    current = record
    for part in path.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return _MISSING
    return current


def split_tags(value: Any) -> list[str]:
    """Hashtags from a cell: a JSON list, or a string separated by '|', ',', ';' or spaces."""
    if value is None or value is _MISSING:
        return []
    if isinstance(value, list):
        return [
            str(v.get("tag") or v.get("text") or "") if isinstance(v, dict) else str(v)
            for v in value
        ]
    s = str(value).strip()
    if s.startswith("["):
        try:
            parsed = orjson.loads(s)
        except orjson.JSONDecodeError:
            parsed = None
        if isinstance(parsed, list):
            return split_tags(parsed)
        s = s.strip("[]")
    return [t.strip("'\"") for t in _TAG_SPLIT.split(s) if t.strip("'\"")]


def guess_mapping(columns: list[str]) -> dict[str, str]:
    """A mapping from obvious column names (case-insensitive), or {} without an id and a text."""
    by_lower = {c.lower(): c for c in columns}
    mapping = {}
    for field, names in GUESSES.items():
        for name in names:
            if name in by_lower and by_lower[name] not in mapping.values():
                mapping[field] = by_lower[name]
                break
    return mapping if "id" in mapping and "text" in mapping else {}


def _json_keys(obj: Any, prefix: str = "", depth: int = 0) -> set[str]:
    """Every key path of a JSON object (``user``, ``user.id``...), a few levels deep."""
    keys: set[str] = set()
    if isinstance(obj, dict) and depth < 4:
        for k, v in obj.items():
            path = f"{prefix}{k}"
            keys.add(path)
            keys |= _json_keys(v, path + ".", depth + 1)
    return keys


class GenericReader(Reader):
    """Any CSV/TSV/JSONL/JSON of posts, through ``options["mapping"]``."""

    name = "generic"
    platform = "generic"

    @property
    def mapping(self) -> dict[str, str]:
        mapping = self.options.get("mapping") or {}
        unknown = sorted(set(mapping) - set(FIELDS))
        if unknown:
            raise InputError(
                f"mapping names unknown post fields {unknown}; known: {', '.join(FIELDS)}"
            )
        return dict(mapping)

    def sniff(self, head: Head) -> float:
        mapping = self.options.get("mapping") or {}
        obj = head.first_record
        if isinstance(obj, dict):
            columns = sorted(_json_keys(obj))
        elif head.csv_header:
            columns = head.csv_header
        else:
            return 0.0
        if mapping:
            return 0.7 if all(col in columns for col in mapping.values()) else 0.0
        return 0.55 if guess_mapping(columns) else 0.0

    def read(self, source: Source) -> Iterator[Record]:
        head = source.head().lstrip(b"\xef\xbb\xbf \t\r\n")
        if head[:1] in (b"{", b"["):
            yield from self._read_json(source)
        else:
            yield from self._read_csv(source)

    def _read_csv(self, source: Source) -> Iterator[Record]:
        mapping = self.mapping
        for item in iter_csv_dicts(source, self.name):
            if isinstance(item, Quarantined):
                yield item
            elif isinstance(item, list):
                if mapping:
                    missing = [c for c in mapping.values() if c not in item]
                    if missing:
                        raise InputError(
                            f"{source.name}: mapped column(s) {missing} not in the "
                            f"header {item}; fix the mapping"
                        )
                else:
                    mapping = guess_mapping(item)
                    if not mapping:
                        raise InputError(
                            f"{source.name}: no id and text columns in {item}; "
                            "pass a mapping such as text=body,id=post_id"
                        )
            else:
                line, row = item
                yield from guarded(source, self.name, line, row, self._post, line, row, mapping)

    def _read_json(self, source: Source) -> Iterator[Record]:
        mapping = self.mapping
        items = self._json_records(source)
        buffered = []
        for item in items:
            buffered.append(item)
            if len(buffered) >= JSON_BUFFER:
                break
        seen: set[str] = set()
        for item in buffered:
            if isinstance(item, tuple):
                seen |= _json_keys(item[1])
        if mapping:
            missing = [c for c in mapping.values() if c not in seen]
            if missing and seen:
                raise InputError(
                    f"{source.name}: mapped key(s) {missing} not found in the first "
                    f"{len(buffered)} records; fix the mapping"
                )
        else:
            mapping = guess_mapping(sorted(seen))
            if not mapping:
                raise InputError(
                    f"{source.name}: no id and text keys; pass a mapping such as "
                    "text=body,id=post_id"
                )
        for item in chain(buffered, items):
            if isinstance(item, Quarantined):
                yield item
            else:
                line, record = item
                yield from guarded(
                    source, self.name, line, record, self._post, line, record, mapping
                )

    def _json_records(self, source: Source) -> Iterator[tuple[int, Any] | Quarantined]:
        for item in iter_json_document_or_lines(source, self.name):
            if isinstance(item, tuple) and isinstance(item[1], list):
                line = item[0]
                for i, value in enumerate(item[1], start=1):
                    yield (line if line > 1 else i), value
            else:
                yield item

    def _post(self, source: Source, line: int, record: Any, mapping: dict[str, str]) -> Record:
        if not isinstance(record, dict):
            return quarantine(source, line, "not a JSON object", record, self.name)

        def get(field: str) -> Any:
            col = mapping.get(field)
            value = _MISSING if col is None else lookup(record, col)
            return None if value is _MISSING or value == "" else value

        pid, text = get("id"), get("text")
        if pid is None or text is None:
            what = "id" if pid is None else "text"
            return quarantine(
                source,
                line,
                f"no {what} (column {mapping.get(what)!r}) on line {line}",
                record,
                self.name,
            )
        text = str(text)

        def opt(field: str) -> str | None:
            value = get(field)
            return None if value is None else str(value)

        mentions = get("mentions")
        return Post(
            platform=str(self.options.get("platform") or "generic"),
            id=str(pid),
            text=text,
            created_at=stated_time(get("created_at"), mapping.get("created_at", "created_at")),
            author=opt("author"),
            author_name=opt("author_name"),
            url=opt("url"),
            lang=opt("lang"),
            hashtags=merge_hashtags(split_tags(get("hashtags")), hashtags_in_text(text)),
            mentions=[m.lstrip("@") for m in split_tags(mentions)] if mentions else [],
            reply_to=opt("reply_to"),
            quote_of=opt("quote_of"),
            repost_of=opt("repost_of"),
            source_file=source.name,
            source_line=line,
            format=self.name,
        )
