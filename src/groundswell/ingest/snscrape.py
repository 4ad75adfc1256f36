"""snscrape's Twitter items as ``snscrape --jsonl twitter-search ...`` writes them, one per line.

Each line is a ``snscrape.modules.twitter.Tweet``: ``id`` and ``conversationId`` as integers,
``date`` in ISO-8601 with its offset, the text in ``rawContent`` (``content`` before mid-2022, and
still written beside it since), the author in ``user`` (``username``, ``id``, ``displayname``),
the counts (``replyCount``, ``retweetCount``, ``likeCount``, ``quoteCount``, later ``viewCount``
and ``bookmarkCount``), ``hashtags``, ``mentionedUsers``, ``links`` (``outlinks`` before),
``inReplyToTweetId`` and the nested ``retweetedTweet`` and ``quotedTweet`` (a Tweet, or a
``TweetRef``/``Tombstone`` that only names the id). The text is Twitter's API text, HTML-escaped;
that is undone as in the other Twitter readers (the 2019 versions scraped pages and wrote plain
text, kept as it is: they have no ``renderedContent``).

A retweet is a repost of its original, and the nested original is stored as a post so its full
text is kept (as for v1.1); a quoted tweet is context, named in ``quote_of`` and not stored.
Other snscrape Twitter items (a ``User`` written by ``--with-entity``, a ``Tombstone`` standing
for a tweet that cannot be seen) are not posts and are passed over; any other record is
quarantined, as is a tweet whose own id, or the id of the tweet it replies to, quotes or
retweets, is no tweet id (``fields.ref_tweet_id``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from groundswell.ingest.fields import (
    first_text,
    is_tweet_id,
    numeric_id,
    obj,
    objects,
    ref_tweet_id,
    shown,
    texts,
)
from groundswell.ingest.registry import Head, JsonReader, quarantine
from groundswell.ingest.source import Source
from groundswell.ingest.twitter_v2 import unescape
from groundswell.schema import (
    Post,
    Record,
    hashtags_in_text,
    merge_hashtags,
    metrics_of,
    parse_time,
)

MODULE = "snscrape.modules.twitter."
TWEET = MODULE + "Tweet"
_TEXT_KEYS = ("rawContent", "content", "renderedContent")
_METRICS = {
    "replyCount": "reply_count",
    "retweetCount": "retweet_count",
    "likeCount": "like_count",
    "quoteCount": "quote_count",
    "viewCount": "impression_count",
    "bookmarkCount": "bookmark_count",
}


class SnscrapeReader(JsonReader):
    """snscrape ``--jsonl`` Twitter output (``twitter-search``, ``twitter-user``, ...)."""

    name = "snscrape"
    platform = "twitter"

    def sniff(self, head: Head) -> float:
        value = head.first_record
        if isinstance(value, dict):
            return 0.95 if _is_twitter_item(value.get("_type")) else 0.0
        return 0.8 if f'"_type": "{TWEET}"' in head.json_text else 0.0

    def read_value(self, source: Source, lineno: int, value: Any) -> Iterator[Record]:
        if not isinstance(value, dict):
            yield quarantine(source, lineno, "not a JSON object", value, self.name)
            return
        kind = value.get("_type")
        has_text = any(k in value for k in _TEXT_KEYS)
        if kind == TWEET or (has_text and (kind is None or _is_twitter_item(kind))):
            yield from self._tweet(source, lineno, value)
        elif not _is_twitter_item(kind):
            why = f"not a snscrape Twitter item: _type {shown(kind)}"
            yield quarantine(source, lineno, why, value, self.name)
        # else: a user (``--with-entity``), a tombstone, a trend: not posts

    def _tweet(self, source: Source, lineno: int, tw: dict[str, Any]) -> Iterator[Record]:
        """The posts of one tweet: a retweet gives its original, then the repost."""
        original = tw.get("retweetedTweet")
        if original is None:
            yield self._post(source, lineno, tw)
            return
        if not isinstance(original, dict):
            why = f"retweetedTweet is {shown(original)}, not a tweet"
            yield quarantine(source, lineno, why, tw, self.name)
            return
        rt_id = _tweet_id(original)
        if rt_id is None:
            why = f"retweetedTweet id {shown(original.get('id'))} is not a tweet id"
            yield quarantine(source, lineno, why, tw, self.name)
            return
        if _text_of(original) is not None:
            yield self._post(source, lineno, original)
        yield self._post(source, lineno, tw, repost_of=rt_id)

    def _post(self, source: Source, lineno: int, tw: dict, repost_of: str | None = None) -> Post:
        """The Post of one tweet; a missing id or text, or a date that is no time, raises (the
        record is quarantined). Lists of the wrong shape are read as absent."""
        tid = _tweet_id(tw)
        if tid is None:
            raise ValueError(f"tweet id {shown(tw.get('id'))} is not a tweet id")
        text = _text_of(tw)
        if text is None:
            if repost_of is None:
                raise ValueError(f"tweet {tid} without text")
            text = ""
        if "renderedContent" in tw:  # API text, HTML-escaped
            text = unescape(text)
        date = tw.get("date")
        created = parse_time(date) if isinstance(date, str) and date else None
        if date is not None and created is None:
            raise ValueError(f"date {shown(date)} is not a time")
        user = obj(tw.get("user"))
        username = first_text(user.get("username"), tw.get("username"))
        links = [first_text(link.get("url")) for link in objects(tw.get("links"))]
        return Post(
            platform="twitter",
            id=tid,
            text=text,
            created_at=created,
            author=numeric_id(user.get("id")),
            author_name=username,
            url=first_text(tw.get("url"))
            or f"https://twitter.com/{username or 'i/web'}/status/{tid}",
            lang=first_text(tw.get("lang")),
            hashtags=merge_hashtags(_strings(tw.get("hashtags")), hashtags_in_text(text)),
            mentions=texts(u.get("username") for u in objects(tw.get("mentionedUsers"))),
            urls=[u for u in links if u] or _strings(tw.get("outlinks")),
            reply_to=ref_tweet_id(tw.get("inReplyToTweetId"), "inReplyToTweetId"),
            quote_of=_quoted_id(tw),
            repost_of=repost_of,
            metrics=metrics_of(tw, _METRICS),
            source_file=source.name,
            source_line=lineno,
            format=self.name,
        )


def _is_twitter_item(kind: Any) -> bool:
    """Whether ``_type`` names an item of snscrape's Twitter module."""
    return isinstance(kind, str) and kind.startswith(MODULE)


def _strings(value: Any) -> list[str]:
    """The non-empty strings of a list (``hashtags``, ``outlinks``); [] for anything else."""
    return texts(value) if isinstance(value, list) else []


def _tweet_id(tw: dict) -> str | None:
    """A tweet's id: ``id``, or the ``id.str`` that ``--jsonl-for-buggy-int-parser`` adds; None
    when neither is a tweet id (``fields.is_tweet_id``)."""
    for key in ("id", "id.str"):
        found = numeric_id(tw.get(key))
        if is_tweet_id(found):
            return found
    return None


def _quoted_id(tw: dict) -> str | None:
    """The id of the tweet ``tw`` quotes (``quotedTweet``: a Tweet, or a TweetRef or Tombstone
    that names its id), None when it quotes none; a quoted tweet that is no object, or whose id
    names no tweet, raises ValueError, so that the tweet is quarantined rather than linked."""
    quoted = tw.get("quotedTweet")
    if quoted is None:
        return None
    if not isinstance(quoted, dict):
        raise ValueError(f"quotedTweet is {shown(quoted)}, not a tweet")
    return _tweet_id(quoted) or ref_tweet_id(
        quoted.get("id", quoted.get("id.str")), "quotedTweet id"
    )


def _text_of(tw: dict) -> str | None:
    """The tweet's raw text (``rawContent``, ``content`` before 2022), else ``renderedContent``."""
    return next((tw[k] for k in _TEXT_KEYS if isinstance(tw.get(k), str)), None)
