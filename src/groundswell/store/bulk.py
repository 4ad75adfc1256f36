"""DuckDB-native bulk loading for the highest-volume format, twarc2 v2 JSONL pages.

DuckDB parses the file straight into typed structs (in C++, on every core) and the mapping to the
post schema is SQL; only per-distinct-value work (hashtag normalisation, author pseudonyms) runs in
Python. It is used only when it gives exactly what the Python reader gives: a plain file in which
every line is a page of tweets with ids and text, and no blank lines. Anything else (bad JSON or
UTF-8, other line shapes, a time that is not Twitter's UTC shape, a field of another JSON type
than the reader takes as it is, NaN, Infinity or 1e999 where text belongs, compressed input)
raises ``NotBulkable`` with nothing written, and the caller falls back to the streaming reader for
that file, which quarantines per record.

The fields the reader reads as text are read as JSON (``_TEXT``): DuckDB would write any value
into a VARCHAR (``{"a":1}``, ``93.0``, ``true`` as text), so each is checked to be a JSON string
(the first character of its JSON is a quote) before ``_str`` takes its value.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from groundswell.ingest.source import MAX_LINE_BYTES, Source
from groundswell.ingest.twitter_v2 import METRICS
from groundswell.schema import normalise_hashtag
from groundswell.store.db import (
    BatchCounts,
    Store,
    exists_sql,
    forgotten_author_sql,
    forgotten_sql,
)

MIN_BULK_BYTES = 4 * 1024 * 1024  # below this the streaming reader is as fast

_TEXT = "JSON"  # a field the reader reads as text: its JSON, checked to be a string (``_is_str``)
_ENTITIES = (
    f"STRUCT(hashtags STRUCT(tag {_TEXT})[], mentions STRUCT(username {_TEXT})[], "
    f"urls STRUCT(url {_TEXT}, expanded_url {_TEXT}, unwound_url {_TEXT})[])"
)
_TWEET = (
    f"STRUCT(id {_TEXT}, text {_TEXT}, author_id {_TEXT}, created_at VARCHAR, lang {_TEXT}, "
    f"entities {_ENTITIES}, note_tweet STRUCT(text {_TEXT}, entities {_ENTITIES}), "
    f"referenced_tweets STRUCT(type {_TEXT}, id {_TEXT})[], public_metrics JSON)"
)
# read whether the store keeps handles or not: the store refuses a post whose handle is no string
# (``db.malformed``) even when it keeps none
_USERS = f"users STRUCT(id {_TEXT}, username {_TEXT})[]"
_COLUMNS = f"{{data: '{_TWEET}[]', includes: 'STRUCT({_USERS}, tweets {_TWEET}[])'}}"
_METRICS_SHAPE = "{" + ", ".join(f'"{k}": "BIGINT"' for k in METRICS) + "}"


def _str(field: str) -> str:
    """SQL: the text of a ``_TEXT`` field (a JSON string, or a whole number for an id)."""
    return f"({field} ->> '$')"


def _is_str(field: str) -> str:
    """SQL: whether a ``_TEXT`` field is a JSON string or absent (null). Any other type (a
    number, a boolean, an object, a list, NaN and Infinity, which DuckDB's parser takes) the
    reader reads otherwise: as null, or it quarantines the tweet for it."""
    return f"coalesce(prefix({field}, '\"'), true)"


def _is_word(field: str) -> str:
    """SQL: whether a ``_TEXT`` field is a JSON string that is not empty (an author id or the
    id of a referenced tweet: the reader passes over an empty one, or keys on it as it is)."""
    return f"coalesce(prefix({field}, '\"') AND {field} <> '\"\"', false)"


def _any(items: str, var: str, cond: str) -> str:
    """SQL: whether any item ``var`` of a list meets ``cond``."""
    return f"coalesce(list_bool_or(list_transform({items}, lambda {var}: {cond})), false)"


def _odd_entities(e: str) -> str:
    """SQL: whether a tweet's hashtags, mentions or links hold a value the reader reads
    otherwise: a text field of another type, or a link that is null (the reader passes over
    it; the SQL below would keep an empty link)."""
    return " OR ".join(
        (
            _any(f"{e}.hashtags", "h", f"NOT {_is_str('h.tag')}"),
            _any(f"{e}.mentions", "m", f"NOT {_is_str('m.username')}"),
            _any(
                f"{e}.urls",
                "u",
                f"u IS NULL OR NOT ({_is_str('u.url')} AND {_is_str('u.expanded_url')} AND "
                f"{_is_str('u.unwound_url')})",
            ),
        )
    )


# a tweet whose metrics ``schema.metric`` would not take as they are (a value that is not a whole
# number from 0 to 2**63 - 1, metrics that are not an object): the streaming reader reads the file
_ODD_METRICS = (
    "t.public_metrics IS NOT NULL AND (json_type(t.public_metrics) <> 'OBJECT' OR NOT "
    "list_bool_and(list_transform([{keys}], lambda k: "
    "coalesce(json_type(t.public_metrics, '$.' || k), 'NULL') = 'NULL' OR "
    "(json_type(t.public_metrics, '$.' || k) = 'UBIGINT' AND "
    "try_cast(json_extract_string(t.public_metrics, '$.' || k) AS BIGINT) IS NOT NULL))))"
).format(keys=", ".join(f"'{k}'" for k in METRICS))

# a tweet (of ``data`` or ``includes.tweets``) that the reader reads otherwise than the SQL of
# ``_insert`` would: the streaming reader reads the file
_ODD_TWEET = " OR ".join(
    (
        *(f"NOT {_is_str(f't.{f}')}" for f in ("text", "lang", "note_tweet.text")),
        # an author id the reader keys on as it is (an empty one it reads as no author)
        f"(t.author_id IS NOT NULL AND NOT {_is_word('t.author_id')})",
        # a long-form part without text and no text: the reader keeps the tweet with an empty
        # text, the SQL passes over it; long-form entities DuckDB reads as it reads {} (which the
        # reader passes over for the tweet's own) and as {"x": 1} (which it keeps)
        "(t.text IS NULL AND t.note_tweet IS NOT NULL AND t.note_tweet.text IS NULL)",
        "(t.note_tweet.entities IS NOT NULL AND t.note_tweet.entities.hashtags IS NULL AND "
        "t.note_tweet.entities.mentions IS NULL AND t.note_tweet.entities.urls IS NULL)",
        _odd_entities("t.entities"),
        _odd_entities("t.note_tweet.entities"),
        # a reference that is null (the reader quarantines the tweet), with an id that is no
        # string (a key as it is), empty or no tweet id (the reader quarantines
        # the tweet), or a type of another type; two
        # retweeted references (the reader may pair the last id with the first one's original)
        _any(
            "t.referenced_tweets",
            "r",
            f"r IS NULL OR NOT {_is_word('r.id')} OR NOT {_is_str('r.type')} OR NOT "
            f"regexp_full_match({_str('r.id')}, '0*[0-9]{{1,20}}')",
        ),
        f"len(list_filter(t.referenced_tweets, lambda r: {_str('r.type')} = 'retweeted')) > 1",
        _ODD_METRICS,
    )
)
# a page's tweet the reader quarantines or stores otherwise: no id, author or text, an id that
# is no tweet id (``fields.tweet_id``: digits, 20 at most after leading zeros, no spaces around;
# a whole number not below zero) or that ``schema.id_text`` passes over ("" or 0)
_ODD_DATA = (
    "t.id IS NULL OR t.author_id IS NULL OR coalesce(t.note_tweet.text, t.text) IS NULL OR NOT "
    f"(({_is_word('t.id')} AND regexp_full_match({_str('t.id')}, '0*[0-9]{{1,20}}')) OR "
    "(json_type(t.id) = 'UBIGINT' AND t.id <> '0')) OR " + _ODD_TWEET
)
# an included tweet is looked up by its id as it is, so only a string id is the same key
_ODD_INCLUDED = f"NOT {_is_str('t.id')} OR {_ODD_TWEET}"
# a user the reader keys on by its id as it is, or whose handle the store would refuse
_ODD_USER = f"u IS NOT NULL AND NOT ({_is_str('u.id')} AND {_is_str('u.username')})"


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
                f"columns={_COLUMNS}, maximum_object_size={MAX_LINE_BYTES})",
                [path],
            )
            pages, bad = con.execute(
                "SELECT count(*), count(*) FILTER (WHERE data IS NULL OR len(data) = 0 OR "
                f"{_any('data', 't', _ODD_DATA)} OR {_any('includes.tweets', 't', _ODD_INCLUDED)} "
                f"OR {_any('includes.users', 'u', _ODD_USER)}) FROM v2_pages"
            ).fetchone()
        except duckdb.Error as exc:
            raise NotBulkable(str(exc)) from exc
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


def _map_table(con: duckdb.DuckDBPyConnection, name: str, pairs: dict[Any, str | None]) -> None:
    """Register ``pairs`` as a table of text ``k`` to text ``v`` (typed even when empty)."""
    keys, values = pa.array(list(pairs), pa.string()), pa.array(list(pairs.values()), pa.string())
    con.register(name, pa.table({"k": keys, "v": values}))


def _insert(store: Store, source: Source, synthetic: bool) -> tuple[int, BatchCounts]:
    con = store.con

    def ref(refs: str, kind: str) -> str:  # the id of the last reference of a kind, as text
        return _str(f"list_filter({refs}, lambda r: {_str('r.type')} = '{kind}')[-1].id")

    # one row per record the streaming reader would yield, with its order of appearance:
    # the retweeted original (from the same page's includes) just before its retweet
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE v2_tw AS
        WITH t AS (
            SELECT lineno, generate_subscripts(data, 1) AS pos, unnest(data) AS t FROM v2_pages),
        refs AS (
            SELECT lineno, pos, t, {ref("t.referenced_tweets", "retweeted")} AS rt,
                   {ref("t.referenced_tweets", "replied_to")} AS re,
                   {ref("t.referenced_tweets", "quoted")} AS qt
            FROM t),
        inc AS (  -- one included tweet per id and page, the last listed (as a dict lookup)
            SELECT DISTINCT ON (lineno, id) lineno, id, t FROM (
                SELECT lineno, {_str("t.id")} AS id, t, o FROM (
                    SELECT lineno, unnest(includes.tweets) AS t,
                           generate_subscripts(includes.tweets, 1) AS o FROM v2_pages))
            ORDER BY lineno, id, o DESC)
        SELECT row_number() OVER () AS rk, {_str("t.id")} AS tid,
               {_str("t.author_id")} AS aid, * FROM (
        SELECT lineno, pos, 1 AS sub, t, rt, re, qt FROM refs
        UNION ALL
        SELECT r.lineno, r.pos, 0, i.t, NULL, {ref("i.t.referenced_tweets", "replied_to")},
               {ref("i.t.referenced_tweets", "quoted")}
        FROM refs r
        JOIN inc i ON i.lineno = r.lineno AND i.id = r.rt
        WHERE r.rt IS NOT NULL AND coalesce(i.t.note_tweet.text, i.t.text) IS NOT NULL)
    """)
    read = con.execute("SELECT count(*) FROM v2_tw").fetchone()[0]
    raw_tags = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT {_str('h.tag')} FROM (SELECT "
            "unnest(coalesce(t.note_tweet.entities, t.entities).hashtags) AS h FROM v2_tw)"
        ).fetchall()
    ]
    _map_table(con, "v2_tagmap", {k: normalise_hashtag(k or "") for k in raw_tags})
    authors = [r[0] for r in con.execute("SELECT DISTINCT aid FROM v2_tw").fetchall()]
    _map_table(con, "v2_authors", {a: store.pseudonym("twitter", a) for a in authors})
    keep_names = not store.pseudonymise
    # a page's users by id, the last listed (as the reader's dict of them): their handles are
    # kept only as keys (``author_handle_key``) unless the store keeps names
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE v2_users AS
        SELECT DISTINCT ON (lineno, id) lineno, id, username FROM (SELECT lineno,
            {_str("u.id")} AS id, {_str("u.username")} AS username, o FROM (SELECT lineno,
            unnest(includes.users) AS u, generate_subscripts(includes.users, 1) AS o
            FROM v2_pages))
        ORDER BY lineno, id, o DESC
    """)
    handles = [r[0] for r in con.execute("SELECT DISTINCT username FROM v2_users").fetchall()]
    _map_table(con, "v2_handles", store.forget_hash.handles(handles))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE v2_tags AS
        SELECT rk, list(m.v ORDER BY o) AS l
        FROM (SELECT rk, {_str("x.tag")} AS tag, o
              FROM (SELECT rk, unnest(h) AS x, generate_subscripts(h, 1) AS o
                    FROM (SELECT rk, coalesce(t.note_tweet.entities, t.entities).hashtags AS h
                          FROM v2_tw)))
        JOIN v2_tagmap m ON m.k = tag
        WHERE m.v IS NOT NULL
        GROUP BY rk
    """)
    entities = "coalesce(t.note_tweet.entities, t.entities)"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE v2_rows AS
        SELECT 'twitter' AS platform, tid AS id,
               CASE WHEN {keep_names}
                    THEN 'https://twitter.com/' || coalesce(nullif(u.username, ''), 'i/web')
                    ELSE 'https://twitter.com/i/web' END || '/status/' || tid AS url,
               a.v AS author, CASE WHEN {keep_names} THEN u.username END AS author_name,
               try_strptime(t.created_at, ['%Y-%m-%dT%H:%M:%S.%gZ', '%Y-%m-%dT%H:%M:%SZ'])
                   AS created_at,
               {_str("t.lang")} AS lang,
               -- the reader's ``note_tweet.text or text or ""``
               replace(replace(replace(coalesce(nullif({_str("t.note_tweet.text")}, ''),
                   nullif({_str("t.text")}, ''), ''),
                   '&lt;', '<'), '&gt;', '>'), '&amp;', '&') AS text,
               coalesce(list_filter(g.l, lambda x, i: list_position(g.l, x) = i), [])
                   AS hashtags,
               coalesce(list_filter(list_transform({entities}.mentions,
                   lambda m: {_str("m.username")}),
                   lambda x: x IS NOT NULL AND x <> ''), []) AS mentions,
               coalesce(list_transform({entities}.urls,
                   lambda x: coalesce(nullif({_str("x.unwound_url")}, ''),
                                      nullif({_str("x.expanded_url")}, ''),
                                      {_str("x.url")}, '')), []) AS urls,
               re AS reply_to, qt AS quote_of, rt AS repost_of,
               nullif(json_merge_patch('{{}}', to_json(json_transform(
                   t.public_metrics, '{_METRICS_SHAPE}')))::VARCHAR, '{{}}')
                   AS metrics,
               'twitter_v2' AS format, ? AS source_file, v2_tw.lineno AS source_line,
               {bool(synthetic)} AS synthetic, h.v AS author_handle_key,
               v2_tw.lineno AS lineno, pos, sub
        FROM v2_tw
        LEFT JOIN v2_tags g USING (rk)
        LEFT JOIN v2_authors a ON a.k = aid
        LEFT JOIN v2_users u ON u.lineno = v2_tw.lineno AND u.id = aid
        LEFT JOIN v2_handles h ON h.k = u.username
    """,
        [source.name],
    )
    if con.execute("SELECT count(*) FROM v2_rows WHERE created_at IS NULL").fetchone()[0]:
        raise NotBulkable("unexpected created_at shape")
    counts = BatchCounts()
    post_cols = (
        "platform, id, url, author, author_name, created_at, lang, text, hashtags, "
        "mentions, urls, reply_to, quote_of, metrics, format, source_file, source_line, synthetic, "
        "author_handle_key"
    )
    for table, cols, cond in (
        ("posts", post_cols, "repost_of IS NULL"),
        (
            "reposts",
            "platform, id, repost_of, author, created_at, format, source_file, source_line, "
            "author_handle_key",
            "repost_of IS NOT NULL",
        ),
    ):
        candidates, unique, skipped = con.execute(
            f"SELECT count(*), count(DISTINCT id), count(DISTINCT id) FILTER "
            f"(WHERE {forgotten_sql('r', table, by_handle=True)}) FROM v2_rows r WHERE {cond}"
        ).fetchone()
        # first occurrence wins, as in the streaming path (sorting only when there are repeats)
        first = (
            "QUALIFY row_number() OVER (PARTITION BY id ORDER BY lineno, pos, sub) = 1"
            if unique < candidates
            else ""
        )
        inserted = con.execute(
            f"INSERT INTO {table} SELECT {cols} FROM v2_rows r WHERE {cond} "
            f"AND NOT {forgotten_sql('r', table, by_handle=True)} "
            f"AND NOT {exists_sql('r', table, 'v2_rows')} {first}"
        ).fetchone()[0]
        if table == "posts" and skipped:  # reposts of them, here and later, stay out too
            store.forget_dropped_posts(
                r[0]
                for r in con.execute(
                    f"SELECT DISTINCT r.id FROM v2_rows r WHERE {cond} "
                    f"AND ({forgotten_author_sql('r', by_handle=True)})"
                ).fetchall()
            )
        if table == "posts":
            counts.stored += inserted
        else:
            counts.reposts += inserted
        counts.duplicates += candidates - inserted
        counts.forgotten += skipped
    for name in ("v2_tagmap", "v2_authors", "v2_handles"):
        con.unregister(name)
    con.execute("DROP TABLE v2_tw; DROP TABLE v2_rows; DROP TABLE v2_tags; DROP TABLE v2_users")
    return read, counts
