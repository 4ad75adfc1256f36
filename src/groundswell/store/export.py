"""Export posts in the schema (jsonl, csv, parquet), authors pseudonymised and text masked, with
each post's latest classification when the store has one."""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path
from typing import IO, Any

import duckdb
import orjson

from groundswell.care.mask import MENTION, mask_spaced_emails, mask_text
from groundswell.care.names import NameMasker
from groundswell.care.pseudonym import pseudonymise_ids
from groundswell.errors import InputError, StoreError
from groundswell.store.db import Store
from groundswell.store.files import refuse_store_files

# CSV cells a spreadsheet would run as a formula (OWASP CSV injection) get a leading "'": a
# trigger (= + - @ tab CR, or their full-width forms, which Excel reads so in East Asian
# locales) first, or after leading characters a spreadsheet may trim or not show: any space,
# control or format character (Unicode Z*, Cc, Cf: \x0b, U+2003, U+200B, U+2028, U+FEFF ...)
_INVISIBLE = ("Zs", "Zl", "Zp", "Cc", "Cf")
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
# the latest classification of each post (CODEBOOK sections 1 and 2); testimony details only
# where the act is a testimony, as the codebook asks them only of testimonies
LABEL_COLUMNS = ("act", "act_probability", "harm", "relation", "setting", "minor_at_time")
_LATEST_LABELS = """
    SELECT a.platform, a.id, a.act, (a.scores::JSON ->> a.act)::DOUBLE AS act_probability,
           CASE WHEN a.act = 'testimony' THEN t.harm END AS harm,
           CASE WHEN a.act = 'testimony' THEN t.relation END AS relation,
           CASE WHEN a.act = 'testimony' THEN t.setting END AS setting,
           CASE WHEN a.act = 'testimony' THEN t.minor_at_time END AS minor_at_time
    FROM acts a LEFT JOIN testimony t USING (platform, id, model, version)
    QUALIFY row_number() OVER (PARTITION BY a.platform, a.id
                               ORDER BY a.classified_at DESC NULLS LAST, a.version DESC,
                                        a.model DESC) = 1
"""
_NO_LABELS = (
    "NULL::VARCHAR, NULL::DOUBLE, NULL::VARCHAR[], NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR"
)


def export_posts(store: Store, to: str, out: str | os.PathLike, *, labels: bool = True) -> int:
    """Write every post (and repost edge) to ``out``; returns the number of rows written.

    Authors are the store's pseudonyms; @handles in text and mentions become keyed pseudonyms too
    (of the handle, so not linkable to the author pseudonym); author identifiers inside post ids
    and links (Bluesky DIDs, fediverse user names) are pseudonymised; private persons' names
    (``care.names``), emails, phones and addresses in text, the post's link and its ``urls``
    are masked (``mailto:``, ``tel:``, an e-mail in a query); the pseudonymisation key
    is never written. CSV cells that a spreadsheet would run as a formula are prefixed with
    ``'``. With ``labels`` and a classified store, each post carries its latest classification
    (``LABEL_COLUMNS``). Parquet keeps ``created_at`` a UTC timestamp; CSV and JSONL write it
    as ISO-8601 text. ``out`` is written
    as ``output_path`` says (a regular file replaced whole, a symbolic link written through, a
    FIFO or device written directly). Raises InputError when ``out`` is the store, its
    write-ahead log or its key, StoreError naming ``out`` when it cannot be written.
    """
    if to not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {to!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    refuse_store_files(store.path, out)
    con = store.con
    register_cleaners(store)
    labelled = labels and is_classified(store)
    query = _posts_query(typed_time=to == "parquet", labelled=labelled)
    columns = EXPORT_COLUMNS + (LABEL_COLUMNS if labelled else ())
    rel = con.sql(query)
    if to == "parquet":
        with output_path(out) as path:
            rel.write_parquet(str(path), compression="zstd")
    elif to == "csv":
        lists = (*_LISTS, "harm")
        cells = ", ".join(
            c
            if c in ("synthetic", "act_probability")
            else csv_cell(c, f"array_to_json({c})::VARCHAR" if c in lists else c)
            for c in columns
        )
        with output_path(out) as path:
            con.sql(f"SELECT {cells} FROM ({query})").write_csv(str(path))
    else:
        n = 0
        with open_output(out, "wb") as fh:
            reader = rel.to_arrow_reader(50_000)
            for batch in reader:
                for row in batch.to_pylist():
                    if row["metrics"]:
                        row["metrics"] = orjson.loads(row["metrics"])
                    fh.write(orjson.dumps(row) + b"\n")
                    n += 1
        return n
    return con.execute(f"SELECT count(*) FROM ({query})").fetchall()[0][0]


def is_classified(store: Store) -> bool:
    """Whether the classifier has written any row into the store."""
    con = store.con
    have = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_name IN ('acts', 'testimony')"
        ).fetchall()
    }
    if have != {"acts", "testimony"}:
        return False
    return con.execute("SELECT count(*) FROM (SELECT 1 FROM acts LIMIT 1)").fetchall()[0][0] > 0


def _posts_query(*, typed_time: bool, labelled: bool) -> str:
    """The export's SELECT: posts then reposts, cleaned by the ``gs_clean_*`` functions."""

    def when(alias: str) -> str:
        if typed_time:  # naive UTC in the store: a UTC-adjusted timestamp in Parquet
            return f"timezone('UTC', {alias}.created_at)"
        return f"strftime({alias}.created_at, '%Y-%m-%dT%H:%M:%SZ')"

    label_cols = ", ".join(f"l.{c}" for c in LABEL_COLUMNS)
    return f"""
        SELECT p.platform, gs_clean_id(p.platform, p.id) AS id,
               gs_clean_url(p.platform, p.url) AS url, p.author, {when("p")} AS created_at,
               p.lang, gs_clean_text(p.platform, p.text) AS text, p.hashtags,
               gs_clean_mentions(p.platform, p.mentions) AS mentions,
               list_transform(p.urls, lambda u: gs_clean_url(p.platform, u)) AS urls,
               gs_clean_id(p.platform, p.reply_to) AS reply_to,
               gs_clean_id(p.platform, p.quote_of) AS quote_of, NULL::VARCHAR AS repost_of,
               p.metrics, p.synthetic{", " + label_cols if labelled else ""}
        FROM posts p
        {f"LEFT JOIN ({_LATEST_LABELS}) l USING (platform, id)" if labelled else ""}
        UNION ALL
        SELECT r.platform, gs_clean_id(r.platform, r.id), NULL, r.author,
               {when("r")}, NULL, NULL, [], [], [], NULL, NULL,
               gs_clean_id(r.platform, r.repost_of), NULL, false
               {", " + _NO_LABELS if labelled else ""}
        FROM reposts r
        ORDER BY created_at NULLS LAST, platform, id
    """


def register_cleaners(store: Store) -> None:
    """Register the care functions exports run inside DuckDB on the store's connection:
    ``gs_clean_id(platform, value)``, ``gs_clean_url(platform, link)``,
    ``gs_clean_text(platform, text)`` and ``gs_clean_mentions(platform, handles)``, each
    pseudonymising as the store is set to; links and text are masked whatever the setting."""
    con = store.con
    if _has_function(con, "gs_clean_text"):
        return
    pseudo = store.pseudonym
    names = NameMasker.for_store(con)

    def clean_text(platform: str, text: str) -> str:
        text = names.mask(text or "")  # private persons' names, whatever the id setting
        if store.pseudonymise:  # handles first: a fediverse @user@host is no email to mask,
            # but "jane @example.com" is one, not a handle beside a word
            text = mask_spaced_emails(text)
            text = MENTION.sub(lambda m: "@" + pseudo(platform, m.group(1).lower()), text)
            text = pseudonymise_ids(mask_text(text), platform, pseudo)
            return text
        return mask_text(text)

    def clean_mentions(platform: str, handles: list[str]) -> list[str]:
        if not store.pseudonymise:
            return handles
        return [pseudo(platform, h.lstrip("@").lower()) for h in handles or ()]

    def clean_id(platform: str, value: str | None) -> str | None:
        return pseudonymise_ids(value, platform, pseudo)

    def clean_url(platform: str, value: str | None) -> str | None:
        # a link carries what text does: mailto:, tel:, ?email=jane%40example.org
        return pseudonymise_ids(mask_text(value), platform, pseudo) if value else value

    con.create_function(
        "gs_clean_id", clean_id, ["VARCHAR", "VARCHAR"], "VARCHAR", side_effects=False
    )
    con.create_function(
        "gs_clean_url", clean_url, ["VARCHAR", "VARCHAR"], "VARCHAR", side_effects=False
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


@cache
def formula_start() -> str:
    """The pattern of a cell a spreadsheet runs as a formula, read alike by Python and DuckDB
    (RE2): ``_INVISIBLE`` characters, then a trigger. Built once, from this Python's Unicode
    tables (ranges of literal characters; ``\\xNN`` below U+0100, as both read it)."""

    def char(code: int) -> str:
        return f"\\x{code:02x}" if code < 0x100 else chr(code)

    # planes 0, 1 and 14 (tags): the others hold ideographs, private use or nothing
    planes = (*range(0x20000), *range(0xE0000, 0xF0000))
    codes = [c for c in planes if unicodedata.category(chr(c)) in _INVISIBLE]
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    leading = "".join(char(a) if a == b else f"{char(a)}-{char(b)}" for a, b in ranges)
    return f"^[{leading}]*[=+@\\t\\r\uff1d\uff0b\uff20\uff0d-]"


def csv_cell(name: str, expr: str) -> str:
    """A text column as a CSV cell that no spreadsheet runs as a formula."""
    quote = "''"  # one ' in a SQL string literal
    return (
        f"CASE WHEN regexp_matches({expr}, '{formula_start()}') THEN '{quote}' || {expr} "
        f"ELSE {expr} END AS {name}"
    )


def csv_cell_values(cell: str) -> list[str]:
    """The values a CSV cell written through ``csv_cell`` may stand for: the cell itself and,
    when it is a neutralised formula (``'=...``), the value without the added ``'``."""
    if cell.startswith("'") and re.match(formula_start(), cell[1:]):
        return [cell, cell[1:]]
    return [cell]


def _has_function(con, name: str) -> bool:
    rows = con.execute(
        "SELECT count(*) FROM duckdb_functions() WHERE function_name = ?", [name]
    ).fetchall()
    return bool(rows[0][0])


# -- writing a command's --out ----------------------------------------------------------------
# Every file a command writes (export, report, the label sample) goes through ``open_output`` or
# ``output_path``: a regular file (or a new one) is written beside itself and renamed over, so a
# failed write leaves the old file whole and no half file behind; a symbolic link is written
# through to its target, never replaced; a FIFO or a device (``/dev/stdout``, a named pipe) is
# written directly, as ``cat > FILE`` would; and any failure is one StoreError naming the file.


def _cannot_write(out: str | os.PathLike, exc: BaseException) -> StoreError:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return StoreError(f"{os.fspath(out)}: cannot write: {reason}")


def _output_target(out: str | os.PathLike) -> tuple[Path, os.stat_result | None]:
    """Where ``out`` really is (symbolic links followed) and its status, None when it does not
    exist yet; its folder is made when missing. Raises OSError."""
    with suppress(FileNotFoundError):
        st = os.stat(out)
        if not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
            # a FIFO, a device or a pipe: ``/dev/stdout`` piped on is a /proc link to
            # ``pipe:[N]``, which no real path names, so it is opened through its own name
            return Path(out), st
    target = Path(os.path.realpath(out))
    try:
        st = target.stat()
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        return target, None
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(out))
    return target, st


def _temp_beside(target: Path) -> Path:
    """A new empty file in ``target``'s folder, to be renamed over it."""
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        reason = f"cannot make a file in {target.parent} ({exc.strerror or exc})"
        raise OSError(exc.errno, reason) from exc
    os.close(fd)
    return Path(name)


def _mode_for(st: os.stat_result | None) -> int:
    """The permissions the written file gets: those of the file it replaces, else the usual
    ones for a new file (0666 less the umask)."""
    if st is not None:
        return stat.S_IMODE(st.st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def output_path(out: str | os.PathLike) -> Iterator[Path]:
    """A path for a writer that wants one (DuckDB's COPY) to write ``out``'s content to; when the
    block ends it is renamed over ``out``'s target, or, for a FIFO or a device, copied into it.
    Raises StoreError (exit code 3) naming ``out`` when any of it fails; nothing is left behind."""
    tmp: Path | None = None
    spool: str | None = None
    try:
        target, st = _output_target(out)
        if st is not None and not stat.S_ISREG(st.st_mode):
            spool = tempfile.mkdtemp(prefix="groundswell-out-")
            tmp = Path(spool) / target.name
            yield tmp
            with open(tmp, "rb") as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        else:
            tmp = _temp_beside(target)
            yield tmp
            os.chmod(tmp, _mode_for(st))  # the writer may have made the file anew
            os.replace(tmp, target)
            tmp = None
    except (OSError, duckdb.IOException) as exc:
        raise _cannot_write(out, exc) from exc
    finally:
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)
        elif tmp is not None:
            tmp.unlink(missing_ok=True)


@contextmanager
def open_output(out: str | os.PathLike, mode: str = "w", **kw: Any) -> Iterator[IO[Any]]:
    """``out`` open for writing (``mode`` "w" or "wb", ``kw`` as ``open`` takes them), put in
    place as ``output_path`` says; a FIFO or a device is opened and written directly."""
    try:
        target, st = _output_target(out)
    except OSError as exc:
        raise _cannot_write(out, exc) from exc
    if st is not None and not stat.S_ISREG(st.st_mode):
        try:
            with open(target, mode, **kw) as fh:
                yield fh
        except OSError as exc:
            raise _cannot_write(out, exc) from exc
        return
    with output_path(out) as path, open(path, mode, **kw) as fh:
        yield fh
