"""Reddit through the Pushshift API (and its successors with the same answer, Arctic Shift and
PullPush): responses saved as they came, ``{"data": [comment or submission, ...]}``, sometimes
with ``metadata`` (and ``aggs``) beside the records.

A file holds one response (``json.dump`` of a page, compact or pretty-printed), one response per
line (each page appended as a line), or a JSON array of responses. The records are the objects
of the Reddit dumps and are read by the dump reader's own mapping (``reddit_post``): a record
with a ``title`` is a submission, one with a ``body`` a comment. Decisions:

* ``source_line`` is the record's 1-based position in a file of one response (or an array of
  them), and the response's line in a file of one response per line; a record quarantined on
  such a line also names its position in the response.
* An empty page (``{"data": []}``, the end of a paging loop, or a file of a search that found
  nothing) holds nothing and is passed over;
  an error answer (``{"error": ...}``, ``{"detail": ...}``) and any other value are quarantined,
  so a page that never came is seen, not lost in silence. A bare comment or submission among
  the responses is read as one.
* A document cut short keeps every record written before the cut (the registry's salvage of a
  document's first array of records); the record the cut went through is quarantined.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from groundswell.ingest.fields import shown
from groundswell.ingest.reddit import DELETED_REASON, reddit_post, thing_kind
from groundswell.ingest.registry import (
    Head,
    Reader,
    guarded,
    iter_json_document_or_lines,
    quarantine,
)
from groundswell.ingest.source import Source
from groundswell.schema import Quarantined, Record

# keys only a Reddit comment or submission has, beside its id and created_utc
_REDDIT_KEYS = ("subreddit", "link_id", "parent_id", "permalink", "body", "title", "selftext")
_ERROR_KEYS = ("error", "detail", "message")
_RESPONSE_KEYS = frozenset(("aggs", "data", "metadata"))
# the first key of a response (Pushshift writes its keys sorted: aggs, data, metadata)
_RESPONSE_START = re.compile(r'\s*\[?\s*\{\s*"(?:aggs|data|metadata)"\s*:')
_DATA_RECORDS = re.compile(r'"data"\s*:\s*\[\s*\{')


def is_record(value: Any) -> bool:
    """Whether ``value`` is a Reddit comment or submission as the Pushshift API returns it."""
    return (
        isinstance(value, dict)
        and "id" in value
        and "created_utc" in value
        and any(k in value for k in _REDDIT_KEYS)
    )


def is_response(value: Any) -> bool:
    """Whether ``value`` is a Pushshift API response holding Reddit records."""
    if not isinstance(value, dict) or not isinstance(value.get("data"), list):
        return False
    return any(is_record(v) for v in value["data"][:20])


class PushshiftApiReader(Reader):
    """Saved Pushshift (Arctic Shift, PullPush) API responses of Reddit comments and posts."""

    name = "pushshift_api"
    platform = "reddit"

    def sniff(self, head: Head) -> float:
        obj = head.first_record
        if is_response(obj):
            return 0.95
        if obj is not None and not (isinstance(obj, dict) and obj.get("data") == []):
            return 0.0
        # one response larger than the head, or an empty page before the ones with records
        txt = head.json_text
        if (
            _RESPONSE_START.match(txt)
            and _DATA_RECORDS.search(txt)
            and '"created_utc"' in txt
            and ('"subreddit"' in txt or '"link_id"' in txt)
            and ('"body"' in txt or '"title"' in txt)
        ):
            return 0.85
        if obj is not None and obj.keys() <= _RESPONSE_KEYS:
            return 0.6  # an empty page and no records after it: a search that found nothing
        return 0.0

    def read(self, source: Source) -> Iterator[Record]:
        items = iter_json_document_or_lines(source, self.name)
        first, upcoming = True, next(items, None)
        while upcoming is not None:
            item, upcoming = upcoming, next(items, None)
            if isinstance(item, tuple):
                lineno, value = item
                # value 1 is the whole file when nothing else is in it, or when it comes after
                # the quarantined items of a document cut short; else it is JSONL's first line
                whole = lineno == 1 and (not first or upcoming is None)
                yield from self._responses(source, lineno, value, whole)
            else:
                yield item
            first = False

    def _responses(self, source: Source, lineno: int, value: Any, whole: bool) -> Iterator[Record]:
        """The records of one top-level value: a response, an array of them, or a bare record;
        numbered by position when ``whole`` (the file is this value), else by ``lineno``."""
        position = 0
        for response in value if isinstance(value, list) else [value]:
            if is_record(response):
                position += 1
                line = position if whole else lineno
                yield from guarded(source, self.name, line, response, self._record, line, response)
                continue
            records = response.get("data") if isinstance(response, dict) else None
            if not isinstance(records, list):
                line = position + 1 if whole else lineno
                yield quarantine(source, line, _not_records(response), response, self.name)
                continue
            for index, record in enumerate(records, start=1):
                position += 1
                line = position if whole else lineno
                for rec in guarded(source, self.name, line, record, self._record, line, record):
                    if _placed(rec) and not whole and len(records) > 1:
                        rec.reason += f" (record {index} of the response on this line)"
                    yield rec

    def _record(self, source: Source, line: int, record: Any) -> Record:
        kind = thing_kind(record) if isinstance(record, dict) else None
        if kind is None:
            what = "an object without body or title" if isinstance(record, dict) else None
            why = f"not a Reddit comment or submission: {what or shown(record)}"
            return quarantine(source, line, why, record, self.name)
        return reddit_post(source, line, record, kind, self.name)


def _placed(rec: Record) -> bool:
    """Whether a record is quarantined for a reason its place in a response helps to find
    (a deletion keeps its plain reason: it names the post's id)."""
    return isinstance(rec, Quarantined) and rec.reason != DELETED_REASON


def _not_records(value: Any) -> str:
    """Why a top-level value holds no records: an API error, or another shape."""
    if isinstance(value, dict):
        error = next((value[k] for k in _ERROR_KEYS if value.get(k)), None)
        if error is not None:
            return f"Pushshift API error response, no records: {shown(error)}"
        keys = ", ".join(sorted(map(str, value))[:6])
        return f"not a Pushshift API response: keys {keys or '(none)'}"
    return f"not a Pushshift API response: {shown(value)}"
