"""The ActivityPub side of Mastodon: an account archive's ``outbox.json``, and the helpers that
the REST reader (``groundswell.ingest.mastodon``) shares with it.

``{"type": "OrderedCollection", "orderedItems": [Activity]}``: a ``Create`` of a Note or Question
is a post (id = the object's URI, language from ``contentMap``, visibility from ``to``/``cc``); an
``Announce`` (a boost) carries only the boosted URI and becomes a repost record. Real archives
repeat the ``orderedItems`` key (the lists are merged), miscount ``totalItems`` (ignored) and
escape HTML as ``\\u003c`` (plain JSON). Archives have no metrics. Likes, follows, updates and
the other ActivityStreams activities are not posts and are passed over; an activity of no such
type (null, a number, a list, an unknown name) is quarantined, not passed over uncounted. A
``Delete`` of a status is honoured (CODEBOOK section 7): the store forgets the status it names (a
URI, a Tombstone's ``id``, or a list of those), wherever it was read from; a ``Delete`` of the
account itself names no status. A ``Delete`` that names nothing it deletes (no object, or a
Tombstone without id) is quarantined.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

import orjson

from groundswell.ingest.fields import first_text, shown, stated_time
from groundswell.ingest.html_text import html_to_text, links_in_html
from groundswell.ingest.registry import (
    UnreadableItem,
    guarded,
    lists_under,
    loads_document,
    quarantine,
)
from groundswell.ingest.source import Source
from groundswell.schema import (
    Deletion,
    Post,
    Quarantined,
    Record,
    hashtags_in_text,
    id_text,
    merge_hashtags,
)

HIDDEN_CLASSES = ("invisible", "quote-inline")  # URL parts and the 'RE: <link>' of quote posts
PUBLIC = ("https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public")
POST_OBJECTS = ("Note", "Question", "Article", "Page")
NOT_PUBLIC = ("private", "direct")
# ActivityStreams activities that are not posts (Create, Announce and Delete are read)
_NOT_POSTS = frozenset(
    ("Accept", "Add", "Arrive", "Block", "Dislike", "EmojiReact", "Flag", "Follow", "Ignore",
     "Invite", "Join", "Leave", "Like", "Listen", "Move", "Offer", "Question", "Read", "Reject",
     "Remove", "TentativeAccept", "TentativeReject", "Travel", "Undo", "Update", "View")
)  # fmt: skip
_ACTOR_PATH = re.compile(r"^/(?:users|u|@)/?([^/]+)/?$")
_NOT_IN_KEY = re.compile(r"[\x00-\x1f\x7f-\x9f\s]")  # control characters and whitespace


def key_problem(value: str, what: str) -> str | None:
    """Why ``value``, a status's key (a REST ``uri`` or ``url``, an ActivityPub ``id``; ``what``
    names the field), cannot be stored: a control character or whitespace, which no URI holds
    and which can be neither shown nor joined on; None when it can."""
    if _NOT_IN_KEY.search(value):
        return f"{what} {shown(value)} holds a control character or whitespace"
    return None


def is_outbox(obj: Any) -> bool:
    """Whether a parsed JSON value is an ActivityPub outbox collection."""
    return (
        isinstance(obj, dict)
        and isinstance(obj.get("orderedItems"), list)
        and (obj.get("type") in ("OrderedCollection", "OrderedCollectionPage") or "@context" in obj)
    )


def load_outbox(data: bytes) -> Any:
    """Parse an outbox document; a repeated ``orderedItems`` key gets its lists concatenated
    (a plain parser would keep only the last)."""
    if data.count(b'"orderedItems"') > 1:
        # a number that is no finite double (NaN, Infinity, 1e999) is null, as in ``loads_json``
        return json.loads(
            data.decode("utf-8-sig"),
            object_pairs_hook=_merge_pairs,
            parse_constant=_null,
            parse_float=_finite_or_null,
        )
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        # a lone surrogate escape in one note, or nesting past orjson's limit: the reader that
        # keeps the rest (the surrogate becomes U+FFFD) or says why in one line
        return loads_document(data.removeprefix(b"\xef\xbb\xbf"))


def _null(_constant: str) -> None:
    """A bare ``NaN``, ``Infinity`` or ``-Infinity``: no number, read as null."""
    return None


def _finite_or_null(text: str) -> float | None:
    """A number with a fraction or an exponent, or null when it is beyond a double."""
    value = float(text)
    return None if math.isinf(value) else value


def _merge_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out and isinstance(out[key], list) and isinstance(value, list):
            out[key] = out[key] + value
        else:
            out[key] = value
    return out


def handle(acct: Any, url: Any) -> str | None:
    """``user@host`` from an ``acct`` or ``@name`` (qualified with the host of ``url`` if local)."""
    if not isinstance(acct, str) or not acct.strip("@"):
        return None
    acct = acct.lstrip("@")
    if "@" in acct:
        return acct
    host = urlsplit(url).netloc if isinstance(url, str) else ""
    return f"{acct}@{host}" if host else acct


def first_str(value: Any) -> str | None:
    """A URI field that may be a string, a Link or object with ``href``/``id``, or a list; a
    blank string is none (an empty ``inReplyTo`` replies to nothing)."""
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, dict):
        return first_str(value.get("href") or value.get("id"))
    if isinstance(value, list) and value:
        return first_str(value[0])
    return None


def with_cw(spoiler: Any, body: str) -> str:
    """The post text with its content warning in front (``CW: ...`` and a blank line)."""
    if isinstance(spoiler, str) and spoiler.strip():
        cw = html_to_text(spoiler)
        return f"CW: {cw}\n\n{body}" if body else f"CW: {cw}"
    return body


def not_public(source: Source, line: int, visibility: str, fmt: str) -> Quarantined:
    """A followers-only or direct post: counted as read, not stored, no raw bytes kept."""
    return Quarantined(
        source_file=source.name,
        line=line,
        reason=f"not public (visibility {visibility}); not stored",
        raw=b"",
        format=fmt,
    )


def read_outbox(
    source: Source,
    outbox: dict,
    fmt: str,
    include_private: bool = False,
) -> Iterator[Record]:
    """Records of an outbox; ``source_line`` is the activity's 1-based position. An activity
    that cannot be read (a field of another type, a time out of range) is quarantined alone."""
    items = outbox.get("orderedItems")  # [] is an outbox with nothing in it
    if not isinstance(items, list):
        yield quarantine(source, 1, "orderedItems is not a list", outbox, fmt)
        return
    yield from read_activities(source, enumerate(items, start=1), fmt, include_private)


def salvage_outbox(
    source: Source, data: bytes, fmt: str, include_private: bool = False
) -> Iterator[Record] | None:
    """The records of an outbox cut short or damaged: every activity that can still be read,
    numbered by its position across the repeated ``orderedItems``, each one that cannot
    quarantined; None when no ``orderedItems`` array is found."""
    lists = lists_under(data, b"orderedItems")
    if not lists:
        return None
    items = (value for _, _, values in lists for _, value in values)
    return read_activities(source, enumerate(items, start=1), fmt, include_private)


def read_activities(
    source: Source, items: Iterable[tuple[int, Any]], fmt: str, include_private: bool
) -> Iterator[Record]:
    """The records of (position, activity) pairs, each activity read or quarantined alone."""
    for pos, act in items:
        if isinstance(act, UnreadableItem):
            reason = f"unreadable activity of an outbox cut short or damaged: {act}"
            yield quarantine(source, pos, reason, act.raw, fmt)
            continue
        yield from guarded(source, fmt, pos, act, _activity, pos, act, fmt, include_private)


def _activity(
    source: Source, pos: int, act: Any, fmt: str, include_private: bool
) -> Iterator[Record]:
    """The records of one outbox activity (none for likes, follows, updates, deletes...)."""
    if not isinstance(act, dict):
        yield quarantine(source, pos, "activity is not an object", act, fmt)
        return
    kind, obj = act.get("type"), act.get("object")
    if kind == "Announce":
        target = first_str(obj)
        if not act.get("id") or not target:
            yield quarantine(source, pos, "Announce without id or object", act, fmt)
            return
        if not isinstance(act["id"], str):  # a URI, never a number written out as one
            yield quarantine(source, pos, f"Announce id {shown(act['id'])} is not text", act, fmt)
            return
        if why := key_problem(act["id"], "Announce id"):
            yield quarantine(source, pos, why, act, fmt)
            return
        actor = first_str(act.get("actor"))
        yield Post(
            platform="mastodon",
            id=id_text(act["id"]),
            text="",
            created_at=stated_time(act.get("published"), "published"),
            author=actor,
            author_name=actor_handle(actor),
            repost_of=target,
            source_file=source.name,
            source_line=pos,
            format=fmt,
        )
    elif kind == "Create" and isinstance(obj, dict) and obj.get("type") in POST_OBJECTS:
        yield _note(source, pos, obj, act, fmt, include_private)
    elif kind == "Create":
        yield quarantine(source, pos, "Create without a Note object", act, fmt)
    elif kind == "Delete" and (damage := _delete_damage(act)) is not None:
        yield quarantine(source, pos, damage, act, fmt)
    elif kind == "Delete":
        yield from _deletions(source, pos, act, fmt)
    elif not (isinstance(kind, str) and kind in _NOT_POSTS):  # Like, Follow...: not posts
        yield quarantine(source, pos, f"activity of unknown type {shown(kind)}", act, fmt)


def _deletions(source: Source, pos: int, act: dict, fmt: str) -> Iterator[Deletion]:
    """A Deletion of each status a well-formed ``Delete`` names (none for the account's own)."""
    obj, actor = act["object"], first_str(act.get("actor"))
    named = (item["id"] if isinstance(item, dict) else item for item in _listed(obj))
    for uri in dict.fromkeys(u.strip() for u in named):  # once each, in order
        if uri != actor:
            yield Deletion(
                platform="mastodon", id=uri, source_file=source.name, source_line=pos, format=fmt
            )


def _listed(value: Any) -> list:
    """``value`` as a list: itself when it is one, else a list of it."""
    return value if isinstance(value, list) else [value]


def _delete_damage(act: dict) -> str | None:
    """Why a ``Delete`` activity is damaged, or None when its ``object`` names what it deletes:
    a URI, a Tombstone (or other object) with an ``id``, or a list of those."""
    if "object" not in act:
        return "damaged Delete activity: no object"
    obj = act["object"]
    for item in _listed(obj) or [obj]:
        oid = item.get("id") if isinstance(item, dict) else item
        if not isinstance(oid, str) or not oid.strip():
            typed = isinstance(item, dict)  # an object without id, or no object at all
            what = f"{first_text(item.get('type'), 'object')} with id" if typed else "object"
            return f"damaged Delete activity: {what} {shown(oid)}, not what it deletes"
    return None


def _note(
    source: Source,
    pos: int,
    note: dict,
    act: dict,
    fmt: str,
    include_private: bool,
) -> Record:
    nid = note.get("id")
    if not nid:
        return quarantine(source, pos, "Note without id", note, fmt)
    if not isinstance(nid, str) or not nid.strip():  # a URI, as a REST status's uri must be
        return quarantine(source, pos, f"Note id {shown(nid)} is not text", note, fmt)
    if why := key_problem(nid, "Note id"):
        return quarantine(source, pos, why, note, fmt)
    visibility = audience(note.get("to") or act.get("to"), note.get("cc") or act.get("cc"))
    if visibility in NOT_PUBLIC and not include_private:
        return not_public(source, pos, visibility, fmt)
    content_map = note.get("contentMap") if isinstance(note.get("contentMap"), dict) else {}
    content = note.get("content")
    if not isinstance(content, str):
        content = next(iter(content_map.values()), "") if content_map else ""
    text = with_cw(note.get("summary"), html_to_text(content, hidden_classes=HIDDEN_CLASSES))
    tags = [t for t in note.get("tag") or () if isinstance(t, dict)]
    actor = first_str(note.get("attributedTo") or act.get("actor"))
    return Post(
        platform="mastodon",
        id=id_text(nid),
        text=text,
        created_at=stated_time(note.get("published"), "published")
        or stated_time(act.get("published"), "published"),
        author=actor,
        author_name=actor_handle(actor),
        url=first_str(note.get("url")) or str(nid),
        lang=next(iter(content_map), None),
        hashtags=merge_hashtags(
            [_tag_name(t) for t in tags if t.get("type") == "Hashtag"], hashtags_in_text(text)
        ),
        mentions=[
            h
            for t in tags
            if t.get("type") == "Mention" and (h := handle(t.get("name"), t.get("href")))
        ],
        urls=links_in_html(content),
        reply_to=first_str(note.get("inReplyTo")),
        quote_of=first_str(
            note.get("quoteUri") or note.get("quoteUrl") or note.get("_misskey_quote")
        ),
        source_file=source.name,
        source_line=pos,
        format=fmt,
    )


def actor_handle(actor: str | None) -> str | None:
    """``user@host`` from an actor URI of the ``/users/<name>`` kind (None for opaque ids)."""
    if not actor:
        return None
    parts = urlsplit(actor)
    m = _ACTOR_PATH.match(parts.path)
    return f"{unquote(m.group(1))}@{parts.netloc}" if m and parts.netloc else None


def _tag_name(tag: dict) -> str:
    """A Hashtag's name, or the last segment of its (percent-encoded) href when unnamed."""
    name = tag.get("name")
    if isinstance(name, str) and name.strip("#"):
        return name
    href = tag.get("href")
    return unquote(href.rstrip("/").rsplit("/", 1)[-1]) if isinstance(href, str) else ""


def audience(to: Any, cc: Any) -> str:
    """public, unlisted, private (followers-only) or direct, from an activity's addressing."""
    to_list = to if isinstance(to, list) else [to] if to else []
    cc_list = cc if isinstance(cc, list) else [cc] if cc else []
    if any(a in PUBLIC for a in to_list):
        return "public"
    if any(a in PUBLIC for a in cc_list):
        return "unlisted"
    if any(isinstance(a, str) and a.endswith("/followers") for a in to_list + cc_list):
        return "private"
    return "direct"
