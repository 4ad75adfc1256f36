"""Bluesky JSON and JSONL: Jetstream events, tap events, getRecord responses and AppView views.

One reader, because users mix these shapes freely (a JSON array of Jetstream events from twitwi, a
JSONL capture of ``/subscribe``, a folder of ``searchPosts`` pages). Each top-level value is
recognised by its shape:

* Jetstream ``{"did","time_us","kind":"commit","commit":{...}}`` and tap ``{"type":"record",
  "record":{...}}`` events: post creates and updates become Posts, repost creates become repost
  edges; deletes, likes, follows, profiles, identity and account events are passed over
  (counted in ``passed_over``), a post's delete becoming a Deletion. A delete that may be a
  post's but names no usable collection, did or rkey is quarantined, and so is any other event
  of no usable collection (none, ``""``, one with a NUL or a lone surrogate) or a post's event
  of no usable did or rkey.
* ``com.atproto.repo.getRecord`` responses ``{"uri","cid","value"}``.
* AppView ``postView``s, alone, in lists, in ``{"posts": [...]}``, in feeds ``{"feed": [...]}``
  and in threads ``{"thread": ...}`` (the thread's post, its parents and its replies).
* A getRecord response or post view whose ``uri`` is no AT-URI (none, or a part empty or holding
  a NUL, a control character or a lone surrogate) is quarantined.
* twitwi's normalised post dicts (JSON or JSONL), read like its CSV export.

A bare post record has no URI inside, so it cannot be identified: it is quarantined, not invented.
The raw relay capture ``frames.bin.zst`` (CBOR websocket frames) is not a user export and is not
claimed by this reader.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from groundswell.ingest.bluesky_csv import post_from_twitwi
from groundswell.ingest.bluesky_record import (
    POST,
    REPOST,
    at_uri,
    is_uri_part,
    post_from_record,
    repost_from_record,
    split_at_uri,
)
from groundswell.ingest.fields import shown
from groundswell.ingest.registry import (
    Head,
    Reader,
    guarded,
    iter_json_document_or_lines,
    quarantine,
)
from groundswell.ingest.source import Source
from groundswell.schema import Deletion, Record, metrics_of

_NSID = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_OTHER_KINDS = ("identity", "account")  # Jetstream events that are not commits
_VIEW_METRICS = {
    "likeCount": "like_count",
    "repostCount": "repost_count",
    "replyCount": "reply_count",
    "quoteCount": "quote_count",
    "bookmarkCount": "bookmark_count",
}
_AT_URI_KEY = re.compile(r'"uri"\s*:\s*"at://[^"/]+/app\.bsky\.feed\.')
_RECORD_KEYS = ('"record"', '"value"', '"commit"', '"user_did"')
_MAX_DEPTH = 200  # thread nesting deeper than this is not followed


class BlueskyReader(Reader):
    """Jetstream/tap events, getRecord responses and AppView post views (JSON or JSONL)."""

    name = "bluesky"
    platform = "bluesky"

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        self.passed_over: Counter[str] = Counter()  # what was read but is not a post, by kind

    def sniff(self, head: Head) -> float:
        obj = head.first_record
        if isinstance(obj, dict):
            score = _shape_score(obj)
            if score:
                return score
        txt = head.json_text
        if _AT_URI_KEY.search(txt) and any(k in txt for k in _RECORD_KEYS):
            return 0.8
        return 0.0

    def read(self, source: Source) -> Iterator[Record]:
        for item in iter_json_document_or_lines(source, self.name):
            if not isinstance(item, tuple):
                yield item
                continue
            lineno, obj = item
            if isinstance(obj, list):  # a JSON array: number the values, not the lines
                for i, value in enumerate(obj, start=1):
                    line = lineno if lineno > 1 else i
                    yield from guarded(source, self.name, line, value, self._value, line, value)
            else:
                yield from guarded(source, self.name, lineno, obj, self._value, lineno, obj)

    # -- shapes -----------------------------------------------------------------------------
    def _value(self, source: Source, lineno: int, obj: Any) -> Iterator[Record]:
        if isinstance(obj, list):  # twitwi nests a post with its quoted post in a list
            for value in obj:
                yield from self._value(source, lineno, value)
        elif not isinstance(obj, dict):
            yield quarantine(source, lineno, "not a JSON object", obj, self.name)
        elif "kind" in obj and "did" in obj:
            yield from self._jetstream(source, lineno, obj)
        elif obj.get("type") in ("record", "identity", "account") and "id" in obj:
            yield from self._tap(source, lineno, obj)
        elif isinstance(obj.get("thread"), dict):
            yield from self._thread(source, lineno, obj["thread"], 0)
        elif isinstance(obj.get("feed"), list) or isinstance(obj.get("posts"), list):
            for item in _list(obj.get("feed")) + _list(obj.get("posts")):
                yield from guarded(source, self.name, lineno, item, self._value, lineno, item)
        elif isinstance(obj.get("post"), dict) and "record" not in obj:
            yield from self._feed_item(source, lineno, obj)
        elif isinstance(obj.get("record"), dict) and "uri" in obj and "author" in obj:
            yield from self._view(source, lineno, obj)
        elif isinstance(obj.get("value"), dict) and "uri" in obj:
            yield from self._stored(source, lineno, obj["value"], obj.get("uri"), None, obj)
        elif "user_did" in obj and "uri" in obj:
            yield post_from_twitwi(obj, source.name, lineno, self.name) or quarantine(
                source, lineno, "twitwi post without uri or text", obj, self.name
            )
        elif obj.get("$type") in (POST, REPOST) or ("text" in obj and "createdAt" in obj):
            yield quarantine(source, lineno, "record without uri", obj, self.name)
        elif "did" in obj and "handle" in obj:  # a profile view (author lists, follows)
            self.passed_over["profile"] += 1
        elif (
            obj.get("notFound")
            or obj.get("blocked")
            or str(obj.get("$type", "")).startswith(("app.bsky.", "com.atproto."))
        ):
            self.passed_over[str(obj.get("$type") or "not found")] += 1
        else:
            yield quarantine(source, lineno, "not a Bluesky post, record or event", obj, self.name)

    def _jetstream(self, source: Source, lineno: int, ev: dict) -> Iterator[Record]:
        kind = ev.get("kind")  # a damaged kind next to a commit is still read as a commit
        if kind != "commit" and (kind in _OTHER_KINDS or not isinstance(ev.get("commit"), dict)):
            self.passed_over[str(ev.get("kind"))] += 1
            return
        commit = ev.get("commit")
        did = ev.get("did")
        if not isinstance(commit, dict) or not isinstance(did, str):
            yield quarantine(source, lineno, "commit event without commit or did", ev, self.name)
            return
        yield from self._op(
            source,
            lineno,
            did,
            commit.get("collection"),
            commit.get("rkey"),
            commit.get("operation"),
            commit.get("record"),
            ev.get("time_us"),
            ev,
        )

    def _tap(self, source: Source, lineno: int, ev: dict) -> Iterator[Record]:
        rec = ev.get("record")
        if ev.get("type") != "record" or not isinstance(rec, dict):
            self.passed_over[str(ev.get("type"))] += 1
            return
        yield from self._op(
            source,
            lineno,
            rec.get("did"),
            rec.get("collection"),
            rec.get("rkey"),
            rec.get("action"),
            rec.get("record"),
            None,
            ev,
        )

    def _op(
        self,
        source: Source,
        lineno: int,
        did: Any,
        collection: Any,
        rkey: Any,
        operation: Any,
        record: Any,
        time_us: Any,
        raw: dict,
    ) -> Iterator[Record]:
        """One repository operation (Jetstream commit or tap record event)."""
        if operation == "delete":  # no record to read; a tombstone, whatever the collection
            if _is_nsid(collection) and collection not in (POST, REPOST):
                self.passed_over["delete"] += 1  # a like, a follow...: not a post
                return
            bad = [
                k
                for k, v in (("collection", collection), ("did", did), ("rkey", rkey))
                if not is_uri_part(v)
            ]
            if bad:  # maybe a post's deletion, which cannot be honoured: kept, and said why
                reason = f"damaged delete event: no usable {', '.join(bad)}"
                yield quarantine(source, lineno, reason, raw, self.name)
                return
            self.passed_over["delete"] += 1
            yield Deletion(
                platform="bluesky",
                id=at_uri(did, collection, rkey),
                source_file=source.name,
                source_line=lineno,
                format=self.name,
            )
            return
        if not isinstance(collection, str) and isinstance(record, dict):
            collection = record.get("$type")  # a damaged collection: the record says what it is
        if not _is_nsid(collection):  # no kind of record: it may be a post's, so it is counted
            reason = f"event without a usable collection ({shown(collection)})"
            yield quarantine(source, lineno, reason, raw, self.name)
            return
        if collection not in (POST, REPOST):
            self.passed_over[str(collection)] += 1
            return
        if operation not in ("create", "update") and isinstance(record, dict):
            yield quarantine(
                source, lineno, f"{collection} event of operation {operation!r}", raw, self.name
            )
            return
        if operation != "create" and collection == REPOST:
            self.passed_over[f"{collection} {operation}"] += 1
            return
        if not (is_uri_part(did) and is_uri_part(rkey)):
            yield quarantine(source, lineno, "event without usable did or rkey", raw, self.name)
            return
        if not isinstance(record, dict):
            yield quarantine(source, lineno, f"{operation} event without record", raw, self.name)
            return
        yield from self._stored(source, lineno, record, at_uri(did, collection, rkey), time_us, raw)

    def _stored(
        self, source: Source, lineno: int, record: dict, uri: Any, fallback_time: Any, raw: Any
    ) -> Iterator[Record]:
        """A record as stored in a repository, at a known AT-URI (events, getRecord)."""
        parts = split_at_uri(uri)
        if parts is None:
            yield quarantine(source, lineno, _no_uri("record", uri), raw, self.name)
            return
        collection = parts[1]
        if collection == REPOST:
            post = repost_from_record(
                record,
                uri,
                fmt=self.name,
                source_file=source.name,
                source_line=lineno,
                fallback_time=fallback_time,
            )
            yield post or quarantine(source, lineno, "repost without subject uri", raw, self.name)
        elif collection == POST:
            if not isinstance(record.get("text"), str):
                yield quarantine(source, lineno, "post record without text", raw, self.name)
                return
            yield post_from_record(
                record,
                uri,
                fmt=self.name,
                source_file=source.name,
                source_line=lineno,
                fallback_time=fallback_time,
            )
        else:
            self.passed_over[collection] += 1

    def _view(self, source: Source, lineno: int, view: dict) -> Iterator[Record]:
        """An AppView postView: record plus author, counts and indexedAt."""
        uri, record = view.get("uri"), view.get("record")
        if not isinstance(record, dict):
            yield quarantine(source, lineno, "post view without record", view, self.name)
            return
        if split_at_uri(uri) is None:
            yield quarantine(source, lineno, _no_uri("post view", uri), view, self.name)
            return
        if not isinstance(record.get("text"), str):
            yield quarantine(source, lineno, "post view without text", view, self.name)
            return
        author = view.get("author") if isinstance(view.get("author"), dict) else {}
        handle = author.get("handle") if isinstance(author.get("handle"), str) else None
        metrics = metrics_of(view, _VIEW_METRICS)
        post = post_from_record(
            record,
            uri,
            fmt=self.name,
            source_file=source.name,
            source_line=lineno,
            handle=handle,
            metrics=metrics,
            fallback_time=view.get("indexedAt"),
        )
        if isinstance(author.get("did"), str) and author["did"]:
            post.author = author["did"]
        yield post

    def _feed_item(self, source: Source, lineno: int, item: dict) -> Iterator[Record]:
        """A feedViewPost: the post is stored; reply context (parent, root) is not.

        A ``reasonRepost`` becomes a repost edge: keyed by the repost record's URI when the
        AppView names it, else by who reposted what (``_repost_key``), so the same repost seen
        twice is one edge.
        """
        yield from self._view(source, lineno, item["post"])
        reason = item.get("reason") if isinstance(item.get("reason"), dict) else {}
        repost_uri = reason.get("uri")
        by = reason.get("by") if isinstance(reason.get("by"), dict) else {}
        by_did = by.get("did") if isinstance(by.get("did"), str) else None
        if str(reason.get("$type")).endswith("#reasonRepost") and (
            split_at_uri(repost_uri) or by_did
        ):
            target = item["post"].get("uri")
            if split_at_uri(target):  # a post that names no record has no repost either
                if not split_at_uri(repost_uri):  # older AppViews name only who reposted
                    repost_uri = _repost_key(by_did or "", target)
                repost = repost_from_record(
                    {"subject": {"uri": target}},
                    repost_uri,
                    fmt=self.name,
                    source_file=source.name,
                    source_line=lineno,
                    fallback_time=reason.get("indexedAt"),
                )
                if repost is not None:
                    repost.author = by.get("did") or repost.author
                    yield repost

    def _thread(self, source: Source, lineno: int, node: dict, depth: int) -> Iterator[Record]:
        """A threadViewPost: its post, then its parents upwards and its replies downwards."""
        if depth > _MAX_DEPTH:
            return
        if isinstance(node.get("post"), dict):  # one bad post quarantines itself, not the thread
            yield from guarded(
                source, self.name, lineno, node["post"], self._view, lineno, node["post"]
            )
        else:
            self.passed_over[str(node.get("$type") or "thread node without post")] += 1
        parent = node.get("parent")
        if isinstance(parent, dict):
            yield from self._thread(
                source, lineno, {k: v for k, v in parent.items() if k != "replies"}, depth + 1
            )
        for reply in _list(node.get("replies")):
            if isinstance(reply, dict):
                yield from self._thread(
                    source, lineno, {k: v for k, v in reply.items() if k != "parent"}, depth + 1
                )


def _repost_key(by_did: str, target_uri: str) -> str:
    """A stable AT URI for a repost known only as (who, what): the record key is a hash of the
    reposted post's URI, in the reposter's repost collection."""
    rkey = "gs" + hashlib.sha256(target_uri.encode()).hexdigest()[:11]
    return f"at://{by_did}/app.bsky.feed.repost/{rkey}"


def _is_nsid(value: Any) -> bool:
    """Whether ``value`` is a collection's name as the AT Protocol writes it (an NSID, such as
    ``app.bsky.feed.like``)."""
    return isinstance(value, str) and _NSID.fullmatch(value) is not None


def _no_uri(what: str, uri: Any) -> str:
    """The reason ``what`` (a record, a post view) whose ``uri`` is no AT-URI is quarantined."""
    return f"{what} without uri" if uri is None else f"{what} uri {shown(uri)} names no record"


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _shape_score(obj: dict) -> float:
    """How sure a parsed first value is a Bluesky shape this reader knows."""
    if obj.get("kind") in ("commit", "identity", "account") and "did" in obj and "time_us" in obj:
        return 0.95
    rec = obj.get("record")
    if obj.get("type") in ("record", "identity") and isinstance(rec, dict) and "collection" in rec:
        return 0.95
    if obj.get("type") == "identity" and "id" in obj and isinstance(obj.get("identity"), dict):
        return 0.9
    for key in ("thread", "post"):
        if isinstance(obj.get(key), dict) and split_at_uri(obj[key].get("uri")):
            return 0.95
    for key in ("feed", "posts"):
        items = obj.get(key)
        if isinstance(items, list) and items and isinstance(items[0], dict):
            first = items[0].get("post") if key == "feed" else items[0]
            if isinstance(first, dict) and split_at_uri(first.get("uri")):
                return 0.95
    if split_at_uri(obj.get("uri")) and ("value" in obj or "record" in obj or "user_did" in obj):
        return 0.95
    if str(obj.get("$type", "")).startswith("app.bsky.feed."):
        return 0.9
    return 0.0
