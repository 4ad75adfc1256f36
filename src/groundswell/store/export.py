"""Export posts in the schema (jsonl, csv, parquet), authors pseudonymised and text masked."""

from __future__ import annotations

import os
import re
from pathlib import Path

import orjson

from groundswell.care.mask import mask_text
from groundswell.care.pseudonym import pseudonymise_ids
from groundswell.errors import InputError
from groundswell.store.db import Store
from groundswell.store.files import refuse_store_files

# a whole @handle: dotted and hyphenated names, domain handles (@jane-doe.bsky.social) and
# fediverse addresses (@user@instance.example), without a sentence's trailing dot or hyphen
_PART = r"\w(?:[\w.-]*\w)?"
_MENTION = re.compile(rf"(?<![\w@])@({_PART}(?:@{_PART})?)")
# CSV cells a spreadsheet would run as a formula (OWASP CSV injection) get a leading "'"
_FORMULA_START = "^[=+@\\t\\r-]"
_LISTS = ("hashtags", "mentions", "urls")
EXPORT_FORMATS = ("jsonl", "csv", "parquet")
EXPORT_COLUMNS = (
    "platform",
    "id",
    "url",
    "author",
    "created_at",
    "lang",
    "text",
    "hashtags",
    "mentions",
    "urls",
    "reply_to",
    "quote_of",
    "repost_of",
    "metrics",
    "synthetic",
)


def export_posts(store: Store, to: str, out: str | os.PathLike) -> int:
    """Write every post (and repost edge) to ``out``; returns the number of rows written.

    Authors are the store's pseudonyms; @handles in text and mentions become keyed pseudonyms too
    (of the handle, so not linkable to the author pseudonym); author identifiers inside post ids
    and links (Bluesky DIDs, fediverse user names) are pseudonymised; emails, phones and
    addresses in text are masked; the pseudonymisation key is never written. CSV cells that a
    spreadsheet would run as a formula are prefixed with ``'``. Raises InputError when ``out``
    is the store, its write-ahead log or its key.
    """
    if to not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {to!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    refuse_store_files(store.path, out)
    con = store.con
    pseudo = store.pseudonym

    def clean_text(platform: str, text: str) -> str:
        if store.pseudonymise:  # handles first: a fediverse @user@host is no email to mask
            text = _MENTION.sub(lambda m: "@" + pseudo(platform, m.group(1).lower()), text or "")
            text = pseudonymise_ids(mask_text(text), platform, pseudo)
            return text
        return mask_text(text)

    def clean_mentions(platform: str, handles: list[str]) -> list[str]:
        if not store.pseudonymise:
            return handles
        return [pseudo(platform, h.lstrip("@").lower()) for h in handles or ()]

    def clean_id(platform: str, value: str | None) -> str | None:
        return pseudonymise_ids(value, platform, pseudo)

    if not _has_function(con, "gs_clean_text"):
        con.create_function(
            "gs_clean_id", clean_id, ["VARCHAR", "VARCHAR"], "VARCHAR", side_effects=False
        )
        con.create_function(
            "gs_clean_text", clean_text, ["VARCHAR", "VARCHAR"], "VARCHAR", side_effects=False
        )
        con.create_function(
            "gs_clean_mentions",
            clean_mentions,
            ["VARCHAR", "VARCHAR[]"],
            "VARCHAR[]",
            side_effects=False,
        )
    query = """
        SELECT platform, gs_clean_id(platform, id) AS id, gs_clean_id(platform, url) AS url,
               author, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at,
               lang, gs_clean_text(platform, text) AS text, hashtags,
               gs_clean_mentions(platform, mentions) AS mentions,
               list_transform(urls, lambda u: gs_clean_id(platform, u)) AS urls,
               gs_clean_id(platform, reply_to) AS reply_to,
               gs_clean_id(platform, quote_of) AS quote_of, NULL::VARCHAR AS repost_of,
               metrics, synthetic
        FROM posts
        UNION ALL
        SELECT r.platform, gs_clean_id(r.platform, r.id), NULL, r.author,
               strftime(r.created_at, '%Y-%m-%dT%H:%M:%SZ'), NULL, NULL, [], [], [], NULL, NULL,
               gs_clean_id(r.platform, r.repost_of), NULL, false
        FROM reposts r
        ORDER BY created_at NULLS LAST, platform, id
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rel = con.sql(query)
    if to == "parquet":
        rel.write_parquet(str(out), compression="zstd")
    elif to == "csv":
        cells = ", ".join(
            _csv_cell(c, f"array_to_json({c})::VARCHAR" if c in _LISTS else c)
            for c in EXPORT_COLUMNS
            if c != "synthetic"
        )
        con.sql(f"SELECT {cells}, synthetic FROM ({query})").write_csv(str(out))
    else:
        n = 0
        with open(out, "wb") as fh:
            reader = rel.to_arrow_reader(50_000)
            for batch in reader:
                for row in batch.to_pylist():
                    if row["metrics"]:
                        row["metrics"] = orjson.loads(row["metrics"])
                    fh.write(orjson.dumps(row) + b"\n")
                    n += 1
        return n
    return con.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]


def _csv_cell(name: str, expr: str) -> str:
    """A text column as a CSV cell that no spreadsheet runs as a formula."""
    quote = "''"  # one ' in a SQL string literal
    return (
        f"CASE WHEN regexp_matches({expr}, '{_FORMULA_START}') THEN '{quote}' || {expr} "
        f"ELSE {expr} END AS {name}"
    )


def _has_function(con, name: str) -> bool:
    rows = con.execute(
        "SELECT count(*) FROM duckdb_functions() WHERE function_name = ?", [name]
    ).fetchall()
    return bool(rows[0][0])
