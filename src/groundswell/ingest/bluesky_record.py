"""Turning AT Protocol records (``app.bsky.feed.post`` and ``app.bsky.feed.repost``) into Posts.

Every Bluesky reader (Jetstream, tap, AppView JSON, CAR repositories) ends here, so facets, embeds
and replies are read one way. Facet offsets are UTF-8 *byte* offsets: they are applied to
``text.encode()``, never to the Python string. Records carry no URI of their own; the caller gives
the AT-URI it built from the repository DID, the collection and the record key.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from groundswell.ingest.fields import shown, stated_time
from groundswell.schema import (
    Post,
    TimeOutOfRangeError,
    hashtags_in_text,
    merge_hashtags,
    parse_time,
)

POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.repost"
_TAG = "app.bsky.richtext.facet#tag"
_MENTION = "app.bsky.richtext.facet#mention"
_LINK = "app.bsky.richtext.facet#link"
_QUOTE = "app.bsky.embed.record"
_QUOTE_WITH_MEDIA = "app.bsky.embed.recordWithMedia"
_EXTERNAL = "app.bsky.embed.external"


def at_uri(did: str, collection: str, rkey: str) -> str:
    """The AT-URI of a record: ``at://<did>/<collection>/<rkey>``."""
    return f"at://{did}/{collection}/{rkey}"


def is_uri_part(value: Any) -> bool:
    """Whether ``value`` can be part of an AT-URI: a string that is not empty, of printable
    characters (no NUL, no control character, no lone surrogate)."""
    return isinstance(value, str) and bool(value) and value.isprintable()


def split_at_uri(uri: Any) -> tuple[str, str, str] | None:
    """``(did, collection, rkey)`` of an AT-URI, or None when it is not one (a part that is
    empty or holds a NUL, a control character or a lone surrogate names no record)."""
    if not isinstance(uri, str) or not uri.startswith("at://"):
        return None
    parts = uri[5:].split("/")
    if len(parts) != 3 or not all(map(is_uri_part, parts)):
        return None
    return parts[0], parts[1], parts[2]


def ref_at_uri(value: Any, what: str) -> str | None:
    """The AT-URI of the record a post refers to (``what``: which reference), None when empty;
    one that names no record (not ``at://``, a control character, a number) raises ValueError,
    so that the post is quarantined rather than linked to it."""
    if value is None or value == "":
        return None
    if split_at_uri(value) is None:
        raise ValueError(f"{what} {shown(value)} names no record")
    return value


def web_url(actor: str, rkey: str) -> str:
    """The bsky.app address of a post; ``actor`` is a handle or a DID (both resolve)."""
    return f"https://bsky.app/profile/{actor}/post/{rkey}"


def facet_spans(text: str, facets: Any) -> Iterator[tuple[str, dict]]:
    """``(covered text, feature)`` for every feature of every facet, slicing by UTF-8 bytes.

    A facet whose byte range does not fit the text yields an empty covered text (the feature
    itself usually carries the value: the tag, the DID or the full link).
    """
    if not isinstance(facets, list):
        return
    data = text.encode("utf-8")
    for facet in facets:
        if not isinstance(facet, dict):
            continue
        index = facet.get("index") or {}
        start, end = index.get("byteStart"), index.get("byteEnd")
        covered = ""
        if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(data):
            covered = data[start:end].decode("utf-8", errors="replace")
        features = facet.get("features")
        for feature in features if isinstance(features, list) else ():
            if isinstance(feature, dict):
                yield covered, feature


def facet_entities(text: str, facets: Any) -> tuple[list[str], list[str], list[str]]:
    """Hashtags (raw, without '#'), mentioned DIDs and full link URLs named by the facets."""
    tags: list[str] = []
    mentions: list[str] = []
    links: list[str] = []
    for covered, feature in facet_spans(text, facets):
        kind = feature.get("$type")
        if kind == _TAG:
            tag = feature.get("tag") or covered.lstrip("#＃")
            if _one_word(tag):
                tags.append(tag)
        elif kind in (_MENTION, _LINK):
            value = feature.get("did" if kind == _MENTION else "uri")
            target = mentions if kind == _MENTION else links
            if isinstance(value, str) and value and value not in target:
                target.append(value)
    return tags, mentions, links


def _one_word(tag: Any) -> bool:
    """A usable tag value: a non-empty string without spaces (a facet spanning several tags, or
    a free-text ``tags`` entry such as "video da tv", is not one hashtag; the text still has
    the real ones)."""
    return isinstance(tag, str) and bool(tag) and not any(c.isspace() for c in tag)


def quoted_uri(embed: Any) -> str | None:
    """The AT-URI of the post quoted by an ``embed.record`` or ``embed.recordWithMedia``; a
    ``uri`` there that names no record raises ValueError (``ref_at_uri``)."""
    if not isinstance(embed, dict):
        return None
    kind = embed.get("$type")
    inner = embed.get("record")
    if kind == _QUOTE_WITH_MEDIA and isinstance(inner, dict):
        inner = inner.get("record")
    elif kind != _QUOTE:
        return None
    uri = ref_at_uri(inner.get("uri") if isinstance(inner, dict) else None, "embed.record.uri")
    parts = split_at_uri(uri)
    return uri if parts and parts[1] == POST else None  # lists, feeds, starter packs: not quotes


def _card_uri(embed: Any) -> str | None:
    """The link-card URL of an ``embed.external`` (also inside recordWithMedia)."""
    if not isinstance(embed, dict):
        return None
    if embed.get("$type") == _QUOTE_WITH_MEDIA:
        embed = embed.get("media")
        if not isinstance(embed, dict):
            return None
    if embed.get("$type") == _EXTERNAL:
        uri = (embed.get("external") or {}).get("uri")
        return uri if isinstance(uri, str) and uri else None
    return None


def post_from_record(
    record: dict,
    uri: str,
    *,
    fmt: str,
    source_file: str,
    source_line: int,
    handle: str | None = None,
    metrics: dict[str, int] | None = None,
    fallback_time: Any = None,
) -> Post:
    """The Post of one ``app.bsky.feed.post`` record stored at ``uri``.

    ``fallback_time`` (an AppView ``indexedAt`` or a Jetstream ``time_us``) is used only when the
    record's own ``createdAt`` is missing or not a time (``_fallback``); a ``createdAt`` out of
    range raises TimeOutOfRangeError, and a reply or quote that names no record raises
    ValueError (the reader quarantines the record). The caller has checked that ``text`` is a
    string.
    """
    did, _, rkey = split_at_uri(uri) or ("", "", "")
    text: str = record["text"]
    tags, mentions, links = facet_entities(text, record.get("facets"))
    extra_tags = record.get("tags") if isinstance(record.get("tags"), list) else []
    card = _card_uri(record.get("embed"))
    if card and card not in links:
        links.append(card)
    reply = record.get("reply") if isinstance(record.get("reply"), dict) else {}
    parent = reply.get("parent") if isinstance(reply.get("parent"), dict) else {}
    langs = record.get("langs")
    lang = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else None
    created: datetime | None = _stated(record.get("createdAt")) or _fallback(fallback_time)
    return Post(
        platform="bluesky",
        id=uri,
        text=text,
        created_at=created,
        author=did or None,
        author_name=handle,
        url=web_url(handle or did, rkey) if did else None,
        lang=lang,
        hashtags=merge_hashtags(
            tags, [t for t in extra_tags if _one_word(t)], hashtags_in_text(text)
        ),
        mentions=mentions,
        urls=links,
        reply_to=ref_at_uri(parent.get("uri"), "reply.parent.uri"),
        quote_of=quoted_uri(record.get("embed")),
        metrics=metrics or {},
        source_file=source_file,
        source_line=source_line,
        format=fmt,
    )


def repost_from_record(
    record: dict,
    uri: str,
    *,
    fmt: str,
    source_file: str,
    source_line: int,
    fallback_time: Any = None,
) -> Post | None:
    """The repost edge of one ``app.bsky.feed.repost`` record (None without a subject URI; one
    that names no record raises ValueError)."""
    subject = record.get("subject") if isinstance(record.get("subject"), dict) else {}
    target = ref_at_uri(subject.get("uri"), "subject.uri")
    if target is None:
        return None
    did = (split_at_uri(uri) or ("",))[0]
    return Post(
        platform="bluesky",
        id=uri,
        text="",
        repost_of=target,
        author=did or None,
        created_at=_stated(record.get("createdAt")) or _fallback(fallback_time),
        source_file=source_file,
        source_line=source_line,
        format=fmt,
    )


def _stated(value: Any) -> datetime | None:
    """A record's ``createdAt``: the lexicon makes it a datetime string, so a number (``5``,
    which ``parse_time`` would read as epoch seconds, 1970) is no time and the caller falls
    back to the event's or the view's own time."""
    return _time(value) if isinstance(value, str) else None


def _fallback(value: Any) -> datetime | None:
    """The time of the event or view a record came in: a Jetstream ``time_us`` (an int of
    microseconds, never read by its size) or an AppView ``indexedAt``. One that is no time too
    leaves the post undated: both times come from the client then (real exports hold posts whose
    ``createdAt`` and ``indexedAt`` both read the year 0), and the post is still a post."""
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return stated_time(value, "time_us", "us")
        if isinstance(value, str) and value.strip().isdigit():
            return stated_time(value, "time_us", "us")
        return stated_time(value, "indexedAt")
    except ValueError:
        return None


def _time(value: Any) -> datetime | None:
    """``parse_time``, with a value of an unexpected type read as no time. A time out of range
    raises TimeOutOfRangeError, so the caller quarantines that one record."""
    try:
        return parse_time(value)
    except TimeOutOfRangeError:
        raise
    except (TypeError, AttributeError):
        return None
