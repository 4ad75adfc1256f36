"""twarc 1's ``json2csv.py``: its columns since May 2018 (``tweet_type``, ``retweet_or_quote_id``,
a retweet's text the original's since June 2020), those of November 2017 to May 2018
(``reweet_or_quote_id``) and those of October 2017 (``reweet_id``, no ``tweet_type``).

The fixture is hand-written in the shape json2csv's csv.writer gives; the older variants are
made from it by the tests, and expected values are read from the raw files with the csv module.
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
from groundswell.schema import Post, Quarantined
from groundswell.store import Store, ingest
from gspaths import FIXTURES, fixtures_claimed_by

TABLE = FIXTURES / "json2csv" / "metoo-tweets.csv"
# json2csv's columns from 5 to 30 October 2017: ``id`` first, retweets only in ``reweet_id``
OCTOBER_2017 = [
    "id",
    "tweet_url",
    "created_at",
    "user_screen_name",
    "text",
    "coordinates",
    "hashtags",
    "media",
    "urls",
    "favorite_count",
    "in_reply_to_screen_name",
    "in_reply_to_status_id",
    "in_reply_to_user_id",
    "lang",
    "place",
    "possibly_sensitive",
    "retweet_count",
    "reweet_id",
    "retweet_screen_name",
    "source",
    "user_id",
    "user_created_at",
    "user_default_profile_image",
    "user_description",
    "user_favourites_count",
    "user_followers_count",
    "user_friends_count",
    "user_listed_count",
    "user_location",
    "user_name",
    "user_statuses_count",
    "user_time_zone",
    "user_urls",
    "user_verified",
]


def _raw(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    return path


def _v11(value: str) -> datetime:
    return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)


def _line(rec: Post | Quarantined) -> int:
    return rec.source_line if isinstance(rec, Post) else rec.line


def _rows(store: Store, table: str) -> dict[str, dict]:
    cur = store.con.execute(f"SELECT * FROM {table}")
    names = [d[0] for d in cur.description]
    return {row[names.index("id")]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def test_table_records():
    plain, reply, retweet, quote, bad, reply_quoting = raw = _raw(TABLE)
    assert [r["tweet_type"] for r in raw] == [
        "original",
        "reply",
        "retweet",
        "quote",
        "original",
        "reply",
    ]
    records = list(iter_records([TABLE]))
    assert all(r.format == "twarc_json2csv" for r in records)
    assert [
        (type(r).__name__, getattr(r, "id", None), getattr(r, "repost_of", None), _line(r))
        for r in records
    ] == [
        ("Post", plain["id"], None, 2),  # its text spans lines 2 and 3
        ("Post", reply["id"], None, 4),
        ("Post", retweet["retweet_or_quote_id"], None, 5),  # the original, from the row
        ("Post", retweet["id"], retweet["retweet_or_quote_id"], 5),  # the retweet: a repost
        ("Post", quote["id"], None, 7),
        ("Quarantined", None, None, 8),  # its created_at is no time
        ("Post", reply_quoting["id"], None, 9),
    ]
    first, answer, original, repost, quoting, broken, last = records
    assert bad["created_at"] == "not a date" and "is not a time" in broken.reason

    assert first.text == plain["text"].replace("&amp;", "&") and "\n" in first.text
    assert first.created_at == _v11(plain["created_at"])
    assert first.created_at == datetime.fromisoformat(plain["parsed_created_at"])
    assert (first.author, first.author_name) == (plain["user_id"], plain["user_screen_name"])
    assert (first.url, first.lang) == (plain["tweet_url"], plain["lang"])
    assert first.hashtags == ["#metoo"] and first.urls == [] and first.mentions == []
    assert first.metrics == {
        "like_count": int(plain["favorite_count"]),
        "retweet_count": int(plain["retweet_count"]),
    }

    assert answer.reply_to == reply["in_reply_to_status_id"] == plain["id"]
    assert answer.mentions == [reply["in_reply_to_screen_name"]] and answer.quote_of is None

    # the retweet's text is the original's whole text (json2csv since June 2020): the original
    # is stored with its author's id, timed by its own id
    assert retweet["text"] == plain["text"]
    assert (original.text, original.author, original.author_name) == (
        first.text,
        retweet["retweet_or_quote_user_id"],
        retweet["retweet_or_quote_screen_name"],
    )
    assert original.created_at == first.created_at and original.metrics == {}
    assert (repost.author, repost.created_at) == (retweet["user_id"], _v11(retweet["created_at"]))

    assert quoting.quote_of == quote["retweet_or_quote_id"] and quoting.repost_of is None
    assert quoting.hashtags == ["#" + h.lower() for h in quote["hashtags"].split(" ")]
    assert quoting.urls == [quote["urls"]]

    # a reply that quotes is typed "reply" and keeps both links
    assert (last.reply_to, last.quote_of) == (
        reply_quoting["in_reply_to_status_id"],
        reply_quoting["retweet_or_quote_id"],
    )
    assert last.mentions == ["anareyes_writes", "lenaspeaks"]


def test_table_in_store(store):
    report = ingest([TABLE], store)
    assert (report.read, report.stored, report.duplicates, report.reposts, report.quarantined) == (
        7,
        4,
        1,
        1,
        1,
    )
    assert report.balanced
    raw = _raw(TABLE)
    assert _rows(store, "reposts")[raw[2]["id"]]["repost_of"] == raw[0]["id"]
    posts = _rows(store, "posts")
    assert set(posts) == {raw[i]["id"] for i in (0, 1, 3, 5)}
    ((line, reason),) = store.con.execute("SELECT line, reason FROM quarantine").fetchall()
    assert line == 8 and "not a date" in reason


def test_columns_of_november_2017_to_may_2018(tmp_path):
    """``reweet_or_quote_id`` (a typo, fixed in May 2018), and a retweet's text its own ``RT
    @user: ...``: the retweet is a repost, and no original is made of its cut text."""
    rows = _raw(TABLE)
    header = ["reweet_or_quote_id" if c == "retweet_or_quote_id" else c for c in rows[0]]
    for row in rows:
        row["reweet_or_quote_id"] = row.pop("retweet_or_quote_id")
    rows[2]["text"] = f"RT @{rows[2]['retweet_or_quote_screen_name']}: {rows[2]['text']}"
    records = list(iter_records([_write(tmp_path / "tweets.csv", header, rows)]))
    ids = [r.id for r in records if isinstance(r, Post)]
    assert ids.count(rows[0]["id"]) == 1  # the original's own row only
    posts = {r.id: r for r in records if isinstance(r, Post)}
    assert posts[rows[2]["id"]].repost_of == rows[2]["reweet_or_quote_id"]
    assert posts[rows[3]["id"]].quote_of == rows[3]["reweet_or_quote_id"]
    assert {r.format for r in records} == {"twarc_json2csv"}


def test_columns_of_october_2017(tmp_path):
    rows = _raw(TABLE)
    for row in rows:
        retweet = row["tweet_type"] == "retweet"
        row["reweet_id"] = row["retweet_or_quote_id"] if retweet else ""
        row["retweet_screen_name"] = row["retweet_or_quote_screen_name"] if retweet else ""
    records = list(iter_records([_write(tmp_path / "tweets.csv", OCTOBER_2017, rows)]))
    assert {r.format for r in records} == {"twarc_json2csv"}
    reposts = {r.id: r.repost_of for r in records if isinstance(r, Post) and r.repost_of}
    assert reposts == {rows[2]["id"]: rows[2]["retweet_or_quote_id"]}
    quoted = [r for r in records if isinstance(r, Post) and r.id == rows[3]["id"]]
    assert quoted[0].quote_of is None  # those columns named no quoted tweet


def test_a_retweet_without_its_original_is_quarantined(tmp_path):
    rows = _raw(TABLE)
    rows[2]["retweet_or_quote_id"] = ""
    records = list(iter_records([_write(tmp_path / "tweets.csv", list(rows[0]), rows)]))
    bad = [(r.line, r.reason) for r in records if isinstance(r, Quarantined)]
    assert [line for line, _ in bad] == [5, 8] and "original" in bad[0][1]


def test_the_cli_detects_json2csv(tmp_path, capsys):
    assert main(["ingest", str(TABLE), "--db", str(tmp_path / "s.duckdb"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["by_format"] == {"twarc_json2csv": report["read"]} and report["read"] > 0
    assert report["balanced"] and report["skipped_files"] == []


def test_json2csv_claims_no_other_fixture():
    others, claimed = fixtures_claimed_by("twarc_json2csv", ("json2csv",))
    assert others and claimed == []


@pytest.mark.parametrize("other", ["hydrator/metoo-hydrated.csv", "json2csv/metoo-tweets.csv"])
def test_one_account_one_author_across_the_docnow_tables(tmp_path, other):
    """Authors are keyed by the account's numeric id, as in the JSON readers: the same account
    gets the same pseudonym from either table and from its v1.1 tweets."""
    path = FIXTURES / other
    account = _raw(path)[1]["user_id"]  # the reply's author
    v1 = tmp_path / "tweet.jsonl"
    tweet = {
        "id_str": "919900000000000001",
        "created_at": "Mon Oct 16 12:00:00 +0000 2017",
        "text": "One more #MeToo",
        "user": {"id_str": account, "screen_name": "someone"},
    }
    v1.write_text(json.dumps(tweet) + "\n", encoding="utf-8")
    with Store(tmp_path / "s.duckdb") as store:
        ingest([path, v1], store)
        authors = dict(store.con.execute("SELECT id, author FROM posts").fetchall())
    assert authors["919900000000000001"] == authors[_raw(path)[1]["id"]]
