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

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

import msgspec
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from groundswell.ingest.reddit import _MD_HEADING, REDDIT, _clean, is_deleted_text
from groundswell.ingest.registry import JSON_ERRORS, Reader, _first_line_is_json, line_value
from groundswell.ingest.source import Source
from groundswell.schema import (
    Quarantined,
    Record,
    hashtags_in_text,
    normalise_hashtag,
    parse_time,
)

ENABLED = True  # tests switch it off to compare with the per-record path
FORMATS = ("twitter_v2", "twitter_v1", "reddit")

# the columns a fast batch carries: the post schema before pseudonymisation, plus the URL a
# pseudonymised store keeps (``url_safe``)
COLUMNS = pa.schema(
    [
        ("platform", pa.string()),
        ("id", pa.string()),
        ("url", pa.string()),
        ("url_safe", pa.string()),
        ("author", pa.string()),
        ("author_name", pa.string()),
        ("created_at", pa.timestamp("us")),
        ("lang", pa.string()),
        ("text", pa.string()),
        ("hashtags", pa.list_(pa.string())),
        ("mentions", pa.list_(pa.string())),
        ("urls", pa.list_(pa.string())),
        ("reply_to", pa.string()),
        ("quote_of", pa.string()),
        ("metrics", pa.string()),
        ("format", pa.string()),
        ("source_file", pa.string()),
        ("source_line", pa.int64()),
    ]
)
# a double's exponent beyond 308 is out of range for the per-record decoder, skipped by a typed
# one: such lines take the per-record path
_BIG_EXPONENT = re.compile(rb"\d[eE][+]?\d{3}")
_MAX_EPOCH = 10**11  # below this an epoch is seconds (see schema.parse_time)


@dataclass
class ColumnBatch:
    """One batch of a source: the posts the fast path made, as columns, and the records of the
    lines it passed to the reader (in line order), with the number of records read."""

    columns: pa.Table
    records: list[Record] = field(default_factory=list)


# A row, as the converters below make it (None: the line takes the reader's own code):
# (id, url, url_safe, author, author_name, created, lang, text, hashtags, mentions, urls,
#  reply_to, quote_of, metrics)
Row = tuple[Any, ...]
_ROW_COLUMNS = (
    "id",
    "url",
    "url_safe",
    "author",
    "author_name",
    "created_at",
    "lang",
    "text",
    "hashtags",
    "mentions",
    "urls",
    "reply_to",
    "quote_of",
    "metrics",
)


def _merge(raw_tags: list[str]) -> list[str]:
    """``schema.merge_hashtags`` for one list of strings."""
    seen: dict[str, None] = {}
    for raw in raw_tags:
        norm = normalise_hashtag(raw)
        if norm:
            seen.setdefault(norm, None)
    return list(seen)


def _metrics_json(obj: Any, names: tuple[str, ...], as_names: tuple[str, ...]) -> str | None:
    if obj is None:
        return None
    out = {}
    for name, as_name in zip(names, as_names, strict=True):
        value = getattr(obj, name)
        if value is not None:
            out[as_name] = value
    return orjson.dumps(out).decode() if out else None


def _twitter_urls(tid: str, username: str | None) -> tuple[str, str]:
    """The post's URL, and the handle-free one a pseudonymised store keeps."""
    return (
        f"https://twitter.com/{username or 'i/web'}/status/{tid}",
        f"https://twitter.com/i/web/status/{tid}",
    )


# -- Twitter v2 (twarc2 flatten) -----------------------------------------------------------------
class _V2Tag(msgspec.Struct):
    tag: str | None = ""


class _V2Mention(msgspec.Struct):
    username: str | None = None


class _V2Url(msgspec.Struct):
    url: str | None = ""
    expanded_url: str | None = None
    unwound_url: str | None = None


class _V2Entities(msgspec.Struct):
    hashtags: list[_V2Tag] | None = None
    mentions: list[_V2Mention] | None = None
    urls: list[_V2Url] | None = None


class _V2Ref(msgspec.Struct):
    type: str | None = None
    id: str | None = None


class _V2Author(msgspec.Struct):
    id: str | None = None
    username: str | None = None


class _V2Metrics(msgspec.Struct):
    retweet_count: int | None = None
    reply_count: int | None = None
    like_count: int | None = None
    quote_count: int | None = None
    impression_count: int | None = None
    bookmark_count: int | None = None


class _V2Tweet(msgspec.Struct):
    id: str | None = None
    text: str | None = None
    author_id: str | None = None
    author: _V2Author | None = None
    created_at: str | None = None
    lang: str | None = None
    entities: _V2Entities | None = None
    referenced_tweets: list[_V2Ref] | None = None
    public_metrics: _V2Metrics | None = None
    # present at all: the reader's own code (long tweets, pages)
    note_tweet: msgspec.Raw = msgspec.UNSET
    data: msgspec.Raw = msgspec.UNSET


_V2_METRICS = _V2Metrics.__struct_fields__


def _v2_row(tw: _V2Tweet) -> Row | None:
    """A flattened v2 tweet that is not a retweet and has no ``note_tweet``."""
    tid = tw.id
    if not tid or tw.text is None or tw.data is not msgspec.UNSET:
        return None
    if tw.note_tweet is not msgspec.UNSET:
        return None
    reply_to = quote_of = None
    for ref in tw.referenced_tweets or ():
        if ref.type and ref.id:
            if ref.type == "retweeted":
                return None
            if ref.type == "replied_to":
                reply_to = ref.id
            elif ref.type == "quoted":
                quote_of = ref.id
    author = tw.author
    username = author.username if author else None
    text = tw.text
    if "&" in text:
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    ent = tw.entities
    if ent is None:
        tags, mentions, urls = [], [], []
    else:
        tags = _merge([str(h.tag) for h in ent.hashtags]) if ent.hashtags else []
        mentions = [m.username for m in ent.mentions or () if m.username]
        urls = [u.unwound_url or u.expanded_url or u.url for u in ent.urls or ()]
    return (
        tid,
        *_twitter_urls(tid, username),
        tw.author_id or (author.id if author else None) or None,
        username,
        tw.created_at,
        tw.lang,
        text,
        tags,
        mentions,
        urls,
        reply_to,
        quote_of,
        _metrics_json(tw.public_metrics, _V2_METRICS, _V2_METRICS),
    )


# -- Twitter v1.1 --------------------------------------------------------------------------------
class _V1Tag(msgspec.Struct):
    text: str | None = ""


class _V1Mention(msgspec.Struct):
    screen_name: str | None = None


class _V1Url(msgspec.Struct):
    url: str | None = ""
    expanded_url: str | None = None


class _V1Entities(msgspec.Struct):
    hashtags: list[_V1Tag] | None = None
    user_mentions: list[_V1Mention] | None = None
    urls: list[_V1Url] | None = None


class _V1User(msgspec.Struct):
    id_str: str | None = None
    screen_name: str | None = None


_UNSET = msgspec.UNSET
# keys whose presence sends a v1.1 line to the reader's own code: longer texts, retweets,
# quotes, search pages, user objects and the stream's control messages
_V1_OTHER = (
    "full_text",
    "extended_tweet",
    "retweeted_status",
    "quoted_status",
    "quoted_tweet",
    "statuses",
    "screen_name",
    "delete",
    "limit",
    "scrub_geo",
    "status_withheld",
    "user_withheld",
    "disconnect",
    "warning",
    "friends",
    "friends_str",
    "event",
    "for_user",
    "control",
    "direct_message",
)


class _V1Tweet(msgspec.Struct):
    id_str: str | None = None
    text: str | None = None
    user: _V1User | None = None
    created_at: str | None = None
    lang: str | None = None
    entities: _V1Entities | None = None
    in_reply_to_status_id_str: str | None = None
    quoted_status_id_str: str | None = None
    retweet_count: int | None = None
    favorite_count: int | None = None
    quote_count: int | None = None
    reply_count: int | None = None
    full_text: msgspec.Raw = _UNSET
    extended_tweet: msgspec.Raw = _UNSET
    retweeted_status: msgspec.Raw = _UNSET
    quoted_status: msgspec.Raw = _UNSET
    quoted_tweet: msgspec.Raw = _UNSET
    statuses: msgspec.Raw = _UNSET
    screen_name: msgspec.Raw = _UNSET
    delete: msgspec.Raw = _UNSET
    limit: msgspec.Raw = _UNSET
    scrub_geo: msgspec.Raw = _UNSET
    status_withheld: msgspec.Raw = _UNSET
    user_withheld: msgspec.Raw = _UNSET
    disconnect: msgspec.Raw = _UNSET
    warning: msgspec.Raw = _UNSET
    friends: msgspec.Raw = _UNSET
    friends_str: msgspec.Raw = _UNSET
    event: msgspec.Raw = _UNSET
    for_user: msgspec.Raw = _UNSET
    control: msgspec.Raw = _UNSET
    direct_message: msgspec.Raw = _UNSET


_V1_METRICS = ("retweet_count", "favorite_count", "quote_count", "reply_count")
_V1_METRIC_NAMES = ("retweet_count", "like_count", "quote_count", "reply_count")


def _v1_row(tw: _V1Tweet) -> Row | None:
    """A v1.1 tweet that is neither extended, a retweet, a quote nor a control message."""
    tid = tw.id_str
    if not tid or tw.text is None or tw.user is None or not tw.created_at:
        return None
    for name in _V1_OTHER:
        if getattr(tw, name) is not _UNSET:
            return None
    username = tw.user.screen_name
    text = html.unescape(tw.text) if "&" in tw.text else tw.text
    ent = tw.entities
    tags: list[str] = []
    mentions: list[str] = []
    urls: list[str | None] = []
    if ent is not None:
        tags = [str(h.text) for h in ent.hashtags or ()]
        mentions = [m.screen_name for m in ent.user_mentions or () if m.screen_name]
        urls = [u.expanded_url or u.url for u in ent.urls or ()]
    in_text = hashtags_in_text(text) if "#" in text or "＃" in text else []
    return (
        tid,
        *_twitter_urls(tid, username),
        tw.user.id_str or None,
        username,
        tw.created_at,
        tw.lang,
        text,
        _merge(tags + in_text) if tags or in_text else [],
        mentions,
        urls,
        tw.in_reply_to_status_id_str or None,
        tw.quoted_status_id_str or None,
        _metrics_json(tw, _V1_METRICS, _V1_METRIC_NAMES),
    )


# -- Reddit dumps --------------------------------------------------------------------------------
class _RedditLine(msgspec.Struct):
    id: str | None = None
    body: str | None = None
    author: str | None = None
    created_utc: int | float | str | None = None
    parent_id: str | None = None
    link_id: str | None = None
    permalink: str | None = None
    score: int | None = None
    num_comments: int | None = None
    ups: int | None = None
    downs: int | None = None
    subreddit: msgspec.Raw = _UNSET  # required present, as the reader's dump-line test does
    title: msgspec.Raw = _UNSET  # present: a submission, the reader's own code


_REDDIT_METRICS = ("score", "num_comments", "ups", "downs")


def _reddit_row(d: _RedditLine) -> Row | None:
    """A dump comment whose body is not a deletion marker."""
    rid, body = d.id, d.body
    if (
        not rid
        or body is None
        or d.created_utc is None
        or d.subreddit is _UNSET
        or d.title is not _UNSET
        or ("[" in body and is_deleted_text(body))
    ):
        return None
    text = _clean(body)
    author = d.author if d.author and d.author != "[deleted]" else None
    permalink = d.permalink
    if (
        permalink is not None
        and permalink.startswith(("/", "http"))
        and not (author and author.lower() in permalink.lower())
    ):
        url: str | None = REDDIT + permalink if permalink.startswith("/") else permalink
    else:
        link = (d.link_id or "").partition("_")[2]
        url = f"{REDDIT}/comments/{link}/_/{rid}/" if link else None
    safe = url if not (url and author and author.lower() in url.lower()) else None
    if "#" in text or "＃" in text:
        tags = hashtags_in_text(_MD_HEADING.sub(" ", text) if "##" in text else text)
    else:
        tags = []
    return (
        f"t1_{rid}",
        url,
        safe,
        author,
        author,
        d.created_utc,
        None,
        text,
        tags,
        [],
        [],
        d.parent_id,
        None,
        _metrics_json(d, _REDDIT_METRICS, _REDDIT_METRICS),
    )


_KINDS: dict[str, tuple[type, Callable[[Any], Row | None], str]] = {
    "twitter_v2": (_V2Tweet, _v2_row, "twitter"),
    "twitter_v1": (_V1Tweet, _v1_row, "twitter"),
    "reddit": (_RedditLine, _reddit_row, "reddit"),
}


def supports(source: Source, reader: Reader) -> bool:
    """Whether this source is JSONL of a format the fast path reads (not one JSON document, not
    twarc2 response pages, which take the bulk path) with one of the built-in readers."""
    if not ENABLED or reader.name not in _KINDS or not type(reader).__module__.startswith(
        "groundswell."
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


def read_columns(source: Source, reader: Reader, batch_size: int) -> Iterator[ColumnBatch]:
    """The source's records in batches of about ``batch_size``: posts as columns, other records
    (quarantined lines, deletions, retweets, unusual shapes) as the reader makes them."""
    struct, convert, platform = _KINDS[reader.name]
    decode = msgspec.json.Decoder(struct).decode
    big_exponent = _BIG_EXPONENT.search
    rows: list[Row] = []
    lines: list[tuple[int, bytes]] = []  # (line number, bytes) of each row
    records: list[Record] = []
    slow: list[tuple[int, bytes]] = []
    for item in source.lines():
        if isinstance(item, Quarantined):
            item.format = reader.name
            records.append(item)
            continue
        try:
            row = (
                convert(decode(item[1]))
                if (item[1].isascii() or _utf8(item[1])) and not big_exponent(item[1])
                else None
            )
        except (msgspec.ValidationError, *JSON_ERRORS, ValueError, TypeError, AttributeError):
            row = None
        if row is None:
            slow.append(item)
        else:
            rows.append(row)
            lines.append(item)
        if len(rows) + len(slow) + len(records) >= batch_size:
            yield _finish(source, reader, platform, rows, lines, records, slow)
            rows, lines, records, slow = [], [], [], []
    if rows or slow or records:
        yield _finish(source, reader, platform, rows, lines, records, slow)


def _utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _finish(
    source: Source,
    reader: Reader,
    platform: str,
    rows: list[Row],
    lines: list[tuple[int, bytes]],
    records: list[Record],
    slow: list[tuple[int, bytes]],
) -> ColumnBatch:
    cols = list(zip(*rows, strict=True)) if rows else [()] * len(_ROW_COLUMNS)
    created, bad = _times(list(cols[5]), platform)
    if bad:  # times the batch parse cannot take exactly: those lines take the reader's code
        keep = pc.invert(pa.array([i in bad for i in range(len(rows))]))
        slow.extend(lines[i] for i in sorted(bad))
        rows = [r for i, r in enumerate(rows) if i not in bad]
        lines = [x for i, x in enumerate(lines) if i not in bad]
        cols = list(zip(*rows, strict=True)) if rows else [()] * len(_ROW_COLUMNS)
        created = created.filter(keep)
    for lineno, line in slow:
        records.extend(line_records(source, reader, lineno, line))
    records.sort(key=_line_of)
    n = len(rows)
    data: dict[str, Any] = {"platform": pa.array([platform] * n, pa.string())}
    for name, values in zip(_ROW_COLUMNS, cols, strict=True):
        data[name] = created if name == "created_at" else values
    data["format"] = pa.array([reader.name] * n, pa.string())
    data["source_file"] = pa.array([source.name] * n, pa.string())
    data["source_line"] = pa.array([x[0] for x in lines], pa.int64())
    return ColumnBatch(pa.table({k: data[k] for k in COLUMNS.names}, schema=COLUMNS), records)


def _line_of(rec: Record) -> int:
    return getattr(rec, "source_line", None) or getattr(rec, "line", 0)


def _times(values: list[Any], platform: str) -> tuple[pa.Array, set[int]]:
    """UTC times (naive, microseconds) for a batch, and the rows whose time the per-record
    parse refuses (out of range). Values in the regular shapes are parsed for the whole batch;
    the rest one by one, exactly as the reader does."""
    unit = pa.timestamp("us")
    if platform == "reddit":
        ints = pa.array([v if type(v) is int else None for v in values], pa.int64())
        ok = pc.and_(pc.greater_equal(ints, 0), pc.less(ints, _MAX_EPOCH))
        out = pc.cast(pc.multiply(pc.if_else(ok, ints, 0), 1_000_000), pa.int64()).cast(unit)
    else:
        strs = pa.array(values, pa.string())
        out = None
        for fmt in ("%Y-%m-%dT%H:%M:%S.000Z", "%a %b %d %H:%M:%S +0000 %Y"):
            parsed = pc.strptime(strs, format=fmt, unit="us", error_is_null=True)
            # the batch parse rolls 30 February over to March: keep only exact round trips
            exact = pc.equal(pc.strftime(parsed, format=fmt, locale="C"), strs)
            parsed = pc.if_else(exact, parsed, pa.scalar(None, unit))
            out = parsed if out is None else pc.coalesce(out, parsed)
        ok = pc.is_valid(out)
    ok = pc.fill_null(ok, False)
    todo = pc.indices_nonzero(pc.invert(ok)).to_pylist()
    if not todo:
        return out, set()
    bad: set[int] = set()
    fixed = out.to_pylist()
    for i in todo:  # the per-record parse, exactly as the reader does it
        try:
            dt = parse_time(values[i])
        except ValueError:
            bad.add(i)
            continue
        fixed[i] = None if dt is None else dt.astimezone(UTC).replace(tzinfo=None)
    return pa.array(fixed, unit), bad
