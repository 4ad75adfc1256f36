"""Mastodon and Bluesky writers: REST Status JSON arrays, and Jetstream event JSONL.

Mastodon statuses are what ``GET /api/v1/timelines/tag/:hashtag`` returns (HTML ``content``,
``tags``, ``account``, boosts as a nested ``reblog`` with empty content), saved a few pages per
file as a harvester does. Jetstream lines are ``commit`` events with ``app.bsky.feed.post``
records (facets with UTF-8 byte offsets), reposts as ``app.bsky.feed.repost`` and some likes.
Both get ``"synthetic": true`` at the top of each object.
"""

from __future__ import annotations

import base64
import hashlib
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
    tag_spans,
)

INSTANCE = "mastodon.example"
STATUSES_PER_FILE = 200


def _mastodon_html(text: str) -> str:
    """Mastodon's HTML: a paragraph, hashtags and mentions as links."""
    spans = sorted(
        [(s, e, "tag", t) for s, e, t in tag_spans(text)]
        + [(s, e, "mention", h) for s, e, h in mention_spans(text)]
    )
    out, pos = [], 0
    for start, end, kind, word in spans:
        out.append(html.escape(text[pos:start], quote=False))
        if kind == "tag":
            out.append(
                f'<a href="https://{INSTANCE}/tags/{word.lower()}" '
                f'class="mention hashtag" rel="tag">#<span>{word}</span></a>'
            )
        else:
            out.append(
                f'<span class="h-card"><a href="https://{INSTANCE}/@{word}" '
                f'class="u-url mention">@<span>{word}</span></a></span>'
            )
        pos = end
    out.append(html.escape(text[pos:], quote=False))
    return "<p>" + "".join(out) + "</p>"


class MastodonWriter(Writer):
    """Hashtag-timeline statuses, a JSON array per file."""

    name = "mastodon"
    platform = "mastodon"

    def __init__(self, out_dir: Path, seed: int = 0) -> None:
        super().__init__(out_dir, seed)
        self.batch: list[dict[str, Any]] = []
        self.file_no = 0

    def status_id(self, ev: Event) -> str:
        """A Mastodon snowflake-style status id from the post time."""
        return str((int(ev.ts * 1000) << 16) | (ev.seq & 0xFFFF))

    def status(self, ev: Event) -> dict[str, Any]:
        """A REST Status entity (a boost nests the original in ``reblog``)."""
        acc = account(ev.author, "mastodon")
        sid = self.status_id(ev)
        reblog = self.status(ev.repost_of) if ev.repost_of is not None else None
        text = "" if reblog is not None else ev.text
        out: dict[str, Any] = {
            "id": sid,
            "created_at": iso_ms(ev),
            "in_reply_to_id": None,
            "in_reply_to_account_id": None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": "public",
            "language": None if reblog is not None else ev.lang,
            "uri": f"https://{INSTANCE}/users/{acc.username}/statuses/{sid}",
            "url": f"https://{INSTANCE}/@{acc.username}/{sid}",
            "replies_count": 0,
            "reblogs_count": ev.seq % 5,
            "favourites_count": ev.seq % 17,
            "edited_at": None,
            "content": _mastodon_html(text) if text else "",
            "reblog": reblog,
            "application": {"name": "Web", "website": None},
            "account": {
                "id": acc.id,
                "username": acc.username,
                "acct": acc.username,
                "display_name": acc.name,
                "locked": False,
                "bot": False,
                "created_at": "2017-04-10T00:00:00.000Z",
                "note": "",
                "url": f"https://{INSTANCE}/@{acc.username}",
                "followers_count": 40,
                "following_count": 80,
                "statuses_count": 900,
            },
            "media_attachments": [],
            "mentions": [
                {
                    "id": handle_account(h, "mastodon").id,
                    "username": h,
                    "acct": h,
                    "url": f"https://{INSTANCE}/@{h}",
                }
                for _, _, h in mention_spans(text)
            ],
            "tags": [
                {"name": t.lower(), "url": f"https://{INSTANCE}/tags/{t.lower()}"}
                for _, _, t in tag_spans(text)
            ],
            "emojis": [],
            "card": None,
            "poll": None,
        }
        if ev.reply_to is not None and reblog is None:
            out["in_reply_to_id"] = self.status_id(ev.reply_to)
            out["in_reply_to_account_id"] = account(ev.reply_to.author, "mastodon").id
        return out

    def add(self, ev: Event) -> None:
        status = self.status(ev)
        status["synthetic"] = True
        self.batch.append(status)
        if ev.repost_of is not None:
            self.reposts += 1
        else:
            self.posts += 1
        if len(self.batch) >= STATUSES_PER_FILE:
            self._flush()

    def _flush(self) -> None:
        if not self.batch:
            return
        self.file_no += 1
        # the API pages newest first; a harvester saves the pages as they come
        self.batch.reverse()
        path = self._path(f"mastodon-tag-metoo-{self.file_no:04d}.json")
        path.write_bytes(orjson.dumps(self.batch))
        self.batch = []

    def close(self) -> list[Path]:
        self._flush()
        return self.paths


def _cid(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "bafyrei" + base64.b32encode(digest).decode().lower().rstrip("=")[:52]


_S32 = "234567abcdefghijklmnopqrstuvwxyz"


def tid(time_us: int, clock: int) -> str:
    """An AT Protocol record key (TID): 13 base32-sortable characters."""
    n = (time_us << 10) | (clock & 0x3FF)
    out = ""
    for _ in range(13):
        n, r = divmod(n, 32)
        out = _S32[r] + out
    return out


class JetstreamWriter(Writer):
    """Jetstream ``commit`` events for posts, reposts and likes, one per line."""

    name = "bluesky"
    platform = "bluesky"

    def __init__(self, out_dir: Path, seed: int = 0) -> None:
        super().__init__(out_dir, seed)
        self.fh = open(self._path("jetstream-posts.jsonl"), "wb")  # noqa: SIM115
        self.lines = 0

    def ref(self, ev: Event) -> dict[str, str]:
        """A strong reference (uri, cid) to an event's record."""
        did = account(ev.author, "bluesky").id
        rkey = tid(int(ev.ts * 1e6), ev.seq)
        collection = "app.bsky.feed.repost" if ev.repost_of else "app.bsky.feed.post"
        return {"uri": f"at://{did}/{collection}/{rkey}", "cid": _cid(f"{did}/{rkey}")}

    def add(self, ev: Event) -> None:
        did = account(ev.author, "bluesky").id
        time_us = int(ev.ts * 1e6)
        rkey = tid(time_us, ev.seq)
        created = iso_ms(ev)
        if ev.repost_of is not None:
            collection = "app.bsky.feed.repost"
            record: dict[str, Any] = {
                "$type": collection,
                "createdAt": created,
                "subject": self.ref(ev.repost_of),
            }
            self.reposts += 1
        else:
            collection = "app.bsky.feed.post"
            record = {
                "$type": collection,
                "createdAt": created,
                "langs": [ev.lang],
                "text": ev.text,
            }
            facets = self.facets(ev.text)
            if facets:
                record["facets"] = facets
            if ev.reply_to is not None:
                parent = self.ref(ev.reply_to)
                record["reply"] = {"parent": parent, "root": parent}
            self.posts += 1
        event = {
            "did": did,
            "time_us": time_us + 250_000 + ev.seq % 900_000,
            "kind": "commit",
            "commit": {
                "rev": rkey,
                "operation": "create",
                "collection": collection,
                "rkey": rkey,
                "record": record,
                "cid": _cid(f"{did}/{rkey}"),
            },
            "synthetic": True,
        }
        line = orjson.dumps(event) + b"\n"
        self.fh.write(line)
        self.lines += 1
        if self.lines % 40 == 0 and ev.repost_of is None:  # likes are in the firehose too
            like_key = tid(time_us + 1000, ev.seq + 1)
            like = {
                "did": account(ev.author + 1, "bluesky").id,
                "time_us": time_us + 400_000,
                "kind": "commit",
                "commit": {
                    "rev": like_key,
                    "operation": "create",
                    "collection": "app.bsky.feed.like",
                    "rkey": like_key,
                    "record": {
                        "$type": "app.bsky.feed.like",
                        "createdAt": created,
                        "subject": self.ref(ev),
                    },
                    "cid": _cid(like_key),
                },
                "synthetic": True,
            }
            self.fh.write(orjson.dumps(like) + b"\n")
        if self.lines == 77:  # a connection dropped mid-frame
            self.fh.write(line[: len(line) // 3] + b"\n")
            self.bad += 1

    @staticmethod
    def facets(text: str) -> list[dict[str, Any]]:
        """Tag facets with UTF-8 byte offsets covering the '#'."""
        out = []
        for start, end, tag in tag_spans(text):
            b_start = len(text[:start].encode())
            b_end = b_start + len(text[start:end].encode())
            out.append(
                {
                    "$type": "app.bsky.richtext.facet",
                    "index": {"byteStart": b_start, "byteEnd": b_end},
                    "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
                }
            )
        return out

    def close(self) -> list[Path]:
        self.fh.close()
        return self.paths
