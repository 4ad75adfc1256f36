"""A person's own Twitter/X archive ("Download an archive of your data"), as donated to research.

The archive is a folder (or its zip) of JavaScript files, each one JSON array behind an
assignment: ``window.YTD.tweets.part0 = [{"tweet": {...}}, ...]``. Decisions, made once:

* Read: ``tweets.js`` (``tweet.js`` in 2019-2020 archives, ``tweets-part1.js``... when split) and
  ``community-tweet.js``, whose tweets are v1.1-like without a ``user`` object; and the
  2012-2018 archive's monthly files (``data/js/tweets/2017_10.js``,
  ``Grailbird.data.tweets_2017_10 = [...]``), whose tweets are v1.1 with their ``user``, read by
  the v1.1 reader's own code.
* ``deleted-tweets.js`` lists tweets the person deleted: each becomes a Deletion, so a copy of
  them read from another export is forgotten too (CODEBOOK section 7).
* Every other part (likes, follows, direct messages, ads, account details...) holds no public
  post and is declined with a reason; direct messages are never read.
* The author is the archive's owner, named in ``account.js`` beside the file (its
  ``accountId``, pseudonymised by the store like any author); without it the author is unknown.
* A retweet is written ``RT @handle: <first characters>`` with no id of the original: it is a
  repost (not the owner's words) whose original is ``unknown``.
* Counts are strings of digits; ``source_line`` is the tweet's 1-based position in the array.
  A file cut short or damaged keeps every tweet that can still be read: the array is split into
  its items and each is read, or quarantined, alone.
"""

from __future__ import annotations

import html
import re
import tarfile
import zipfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from groundswell.ingest.fields import first_text, obj, objects, texts
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
    id_text,
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
            owner = archive_owner(source)
            read_item = lambda src, pos, item: self._tweet(src, pos, item, owner)  # noqa: E731
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
        self, source: Source, pos: int, item: Any, owner: tuple[str | None, str | None]
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
        tid, (author, handle) = id_text(raw_id), owner
        created = parse_time(tw.get("created_at"))
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
            ),
            reply_to=first_text(tw.get("in_reply_to_status_id_str")),
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


def archive_owner(source: Source) -> tuple[str | None, str | None]:
    """(account id, handle) of the archive's owner, from ``account.js`` in the same folder or
    archive folder as ``source``; (None, None) when there is none or it cannot be read."""
    if source.member is None:
        return _owner_at(str(source.path.parent / "account.js"), None)
    sibling = str(PurePosixPath(source.member).parent / "account.js").removeprefix("./")
    return _owner_at(str(source.path), sibling)


@lru_cache(maxsize=64)
def _owner_at(path: str, member: str | None) -> tuple[str | None, str | None]:
    try:
        if member is None:
            with open(path, "rb") as fh:
                data = fh.read(1 << 20)
        elif zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive, archive.open(member) as fh:
                data = fh.read(1 << 20)
        else:
            with tarfile.open(path, "r:*") as archive:
                fh = archive.extractfile(member)
                data = fh.read(1 << 20) if fh is not None else b""
        found = archive_part(data)
        if found is None or found[0] != "account":
            return None, None
        values = loads_document(_assigned(data, found[1]))
        account = obj(obj(values[0] if isinstance(values, list) and values else {}).get("account"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, tarfile.TarError, *JSON_ERRORS):
        return None, None
    return first_text(account.get("accountId")), first_text(account.get("username"))
