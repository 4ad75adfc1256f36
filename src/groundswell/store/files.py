"""The files a store is made of, kept safe from the commands that write files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from groundswell.care.pseudonym import KEY_SUFFIX, key_path
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
    """Raise InputError when ``out`` would overwrite the store, its log or its key, or those of
    another store (a DuckDB file, or a ``.wal`` or ``.key`` beside one: a key lost is a store's
    pseudonyms lost)."""
    target = Path(out)
    for own in store_files(path):
        same = target.resolve() == own.resolve()
        if not same and target.exists() and own.exists():
            same = os.path.samefile(target, own)
        if same:
            raise InputError(
                f"{out}: refusing to write over the store's own file {own}; choose another --out"
            )
    text = str(target)
    for db in dict.fromkeys(
        [target, Path(text.removesuffix(".wal")), Path(text.removesuffix(KEY_SUFFIX))]
    ):
        if is_duckdb(db):
            raise InputError(
                f"{out}: refusing to write over a file of the store {db}; choose another --out"
            )


def is_duckdb(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a regular file that starts as a DuckDB database does (a pipe or
    FIFO is never opened here: it can be read only once, by its reader)."""
    try:
        if not Path(path).is_file():
            return False
        with open(path, "rb") as fh:
            return fh.read(12)[8:12] == b"DUCK"
    except OSError:
        return False


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


def is_stdout(path: str | os.PathLike) -> bool:
    """Whether ``path`` is where this process's standard output goes (``/dev/stdout``, or the
    file or pipe it was redirected to): a command writing there says what it wrote on stderr."""
    import sys

    try:
        here = os.fstat(sys.stdout.fileno())
        there = os.stat(path)
    except (OSError, ValueError, AttributeError):  # no such file, or a stdout without a fd
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)
