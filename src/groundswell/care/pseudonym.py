"""Keyed pseudonyms for authors: HMAC-SHA256 with a key kept beside the database, never exported."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from groundswell.care.links import replace_ids
from groundswell.errors import StoreError

KEY_SUFFIX = ".key"


def key_path(db_path: str | os.PathLike) -> Path:
    """The key file that belongs to a store file (``groundswell.duckdb.key``)."""
    return Path(str(db_path) + KEY_SUFFIX)


def load_key(db_path: str | os.PathLike, *, create: bool = True) -> bytes:
    """Read the store's pseudonymisation key, creating it (mode 0600) on first use.

    With ``create=False`` a missing key is an error: a store that already holds pseudonyms must
    never silently get a new key (its pseudonyms and deletion lists would stop matching).
    Raises StoreError naming the file when the key is missing, unreadable or malformed.
    """
    path = key_path(db_path)
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        if not create:
            raise StoreError(
                f"{path}: the store's pseudonymisation key is missing; restore it from a "
                "backup (a new key would break every pseudonym and deletion in the store)"
            ) from None
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: cannot read the pseudonymisation key: {exc}") from exc
    else:
        try:
            key = bytes.fromhex(text.strip())
        except ValueError:
            key = b""
        if len(key) < 16:
            raise StoreError(f"{path}: not a groundswell key (expected 64 hex digits)")
        return key
    key = secrets.token_bytes(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key.hex())
    except OSError as exc:
        raise StoreError(f"{path}: cannot write the pseudonymisation key: {exc}") from exc
    return key


def key_check(key: bytes) -> str:
    """A value that tells whether a key is a store's own without revealing it: 16 hex digits of
    HMAC-SHA256(key, a fixed label)."""
    return hmac.digest(key, b"groundswell key check", "sha256").hex()[:16]


def keyed_pseudonym(key: bytes, platform: str, author: str) -> str:
    """The pseudonym of one author: ``u_`` and 20 hex digits of HMAC-SHA256(key,
    ``platform:author``). One definition for the store and the fast path's worker processes."""
    return "u_" + hmac.digest(key, f"{platform}:{author}".encode(), "sha256").hex()[:20]


def pseudonym_maker(key: bytes, platform: str) -> Callable[[str], str]:
    """``keyed_pseudonym(key, platform, author)`` as a function of the author, about twice as
    fast for many authors: HMAC's inner and outer SHA-256 states, keyed and with the platform
    prefix hashed, are computed once and copied for each author (RFC 2104)."""
    block = key if len(key) <= 64 else hashlib.sha256(key).digest()
    block = block.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    inner.update(f"{platform}:".encode())
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
    copy_inner, copy_outer = inner.copy, outer.copy

    def make(author: str) -> str:
        h = copy_inner()
        h.update(author.encode())
        o = copy_outer()
        o.update(h.digest())
        return "u_" + o.hexdigest()[:20]

    return make


class KeyedHash:
    """A keyed hash of text for one ``purpose`` (the deletion list, the label sample's ``ref``),
    computed in Python or inside DuckDB alike: its key is derived from the store key by
    HMAC-SHA256 over ``purpose`` (the store key itself never reaches SQL), so a hash for one
    purpose says nothing about another's and none can be recomputed without the key."""

    def __init__(self, key: bytes, purpose: bytes, length: int = 64) -> None:
        self.prefix = hmac.new(key, purpose, hashlib.sha256).hexdigest()
        self.length = length

    def __call__(self, value: str) -> str:
        return hashlib.sha256((self.prefix + value).encode()).hexdigest()[: self.length]

    def after(self, head: str) -> Callable[[str], str]:
        """``lambda value: self(head + value)``, faster for many values: the keyed prefix and
        ``head`` are hashed once and the hash state copied for each value."""
        start = hashlib.sha256((self.prefix + head).encode())
        copy, length = start.copy, self.length

        def of(value: str) -> str:
            h = copy()
            h.update(value.encode())
            return h.hexdigest()[:length]

        return of

    def sql(self, expr: str) -> str:
        """The hash of a SQL VARCHAR expression, equal to ``self(value)``."""
        full = f"sha256('{self.prefix}' || {expr})"
        return full if self.length >= 64 else f"left({full}, {self.length})"


class Pseudonymiser:
    """Turns a (platform, author id) into a stable pseudonym such as ``u_3f9a...``.

    With ``enabled=False`` the author id passes through unchanged (the user's explicit choice).
    ``on_new(author, pseudonym)``, when set, sees every author the first time it is pseudonymised
    (the store uses it to recognise authors a deletion list named before their platform came).
    """

    def __init__(
        self,
        key: bytes,
        enabled: bool = True,
        on_new: Callable[[str, str], None] | None = None,
    ) -> None:
        self.key = key
        self.enabled = enabled
        self.on_new = on_new
        self._cache: dict[tuple[str, str], str] = {}
        self._makers: dict[str, Callable[[str], str]] = {}

    def __call__(self, platform: str, author: str | None) -> str | None:
        if author is None or author == "":
            return None
        if not self.enabled:
            if self.on_new is not None:
                self.on_new(author, author)
            return author
        k = (platform, author)
        hit = self._cache.get(k)
        if hit is None:
            make = self._makers.get(platform)
            if make is None:
                make = self._makers[platform] = pseudonym_maker(self.key, platform)
            hit = make(author)
            if len(self._cache) < 1_000_000:
                self._cache[k] = hit
            if self.on_new is not None:
                self.on_new(author, hit)
        return hit

    def clear_cache(self) -> None:
        """Forget the cached pseudonyms, so ``on_new`` sees every author again."""
        self._cache.clear()


def pseudonymise_ids(value: str | None, platform: str, pseudonym: Pseudonymiser) -> str | None:
    """Replace the author identifiers that ids, links and text carry (Bluesky DIDs in AT-URIs,
    fediverse and twitter handles in status links, Bluesky profile links, reddit u/names: the
    accounts ``care.links.replace_ids`` finds) by keyed pseudonyms, keeping the rest, so links
    between posts still match within an export; tracking parameters are dropped. A Bluesky DID
    maps to the same pseudonym as the author column."""
    if not value or not pseudonym.enabled:
        return value

    def name(kind: str, found: str) -> str:
        if kind == "did":
            return pseudonym("bluesky", found) or ""
        return pseudonym(kind, found.lower()) or ""

    return replace_ids(value, name)
