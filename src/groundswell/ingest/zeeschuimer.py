"""Zeeschuimer exports: the NDJSON its browser extension writes, one captured item per line, and
the NDJSON of a 4CAT dataset imported from it.

Zeeschuimer (Digital Methods Initiative) wraps each item it saw in the platform's web interface:
``{"nav_index", "item_id", "timestamp_collected", "source_platform", "source_platform_url",
"source_url", "user_agent", "data": <the platform's own object>, "id"}``. 4CAT keeps the
platform's object itself, with those wrapper fields under ``__import_meta``. Decisions:

* ``twitter.com`` items (``x.com`` too) are X's web (GraphQL) tweets. Their ``legacy`` part is a
  v1.1 tweet without its user, so it is read by the v1.1 reader's own code: the id is
  ``rest_id`` (never the item's ``id``, which Zeeschuimer sometimes wrote as a rounded number),
  the author the account's numeric ``rest_id`` as in every Twitter format, with the handle from
  the user's ``core`` (2025 on) or ``legacy``; a long post's text is ``note_tweet``'s. A retweet
  (``legacy.retweeted_status_result``) is a repost of its original, which is stored too; a
  quote keeps ``quote_of`` and its quoted tweet is context, not stored. ``views.count`` becomes
  ``impression_count`` and ``bookmark_count`` is kept. A ``TweetWithVisibilityResults`` wrapper
  is opened; a tweet X no longer shows (a tombstone) has no text and is quarantined.
* The items of every other platform (TikTok, Instagram, LinkedIn...) have no mapping here: each
  is quarantined with a reason naming its platform, and a file whose first items are all of such
  platforms is declined with that reason, unread.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from groundswell.ingest.fields import first_text, obj, shown
from groundswell.ingest.registry import Head, Reader, guarded, iter_json_lines, quarantine
from groundswell.ingest.source import Source
from groundswell.ingest.twitter_v1 import TwitterV1Reader
from groundswell.schema import Post, Record, metric

TWITTER = frozenset(("twitter.com", "x.com"))
_WRAPPER_KEYS = ("nav_index", "item_id", "timestamp_collected", "source_platform_url")
_PLATFORM = re.compile(r'"source_platform"\s*:\s*"((?:[^"\\]|\\.)*)"')
_LOOKED_AT = 200  # lines of the head looked at for the platforms of its items
# the v1.1 fields of a GraphQL tweet's ``legacy`` part that the v1.1 reader maps
_V1_FIELDS = (
    "created_at",
    "full_text",
    "entities",
    "lang",
    "in_reply_to_status_id_str",
    "quoted_status_id_str",
    "retweet_count",
    "favorite_count",
    "quote_count",
    "reply_count",
)


def unwrap(item: Any) -> tuple[Any, Any] | None:
    """(platform, the platform's object) of a Zeeschuimer item or of one 4CAT kept; None for a
    value of another shape."""
    if not isinstance(item, dict):
        return None
    meta = item.get("__import_meta")
    if isinstance(meta, dict) and "source_platform" in meta:
        return meta["source_platform"], item
    if "source_platform" in item and "data" in item and any(k in item for k in _WRAPPER_KEYS):
        return item["source_platform"], item["data"]
    return None


def head_platforms(head: Head) -> list[str]:
    """The platform of each Zeeschuimer item the head shows (its wrapper comes before the
    platform's object, so a line cut by the head still names it)."""
    if not head.json_text:
        return []
    found = []
    for line in head.text.split("\n", _LOOKED_AT)[:_LOOKED_AT]:
        if '"nav_index"' in line or '"timestamp_collected"' in line:
            match = _PLATFORM.search(line)
            if match:
                found.append(match.group(1))
    return found


class ZeeschuimerReader(Reader):
    """Zeeschuimer NDJSON and 4CAT's NDJSON of it: X/Twitter items read, others quarantined."""

    name = "zeeschuimer"
    platform = "twitter"

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        self._v1 = TwitterV1Reader(options)

    def sniff(self, head: Head) -> float:
        return 0.95 if TWITTER.intersection(head_platforms(head)) else 0.0

    def declines(self, head: Head) -> str | None:
        platforms = sorted(set(head_platforms(head)))
        if not platforms or TWITTER.intersection(platforms):
            return None
        named = ", ".join(platforms)
        return f"a Zeeschuimer export of {named} items: groundswell has no mapping for {named}"

    def read(self, source: Source) -> Iterator[Record]:
        for item in iter_json_lines(source, self.name):
            if not isinstance(item, tuple):
                yield item
                continue
            lineno, value = item
            for rec in guarded(source, self.name, lineno, value, self._item, lineno, value):
                rec.format = self.name  # the v1.1 reader's records too: read from Zeeschuimer
                yield rec

    def _item(self, source: Source, lineno: int, item: Any) -> Iterator[Record]:
        found = unwrap(item)
        if found is None:
            what = f"keys {', '.join(sorted(map(str, item))[:6])}" if isinstance(item, dict) else ""
            yield quarantine(
                source, lineno, f"not a Zeeschuimer item: {what or shown(item)}", item, self.name
            )
            return
        platform, data = found
        if platform not in TWITTER:
            named = platform if isinstance(platform, str) and platform else shown(platform)
            why = f"a {named} item: groundswell has no mapping for this platform"
            yield quarantine(source, lineno, why, item, self.name)
            return
        tweet = _opened(data)
        if not isinstance(tweet.get("legacy"), dict):
            kind = first_text(tweet.get("__typename")) or "no legacy part"
            why = f"not a readable tweet ({kind}): X no longer shows it, or it has no text"
            yield quarantine(source, lineno, why, item, self.name)
            return
        extra = {}
        for rec in self._v1.read_value(source, lineno, _as_v1(tweet, extra)):
            if isinstance(rec, Post) and rec.id in extra:
                rec.metrics = {**rec.metrics, **extra[rec.id]}
            yield rec


def _opened(tweet: Any) -> dict:
    """A tweet out of its ``TweetWithVisibilityResults`` wrapper (``{}`` for no object)."""
    tweet = obj(tweet)
    inner = tweet.get("tweet")
    return inner if isinstance(inner, dict) and "legacy" in inner else tweet


def _as_v1(tweet: dict, extra: dict[str, dict[str, int]]) -> dict:
    """The v1.1 shape of a GraphQL tweet (its retweeted original inside it), for the v1.1
    reader; the metrics v1.1 has no field for go to ``extra``, by tweet id."""
    legacy = tweet["legacy"]
    tid = tweet.get("rest_id") or legacy.get("id_str")
    user = obj(obj(obj(tweet.get("core")).get("user_results")).get("result"))
    if not user and isinstance(tweet.get("user"), dict):  # the older "adaptive" items
        user = {"rest_id": tweet["user"].get("id_str"), "legacy": tweet["user"]}
    v1: dict[str, Any] = {k: legacy[k] for k in _V1_FIELDS if k in legacy}
    v1["id_str"] = tid
    v1["user"] = {
        "id_str": first_text(user.get("rest_id"), legacy.get("user_id_str")),
        "screen_name": first_text(
            obj(user.get("core")).get("screen_name"), obj(user.get("legacy")).get("screen_name")
        ),
    }
    note = obj(obj(obj(tweet.get("note_tweet")).get("note_tweet_results")).get("result"))
    if first_text(note.get("text")):
        v1["extended_tweet"] = {"full_text": note["text"], "entities": note.get("entity_set")}
    quoted = _opened(obj(tweet.get("quoted_status_result")).get("result"))
    if not v1.get("quoted_status_id_str") and first_text(quoted.get("rest_id")):
        v1["quoted_status_id_str"] = quoted["rest_id"]
    original = _opened(obj(legacy.get("retweeted_status_result")).get("result"))
    if isinstance(original.get("legacy"), dict):
        v1["retweeted_status"] = _as_v1(original, extra)
    elif first_text(legacy.get("retweeted_status_id_str")):  # the original named, not given
        v1["retweeted_status"] = {"id_str": legacy["retweeted_status_id_str"]}
    counts = {
        "impression_count": metric(obj(tweet.get("views")).get("count")),
        "bookmark_count": metric(legacy.get("bookmark_count")),
    }
    if isinstance(tid, str | int) and not isinstance(tid, bool):
        extra[str(tid)] = {k: n for k, n in counts.items() if n is not None}
    return v1
