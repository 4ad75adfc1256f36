"""Keyed pseudonyms for authors: HMAC-SHA256 with a key kept beside the database, never exported."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_SUFFIX = ".key"


def key_path(db_path: str | os.PathLike) -> Path:
    """The key file that belongs to a store file (``groundswell.duckdb.key``)."""
    return Path(str(db_path) + KEY_SUFFIX)


def load_key(db_path: str | os.PathLike) -> bytes:
    """Read the store's pseudonymisation key, creating it (mode 0600) on first use."""
    path = key_path(db_path)
    if path.exists():
        return bytes.fromhex(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.hex())
    return key


class Pseudonymiser:
    """Turns a (platform, author id) into a stable pseudonym such as ``u_3f9a...``.

    With ``enabled=False`` the author id passes through unchanged (the user's explicit choice).
    """

    def __init__(self, key: bytes, enabled: bool = True) -> None:
        self.key = key
        self.enabled = enabled
        self._cache: dict[tuple[str, str], str] = {}

    def __call__(self, platform: str, author: str | None) -> str | None:
        if author is None or author == "":
            return None
        if not self.enabled:
            return author
        k = (platform, author)
        hit = self._cache.get(k)
        if hit is None:
            digest = hmac.new(self.key, f"{platform}:{author}".encode(), hashlib.sha256)
            hit = "u_" + digest.hexdigest()[:20]
            if len(self._cache) < 1_000_000:
                self._cache[k] = hit
        return hit
