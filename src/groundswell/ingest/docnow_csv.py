"""Tweets hydrated by DocNow's tools: the Hydrator's CSV export and twarc 1's ``json2csv``.

Both write one v1.1 tweet per row (the Hydrator's export began as a copy of json2csv), so one
mapping reads both; their headers tell them apart:

* Hydrator (``coordinates,created_at,hashtags,...``): ``retweet_id`` (``reweet_id`` up to
  v0.0.12, 2020) and ``retweet_screen_name`` name a retweet's original, ``quote_id`` (v0.2.0,
  2021) the quoted tweet, ``user_id`` (v0.3.0) the author; before v0.3.0 the author is known by
  handle only (the header named ``user_screen_name`` twice). Until v0.1.0 (2021) it wrote
  ``in_reply_to_status_id`` from a JavaScript number, which keeps 53 bits: in a file without
  ``quote_id``, a larger id written as JavaScript prints a number has lost its last digits and
  names no tweet, so it is left out.
* twarc's json2csv (``id,tweet_url,created_at,...`` since October 2017): ``tweet_type`` (original,
  reply, retweet, quote) says what ``retweet_or_quote_id`` (``reweet_or_quote_id`` until May
  2018) names; a reply that quotes is typed reply and keeps its quote. Its columns of early
  October 2017 had ``reweet_id`` for retweets only. ``-e`` adds columns at the end: ignored.

Lists (``hashtags``, ``urls``) are separated by spaces; ``created_at`` is v1.1's ``Mon Oct 16
00:00:00 +0000 2017``, and one that is no time quarantines its row, as an id that is not a tweet id
does (its own, or a reply's, retweet's or quote's: ``1.2e+18``, a handle, 21 digits). The text is
v1.1's, HTML-escaped (undone, as in the other Twitter readers); the accounts it mentions are read
from it, as neither tool lists them. A retweet row is a repost of its original. Since json2csv of
mid-2020 and Hydrator v0.2.0 its text is the original's whole text: the original is then stored
too, timed by its id and without counts (the row's are not all the original's); before, the text is
the retweet's own ``RT @user: ...``, cut short when long, and only the repost is kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import ClassVar

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
from groundswell.ingest.twitter_v2 import unescape
from groundswell.schema import Post, Record, hashtags_in_text, merge_hashtags, metrics_of

_NEEDS = frozenset(("id", "created_at", "text", "user_screen_name", "tweet_url"))
_ORIGINAL_NAMES = frozenset(("retweet_screen_name", "retweet_or_quote_screen_name"))
_METRICS = {"favorite_count": "like_count", "retweet_count": "retweet_count"}
_EXACT_IN_A_DOUBLE = 2**53


def _flavour(columns: list[str]) -> str | None:
    """``"hydrator"`` or ``"json2csv"`` for a header of one of DocNow's tweet tables, else None.

    json2csv put ``id`` first from October 2017 and added ``tweet_type``; the Hydrator kept the
    earlier, mostly alphabetical order that starts with ``coordinates``."""
    cols = set(columns)
    if not (cols >= _NEEDS and cols & _ORIGINAL_NAMES):
        return None
    return "json2csv" if columns[:1] == ["id"] or "tweet_type" in cols else "hydrator"


class _DocNowReader(Reader):
    """A reader of one of the two tables; ``kind`` is its ``_flavour``."""

    platform = "twitter"
    kind: ClassVar[str] = ""

    def sniff(self, head: Head) -> float:
        return 0.95 if _flavour(head.csv_header) == self.kind else 0.0

    def read(self, source: Source) -> Iterator[Record]:
        yield from csv_records(source, self.name, self._posts)

    def _posts(self, source: Source, lineno: int, row: dict[str, str]) -> Iterator[Record]:
        """The records of one row: its post, or a retweet's repost (after its original when the
        row holds the original's whole text)."""
        tid = numeric_id(row.get("id"))
        if not is_tweet_id(tid):
            why = f"tweet id {shown(row.get('id'))} is not a whole number"
            yield quarantine(source, lineno, why, row, self.name)
            return
        text = unescape(row.get("text") or "")
        handle = first_text(row.get("user_screen_name"))
        retweeted, quoted = _references(row)
        created = stated_time(row.get("created_at") or row.get("parsed_created_at"))
        post = Post(
            platform="twitter",
            id=tid,
            text=text,
            created_at=created,
            author=numeric_id(row.get("user_id")),
            author_name=handle,
            url=first_text(row.get("tweet_url"))
            or f"https://twitter.com/{handle or 'i/web'}/status/{tid}",
            lang=first_text(row.get("lang")),
            hashtags=merge_hashtags((row.get("hashtags") or "").split(), hashtags_in_text(text)),
            mentions=mentions_in_text(text),
            urls=(row.get("urls") or "").split(),
            reply_to=self._reply_to(row),
            quote_of=quoted,
            repost_of=retweeted,
            metrics=metrics_of(row, _METRICS),
            source_file=source.name,
            source_line=lineno,
            format=self.name,
        )
        if retweeted is not None and not RETWEET_TEXT.match(text):
            yield _original(row, post, retweeted)
        yield post

    def _reply_to(self, row: dict[str, str]) -> str | None:
        return id_cell(row, "in_reply_to_status_id")


class HydratorReader(_DocNowReader):
    """DocNow Hydrator's CSV export of hydrated tweets."""

    name = "hydrator"
    kind = "hydrator"

    def _reply_to(self, row: dict[str, str]) -> str | None:
        reply = id_cell(row, "in_reply_to_status_id")
        if reply is not None and "quote_id" not in row and _printed_from_a_double(reply):
            return None  # the Hydrator rounded it (to v0.1.0, whose header is the same)
        return reply


class Json2csvReader(_DocNowReader):
    """twarc 1's ``json2csv.py`` table of v1.1 tweets."""

    name = "twarc_json2csv"
    kind = "json2csv"


def _references(row: dict[str, str]) -> tuple[str | None, str | None]:
    """(the retweeted tweet's id, the quoted tweet's id) a row names; a cell that holds something
    other than an id raises ValueError."""
    retweeted = id_cell(row, "retweet_id") or id_cell(row, "reweet_id")
    quoted = id_cell(row, "quote_id")
    either = id_cell(row, "retweet_or_quote_id") or id_cell(row, "reweet_or_quote_id")
    if either is not None:
        if row.get("tweet_type") == "retweet":
            retweeted = either
        else:
            quoted = either
    elif row.get("tweet_type") == "retweet":
        raise ValueError("a retweet without its original's id")
    return retweeted, quoted


def _original(row: dict[str, str], retweet: Post, original_id: str) -> Post:
    """The retweeted tweet, from a row whose text is the original's whole text."""
    handle = first_text(row.get("retweet_screen_name"), row.get("retweet_or_quote_screen_name"))
    return Post(
        platform="twitter",
        id=original_id,
        text=retweet.text,
        created_at=snowflake_time(original_id),
        author=numeric_id(row.get("retweet_or_quote_user_id")),
        author_name=handle,
        url=f"https://twitter.com/{handle or 'i/web'}/status/{original_id}",
        lang=retweet.lang,
        hashtags=retweet.hashtags,
        mentions=retweet.mentions,
        urls=retweet.urls,
        source_file=retweet.source_file,
        source_line=retweet.source_line,
        format=retweet.format,
    )


def _printed_from_a_double(digits: str) -> bool:
    """Whether an id above 2**53 is written as JavaScript prints a number (the shortest digits
    that give back its double, then zeros): then it was rounded, and its last digits are lost.
    Fewer than one true id of 18 or 19 digits in a hundred is written so."""
    n = int(digits)
    return n > _EXACT_IN_A_DOUBLE and int(Decimal(repr(float(n)))) == n
