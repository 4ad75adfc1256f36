"""Deletions (CODEBOOK section 7): remove posts or authors from the store and everything derived."""

from __future__ import annotations

import os
from pathlib import Path

from groundswell.store.db import Store


def read_id_list(path: str | os.PathLike) -> list[str]:
    """Ids from a deletion list: one per line (a CSV's first column), '#' comments ignored."""
    ids = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        value = line.split(",")[0].strip().strip('"')
        if value and not value.startswith("#") and value.lower() not in ("id", "ids", "author"):
            ids.append(value)
    return ids


def forget(store: Store, ids: list[str], *, authors: bool = True) -> dict[str, int]:
    """Forget posts and authors named in ``ids`` (post ids, raw author ids or pseudonyms;
    with ``authors=False``, post ids only, as in a platform's deletion notices).

    Every table with a post key (platform, id) or an ``author`` column loses the matching rows, and
    the deletion is recorded so that a later ingest of the same export does not bring them back.
    """
    con = store.con
    platforms = [r[0] for r in con.execute("SELECT DISTINCT platform FROM posts").fetchall()]
    author_ids = set()
    for value in ids if authors else ():
        author_ids.add(value)
        if store.pseudonymise and not value.startswith("u_"):
            for platform in platforms or ["twitter"]:
                author_ids.add(store.pseudonym(platform, value))
    post_ids = set(ids)
    removed: dict[str, int] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        for kind, values in (("post", post_ids), ("author", author_ids)):
            if values:  # DuckDB refuses an empty executemany
                con.executemany(
                    "INSERT INTO forgotten VALUES (?, ?) ON CONFLICT DO NOTHING",
                    [[kind, v] for v in values],
                )
        # posts of forgotten authors are forgotten by id too, so derived tables without an
        # author column lose them as well
        con.execute("""INSERT INTO forgotten SELECT 'post', id FROM posts
                       WHERE author IN (SELECT value FROM forgotten WHERE kind = 'author')
                       ON CONFLICT DO NOTHING""")
        for table, has_id, has_author in _tables(con):
            conds = []
            if has_id:
                conds.append("id IN (SELECT value FROM forgotten WHERE kind = 'post')")
            if has_author:
                conds.append("author IN (SELECT value FROM forgotten WHERE kind = 'author')")
            if table == "reposts":
                conds.append("repost_of IN (SELECT value FROM forgotten WHERE kind = 'post')")
            n = con.execute(f'DELETE FROM "{table}" WHERE {" OR ".join(conds)}').fetchone()[0]
            if n:
                removed[table] = n
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    store.checkpoint()
    return removed


def _tables(con) -> list[tuple[str, bool, bool]]:
    """Tables holding per-post or per-author rows (every derived table names them so)."""
    rows = con.execute("""
        SELECT table_name, list(column_name) FROM information_schema.columns
        WHERE table_schema = 'main'
          AND table_name NOT IN ('forgotten', 'meta', 'runs', 'quarantine')
        GROUP BY table_name""").fetchall()
    out = []
    for table, cols in rows:
        has_id = "id" in cols and table != "articles"
        has_author = "author" in cols
        if has_id or has_author:
            out.append((table, has_id, has_author))
    return out
