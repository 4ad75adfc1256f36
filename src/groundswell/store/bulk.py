"""DuckDB-native bulk loading for the highest-volume format, twarc2 v2 JSONL pages.

DuckDB parses the file straight into typed structs (in C++, on every core) and the mapping to the
post schema is SQL; only per-distinct-value work (hashtag normalisation, author pseudonyms) runs in
Python. It is used only when it gives exactly what the Python reader gives: a plain file in which
every line is a page of tweets with ids and text, and no blank lines. Anything else (bad JSON or
UTF-8, other line shapes, a time that is not Twitter's UTC shape, a text field that holds NaN,
Infinity or 1e999, compressed input) raises ``NotBulkable`` with nothing written, and the caller
falls back to the streaming reader for that file, which quarantines per record.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from groundswell.ingest.source import MAX_LINE_BYTES, Source
from groundswell.ingest.twitter_v2 import METRICS
from groundswell.schema import normalise_hashtag
from groundswell.store.db import BatchCounts, Store, exists_sql, forgotten_sql

MIN_BULK_BYTES = 4 * 1024 * 1024  # below this the streaming reader is as fast

_TWEET = (
    "STRUCT(id VARCHAR, text VARCHAR, author_id VARCHAR, created_at VARCHAR, lang VARCHAR, "
    "entities STRUCT(hashtags STRUCT(tag VARCHAR)[], mentions STRUCT(username VARCHAR)[], "
    "urls STRUCT(url VARCHAR, expanded_url VARCHAR, unwound_url VARCHAR)[]), "
    "note_tweet STRUCT(text VARCHAR, entities STRUCT(hashtags STRUCT(tag VARCHAR)[], "
    "mentions STRUCT(username VARCHAR)[], "
    "urls STRUCT(url VARCHAR, expanded_url VARCHAR, unwound_url VARCHAR)[])), "
    "referenced_tweets STRUCT(type VARCHAR, id VARCHAR)[], public_metrics JSON)"
)
_METRICS_SHAPE = "{" + ", ".join(f'"{k}": "BIGINT"' for k in METRICS) + "}"
# a tweet whose metrics ``schema.metric`` would not take as they are (a value that is not a whole
# number from 0 to 2**63 - 1, metrics that are not an object): the streaming reader reads the file
_ODD_METRICS = (
    "t.public_metrics IS NOT NULL AND (json_type(t.public_metrics) <> 'OBJECT' OR NOT "
    "list_bool_and(list_transform([{keys}], lambda k: "
    "coalesce(json_type(t.public_metrics, '$.' || k), 'NULL') = 'NULL' OR "
    "(json_type(t.public_metrics, '$.' || k) = 'UBIGINT' AND "
    "try_cast(json_extract_string(t.public_metrics, '$.' || k) AS BIGINT) IS NOT NULL))))"
).format(keys=", ".join(f"'{k}'" for k in METRICS))
# user handles are parsed only when the store keeps them (pseudonymise off)
_USERS = "users STRUCT(id VARCHAR, username VARCHAR)[], "


def _not_finite(field: str) -> str:
    """SQL: whether a field read as text holds a number that is no finite double. DuckDB's
    parser takes NaN, Infinity, inf and 1e999 and gives a text field their spelling; the
    readers read them as null (``registry.loads_json``). Text that merely spells one (a tweet
    that says "NaN") is taken for one too: that page costs only the streaming reader."""
    return f"NOT isfinite(TRY_CAST({field} AS DOUBLE))"


def _any_of(items: str, var: str, *fields: str) -> str:
    """SQL: whether any item of a list has one of ``fields`` (of ``var``) no finite double."""
    cond = " OR ".join(_not_finite(f"{var}.{f}") for f in fields)
    return f"coalesce(list_bool_or(list_transform({items}, lambda {var}: {cond})), false)"


def _entities_not_finite(entities: str) -> str:
    """SQL: whether a tweet's hashtags, mentions or links hold a number no finite double."""
    return " OR ".join(
        (
            _any_of(f"{entities}.hashtags", "h", "tag"),
            _any_of(f"{entities}.mentions", "m", "username"),
            _any_of(f"{entities}.urls", "u", "url", "expanded_url", "unwound_url"),
        )
    )


# a tweet with a text field the bulk path reads that held a number no finite double holds: the
# streaming reader reads that field as null, so the file is left to it
_NON_FINITE = " OR ".join(
    (
        *(_not_finite(f"t.{f}") for f in ("id", "text", "author_id", "lang", "note_tweet.text")),
        _entities_not_finite("t.entities"),
        _entities_not_finite("t.note_tweet.entities"),
        _any_of("t.referenced_tweets", "r", "type", "id"),
    )
)


def _columns(with_users: bool) -> str:
    users = _USERS if with_users else ""
    return f"{{data: '{_TWEET}[]', includes: 'STRUCT({users}tweets {_TWEET}[])'}}"


class NotBulkable(Exception):
    """This source needs the streaming reader."""


def bulkable(source: Source, reader_name: str) -> bool:
    """Whether the bulk path may be tried for this source."""
    return (
        reader_name == "twitter_v2"
        and source.member is None
        and source.compression == "none"
        and not source.recoded
        and source.path.stat().st_size >= MIN_BULK_BYTES
    )


def _newlines(source: Source) -> tuple[int, bool]:
    """(number of lines, whether the last one lacks its newline), counted at memory speed."""
    n, last = 0, b"\n"
    with open(source.path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    return n, last != b"\n"


def load_twitter_v2(
    store: Store, source: Source, synthetic: bool = False
) -> tuple[int, BatchCounts]:
    """Load one twarc2 JSONL file in one transaction; returns (records read, counts).

    Raises NotBulkable (with nothing written) when the file is not clean enough for this path.
    """
    con = store.con
    path = str(source.path)
    lines, unterminated = _newlines(source)
    con.execute("BEGIN TRANSACTION")
    try:
        try:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE v2_pages AS SELECT row_number() OVER () AS lineno, "
                "data, includes FROM read_json(?, format='newline_delimited', "
                f"columns={_columns(not store.pseudonymise)}, "
                f"maximum_object_size={MAX_LINE_BYTES})",
                [path],
            )
        except duckdb.Error as exc:
            raise NotBulkable(str(exc)) from exc
        users = (
            f" OR {_any_of('includes.users', 'u', 'id', 'username')}"
            if not store.pseudonymise
            else ""
        )
        pages, bad = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE data IS NULL OR len(data) = 0 OR "
            "len(list_filter(data, lambda t: t.id IS NULL OR t.author_id IS NULL OR "
            f"coalesce(t.note_tweet.text, t.text) IS NULL OR {_ODD_METRICS} OR "
            f"{_NON_FINITE})) > 0 OR "
            f"len(list_filter(includes.tweets, lambda t: {_ODD_METRICS} OR {_NON_FINITE})) > 0"
            f"{users}) FROM v2_pages"
        ).fetchone()
        if bad or pages != lines + unterminated:
            raise NotBulkable("irregular lines")
        try:
            counts = _insert(store, source, synthetic)
        except duckdb.Error as exc:  # a value DuckDB cannot take: the streaming reader can
            raise NotBulkable(str(exc)) from exc
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.execute("DROP TABLE IF EXISTS v2_pages")
    return counts


def _map_table(con: duckdb.DuckDBPyConnection, name: str, pairs: dict[str, Any]) -> None:
    con.register(name, pa.table({"k": list(pairs), "v": list(pairs.values())}))


def _insert(store: Store, source: Source, synthetic: bool) -> tuple[int, BatchCounts]:
    con = store.con
    # one row per record the streaming reader would yield, with its order of appearance:
    # the retweeted original (from the same page's includes) just before its retweet
    con.execute("""
        CREATE OR REPLACE TEMP TABLE v2_tw AS
        WITH t AS (
            SELECT lineno, generate_subscripts(data, 1) AS pos, unnest(data) AS t FROM v2_pages),
        refs AS (
            SELECT lineno, pos, t,
                   list_filter(t.referenced_tweets, lambda r: r.type = 'retweeted')[-1].id AS rt,
                   list_filter(t.referenced_tweets, lambda r: r.type = 'replied_to')[-1].id AS re,
                   list_filter(t.referenced_tweets, lambda r: r.type = 'quoted')[-1].id AS qt
            FROM t),
        inc AS (  -- one included tweet per id and page, the last listed (as a dict lookup)
            SELECT DISTINCT ON (lineno, t.id) lineno, t FROM (
                SELECT lineno, unnest(includes.tweets) AS t,
                       generate_subscripts(includes.tweets, 1) AS o FROM v2_pages)
            ORDER BY lineno, t.id, o DESC)
        SELECT row_number() OVER () AS rk, * FROM (
        SELECT lineno, pos, 1 AS sub, t, rt, re, qt FROM refs
        UNION ALL
        SELECT r.lineno, r.pos, 0, i.t, NULL,
               list_filter(i.t.referenced_tweets, lambda x: x.type = 'replied_to')[-1].id,
               list_filter(i.t.referenced_tweets, lambda x: x.type = 'quoted')[-1].id
        FROM refs r
        JOIN inc i ON i.lineno = r.lineno AND i.t.id = r.rt
        WHERE r.rt IS NOT NULL AND coalesce(i.t.note_tweet.text, i.t.text) IS NOT NULL)
    """)
    read = con.execute("SELECT count(*) FROM v2_tw").fetchone()[0]
    raw_tags = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT unnest(coalesce(t.note_tweet.entities, t.entities).hashtags).tag "
            "FROM v2_tw"
        ).fetchall()
    ]
    _map_table(con, "v2_tagmap", {k: normalise_hashtag(k or "") for k in raw_tags})
    authors = [r[0] for r in con.execute("SELECT DISTINCT t.author_id FROM v2_tw").fetchall()]
    _map_table(con, "v2_authors", {a: store.pseudonym("twitter", a) for a in authors})
    keep_names = not store.pseudonymise
    users = (
        "(SELECT DISTINCT ON (u.id) u.id, u.username "
        "FROM (SELECT unnest(includes.users) u FROM v2_pages))"
        if keep_names
        else "(SELECT NULL::VARCHAR AS id, NULL::VARCHAR AS username)"
    )
    con.execute("""
        CREATE OR REPLACE TEMP TABLE v2_tags AS
        SELECT rk, list(m.v ORDER BY o) AS l
        FROM (SELECT rk, unnest(h).tag AS tag, generate_subscripts(h, 1) AS o
              FROM (SELECT rk, coalesce(t.note_tweet.entities, t.entities).hashtags AS h
                    FROM v2_tw))
        JOIN v2_tagmap m ON m.k = tag
        WHERE m.v IS NOT NULL
        GROUP BY rk
    """)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE v2_rows AS
        SELECT 'twitter' AS platform, t.id AS id,
               CASE WHEN {keep_names} THEN 'https://twitter.com/' || coalesce(u.username, 'i/web')
                    ELSE 'https://twitter.com/i/web' END || '/status/' || t.id AS url,
               a.v AS author, CASE WHEN {keep_names} THEN u.username END AS author_name,
               try_strptime(t.created_at, ['%Y-%m-%dT%H:%M:%S.%gZ', '%Y-%m-%dT%H:%M:%SZ'])
                   AS created_at,
               t.lang AS lang,
               replace(replace(replace(coalesce(t.note_tweet.text, t.text),
                   '&lt;', '<'), '&gt;', '>'), '&amp;', '&') AS text,
               coalesce(list_filter(g.l, lambda x, i: list_position(g.l, x) = i), [])
                   AS hashtags,
               coalesce(list_filter(list_transform(
                   coalesce(t.note_tweet.entities, t.entities).mentions, lambda m: m.username),
                   lambda x: x IS NOT NULL AND x <> ''), []) AS mentions,
               coalesce(list_transform(coalesce(t.note_tweet.entities, t.entities).urls,
                   lambda x: coalesce(nullif(x.unwound_url, ''), nullif(x.expanded_url, ''),
                                      x.url, '')), []) AS urls,
               re AS reply_to, qt AS quote_of, rt AS repost_of,
               nullif(json_merge_patch('{{}}', to_json(json_transform(
                   t.public_metrics, '{_METRICS_SHAPE}')))::VARCHAR, '{{}}')
                   AS metrics,
               'twitter_v2' AS format, ? AS source_file, lineno AS source_line,
               {bool(synthetic)} AS synthetic, lineno, pos, sub
        FROM v2_tw
        LEFT JOIN v2_tags g USING (rk)
        LEFT JOIN v2_authors a ON a.k = t.author_id
        LEFT JOIN {users} u ON u.id = t.author_id
    """,
        [source.name],
    )
    if con.execute("SELECT count(*) FROM v2_rows WHERE created_at IS NULL").fetchone()[0]:
        raise NotBulkable("unexpected created_at shape")
    counts = BatchCounts()
    post_cols = (
        "platform, id, url, author, author_name, created_at, lang, text, hashtags, "
        "mentions, urls, reply_to, quote_of, metrics, format, source_file, source_line, synthetic"
    )
    for table, cols, cond in (
        ("posts", post_cols, "repost_of IS NULL"),
        (
            "reposts",
            "platform, id, repost_of, author, created_at, format, source_file, source_line",
            "repost_of IS NOT NULL",
        ),
    ):
        candidates, unique, skipped = con.execute(
            f"SELECT count(*), count(DISTINCT id), count(DISTINCT id) FILTER "
            f"(WHERE {forgotten_sql('r', table)}) FROM v2_rows r WHERE {cond}"
        ).fetchone()
        # first occurrence wins, as in the streaming path (sorting only when there are repeats)
        first = (
            "QUALIFY row_number() OVER (PARTITION BY id ORDER BY lineno, pos, sub) = 1"
            if unique < candidates
            else ""
        )
        inserted = con.execute(
            f"INSERT INTO {table} SELECT {cols} FROM v2_rows r WHERE {cond} "
            f"AND NOT {forgotten_sql('r', table)} "
            f"AND NOT {exists_sql('r', table, 'v2_rows')} {first}"
        ).fetchone()[0]
        if table == "posts":
            counts.stored += inserted
        else:
            counts.reposts += inserted
        counts.duplicates += candidates - inserted
        counts.forgotten += skipped
    for name in ("v2_tagmap", "v2_authors"):
        con.unregister(name)
    con.execute("DROP TABLE v2_tw; DROP TABLE v2_rows; DROP TABLE v2_tags")
    return read, counts
