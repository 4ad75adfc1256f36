"""DocNow Hydrator's CSV export: its current columns (v0.3.0: ``user_id``, ``quote_id``, a
retweet's text the original's) and those it wrote until July 2020 (``reweet_id``, the author by
handle only, ``in_reply_to_status_id`` printed from a JavaScript number).

The fixtures are hand-written in the shape the Hydrator's CSV writer (csv-write-stream) gives;
expected values are read from the raw files with the csv module by the test itself.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from groundswell.cli import main
from groundswell.ingest import iter_records
from groundswell.ingest.docnow_csv import _printed_from_a_double
from groundswell.schema import Post, Quarantined
from groundswell.store import Store, ingest
from gspaths import FIXTURES, fixtures_claimed_by

CURRENT = FIXTURES / "hydrator" / "metoo-hydrated.csv"  # v0.3.0 (August 2021 on)
OLD = FIXTURES / "hydrator" / "hydrated-2020.csv"  # v0.0.12 and before (to July 2020)


def _raw(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _v11(value: str) -> datetime:
    return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)


def _snowflake_utc(tid: str) -> datetime:
    return datetime.fromtimestamp(((int(tid) >> 22) + 1288834974657) / 1000, UTC)


def _line(rec: Post | Quarantined) -> int:
    return rec.source_line if isinstance(rec, Post) else rec.line


def _rows(store: Store, table: str) -> dict[str, dict]:
    cur = store.con.execute(f"SELECT * FROM {table}")
    names = [d[0] for d in cur.description]
    return {row[names.index("id")]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def test_current_export_records():
    plain, reply, retweet, quote, bad, last = _raw(CURRENT)
    records = list(iter_records([CURRENT]))
    assert all(r.format == "hydrator" for r in records)
    # rows 1 and 3 hold a text of two lines: rows start on lines 2, 4, 5, 7, 8 and 9
    assert [
        (type(r).__name__, getattr(r, "id", None), getattr(r, "repost_of", None), _line(r))
        for r in records
    ] == [
        ("Post", plain["id"], None, 2),
        ("Post", reply["id"], None, 4),
        ("Post", retweet["retweet_id"], None, 5),  # the original, from the retweet's text
        ("Post", retweet["id"], retweet["retweet_id"], 5),  # the retweet: a repost
        ("Post", quote["id"], None, 7),
        ("Quarantined", None, None, 8),  # a spreadsheet turned its id into a float
        ("Post", last["id"], None, 9),  # read after it
    ]
    first, answer, original, repost, quoting, broken, after = records
    assert bad["id"] == "9.19854E+17" and "not a whole number" in broken.reason

    # a plain tweet: every field
    assert "&amp;" in plain["text"] and "\n" in plain["text"]
    assert first.text == plain["text"].replace("&amp;", "&")  # v1.1's escaping undone
    assert first.created_at == _v11(plain["created_at"])
    assert (first.author, first.author_name) == (plain["user_id"], plain["user_screen_name"])
    assert first.url == plain["tweet_url"] and first.lang == plain["lang"]
    assert first.hashtags == ["#" + h.lower() for h in plain["hashtags"].split(" ")]
    assert first.urls == plain["urls"].split(" ") and first.mentions == []
    assert first.metrics == {
        "like_count": int(plain["favorite_count"]),
        "retweet_count": int(plain["retweet_count"]),
    }
    assert (first.reply_to, first.quote_of, first.repost_of) == (None, None, None)

    # a reply: the tweet and the account it answers (the mention read from the text)
    assert answer.reply_to == reply["in_reply_to_status_id"] == plain["id"]
    assert answer.mentions == [reply["in_reply_to_screen_name"]]
    assert answer.hashtags == ["#metoo", "#believesurvivors"]

    # a retweet: its text is the original's whole text, so the original is stored too
    assert retweet["text"] == plain["text"]
    assert (original.text, original.author_name) == (first.text, retweet["retweet_screen_name"])
    assert original.author is None  # the Hydrator names the original's author by handle only
    assert original.created_at == _snowflake_utc(retweet["retweet_id"]) == first.created_at
    assert original.metrics == {}  # the row's counts are the retweet's (no likes)
    assert (repost.author, repost.created_at) == (retweet["user_id"], _v11(retweet["created_at"]))

    # a quote
    assert quoting.quote_of == quote["quote_id"] and quoting.reply_to is None
    assert quoting.urls == [quote["urls"]]

    assert after.mentions == ["anareyes_writes"] and after.lang == "es"
    assert after.hashtags == ["#yotambién", "#metoo"]


def test_current_export_in_store(store):
    report = ingest([CURRENT], store)
    # 7 records: 4 posts, the rebuilt original again (a duplicate), 1 repost, 1 quarantined
    assert (report.read, report.stored, report.duplicates, report.reposts, report.quarantined) == (
        7,
        4,
        1,
        1,
        1,
    )
    assert report.balanced
    raw = _raw(CURRENT)
    posts, reposts = _rows(store, "posts"), _rows(store, "reposts")
    assert reposts[raw[2]["id"]]["repost_of"] == raw[0]["id"]
    assert posts[raw[0]["id"]]["metrics"] is not None  # the row itself won over its rebuilt copy
    raw_authors = {r["user_id"] for r in raw}
    assert all(p["author"].startswith("u_") for p in posts.values())
    assert not raw_authors & {p["author"] for p in posts.values()}
    ((name, line, reason),) = store.con.execute(
        "SELECT source_file, line, reason FROM quarantine"
    ).fetchall()
    assert name.endswith(CURRENT.name) and line == 8 and "9.19854E+17" in reason


def test_export_before_july_2020():
    """``reweet_id``, no ``user_id`` (the header names ``user_screen_name`` twice), a retweet's
    own ``RT @user:`` text, and a reply's id printed from a JavaScript number."""
    with open(OLD, newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header.count("user_screen_name") == 2 and "user_id" not in header
    plain, reply, retweet = _raw(OLD)
    first, answer, repost = records = list(iter_records([OLD]))
    assert all(isinstance(r, Post) and r.format == "hydrator" for r in records)
    assert (first.author, first.author_name) == (None, plain["user_screen_name"])
    # 919808133952441233 became 919808133952441200: an id no tweet has, so it is left out
    assert reply["in_reply_to_status_id"].endswith("00")
    assert answer.reply_to is None and answer.mentions == [reply["in_reply_to_screen_name"]]
    # the retweet's own text, cut at 140 characters in general: no original is rebuilt from it
    assert retweet["text"].startswith(f"RT @{retweet['retweet_screen_name']}: ")
    assert repost.repost_of == retweet["reweet_id"]


@pytest.mark.parametrize(
    ("path", "reply_id", "kept"),
    [
        (OLD, "919808133952441200", False),  # how JavaScript prints 919808133952441233
        (OLD, "919808133952441233", True),  # not how JavaScript prints a number: exact
        (OLD, "8001", True),  # within 53 bits: exact either way
        (CURRENT, "919808133952441200", True),  # v0.2.0 on wrote the id's own text
    ],
    ids=["old-rounded", "old-exact", "old-small", "current"],
)
def test_only_a_rounded_reply_id_is_left_out(tmp_path, path, reply_id, kept):
    reply = next(r for r in _raw(path) if r["in_reply_to_status_id"])
    changed = tmp_path / path.name
    cell = f",{reply['in_reply_to_status_id']},"
    changed.write_text(path.read_text("utf-8").replace(cell, f",{reply_id},"), encoding="utf-8")
    (answer,) = [r for r in iter_records([changed]) if getattr(r, "id", None) == reply["id"]]
    assert answer.reply_to == (reply_id if kept else None)


def test_printed_from_a_double():
    assert _printed_from_a_double("919808133952441200")
    assert not _printed_from_a_double("919808133952441233")
    assert not _printed_from_a_double(str(2**53))


@pytest.mark.parametrize(
    ("column", "value", "why"),
    [
        ("retweet_id", "9.19669E+17", "retweet_id"),
        ("created_at", "16/10/2017 21:02", "is not a time"),
    ],
)
def test_a_damaged_cell_quarantines_its_row_only(tmp_path, column, value, why):
    rows = _raw(CURRENT)
    rows[3][column] = value  # the quote
    path = tmp_path / "hydrated.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    records = list(iter_records([path]))
    bad = [r for r in records if isinstance(r, Quarantined)]
    assert [(q.line, why in q.reason) for q in bad] == [(7, True), (8, False)]
    assert rows[5]["id"] in {r.id for r in records if isinstance(r, Post)}


@pytest.mark.parametrize("path", [CURRENT, OLD], ids=lambda p: p.name)
def test_the_cli_detects_the_hydrator(tmp_path, capsys, path):
    assert main(["ingest", str(path), "--db", str(tmp_path / "s.duckdb"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["by_format"] == {"hydrator": report["read"]} and report["read"] > 0
    assert report["balanced"] and report["skipped_files"] == []


def test_the_hydrator_claims_no_other_fixture():
    others, claimed = fixtures_claimed_by("hydrator", ("hydrator",))
    assert others and claimed == []
