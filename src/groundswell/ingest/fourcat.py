"""4CAT datasets as their users download them: the CSV of a dataset's items, from any of its
datasources, and the JSON of its "Convert to JSON" processor (an array of the same items; JSON
lines are read too).

4CAT (Digital Methods Initiative) maps each item a datasource collected to one flat row (the
datasource's ``map_item``) and writes those rows. Every datasource gives ``id``, ``body`` and
``timestamp`` (``YYYY-MM-DD HH:MM:SS``), nearly all ``thread_id``, ``author`` and
``unix_timestamp``; the other columns are the datasource's own. A download is named
``<query>-<dataset key>.csv``: it names its datasource only when the dataset had no query (a
Zeeschuimer import is ``<datasource name>-dataset-<key>.csv``). Decisions:

* Platform: from columns only one datasource writes (``is_retweet``: X; ``subreddit``: Reddit;
  ``replied_to_post``: Bluesky; ``author_forwarded_from_name``: Telegram; ...), else from a
  ``<datasource>-dataset-<key>`` file name, else ``--platform``, else, row by row, from the host
  of the item's own link (``collected_from_url``, ``link``, ``post_url``, ``url``) or the
  ``__import_meta.source_platform`` column of 4CAT's NDJSON-to-CSV conversion, else ``4cat``.
  8chan and 8kun datasets have 4chan's columns and are read as 4chan.
* Ids and authors are keyed as the platform's own readers key them, so a 4CAT export and a native
  export of the same posts are stored once: X ids of digits (an id that is not is quarantined)
  with ``author_id``; Reddit fullnames (``t3_`` a thread's opening post, ``t1_`` a comment whose
  ``parent`` is its ``reply_to``), mapped by the Reddit reader's own code (deleted posts
  included); Bluesky AT-URIs with the DID; Telegram ``<chat>/<message>`` with ``user<id>`` or
  ``channel<id>``, the chat by its numeric id as a Desktop export names it (4CAT gives a chat's
  username; a row the chat itself posted gives its id, for all the chat's rows in this file (a
  first pass over the file finds it; a piped file is keyed as its rows come) and in the run's
  later files); Instagram shortcodes with the handle. Other platforms
  keep 4CAT's id (4chan's after its board: post numbers restart on every board) and
  ``author_id`` or else ``author``.
* Time: ``unix_timestamp`` first (some datasources write ``timestamp`` in the 4CAT server's local
  time), then ``timestamp``; a time that is no time quarantines its row. A field 4CAT names in
  ``missing_fields`` holds a default it put in place of a value it did not have (0 for a time or
  a count) and is read as absent.
* Text: ``body``, after the ``subject`` or ``title`` where the datasource has one. X's text is
  unescaped (its API escapes ``&``, ``<`` and ``>``).
* An X row with ``is_retweet`` yes is a repost of an original 4CAT does not name (as in TCAT's
  export); ``quote_tweet_id`` is its ``quote_of`` (one that names no tweet, a spreadsheet's
  ``1.2e+18`` or a handle, quarantines its row, as an id that is no tweet id does). 4CAT names no X
  reply's parent (``thread_id`` is the conversation, the ``reply_to`` of 2021-2023 the replied
  account): X replies have no ``reply_to``. Telegram's ``reply_to`` is a message of the same chat;
  a Bluesky ``replied_to_post`` (or ``quoted_post``) link becomes its AT-URI when the account's DID
  is known (it is the thread's root, or a row read before showed the handle's DID); a TikTok
  comment replies to ``thread_id`` (its video, or the comment it answers); a 4chan post to the
  first post it quotes (``>>123``), else to its thread's opening post; elsewhere a ``reply_to``
  column is kept.
* ``hashtags`` / ``tags``, ``mentions`` and ``urls`` / ``links`` are comma-separated; the text's
  hashtags are added. Counts keep 4CAT's names (``like_count``, ``likes``, ``num_comments``...).
  ``REDACTED`` (4CAT's anonymisation) is no author; its pseudonymised hashes are kept as given.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

from groundswell.ingest.fields import (
    first_text,
    is_tweet_id,
    numeric_id,
    ref_tweet_id,
    shown,
    stated_time,
)
from groundswell.ingest.generic import iter_csv_dicts
from groundswell.ingest.reddit import reddit_post
from groundswell.ingest.registry import (
    BOM,
    Head,
    Reader,
    guarded,
    iter_json_document_or_lines,
    quarantine,
)
from groundswell.ingest.source import Source
from groundswell.ingest.twitter_archive import UNKNOWN_ORIGINAL
from groundswell.ingest.twitter_v2 import unescape
from groundswell.schema import Post, Quarantined, Record, hashtags_in_text, merge_hashtags, metric

FALLBACK_PLATFORM = "4cat"  # the platform of items whose platform nothing tells
_NEEDS = frozenset(("id", "body", "timestamp"))  # every 4CAT item
_ONE_OF = frozenset(("thread_id", "unix_timestamp"))  # and one of these (4CAT's own columns)
# columns only one datasource writes: a platform is told by any one set being all there
_MARKS: tuple[tuple[str, tuple[frozenset[str], ...]], ...] = tuple(
    (platform, tuple(frozenset(s.split()) for s in sets))
    for platform, sets in (
        ("reddit", ("subreddit",)),
        ("twitter", ("is_retweet is_quote_tweet", "retweeted_user", "quote_tweet_id")),
        ("bluesky", ("replied_to_post", "replies_allowed")),
        ("telegram", ("author_forwarded_from_name", "chat author_is_bot")),
        ("tiktok", ("tiktok_url", "music_name", "is_comment_on_comment")),
        ("instagram", ("usertags", "likes_hidden", "coauthors")),
        ("tumblr", ("reblog_key",)),
        ("4chan", ("image_4chan", "board country_code")),
        ("linkedin", ("inclusion_context",)),
        ("facebook", ("is_in_group", "page_name page_category")),
        ("gab", ("account_username reaction_count",)),
        ("truthsocial", ("account_username group_display_name",)),
        ("threads", ("is_paid_partnership quotes",)),
        ("douyin", ("author_nickname digg_count",)),
        ("vk", ("author_screen_name item_type",)),
        ("9gag", ("is_vote_masked",)),
        ("imgur", ("virality_score",)),
        ("pinterest", ("pinner_via",)),
    )
)
# the start of a datasource's name as 4CAT writes it in a file name ("X/Twitter (via
# Zeeschuimer) Dataset" -> "xtwitter-via-zeeschuimer-dataset-<key>.csv")
# fmt: off
_NAMED = (("xtwitter", "twitter"), *((name, name) for name in (
    "twitter", "bluesky", "telegram", "reddit", "tiktok", "instagram", "threads", "linkedin",
    "facebook", "tumblr", "douyin", "pinterest", "xiaohongshu", "truthsocial", "gab", "vk",
    "9gag", "imgur", "4chan",
)))
# fmt: on
_DATASET_FILE = re.compile(r"(.+)-dataset-[0-9a-f]{32}(?:-\d+)?\.")
# the hosts of the platforms' own links: ``<name>.com`` unless named otherwise
_HOSTS = {
    **{f"{name}.com": name for _, name in _NAMED if name not in ("bluesky", "telegram", "4chan")},
    "x.com": "twitter",
    "bsky.app": "bluesky",
    "t.me": "telegram",
    "threads.net": "threads",
    "4chan.org": "4chan",
    "4channel.org": "4chan",
}
_HOST_COLUMNS = ("__import_meta.source_platform", "collected_from_url", "link", "post_url", "url")
_LINK_COLUMNS = ("link", "comment_url", "post_url", "tiktok_url", "url")
_URL_COLUMNS = ("urls", "links", "link_urls", "link_url", "link_attached")
# fmt: off
_COUNTS = (
    "retweet_count", "reply_count", "like_count", "quote_count", "repost_count",
    "impression_count", "bookmark_count", "likes", "comments", "shares", "plays", "views",
    "num_likes", "num_comments", "note_count", "reblog_count", "replies", "reposts", "quotes",
    "replies_count", "reblogs_count", "favourites_count", "reaction_count", "upvotes",
    "downvotes", "score",
)
# fmt: on
_FORWARDED = ("author_forwarded_from_name", "author_forwarded_from_username")
_NO_AUTHOR = frozenset(("", "REDACTED", "[deleted]"))
_QUOTED_POST = re.compile(r">>(\d+)")
_BSKY_LINK = re.compile(r"/profile/([^/?#]+)/post/([^/?#]+)")


def is_fourcat(columns: list[str]) -> bool:
    """Whether a CSV header (or a JSON item's keys) is a 4CAT item's."""
    cols = set(columns)
    return cols >= _NEEDS and bool(cols & _ONE_OF)


def platform_of_columns(columns: list[str]) -> str | None:
    """The platform the columns of one datasource tell, or None."""
    cols = set(columns)
    for platform, sets in _MARKS:
        if any(cols >= s for s in sets):
            return platform
    return None


def platform_of_name(source: Source) -> str | None:
    """The platform a ``<datasource name>-dataset-<key>`` file name tells, or None."""
    match = _DATASET_FILE.match(Path(source.member or source.path.name).name.lower())
    if match is None:
        return None
    return next((p for start, p in _NAMED if match.group(1).startswith(start)), None)


def platform_of_host(value: str) -> str | None:
    """The platform of a link's host or of a bare domain (``twitter.com``), or None."""
    value = value.strip()
    host = (urlsplit(value).hostname if "/" in value else value.lower()) or ""
    parts = host.split(".")
    return next(
        (_HOSTS[d] for i in range(len(parts) - 1) if (d := ".".join(parts[i:])) in _HOSTS), None
    )


class FourcatReader(Reader):
    """4CAT's CSV of a dataset's items (any datasource), and its JSON of them."""

    name = "fourcat"
    platform = FALLBACK_PLATFORM

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        self._dids: dict[str, str] = {}  # a Bluesky handle (lower case) -> the DID rows showed
        # a Telegram chat's username (lower case) -> its numeric id, from a row the chat posted
        self._chat_ids: dict[str, str] = {}

    def sniff(self, head: Head) -> float:
        columns = head.csv_header
        if not columns and isinstance(head.first_record, dict):
            columns = list(head.first_record)
        return 0.9 if is_fourcat(columns) else 0.0

    def read(self, source: Source) -> Iterator[Record]:
        is_json = source.head().removeprefix(BOM).lstrip()[:1] in (b"{", b"[")
        if source.reopenable:  # a file read once (a pipe) is keyed as its rows come
            self._learn_chats(source, is_json)
        if is_json:
            yield from self._read_json(source)
        else:
            yield from self._read_csv(source)

    def _learn_chats(self, source: Source, is_json: bool) -> None:
        """A first pass over a Telegram file, keeping nothing but the numeric id of each chat a
        row the chat posted shows, so that all the chat's messages are keyed by it whatever row
        comes first (a supergroup's members write before the group itself does). A file of
        another platform is left at its header; a file that fails is left to the reading pass,
        which says why."""
        try:
            rows = _scanned_rows(source, self.name, is_json)
            columns = next(rows, None)
            platform = None if columns is None else self._platform(source, columns)
            if columns is None or platform not in ("telegram", None):
                return
            for row in rows:
                if (platform or _row_platform(row)) == "telegram":
                    self._chat_key(row)
        except Exception:  # the reading pass meets it and says so
            return

    def _platform(self, source: Source, columns: list[str]) -> str | None:
        """The platform of every item of a file, or None when each row tells its own."""
        return (
            platform_of_columns(columns)
            or platform_of_name(source)
            or first_text(self.options.get("platform"))
        )

    def _read_csv(self, source: Source) -> Iterator[Record]:
        platform: str | None = None
        for item in iter_csv_dicts(source, self.name):
            if isinstance(item, list):  # the header
                if not {"id", "body"} <= set(item):
                    why = "not a 4CAT header: no id and body columns"
                    yield quarantine(source, 1, why, ",".join(item), self.name)
                    return
                platform = self._platform(source, item)
            elif isinstance(item, Quarantined):
                yield item
            else:
                line, row = item
                yield from guarded(source, self.name, line, row, self._item, line, row, platform)

    def _read_json(self, source: Source) -> Iterator[Record]:
        platform: str | None = None
        known = False
        for item in iter_json_document_or_lines(source, self.name):
            if isinstance(item, Quarantined):
                yield item
                continue
            lineno, value = item
            values = list(enumerate(value, 1)) if isinstance(value, list) else [(lineno, value)]
            for i, obj in values:
                line = lineno if lineno > 1 else i
                if not isinstance(obj, dict):
                    yield quarantine(source, line, f"not a 4CAT item: {shown(obj)}", obj, self.name)
                    continue
                if not known:
                    platform, known = self._platform(source, list(obj)), True
                row = _cells(obj)
                yield from guarded(source, self.name, line, obj, self._item, line, row, platform)

    def _item(
        self, source: Source, line: int, row: dict[str, str], platform: str | None
    ) -> Iterator[Record]:
        """The record of one 4CAT item."""
        rid = _text(row.get("id"))
        if not rid:
            yield quarantine(source, line, "4CAT item without id", row, self.name)
            return
        platform = platform or _row_platform(row) or FALLBACK_PLATFORM
        missing = set(_listed(row.get("missing_fields")))
        created = _created(row, missing)
        if platform == "reddit":
            yield _reddit(source, line, row, rid, created, self.name)
            return
        body = row.get("body") or ""
        text = unescape(body) if platform == "twitter" else _with_subject(row, body)
        handle = _who(row.get("author"), row.get("account_username"), row.get("author_username"))
        author = _who(row.get("author_id"), row.get("account_id"), row.get("author_user_id"))
        post = Post(
            platform=platform,
            id=rid,
            text=text,
            created_at=created,
            author=author or handle,
            author_name=handle or _who(row.get("author_screen_name"), row.get("author_nickname")),
            url=first_text(*(_text(row.get(c)) for c in _LINK_COLUMNS)),
            lang=_lang(row),
            hashtags=merge_hashtags(
                _listed(row.get("hashtags")), _listed(row.get("tags")), hashtags_in_text(text)
            ),
            mentions=[
                m.lstrip("@")
                for m in _listed(row.get("mentions") or row.get("entities_mentioned"))
                if m.lstrip("@")
            ],
            urls=list(dict.fromkeys(u for c in _URL_COLUMNS for u in _listed(row.get(c)))),
            reply_to=_text(row.get("reply_to")) or None,
            metrics=_counts(row, missing),
            source_file=source.name,
            source_line=line,
            format=self.name,
        )
        keyed = _KEYED.get(platform)
        if keyed is not None:
            keyed(self, post, row)
        yield post

    def _bluesky(self, post: Post, row: dict[str, str]) -> None:
        """A Bluesky item: the DID is the author; replies and quotes as AT-URIs where known."""
        did = post.author if post.author and post.author.startswith("did:") else None
        if did and post.author_name:
            self._dids[post.author_name.lower()] = did
        root = _text(row.get("thread_id"))
        post.reply_to = self._at_uri(row.get("replied_to_post"), root)
        post.quote_of = self._at_uri(row.get("quoted_post"), None)

    def _telegram(self, post: Post, row: dict[str, str]) -> None:
        """A Telegram message: ``<chat>/<message>`` (4CAT's id is ``<chat>-<message>``, the bare
        message number before September 2025), its reply in the same chat, its sender as
        ``user<id>`` or, when the chat itself posted, ``channel<id>``. 4CAT names a chat by its
        username where it has one, a Desktop export by its numeric id: a row the chat posted
        gives that id (its sender), which keys that row and the chat's later ones."""
        keyed = self._chat_key(row)
        if keyed is None:  # a message number names no message without its chat
            post.reply_to = None
            return
        chat, key, own = keyed
        message = post.id
        for named in dict.fromkeys((chat, _text(row.get("chat")))):  # thread_id, else chat
            if named and message.startswith(f"{named}-"):
                message = message[len(named) + 1 :]
                break
        if not (message.isascii() and message.isdigit()):  # "abc", "", another chat's id
            raise ValueError(f"id {shown(post.id)} names no message of chat {shown(chat)}")
        sender = _who(row.get("author"))
        username = _who(row.get("author_username"))
        post.id = f"{key}/{message}"
        reply = _text(row.get("reply_to"))
        if reply not in ("", "0") and not (reply.isascii() and reply.isdigit()):
            raise ValueError(f"reply_to {shown(reply)} names no message")
        post.reply_to = f"{key}/{reply}" if reply not in ("", "0") else None
        if sender and sender.isdigit():
            post.author = f"channel{sender}" if own else f"user{sender}"
        post.author_name = username or _who(row.get("author_name"))
        if any(_text(row.get(c)) for c in _FORWARDED):
            post.metrics = {**post.metrics, "forwarded": 1}

    def _chat_key(self, row: dict[str, str]) -> tuple[str, str, bool] | None:
        """The chat of a Telegram row as 4CAT names it, the key its messages are stored under and
        whether the chat itself sent the row (None without a chat); a row the chat sent, whose
        sender is a numeric id, gives the key of that chat's messages."""
        chat = _text(row.get("thread_id")) or _text(row.get("chat"))
        if not chat:
            return None
        sender = _who(row.get("author"))
        username = _who(row.get("author_username"))
        key = self._chat_ids.get(chat.lower(), chat)
        own = bool(sender) and (sender in (chat, key) or (username or "").lower() == chat.lower())
        if own and sender.isdigit() and not chat.isdigit():
            key = self._chat_ids[chat.lower()] = sender
        return chat, key, own

    def _at_uri(self, link: str | None, root: str | None) -> str | None:
        """The AT-URI of a bsky.app post link: its account's DID is in the link, was seen on an
        earlier row, or the post is the thread's root (same record key); else None."""
        match = _BSKY_LINK.search(link or "")
        if match is None:
            return None
        who, rkey = match.groups()
        did = who if who.startswith("did:") else self._dids.get(who.lower())
        if did:
            return f"at://{did}/app.bsky.feed.post/{rkey}"
        if root and root.startswith("at://") and root.rsplit("/", 1)[-1] == rkey:
            return root
        return None


def _twitter(reader: FourcatReader, post: Post, row: dict[str, str]) -> None:
    """An X item: an id of digits, a retweet as a repost, no reply parent (4CAT names none)."""
    tid = numeric_id(post.id)
    if not is_tweet_id(tid):
        raise ValueError(f"tweet id {shown(post.id)} is not a whole number")
    post.id = tid
    post.author = _who(row.get("author_id"))
    post.reply_to = None
    post.quote_of = ref_tweet_id(_text(row.get("quote_tweet_id")), "quote_tweet_id")
    if _yes(row.get("is_retweet")):
        post.repost_of = UNKNOWN_ORIGINAL
    if not post.url:
        post.url = f"https://twitter.com/{post.author_name or 'i/web'}/status/{tid}"


def _tiktok(reader: FourcatReader, post: Post, row: dict[str, str]) -> None:
    """A TikTok video or comment: a comment's ``thread_id`` is what it replies to."""
    thread = _text(row.get("thread_id"))
    post.reply_to = thread if thread and thread != post.id else post.reply_to


def _fourchan(reader: FourcatReader, post: Post, row: dict[str, str]) -> None:
    """A 4chan post: ``<board>/<number>``, replying to the first post it quotes, else to its
    thread's opening post; ``Anonymous`` is no author."""
    board = _text(row.get("board"))
    prefix = f"{board}/" if board else ""
    thread = _text(row.get("thread_id"))
    quoted = _QUOTED_POST.search(post.text)
    if quoted:
        post.reply_to = prefix + quoted.group(1)
    elif thread and thread != post.id:
        post.reply_to = prefix + thread
    post.id = prefix + post.id
    if post.author == "Anonymous":
        post.author = post.author_name = None


def _instagram(reader: FourcatReader, post: Post, row: dict[str, str]) -> None:
    """An Instagram post: keyed by its handle, as CrowdTangle's exports are."""
    post.author = post.author_name


_KEYED = {
    "twitter": _twitter,
    "bluesky": FourcatReader._bluesky,
    "telegram": FourcatReader._telegram,
    "tiktok": _tiktok,
    "4chan": _fourchan,
    "instagram": _instagram,
}


def _reddit(
    source: Source, line: int, row: dict[str, str], rid: str, created: datetime | None, fmt: str
) -> Record:
    """A Reddit submission (the thread's own item) or comment, as the Reddit reader maps it."""
    thread = _text(row.get("thread_id")).removeprefix("t3_")
    rid = rid.removeprefix("t1_").removeprefix("t3_")
    parent = _text(row.get("parent")) or _text(row.get("parent_id"))
    common: dict[str, Any] = {
        "id": rid,
        "author": _who(row.get("author")),
        "created_utc": created,
        "subreddit": row.get("subreddit"),
        "score": row.get("score"),
    }
    if rid == thread:
        domain = _text(row.get("domain"))
        submission = {
            **common,
            "title": row.get("subject") or "",
            "selftext": row.get("body") or "",
            "url": _text(row.get("url")),
            "is_self": domain.startswith("self.") or not _text(row.get("url")),
        }
        return reddit_post(source, line, submission, "t3", fmt)
    comment = {**common, "body": row.get("body") or "", "parent_id": parent or None}
    if thread:
        comment["link_id"] = f"t3_{thread}"
    return reddit_post(source, line, comment, "t1", fmt)


def _scanned_rows(source: Source, fmt: str, is_json: bool) -> Iterator[Any]:
    """The columns (a CSV's header, a JSON file's first item's keys), then each item's cells;
    what cannot be read is passed over (a first pass that keeps nothing)."""
    if not is_json:
        for item in iter_csv_dicts(source, fmt):
            if not isinstance(item, Quarantined):
                yield item if isinstance(item, list) else item[1]
        return
    first = True
    for item in iter_json_document_or_lines(source, fmt):
        if isinstance(item, Quarantined):
            continue
        for obj in item[1] if isinstance(item[1], list) else [item[1]]:
            if isinstance(obj, dict):
                if first:
                    first = False
                    yield list(obj)
                yield _cells(obj)


def _row_platform(row: dict[str, str]) -> str | None:
    """The platform one item's own link (or 4CAT's record of its source) names."""
    for col in _HOST_COLUMNS:
        value = _text(row.get(col))
        if value and (platform := platform_of_host(value)):
            return platform
    return None


def _created(row: dict[str, str], missing: set[str]) -> datetime | None:
    """The item's UTC time: ``unix_timestamp``, else ``timestamp``; None when neither holds one
    (empty, 0, or named missing); a value that is no time raises ValueError."""
    for col in ("unix_timestamp", "timestamp", "created_at"):
        value = _text(row.get(col))
        if value and value != "0" and col not in missing:
            return stated_time(value, col)
    return None


def _with_subject(row: dict[str, str], body: str) -> str:
    """The body after the item's subject or title (a thread's, a video's), when it has one the
    body does not already hold."""
    subject = first_text(_text(row.get("subject")), _text(row.get("title")))
    if not subject or subject in body:
        return body
    return f"{subject}\n\n{body}" if body.strip() else subject


def _lang(row: dict[str, str]) -> str | None:
    """The item's language (the first of Bluesky's list; ``N/A`` is none)."""
    for col in ("language_guess", "lang", "language", "languages"):
        value = _text(row.get(col)).split(",")[0].strip()
        if value and value.upper() != "N/A":
            return value
    return None


def _counts(row: dict[str, str], missing: set[str]) -> dict[str, int]:
    """The engagement counts of an item, under 4CAT's names (a text column of one of those names,
    such as Tumblr's ``replies``, is no count and is left out)."""
    found = {c: metric(row[c], signed=c == "score") for c in _COUNTS if c in row}
    return {c: n for c, n in found.items() if n is not None and c not in missing}


def _listed(value: str | None) -> list[str]:
    """The items of a comma-separated cell."""
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _who(*values: str | None) -> str | None:
    """The first value naming an account (``REDACTED``, 4CAT's anonymisation, names none)."""
    return next((v for v in map(_text, values) if v not in _NO_AUTHOR), None)


def _text(value: str | None) -> str:
    return value.strip() if isinstance(value, str) else ""


def _yes(value: str | None) -> bool:
    """A 4CAT flag: ``yes`` (or ``True`` where a datasource wrote a Python bool)."""
    return _text(value).lower() in ("yes", "true", "1")


def _cells(obj: dict[str, Any]) -> dict[str, str]:
    """A JSON item as the CSV writes it: every value as text (lists comma-joined)."""
    out = {}
    for key, value in obj.items():
        if value is None:
            text = ""
        elif isinstance(value, str):
            text = value
        elif isinstance(value, list):
            text = ",".join(str(v) for v in value if v is not None)
        elif isinstance(value, dict):
            text = orjson.dumps(value).decode()
        else:
            text = str(value)
        out[str(key)] = text
    return out
