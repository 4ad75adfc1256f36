"""Export posts in the schema (jsonl, csv, parquet), authors pseudonymised and text masked."""

from __future__ import annotations

import os
from pathlib import Path

import orjson

from groundswell.care.mask import mask_text
from groundswell.errors import InputError
from groundswell.store.db import Store

EXPORT_FORMATS = ("jsonl", "csv", "parquet")
EXPORT_COLUMNS = ("platform", "id", "url", "author", "created_at", "lang", "text", "hashtags",
                  "mentions", "urls", "reply_to", "quote_of", "repost_of", "metrics", "synthetic")


def export_posts(store: Store, to: str, out: str | os.PathLike) -> int:
    """Write every post (and repost edge) to ``out``; returns the number of rows written.

    Authors are the store's pseudonyms; emails, phones and addresses in text are masked; the
    pseudonymisation key is never written.
    """
    if to not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {to!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    con = store.con
    con.create_function("gs_mask", mask_text, ["VARCHAR"], "VARCHAR", null_handling="special",
                        side_effects=False) if not _has_function(con, "gs_mask") else None
    mentions = "list_transform(mentions, m -> '@user')" if store.pseudonymise else "mentions"
    query = f"""
        SELECT platform, id, url, author, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at,
               lang, gs_mask(text) AS text, hashtags, {mentions} AS mentions, urls, reply_to,
               quote_of, NULL::VARCHAR AS repost_of, metrics, synthetic
        FROM posts
        UNION ALL
        SELECT r.platform, r.id, NULL, r.author, strftime(r.created_at, '%Y-%m-%dT%H:%M:%SZ'),
               NULL, NULL, [], [], [], NULL, NULL, r.repost_of, NULL, false
        FROM reposts r
        ORDER BY created_at NULLS LAST, platform, id
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rel = con.sql(query)
    if to == "parquet":
        rel.write_parquet(str(out), compression="zstd")
    elif to == "csv":
        con.sql(f"SELECT * REPLACE (array_to_json(hashtags)::VARCHAR AS hashtags, "
                f"array_to_json(mentions)::VARCHAR AS mentions, array_to_json(urls)::VARCHAR AS urls) "
                f"FROM ({query})").write_csv(str(out))
    else:
        n = 0
        with open(out, "wb") as fh:
            reader = rel.fetch_record_batch(50_000)
            for batch in reader:
                for row in batch.to_pylist():
                    if row["metrics"]:
                        row["metrics"] = orjson.loads(row["metrics"])
                    fh.write(orjson.dumps(row) + b"\n")
                    n += 1
        return n
    return con.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]


def _has_function(con, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_functions() WHERE function_name = ?",
                            [name]).fetchone()[0])
