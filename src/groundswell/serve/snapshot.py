"""The dashboard's data: an in-memory copy of the store, taken while no one writes to it.

DuckDB lets one process write a file or many processes read it, never both: a reader that keeps
the file open makes the next ``groundswell ingest`` fail with "in use by another groundswell
process". So the server never keeps the store open. ``take_snapshot`` attaches the file read-only,
copies what the pages need into an in-memory DuckDB (posts without ``author_name``, quarantine
without its raw bytes), derives the rollups (``rollups.build``) and detaches: the file is held
for the copy only (``Snapshot.held``; see ``bench/serve.py``). ``SnapshotHolder`` serves the
last good snapshot; when the file is locked by a writer, a refresh fails fast (DuckDB does not
wait for the lock), the old snapshot stays in service and ``busy`` says since when, so the page
header reads "store busy: showing data as of T". Nothing here writes to the store.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from groundswell.care.forgetting import ForgetHasher
from groundswell.care.pseudonym import Pseudonymiser, load_key
from groundswell.errors import StoreError, StoreLockedError
from groundswell.serve import rollups
from groundswell.store.db import FORGOTTEN_HASH, forgotten_sql

# the columns copied per table; a table not named here is copied whole
COLUMNS = {
    "posts": "platform, id, url, author, created_at, lang, text, hashtags, mentions, reply_to, "
    "quote_of, synthetic",
    "reposts": "platform, id, repost_of, author, created_at",
    "quarantine": "source_file, line, reason, format",  # never the raw bytes
    "heads": "name, version, created_at, metrics",
}
FILTERED = ("posts", "reposts")  # rows named by a deletion list never reach the copy


@dataclass
class SnapshotStore:
    """What an analysis needs of a store, over one cursor of the in-memory snapshot.

    ``read_only`` is true, so analyses keep their working tables TEMP and record no run."""

    con: Any
    path: Path
    pseudonym: Pseudonymiser
    pseudonymise: bool
    read_only: bool = True


@dataclass
class Snapshot:
    """One in-memory copy of a store, immutable once taken; analyses are computed lazily."""

    con: Any
    path: Path
    taken_at: datetime
    seconds: float  # to copy the store and build the rollups
    held: float  # of which the store file was open (read-only)
    key: bytes
    pseudonymise: bool
    tables: set[str]
    _results: dict[str, Any] = field(default_factory=dict)
    _locks: dict[str, threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)
    cache: dict[Any, Any] = field(default_factory=dict)

    def cursor(self) -> Any:
        """A connection of its own to the snapshot (one DuckDB connection per thread)."""
        return self.con.cursor()

    def store(self) -> SnapshotStore:
        """A read-only store over a fresh cursor, for the analyses."""
        shim = SnapshotStore(
            con=self.cursor(),
            path=self.path,
            pseudonym=Pseudonymiser(self.key, enabled=self.pseudonymise),
            pseudonymise=self.pseudonymise,
        )
        if "person_mentions_state" in self.tables:
            # mentions the store already built are reused when its posts have not changed
            row = shim.con.execute("SELECT signature FROM person_mentions_state").fetchone()
            if row:
                shim._people_signature = row[0]  # type: ignore[attr-defined]
        return shim

    def computed(self, name: str, compute: Callable[[Snapshot], Any]) -> Any:
        """``compute(self)`` once per snapshot (other callers wait for the first); an exception
        is kept and raised again, so a failing analysis is not retried on every request."""
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if name not in self._results:
                try:
                    self._results[name] = (True, compute(self))
                except Exception as exc:  # kept, shown where the result would be
                    self._results[name] = (False, exc)
        ok, value = self._results[name]
        if not ok:
            raise value
        return value

    def close(self) -> None:
        self.con.close()


def is_lock_error(exc: BaseException) -> bool:
    """Whether DuckDB refused the file because another process holds it."""
    text = str(exc).lower()
    return "lock" in text or "in use" in text or "resource temporarily unavailable" in text


def take_snapshot(path: str | os.PathLike) -> Snapshot:
    """Copy the store at ``path`` into memory and build the rollups.

    Raises StoreLockedError when another process writes the store, StoreError when it is
    missing or unreadable."""
    path = Path(path)
    if not path.exists():
        raise StoreError(f"{path}: no such store; run `groundswell ingest PATH --db {path}` first")
    started = time.perf_counter()
    key = load_key(path, create=False)
    con = duckdb.connect(
        ":memory:",
        config={"memory_limit": os.environ.get("GROUNDSWELL_MEMORY_LIMIT", "4GB")},
    )
    con.execute("SET enable_progress_bar = false")
    try:
        con.execute(f"CREATE TEMP MACRO {FORGOTTEN_HASH}(v) AS {ForgetHasher(key).sql('v')}")
        try:
            con.execute("ATTACH ? AS src (READ_ONLY)", [str(path)])
        except duckdb.Error as exc:
            if is_lock_error(exc):
                raise StoreLockedError(
                    f"{path} is in use by another groundswell process (DuckDB allows one "
                    "writer); showing the last snapshot"
                ) from exc
            raise StoreError(f"{path}: cannot open store: {exc}") from exc
        try:
            tables = _copy(con)
        finally:
            con.execute("DETACH src")
            held = time.perf_counter() - started
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        rollups.build(con, tables)
    except BaseException:
        con.close()
        raise
    return Snapshot(
        con=con,
        path=path,
        taken_at=datetime.now(UTC),
        seconds=time.perf_counter() - started,
        held=held,
        key=key,
        pseudonymise=meta.get("pseudonymise", "true") == "true",
        tables=tables,
    )


def _copy(con: Any) -> set[str]:
    """Copy the attached store's tables into the in-memory database; returns their names."""
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_catalog = 'src' AND table_schema = 'main' AND table_type = 'BASE TABLE'"
        ).fetchall()
    ]
    forgotten = "forgotten" in names and bool(
        con.execute("SELECT EXISTS (SELECT 1 FROM src.main.forgotten)").fetchone()[0]
    )
    for name in names:
        columns = COLUMNS.get(name, "*")
        if name == "posts":  # rid: a small key for the rollups and the post browser
            columns = "row_number() OVER ()::INTEGER AS rid, " + columns
        where = ""
        if forgotten and name in FILTERED:
            # the store removes forgotten rows itself; this keeps a copy taken mid-`forget` clean
            con.execute("CREATE OR REPLACE TEMP TABLE forgotten AS SELECT * FROM src.forgotten")
            where = f" WHERE NOT {forgotten_sql('s', name)}"
        con.execute(
            f'CREATE TABLE main."{name}" AS SELECT {columns} FROM src.main."{name}" s{where}'
        )
    con.execute("DROP TABLE IF EXISTS temp.forgotten")
    return set(names)


class SnapshotHolder:
    """The snapshot in service, refreshed when the store file changes and can be read.

    ``busy`` is the time of the first refresh that found the store locked since the last good
    one (None when the snapshot is current). ``error`` is the last other failure."""

    def __init__(self, path: str | os.PathLike, *, check_every: float = 5.0) -> None:
        self.path = Path(path)
        self.check_every = check_every
        self.snapshot: Snapshot | None = None
        self.busy: datetime | None = None
        self.error: str | None = None
        self._stamp: tuple[float, ...] | None = None
        self._lock = threading.Lock()
        self._checked = 0.0
        self.on_snapshot: Callable[[Snapshot], None] | None = None
        self._retired: list[Snapshot] = []

    def _file_stamp(self) -> tuple[float, ...]:
        stamp: list[float] = []
        for p in (self.path, Path(str(self.path) + ".wal")):
            try:
                st = p.stat()
                stamp += [st.st_mtime, float(st.st_size)]
            except FileNotFoundError:
                stamp += [0.0, 0.0]
        return tuple(stamp)

    def refresh(self, force: bool = False) -> bool:
        """Take a new snapshot when the file changed (or ``force``); True when one was taken.
        Never waits: a locked store leaves the old snapshot in service and sets ``busy``."""
        if not self._lock.acquire(blocking=False):
            return False  # another thread is refreshing
        try:
            self._checked = time.monotonic()
            stamp = self._file_stamp()
            if not force and self.snapshot is not None and stamp == self._stamp and not self.busy:
                return False
            try:
                fresh = take_snapshot(self.path)
            except StoreLockedError:
                self.busy = self.busy or datetime.now(UTC)
                return False
            except StoreError as exc:
                self.error = str(exc)
                return False
            old, self.snapshot = self.snapshot, fresh
            self._stamp, self.busy, self.error = stamp, None, None
            if old is not None:
                self._retire(old)
            if self.on_snapshot is not None:
                self.on_snapshot(fresh)
            return True
        finally:
            self._lock.release()

    def _retire(self, old: Snapshot, delay: float = 30.0) -> None:
        """Close a replaced snapshot once requests still using it have had time to finish."""
        self._retired.append(old)

        def close() -> None:
            if old in self._retired:
                self._retired.remove(old)
                old.close()

        timer = threading.Timer(delay, close)
        timer.daemon = True
        timer.start()

    def close(self) -> None:
        """Close every snapshot this holder took (at shutdown)."""
        for snap in [*self._retired, self.snapshot]:
            if snap is not None:
                snap.close()
        self._retired.clear()
        self.snapshot = None

    def maybe_refresh(self) -> None:
        """Refresh in a background thread when the last check is older than ``check_every``."""
        if time.monotonic() - self._checked >= self.check_every:
            self._checked = time.monotonic()
            threading.Thread(target=self.refresh, daemon=True).start()
