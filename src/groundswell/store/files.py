"""The files a store is made of, kept safe from the commands that write files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from groundswell.care.pseudonym import key_path
from groundswell.errors import InputError


def store_files(path: str | os.PathLike) -> list[Path]:
    """The files a store is made of: the DuckDB file, its write-ahead log and its key."""
    db = Path(path)
    return [db, Path(f"{db}.wal"), key_path(db)]


def output_file(out: str | os.PathLike, default_name: str) -> Path:
    """Where a command writes: ``out`` itself, or ``out/default_name`` when ``out`` is a folder
    (an existing directory, or a path ending in a separator)."""
    text = os.fspath(out)
    target = Path(text)
    if target.is_dir() or text.endswith((os.sep, "/")):
        return target / default_name
    return target


def refuse_store_files(path: str | os.PathLike, out: str | os.PathLike) -> None:
    """Raise InputError when ``out`` would overwrite the store, its log or its key."""
    target = Path(out)
    for own in store_files(path):
        same = target.resolve() == own.resolve()
        if not same and target.exists() and own.exists():
            same = os.path.samefile(target, own)
        if same:
            raise InputError(
                f"{out}: refusing to write over the store's own file {own}; choose another --out"
            )


@contextmanager
def removed_on_failure(path: str | os.PathLike) -> Iterator[None]:
    """Remove the store files the block creates when it fails: a failed first ingest leaves no
    empty store (nor a key) behind. Files there before are kept."""
    new = [p for p in store_files(path) if not p.exists()]
    try:
        yield
    except Exception:
        for p in new:
            p.unlink(missing_ok=True)
        raise
