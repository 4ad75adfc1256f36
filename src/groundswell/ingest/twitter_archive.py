"""A person's own Twitter/X archive ("Download an archive of your data"), as donated to research.

The archive is a folder (or its zip) of JavaScript files, each one JSON array behind an
assignment: ``window.YTD.tweets.part0 = [{"tweet": {...}}, ...]``. Decisions, made once:

* Read: ``tweets.js`` (``tweet.js`` in 2019-2020 archives, ``tweets-part1.js``... when split) and
  ``community-tweet.js``, whose tweets are v1.1-like without a ``user`` object; and the
  2012-2018 archive's monthly files (``data/js/tweets/2017_10.js``,
  ``Grailbird.data.tweets_2017_10 = [...]``), whose tweets are v1.1 with their ``user``, read by
  the v1.1 reader's own code.
* ``note-tweet.js`` (2023 on) holds the whole text of long posts, whose ``tweets.js`` entry keeps
  only the first ~280 characters: a tweet takes its note's text when the note was written within a
  minute of it and starts with the tweet's text (the note's own id is not the tweet's). The file
  alone gives no post, so nothing is counted twice.
* ``deleted-tweets.js`` lists tweets the person deleted: each becomes a Deletion, so a copy of
  them read from another export is forgotten too (CODEBOOK section 7).
* Every other part (likes, follows, direct messages, ads, account details...) holds no public
  post and is declined with a reason; direct messages are never read.
* The author is the archive's owner, named in ``account.js`` beside the file (its
  ``accountId``, pseudonymised by the store like any author); without it the author is unknown.
* A retweet is written ``RT @handle: <first characters>`` with no id of the original: it is a
  repost (not the owner's words) whose original is ``unknown``.
* A tweet whose id, or the id of the tweet it replies to, is no tweet id (a spreadsheet's
  ``1.2e+18``, a handle) is quarantined with the reason, as in the v1.1 reader.
* Counts are strings of digits; ``source_line`` is the tweet's 1-based position in the array.
  A file cut short or damaged keeps every tweet that can still be read: the array is split into
  its items and each is read, or quarantined, alone.
"""

from __future__ import annotations

import html
import re
import tarfile
import zipfile
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from contextlib import suppress
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from groundswell.ingest.fields import (
    first_text,
    obj,
    objects,
    ref_tweet_id,
    stated_time,
    texts,
    tweet_id,
)
from groundswell.ingest.registry import (
    BOM,
    JSON_ERRORS,
    Head,
    Reader,
    UnreadableItem,
    array_values,
    guarded,
    loads_document,
    quarantine,
)
from groundswell.ingest.source import Source
from groundswell.ingest.twitter_v1 import TwitterV1Reader
from groundswell.ingest.twitter_v2 import tweet_deletion
from groundswell.schema import (
    Post,
    Quarantined,
    Record,
    hashtags_in_text,
    merge_hashtags,
    metrics_of,
    parse_time,
)

# ``window.YTD.<part>.part<N> =`` (2019 on) or ``Grailbird.data.tweets_<yyyy>_<mm> =`` (to 2018)
_ASSIGNMENT = re.compile(
    rb"\s*(?:window\.YTD\.(?P<part>[A-Za-z0-9_]+)\.part\d+"
    rb"|Grailbird\.data\.(?P<month>tweets_\d{4}_\d{2}))\s*=\s*"
)
POST_PARTS = frozenset(("tweets", "tweet", "community_tweet"))
DELETED_PARTS = frozenset(("deleted_tweets", "deleted_tweet"))
NOTE_PARTS = frozenset(("note_tweet",))
NOTE_FILES = re.compile(r"note-tweet(?:-part\d+)?\.js")
_NOTE_WINDOW = timedelta(minutes=1)  # a note and its tweet are written together
_NOTE_MIN_PREFIX = 100  # characters of a tweet's text, cut with an ellipsis, opening its note
_NOTE_SHOWN = 240  # characters of a tweet's text, not marked as cut, opening its note
_TRUNCATED_TAIL = re.compile(r"(?:\s*(?:https://t\.co/\w+|…|\.\.\.))+\s*$")
UNKNOWN_ORIGINAL = "unknown"  # the repost_of of a retweet whose original the archive does not name
_RETWEET = re.compile(r"RT @\w{1,15}: ")
_METRICS = {"retweet_count": "retweet_count", "favorite_count": "like_count"}


def archive_part(head: bytes) -> tuple[str, re.Match[bytes]] | None:
    """The part an archive file holds (``tweets``, ``like``, ``tweets_2017_10``...) and the match
    of its assignment, or None when ``head`` is no archive file."""
    match = _ASSIGNMENT.match(head.removeprefix(BOM))
    if match is None:
        return None
    return (match["part"] or match["month"]).decode(), match


def _assigned(data: bytes, match: re.Match[bytes]) -> bytes:
    """The JSON an archive file assigns (after ``... =``, without a closing ``;``)."""
    return data.removeprefix(BOM)[match.end() :].rstrip().rstrip(b";")


class TwitterArchiveReader(Reader):
    """The tweets and deletions of a Twitter/X account archive."""

    name = "twitter_archive"
    platform = "twitter"

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        self._v1 = TwitterV1Reader(options)

    def sniff(self, head: Head) -> float:
        found = archive_part(head.raw)
        if found is None:
            return 0.0
        part = found[0]
        return 0.95 if part in POST_PARTS | DELETED_PARTS or part.startswith("tweets_") else 0.0

    def declines(self, head: Head) -> str | None:
        found = archive_part(head.raw)
        if found is None or self.sniff(head):
            return None
        if found[0] in NOTE_PARTS:
            return (
                "a Twitter archive's note_tweet file: its long posts complete the tweets of "
                "tweets.js, read there"
            )
        return f"a Twitter archive's {found[0]} file: no public posts in it"

    def read(self, source: Source) -> Iterator[Record]:
        data = source.read_all()
        if isinstance(data, Quarantined):
            data.format = self.name
            yield data
            return
        found = archive_part(data)
        if found is None:  # the head said otherwise: a file changed under us
            yield quarantine(source, 1, "not a Twitter archive file", data[:65536], self.name)
            return
        part, match = found
        body = _assigned(data, match)
        if part.startswith("tweets_"):
            read_item = self._v1.read_value
        elif part in DELETED_PARTS:
            read_item = self._deletion
        else:
            owner, notes = archive_owner(source), archive_notes(source)
            read_item = lambda src, pos, item: self._tweet(src, pos, item, owner, notes)  # noqa: E731
        for pos, item in array_values(body):
            if isinstance(item, UnreadableItem):
                yield quarantine(source, pos, f"unreadable item: {item}", item.raw, self.name)
                continue
            for rec in guarded(source, self.name, pos, item, read_item, pos, item):
                rec.format = self.name  # the v1.1 reader's records too: read from an archive
                yield rec

    def _deletion(self, source: Source, pos: int, item: Any) -> Iterator[Record]:
        tweet = _tweet_of(item)
        raw_id = tweet.get("id_str") or tweet.get("id") if tweet is not None else None
        if not raw_id:
            yield quarantine(source, pos, "deleted tweet without id", item, self.name)
            return
        yield tweet_deletion(source, pos, raw_id, self.name)

    def _tweet(
        self,
        source: Source,
        pos: int,
        item: Any,
        owner: tuple[str | None, str | None],
        notes: Notes | None = None,
    ) -> Iterator[Record]:
        tw = _tweet_of(item)
        if tw is None:
            yield quarantine(source, pos, "not a tweet", item, self.name)
            return
        raw_id = tw.get("id_str") or tw.get("id")
        text = first_text(tw.get("full_text"), tw.get("text"))
        if not raw_id:
            yield quarantine(source, pos, "tweet without id", item, self.name)
            return
        if text is None:
            yield quarantine(source, pos, f"tweet {raw_id} without text", item, self.name)
            return
        tid, (author, handle) = tweet_id(raw_id), owner  # 1.2e+18 names no tweet: raises
        created = stated_time(tw.get("created_at"))
        if _RETWEET.match(text):
            yield Post(
                platform="twitter",
                id=tid,
                text="",
                created_at=created,
                author=author,
                author_name=handle,
                repost_of=UNKNOWN_ORIGINAL,
                source_file=source.name,
                source_line=pos,
                format=self.name,
            )
            return
        text = html.unescape(text)
        entities = obj(tw.get("entities"))
        note = notes.completing(text, created) if notes else None
        note_urls: list[str] = []
        if note is not None:
            text, note_urls = note
        yield Post(
            platform="twitter",
            id=tid,
            text=text,
            created_at=created,
            author=author,
            author_name=handle,
            url=f"https://twitter.com/{handle or 'i/web'}/status/{tid}",
            lang=first_text(tw.get("lang")),
            hashtags=merge_hashtags(
                texts(h.get("text") for h in objects(entities.get("hashtags"))),
                hashtags_in_text(text),
            ),
            mentions=texts(m.get("screen_name") for m in objects(entities.get("user_mentions"))),
            urls=texts(
                first_text(u.get("expanded_url"), u.get("url"))
                for u in objects(entities.get("urls"))
            )
            or note_urls,
            reply_to=ref_tweet_id(tw.get("in_reply_to_status_id_str"), "in_reply_to_status_id_str"),
            metrics=metrics_of(tw, _METRICS),
            source_file=source.name,
            source_line=pos,
            format=self.name,
        )


def _tweet_of(item: Any) -> dict | None:
    """The tweet of one array item: ``{"tweet": {...}}`` (2020 on) or the bare tweet (2019)."""
    if isinstance(item, dict) and isinstance(item.get("tweet"), dict):
        return item["tweet"]
    if isinstance(item, dict) and ("id_str" in item or "full_text" in item):
        return item
    return None


def _folder(source: Source) -> tuple[str, str | None]:
    """(file or archive path, folder inside the archive or None) where ``source``'s sibling
    parts lie."""
    if source.member is None:
        return str(source.path.parent), None
    return str(source.path), str(PurePosixPath(source.member).parent).removeprefix(".")


def archive_owner(source: Source) -> tuple[str | None, str | None]:
    """(account id, handle) of the archive's owner, from ``account.js`` in the same folder or
    archive folder as ``source``; (None, None) when there is none or it cannot be read."""
    return _owner_at(*_folder(source))


@lru_cache(maxsize=64)
def _owner_at(path: str, folder: str | None) -> tuple[str | None, str | None]:
    data = next(_siblings(path, folder, re.compile(r"account\.js"), 1 << 20), b"")
    found = archive_part(data)
    if found is None or found[0] != "account":
        return None, None
    try:
        values = loads_document(_assigned(data, found[1]))
    except (ValueError, *JSON_ERRORS):
        return None, None
    account = obj(obj(values[0] if isinstance(values, list) and values else {}).get("account"))
    return first_text(account.get("accountId")), first_text(account.get("username"))


def _siblings(path: str, folder: str | None, names: re.Pattern[str], limit: int) -> Iterator[bytes]:
    """The first ``limit`` bytes of each file named ``names`` in ``folder`` of the archive at
    ``path`` (or in the folder ``path`` when ``folder`` is None); unreadable ones are passed
    over: they only add to what the tweets themselves say."""
    try:
        if folder is None:
            found = sorted(p for p in Path(path).iterdir() if names.fullmatch(p.name))
            for file in found:
                with suppress(OSError), open(file, "rb") as fh:
                    yield fh.read(limit)
        elif zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    where = PurePosixPath(info.filename)
                    if str(where.parent).removeprefix(".") == folder and names.fullmatch(
                        where.name
                    ):
                        with suppress(*_ARCHIVE_ERRORS), archive.open(info) as fh:
                            yield fh.read(limit)
        else:
            with tarfile.open(path, "r:*") as archive:
                for info in archive.getmembers():
                    where = PurePosixPath(info.name)
                    if str(where.parent).removeprefix(".") == folder and names.fullmatch(
                        where.name
                    ):
                        with suppress(*_ARCHIVE_ERRORS):
                            fh = archive.extractfile(info)
                            yield fh.read(limit) if fh is not None else b""
    except _ARCHIVE_ERRORS:
        return


def _named(member: str, folder: str, names: re.Pattern[str]) -> bool:
    where = PurePosixPath(member)
    return str(where.parent).removeprefix(".") == folder and bool(names.fullmatch(where.name))


_ARCHIVE_ERRORS = (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile, tarfile.TarError)


def _comparable(text: str) -> str:
    """A post's text with spacing made uniform, for telling whether one text opens another."""
    return " ".join(html.unescape(text).split())


class Notes:
    """The long posts of an archive's ``note-tweet.js`` files, by the time they were written."""

    def __init__(self, notes: list[tuple[datetime, str, list[str]]]) -> None:
        self._notes = sorted(notes, key=lambda n: n[0])
        self._times = [n[0] for n in self._notes]

    def __len__(self) -> int:
        return len(self._notes)

    def completing(self, text: str, created: datetime | None) -> tuple[str, list[str]] | None:
        """(whole text, links) of the note a truncated tweet ``text`` written at ``created``
        belongs to: the nearest in time within a minute that opens with the tweet's text."""
        cut = _TRUNCATED_TAIL.sub("", text)
        prefix = _comparable(cut)
        # a tweet's text is a note's opening when it is cut short (an ellipsis) or as long as
        # one shown cut; a shorter whole tweet the note merely starts with is left alone
        marked = "…" in text[len(cut) :] or "..." in text[len(cut) :]
        if created is None or len(prefix) < (_NOTE_MIN_PREFIX if marked else _NOTE_SHOWN):
            return None
        lo = bisect_left(self._times, created - _NOTE_WINDOW)
        hi = bisect_right(self._times, created + _NOTE_WINDOW)
        near = sorted(self._notes[lo:hi], key=lambda n: abs(n[0] - created))
        for _, whole, urls in near:
            if len(whole) > len(text) and _comparable(whole).startswith(prefix):
                return whole, urls
        return None


def archive_notes(source: Source) -> Notes:
    """The long posts of the ``note-tweet.js`` files beside ``source`` (none when absent)."""
    return _notes_at(*_folder(source))


@lru_cache(maxsize=8)
def _notes_at(path: str, folder: str | None) -> Notes:
    notes: list[tuple[datetime, str, list[str]]] = []
    for data in _siblings(path, folder, NOTE_FILES, 1 << 28):
        found = archive_part(data)
        if found is None or found[0] not in NOTE_PARTS:
            continue
        for _, item in array_values(_assigned(data, found[1])):
            note = obj(obj(item).get("noteTweet")) if isinstance(item, dict) else {}
            core = obj(note.get("core"))
            whole = first_text(core.get("text"))
            with suppress(ValueError):  # a note whose time is out of range is only passed over
                created = parse_time(note.get("createdAt"))
                if whole and created is not None:
                    urls = texts(
                        first_text(u.get("expandedUrl"), u.get("shortUrl"))
                        for u in objects(core.get("urls"))
                    )
                    notes.append((created, html.unescape(whole), urls))
    return Notes(notes)
