"""Open the DuckDB store, write batches idempotently, forget posts and authors.

Writes are upserts by (platform, id) with first-seen-wins, one transaction per batch, so a process
killed mid-run loses at most its open batch and a re-run fills the gap without double counting.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import os
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import msgspec
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from groundswell.care.forgetting import ForgetHasher, person_keys, raw_candidates
from groundswell.care.pseudonym import Pseudonymiser, key_check, key_path, load_key
from groundswell.errors import StoreError, StoreLockedError
from groundswell.schema import Article, Post, Quarantined

DEFAULT_DB = "groundswell.duckdb"
SCHEMA_VERSION = "1"
UNKEYED_HANDLES = "unkeyed_handles"  # meta: the store holds rows without author_handle_key
FORGOTTEN_HASH = "gs_forgotten_hash"  # a temporary SQL macro: the keyed hash of the forgotten table
_DATA_TABLES = ("posts", "reposts", "articles", "quarantine", "forgotten")


@dataclass
class BatchCounts:
    """What one written batch did; adds up across a run."""

    stored: int = 0
    duplicates: int = 0
    reposts: int = 0
    quarantined: int = 0
    articles: int = 0
    forgotten: int = 0  # records skipped because a deletion list names them (within duplicates)
    errors: list[str] = field(default_factory=list)  # posts quarantined at write: file:line: why

    def __iadd__(self, other: BatchCounts) -> BatchCounts:
        for k in self.__dataclass_fields__:
            if k == "errors":
                self.errors.extend(other.errors[: max(0, 50 - len(self.errors))])
            else:
                setattr(self, k, getattr(self, k) + getattr(other, k))
        return self


def _naive_utc(dt: datetime | None) -> datetime | None:
    return None if dt is None else dt.astimezone(UTC).replace(tzinfo=None)


def _url_without_author(post: Post) -> str | None:
    """The post's URL unless it names its author (a handle in a profile path); pseudonymised
    stores must not carry handles. Twitter links are rebuilt in their handle-free form."""
    url = post.url
    if not url:
        return None
    if post.platform == "twitter":  # the status id alone is a complete, handle-free link
        return f"https://twitter.com/i/web/status/{post.id}"
    low = url.lower()
    if not any(x and x.lower() in low for x in (post.author_name, post.author)):
        return url
    return None


def malformed(post: Post) -> str | None:
    """Why a post's fields do not match the schema's types, or None when they do."""
    try:
        msgspec.convert(msgspec.to_builtins(post), Post)
    except (msgspec.ValidationError, TypeError, ValueError, OverflowError) as exc:
        return str(exc)
    if any(not isinstance(v, int) or abs(v) >= 2**63 for v in post.metrics.values()):
        return "a metric is not a 64-bit integer"
    return None


def _raw_of(post: Post) -> bytes:
    """The post as JSON, for the quarantine (the reader's raw bytes are gone by now)."""
    try:
        return msgspec.json.encode(post)
    except (TypeError, ValueError, OverflowError):
        return repr(post).encode("utf-8", "replace")


def quarantine_key(source_file: str, line: int, raw: bytes | None) -> str:
    """A quarantined record's ``record_key``: a hash of its file as an absolute path (two files
    of one name in two folders are two files), its line and its raw bytes. Reading the same
    file again gives the same keys, so its records are kept once."""
    path = os.path.abspath(source_file).encode("utf-8", "surrogatepass")
    h = hashlib.sha256(f"{line}\n{len(path)}\n".encode())
    h.update(path)
    h.update(raw or b"")
    return h.hexdigest()


def legacy_quarantine_key(source_file: str, line: int) -> str:
    """The ``record_key`` a row of a store made before ``quarantine_key`` was given (its file
    name as typed and its line were its key), as ``Store._create_schema`` computes it."""
    text = f"legacy\n{line}\n{source_file}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _malformed_record(post: Post, why: str) -> Quarantined:
    return Quarantined(
        source_file=post.source_file,
        line=post.source_line,
        reason=f"malformed record: {why}",
        raw=_raw_of(post),
        format=post.format,
    )


def forgotten_sql(alias: str, table: str, *, by_handle: bool = False) -> str:
    """A SQL condition, true when the row is named by the deletion list: its id, its author or,
    for a repost, its original; with ``by_handle``, also its ``author_handle_key`` (rows being
    written have one; a store made before it has not). Written as semi-joins so it stays a
    hash join at any size. The list holds keyed hashes only, so the row's values are hashed
    (natively, in DuckDB) to match."""
    h = FORGOTTEN_HASH
    cond = (
        f"{h}({alias}.id) IN (SELECT value FROM forgotten WHERE kind = 'post') OR "
        + forgotten_author_sql(alias, by_handle=by_handle)
    )
    if table == "reposts":
        cond += f" OR {h}({alias}.repost_of) IN (SELECT value FROM forgotten WHERE kind = 'post')"
    return f"({cond})"


def forgotten_author_sql(alias: str, *, by_handle: bool = False) -> str:
    """The part of ``forgotten_sql`` that names the row's author: its ``author``, or with
    ``by_handle`` its ``author_handle_key``."""
    cond = (
        f"{FORGOTTEN_HASH}(coalesce({alias}.author, '')) IN "
        "(SELECT value FROM forgotten WHERE kind = 'author')"
    )
    if by_handle:  # the key is the person hash itself: no hashing (and NULL is no match)
        key = f"{alias}.author_handle_key"
        cond += (
            f" OR ({key} IS NOT NULL AND {key} IN "
            "(SELECT value FROM forgotten WHERE kind = 'person'))"
        )
    return cond


def handle_key_column(names: pa.Array | pa.ChunkedArray, hasher: ForgetHasher) -> pa.Array:
    """``hasher.handle`` of each author name (``author_handle_key``), computed once per
    distinct name."""
    if isinstance(names, pa.ChunkedArray):
        names = names.combine_chunks()
    codes = pc.dictionary_encode(names)
    distinct = codes.dictionary.to_pylist()
    keys = hasher.handles(distinct)
    return pc.take(pa.array([keys[n] for n in distinct], pa.string()), codes.indices)


def exists_sql(alias: str, table: str, batch: str) -> str:
    """A SQL condition, true when the row ``alias`` of ``batch`` has its (platform, id) in
    ``table`` already. The keys ``table`` shares with the batch are found first, by a semi-join
    whose build side is the batch: DuckDB then pushes the batch's id range into the scan of
    ``table`` and skips every row group outside it, so a batch of new, time-ordered ids costs
    the same in a store of 1 M or 20 M posts (a plain anti-join hashes the whole table per
    batch; ``ON CONFLICT`` on a key index costs more still)."""
    return (
        f"EXISTS (SELECT 1 FROM (SELECT x.platform, x.id FROM {table} x SEMI JOIN {batch} y "
        f"ON x.platform = y.platform AND x.id = y.id) e WHERE e.platform = {alias}.platform "
        f"AND e.id = {alias}.id)"
    )


class Store:
    """A groundswell DuckDB file and its pseudonymisation key.

    ``pseudonymise=False`` keeps raw author ids and display names; it is recorded in the store at
    creation and cannot be changed afterwards (mixing raw and hashed authors would break deletions).
    """

    def __init__(
        self,
        path: str | os.PathLike = DEFAULT_DB,
        *,
        read_only: bool = False,
        pseudonymise: bool | None = None,
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        # ids of posts skipped in this run because their author is forgotten (record_run)
        self._dropped_posts: set[str] = set()
        existed = self.path.exists()
        if read_only and not existed:
            raise StoreError(
                f"{self.path}: no such store; run `groundswell ingest PATH --db {path}` first"
            )
        try:
            self.con = self._connect()
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreLockedError(
                    f"{self.path} is in use by another groundswell process "
                    "(DuckDB allows one writer); "
                    "wait for it to finish or pass another --db"
                ) from exc
            raise StoreError(f"{self.path}: cannot open store: {exc}") from exc
        try:
            self._open(existed, pseudonymise)
        except BaseException:
            self.con.close()
            raise

    def _open(self, existed: bool, pseudonymise: bool | None) -> None:
        """Schema, settings and key of a just connected store."""
        if existed:
            self._check_is_store()
        # a store that holds anything keeps its key: a new one would silently break every
        # pseudonym and deletion in it, so a missing key is an error, never a fresh key
        key = load_key(self.path, create=not (existed and self._holds_data()))
        if not self.read_only:
            try:
                self._create_schema()
                self._add_handle_keys()
            except duckdb.Error as exc:
                raise StoreError(f"{self.path}: cannot write the store: {exc}") from exc
            self._init_meta(pseudonymise)
        meta = dict(self.con.execute("SELECT key, value FROM meta").fetchall())
        self._check_key(key, meta)
        self.pseudonymise = meta.get("pseudonymise", "true") == "true"
        # rows stored before posts kept ``author_handle_key``: forget cannot match them by handle
        self.unkeyed_handles = meta.get(UNKEYED_HANDLES) == "true"
        self.forget_hash = ForgetHasher(key)
        self.con.execute(
            f"CREATE OR REPLACE TEMP MACRO {FORGOTTEN_HASH}(v) AS {self.forget_hash.sql('v')}"
        )
        self._caught: set[str] = set()  # pseudonyms of authors forgotten by id or handle
        self.forgotten_people: set[str] = set()
        if not self.read_only:
            self._hash_plaintext_forgotten(meta)
            self.forgotten_people = {
                r[0]
                for r in self.con.execute(
                    "SELECT value FROM forgotten WHERE kind = 'person'"
                ).fetchall()
            }
        self.pseudonym = Pseudonymiser(key, enabled=self.pseudonymise, on_new=self._on_new_author)

    def _check_key(self, key: bytes, meta: dict[str, str]) -> None:
        """Refuse a key that is not the store's own (another store's key copied beside it): its
        pseudonyms and deletion hashes would silently stop matching. The store keeps a keyed
        check value of its key (not the key), written on first open; a store that holds nothing
        yet may take a new key, as ``load_key`` allows."""
        check = key_check(key)
        kept = meta.get("key_check")
        if kept is None or (kept != check and not self._holds_data()):  # nothing depends on it
            if not self.read_only:
                self.con.execute("INSERT OR REPLACE INTO meta VALUES ('key_check', ?)", [check])
            return
        if kept != check:
            raise StoreError(
                f"{key_path(self.path)} is not the key of {self.path} (the store was written "
                "with another key); restore the store's own key from a backup"
            )

    def _check_is_store(self) -> None:
        """Refuse, before anything is written, a DuckDB file that is not a groundswell store (a
        database of another tool: its tables would get ours beside them) or one whose schema
        is not this version's."""
        try:
            tables = {
                r[0] for r in self.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
            }
            version = (
                self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                if "meta" in tables
                else None
            )
        except duckdb.Error as exc:
            raise StoreError(f"{self.path}: cannot read the store: {exc}") from exc
        if not tables:
            return  # an empty database: made a store now
        if "meta" not in tables:
            shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
            raise StoreError(
                f"{self.path} is a DuckDB database but not a groundswell store (it holds {shown});"
                " pass another --db"
            )
        if version is not None and version[0] != SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} is a groundswell store of schema {version[0]}, this version reads "
                f"{SCHEMA_VERSION}; ingest the exports again into a new --db"
            )

    def _create_schema(self) -> None:
        """Create the tables a store lacks. A quarantine table of a store made before records
        were keyed by ``record_key`` (it was keyed by file name as typed and line, so a file of
        the same name in another folder lost its bad records) is rebuilt with the key, in one
        transaction: its rows keep theirs as ``legacy_quarantine_key``."""
        schema = resources.files("groundswell.store").joinpath("schema.sql").read_text()
        legacy = self.con.execute(
            "SELECT count(*) = 1 AND count(*) FILTER (WHERE column_name = 'record_key') = 0 "
            "FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND table_name = 'quarantine' AND column_name IN "
            "('source_file', 'record_key')"
        ).fetchone()[0]
        if not legacy:
            self.con.execute(schema)
            return
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute("ALTER TABLE quarantine RENAME TO gs_quarantine_legacy")
            self.con.execute(schema)
            self.con.execute(
                "INSERT INTO quarantine SELECT source_file, line, reason, raw, format, "
                "sha256('legacy' || chr(10) || CAST(line AS VARCHAR) || chr(10) || source_file) "
                "FROM gs_quarantine_legacy"
            )
            self.con.execute("DROP TABLE gs_quarantine_legacy")
            self.con.execute("COMMIT")
        except BaseException:
            rollback(self.con)
            raise

    def _add_handle_keys(self) -> None:
        """Give a store made before posts and reposts kept ``author_handle_key`` the column, its
        rows NULL (their handles were never kept, so they cannot be keyed now), and note in
        ``meta`` when it held rows, so ``forget`` can say why a handle matched none of them."""
        have = {
            r[0]
            for r in self.con.execute(
                "SELECT table_name FROM duckdb_columns() WHERE database_name = current_database() "
                "AND schema_name = 'main' AND column_name = 'author_handle_key'"
            ).fetchall()
        }
        for table in ("posts", "reposts"):
            if table in have:
                continue
            self.con.execute(f"ALTER TABLE {table} ADD COLUMN author_handle_key VARCHAR")
            if self.con.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]:
                self.con.execute(
                    "INSERT OR REPLACE INTO meta VALUES (?, ?)", [UNKEYED_HANDLES, "true"]
                )

    def _holds_data(self) -> bool:
        """Whether the store file holds any record, deletion or quarantined line."""
        try:
            tables = {
                r[0]
                for r in self.con.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                    "AND table_catalog = current_database()"
                ).fetchall()
            }
            return any(
                self.con.execute(f"SELECT EXISTS (SELECT 1 FROM {t})").fetchone()[0]
                for t in _DATA_TABLES
                if t in tables
            )
        except duckdb.Error:
            return True  # not readable as a store: do not guess, keep the key rule strict

    def _hash_plaintext_forgotten(self, meta: dict[str, str]) -> None:
        """Stores written before deletion lists were hashed keep raw ids in ``forgotten``:
        replace them by their keyed hashes once (and keep raw author ids as persons)."""
        if meta.get("forgotten") == "hashed":
            return
        h = FORGOTTEN_HASH
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute(
                "CREATE OR REPLACE TEMP TABLE forgotten_plain AS SELECT * FROM forgotten"
            )
            self.con.execute("DELETE FROM forgotten")
            self.con.execute(
                f"INSERT INTO forgotten SELECT DISTINCT kind, {h}(value) FROM forgotten_plain"
            )
            self.con.execute(
                f"INSERT INTO forgotten SELECT DISTINCT 'person', {h}('person:' || "
                "lower(ltrim(trim(value), '@'))) FROM forgotten_plain "
                "WHERE kind = 'author' AND NOT starts_with(value, 'u_') ON CONFLICT DO NOTHING"
            )
            self.con.execute("DROP TABLE forgotten_plain")
            self.con.execute("INSERT OR REPLACE INTO meta VALUES ('forgotten', 'hashed')")
            self.con.execute("COMMIT")
        except BaseException:
            rollback(self.con)
            raise

    def _init_meta(self, pseudonymise: bool | None) -> None:
        have = dict(self.con.execute("SELECT key, value FROM meta").fetchall())
        if "schema_version" not in have:
            flag = "false" if pseudonymise is False else "true"
            self.con.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [("schema_version", SCHEMA_VERSION), ("pseudonymise", flag)],
            )
        elif pseudonymise is not None and have.get("pseudonymise") != str(pseudonymise).lower():
            raise StoreError(
                f"{self.path} was created with pseudonymise={have.get('pseudonymise')}; "
                "use a new --db to change it"
            )

    # -- deletion lists ----------------------------------------------------------------------
    def _on_new_author(self, author: str, pseudonym: str) -> None:
        if self.forgotten_people and self.names_forgotten_person(person_keys(author)):
            self._caught.add(pseudonym)

    def names_forgotten_person(self, keys: set[str]) -> bool:
        """Whether any of these ``person_keys`` is on a deletion list of this store."""
        person = self.forget_hash.person
        return any(person(k) in self.forgotten_people for k in keys)

    def take_caught_authors(self) -> list[str]:
        """Author pseudonyms (raw ids with pseudonymise off) met while writing that a deletion
        list named before they came (by id or handle, on any platform); handed out once."""
        caught, self._caught = sorted(self._caught), set()
        return caught

    # -- context manager -------------------------------------------------------------------
    def _connect(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(
            str(self.path),
            read_only=self.read_only,
            # bounded memory whatever the input size: DuckDB spills to disk beyond this
            config={"memory_limit": os.environ.get("GROUNDSWELL_MEMORY_LIMIT", "1GB")},
        )
        # no progress bar: DuckDB draws it on stdout, into an export to /dev/stdout or --json
        con.execute("SET enable_progress_bar = false")
        return con

    def compact(self) -> None:
        """Rewrite the store into a new file and put it in the old one's place, so the bytes of
        deleted rows (which DuckDB only marks free) are gone from the disk's copy of the store:
        a deletion leaves nothing readable behind (CODEBOOK section 7)."""
        fresh = self.path.with_name(f"{self.path.name}.compacting")
        fresh.unlink(missing_ok=True)
        try:
            self.checkpoint()
            name = self.con.execute("SELECT current_database()").fetchone()[0]
            self.con.execute(f"ATTACH '{_sql_text(fresh)}' AS gs_compacted")
            try:
                self.con.execute(f'COPY FROM DATABASE "{name}" TO gs_compacted')
            finally:
                self.con.execute("DETACH gs_compacted")
        except Exception as exc:
            fresh.unlink(missing_ok=True)
            if cannot_write(exc):
                raise StoreError(
                    f"{self.path}: the rows are deleted, but the store could not be rewritten "
                    f"to erase their bytes: {exc}; free space and run `groundswell forget` again"
                ) from exc
            raise
        self.con.close()
        os.replace(fresh, self.path)
        Path(f"{self.path}.wal").unlink(missing_ok=True)  # the checkpoint emptied it
        self.con = self._connect()
        self._open(True, None)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------
    def write_batch(
        self,
        records: list[Post | Article | Quarantined],
        *,
        synthetic: bool = False,
        columns: pa.Table | None = None,
        within: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
    ) -> BatchCounts:
        """Write one batch in one transaction; returns what was stored, skipped and quarantined.

        ``columns`` holds more posts of the same source as Arrow columns
        (``groundswell.ingest.columnar.COLUMNS``, authors pseudonymised and handles keyed by the
        reader or not yet), written as if
        they were among ``records`` at their lines. ``within`` runs in that transaction, before
        it commits (an engine marks its block done).
        """
        counts = BatchCounts()
        posts: dict[tuple[str, str], Post] = {}
        reposts: dict[tuple[str, str], Post] = {}
        articles: dict[str, Article] = {}
        bad: dict[tuple[str, int], Quarantined] = {}
        shadowed: dict[tuple[str, str], list[Post]] = {}  # later copies of a post in the batch
        for rec in records:
            if isinstance(rec, Post):
                if rec.lang is not None and not isinstance(rec.lang, str):
                    rec.lang = None  # not needed: left out, the post kept (a number, a list)
                target = reposts if rec.repost_of else posts
                key = (rec.platform, rec.id)
                if not isinstance(rec.id, str) or not isinstance(rec.repost_of, str | None):
                    # an id a reader left as a list or an object cannot even be looked up
                    key2 = (rec.source_file, rec.source_line)
                    why = malformed(rec) or "id is not a string"
                    if key2 in bad:
                        _another_on_line(bad[key2], why, counts)
                    else:
                        bad[key2] = _malformed_record(rec, why)
                elif key in target:
                    counts.duplicates += 1
                    shadowed.setdefault(key, []).append(rec)  # stands in if the first is bad
                else:
                    target[key] = rec
            elif isinstance(rec, Article):
                if rec.id in articles:
                    counts.duplicates += 1
                else:
                    articles[rec.id] = rec
            else:
                key2 = (rec.source_file, rec.line)
                if key2 in bad:  # another bad record of the same line (a page of tweets)
                    if not _merged(bad[key2]):  # the reader's record is left as it was
                        bad[key2] = copy.copy(bad[key2])
                    _another_on_line(bad[key2], rec.reason, counts)
                else:
                    bad[key2] = rec
        if columns is not None and columns.num_rows:
            columns = self._first_seen(columns, posts, counts)
        dropped: list[str] = []  # ids of posts skipped for their forgotten author
        if self.forgotten_people:  # authors a deletion list named by id or handle, any platform
            if columns is not None and columns.num_rows:
                columns = self._not_forgotten_people(columns, counts, dropped)
            for table in (posts, reposts):
                named = [
                    k
                    for k, p in table.items()
                    if self.names_forgotten_person(person_keys(p.author, p.author_name))
                ]
                for k in named:
                    del table[k]
                if table is posts:
                    dropped += [k[1] for k in named]
                counts.duplicates += len(named)
                counts.forgotten += len(named)
        try:
            self.con.execute("BEGIN TRANSACTION")
        except duckdb.Error as exc:
            raise StoreError(f"{self.path}: cannot write the store: {exc}") from exc
        authors_of_bad: dict[tuple[str, int], str] = {}  # malformed posts' authors as stored
        try:
            self.forget_dropped_posts(dropped)
            tbls = self._tables(posts, reposts, bad, synthetic, counts, shadowed, authors_of_bad)
            n_posts = len(posts)
            if columns is not None and columns.num_rows:
                fast = self._columns_table(columns, synthetic)
                tbls["posts"] = fast if not posts else pa.concat_tables([tbls["posts"], fast])
                n_posts += fast.num_rows
            if self._caught:
                self.record_forgotten("author", self.take_caught_authors())
            if n_posts:
                tbl = tbls["posts"]
                inserted, skipped = self._insert("posts", tbl, n_posts)
                counts.stored += inserted
                counts.duplicates += n_posts - inserted
                counts.forgotten += skipped
            if reposts:
                tbl = tbls["reposts"]
                inserted, skipped = self._insert("reposts", tbl, len(reposts))
                counts.reposts += inserted
                counts.duplicates += len(reposts) - inserted
                counts.forgotten += skipped
            if articles:
                tbl = pa.Table.from_pylist(
                    [
                        {
                            "id": a.id,
                            "title": a.title,
                            "text": a.text,
                            "created_at": _naive_utc(a.created_at),
                            "author": a.author,
                            "url": a.url,
                            "format": a.format,
                            "source_file": a.source_file,
                        }
                        for a in articles.values()
                    ]
                )
                n = self.con.execute(
                    "INSERT INTO articles SELECT * FROM tbl ON CONFLICT DO NOTHING"
                ).fetchone()[0]
                counts.articles += n
                counts.stored += n
                counts.duplicates += len(articles) - n
            if bad:
                self._drop_forgotten_bad(bad, authors_of_bad, counts)
            if bad:
                self._insert_quarantine(list(bad.values()))
                counts.quarantined += len(bad)  # re-seen bad lines still count: read as bad
            if within is not None:
                within(self.con)
            self.con.execute("COMMIT")
        except Exception as exc:
            rollback(self.con)
            if cannot_write(exc):  # a full disk, a file size limit, a lost mount
                raise StoreError(f"{self.path}: cannot write the store: {exc}") from exc
            raise
        return counts

    def _tables(
        self,
        posts: dict[tuple[str, str], Post],
        reposts: dict[tuple[str, str], Post],
        bad: dict[tuple[str, int], Quarantined],
        synthetic: bool,
        counts: BatchCounts,
        shadowed: dict[tuple[str, str], list[Post]],
        authors_of_bad: dict[tuple[str, int], str],
    ) -> dict[str, pa.Table | None]:
        """The posts and reposts as Arrow tables. A post whose reader left a field of the wrong
        type (a list as ``text``, a number as a handle) fails the build; then every post is
        checked against the schema and the malformed ones move to ``bad`` (quarantined, with
        the field named) instead of failing the batch. The check runs only on failure."""
        try:
            return {
                "posts": self._posts_table(list(posts.values()), synthetic) if posts else None,
                "reposts": self._reposts_table(list(reposts.values())) if reposts else None,
            }
        except Exception:  # any field of a wrong type (url.lower() on an int...)
            for table in (posts, reposts):
                for key, post in list(table.items()):
                    why = malformed(post)
                    if why is None:
                        continue
                    del table[key]
                    # a later, well-formed copy of the same post (a retweet's embedded original)
                    # is stored in its place instead of being counted as its duplicate
                    good = next((p for p in shadowed.get(key, ()) if malformed(p) is None), None)
                    if good is not None:
                        table[key] = good
                        counts.duplicates -= 1
                    spot = (post.source_file, post.source_line)
                    if spot not in bad:
                        bad[spot] = _malformed_record(post, why)
                        if isinstance(post.author, str) and isinstance(post.platform, str):
                            author = self.pseudonym(post.platform, post.author)
                            if author:  # a deletion list may name it only so
                                authors_of_bad[spot] = author
                        counts.errors.append(f"{post.source_file}:{post.source_line}: {why}")
                    else:  # a second problem on the same line: one quarantined record
                        counts.duplicates += 1
            return {
                "posts": self._posts_table(list(posts.values()), synthetic) if posts else None,
                "reposts": self._reposts_table(list(reposts.values())) if reposts else None,
            }

    def _insert_quarantine(self, bad: list[Quarantined]) -> None:
        """Keep the quarantined records not kept yet: one with the same ``record_key`` (the same
        file, line and raw bytes), or a row of an older store with the same file name, line
        and raw bytes, is that record read again."""
        rows: dict[str, dict[str, Any]] = {}
        for q in bad:
            key = quarantine_key(q.source_file, q.line, q.raw)
            rows.setdefault(
                key,
                {
                    "source_file": q.source_file,
                    "line": q.line,
                    "reason": q.reason,
                    "raw": q.raw,
                    "format": q.format,
                    "record_key": key,
                    "legacy_key": legacy_quarantine_key(q.source_file, q.line),
                },
            )
        qt = pa.Table.from_pylist(list(rows.values()), schema=QUARANTINE_BATCH_SCHEMA)
        self.con.register("quarantine_batch", qt)
        try:
            self.con.execute(
                "INSERT INTO quarantine SELECT b.* EXCLUDE (legacy_key) FROM quarantine_batch b "
                "WHERE NOT EXISTS (SELECT 1 FROM quarantine q WHERE q.record_key = b.legacy_key "
                "AND coalesce(q.raw, ''::BLOB) = coalesce(b.raw, ''::BLOB)) "
                "ON CONFLICT DO NOTHING"
            )
        finally:
            self.con.unregister("quarantine_batch")

    def _drop_forgotten_bad(
        self,
        bad: dict[tuple[str, int], Quarantined],
        authors_of_bad: dict[tuple[str, int], str],
        counts: BatchCounts,
    ) -> None:
        """Take out of ``bad`` the records that name a forgotten post or author (a post id, an
        author id or handle read from their raw bytes, or a malformed post's author as the store
        keeps it): like a clean record of a forgotten post, each is counted as a duplicate and
        as forgotten, and nothing of it is kept, not even in the quarantine."""
        if not self.con.execute("SELECT EXISTS (SELECT 1 FROM forgotten)").fetchall()[0][0]:
            return
        spots = list(bad)
        rows: dict[str, list[Any]] = {"i": [], "c": []}
        for i, spot in enumerate(spots):
            names = raw_candidates(bad[spot].raw, fold=False)
            if spot in authors_of_bad:
                names.add(authors_of_bad[spot])
            rows["i"] += [i] * len(names)
            rows["c"] += sorted(names)
        if not rows["c"]:
            return
        h = FORGOTTEN_HASH
        self.con.register("gs_bad_names", pa.table(rows, schema=_BAD_NAMES_SCHEMA))
        try:
            named = self.con.execute(
                f"SELECT DISTINCT i FROM gs_bad_names WHERE {h}(c) IN "
                "(SELECT value FROM forgotten WHERE kind IN ('post', 'author')) OR "
                f"{h}('person:' || lower(c)) IN (SELECT value FROM forgotten WHERE kind = 'person')"
            ).fetchall()
        finally:
            self.con.unregister("gs_bad_names")
        for (i,) in named:
            rec = bad.pop(spots[i])
            n = _records_in(rec)
            counts.quarantined -= n - 1  # the others of its line were counted as they came
            counts.duplicates += n
            counts.forgotten += n
            where = f"{rec.source_file}:{rec.line}: "
            counts.errors[:] = [e for e in counts.errors if not e.startswith(where)]

    def _insert(self, table: str, tbl: pa.Table, n: int) -> tuple[int, int]:
        """Insert rows not forgotten and not present; returns (inserted, skipped as forgotten)."""
        self.con.register("batch_tbl", tbl)
        try:
            if not self.con.execute("SELECT EXISTS (SELECT 1 FROM forgotten)").fetchone()[0]:
                # no deletion list: one insert straight from the Arrow batch
                inserted = self.con.execute(
                    f"INSERT INTO {table} SELECT * FROM batch_tbl b "
                    f"WHERE NOT {exists_sql('b', table, 'batch_tbl')}"
                ).fetchone()[0]
                return inserted, 0
            kept = self.con.execute(
                "CREATE OR REPLACE TEMP TABLE batch_kept AS SELECT b.* FROM batch_tbl b "
                f"WHERE NOT {forgotten_sql('b', table, by_handle=True)}"
            ).fetchone()[0]
            if table == "posts" and kept < n:
                self.forget_dropped_posts(
                    r[0]
                    for r in self.con.execute(
                        "SELECT DISTINCT b.id FROM batch_tbl b "
                        f"WHERE {forgotten_author_sql('b', by_handle=True)}"
                    ).fetchall()
                )
            inserted = self.con.execute(
                f"INSERT INTO {table} SELECT * FROM batch_kept k "
                f"WHERE NOT {exists_sql('k', table, 'batch_kept')}"
            ).fetchone()[0]
        finally:
            self.con.unregister("batch_tbl")
        return inserted, n - kept

    def _first_seen(
        self, columns: pa.Table, posts: dict[tuple[str, str], Post], counts: BatchCounts
    ) -> pa.Table:
        """The column rows that are the first of their (platform, id) in the batch, by line
        (a post among ``records`` seen on an earlier line wins, and one seen later is dropped
        from ``posts``); the others are counted as duplicates."""
        ids = columns.column("id")
        platforms = pc.unique(columns.column("platform"))
        if len(platforms) == 1 and pc.count_distinct(ids).as_py() == columns.num_rows:
            platform = platforms[0].as_py()
            others = [i for p, i in posts if p == platform]
            if not others or not pc.any(pc.is_in(ids, pa.array(others, pa.string()))).as_py():
                return columns  # no id twice: nothing to choose
        keys = list(zip(columns.column("platform").to_pylist(), ids.to_pylist(), strict=True))
        lines = columns.column("source_line").to_pylist()
        first: dict[tuple[str, str], tuple[int, int]] = {}  # key -> (line, row or -1)
        for key, post in posts.items():
            first[key] = (post.source_line, -1)
        keep = [False] * len(keys)
        for row, key in enumerate(keys):
            seen = first.get(key)
            if seen is None or lines[row] < seen[0]:
                first[key] = (lines[row], row)
        for key, (_, row) in first.items():
            if row >= 0:
                keep[row] = True
                if key in posts:  # a later line's copy among the records
                    del posts[key]
                    counts.duplicates += 1
        counts.duplicates += len(keys) - sum(keep)
        return columns.filter(pa.array(keep))

    def _not_forgotten_people(
        self, columns: pa.Table, counts: BatchCounts, dropped: list[str]
    ) -> pa.Table:
        """The column rows whose author no deletion list names (the others counted, their ids
        added to ``dropped``)."""
        pairs = list(
            zip(
                columns.column("author").to_pylist(),
                columns.column("author_name").to_pylist(),
                strict=True,
            )
        )
        named = {p: self.names_forgotten_person(person_keys(*p)) for p in set(pairs)}
        keep = [not named[p] for p in pairs]
        n = len(keep) - sum(keep)
        counts.duplicates += n
        counts.forgotten += n
        if not n:
            return columns
        ids = columns.column("id").to_pylist()
        dropped += [i for i, k in zip(ids, keep, strict=True) if not k]
        return columns.filter(pa.array(keep))

    def _columns_table(self, columns: pa.Table, synthetic: bool) -> pa.Table:
        """Fast-path columns in the posts schema: authors pseudonymised and handles keyed once
        per distinct value, handles and handle-bearing URLs dropped unless the store keeps
        them."""
        pseudo = self.pseudonym
        n = columns.num_rows
        given = columns.column("author_pseudonym")
        if self.pseudonymise and not self.forgotten_people and given.null_count < n:
            # computed by the reader with this store's key; with no deletion list naming
            # people, the pseudonymiser's first-sight hook has nothing to catch
            author = given
        else:
            platform = columns.column("platform")[0].as_py()
            authors = pc.dictionary_encode(columns.column("author").combine_chunks())
            names = [pseudo(platform, a) for a in authors.dictionary.to_pylist()]
            author = pc.take(pa.array(names, pa.string()), authors.indices)
        keep_names = not self.pseudonymise
        cols = {name: columns.column(name) for name in FAST_POST_COLUMNS}
        cols["author"] = author
        keys = columns.column("author_handle_key")
        if not self.pseudonymise or keys.null_count == n:  # not computed by the reader
            keys = handle_key_column(columns.column("author_name"), self.forget_hash)
        cols["author_handle_key"] = keys
        if not keep_names:
            cols["url"] = columns.column("url_safe")
            cols["author_name"] = pa.nulls(n, pa.string())
        cols["synthetic"] = pa.array([synthetic] * n, pa.bool_())
        return pa.table(cols, schema=POST_ARROW_SCHEMA)

    def _posts_table(self, posts: list[Post], synthetic: bool) -> pa.Table:
        """The batch as an Arrow table in the posts schema, column by column (the hot path)."""
        pseudo = self.pseudonym
        keep_names = not self.pseudonymise
        n = len(posts)
        handles = self.forget_hash.handles(p.author_name for p in posts)
        cols: dict[str, list[Any]] = {
            "platform": [p.platform for p in posts],
            "id": [p.id for p in posts],
            "url": [p.url for p in posts]
            if keep_names
            else [_url_without_author(p) for p in posts],
            "author": [pseudo(p.platform, p.author) for p in posts],
            "author_name": [p.author_name for p in posts] if keep_names else [None] * n,
            "created_at": [_naive_utc(p.created_at) for p in posts],
            "lang": [p.lang for p in posts],
            "text": [p.text for p in posts],
            "hashtags": [p.hashtags for p in posts],
            "mentions": [p.mentions for p in posts],
            "urls": [p.urls for p in posts],
            "reply_to": [p.reply_to for p in posts],
            "quote_of": [p.quote_of for p in posts],
            "metrics": [orjson.dumps(p.metrics).decode() if p.metrics else None for p in posts],
            "format": [p.format for p in posts],
            "source_file": [p.source_file for p in posts],
            "source_line": [p.source_line for p in posts],
            "synthetic": [synthetic] * n,
            "author_handle_key": [handles[p.author_name] for p in posts],
        }
        return pa.table(cols, schema=POST_ARROW_SCHEMA)

    def _reposts_table(self, posts: list[Post]) -> pa.Table:
        pseudo = self.pseudonym
        handles = self.forget_hash.handles(p.author_name for p in posts)
        return pa.table(
            {
                "platform": [p.platform for p in posts],
                "id": [p.id for p in posts],
                "repost_of": [p.repost_of for p in posts],
                "author": [pseudo(p.platform, p.author) for p in posts],
                "created_at": [_naive_utc(p.created_at) for p in posts],
                "format": [p.format for p in posts],
                "source_file": [p.source_file for p in posts],
                "source_line": [p.source_line for p in posts],
                "author_handle_key": [handles[p.author_name] for p in posts],
            },
            schema=REPOST_ARROW_SCHEMA,
        )

    def forget_dropped_posts(self, ids: Iterable[str]) -> None:
        """Forget by id the posts skipped because a deletion list names their author, within the
        caller's transaction, as ``forget`` forgets a forgotten author's stored posts: reposts of
        them stay out of this batch and later ones, and those stored before (an earlier batch or
        run) are removed at the end of the run (``record_run``). So a store is the same whether
        the author was forgotten before or after the ingest."""
        ids = sorted({i for i in ids if isinstance(i, str) and i})
        if not ids:
            return
        self.con.register("gs_dropped", pa.table({"id": pa.array(ids, pa.string())}))
        try:
            new = [
                r[0]
                for r in self.con.execute(
                    f"SELECT id FROM gs_dropped WHERE {FORGOTTEN_HASH}(id) NOT IN "
                    "(SELECT value FROM forgotten WHERE kind = 'post')"
                ).fetchall()
            ]
        finally:
            self.con.unregister("gs_dropped")
        self.record_forgotten("post", new)
        self._dropped_posts.update(new)

    def record_forgotten(self, kind: str, values: list[str]) -> None:
        """Add ids to the deletion list as keyed hashes (``kind``: post, author or person);
        within the caller's transaction."""
        if not values:
            return
        hash_of = self.forget_hash.person if kind == "person" else self.forget_hash
        hashes = sorted({hash_of(v) for v in values})
        self.con.register("forgotten_new", pa.table({"value": hashes}))
        try:
            self.con.execute(
                "INSERT INTO forgotten SELECT ?, n.value FROM forgotten_new n WHERE NOT EXISTS "
                "(SELECT 1 FROM forgotten f WHERE f.kind = ? AND f.value = n.value)",
                [kind, kind],
            )
        finally:
            self.con.unregister("forgotten_new")
        if kind == "person":
            self.forgotten_people.update(hashes)
            self.pseudonym.clear_cache()

    # -- runs ------------------------------------------------------------------------------
    def record_run(
        self, command: str, params: dict[str, Any], counts: dict[str, Any], started_at: datetime
    ) -> str:
        """Keep a provenance row for a command run on this store.

        Authors a deletion list named before they arrived, met on a path that writes without
        ``write_batch`` (the bulk loader), are forgotten here, at the end of the run."""
        if (self._caught or self._dropped_posts) and not self.read_only:
            from groundswell.store.forget import forget

            if self._caught:
                forget(self, self.take_caught_authors())
            if self._dropped_posts:  # reposts of them stored before they were met
                dropped, self._dropped_posts = sorted(self._dropped_posts), set()
                forget(self, dropped, authors=False)
        run_id = uuid.uuid4().hex[:12]
        self.con.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?)",
            [
                run_id,
                command,
                _naive_utc(started_at),
                _naive_utc(datetime.now(UTC)),
                orjson.dumps(params, default=str).decode(),
                orjson.dumps(counts, default=str).decode(),
            ],
        )
        return run_id

    def checkpoint(self) -> None:
        try:
            self.con.execute("CHECKPOINT")
        except Exception as exc:
            if cannot_write(exc):
                raise StoreError(f"{self.path}: cannot write the store: {exc}") from exc
            raise


_MORE_ON_LINE = re.compile(r" \(\+(\d+) more bad records? of this line: ")


def _merged(rec: Quarantined) -> bool:
    return _MORE_ON_LINE.search(rec.reason) is not None


def _records_in(rec: Quarantined) -> int:
    """How many bad records of one line a quarantined row stands for."""
    found = _MORE_ON_LINE.search(rec.reason)
    return 1 + int(found.group(1)) if found else 1


def _another_on_line(first: Quarantined, reason: str, counts: BatchCounts) -> None:
    """One more bad record of a line that already has one (several tweets of one page): the
    store keeps one quarantined row per line, whose reason names how many more there were and
    the first of their reasons; each is still counted as quarantined."""
    counts.quarantined += 1
    found = _MORE_ON_LINE.search(first.reason)
    if found is None:
        first.reason = f"{first.reason} (+1 more bad record of this line: {reason})"
    else:
        n = int(found.group(1)) + 1
        head = first.reason[: found.start()]
        first.reason = f"{head} (+{n} more bad records of this line: " + first.reason[found.end() :]


def _sql_text(value: object) -> str:
    """``value`` as the inside of a SQL string literal."""
    return str(value).replace("'", "''")


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction; none open (a COMMIT that failed has ended it) is fine,
    so the error that made the caller roll back is the one the user sees."""
    with contextlib.suppress(duckdb.TransactionException):
        con.execute("ROLLBACK")


def cannot_write(exc: BaseException) -> bool:
    """Whether ``exc`` is DuckDB or the system failing to write the store: a full disk, a file
    size limit, a lost mount (DuckDB says so at a write, at COMMIT or at a checkpoint)."""
    if isinstance(exc, duckdb.IOException | duckdb.FatalException | OSError):
        return True
    return isinstance(exc, duckdb.TransactionException) and "Failed to commit" in str(exc)


POST_ARROW_SCHEMA = pa.schema(
    [
        ("platform", pa.string()),
        ("id", pa.string()),
        ("url", pa.string()),
        ("author", pa.string()),
        ("author_name", pa.string()),
        ("created_at", pa.timestamp("us")),
        ("lang", pa.string()),
        ("text", pa.string()),
        ("hashtags", pa.list_(pa.string())),
        ("mentions", pa.list_(pa.string())),
        ("urls", pa.list_(pa.string())),
        ("reply_to", pa.string()),
        ("quote_of", pa.string()),
        ("metrics", pa.string()),
        ("format", pa.string()),
        ("source_file", pa.string()),
        ("source_line", pa.int64()),
        ("synthetic", pa.bool_()),
        ("author_handle_key", pa.string()),  # ForgetHasher.handle(author_name), never shown
    ]
)
POST_COLUMNS = POST_ARROW_SCHEMA.names
# the post columns a reader gives the columnar fast path (the store adds the others)
FAST_POST_COLUMNS = [c for c in POST_COLUMNS if c not in ("synthetic", "author_handle_key")]
_BAD_NAMES_SCHEMA = pa.schema([("i", pa.int64()), ("c", pa.string())])
QUARANTINE_BATCH_SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("line", pa.int64()),
        ("reason", pa.string()),
        ("raw", pa.binary()),
        ("format", pa.string()),
        ("record_key", pa.string()),
        ("legacy_key", pa.string()),  # legacy_quarantine_key: an older store's row of it
    ]
)
REPOST_ARROW_SCHEMA = pa.schema(
    [
        ("platform", pa.string()),
        ("id", pa.string()),
        ("repost_of", pa.string()),
        ("author", pa.string()),
        ("created_at", pa.timestamp("us")),
        ("format", pa.string()),
        ("source_file", pa.string()),
        ("source_line", pa.int64()),
        ("author_handle_key", pa.string()),
    ]
)
