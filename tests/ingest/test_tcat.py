"""DMI-TCAT's export of a bin's tweets, CSV (here with the mentions and hashtags options) and TSV,
and a CSV dump of a bin's ``_tweets`` table.

The fixtures are hand-written in the shape TCAT's PHP writer gives (a byte-order mark, fputcsv
quoting); the table dump is made from the CSV by the test. Expected values are read from the raw
files with the csv module by the test itself.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from groundswell.cli import main
from groundswell.ingest import iter_records
from groundswell.ingest.fields import mentions_in_text
from groundswell.ingest.registry import detect, load_readers
from groundswell.ingest.source import sources_from_path
from groundswell.schema import Post, Quarantined
from groundswell.store import Store, ingest
from gspaths import FIXTURES, fixtures_claimed_by

FOLDER = FIXTURES / "tcat"
CSV = FOLDER / "metoo-20171016-fullExport-mentions_hashtags.csv"
TSV = FOLDER / "metoo-20171017-fullExport.tsv"


def _raw(path: Path) -> list[dict[str, str]]:
    dialect = "excel-tab" if path.suffix == ".tsv" else "excel"
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh, dialect=dialect))


def _utc(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _line(rec: Post | Quarantined) -> int:
    return rec.source_line if isinstance(rec, Post) else rec.line


def _kinds(records: list) -> list[tuple]:
    return [
        (type(r).__name__, getattr(r, "id", None), getattr(r, "repost_of", None), _line(r))
        for r in records
    ]


def _rows(store: Store, table: str) -> dict[str, dict]:
    cur = store.con.execute(f"SELECT * FROM {table}")
    names = [d[0] for d in cur.description]
    return {row[names.index("id")]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def test_csv_export_records():
    assert CSV.read_bytes().startswith(b"\xef\xbb\xbf")
    plain, reply, retweet, quote, cut, last = raw = _raw(CSV)
    assert cut["from_user_id"] is None  # the line ends after its sixth field
    records = list(iter_records([CSV]))
    assert all(r.format == "tcat" for r in records)
    assert _kinds(records) == [
        ("Post", plain["id"], None, 2),
        ("Post", reply["id"], None, 3),
        ("Post", retweet["id"], "unknown", 4),  # the export names no retweet's original
        ("Post", quote["id"], None, 5),
        ("Quarantined", None, None, 6),
        ("Post", last["id"], None, 7),
    ]
    first, answer, repost, quoting, short, after = records
    assert "fields" in short.reason

    # a plain tweet: every field; TCAT has decoded the text's entities already
    assert first.text == plain["text"] and " & " in first.text
    assert first.created_at == _utc(plain["created_at"])
    assert first.created_at.timestamp() == int(plain["time"])
    assert (first.author, first.author_name) == (plain["from_user_id"], plain["from_user_name"])
    assert first.url == f"https://twitter.com/{plain['from_user_name']}/status/{plain['id']}"
    assert first.lang == plain["lang"] and first.mentions == []
    assert first.hashtags == ["#" + h.lower() for h in plain["hashtags"].split("; ")]
    assert first.metrics == {
        "retweet_count": int(plain["retweet_count"]),
        "like_count": int(plain["favorite_count"]),
    }

    assert answer.reply_to == reply["in_reply_to_status_id"] == plain["id"]
    assert answer.mentions == reply["mentions"].split("; ") == [reply["to_user_name"]]

    assert retweet["text"] == f"RT @{plain['from_user_name']}: {plain['text']}"
    assert (repost.author, repost.created_at) == (
        retweet["from_user_id"],
        _utc(retweet["created_at"]),
    )

    assert quoting.quote_of == quote["quoted_status_id"] == plain["id"]
    assert quoting.reply_to is None
    assert after.mentions == [last["mentions"]] and after.text == last["text"]
    assert len(raw) == 6


def test_tsv_export_records():
    plain, reply, retweet, quote, bad, last = _raw(TSV)
    assert "mentions" not in plain and "hashtags" not in plain
    records = list(iter_records([TSV]))
    assert _kinds(records) == [
        ("Post", plain["id"], None, 2),
        ("Post", reply["id"], None, 3),
        ("Post", retweet["id"], "unknown", 4),
        ("Post", quote["id"], None, 5),
        ("Quarantined", None, None, 6),  # its created_at is no time
        ("Post", last["id"], None, 7),
    ]
    first, answer, _, quoting, broken, after = records
    assert bad["created_at"] == "2017-13-45 99:00:00" and "is not a time" in broken.reason
    assert answer.text == reply["text"] and '"I believe you."' in answer.text
    assert answer.reply_to == plain["id"] and quoting.quote_of == plain["id"]
    # without a mentions column, the mentions come from the text
    assert after.mentions == ["jo_advocacy"] and after.hashtags == ["#metoo", "#yotambién"]
    assert first.created_at.timestamp() == int(plain["time"])


def test_exports_in_store(store):
    report = ingest([CSV, TSV], store)
    assert (report.read, report.stored, report.reposts, report.quarantined) == (12, 8, 2, 2)
    assert report.balanced and report.by_format == {"tcat": 12}
    reposts = _rows(store, "reposts")
    assert {r["repost_of"] for r in reposts.values()} == {"unknown"}
    lines = store.con.execute("SELECT source_file, line FROM quarantine ORDER BY 1").fetchall()
    assert [(Path(f).suffix, line) for f, line in lines] == [(".csv", 6), (".tsv", 6)]
    raw_authors = {r["from_user_id"] for r in _raw(CSV) + _raw(TSV)}
    assert not raw_authors & {p["author"] for p in _rows(store, "posts").values()}


def _table_dump(tmp_path: Path) -> tuple[Path, list[dict[str, str]]]:
    """The CSV export's tweets as a dump of the bin's ``_tweets`` table: no ``time``, the
    database's column names, ``retweet_id`` and ``to_user_id``, the text as stored (escaped), NULL
    for an empty value. The original's own row is left out."""
    rows = [r for r in _raw(CSV) if r["from_user_id"] is not None][1:]
    header = [
        "id",
        "created_at",
        "from_user_name",
        "from_user_id",
        "from_user_realname",
        "from_user_tweetcount",
        "geo_lat",
        "geo_lng",
        "text",
        "retweet_id",
        "retweet_count",
        "favorite_count",
        "to_user_id",
        "to_user_name",
        "in_reply_to_status_id",
        "filter_level",
        "lang",
        "quoted_status_id",
    ]
    original = rows[0]["in_reply_to_status_id"]
    for row in rows:
        row["text"] = row["text"].replace("&", "&amp;")
        row["retweet_id"] = original if row["text"].startswith("RT @") else ""
        row.update(geo_lat=row["lat"], geo_lng=row["lng"], to_user_id="")
    out = io.StringIO()
    writer = csv.DictWriter(out, header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows({k: v or "NULL" for k, v in row.items()} for row in rows)
    path = tmp_path / "metoo_tweets.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path, rows


def test_a_dump_of_the_tweets_table(tmp_path):
    path, rows = _table_dump(tmp_path)
    reply, retweet, quote, last = rows
    records = list(iter_records([path]))
    assert {r.format for r in records} == {"tcat"}
    original, repost = (r for r in records if r.id in (retweet["retweet_id"], retweet["id"]))
    assert repost.repost_of == retweet["retweet_id"] == original.id
    handle, _, text = retweet["text"].removeprefix("RT @").partition(": ")
    assert (original.author_name, original.author) == (handle, None)
    assert original.text == text.replace("&amp;", "&")  # the table keeps v1.1's escaping
    assert original.created_at == datetime.fromtimestamp(
        ((int(original.id) >> 22) + 1288834974657) / 1000, UTC
    )
    assert original.hashtags == ["#metoo", "#yotambién"]
    posts = {r.id: r for r in records if not r.repost_of}
    assert posts[reply["id"]].reply_to == reply["in_reply_to_status_id"]
    assert posts[quote["id"]].quote_of == quote["quoted_status_id"]
    assert posts[last["id"]].reply_to is None  # NULL names no tweet


@pytest.mark.parametrize(
    ("value", "reply_to"), [("0", None), ("NULL", None), ("\\N", None), (" 42 ", "42")]
)
def test_an_id_cell_that_names_no_tweet(tmp_path, value, reply_to):
    rows = _raw(CSV)
    rows[0]["in_reply_to_status_id"] = value
    path = tmp_path / "export.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(r for r in rows if r["from_user_id"] is not None)
    first = next(iter_records([path]))
    assert isinstance(first, Post) and first.reply_to == reply_to


def test_a_damaged_id_cell_quarantines_its_row_only(tmp_path):
    rows = [r for r in _raw(CSV) if r["from_user_id"] is not None]
    rows[1]["quoted_status_id"] = "9.19854E+17"
    path = tmp_path / "export.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    records = list(iter_records([path]))
    assert [(type(r).__name__, _line(r)) for r in records][1] == ("Quarantined", 3)
    assert "quoted_status_id" in records[1].reason and len(records) == len(rows)


@pytest.mark.parametrize("path", [CSV, TSV], ids=lambda p: p.suffix)
def test_the_cli_detects_tcat(tmp_path, capsys, path):
    assert main(["ingest", str(path), "--db", str(tmp_path / "s.duckdb"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["by_format"] == {"tcat": report["read"]} and report["read"] > 0
    assert report["balanced"] and report["skipped_files"] == []


def test_tcat_claims_no_other_fixture():
    others, claimed = fixtures_claimed_by("tcat", ("tcat",))
    assert others and claimed == []


def test_the_new_tweet_tables_take_no_shared_sample(formats_dir):
    readers = load_readers()
    claimed = [
        s.name
        for p in sorted(formats_dir.rglob("*"))
        if p.is_file()
        for s in sources_from_path(p)
        if s.skip_reason is None
        and getattr(detect(s, readers), "name", None) in ("tcat", "hydrator", "twarc_json2csv")
    ]
    assert claimed == []


def test_one_account_one_author_across_tcat_and_the_docnow_tables(tmp_path):
    """One account's posts in a TCAT export, a Hydrator export and a json2csv table share one
    pseudonym: all three name the author by the account's numeric id."""
    docnow = [
        FIXTURES / "hydrator" / "metoo-hydrated.csv",
        FIXTURES / "json2csv" / "metoo-tweets.csv",
    ]
    hers = {r["id"] for r in _raw(CSV) if r["from_user_name"] == "anareyes_writes"}
    hers |= {r["id"] for p in docnow for r in _raw(p) if r["user_screen_name"] == "anareyes_writes"}
    with Store(tmp_path / "s.duckdb") as store:
        ingest([CSV, *docnow], store)
        found = store.con.execute(
            f"SELECT format, author FROM posts WHERE id IN ({','.join('?' * len(hers))})",
            sorted(hers),
        ).fetchall()
    assert {f for f, _ in found} == {"tcat", "hydrator", "twarc_json2csv"}
    assert len({a for _, a in found}) == 1


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("@ana_1 and @Bo, cc me@example.org", ["ana_1", "Bo"]),
        ("RT @jo: hi @jo", ["jo"]),
        ("@sixteen_letters_ is too long; @ok", ["ok"]),
        ("email@x.com #tag@ x@", []),
    ],
)
def test_mentions_in_text(text, mentions):
    assert mentions_in_text(text) == mentions
