"""Tweet tables written by tools: twarc-csv CSV, and twitwi / minet / gazouilloire CSV and JSON.

Both CSV flavours are told apart by their header. Rows are streamed: a row may span several lines
(quoted newlines), each row is decoded as strict UTF-8 on its own, so a bad byte, an oversized row
or one with more or fewer fields than the header quarantines that row, with the line it starts on,
and reading goes on. A column name the header repeats keeps its first column. A row with a
retweeted id is a repost edge. twitwi writes a retweet's text as ``RT @user: <full original
text>`` with the original's id, author and time, so the original is also stored as a post (as the
JSON readers do); twarc-csv keeps no time for the original, so only the edge is kept there.

twitwi's normalised tweets are also written as JSON: minet's JSONL, twitwi's JSON arrays, and
gazouilloire's Elasticsearch hits (``{"_id": ..., "_source": {...}}``); ``TwitwiJsonReader`` reads
those with the same mapping.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from typing import Any

import orjson

from groundswell.ingest.csv_rows import iter_csv_rows, row_dict
from groundswell.ingest.fields import is_tweet_id, ref_tweet_id, stated_time
from groundswell.ingest.registry import Head, JsonReader, Reader, guarded, quarantine
from groundswell.ingest.source import MAX_LINE_BYTES, Source
from groundswell.ingest.twitter_v1 import first_key
from groundswell.schema import (
    Post,
    Quarantined,
    Record,
    hashtags_in_text,
    merge_hashtags,
    metrics_of,
)

_TWARC_NEEDS = frozenset(("id", "created_at", "text", "author_id"))
_TWARC_MARKS = frozenset(("referenced_tweets.retweeted.id", "author.username", "conversation_id"))
_TWITWI_NEEDS = frozenset(("id", "timestamp_utc", "user_screen_name", "text"))
_TWARC_METRICS = (
    "retweet_count",
    "reply_count",
    "like_count",
    "quote_count",
    "impression_count",
    "bookmark_count",
)
_WRAPPER_KEYS = frozenset(("normalized", "request", "interactions", "version"))
_TWITWI_METRICS = ("retweet_count", "like_count", "reply_count", "quote_count", "impression_count")


def _flavour(columns: list[str] | set[str]) -> str | None:
    cols = set(columns)
    if cols >= _TWITWI_NEEDS:
        return "twitwi"
    if cols >= _TWARC_NEEDS and cols & _TWARC_MARKS:
        return "twarc"
    return None


class TwitterCsvReader(Reader):
    """CSV from twarc-csv (``twarc2 csv``) and from twitwi, minet and gazouilloire."""

    name = "twitter_csv"
    platform = "twitter"
    max_record_bytes: int = MAX_LINE_BYTES  # a row above this is quarantined

    def sniff(self, head: Head) -> float:
        return 0.95 if _flavour(head.csv_header) else 0.0

    def read(self, source: Source) -> Iterator[Record]:
        header: list[str] | None = None
        flavour: str | None = None
        for item in iter_csv_rows(source, self.name, limit=self.max_record_bytes):
            if isinstance(item, Quarantined):
                yield item
                continue
            lineno, row = item
            if header is None:
                header = [c.strip() for c in row]
                flavour = _flavour(header)
                if flavour is None:
                    yield quarantine(
                        source,
                        lineno,
                        "not a twarc-csv or twitwi tweet CSV header",
                        ",".join(row).encode(),
                        self.name,
                    )
                    return
                continue
            if len(row) != len(header):
                yield quarantine(
                    source,
                    lineno,
                    f"CSV row has {len(row)} fields, the header {len(header)}",
                    ",".join(row).encode("utf-8", "surrogateescape"),
                    self.name,
                )
                continue
            values = row_dict(header, row)
            if flavour == "twarc":
                yield from guarded(
                    source, self.name, lineno, values, self._twarc_row, lineno, values
                )
            else:
                yield from guarded(
                    source,
                    self.name,
                    lineno,
                    values,
                    twitwi_posts,
                    lineno,
                    values,
                    _split_bar,
                    self.name,
                )

    def _twarc_row(self, source: Source, lineno: int, row: dict[str, str]) -> Iterator[Record]:
        tid = _id(row.get("id"))
        text = row.get("text")
        if why := _id_problem(tid):
            yield quarantine(source, lineno, why, row, self.name)
            return
        if text is None or (text == "" and not row.get("referenced_tweets.retweeted.id")):
            yield quarantine(source, lineno, f"tweet {tid} without text", row, self.name)
            return
        if why := _ref_problem(row, _TWARC_REFS):
            yield quarantine(source, lineno, why, row, self.name)
            return
        text = html.unescape(text.replace("\\n", "\n"))  # twarc-csv writes newlines as \n
        username = row.get("author.username") or None
        metrics = _metrics(row, _TWARC_METRICS, prefix="public_metrics.")
        yield Post(
            platform="twitter",
            id=tid,
            text=text,
            created_at=stated_time(row.get("created_at")),
            author=_id(row.get("author_id") or row.get("author.id")),
            author_name=username,
            url=f"https://twitter.com/{username or 'i/web'}/status/{tid}",
            lang=row.get("lang") or None,
            hashtags=merge_hashtags(
                _json_list(row.get("entities.hashtags")), hashtags_in_text(text)
            ),
            mentions=[m.lstrip("@") for m in _json_list(row.get("entities.mentions")) if m],
            urls=[u for u in _json_list(row.get("entities.urls")) if u],
            reply_to=_id(row.get("referenced_tweets.replied_to.id")),
            quote_of=_id(row.get("referenced_tweets.quoted.id")),
            repost_of=_id(row.get("referenced_tweets.retweeted.id")),
            metrics=metrics,
            source_file=source.name,
            source_line=lineno,
            format=self.name,
        )


class TwitwiJsonReader(JsonReader):
    """twitwi-normalised tweets: JSONL (minet), JSON arrays, Elasticsearch hits (gazouilloire)."""

    name = "twitwi_json"
    platform = "twitter"

    def sniff(self, head: Head) -> float:
        obj = head.first_record
        if isinstance(obj, dict):
            obj = obj.get("_source", obj)
            return 0.9 if isinstance(obj, dict) and _is_twitwi(obj) else 0.0
        txt = head.json_text
        if (
            '"user_screen_name"' in txt
            and '"timestamp_utc"' in txt
            and '"local_time"' in txt
            and first_key(txt) not in _WRAPPER_KEYS
        ):
            return 0.8
        return 0.0

    def read_value(self, source: Source, lineno: int, obj: Any) -> Iterator[Record]:
        if isinstance(obj, list):
            for i, value in enumerate(obj, start=1):
                line = lineno if lineno > 1 else i
                yield from guarded(source, self.name, line, value, self.read_value, line, value)
            return
        if not isinstance(obj, dict):
            yield quarantine(source, lineno, "not a JSON object", obj, self.name)
            return
        hits = obj.get("hits")
        if isinstance(hits, dict) and isinstance(hits.get("hits"), list):  # an ES search response
            yield from self.read_value(source, lineno, hits["hits"])
            return
        doc = obj.get("_source")
        if isinstance(doc, dict):
            if "id" not in doc and obj.get("_id"):
                doc = {**doc, "id": obj["_id"]}
            obj = doc
        elif "_id" in obj and ("_source" in obj or "_index" in obj):  # a hit that lost its tweet
            yield quarantine(source, lineno, "search hit without its document", obj, self.name)
            return
        if _is_twitwi(obj) or ("text" in obj and obj.keys() & _TWEET_KEYS):
            # a tweet, even one that lost a field (twitwi_posts quarantines it if need be)
            yield from twitwi_posts(source, lineno, obj, _as_list, self.name)
        elif obj and not ("screen_name" in obj and "text" not in obj):
            # a record of another format (a twarc2 page, a Reddit comment): kept, not passed
            # over; a normalised user is no post
            keys = ", ".join(sorted(map(str, obj))[:6]) + (", ..." if len(obj) > 6 else "")
            yield quarantine(source, lineno, f"not a twitwi tweet: keys {keys}", obj, self.name)


_TWEET_KEYS = frozenset(("timestamp_utc", "user_screen_name", "local_time", "retweet_count"))


def _is_twitwi(obj: dict) -> bool:
    return "timestamp_utc" in obj and "user_screen_name" in obj and "text" in obj


def twitwi_posts(
    source: Source, lineno: int, tw: dict[str, Any], as_list: Callable[[Any], list[str]], fmt: str
) -> Iterator[Record]:
    """Posts from one twitwi-normalised tweet (a CSV row or a JSON object).

    A retweet yields its original (rebuilt from the ``RT @user: `` text and the retweeted_*
    fields) and then the repost edge.
    """
    tid = _id(tw.get("id"))
    text = tw.get("text")
    if why := _id_problem(tid):
        yield quarantine(source, lineno, why, tw, fmt)
        return
    if not isinstance(text, str):
        yield quarantine(source, lineno, f"tweet {tid} without text", tw, fmt)
        return
    if why := _ref_problem(tw, _TWITWI_REFS):
        yield quarantine(source, lineno, why, tw, fmt)
        return
    username = tw.get("user_screen_name") or None
    hashtags = as_list(tw.get("hashtags"))
    mentions = as_list(tw.get("mentioned_names"))
    rt_id = _id(tw.get("retweeted_id"))
    if rt_id:
        rt_user = tw.get("retweeted_user") or ""
        prefix = f"RT @{rt_user}: "
        if rt_user and text.startswith(prefix):
            body = text[len(prefix) :]
            yield Post(
                platform="twitter",
                id=rt_id,
                text=body,
                created_at=stated_time(
                    tw.get("retweeted_timestamp_utc"), "retweeted_timestamp_utc", "s"
                ),
                author=_id(tw.get("retweeted_user_id")),
                author_name=rt_user,
                url=f"https://twitter.com/{rt_user}/status/{rt_id}",
                lang=tw.get("lang") or None,
                hashtags=merge_hashtags(hashtags, hashtags_in_text(body)),
                mentions=[m for m in mentions if m.casefold() != rt_user.casefold()],
                urls=as_list(tw.get("links")),
                source_file=source.name,
                source_line=lineno,
                format=fmt,
            )
    metrics = _metrics(tw, _TWITWI_METRICS)
    yield Post(
        platform="twitter",
        id=tid,
        text=text,
        created_at=stated_time(tw.get("timestamp_utc"), "timestamp_utc", "s"),
        author=_id(tw.get("user_id")),
        author_name=username,
        url=tw.get("url") or f"https://twitter.com/{username or 'i/web'}/status/{tid}",
        lang=tw.get("lang") or None,
        hashtags=merge_hashtags(hashtags, hashtags_in_text(text)),
        mentions=mentions,
        urls=as_list(tw.get("links")),
        reply_to=_id(tw.get("to_tweetid")),
        quote_of=_id(tw.get("quoted_id")),
        repost_of=rt_id,
        metrics=metrics,
        source_file=source.name,
        source_line=lineno,
        format=fmt,
    )


def _id(value: Any) -> str | None:
    """An id as a string ('' and None are None; a pandas float id ``123.0`` loses its ``.0``)."""
    if value is None or isinstance(value, bool):
        return None
    s = str(value).strip()
    if s.endswith(".0") and s[:-2].isdigit():
        s = s[:-2]
    return s or None


def _id_problem(tid: str | None) -> str | None:
    """Why a tweet id cannot be kept: missing, or not a tweet id (``fields.is_tweet_id``):
    ``1.3470858675848e+18``, from a spreadsheet, has lost its last digits and would name another
    tweet, and more than 20 digits name none."""
    if not tid:
        return "tweet without id"
    if not is_tweet_id(tid):
        return f"tweet id {tid[:40]!r} is not a whole number"
    return None


_TWARC_REFS = tuple(f"referenced_tweets.{k}.id" for k in ("replied_to", "quoted", "retweeted"))
_TWITWI_REFS = ("to_tweetid", "quoted_id", "retweeted_id")


def _ref_problem(row: dict[str, Any], columns: tuple[str, ...]) -> str | None:
    """Why a row cannot be kept for a tweet it refers to (``fields.ref_tweet_id``): a reply,
    quote or retweet id that names no tweet would store a wrong edge; an empty cell is no
    reference."""
    for column in columns:
        try:
            ref_tweet_id(_id(row.get(column)), column)
        except ValueError as exc:
            return str(exc)
    return None


def _metrics(row: dict, keys: tuple[str, ...], prefix: str = "") -> dict[str, int]:
    """The engagement counts present in a row (``prefix + key`` columns), as ``metric`` keeps
    them."""
    return metrics_of(row, {prefix + key: key for key in keys})


def _json_list(value: str | None) -> list[str]:
    """twarc-csv's JSON-encoded lists (``["#a", "#b"]``); [] when empty or not a list."""
    if not value:
        return []
    try:
        parsed = orjson.loads(value)
    except orjson.JSONDecodeError:
        return []
    return [str(v) for v in parsed if v is not None] if isinstance(parsed, list) else []


def _split_bar(value: Any) -> list[str]:
    """twitwi's '|'-joined CSV lists."""
    return [v for v in str(value).split("|") if v] if value else []


def _as_list(value: Any) -> list[str]:
    """twitwi's JSON lists (a '|'-joined string is accepted too)."""
    if isinstance(value, list):
        return [str(v) for v in value if v not in (None, "")]
    return _split_bar(value)
