"""Twitter/X API v2: twarc2 response pages (data + includes) and flattened tweets, JSONL or JSON.

Retweets become repost edges to their original; the original (from ``includes.tweets`` or the
flattened ``referenced_tweets``) is stored as a post so its full text is kept. Quoted and replied-to
tweets in ``includes`` are context, not matches, and are not stored. Counts, users and list lines
are not posts and are passed over. Compliance results and the events of the v2 compliance streams
are not posts either, but a deletion among them is honoured (CODEBOOK section 7): a result with
``"action": "delete"`` (the tweet was deleted, or its author protected, deactivated or was
suspended) and a ``delete`` event (``{"data": {"delete": {"tweet": {"id": ...}}}}``) become a
Deletion of the tweet, as Twitter's policy asks; the reversible events (``drop``, ``user_delete``,
...) are passed over. A damaged result or event (no id of digits, no action, a body of another
type) is quarantined. A file of only results or events (what ``twarc2 compliance-job download``
writes) is read too, and so is a file of only pages of a search that found nothing (``meta``
with ``result_count``, no ``data``): it holds no posts.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import cache
from typing import Any

from groundswell.ingest.fields import (
    first_text,
    is_numeric_id,
    is_tweet_id,
    numeric_id,
    objects,
    ref_tweet_id,
    shown,
    stated_time,
    texts,
    tweet_id,
)
from groundswell.ingest.fields import obj as as_obj
from groundswell.ingest.registry import (
    Head,
    JsonReader,
    Reader,
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

METRICS = (  # the public_metrics a v2 tweet carries (also read by store/bulk.py)
    "retweet_count",
    "reply_count",
    "like_count",
    "quote_count",
    "impression_count",
    "bookmark_count",
)


def unescape(text: str) -> str:
    """Undo Twitter's HTML escaping, which covers exactly ``&``, ``<`` and ``>``."""
    if "&" not in text:
        return text
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _key(value: Any) -> bool:
    """Whether ``value`` can name a user or tweet of a page's includes."""
    return isinstance(value, str | int) and not isinstance(value, bool)


def _is_tweet(obj: Any) -> bool:
    return isinstance(obj, dict) and "id" in obj and ("text" in obj or "note_tweet" in obj)


def _compliance_damage(line: dict) -> str | None:
    """Why a compliance result (``{"id": "123", "action": "delete", "reason": ...}``, one per
    tweet or user of a compliance job) is damaged, or None when it is well formed: it names
    its tweet or user by an id of digits and says what happened to it."""
    rid, action = line.get("id"), line.get("action")
    if not is_numeric_id(rid):
        return f"damaged compliance result: id {shown(rid)} is not a tweet or user id"
    if not isinstance(action, str) or not action:
        return f"damaged compliance result: action {shown(action)} is not a word"
    return None


# the events of the v2 compliance streams, ``{"data": {<event>: {<subject>: {"id": ...}, ...}}}``,
# each with the kind of what it names (GET /2/tweets/compliance/stream, /2/users/compliance/stream)
_EVENT_SUBJECT = {
    **dict.fromkeys(("delete", "tweet_edit", "withheld", "drop", "undrop"), "tweet"),
    **dict.fromkeys(
        (
            "user_delete",
            "user_undelete",
            "user_withheld",
            "user_protect",
            "user_unprotect",
            "user_suspend",
            "user_unsuspend",
            "user_profile_modification",
            "scrub_geo",
        ),
        "user",
    ),
}


def _event_damage(data: dict) -> str | None:
    """Why a page's ``data`` that is a compliance stream event is damaged, or None when it is
    well formed or no event (a tweet or user object has an ``id`` of its own). An event's body
    is an object that names its tweet or user by an id of digits (``{"tweet": {"id": "1"}}``,
    or a bare ``{"id": "1"}``)."""
    kinds = sorted(data.keys() & _EVENT_SUBJECT.keys())
    if not kinds or "id" in data:
        return None
    for kind in kinds:
        subject, body = _EVENT_SUBJECT[kind], data[kind]
        if not isinstance(body, dict):
            return f"damaged {kind} event: {shown(body)} where Twitter sends an object"
        named = body.get(subject, body)
        if not isinstance(named, dict):
            return f"damaged {kind} event: {subject} {shown(named)} where Twitter sends an object"
        if not is_numeric_id(named.get("id")):
            return f"damaged {kind} event: id {shown(named.get('id'))} is not a {subject} id"
    return None


# the keys of a compliance job's result, as ``twarc2 compliance-job download`` writes it
_RESULT_KEYS = frozenset(("id", "action", "created_at", "redacted_at", "reason"))


def _is_notice(obj: dict) -> bool:
    """Whether ``obj`` is a compliance job's result or a compliance stream's event (a file of
    only those is still read: its deletions are honoured)."""
    data = obj.get("data")
    if isinstance(data, dict) and len(obj.keys() - NOT_POST_KEYS) == 1:
        return "id" not in data and bool(data.keys() & _EVENT_SUBJECT.keys())
    return "id" in obj and isinstance(obj.get("action"), str) and obj.keys() <= _RESULT_KEYS


def _is_empty_page(obj: dict) -> bool:
    """Whether ``obj`` is a search's page that found nothing (``{"meta": {"result_count": 0}}``,
    no ``data``), as twarc2 writes one for a search without results."""
    meta = obj.get("meta")
    return isinstance(meta, dict) and "result_count" in meta and obj.keys() <= NOT_POST_KEYS


def tweet_deletion(source: Source, line: int, tweet_id: Any, fmt: str) -> Deletion:
    """A notice that the store forgets this tweet, wherever it was read from (CODEBOOK 7)."""
    return Deletion(
        platform="twitter",
        id=id_text(tweet_id),
        source_file=source.name,
        source_line=line,
        format=fmt,
    )


# the keys of lines that are no post and say nothing lost: errors-only pages, a search's last
# page (meta only), an API problem (RFC 7807), twarc's own metadata, flatten's {}
NOT_POST_KEYS = frozenset(("errors", "meta", "title", "detail", "type", "status", "__twarc"))


def _keys(obj: dict) -> str:
    """The first keys of an object, as a quarantine reason names them."""
    keys = sorted(map(str, obj))
    return "keys " + ", ".join(keys[:6]) + (", ..." if len(keys) > 6 else "")


@cache
def _v1_reader() -> Reader:
    from groundswell.ingest.twitter_v1 import TwitterV1Reader

    return TwitterV1Reader()


class TwitterV2Reader(JsonReader):
    """twarc2 JSONL pages, ``twarc2 flatten`` output, and single v2 API responses."""

    name = "twitter_v2"
    platform = "twitter"

    def sniff(self, head: Head) -> float:
        obj = head.first_record
        if isinstance(obj, dict):
            data = obj.get("data")
            if isinstance(data, list) and data and _is_tweet(data[0]) and "author_id" in data[0]:
                return 0.95
            if isinstance(data, dict) and _is_tweet(data) and "author_id" in data:
                return 0.95
            if _is_tweet(obj) and "author_id" in obj and "id_str" not in obj:
                return 0.95
            if _is_notice(obj):  # a compliance job's results, a compliance stream's events
                return 0.9
        txt = head.json_text
        if '"data"' in txt and '"author_id"' in txt and '"edit_history_tweet_ids"' in txt:
            return 0.8
        if '"data"' in txt and '"author_id"' in txt and '"conversation_id"' in txt:
            return 0.7
        if isinstance(obj, dict) and _is_empty_page(obj):  # a search that found nothing
            return 0.6
        return 0.0

    def read_value(self, source: Source, lineno: int, obj: Any) -> Iterator[Record]:
        if isinstance(obj, list):  # a JSON array of pages or tweets
            for i, value in enumerate(obj, start=1):
                line = lineno if lineno > 1 else i
                yield from guarded(source, self.name, line, value, self.read_value, line, value)
            return
        if not isinstance(obj, dict):
            yield quarantine(source, lineno, "not a JSON object", obj, self.name)
            return
        if "data" in obj:
            data = obj["data"]
            tweets = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
            if not tweets or (not _is_tweet(tweets[0]) and "author_id" not in tweets[0]):
                # counts, users, lists, compliance events: not posts; a damaged event is kept
                damage = _event_damage(data) if isinstance(data, dict) else None
                if damage is not None:
                    yield quarantine(source, lineno, damage, obj, self.name)
                elif isinstance(data, dict) and "id" not in data and "delete" in data:
                    deleted = data["delete"].get("tweet", data["delete"])
                    yield tweet_deletion(source, lineno, deleted["id"], self.name)
                return
            includes = as_obj(obj.get("includes"))
            users = {u["id"]: u for u in objects(includes.get("users")) if _key(u.get("id"))}
            refs = {t["id"]: t for t in objects(includes.get("tweets")) if _key(t.get("id"))}
            for tweet in tweets:  # one bad tweet is quarantined, not its whole page
                yield from guarded(
                    source, self.name, lineno, tweet, self._tweet, lineno, tweet, users, refs
                )
        elif "id_str" in obj or isinstance(obj.get("user"), dict):
            yield from _v1_reader().read_value(source, lineno, obj)  # a v1.1 tweet among them
        elif "author_id" in obj or ("id" in obj and ("text" in obj or "note_tweet" in obj)):
            # a tweet: one that lost its id is quarantined, not passed over
            yield from self._tweet(source, lineno, obj, None, None)
        elif "action" in obj:  # a compliance result: not a post; a deletion is honoured
            damage = _compliance_damage(obj)
            if damage is not None:
                yield quarantine(source, lineno, damage, obj, self.name)
            elif obj["action"] == "delete":
                yield tweet_deletion(source, lineno, obj["id"], self.name)
        elif obj.keys() - NOT_POST_KEYS:  # a record of another format: kept, not passed over
            yield quarantine(
                source, lineno, f"not a Twitter v2 record: {_keys(obj)}", obj, self.name
            )
        # else: errors-only pages, meta, {} from flatten: not posts

    def _tweet(
        self, source: Source, lineno: int, tw: dict, users: dict | None, refs: dict | None
    ) -> Iterator[Record]:
        tid = tw.get("id")
        if not tid:
            yield quarantine(source, lineno, "tweet without id", tw, self.name)
            return
        author = tw.get("author") if users is None else users.get(tw.get("author_id"))
        if why := _shape_problem(tw):
            yield quarantine(source, lineno, why, tw, self.name)
            return
        ref_ids: dict[str, str] = {}
        ref_full: dict[str, dict] = {}
        for ref in tw.get("referenced_tweets") or ():
            kind, rid = ref.get("type"), ref.get("id")
            if kind and rid:
                ref_ids[kind] = str(rid)
                full = refs.get(rid) if refs is not None else ref if "text" in ref else None
                if full:
                    ref_full[kind] = full
        try:  # a handle or 1.2e+18 names no tweet; an id's digits drop the spaces around them
            ref_ids = {k: ref_tweet_id(rid, f"{k} tweet id") for k, rid in ref_ids.items()}
        except ValueError as exc:
            yield quarantine(source, lineno, str(exc), tw, self.name)
            return
        rt_id = ref_ids.get("retweeted")
        if rt_id:
            original = ref_full.get("retweeted")
            if original and (original.get("text") is not None or original.get("note_tweet")):
                orig_author = (
                    (users or {}).get(original.get("author_id"))
                    if users is not None
                    else original.get("author")
                )
                orig_refs = {  # an id that names no tweet is no link
                    str(r.get("type")): numeric_id(r.get("id"))
                    for r in original.get("referenced_tweets") or ()
                    if r.get("id") and is_tweet_id(numeric_id(r.get("id")))
                }
                yield self._post(source, lineno, original, orig_author, orig_refs)
            yield self._post(source, lineno, tw, author, ref_ids, repost_of=rt_id)
            return
        if tw.get("text") is None and not tw.get("note_tweet"):
            yield quarantine(source, lineno, f"tweet {tid} without text", tw, self.name)
            return
        yield self._post(source, lineno, tw, author, ref_ids)

    def _post(
        self,
        source: Source,
        lineno: int,
        tw: dict,
        author: dict | None,
        ref_ids: dict[str, str],
        repost_of: str | None = None,
    ) -> Post:
        note = as_obj(tw.get("note_tweet"))
        text = unescape(note.get("text") or tw.get("text") or "")
        raw = note.get("entities") or tw.get("entities")
        entities = as_obj(raw)
        tags = entities.get("hashtags") if raw is None or isinstance(raw, dict) else raw
        username = as_obj(author).get("username")
        if not isinstance(username, str):  # not needed: a handle of another type is none
            username = None
        tid = tweet_id(tw["id"])
        return Post(
            platform="twitter",
            id=tid,
            text=text,
            created_at=_created_at(tw.get("created_at")),
            author=str(tw.get("author_id") or (author or {}).get("id") or "") or None,
            author_name=username,
            url=f"https://twitter.com/{username or 'i/web'}/status/{tid}",
            lang=tw.get("lang"),
            # Twitter's own entities are authoritative (they cover long-form note_tweet text too);
            # a hashtag list of another shape gives way to the text's own hashtags
            hashtags=merge_hashtags(texts(h.get("tag") for h in objects(tags)))
            if tags is None or isinstance(tags, list)
            else hashtags_in_text(text),
            mentions=texts(m.get("username") for m in objects(entities.get("mentions"))),
            urls=[
                first_text(u.get("unwound_url"), u.get("expanded_url"), u.get("url")) or ""
                for u in objects(entities.get("urls"))
            ],
            reply_to=ref_ids.get("replied_to"),
            quote_of=ref_ids.get("quoted"),
            repost_of=repost_of,
            metrics=metrics_of(tw.get("public_metrics"), {k: k for k in METRICS}),
            source_file=source.name,
            source_line=lineno,
            format=self.name,
        )


def _shape_problem(tw: dict) -> str | None:
    """Why a tweet cannot be read as a tweet, naming the field: a text that is not text, or
    references that are not a list of objects (the tweet is quarantined, as before, but with a
    reason a person can act on rather than the TypeError it raised)."""
    for name, value in (("text", tw.get("text")), ("note_tweet.text", _note_text(tw))):
        if value is not None and not isinstance(value, str):
            return f"{name} {shown(value)} is not text"
    refs = tw.get("referenced_tweets")
    if refs is not None and not isinstance(refs, list):
        return f"referenced_tweets {shown(refs)} is not a list of references"
    bad = next((r for r in refs or () if not isinstance(r, dict)), False)
    if bad is not False:
        return f"referenced_tweets holds {shown(bad)}, not a reference"
    # a retweet, reply or quote whose id is null or empty names no tweet: read as an ordinary
    # tweet, it would be stored as one and the original flattened into it passed over
    gone = next((r for r in refs or () if r.get("type") in REF_KINDS and not r.get("id")), None)
    if gone is not None:
        return f"{gone['type']} tweet id {shown(gone.get('id'))} names no tweet"
    return None


REF_KINDS = ("replied_to", "quoted", "retweeted")


def _created_at(value: Any) -> datetime | None:
    """A tweet's ``created_at``: the API writes it as ISO 8601 text only, so a JSON number
    (which ``parse_time`` would read as an epoch by its size) is no time in this format and
    raises ValueError naming it, as text of no time shape does (``stated_time``)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"created_at {shown(value)} is not a time")
    return stated_time(value)


def _note_text(tw: dict) -> Any:
    note = tw.get("note_tweet")
    return note.get("text") if isinstance(note, dict) else None
