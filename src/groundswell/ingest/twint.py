"""twint's tweet output: its JSON (one object per line) and its CSV, comma- or tab-separated.

twint wrote the same columns in both: ``id``, ``conversation_id``, ``created_at``, ``date``,
``time``, ``timezone``, ``user_id``, ``username``, ``tweet``, the counts (``replies_count``...),
``hashtags``, ``mentions``, ``urls``, ``quote_url``, ``retweet`` and the ``user_rt*`` /
``retweet_*`` columns. In the CSV, lists are Python literals (``['metoo']``) and booleans
``True``/``False``; from October 2020 the CSV is tab-separated even in a ``.csv`` file. Two
generations differ, and the reader tells them apart by ``created_at``:

* Until 2020 twint scraped web pages: ``created_at`` is epoch milliseconds and the text is plain.
  A retweet row holds the *original* tweet (its id, author and text); ``user_rt_id``/``user_rt``
  name who retweeted and ``retweet_id`` is the retweet's own id (empty when a profile was
  scraped). The row is stored as the original post, plus a repost when the retweet's id is known.
* From October 2020 it read Twitter's API: ``created_at`` is ``"2017-10-16 02:00:00 CEST"`` in
  the scraping machine's zone and the text is the API's, HTML-escaped like v1.1 (undone here, as
  the other Twitter readers do). A retweet row is the retweet itself: ``retweet_id`` is the
  original's id, ``user_rt_id`` its author and ``user_rt`` its text, so the row is a repost and
  the original is stored from those columns.

A local time is made UTC by its own offset when it names one (``UTC``, ``+0200``), else by the
offset the tweet id's own timestamp shows (ids since November 2010 carry their UTC millisecond),
else by the ``timezone`` column. twint keeps no id of the tweet a reply answers, so ``reply_to``
stays empty; the accounts it answers are among the mentions, as in v1.1 entities. A row whose id,
``retweet_id``, ``quote_id`` or ``quote_url`` status names no tweet (``1.2e+18``, a handle) is
quarantined with the reason; a ``quote_url`` that links to no status names no quote. twint put a
space before each ``http`` and turned newlines into spaces in the text: that text is kept as it is.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from groundswell.ingest.fields import (
    first_text,
    is_tweet_id,
    numeric_id,
    ref_tweet_id,
    shown,
    snowflake_time,
    stated_time,
)
from groundswell.ingest.generic import csv_records
from groundswell.ingest.registry import (
    Head,
    JsonReader,
    quarantine,
)
from groundswell.ingest.source import Source
from groundswell.ingest.twitter_v2 import unescape
from groundswell.schema import (
    Post,
    Record,
    hashtags_in_text,
    merge_hashtags,
    metrics_of,
)

# the columns every twint version wrote, and those only twint writes (at least two of them)
_NEEDS = frozenset(("id", "tweet", "username"))
_MARKS = frozenset(("conversation_id", "replies_count", "retweets_count", "likes_count"))
_METRICS = {
    "replies_count": "reply_count",
    "retweets_count": "retweet_count",
    "likes_count": "like_count",
}
_LOCAL_TIME = re.compile(r"(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.\d+)?(?:\s*(\S.*))?")
_EPOCH = re.compile(r"\d+(?:\.\d+)?")  # epoch milliseconds (a float when pandas wrote them)
_OFFSET = re.compile(r"(?:UTC|GMT)?([+-])(\d\d):?(\d\d)")
_STATUS = re.compile(r"/status(?:es)?/([^/?#\s]+)")
_RT_PREFIX = re.compile(r"RT @(\w+): ")
_MAX_OFFSET = 14 * 3600
_MAX_LITERAL = 100_000  # a list cell longer than this is not parsed


def _is_twint(columns: Any) -> bool:
    """Whether a record's keys (or a CSV header) are twint's."""
    keys = set(columns)
    return keys >= _NEEDS and len(keys & _MARKS) >= 2


class TwintReader(JsonReader):
    """twint ``--json`` output (JSON lines) and ``--csv`` output (comma- or tab-separated)."""

    name = "twint"
    platform = "twitter"

    def sniff(self, head: Head) -> float:
        obj = head.first_record
        if isinstance(obj, dict):
            return 0.95 if _is_twint(obj) else 0.0
        if head.csv_header:
            return 0.95 if _is_twint(head.csv_header) else 0.0
        txt = head.json_text  # a first line too long for the head: all of twint's keys
        return 0.8 if all(f'"{k}"' in txt for k in (*_NEEDS, *_MARKS)) else 0.0

    def read(self, source: Source) -> Iterator[Record]:
        if source.head().lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
            yield from super().read(source)
            return
        yield from csv_records(source, self.name, self._posts)

    def read_value(self, source: Source, lineno: int, obj: Any) -> Iterator[Record]:
        if not isinstance(obj, dict):
            yield quarantine(source, lineno, "not a JSON object", obj, self.name)
        elif "tweet" not in obj and "id" not in obj:
            keys = ", ".join(sorted(map(str, obj))[:6])
            yield quarantine(source, lineno, f"not a twint tweet: keys {keys}", obj, self.name)
        else:
            yield from self._posts(source, lineno, obj)

    def _posts(self, source: Source, lineno: int, tw: dict[str, Any]) -> Iterator[Record]:
        """The posts of one twint tweet (a JSON object or a CSV row, whose values are text)."""
        tid = numeric_id(tw.get("id"))
        text = tw.get("tweet")
        if not is_tweet_id(tid):
            why = f"tweet without an id of digits (id {shown(tw.get('id'))})"
            yield quarantine(source, lineno, why, tw, self.name)
            return
        if not isinstance(text, str):
            yield quarantine(source, lineno, f"tweet {tid} without text", tw, self.name)
            return
        created = tw.get("created_at")
        api_era = isinstance(created, str) and not _EPOCH.fullmatch(created.strip())
        if api_era:
            text = unescape(text)
        at = _time(tw, tid)
        rt_id = ref_tweet_id(tw.get("retweet_id"), "retweet_id")
        author, username = numeric_id(tw.get("user_id")), first_text(tw.get("username"))
        post = Post(
            platform="twitter",
            id=tid,
            text=text,
            created_at=at,
            author=author,
            author_name=username,
            url=first_text(tw.get("link"))
            or f"https://twitter.com/{username or 'i/web'}/status/{tid}",
            lang=first_text(tw.get("language")),
            hashtags=merge_hashtags(_listed(tw.get("hashtags")), hashtags_in_text(text)),
            mentions=_mentions(tw, author, username),
            urls=[u for u in _listed(tw.get("urls")) if isinstance(u, str) and u],
            quote_of=ref_tweet_id(tw.get("quote_id"), "quote_id") or _quoted(tw.get("quote_url")),
            metrics=metrics_of(tw, _METRICS),
            source_file=source.name,
            source_line=lineno,
            format=self.name,
        )
        if not _flag(tw.get("retweet")):
            yield post
            return
        if api_era:  # the row is the retweet; its original is named by retweet_id
            if rt_id is None:
                why = f"retweet {tid} without the original's id ({shown(tw.get('retweet_id'))})"
                yield quarantine(source, lineno, why, tw, self.name)
                return
            original = _original(tw, rt_id, post)
            if original is not None:
                yield original
            post.repost_of = rt_id
            yield post
            return
        # the row is the original; retweet_id (when known) is the retweet's own id
        yield post
        if rt_id is not None and rt_id != tid:
            yield _retweet(tw, rt_id, post)


def _retweet(tw: dict[str, Any], rt_id: str, original: Post) -> Post:
    """The retweet a page-era row names beside its original (who retweeted, in ``user_rt_id``
    and ``user_rt``), timed by its id."""
    name = first_text(tw.get("user_rt"))
    return Post(
        platform="twitter",
        id=rt_id,
        text=original.text,
        created_at=snowflake_time(rt_id),
        author=numeric_id(tw.get("user_rt_id")),
        author_name=name,
        url=f"https://twitter.com/{name or 'i/web'}/status/{rt_id}",
        repost_of=original.id,
        source_file=original.source_file,
        source_line=original.source_line,
        format=original.format,
    )


def _original(tw: dict[str, Any], rt_id: str, retweet: Post) -> Post | None:
    """The retweeted tweet as an API-era row describes it (its text in ``user_rt``, its author in
    ``user_rt_id``), or None when the row does not hold its text."""
    body = tw.get("user_rt")
    if not isinstance(body, str) or not body:
        return None
    body = unescape(body)
    prefix = _RT_PREFIX.match(retweet.text)
    name = prefix.group(1) if prefix else None
    when = tw.get("retweet_date")
    return Post(
        platform="twitter",
        id=rt_id,
        text=body,
        created_at=_local_time(when, rt_id, tw.get("timezone"))
        if isinstance(when, str) and when
        else snowflake_time(rt_id),
        author=numeric_id(tw.get("user_rt_id")),
        author_name=name,
        url=f"https://twitter.com/{name or 'i/web'}/status/{rt_id}",
        lang=retweet.lang,
        hashtags=hashtags_in_text(body),
        mentions=[m for m in retweet.mentions if m != name],
        source_file=retweet.source_file,
        source_line=retweet.source_line,
        format=retweet.format,
    )


def _flag(value: Any) -> bool:
    """twint's ``retweet``: true in JSON, ``True`` in the CSV (1 in its first versions)."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return value is True or (type(value) is int and value == 1)


def _listed(value: Any) -> list[Any]:
    """A list column: a JSON list, or the Python literal the CSV holds (``['a', 'b']``); [] for
    anything else."""
    if isinstance(value, str):
        text = value.strip()
        if not text.startswith("[") or len(text) > _MAX_LITERAL:
            return []
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return []
    return value if isinstance(value, list) else []


def _names(values: list[Any]) -> list[str]:
    """Screen names from twint's user lists: names, or objects with ``screen_name``/``username``
    (and an ``id``/``user_id``)."""
    out = []
    for v in values:
        if isinstance(v, dict):
            v = first_text(v.get("screen_name"), v.get("username"))
        if isinstance(v, str) and v.strip().lstrip("@"):
            out.append(v.strip().lstrip("@"))
    return out


def _mentions(tw: dict[str, Any], author: str | None, username: str | None) -> list[str]:
    """The accounts a tweet answers (``reply_to``, the author left out) then those it mentions,
    once each, as v1.1 entities list them."""
    answered = [
        v
        for v in _listed(tw.get("reply_to"))
        if not (
            isinstance(v, dict)
            and (
                (author is not None and numeric_id(v.get("id") or v.get("user_id")) == author)
                or (username and first_text(v.get("screen_name"), v.get("username")) == username)
            )
        )
    ]
    return list(dict.fromkeys(_names(answered) + _names(_listed(tw.get("mentions")))))


def _quoted(value: Any) -> str | None:
    """The quoted tweet's id, from ``quote_url`` (``https://twitter.com/user/status/123``); a
    link to a status whose id names no tweet (``/status/1.2e+18``) raises ValueError."""
    if not isinstance(value, str):
        return None
    match = _STATUS.search(value)
    return ref_tweet_id(match.group(1), "quote_url status id") if match else None


def _time(tw: dict[str, Any], tid: str) -> datetime | None:
    """When the tweet was posted, in UTC: ``created_at`` (epoch milliseconds, or a local time),
    else ``date`` and ``time``; None when the row has neither. A value that is no time raises."""
    value = tw.get("created_at")
    if value is None or value == "":
        date, clock = tw.get("date"), tw.get("time")
        if not (isinstance(date, str) and date and isinstance(clock, str) and clock):
            return None
        value = f"{date} {clock}"
    if isinstance(value, str) and not _EPOCH.fullmatch(value.strip()):
        return _local_time(value, tid, tw.get("timezone"))
    at = stated_time(value, "created_at", "ms")  # epoch milliseconds
    if at is None:
        raise ValueError(f"created_at {shown(value)} is not a time")
    return at


def _local_time(value: str, tid: str, zone_column: Any) -> datetime:
    """A twint local time (``2017-10-16 02:00:00 CEST``) in UTC; raises when it is no time or no
    offset can be found for it."""
    match = _LOCAL_TIME.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"created_at {value[:40]!r} is not a time")
    try:
        wall = datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}")
    except ValueError:
        raise ValueError(f"created_at {value[:40]!r} is not a time") from None
    zone = match.group(3)
    offset = _offset(zone) if zone else None
    if offset is None:
        offset = _snowflake_offset(tid, wall)
    if offset is None and isinstance(zone_column, str):
        offset = _offset(zone_column)
    if offset is None:
        raise ValueError(f"created_at {value[:40]!r}: no UTC offset for its zone")
    return (wall - offset).replace(tzinfo=UTC)


def _offset(zone: str) -> timedelta | None:
    """The offset a zone names outright (``UTC``, ``GMT``, ``Z``, ``+0200``, ``-05:00``), else
    None (an abbreviation such as ``CET`` names no one offset)."""
    zone = zone.strip()
    if zone.upper() in ("UTC", "GMT", "Z", "+0000", "-0000"):
        return timedelta(0)
    match = _OFFSET.fullmatch(zone)
    if match is None:
        return None
    sign = -1 if match.group(1) == "-" else 1
    return sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))


def _snowflake_offset(tid: str, wall: datetime) -> timedelta | None:
    """The offset between a local time and the UTC time of the tweet's id, when the two are the
    same instant in some zone (a whole quarter of an hour apart, within 14 hours)."""
    utc = snowflake_time(tid)
    if utc is None:
        return None
    diff = (wall - utc.replace(tzinfo=None)).total_seconds()
    quarter = round(diff / 900) * 900
    if abs(diff - quarter) > 2 or abs(quarter) > _MAX_OFFSET:
        return None
    return timedelta(seconds=quarter)
