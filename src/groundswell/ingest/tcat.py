"""DMI-TCAT's export of a query bin's tweets ("export all tweets from selection"), CSV or TSV.

TCAT, the Digital Methods Initiative's Twitter Capture and Analysis Toolset, writes a byte-order
mark, the header ``id,time,created_at,from_user_name,text,filter_level,...,from_user_id,...``
(then ``urls,urls_expanded,...``, ``media_id,media_urls,...``, ``mentions`` and ``hashtags`` when
those options were ticked) and one tweet a line. Its text has had its HTML entities decoded and
its newlines and tabs turned into spaces: it is kept as it is. ``created_at`` is UTC
(``2017-10-16 09:15:22``), ``time`` the same in epoch seconds; lists are joined by ``; ``; the
author is ``from_user_id``, and without a ``mentions`` column the mentions are read from the text.

The export names no retweet's original: TCAT stores a retweet's text as ``RT @user: `` and the
original's whole text, so a row whose text opens so is a repost of an unknown original, as a
retweet in a Twitter archive is. A dump of the bin's ``_tweets`` table (no ``time``, but
``retweet_id``, ``to_user_id``, ``geo_lat``...; its text still HTML-escaped, undone here) is read
alike, and there ``retweet_id`` names the original, which is stored too from the ``RT @user: ``
text, timed by its id. An id cell that is empty, ``0``, or a dump's ``NULL`` or ``\\N`` names no
tweet; one that holds anything else quarantines its row, as an id that is not a whole number or
a time that is no time does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from groundswell.ingest.fields import (
    RETWEET_TEXT,
    first_text,
    id_cell,
    is_tweet_id,
    mentions_in_text,
    numeric_id,
    shown,
    snowflake_time,
    stated_time,
)
from groundswell.ingest.generic import csv_records
from groundswell.ingest.registry import Head, Reader, quarantine
from groundswell.ingest.source import Source
from groundswell.ingest.twitter_archive import UNKNOWN_ORIGINAL
from groundswell.ingest.twitter_v2 import unescape
from groundswell.schema import Post, Record, hashtags_in_text, merge_hashtags, metrics_of

_NEEDS = frozenset(("id", "created_at", "from_user_name", "text"))
# columns only TCAT names so (its export and its table share them); two must be there
_MARKS = frozenset(
    ("from_user_id", "from_user_realname", "from_user_tweetcount", "filter_level", "to_user_name")
)
_METRICS = {"retweet_count": "retweet_count", "favorite_count": "like_count"}
_NO_TWEET = frozenset(("", "0", "NULL", "\\N"))


def _is_tcat(columns: list[str]) -> bool:
    """Whether a CSV header is TCAT's (its export's or its tweets table's)."""
    cols = set(columns)
    return cols >= _NEEDS and len(cols & _MARKS) >= 2


class TcatReader(Reader):
    """DMI-TCAT's CSV or TSV export of tweets, and a CSV dump of a bin's tweets table."""

    name = "tcat"
    platform = "twitter"

    def sniff(self, head: Head) -> float:
        return 0.95 if _is_tcat(head.csv_header) else 0.0

    def read(self, source: Source) -> Iterator[Record]:
        yield from csv_records(source, self.name, self._posts)

    def _posts(self, source: Source, lineno: int, row: dict[str, str]) -> Iterator[Record]:
        """The records of one row: its post, or a retweet's repost (after its original when the
        row names it)."""
        tid = numeric_id(row.get("id"))
        if not is_tweet_id(tid):
            why = f"tweet id {shown(row.get('id'))} is not a whole number"
            yield quarantine(source, lineno, why, row, self.name)
            return
        exported = "time" in row  # the export; a table dump has no ``time`` and escaped text
        text = row.get("text") or ""
        text = text if exported else unescape(text)
        handle = first_text(row.get("from_user_name"))
        retweet = RETWEET_TEXT.match(text)
        if exported:
            original = UNKNOWN_ORIGINAL if retweet else None
        else:
            original = id_cell(row, "retweet_id", _NO_TWEET)
        post = Post(
            platform="twitter",
            id=tid,
            text=text,
            created_at=stated_time(row.get("created_at")) or stated_time(row.get("time"), "time"),
            author=numeric_id(row.get("from_user_id")),
            author_name=handle,
            url=f"https://twitter.com/{handle or 'i/web'}/status/{tid}",
            lang=first_text(row.get("lang")),
            hashtags=merge_hashtags(_listed(row.get("hashtags")), hashtags_in_text(text)),
            mentions=_listed(row["mentions"]) if "mentions" in row else mentions_in_text(text),
            urls=_listed(row.get("urls_expanded") or row.get("urls")),
            reply_to=id_cell(row, "in_reply_to_status_id", _NO_TWEET),
            quote_of=id_cell(row, "quoted_status_id", _NO_TWEET),
            repost_of=original,
            metrics=metrics_of(row, _METRICS),
            source_file=source.name,
            source_line=lineno,
            format=self.name,
        )
        if original not in (None, UNKNOWN_ORIGINAL) and retweet:
            yield _original(post, original, retweet)
        yield post


def _listed(value: str | None) -> list[str]:
    """The items of a ``; ``-joined cell."""
    return [v.strip() for v in (value or "").split(";") if v.strip()]


def _original(retweet: Post, original_id: str, prefix: re.Match[str]) -> Post:
    """The retweeted tweet, from the ``RT @user: <its text>`` a table dump keeps."""
    text, handle = retweet.text[prefix.end() :], prefix.group(1)
    return Post(
        platform="twitter",
        id=original_id,
        text=text,
        created_at=snowflake_time(original_id),
        author_name=handle,
        url=f"https://twitter.com/{handle}/status/{original_id}",
        lang=retweet.lang,
        hashtags=hashtags_in_text(text),
        mentions=mentions_in_text(text),
        source_file=retweet.source_file,
        source_line=retweet.source_line,
        format=retweet.format,
    )
