"""Deletions (CODEBOOK section 7): remove posts or authors from the store and everything derived.

The deletion list is kept as keyed hashes only (``forgotten``): of each post id, of each author as
the store writes it (pseudonym, or raw id with pseudonymise off), and of each author id or handle
in a platform-independent form, so an author forgotten before their platform reached the store
stays out of every later ingest. A handle finds the posts already stored through their
``author_handle_key`` (the same hash of the author's handle), so a store that keeps authors only
by a pseudonym of their account id still loses them, and their accounts with them. Deletes are
set-based: the ids go into a temporary table and every table loses its rows by a join, so
100,000 ids take seconds.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import orjson
import pyarrow as pa

from groundswell.care.forgetting import person_key, person_keys, raw_candidates
from groundswell.care.pseudonym import Pseudonymiser
from groundswell.errors import InputError, StoreError
from groundswell.store.db import Store, cannot_write, rollback

LONGEST_ID = 10_000  # characters; a link with its query string is far shorter
_HEADERS = ("id", "ids", "author", "authors", "author_id", "handle")
HANDLE = re.compile(r"@?[A-Za-z_][\w.-]*(?:@[\w.-]+)?")  # a handle, also a fediverse one
# the ways a deletion list may name a Reddit account, a Reddit thing or a tweet: u/name and its
# profile link; a fullname in any case (T1_ABC); a comment's or a submission's permalink; a
# tweet's link (twitter.com, x.com, mobile.twitter.com; also i/web/status, as the store's url)
_REDDIT_USER = re.compile(
    r"(?:(?:https?://)?(?:[\w-]+\.)?reddit\.com)?/?u(?:ser)?/([\w-]{1,40})/?", re.IGNORECASE
)
_REDDIT_FULLNAME = re.compile(r"t([13])_([0-9a-z]{1,16})", re.IGNORECASE)
_REDDIT_LINK = re.compile(
    r"(?:https?://)?(?:[\w-]+\.)?(?:reddit\.com/r/\w+|redd\.it)/(?:comments/)?([0-9a-z]{1,16})"
    r"(?:/[^/?#\s]*(?:/([0-9a-z]{1,16}))?)?/?(?:[?#]\S*)?",
    re.IGNORECASE,
)
_TWEET_LINK = re.compile(
    r"(?:https?://)?(?:(?:www|mobile)\.)?(?:twitter|x)\.com/(?:i/web|\w+)"
    r"/status(?:es)?/(\d{1,20})"
    r"/?(?:[?#]\S*)?",
    re.IGNORECASE,
)

# a Mastodon post's or account's web link (https://host/@name/123, https://host/@name), a
# Bluesky post's or account's (bsky.app/profile/DID-or-handle[/post/rkey])
_MASTODON_LINK = re.compile(
    r"(?:https?://)?([\w-]+(?:\.[\w-]+)+)/@(\w{1,64})(?:/(\d{1,20}))?/?(?:[?#]\S*)?"
)
_BLUESKY_LINK = re.compile(
    r"(?:https?://)?(?:www\.)?bsky\.app/profile/([\w.:%-]{1,256}?)(?:/post/(\w{1,64}))?/?"
    r"(?:[?#]\S*)?",
    re.IGNORECASE,
)


def listed_forms(value: str) -> str:
    """A deletion list's value in the form the store keys it by: ``u/name`` (or the profile
    link) as the handle ``name``, a Reddit fullname lower-cased, a Reddit permalink as the
    fullname of the comment (or submission) it links to, a tweet's link as the tweet's id, a
    Mastodon post's link as its id (``https://host/users/name/statuses/123``) and an account's
    as ``name@host``, a Bluesky post's link that names its author's DID as its ``at://`` id and
    an account's link as its handle or DID; anything else as it is."""
    value = value.strip()
    if m := _REDDIT_USER.fullmatch(value):
        return m.group(1)
    if m := _REDDIT_FULLNAME.fullmatch(value):
        return f"t{m.group(1)}_{m.group(2).lower()}"
    if m := _REDDIT_LINK.fullmatch(value):
        post, comment = m.groups()
        return f"t1_{comment.lower()}" if comment else f"t3_{post.lower()}"
    if m := _TWEET_LINK.fullmatch(value):
        return m.group(1)
    if m := _MASTODON_LINK.fullmatch(value):
        host, name, status = m.groups()
        return f"https://{host}/users/{name}/statuses/{status}" if status else f"{name}@{host}"
    if m := _BLUESKY_LINK.fullmatch(value):
        account, rkey = m.groups()
        if not rkey:
            return account
        if account.lower().startswith("did:"):
            return f"at://{account}/app.bsky.feed.post/{rkey}"
    return value


class IdList(list):
    """The ids of a deletion list (``read_id_list``), and its lines that could not be read:
    ``errors``, each ``file:line: why``."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[str] = []


def read_id_list(path: str | os.PathLike) -> IdList:
    """Ids from a deletion list: one per line (a CSV's first column), '#' comments ignored.

    Read as ``predict`` reads its input: UTF-8 with or without a byte-order mark, UTF-16 or
    UTF-32, Windows-1252 as Excel saves it; CRLF line ends are accepted, and characters no id
    holds (zero-width spaces, direction marks, a byte-order mark) that a copied link or handle
    brings along are dropped. A line that cannot be
    read (bytes that are no text, a value too long to be an id) is named in ``errors`` and the
    others are read. Raises InputError naming the file when it cannot be read at all."""
    from groundswell.classify.run import decode_input, undecodable
    from groundswell.ingest.article import visible

    try:
        text = decode_input(Path(path).read_bytes())
    except OSError as exc:
        raise InputError(f"{path}: cannot read the deletion list: {exc}") from exc
    ids = IdList()
    for line_no, line in enumerate(text.splitlines(), start=1):
        value = visible(line).split(",")[0].strip().strip('"').strip()
        if not value or value.startswith("#") or value.lower() in _HEADERS:
            continue
        why = undecodable(value) or (
            f"{len(value):,} characters, too long for an id (at most {LONGEST_ID:,})"
            if len(value) > LONGEST_ID
            else None
        )
        if why:
            ids.errors.append(f"{path}:{line_no}: {why}")
        else:
            ids.append(value)
    return ids


def forget(store: Store, ids: list[str], *, authors: bool = True) -> dict[str, int]:
    """Forget posts and authors named in ``ids`` (post ids, raw author ids, handles or
    pseudonyms; with ``authors=False``, post ids only, as in a platform's deletion notices).

    Every table with a post key (platform, id) or an ``author`` column loses the matching rows,
    quarantined lines naming them lose their raw bytes, error lines kept with past runs that
    name them are removed (``runs.errors`` counts them), and the deletion is recorded (hashed) so
    that no later ingest, of this export or of another platform's, brings them back.
    Returns the rows removed per table.
    """
    con = store.con
    values = sorted({listed_forms(v) for v in ids if v and v.strip()})
    post_ids = values
    author_values: set[str] = set()
    people: set[str] = set()
    if authors:
        for value, forms in _author_forms(store, values).items():
            author_values |= forms
            if not value.startswith("u_"):
                people |= person_keys(value)
    handle_keys = sorted({store.forget_hash.person(k) for k in people})
    removed: dict[str, int] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE forget_posts (id VARCHAR)")
        con.execute("CREATE OR REPLACE TEMP TABLE forget_authors (author VARCHAR)")
        con.execute("CREATE OR REPLACE TEMP TABLE forget_handles (author_handle_key VARCHAR)")
        _fill(con, "forget_posts", post_ids)
        _fill(con, "forget_handles", handle_keys)
        # the accounts that wrote under a forgotten handle are forgotten as if named by id:
        # their posts under another handle and their rows in per-author tables go too
        author_values.update(
            r[0]
            for r in con.execute(f"""
                SELECT DISTINCT author FROM (
                    SELECT author FROM posts WHERE {_BY_HANDLE} UNION ALL
                    SELECT author FROM reposts WHERE {_BY_HANDLE})
                WHERE author IS NOT NULL""").fetchall()
        )
        _fill(con, "forget_authors", sorted(author_values))
        # posts of forgotten authors are forgotten by id too, so derived tables without an
        # author column lose them as well, and reposts of them made later stay out
        by_author = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT id FROM posts WHERE author IN (SELECT author FROM forget_authors) "
                f"OR {_BY_HANDLE}"
            ).fetchall()
        ]
        _fill(con, "forget_posts", by_author)
        store.record_forgotten("post", post_ids + by_author)
        store.record_forgotten("author", sorted(author_values))
        store.record_forgotten("person", sorted(people))
        for table, has_id, has_author, has_handle in _tables(con):
            conds = []
            if has_id:
                conds.append("id IN (SELECT id FROM forget_posts)")
            if has_author:
                conds.append("author IN (SELECT author FROM forget_authors)")
            if has_handle:
                conds.append(_BY_HANDLE)
            if table == "reposts":
                conds.append("repost_of IN (SELECT id FROM forget_posts)")
            n = con.execute(f'DELETE FROM "{table}" WHERE {" OR ".join(conds)}').fetchone()[0]
            if n:
                removed[table] = n
        # and those naming a post of a forgotten author (by its id) go too
        named = {person_key(v) for v in values + by_author} | people
        n = _purge_quarantine(con, named)
        if n:
            removed["quarantine"] = n
        n = _scrub_runs(con, named)
        if n:
            removed["runs.errors"] = n
        con.execute("DROP TABLE forget_posts; DROP TABLE forget_authors; DROP TABLE forget_handles")
        con.execute("COMMIT")
    except Exception as exc:
        rollback(con)
        if cannot_write(exc):
            raise StoreError(f"{store.path}: cannot write the store: {exc}") from exc
        raise
    if removed:
        store.compact()  # the deleted rows' bytes go with them
    else:
        store.checkpoint()
    return removed


_BY_HANDLE = "author_handle_key IN (SELECT author_handle_key FROM forget_handles)"


def _author_forms(store: Store, values: list[str]) -> dict[str, set[str]]:
    """Each value with the forms the store may keep it in as an author: itself, and (unless it
    is a pseudonym) its pseudonym on each platform in the store, with and without its '@'."""
    platforms = [
        r[0]
        for r in store.con.execute(
            "SELECT DISTINCT platform FROM posts UNION SELECT DISTINCT platform FROM reposts"
        ).fetchall()
    ]
    pseudonym = Pseudonymiser(store.pseudonym.key, enabled=store.pseudonymise)
    out = {}
    for value in values:
        forms = out[value] = {value}
        if value.startswith("u_"):
            continue
        for platform in platforms:
            for form in {value, value.lstrip("@")}:
                forms.add(pseudonym(platform, form) or form)
    return out


def unmatched_handles(store: Store, ids: list[str]) -> list[str]:
    """The handles among ``ids`` (``@name``, ``name.host``; not pseudonyms) that no stored post
    or repost has as its author's handle (``author_handle_key``) or as its author: those
    ``forget`` will not find now, for the user to be told. Call it before ``forget``."""
    values = {listed_forms(v) for v in ids if v and v.strip()}
    handles = sorted(v for v in values if HANDLE.fullmatch(v) and not v.startswith("u_"))
    if not handles:
        return []
    named: dict[str, list[str]] = {"value": [], "k": []}
    for value, forms in _author_forms(store, handles).items():
        keys = forms | {store.forget_hash.person(k) for k in person_keys(value)}
        named["value"] += [value] * len(keys)
        named["k"] += sorted(keys)
    store.con.register("forget_named", pa.table(named))
    try:
        found = {
            r[0]
            for r in store.con.execute("""
                SELECT DISTINCT value FROM forget_named WHERE k IN (
                    SELECT author_handle_key FROM posts UNION ALL SELECT author FROM posts
                    UNION ALL SELECT author_handle_key FROM reposts
                    UNION ALL SELECT author FROM reposts)""").fetchall()
        }
    finally:
        store.con.unregister("forget_named")
    return [h for h in handles if h not in found]


def _fill(con, table: str, values: list[str]) -> None:
    if values:
        con.register("forget_values", pa.table({"v": pa.array(values, pa.string())}))
        try:
            con.execute(f"INSERT INTO {table} SELECT v FROM forget_values")
        finally:
            con.unregister("forget_values")


def _purge_quarantine(con, keys: set[str]) -> int:
    """Delete quarantined lines whose raw bytes name one of ``keys`` (case-folded ids and
    handles); returns how many."""
    if not keys or not con.execute("SELECT EXISTS (SELECT 1 FROM quarantine)").fetchone()[0]:
        return 0
    doomed: list[str] = []
    cur = con.execute("SELECT record_key, raw FROM quarantine")
    while rows := cur.fetchmany(10_000):
        for record_key, raw in rows:
            if raw and not keys.isdisjoint(raw_candidates(raw)):
                doomed.append(record_key)
    if not doomed:
        return 0
    con.register("forget_quarantine", pa.table({"record_key": pa.array(doomed, pa.string())}))
    try:
        return con.execute(
            "DELETE FROM quarantine q USING forget_quarantine d WHERE q.record_key = d.record_key"
        ).fetchone()[0]
    finally:
        con.unregister("forget_quarantine")


SCRUBBED = "(an error line naming a forgotten post or author, removed)"


def _scrub_runs(con, keys: set[str]) -> int:
    """Replace the error lines kept with past runs (``runs.counts``: a quarantined record's
    file, line and reason, which may quote its id or handle) that name one of ``keys`` by
    SCRUBBED; returns how many."""
    if not keys:
        return 0
    changed: list[tuple[str, str]] = []
    scrubbed = 0
    for run_id, counts in con.execute(
        "SELECT run_id, counts FROM runs WHERE counts LIKE '%\"errors\"%'"
    ).fetchall():
        try:
            data = orjson.loads(counts)
        except orjson.JSONDecodeError:
            continue
        errors = data.get("errors") if isinstance(data, dict) else None
        if not isinstance(errors, list):
            continue
        kept = [
            SCRUBBED if isinstance(e, str) and not keys.isdisjoint(raw_candidates(e)) else e
            for e in errors
        ]
        n = sum(a != b for a, b in zip(errors, kept, strict=True))
        if n:
            scrubbed += n
            data["errors"] = kept
            changed.append((orjson.dumps(data).decode(), run_id))
    for counts, run_id in changed:
        con.execute("UPDATE runs SET counts = ? WHERE run_id = ?", [counts, run_id])
    return scrubbed


def _tables(con) -> list[tuple[str, bool, bool, bool]]:
    """Tables holding per-post or per-author rows (every derived table names them so): each
    with whether it has an ``id``, an ``author`` and an ``author_handle_key`` column."""
    rows = con.execute("""
        SELECT table_name, list(column_name) FROM information_schema.columns
        WHERE table_schema = 'main' AND table_catalog = current_database()
          AND table_name NOT IN ('forgotten', 'meta', 'runs', 'quarantine')
        GROUP BY table_name""").fetchall()
    out = []
    for table, cols in rows:
        has_id = "id" in cols and table != "articles"
        has_author = "author" in cols
        if has_id or has_author:
            out.append((table, has_id, has_author, "author_handle_key" in cols))
    return out
