"""twitwi / minet Bluesky post tables: the CSV export and twitwi's normalised post dicts.

``minet bsky search-posts`` and twitwi's ``format_post_as_csv_row`` write one row per post with
``uri``, ``user_did``, ``timestamp_utc`` and ``|``-separated lists. The record text is
``original_text``; twitwi's ``text`` has links expanded and media URLs appended, so it is used only
when ``original_text`` is absent. ``local_time`` is naive local time and is not used. Quoted posts
appear as rows of their own (``collected_via`` = quote): they are real posts and are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from groundswell.ingest.bluesky_record import ref_at_uri, split_at_uri
from groundswell.ingest.fields import stated_time
from groundswell.ingest.registry import Head, Reader, quarantine
from groundswell.ingest.source import Source
from groundswell.schema import (
    Post,
    Record,
    TimeOutOfRangeError,
    hashtags_in_text,
    merge_hashtags,
    metrics_of,
)

_NEEDS = frozenset(("uri", "cid", "user_did", "timestamp_utc", "text"))
_METRICS = {
    k: k for k in ("like_count", "repost_count", "reply_count", "quote_count", "bookmark_count")
}
_BEFORE_YEAR_ONE = re.compile(r"-\d+")  # whole seconds below datetime.min: twitwi's year 0


def _as_list(value: Any) -> list[str]:
    """A twitwi list: a JSON list, or a ``|``-separated CSV cell."""
    if isinstance(value, list):
        return [str(v) for v in value if v not in (None, "")]
    if isinstance(value, str) and value:
        return [v for v in value.split("|") if v]
    return []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _timestamp(value: Any) -> datetime | None:
    """A twitwi row's ``timestamp_utc``: whole seconds, which twitwi computes from the record's
    client-written ``createdAt``. One that is no time (``abc``, a list, year 10000) raises
    ValueError naming it, so the row is quarantined; whole seconds before the year 1 are the
    client's own date carried through (a real export's year 0 reads ``-62142368029``) and leave
    the post undated, as the JSON reader leaves the same post."""
    try:
        return stated_time(value, "timestamp_utc", "s")
    except TimeOutOfRangeError:
        if _BEFORE_YEAR_ONE.fullmatch(str(value).strip()):
            return None
        raise


def post_from_twitwi(row: dict[str, Any], source_file: str, lineno: int, fmt: str) -> Post | None:
    """The Post of one twitwi-normalised Bluesky row (CSV cells or JSON values); None without a
    uri that names a record, or without text; a ``timestamp_utc`` that is no time
    (``_timestamp``), or a reply or quote uri that names no record, raises ValueError."""
    uri = _str(row.get("uri"))
    text = row.get("original_text")
    if not isinstance(text, str) or not text:  # an empty CSV cell is no text
        text = row.get("text") if isinstance(row.get("text"), str) else None
    if split_at_uri(uri) is None or text is None:
        return None
    langs = _as_list(row.get("user_langs"))
    created = _timestamp(row.get("timestamp_utc"))
    metrics = metrics_of(row, _METRICS)
    return Post(
        platform="bluesky",
        id=uri,
        text=text,
        created_at=created,
        author=_str(row.get("user_did")) or uri[5:].split("/", 1)[0],
        author_name=_str(row.get("user_handle")),
        url=_str(row.get("url")),
        lang=langs[0] if langs else None,
        hashtags=merge_hashtags(_as_list(row.get("hashtags")), hashtags_in_text(text)),
        mentions=_as_list(row.get("mentioned_user_dids")),
        urls=_as_list(row.get("links")),
        reply_to=ref_at_uri(row.get("to_post_uri"), "to_post_uri"),
        quote_of=ref_at_uri(row.get("quoted_uri"), "quoted_uri"),
        metrics=metrics,
        source_file=source_file,
        source_line=lineno,
        format=fmt,
    )


class BlueskyCsvReader(Reader):
    """twitwi / minet Bluesky post CSV (``bluesky-posts-export.csv`` and the firehose export)."""

    name = "bluesky_csv"
    platform = "bluesky"

    def sniff(self, head: Head) -> float:
        return 0.95 if set(head.csv_header) >= _NEEDS else 0.0

    def read(self, source: Source) -> Iterator[Record]:
        from groundswell.ingest.generic import csv_records

        yield from csv_records(source, self.name, self._row)

    def _row(self, source: Source, lineno: int, row: dict[str, Any]) -> Record:
        return post_from_twitwi(row, source.name, lineno, self.name) or quarantine(
            source, lineno, "row without at:// uri or text", row, self.name
        )
