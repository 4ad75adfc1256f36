"""twint output: its JSON lines and its CSV (comma-separated until 2020, tab-separated after, in a
``.csv`` all the same), in both generations (web-page scraping, then Twitter's API).

The fixtures are hand-written in twint's exact shapes; expected values are read from the raw
files with the json/csv modules by the test itself.
"""

from __future__ import annotations

import ast
import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from groundswell.cli import main
from groundswell.ingest import iter_records
from groundswell.ingest.registry import detect, load_readers
from groundswell.ingest.source import Source
from groundswell.schema import Post, Quarantined
from groundswell.store import Store, ingest
from gspaths import FIXTURES, fixtures_claimed_by, json_lines

JSON = FIXTURES / "twint" / "tweets.json"  # API era (October 2020 on): local times, escaped text
PAGES_CSV = FIXTURES / "twint" / "tweets.csv"  # web-page era: epoch milliseconds, commas
TAB_CSV = FIXTURES / "twint" / "tweets_tab.csv"  # API era CSV: tabs, in a .csv


def _csv_rows(path: Path, dialect: str) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, dialect=dialect))


def _snowflake_utc(tid: int | str) -> datetime:
    return datetime.fromtimestamp(((int(tid) >> 22) + 1288834974657) // 1000, UTC)


def _rows(store: Store, table: str) -> dict[str, dict]:
    cur = store.con.execute(f"SELECT * FROM {table}")
    names = [d[0] for d in cur.description]
    return {row[names.index("id")]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def _unescaped(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# -- JSON, API era --------------------------------------------------------------------------------
def test_api_era_json_records():
    raw = json_lines(JSON)
    plain, reply, retweet, quote, bad_id, cut, late = raw
    assert cut is None and bad_id is not None and bad_id["id"] == "91980x"
    records = list(iter_records([JSON]))
    assert all(r.format == "twint" for r in records)
    assert [
        (type(r).__name__, getattr(r, "id", None), getattr(r, "repost_of", None), _line(r))
        for r in records
    ] == [
        ("Post", str(plain["id"]), None, 1),
        ("Post", str(reply["id"]), None, 2),
        ("Post", retweet["retweet_id"], None, 3),  # the original, from user_rt / user_rt_id
        ("Post", str(retweet["id"]), retweet["retweet_id"], 3),  # the retweet: a repost
        ("Post", str(quote["id"]), None, 4),
        ("Quarantined", None, None, 5),  # its id is no number
        ("Quarantined", None, None, 6),  # a line cut short
        ("Post", str(late["id"]), None, 7),  # read after both
    ]
    first, answer, original, repost, quoting, bad, broken, last = records
    assert "tweet without an id" in bad.reason and "91980x" in bad.reason
    assert "invalid JSON" in broken.reason

    # a plain post: every field
    assert "&amp;" in plain["tweet"] and first.text == _unescaped(plain["tweet"])
    assert plain["created_at"].endswith(" CEST") and plain["timezone"] == "+0100"
    # 08:12:03 CEST is 06:12:03 UTC: the id's own time says so (the timezone column, the
    # machine's offset when scraping in winter, would be an hour off)
    assert (
        first.created_at
        == _snowflake_utc(plain["id"])
        == datetime(2017, 10, 16, 6, 12, 3, tzinfo=UTC)
    )
    assert (first.author, first.author_name) == (str(plain["user_id"]), plain["username"])
    assert first.url == plain["link"] and first.lang == plain["language"]
    assert first.hashtags == ["#" + h.lower() for h in plain["hashtags"]]
    assert first.mentions == [m["screen_name"] for m in plain["mentions"]]
    assert first.urls == plain["urls"]
    assert first.metrics == {
        "reply_count": plain["replies_count"],
        "retweet_count": plain["retweets_count"],
        "like_count": plain["likes_count"],
    }
    assert (first.reply_to, first.quote_of, first.repost_of) == (None, None, None)

    # a reply: twint names the accounts it answers, not the tweet
    assert reply["conversation_id"] == str(plain["id"]) != str(reply["id"])
    assert answer.mentions == [u["screen_name"] for u in reply["reply_to"]]
    assert answer.reply_to is None

    # a retweet: the repost, and the original rebuilt from the row's retweet columns
    assert retweet["retweet"] is True and retweet["tweet"].startswith("RT @rivermarsh: ")
    assert original.text == _unescaped(retweet["user_rt"])
    assert original.author == retweet["user_rt_id"] == first.author
    assert original.author_name == "rivermarsh"
    assert original.created_at == first.created_at  # retweet_date, a CEST time, in UTC
    assert (repost.author, repost.created_at) == (
        str(retweet["user_id"]),
        _snowflake_utc(retweet["id"]),
    )

    # a quote: the quoted id from quote_url
    assert quoting.quote_of == quote["quote_url"].rsplit("/", 1)[1]
    assert quoting.hashtags == ["#metoo"]  # "#metoo's" normalised

    # a time that names UTC outright
    assert last.created_at == datetime.fromisoformat(late["created_at"].replace(" UTC", "+00:00"))
    assert last.text == late["tweet"]


def _line(record: Post | Quarantined) -> int:
    return record.line if isinstance(record, Quarantined) else record.source_line


def test_api_era_json_in_store(store):
    report = ingest([JSON], store, progress=False)
    # 8 records: 4 new posts, the rebuilt original (a copy of line 1), 1 repost, 2 quarantined
    assert (report.read, report.stored, report.duplicates, report.reposts) == (8, 4, 1, 1)
    assert report.quarantined == 2 and report.balanced
    raw = json_lines(JSON)
    reposts = _rows(store, "reposts")
    assert reposts[str(raw[2]["id"])]["repost_of"] == raw[2]["retweet_id"]
    quarantined = store.con.execute("SELECT line, format FROM quarantine ORDER BY line").fetchall()
    assert quarantined == [(5, "twint"), (6, "twint")]


# -- CSV, web-page era (commas, epoch milliseconds) -----------------------------------------------
def test_page_era_csv_records():
    raw = _csv_rows(PAGES_CSV, "excel")
    plain, reply, shown_rt, quote, short_row, after = raw
    assert short_row["tweet"] is None  # the row cut short has no tweet column
    records = list(iter_records([PAGES_CSV]))
    assert [
        (type(r).__name__, getattr(r, "id", None), getattr(r, "repost_of", None), _line(r))
        for r in records
    ] == [
        ("Post", plain["id"], None, 2),
        ("Post", reply["id"], None, 3),
        ("Post", shown_rt["id"], None, 4),  # the row is the original tweet ...
        ("Post", shown_rt["retweet_id"], shown_rt["id"], 4),  # ... that user_rt retweeted
        ("Post", quote["id"], None, 5),
        ("Quarantined", None, None, 6),  # a row cut short
        ("Post", after["id"], None, 7),
    ]
    first, answer, original, repost, quoting, short, last = records
    assert "fields" in short.reason
    assert first.text == plain["tweet"]  # scraped from the page: no escaping to undo
    assert first.created_at == datetime.fromtimestamp(int(plain["created_at"]) / 1000, UTC)
    assert first.author == plain["user_id"]
    assert first.hashtags == [h.lower() for h in ast.literal_eval(plain["hashtags"])]
    assert first.mentions == ast.literal_eval(plain["mentions"])
    assert first.metrics["like_count"] == int(plain["likes_count"])
    # the reply's author is the first account of its reply_to list: not a mention of itself
    answered = [u["username"] for u in ast.literal_eval(reply["reply_to"])]
    assert answered[0] == reply["username"] and answer.mentions == answered[1:]
    assert shown_rt["retweet"] == "True" and original.author == shown_rt["user_id"]
    assert (repost.author, repost.author_name) == (shown_rt["user_rt_id"], shown_rt["user_rt"])
    assert repost.created_at == _snowflake_utc(shown_rt["retweet_id"])
    assert original.urls == ast.literal_eval(shown_rt["urls"])
    assert quoting.quote_of == quote["quote_url"].rsplit("/", 1)[1]
    assert last.text == after["tweet"]


# -- CSV, API era (tabs in a .csv) ----------------------------------------------------------------
def test_tab_separated_csv_reads_as_its_json():
    raw = _csv_rows(TAB_CSV, "excel-tab")
    assert TAB_CSV.suffix == ".csv" and "\t" in TAB_CSV.read_text(encoding="utf-8").split("\n")[0]
    records = list(iter_records([TAB_CSV]))
    bad = [r for r in records if isinstance(r, Quarantined)]
    assert [(q.line, "is not a time" in q.reason) for q in bad] == [(4, True)]
    assert raw[2]["created_at"] == "2017-10-99 25:61:00 CEST"
    by_json = {
        (p.source_line, p.id, p.repost_of): p for p in iter_records([JSON]) if isinstance(p, Post)
    }
    posts = [r for r in records if isinstance(r, Post)]
    assert [p.source_line for p in posts] == [2, 3, 3, 5]  # the row after the bad one is read
    json_line = {2: 1, 3: 3, 5: 4}  # the same tweets' lines in the JSON fixture
    fields = ("text", "created_at", "author", "hashtags", "mentions", "urls", "metrics", "url")
    for post in posts:
        twin = by_json[(json_line[post.source_line], post.id, post.repost_of)]
        assert [getattr(post, f) for f in fields] == [getattr(twin, f) for f in fields]


# -- times ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("created_at", "timezone"),
    [
        ("2017-10-16 06:12:03 UTC", "+0100"),  # a zone that names its offset
        ("2017-10-16 08:12:03 +0200", ""),
        ("2017-10-16 01:12:03 EST", ""),  # a name: the id's own time gives the offset
        ("2017-10-16 08:12:03", "+0100"),  # no zone at all: the same
    ],
)
def test_local_times_are_made_utc(tmp_path, created_at, timezone):
    record = json_lines(JSON)[0]
    record.update(created_at=created_at, timezone=timezone)
    path = tmp_path / "t.json"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (post,) = iter_records([path])
    assert post.created_at == _snowflake_utc(record["id"])


def test_an_old_id_falls_back_to_the_timezone_column(tmp_path):
    record = json_lines(JSON)[0]
    record.update(id=20000000000, created_at="2010-10-16 08:12:03 CEST", timezone="+0200")
    path = tmp_path / "t.json"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (post,) = iter_records([path])
    assert post.created_at == datetime(2010, 10, 16, 6, 12, 3, tzinfo=UTC)
    record["timezone"] = "CEST"  # no offset anywhere: quarantined, not guessed
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (bad,) = iter_records([path])
    assert isinstance(bad, Quarantined) and "no UTC offset" in bad.reason


@pytest.mark.parametrize("value", [True, [2017], {"t": 1}, "yesterday", 10**30])
def test_a_created_at_that_is_no_time_is_quarantined(tmp_path, value):
    lines = JSON.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    record["created_at"] = value
    path = tmp_path / "t.json"
    path.write_text("\n".join([json.dumps(record), lines[1]]) + "\n", encoding="utf-8")
    bad, good = iter_records([path])
    assert isinstance(bad, Quarantined) and bad.line == 1
    assert isinstance(good, Post) and good.source_line == 2


# -- detection ------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [JSON, PAGES_CSV, TAB_CSV], ids=lambda p: p.name)
def test_the_cli_detects_twint(tmp_path, capsys, path):
    assert main(["ingest", str(path), "--db", str(tmp_path / "s.duckdb"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["by_format"] == {"twint": report["read"]} and report["read"] > 0
    assert report["balanced"] and report["skipped_files"] == []


def test_twint_claims_no_other_fixture():
    others, claimed = fixtures_claimed_by("twint", ("twint", "snscrape"))
    assert others and claimed == []


def test_a_twint_users_file_is_not_taken_for_tweets(tmp_path):
    """twint writes users.json beside tweets.json: no posts, and not claimed as tweets."""
    user = {"id": 811100000000000001, "name": "River Marsh", "username": "rivermarsh", "bio": ""}
    path = tmp_path / "users.json"
    path.write_text(json.dumps(user) + "\n", encoding="utf-8")
    reader = detect(Source(path), load_readers())
    assert reader is None or reader.name != "twint"
