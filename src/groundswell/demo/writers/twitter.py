"""Twitter writers: twarc2 v2 response pages (gzipped JSONL) and twarc1 v1.1 stream JSONL.

twarc2 pages carry ``data`` plus ``includes`` (users, referenced tweets), ``meta`` and the
``__twarc`` block, where the demo adds ``"synthetic": true``. The v1.1 file is what twarc1's
filter stream writes: one tweet per line, ``id_str``, HTML-escaped ``text`` truncated at 140
characters with ``extended_tweet.full_text``, ``retweeted_status`` for retweets, and the odd
``limit`` control line.
"""

from __future__ import annotations

import gzip
import html
from pathlib import Path
from typing import Any

import orjson

from groundswell.demo.corpus import Event
from groundswell.demo.writers.base import (
    Writer,
    account,
    handle_account,
    iso_ms,
    mention_spans,
    snowflake,
    tag_spans,
)

PAGE_SIZE = 100
SOURCES = ("Twitter for iPhone", "Twitter for Android", "Twitter Web Client", "TweetDeck")


def tweet_text(ev: Event) -> str:
    """The text as Twitter shows it: a reply opens with the replied-to author's @username."""
    if ev.reply_to is not None:
        parent = account(ev.reply_to.author, "twitter").username
        if not ev.text.startswith("@" + parent):
            return f"@{parent} {ev.text}"
    return ev.text


def _v2_user(acc: Any) -> dict[str, Any]:
    return {
        "id": acc.id,
        "name": acc.name,
        "username": acc.username,
        "created_at": "2012-03-04T10:00:00.000Z",
        "verified": False,
        "public_metrics": {
            "followers_count": 120,
            "following_count": 210,
            "tweet_count": 3400,
            "listed_count": 2,
        },
    }


class TwitterV2Writer(Writer):
    """twarc2 ``search`` output: one response page per line, gzipped."""

    name = "twitter_v2"
    platform = "twitter"

    def __init__(self, out_dir: Path, seed: int = 0) -> None:
        super().__init__(out_dir, seed)
        self.files = {
            key: self._gzip(f"twarc2-search-{key}.jsonl.gz") for key in ("metoo", "related")
        }
        self.pages: dict[str, list[Event]] = {key: [] for key in self.files}
        self.last_line: bytes = b""

    def _gzip(self, name: str) -> gzip.GzipFile:
        """A gzip stream with a fixed header time, so the same seed writes the same bytes."""
        raw = open(self._path(name), "wb")  # noqa: SIM115
        return gzip.GzipFile(filename=name, mode="wb", compresslevel=5, fileobj=raw, mtime=0)

    def add(self, ev: Event) -> None:
        key = "metoo" if "metoo" in (ev.repost_of or ev).text.lower() else "related"
        self._queue(key, ev)
        if ev.repost_of is not None:
            self.reposts += 1
        else:
            self.posts += 1
        if ev.dup:  # overlapping searches: the same tweet in both files
            self._queue("related" if key == "metoo" else "metoo", ev)
            self.duplicates += 1

    def _queue(self, key: str, ev: Event) -> None:
        page = self.pages[key]
        page.append(ev)
        if len(page) >= PAGE_SIZE:
            self._flush(key)

    def _flush(self, key: str) -> None:
        page = self.pages[key]
        if not page:
            return
        line = orjson.dumps(self.page(page, key)) + b"\n"
        self.files[key].write(line)
        self.last_line = line
        self.pages[key] = []

    def page(self, events: list[Event], key: str) -> dict[str, Any]:
        """One twarc2 response page: data, includes (users, referenced tweets), meta, __twarc."""
        users: dict[str, dict] = {}
        refs: dict[str, dict] = {}
        data = []
        for ev in events:
            tweet = self.tweet(ev, users)
            for parent in (ev.repost_of, ev.reply_to):
                if parent is not None:
                    refs[snowflake(parent)] = self.tweet(parent, users)
            data.append(tweet)
        ids = [t["id"] for t in data]
        return {
            "data": data,
            "includes": {"users": list(users.values()), "tweets": list(refs.values())},
            "meta": {
                "newest_id": max(ids),
                "oldest_id": min(ids),
                "result_count": len(data),
                "next_token": f"b26v89c19zqg8o3f{len(ids):04d}",
            },
            "__twarc": {
                "url": f"https://api.twitter.com/2/tweets/search/all?query=%23{key}",
                "version": "2.14.0",
                "retrieved_at": "2023-01-15T12:00:00+00:00",
                "synthetic": True,
            },
        }

    def tweet(self, ev: Event, users: dict[str, dict]) -> dict[str, Any]:
        """A v2 tweet object; its author and mentioned users are added to ``users``."""
        acc = account(ev.author, "twitter")
        users[acc.id] = _v2_user(acc)
        tid = snowflake(ev)
        refs = []
        if ev.repost_of is not None:
            orig = ev.repost_of
            orig_acc = account(orig.author, "twitter")
            text = f"RT @{orig_acc.username}: {tweet_text(orig)}"
            if len(text) > 140:
                text = text[:139] + "…"
            refs.append({"type": "retweeted", "id": snowflake(orig)})
        else:
            text = tweet_text(ev)
        if ev.reply_to is not None and ev.repost_of is None:
            refs.append({"type": "replied_to", "id": snowflake(ev.reply_to)})
        mentions = []
        for start, end, handle in mention_spans(text):
            m = handle_account(handle, "twitter")
            users.setdefault(m.id, _v2_user(m))
            mentions.append({"start": start, "end": end, "username": handle, "id": m.id})
        entities: dict[str, Any] = {}
        tags = [{"start": s, "end": e, "tag": t} for s, e, t in tag_spans(text)]
        if tags:
            entities["hashtags"] = tags
        if mentions:
            entities["mentions"] = mentions
        out: dict[str, Any] = {
            "id": tid,
            "text": text,
            "author_id": acc.id,
            "created_at": iso_ms(ev),
            "conversation_id": snowflake(ev.reply_to) if ev.reply_to else tid,
            "lang": ev.lang,
            "source": SOURCES[ev.seq % len(SOURCES)],
            "possibly_sensitive": False,
            "reply_settings": "everyone",
            "edit_history_tweet_ids": [tid],
            "public_metrics": {
                "retweet_count": ev.seq % 7,
                "reply_count": ev.seq % 3,
                "like_count": ev.seq % 31,
                "quote_count": 0,
            },
        }
        if entities:
            out["entities"] = entities
        if refs:
            out["referenced_tweets"] = refs
        if ev.reply_to is not None and ev.repost_of is None:
            out["in_reply_to_user_id"] = account(ev.reply_to.author, "twitter").id
        return out

    def close(self) -> list[Path]:
        for key in self.files:
            self._flush(key)
        if self.last_line:  # a collector killed mid-write: the last page cut short
            self.files["related"].write(self.last_line[: len(self.last_line) // 2] + b"\n")
            self.bad += 1
        for fh in self.files.values():
            raw = fh.fileobj
            fh.close()
            raw.close()
        return self.paths


class TwitterV1Writer(Writer):
    """twarc1 filter-stream output: one v1.1 tweet per line, plain JSONL."""

    name = "twitter_v1"
    platform = "twitter"

    def __init__(self, out_dir: Path, seed: int = 0) -> None:
        super().__init__(out_dir, seed)
        self.fh = open(self._path("twarc1-stream-metoo.jsonl"), "wb")  # noqa: SIM115
        self.pending_dups: list[bytes] = []
        self.lines = 0

    def add(self, ev: Event) -> None:
        line = orjson.dumps(self.tweet(ev)) + b"\n"
        self.fh.write(line)
        self.lines += 1
        if ev.repost_of is not None:
            self.reposts += 1
        else:
            self.posts += 1
        if ev.dup:  # a reconnecting stream repeats a tweet a little later
            self.pending_dups.append(line)
            self.duplicates += 1
        if self.lines % 997 == 0:
            self.fh.write(
                orjson.dumps(
                    {"limit": {"track": self.lines // 997, "timestamp_ms": str(int(ev.ts * 1000))}}
                )
                + b"\n"
            )
        if self.lines % 1500 == 0 and self.pending_dups:
            self.fh.write(b"".join(self.pending_dups))
            self.pending_dups = []
        if self.lines == 50:  # a line the disk mangled
            self.fh.write(b'{"created_at": "Mon Oct 16 09:12:44 +0000 2017", "id_str": "9180,}\n')
            self.bad += 1

    def tweet(self, ev: Event, embedded: bool = False) -> dict[str, Any]:
        """A v1.1 tweet as the streaming API sends it (an embedded one carries no marker)."""
        acc = account(ev.author, "twitter")
        tid = snowflake(ev)
        full = tweet_text(ev)
        retweeted = None
        if ev.repost_of is not None:
            orig = ev.repost_of
            retweeted = self.tweet(orig, embedded=True)
            full = f"RT @{account(orig.author, 'twitter').username}: {tweet_text(orig)}"
        out: dict[str, Any] = {
            "created_at": ev.created.strftime("%a %b %d %H:%M:%S +0000 %Y"),
            "id": int(tid),
            "id_str": tid,
            "source": '<a href="http://twitter.com/download/iphone" rel="nofollow">'
            "Twitter for iPhone</a>",
            "truncated": False,
            "in_reply_to_status_id": None,
            "in_reply_to_status_id_str": None,
            "in_reply_to_user_id": None,
            "in_reply_to_user_id_str": None,
            "in_reply_to_screen_name": None,
            "user": {
                "id": int(acc.id),
                "id_str": acc.id,
                "name": acc.name,
                "screen_name": acc.username,
                "location": None,
                "protected": False,
                "verified": False,
                "followers_count": 120,
                "friends_count": 210,
                "statuses_count": 3400,
                "created_at": "Sun Mar 04 10:00:00 +0000 2012",
                "lang": "en",
            },
            "geo": None,
            "coordinates": None,
            "place": None,
            "contributors": None,
            "is_quote_status": False,
            "quote_count": 0,
            "reply_count": 0,
            "retweet_count": 0,
            "favorite_count": 0,
            "favorited": False,
            "retweeted": False,
            "filter_level": "low",
            "lang": ev.lang,
            "timestamp_ms": str(int(ev.ts * 1000)),
        }
        if ev.reply_to is not None and ev.repost_of is None:
            parent = account(ev.reply_to.author, "twitter")
            pid = snowflake(ev.reply_to)
            out.update(
                in_reply_to_status_id=int(pid),
                in_reply_to_status_id_str=pid,
                in_reply_to_user_id=int(parent.id),
                in_reply_to_user_id_str=parent.id,
                in_reply_to_screen_name=parent.username,
            )
        if len(full) > 140 and retweeted is None:
            short = full[:138] + "…"
            out["text"] = html.escape(short, quote=False)
            out["truncated"] = True
            out["entities"] = self.entities(short)
            out["extended_tweet"] = {
                "full_text": html.escape(full, quote=False),
                "display_text_range": [0, len(full)],
                "entities": self.entities(full),
            }
        else:
            shown = full if len(full) <= 140 else full[:139] + "…"
            out["text"] = html.escape(shown, quote=False)
            out["entities"] = self.entities(shown)
        if retweeted is not None:
            out["retweeted_status"] = retweeted
        if not embedded:
            out["synthetic"] = True
        return out

    @staticmethod
    def entities(text: str) -> dict[str, Any]:
        """v1.1 entities with code-point indices."""
        mentions = []
        for s, e, handle in mention_spans(text):
            m = handle_account(handle, "twitter")
            mentions.append(
                {
                    "screen_name": handle,
                    "name": m.name,
                    "id": int(m.id),
                    "id_str": m.id,
                    "indices": [s, e],
                }
            )
        return {
            "hashtags": [{"text": t, "indices": [s, e]} for s, e, t in tag_spans(text)],
            "urls": [],
            "user_mentions": mentions,
            "symbols": [],
        }

    def close(self) -> list[Path]:
        if self.pending_dups:
            self.fh.write(b"".join(self.pending_dups))
        self.fh.close()
        return self.paths
