"""A person's own Reddit data, as Reddit sends it on request (reddit.com/settings/data-request).

The export is a zip (or its folder) of CSV files, as donated to research. Decisions, made once:

* Read: ``comments.csv`` (``id,permalink,date,ip,subreddit,gildings,link,parent,body,media``;
  some exports add ``gildings_silver,gildings_supergold``) and ``posts.csv``
  (``id,permalink,date,ip,subreddit,gildings,title,url,body``), also when split into
  ``comments_1.csv``..., told by their header, not their name. Ids are bare: a comment becomes
  ``t1_<id>``, a post ``t3_<id>``, as the Reddit dump reader names them, so a post read from both
  is one post. A post's text is its title, a blank line, then its body; deleted ones are
  quarantined as ``deleted on platform`` (the dump reader's own mapping, ``reddit_post``).
* ``parent`` is the fullname replied to (``t1_``/``t3_``); a bare id is the submission when it is
  the one ``link`` names, else a comment; an empty one means a reply to the submission of
  ``link``. A ``parent`` or a non-empty ``link`` that names nothing quarantines its row.
  ``date`` (``2021-03-04 12:34:56 UTC``) is UTC; one that is no time quarantines its row. The
  subreddit is kept in the URL (the permalink), as the dump reader keeps it; a permalink
  into a user's profile (``r/u_<name>``) names a person and gives way to the handle-free
  ``/comments/<id>/`` form.
* The author is the account's owner, named in the ``account name`` row of ``statistics.csv``
  beside the file (pseudonymised by the store like any author); without it the author is
  unknown (None), as for a Twitter archive without ``account.js``.
* The ``ip`` column is never kept: not in a post, and not in what the quarantine keeps of a bad
  row (the field is blanked, and any IP address left in its bytes or its reason is masked).
* Every other part (private messages and chats, IP logs, votes, saved and hidden items,
  subscriptions, drafts, settings, statistics, birth date, gender, payments...) holds no public
  post and is declined with a reason, never read; its header is known whatever the file is
  called where a column-name guess could otherwise read it (messages, chats, drafts).
"""

from __future__ import annotations

import csv
import io
import ipaddress
import os
import re
import tarfile
import zipfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from groundswell.ingest.csv_rows import iter_csv_rows, row_dict
from groundswell.ingest.fields import shown, stated_time
from groundswell.ingest.reddit import reddit_post
from groundswell.ingest.registry import Head, Reader, guarded, quarantine
from groundswell.ingest.source import Source
from groundswell.schema import Post, Quarantined, Record

_MARKS = frozenset(("ip", "gildings"))  # the export's own columns: one of them must be there
_COMMENT = frozenset(("id", "permalink", "date", "subreddit", "link", "parent", "body"))
_POST = frozenset(("id", "permalink", "date", "subreddit", "title", "url", "body"))

_MESSAGE = "id permalink thread_id date from to"
# the parts of an export that hold no public post: (the columns its header holds, what it holds)
_PARTS: dict[str, tuple[frozenset[str], str]] = {
    name: (frozenset(columns.split()), what)
    for name, columns, what in (
        ("messages", f"{_MESSAGE} subject body", "private messages"),
        ("messages_archive", f"{_MESSAGE} subject body", "private messages"),
        ("message_headers", _MESSAGE, "private messages' senders and recipients"),
        ("messages_archive_headers", _MESSAGE, "private messages' senders and recipients"),
        (
            "chat_history",
            "message_id created_at updated_at username message thread_parent_message_id "
            "channel_url",
            "private chat messages",
        ),
        ("drafts", "id title body kind created spoiler nsfw", "unpublished drafts"),
        ("comment_headers", "id permalink date subreddit link parent", "comments without text"),
        ("post_headers", "id permalink date subreddit url", "posts without their text"),
        ("ip_logs", "date ip", "IP addresses of logins"),
        ("post_votes", "id permalink direction", "votes"),
        ("comment_votes", "id permalink direction", "votes"),
        ("poll_votes", "post_id", "poll votes"),
        ("saved_posts", "id permalink", "saved posts"),
        ("saved_comments", "id permalink", "saved comments"),
        ("hidden_posts", "id permalink", "hidden posts"),
        ("subscribed_subreddits", "subreddit", "subscriptions"),
        ("moderated_subreddits", "subreddit", "moderated subreddits"),
        ("approved_submitter_subreddits", "subreddit", "subreddits"),
        ("multireddits", "id", "custom feeds"),
        ("friends", "username", "friends"),
        ("statistics", "statistic value", "account details"),
        ("user_preferences", "preference value", "settings"),
        ("account_gender", "account_gender", "gender"),
        ("birthdate", "birthdate", "birth date"),
        ("linked_phone_number", "phone_number", "phone number"),
        ("linked_identities", "issuer_id subject_id", "linked sign-in accounts"),
        ("twitter", "username", "linked Twitter account"),
        ("stripe", "stripe_account_id", "payment account"),
        ("persona", "persona_inquiry_id", "identity verification"),
        ("purchases", "transaction_id", "purchases"),
        ("subscriptions", "subscription_id", "paid subscriptions"),
        ("payouts", "date", "payouts"),
        ("gilded_content", "", "awards given"),
        ("gold_received", "", "awards received"),
        ("gilded_comments", "", "awards given"),
        ("gilded_posts", "", "awards given"),
        ("reddit_gold_information", "", "payments"),
        ("announcements", "announcement_id", "Reddit's announcements to the account"),
        ("scheduled_posts", "scheduled_post_id", "scheduled posts"),
        ("sensitive_ads_preferences", "type", "ad preferences"),
        ("live_stream_posts", "", "live streams"),
        ("checkfile", "filename", "checksums of the export's files"),
    )
}
# parts a column-name guess would read as posts (an id and a text): known by header alone
_KNOWN_BY_HEADER = ("messages", "message_headers", "chat_history", "drafts")
_HEADERS_ONLY = {"comment_headers": ("body",), "post_headers": ("title", "body")}

_ID = re.compile(r"[0-9a-z]+", re.IGNORECASE)
_FULLNAME = re.compile(r"t([13])_([0-9a-z]+)", re.IGNORECASE)
_COMMENTS_URL = re.compile(r"/comments/([0-9a-z]+)(?:/[^/?#]*/([0-9a-z]+))?", re.IGNORECASE)
_PROFILE = re.compile(r"/(?:r/u_|u/|user/)", re.IGNORECASE)
_SUBREDDIT = re.compile(r"\w{1,64}")
_PART_NUMBER = re.compile(r"_\d+$")
# what may be an IP address standing as a word in bytes; ``ipaddress`` decides
_IPV4 = re.compile(rb"(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9]|\.[0-9])")
_IPV6 = re.compile(
    rb"(?<![0-9A-Za-z:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f.]{0,15}){2,8}(?![0-9A-Za-z:])"
)
MASK = b"[address removed]"


def export_kind(columns: list[str]) -> str | None:
    """``t1`` for the header of an export's comments, ``t3`` for its posts, else None."""
    cols = {c.strip().lower() for c in columns}
    if not cols & _MARKS:
        return None
    if cols >= _COMMENT and "title" not in cols:
        return "t1"
    if cols >= _POST:
        return "t3"
    return None


def export_part(head: Head) -> str | None:
    """The part of a Reddit data export with no public post that ``head`` is (``messages``,
    ``ip_logs``...), from its header and, for the parts whose header says little, its name."""
    first = head.text.split("\n", 1)[0].strip()
    if not first or first[:1] in "{[<":
        return None
    cols = {c.strip().lower() for c in next(csv.reader([first]), [])}
    for name in _KNOWN_BY_HEADER:
        if _PARTS[name][0] <= cols:
            return name
    for name, missing in _HEADERS_ONLY.items():
        if _PARTS[name][0] <= cols and cols & _MARKS and not cols.intersection(missing):
            return name
    stem = _stem(head.source)
    if stem in _PARTS and stem not in _KNOWN_BY_HEADER and _PARTS[stem][0] <= cols:
        return stem
    return None


def _stem(source: Source) -> str:
    """The file's name without ``.csv`` and a part number (``post_votes_2.csv``: ``post_votes``)."""
    name = PurePosixPath(source.member or source.path.name).name.lower()
    if not name.endswith(".csv"):
        return ""
    return _PART_NUMBER.sub("", name[: -len(".csv")])


class RedditExportReader(Reader):
    """The comments and posts of a Reddit account's data export (GDPR/CCPA request)."""

    name = "reddit_export"
    platform = "reddit"

    def sniff(self, head: Head) -> float:
        return 0.95 if export_kind(head.csv_header) else 0.0

    def declines(self, head: Head) -> str | None:
        part = export_part(head)
        if part is None:
            return None
        return f"a Reddit data export's {_PARTS[part][1]} ({part}): no public posts, not read"

    def read(self, source: Source) -> Iterator[Record]:
        owner = export_owner(source)
        header: list[str] | None = None
        kind: str | None = None
        ip_at: int | None = None
        for item in iter_csv_rows(source, self.name):
            if isinstance(item, Quarantined):
                yield scrubbed(item, ip_at)
                continue
            line, row = item
            if header is None:
                header = [c.strip().lower() for c in row]
                kind = export_kind(header)
                ip_at = header.index("ip") if "ip" in header else None
                if kind is None:  # the head said otherwise: a file changed under us
                    why = "not the header of a Reddit export's comments.csv or posts.csv"
                    yield quarantine(source, line, why, ",".join(header), self.name)
                    return
                continue
            if len(row) != len(header):
                why = f"row has {len(row)} fields, the header has {len(header)}"
                kept = [v for i, v in enumerate(row) if i != ip_at]
                raw = ",".join(kept).encode("utf-8", "surrogateescape")
                yield scrubbed(quarantine(source, line, why, raw, self.name), None)
                continue
            values = row_dict(header, row)
            values.pop("ip", None)
            for rec in guarded(
                source, self.name, line, values, self._post, line, values, kind, owner
            ):
                yield scrubbed(rec, None) if isinstance(rec, Quarantined) else rec

    def _post(
        self, source: Source, line: int, row: dict[str, str], kind: str, owner: str | None
    ) -> Record:
        """The Post of one row (``kind`` t1: comments.csv, t3: posts.csv), through the Reddit
        dump reader's own mapping; a row it cannot place is quarantined."""
        rid = _own_id(row.get("id"), kind)
        created = stated_time((row.get("date") or "").strip().removesuffix("UTC").strip(), "date")
        submission = _submission_of(row.get("link") or "") if kind == "t1" else rid
        thing: dict[str, Any] = {
            "id": rid,
            "created_utc": created,
            "author": owner,
            "permalink": _permalink(row, kind, rid, submission),
        }
        if kind == "t1":
            thing["body"] = row.get("body")
            thing["link_id"] = f"t3_{submission}" if submission else None
            thing["parent_id"] = _parent_of(row.get("parent") or "", submission)
        else:
            thing["title"] = row.get("title")
            thing["selftext"] = row.get("body")
            thing["url"] = (row.get("url") or "").strip()
        rec = reddit_post(source, line, thing, kind, self.name)
        media = (row.get("media") or "").strip()
        if isinstance(rec, Post) and media.startswith(("https://", "http://")):
            rec.urls = [*rec.urls, media]
        return rec


def _own_id(value: str | None, kind: str) -> str | None:
    """A row's own bare id (a ``t1_``/``t3_`` prefix of its kind dropped), None when empty; one
    that is no Reddit id raises ValueError, so its row is quarantined."""
    rid = (value or "").strip()
    if rid.lower().startswith(kind + "_"):
        rid = rid[len(kind) + 1 :]
    if not rid:
        return None
    if not _ID.fullmatch(rid):
        raise ValueError(f"id {shown(rid)} is not a Reddit id")
    return rid


def _submission_of(link: str) -> str | None:
    """The id of the submission a comment's ``link`` names (its URL, fullname or bare id), None
    when it is empty; a link that names no submission (a comment's fullname, ``-1``, a date)
    raises ValueError, so its row is quarantined rather than stored outside its thread, as a
    parent that names nothing is."""
    link = link.strip()
    if not link:
        return None
    if (found := _FULLNAME.fullmatch(link)) and found[1] == "3":
        return found[2]
    if not found and (found := _COMMENTS_URL.search(link)):
        return found[1]
    if _ID.fullmatch(link):
        return link
    raise ValueError(f"link {shown(link)} names no post")


def _parent_of(parent: str, submission: str | None) -> str | None:
    """The fullname a comment replies to: its ``parent`` (a fullname, a bare id or a
    permalink), or the submission when it is empty; a parent that names nothing raises
    ValueError, so its row is quarantined rather than threaded wrongly."""
    parent = parent.strip()
    if not parent:
        return f"t3_{submission}" if submission else None
    if found := _FULLNAME.fullmatch(parent):
        return f"t{found[1]}_{found[2]}"
    if found := _COMMENTS_URL.search(parent):
        return f"t1_{found[2]}" if found[2] else f"t3_{found[1]}"
    if _ID.fullmatch(parent):
        return f"t3_{parent}" if parent == submission else f"t1_{parent}"
    raise ValueError(f"parent {shown(parent)} names no post or comment")


def _permalink(row: dict[str, str], kind: str, rid: str | None, submission: str | None) -> Any:
    """The row's permalink, or one made from its subreddit when it has none; None (the
    handle-free ``/comments/`` form) when it leads into a user's profile."""
    link = (row.get("permalink") or "").strip()
    sub = (row.get("subreddit") or "").strip().removeprefix("r/")
    if sub.lower().startswith("u_") or _PROFILE.search(link):
        return None
    if link or not rid or not _SUBREDDIT.fullmatch(sub):
        return link or None
    if kind == "t3":
        return f"/r/{sub}/comments/{rid}/"
    return f"/r/{sub}/comments/{submission}/_/{rid}/" if submission else None


def scrubbed(rec: Quarantined, ip_at: int | None) -> Quarantined:
    """A quarantined row with its ``ip`` field (at ``ip_at`` on its first line, where the CSV
    reader kept the row's bytes) blanked, and every IP address left in its bytes or its reason
    masked: the quarantine keeps no address."""
    raw = rec.raw
    if ip_at is not None and raw:
        first, newline, rest = raw.partition(b"\n")
        text = first.decode("utf-8", "surrogateescape")
        fields = next(csv.reader([text.rstrip("\r")]), [])
        if len(fields) > ip_at:
            fields[ip_at] = ""
            out = io.StringIO()
            csv.writer(out, lineterminator="").writerow(fields)
            first = out.getvalue().encode("utf-8", "surrogateescape")
        raw = first + newline + rest
    rec.raw = masked(raw)
    rec.reason = masked(rec.reason.encode("utf-8", "surrogateescape")).decode(
        "utf-8", "surrogateescape"
    )
    return rec


def masked(data: bytes) -> bytes:
    """``data`` with every IPv4 or IPv6 address in it replaced by ``MASK``."""
    if not data:
        return data
    return _IPV6.sub(_mask, _IPV4.sub(_mask, data))


def _mask(match: re.Match[bytes]) -> bytes:
    """``MASK`` for an IP address (a full stop after it kept), else the bytes as they were."""
    found = match.group()
    core = found.rstrip(b".")
    try:
        ipaddress.ip_address(core.decode("ascii"))
    except ValueError:
        return found
    return MASK + found[len(core) :]


def export_owner(source: Source) -> str | None:
    """The account name of the export's owner, from ``statistics.csv`` in the same folder or
    archive folder as ``source``; None when there is none or it names no one."""
    if source.member is None:
        path = str(source.path.parent / "statistics.csv")
        try:
            stat = os.stat(path)
        except OSError:
            return None
        return _owner_at(path, None, stat.st_mtime_ns, stat.st_size)
    sibling = str(PurePosixPath(source.member).parent / "statistics.csv").removeprefix("./")
    try:
        stat = os.stat(source.path)
    except OSError:
        return None
    return _owner_at(str(source.path), sibling, stat.st_mtime_ns, stat.st_size)


_ACCOUNT_NAME = re.compile(r"[A-Za-z0-9_-]{1,40}")


@lru_cache(maxsize=64)
def _owner_at(path: str, member: str | None, _mtime: int, _size: int) -> str | None:
    """The ``account name`` of a ``statistics.csv`` (alone, or ``member`` of an archive); only
    that row is kept of the file (it also holds the e-mail address)."""
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
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile, tarfile.TarError):
        return None
    text = data.decode("utf-8", "replace").lstrip("\ufeff")
    try:
        for row in csv.reader(io.StringIO(text)):
            if len(row) >= 2 and row[0].strip().lower() == "account name":
                name = row[1].strip().removeprefix("u/")
                return name if _ACCOUNT_NAME.fullmatch(name) else None
    except csv.Error:
        return None
    return None
