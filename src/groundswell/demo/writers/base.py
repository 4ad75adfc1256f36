"""What every demo writer shares: the Writer base, fake account ids, entity offsets.

Writers turn corpus Events into the bytes a real tool writes (twarc2, twarc1, Pushshift dumps,
Mastodon REST, Jetstream), each marked synthetic wherever the format has room for an extra field.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from groundswell.demo.corpus import Event
from groundswell.demo.texts import FIGURES

PREFIX = "SYNTHETIC-"
_TAG = re.compile(r"(?<![\w&/])#(\w+)")
_MENTION = re.compile(r"(?<![\w])@(\w+)")
TWITTER_EPOCH_MS = 1288834974657


@dataclass
class Account:
    """One fake account as a platform shows it."""

    id: str
    username: str
    name: str


def account(author: int, platform: str) -> Account:
    """The fake account of an author index on a platform (figures keep their invented handle)."""
    if author < 0:
        fig = FIGURES[-1 - author]
        return Account(str(90_000 + (-author) * 7), fig.handle, fig.name)
    username = f"synth_{author:05d}"
    name = f"Synthetic user {author}"
    if platform == "twitter":
        return Account(str(700_000_000 + author * 13), username, name)
    if platform == "reddit":
        return Account("t2_" + base36(1_000_000 + author), username, name)
    if platform == "mastodon":
        return Account(str(109_000_000_000_000_000 + author), username, name)
    digest = hashlib.blake2b(str(author).encode(), digest_size=15).digest()
    return Account(
        "did:plc:" + base64.b32encode(digest).decode().lower()[:24],
        f"{username}.bsky.example",
        name,
    )


def handle_account(handle: str, platform: str = "twitter") -> Account:
    """The account behind a mentioned @handle (a figure or a synth_ user)."""
    for i, fig in enumerate(FIGURES):
        if fig.handle == handle:
            return account(-1 - i, platform)
    if handle.startswith("synth_") and handle[6:].isdigit():
        return account(int(handle[6:]), platform)
    digest = hashlib.blake2b(handle.encode(), digest_size=4).digest()
    return Account(str(int.from_bytes(digest, "big")), handle, handle)


def base36(n: int) -> str:
    """Reddit's base-36 id form of a number."""
    chars = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = chars[r] + out
    return out or "0"


def snowflake(ev: Event) -> str:
    """A Twitter-style id: milliseconds since the Twitter epoch, shifted, plus a sequence."""
    return str(((int(ev.ts * 1000) - TWITTER_EPOCH_MS) << 22) | (ev.seq & 0x3FFFFF))


def tag_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, tag without '#') of each hashtag, in code points."""
    return [(m.start(), m.end(), m.group(1)) for m in _TAG.finditer(text)]


def mention_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, handle without '@') of each mention, in code points."""
    return [(m.start(), m.end(), m.group(1)) for m in _MENTION.finditer(text)]


def iso_ms(ev: Event) -> str:
    """``2017-10-15T18:22:01.123Z``."""
    return ev.created.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ev.created.microsecond // 1000:03d}Z"


class Writer:
    """Base of a format writer: ``add`` events in time order, then ``close``."""

    name = ""
    platform = ""

    def __init__(self, out_dir: Path, seed: int = 0) -> None:
        self.out_dir = out_dir
        self.seed = seed
        self.paths: list[Path] = []
        self.posts = 0
        self.reposts = 0
        self.duplicates = 0
        self.bad = 0

    def add(self, ev: Event) -> None:
        raise NotImplementedError

    def close(self) -> list[Path]:
        raise NotImplementedError

    def _path(self, name: str) -> Path:
        path = self.out_dir / f"{PREFIX}{name}"
        if path not in self.paths:
            self.paths.append(path)
        return path

    def counts(self) -> dict[str, int]:
        return {
            "posts": self.posts,
            "reposts": self.reposts,
            "duplicates": self.duplicates,
            "bad_records": self.bad,
            "files": len(self.paths),
        }
