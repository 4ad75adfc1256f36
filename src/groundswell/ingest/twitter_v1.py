"""Twitter/X API v1.1: twarc1 JSONL (one tweet per line), single tweets, arrays and search pages.

The id is ``id_str``, never the 64-bit ``id``. Text is the longest form present
(``extended_tweet.full_text`` -> ``full_text`` -> ``text``), HTML-unescaped, and hashtags come from
the entities that cover that text. A retweet becomes a repost edge to its original, and the
embedded original is stored as a post so its full text is kept; an embedded quoted tweet is
context, not a match, and is not stored. Stream control lines (delete, limit, scrub_geo, ...) and
user objects are not posts and are passed over; a ``delete`` notice makes the store forget its
tweet. A damaged control line (a body of another type, a deletion notice that names no tweet id)
is quarantined, not passed over.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from groundswell.ingest.fields import (
    JSON_TYPES,
    first_text,
    is_numeric_id,
    obj,
    objects,
    ref_tweet_id,
    shown,
    stated_time,
    texts,
    tweet_id,
)
from groundswell.ingest.registry import (
    Head,
    JsonReader,
    Reader,
    first_object,
    guarded,
    quarantine,
)
from groundswell.ingest.source import Source
from groundswell.schema import (
    Deletion,
    Post,
    Record,
    hashtags_in_text,
    id_text,
    merge_hashtags,
    metrics_of,
)

# stream messages that are not tweets (Twitter's streaming message types)
CONTROL_KEYS = (
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
_CONTROL_KEYS = frozenset(CONTROL_KEYS)
_TEXT_KEYS = ("text", "full_text", "extended_tweet")
# first keys of wrappers around tweets that are not user formats (recorded sessions, test files)
_WRAPPER_KEYS = frozenset(
    (
        "request",
        "response",
        "interactions",
        "version",
        "normalized",
        "data",
        "includes",
        "_index",
        "_id",
    )
)
_FIRST_KEY = re.compile(r'\s*\[?\s*\{\s*"([^"]*)"')
# v1.1 count name -> schema metric name
_METRICS = {
    "retweet_count": "retweet_count",
    "favorite_count": "like_count",
    "quote_count": "quote_count",
    "reply_count": "reply_count",
}


# the JSON type of each control message's body (Twitter's streaming message types): an object
# unless named here
_NOTICE_BODY: dict[str, tuple[type, ...]] = {
    "friends": (list,),
    "friends_str": (list,),
    "event": (str,),
    "for_user": (int, str),
}


def _notice_damage(key: str, body: Any) -> str | None:
    """Why the control message ``key`` with ``body`` is damaged, or None when it is well formed.

    A deletion notice ``{"delete": {"status": {"id_str": "123", ...}}}`` must name the deleted
    tweet by an ``id_str`` of digits (a DM's deletion, ``{"direct_message": {...}}``, names no
    post); every other message must have a body of its own JSON type (an object for most)."""
    kinds = _NOTICE_BODY.get(key, (dict,))
    if not isinstance(body, kinds) or isinstance(body, bool):
        wanted = " or ".join(JSON_TYPES[k] for k in kinds)
        return f"damaged {key} notice: {shown(body)} where Twitter sends {wanted}"
    if key != "delete":
        return None
    status = body.get("status")
    if status is None and isinstance(body.get("direct_message"), dict):
        return None  # a direct message deleted: not a post
    if not isinstance(status, dict):
        return f"damaged delete notice: status {shown(status)}, not the deleted tweet"
    if not is_numeric_id(status.get("id_str")):
        return f"damaged delete notice: id_str {shown(status.get('id_str'))} is not a tweet id"
    return None


# the keys of bodies that are no post and say nothing lost: errors, a search's metadata
_NOT_POST_KEYS = frozenset(("errors", "search_metadata", "statuses", "__twarc"))


@cache
def _v2_reader() -> Reader:
    from groundswell.ingest.twitter_v2 import TwitterV2Reader

    return TwitterV2Reader()


def _is_tweet(obj: Any) -> bool:
    return isinstance(obj, dict) and "user" in obj and any(k in obj for k in _TEXT_KEYS)


def _is_user(obj: dict) -> bool:
    return "screen_name" in obj and "user" not in obj and not any(k in obj for k in _TEXT_KEYS)


class TwitterV1Reader(JsonReader):
    """twarc1 JSONL and v1.1 REST bodies: a tweet, an array of tweets, ``{"statuses": [...]}``."""

    name = "twitter_v1"
    platform = "twitter"

    def sniff(self, head: Head) -> float:
        obj = head.first_json
        if isinstance(obj, dict) and isinstance(obj.get("statuses"), list):
            statuses = obj["statuses"]
            return 0.95 if not statuses or _is_tweet(statuses[0]) else 0.0
        if isinstance(obj, list) and obj:
            obj = first_object(obj)
        if isinstance(obj, dict):
            if _is_tweet(obj) and "id_str" in obj:
                return 0.95
            if obj.keys() & _CONTROL_KEYS and len(obj) == 1:
                return 0.6  # a stream file that opens with a control line
            if "interactions" in obj or "author_id" in obj or "data" in obj:
                return 0.0
        txt = head.json_text
        if (
            '"id_str"' in txt
            and '"screen_name"' in txt
            and '"in_reply_to_status_id_str"' in txt
            and first_key(txt) not in _WRAPPER_KEYS
        ):
            return 0.8
        return 0.0

    def read_value(self, source: Source, lineno: int, obj: Any) -> Iterator[Record]:
        if isinstance(obj, list):  # a JSON array of tweets (timelines, retweets/:id)
            for i, value in enumerate(obj, start=1):
                line = lineno if lineno > 1 else i
                yield from guarded(source, self.name, line, value, self.read_value, line, value)
            return
        if not isinstance(obj, dict):
            yield quarantine(source, lineno, "not a JSON object", obj, self.name)
            return
        if isinstance(obj.get("statuses"), list):  # search/tweets response
            for i, value in enumerate(obj["statuses"], start=1):
                line = lineno if lineno > 1 else i
                yield from guarded(source, self.name, line, value, self.read_value, line, value)
            return
        notices = obj.keys() & _CONTROL_KEYS
        if notices:
            yield from self._notice(source, lineno, obj, notices)
            return
        if _is_user(obj):
            return  # user objects: not posts
        if "user" in obj or any(k in obj for k in _TEXT_KEYS) or "id_str" in obj:
            yield from self._tweet(source, lineno, obj)
        elif "data" in obj or "author_id" in obj:  # a v2 page or tweet among them
            yield from _v2_reader().read_value(source, lineno, obj)
        elif obj.keys() - _NOT_POST_KEYS:  # a record of another format: kept, not passed over
            keys = ", ".join(sorted(map(str, obj))[:6])
            yield quarantine(
                source, lineno, f"not a Twitter v1.1 record: keys {keys}", obj, self.name
            )
        # else: errors-only bodies, search_metadata, {}: not posts

    def _notice(self, source: Source, lineno: int, obj: dict, keys: set[str]) -> Iterator[Record]:
        """A stream control message: a deletion notice becomes a Deletion, the others are not
        posts and are passed over. A damaged one (a body of another type, a deletion notice
        that names no tweet) is quarantined: counted and kept, never passed over."""
        damage = next((why for key in sorted(keys) if (why := _notice_damage(key, obj[key]))), None)
        if damage is not None:
            yield quarantine(source, lineno, damage, obj, self.name)
            return
        status = obj["delete"].get("status") if "delete" in keys else None
        if status is not None:
            # the author deleted this tweet: the store forgets it (CODEBOOK section 7)
            yield Deletion(
                platform="twitter",
                id=tweet_id(status["id_str"]),
                source_file=source.name,
                source_line=lineno,
                format=self.name,
            )

    def _tweet(self, source: Source, lineno: int, tw: dict) -> Iterator[Record]:
        tid = tw.get("id_str")
        if not tid:
            yield quarantine(source, lineno, "tweet without id_str", tw, self.name)
            return
        original = tw.get("retweeted_status")
        if isinstance(original, dict):
            if original.get("id_str") and _text_of(original) is not None:
                yield self._post(source, lineno, original)
            rt_id = original.get("id_str")
            if rt_id:
                yield self._post(source, lineno, tw, repost_of=tweet_id(rt_id))
                return
        if _text_of(tw) is None:
            yield quarantine(source, lineno, f"tweet {tid} without text", tw, self.name)
            return
        yield self._post(source, lineno, tw)

    def _post(self, source: Source, lineno: int, tw: dict, repost_of: str | None = None) -> Post:
        """The Post of one tweet; entities of the wrong shape are read as absent (the text's
        own hashtags still count)."""
        ext = obj(tw.get("extended_tweet"))
        text = html.unescape(_text_of(tw) or "")
        entities = obj(ext.get("entities")) or obj(tw.get("entities"))
        user = obj(tw.get("user"))
        username = user.get("screen_name")
        tid = tweet_id(tw["id_str"])
        quoted = obj(tw.get("quoted_status")) or obj(tw.get("quoted_tweet"))
        quote_of = tw.get("quoted_status_id_str") or quoted.get("id_str")
        created = tw.get("created_at")
        return Post(
            platform="twitter",
            id=tid,
            text=text,
            created_at=stated_time(created)
            if created is not None and created != ""
            else stated_time(tw.get("timestamp_ms"), "timestamp_ms", "ms"),
            author=str(user.get("id_str") or "") or None,
            author_name=username,
            url=f"https://twitter.com/{username or 'i/web'}/status/{tid}",
            lang=tw.get("lang"),
            hashtags=merge_hashtags(
                texts(h.get("text") for h in objects(entities.get("hashtags"))),
                hashtags_in_text(text),
            ),
            mentions=texts(m.get("screen_name") for m in objects(entities.get("user_mentions"))),
            urls=[
                first_text(u.get("expanded_url"), u.get("url")) or ""
                for u in objects(entities.get("urls"))
            ],
            reply_to=ref_tweet_id(tw.get("in_reply_to_status_id_str"), "in_reply_to_status_id_str"),
            quote_of=ref_tweet_id(id_text(quote_of), "quoted_status_id_str") if quote_of else None,
            repost_of=repost_of,
            metrics=metrics_of(tw, _METRICS),
            source_file=source.name,
            source_line=lineno,
            format=self.name,
        )


def first_key(json_text: str) -> str | None:
    """The first key of the first object in a JSON head (None when it does not open with one)."""
    match = _FIRST_KEY.match(json_text)
    return match.group(1) if match else None


def _text_of(tw: dict) -> str | None:
    """The longest text a v1.1 tweet carries (None when it has none)."""
    ext = tw.get("extended_tweet")
    if isinstance(ext, dict) and ext.get("full_text") is not None:
        return ext["full_text"]
    if tw.get("full_text") is not None:
        return tw["full_text"]
    return tw.get("text")
