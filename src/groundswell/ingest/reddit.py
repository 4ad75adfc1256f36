"""Reddit: Pushshift / Arctic Shift NDJSON dumps (plain or .zst) and Reddit API JSON listings.

Comments (t1) and submissions (t3) share one id space through their fullnames (``t1_abc``,
``t3_xyz``), so a comment's ``parent_id`` is directly its ``reply_to``. A submission's text is its
title, a blank line, then its selftext. A crosspost points at its parent with ``quote_of``. An
empty ``parent_id`` or ``crosspost_parent`` is none; one that is no fullname (a number, ``xyz``)
names nothing and quarantines its thing, as a tweet's reference that names no tweet does.

Deletions: a comment whose body, or a submission whose title and selftext, is a deletion marker
(``[deleted]``, ``[removed]``, ``[deleted by user]``, ``[ Removed by Reddit ]``) has no text left;
it is counted as read and quarantined with the reason ``deleted on platform`` (keeping only its id,
not the author), never stored as a post. A submission whose selftext alone was removed keeps its
title. An author ``[deleted]`` becomes no author.

The URL is ``https://www.reddit.com`` + the permalink, or the handle-free ``/comments/<id>/`` form
when the permalink names the author (``r/u_<name>``) so that a pseudonymised store can keep it.

Listings are walked recursively: the ``/comments/<id>`` two-listing array, nested ``replies``
listings, and single ``{"kind": "t1", "data": ...}`` things. ``more`` stubs and other kinds
(accounts, subreddits, messages) are not posts and are passed over; a ``t1``, ``t3`` or
``Listing`` whose ``data`` is not what it should be is quarantined. ``source_line`` is the dump
line, or for listings the 1-based position of the thing in the document's depth-first walk.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import orjson

from groundswell.ingest.fields import reddit_id, ref_reddit_fullname, stated_time
from groundswell.ingest.registry import (
    Head,
    Reader,
    first_object,
    guarded,
    iter_json_document_or_lines,
    quarantine,
)
from groundswell.ingest.source import Source
from groundswell.schema import (
    Post,
    Quarantined,
    Record,
    hashtags_in_text,
    metrics_of,
)

REDDIT = "https://www.reddit.com"
DELETED_REASON = "deleted on platform"
_METRICS = {k: k for k in ("score", "num_comments", "ups", "downs")}
_SIGNED = ("score", "ups", "downs")  # votes: a score below zero is real
_DELETED = re.compile(r"^\[\s*(deleted|removed)\b[^\]]*\]$", re.IGNORECASE)
_MD_HEADING = re.compile(r"(?m)^[ \t]*#{2,}")  # '##Heading' is markdown, not a hashtag
_ZWSP_ENTITY = "&#x200B;"  # the new-Reddit editor writes '&amp;#x200B;' for an empty line
_THING_KINDS = ("t1", "t3")
_WALKED_KINDS = (*_THING_KINDS, "Listing")


def is_deleted_text(text: str | None) -> bool:
    """Whether a body, title or selftext is one of Reddit's deletion markers."""
    return bool(text) and bool(_DELETED.match(text.strip()))


def thing_kind(obj: dict) -> str | None:
    """``t3`` for a submission (it has a title), ``t1`` for a comment (a body), else None."""
    if "title" in obj:
        return "t3"
    return "t1" if "body" in obj else None


def _is_dump_line(obj: Any) -> bool:
    return (
        isinstance(obj, dict)
        and "id" in obj
        and "created_utc" in obj
        and "subreddit" in obj
        and ("body" in obj or "title" in obj)
    )


def _is_thing(obj: Any) -> bool:
    return (
        isinstance(obj, dict)
        and obj.get("kind") in _THING_KINDS
        and isinstance(obj.get("data"), dict)
    )


def _is_listing(obj: Any) -> bool:
    return (
        isinstance(obj, dict)
        and obj.get("kind") == "Listing"
        and isinstance(obj.get("data"), dict)
        and isinstance(obj["data"].get("children"), list)
    )


class RedditReader(Reader):
    """Reddit comment and submission dumps (NDJSON) and API listings (JSON)."""

    name = "reddit"
    platform = "reddit"

    def sniff(self, head: Head) -> float:
        obj = head.first_json
        if obj is not None:
            if isinstance(obj, list) and obj:
                obj = first_object(obj)
            if _is_dump_line(obj):
                return 0.95
            if _is_listing(obj) or _is_thing(obj):
                return 0.95
            return 0.0
        txt = head.json_text
        if not txt or '"interactions"' in txt[:2000] or '"request"' in txt[:200]:
            return 0.0  # recorded HTTP sessions are not a user format
        if re.search(r'"kind":\s*"Listing"', txt) and '"children"' in txt:
            return 0.8
        if (
            '"subreddit"' in txt
            and '"created_utc"' in txt
            and ('"body"' in txt or '"selftext"' in txt)
        ):
            return 0.7
        return 0.0

    def read(self, source: Source) -> Iterator[Record]:
        for item in iter_json_document_or_lines(source, self.name):
            if not isinstance(item, tuple):
                yield item
                continue
            yield from self.read_line(source, *item)

    def read_line(self, source: Source, lineno: int, obj: Any) -> Iterator[Record]:
        """The records of one dump line, or of a whole listing document (``lineno`` 1, whose
        things are then numbered by their position in the walk)."""
        if _is_dump_line(obj):
            kind = thing_kind(obj)
            yield from guarded(
                source, self.name, lineno, obj, reddit_post, lineno, obj, kind, self.name
            )
            return
        for seq, (kind, data) in enumerate(_walk(obj), start=1):
            line = lineno if lineno > 1 else seq
            if kind == "bad":
                yield quarantine(source, line, "not a Reddit listing or thing", data, self.name)
            else:
                yield from guarded(
                    source, self.name, line, data, reddit_post, line, data, kind, self.name
                )


def reddit_post(source: Source, line: int, d: dict, kind: str, fmt: str) -> Record:
    """The Post of one comment (``kind`` t1) or submission (t3), whichever export it came from
    (a dump line, a listing's thing, an API response's record); a deleted one or one without
    id or text is quarantined. ``fmt`` names the reader."""
    rid = d.get("id")
    if not rid and isinstance(d.get("name"), str):
        rid = d["name"].partition("_")[2]
    if not rid:
        return quarantine(source, line, f"reddit {kind} without id", d, fmt)
    try:
        rid = reddit_id(rid)
    except ValueError as exc:
        return quarantine(source, line, str(exc), d, fmt)
    fullname = f"{kind}_{rid}"
    if kind == "t1":
        body = d.get("body")
        if body is None:
            return quarantine(source, line, f"comment {fullname} without body", d, fmt)
        if is_deleted_text(body):
            return _deleted(source, line, fullname, fmt)
        text = _clean(body)
    else:
        title = d.get("title") or ""
        selftext = d.get("selftext") or ""
        if is_deleted_text(selftext):
            selftext = ""
        if is_deleted_text(title):
            title = ""
        if not title.strip() and not selftext.strip():
            if is_deleted_text(d.get("title")) or is_deleted_text(d.get("selftext")):
                return _deleted(source, line, fullname, fmt)
            return quarantine(source, line, f"submission {fullname} without title", d, fmt)
        text = _clean(title) + ("\n\n" + _clean(selftext) if selftext.strip() else "")
    author = d.get("author")
    if not isinstance(author, str) or not author or author == "[deleted]":
        author = None
    return Post(
        platform="reddit",
        id=fullname,
        text=text,
        created_at=stated_time(d.get("created_utc"), "created_utc", "s"),
        author=author,
        author_name=author,
        url=_url(d, kind, rid, author),
        hashtags=hashtags_in_text(_MD_HEADING.sub(" ", text)),
        urls=_link_urls(d, kind),
        reply_to=ref_reddit_fullname(d.get("parent_id"), "parent_id") if kind == "t1" else None,
        quote_of=(
            ref_reddit_fullname(d.get("crosspost_parent"), "crosspost_parent")
            if kind == "t3"
            else None
        ),
        metrics=metrics_of(d, _METRICS, signed=_SIGNED),
        source_file=source.name,
        source_line=line,
        format=fmt,
    )


def _deleted(source: Source, line: int, fullname: str, fmt: str) -> Quarantined:
    """A post deleted by its author or removed by moderators: read, not stored, and the
    quarantine keeps only its id (no author)."""
    return Quarantined(
        source_file=source.name,
        line=line,
        reason=DELETED_REASON,
        raw=orjson.dumps({"id": fullname}),
        format=fmt,
    )


def _walk(obj: Any) -> Iterator[tuple[str, Any]]:
    """Depth-first (kind, data) for every t1/t3 thing in a listing document, parents before
    their replies; ``kind == "bad"`` for a value that is none of the known shapes."""
    stack: list[Any] = [obj]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(reversed(value))
        elif _is_listing(value):
            stack.extend(reversed(value["data"]["children"]))
        elif _is_thing(value):
            data = value["data"]
            yield value["kind"], data
            replies = data.get("replies")
            if replies:
                stack.append(replies)
        elif _is_dump_line(value):  # dump lines saved as a JSON array
            yield thing_kind(value), value
        elif (
            isinstance(value, dict)
            and isinstance(value.get("kind"), str)
            and "data" in value
            and value["kind"] not in _WALKED_KINDS  # a post or listing of another shape is bad
        ):
            continue  # 'more' stubs, accounts (t2), messages (t4), subreddits (t5)...
        else:
            yield "bad", value


def _clean(text: str) -> str:
    """Unescape HTML entities (older dumps and listings without raw_json=1 escape them)."""
    if "&" not in text:
        return text
    return html.unescape(text).replace(_ZWSP_ENTITY, "")


def _url(d: dict, kind: str, rid: str, author: str | None) -> str | None:
    """The permalink, or its handle-free short form when it names the author (posts in a
    user's own ``r/u_<name>``), so a pseudonymised store can keep it."""
    permalink = d.get("permalink")
    named = isinstance(permalink, str) and bool(author) and author.lower() in permalink.lower()
    if isinstance(permalink, str) and permalink.startswith("/") and not named:
        return REDDIT + permalink
    if isinstance(permalink, str) and permalink.startswith("http") and not named:
        return permalink
    if kind == "t1":
        link = str(d.get("link_id") or "").partition("_")[2]
        return f"{REDDIT}/comments/{link}/_/{rid}/" if link else None
    return f"{REDDIT}/comments/{rid}/"


def _link_urls(d: dict, kind: str) -> list[str]:
    """The linked URL of a link submission (not its own permalink)."""
    if kind != "t3" or d.get("is_self"):
        return []
    url = d.get("url")
    if (
        not isinstance(url, str)
        or not url.startswith("http")
        or ("/comments/" in url and ("reddit.com" in url))
    ):
        return []
    return [url]
