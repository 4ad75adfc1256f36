"""Tweet tables: twarc-csv CSV, twitwi/minet/gazouilloire CSV and twitwi-normalised JSON.

Hand-written fixtures run everywhere; the real twitwi exports are read when ../shared is there.
Expected values are read from the raw files with the csv/json modules by the test itself.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundswell.ingest import iter_records
from groundswell.ingest.csv_rows import iter_csv_rows
from groundswell.ingest.source import Source
from groundswell.ingest.twitter_csv import TwitterCsvReader
from groundswell.schema import Post
from groundswell.store import Store, ingest
from gspaths import FIXTURES

TWARC = FIXTURES / "twitter" / "twarc_csv_sample.csv"
MINET = FIXTURES / "twitter" / "minet_sample.csv"


def _rows(store: Store, table: str = "posts") -> dict[str, dict]:
    cur = store.con.execute(f"SELECT * FROM {table}")
    names = [d[0] for d in cur.description]
    return {row[names.index("id")]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def _dict_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _epoch(value: str) -> datetime:
    return datetime.fromtimestamp(float(value), tz=UTC)


# -- twarc-csv ----------------------------------------------------------------------------------
def test_twarc_csv_fixture():
    raw = _dict_rows(TWARC)
    posts = list(iter_records([TWARC]))
    assert all(isinstance(p, Post) and p.format == "twitter_csv" for p in posts)
    assert [(p.id, p.source_line) for p in posts] == [
        (r["id"], i) for i, r in enumerate(raw, start=2)
    ]
    first, retweet, reply = posts
    # twarc-csv writes newlines as a literal \n and keeps v2's HTML escaping
    assert "\\n" in raw[0]["text"] and "&amp;" in raw[0]["text"]
    assert first.text == raw[0]["text"].replace("\\n", "\n").replace("&amp;", "&")
    assert first.created_at == datetime.fromisoformat(raw[0]["created_at"].replace("Z", "+00:00"))
    assert first.hashtags == [h.lower() for h in json.loads(raw[0]["entities.hashtags"])]
    assert (first.author, first.author_name) == (raw[0]["author_id"], raw[0]["author.username"])
    assert first.metrics["like_count"] == int(raw[0]["public_metrics.like_count"])
    assert retweet.repost_of == raw[1]["referenced_tweets.retweeted.id"]
    assert (reply.reply_to, reply.quote_of) == (
        raw[2]["referenced_tweets.replied_to.id"],
        raw[2]["referenced_tweets.quoted.id"],
    )
    assert reply.mentions == [m.lstrip("@") for m in json.loads(raw[2]["entities.mentions"])]
    assert reply.urls == json.loads(raw[2]["entities.urls"])


def test_twarc_csv_fixture_in_store(store):
    report = ingest([TWARC], store)
    assert (report.read, report.stored, report.reposts, report.quarantined) == (3, 2, 1, 0)
    assert report.balanced
    posts = _rows(store)
    raw_authors = {r["author_id"] for r in _dict_rows(TWARC)}
    assert all(
        p["author"].startswith("u_") and p["author"] not in raw_authors for p in posts.values()
    )
    assert _rows(store, "reposts")["1501000000000000002"]["repost_of"] == "1501000000000000001"


def test_bom_and_crlf_are_accepted(tmp_path):
    data = TWARC.read_bytes()
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    assert [(p.id, p.text) for p in iter_records([path])] == [
        (p.id, p.text) for p in iter_records([TWARC])
    ]


# -- twitwi / minet ---------------------------------------------------------------------------
def test_minet_fixture_multiline_rows_and_retweet():
    raw = _dict_rows(MINET)
    recs = list(iter_records([MINET]))
    assert all(isinstance(r, Post) for r in recs)
    # rows 1 and 2 span three lines each: rows start on lines 2, 5 and 8
    assert [(r.id, r.source_line, r.repost_of) for r in recs] == [
        (raw[0]["id"], 2, None),
        (raw[1]["retweeted_id"], 5, None),  # the original, rebuilt from "RT @user: <text>"
        (raw[1]["id"], 5, raw[1]["retweeted_id"]),
        (raw[2]["id"], 8, None),
    ]
    first, rebuilt, _, reply = recs
    assert first.text == raw[0]["text"] and "\n" in first.text and '"en stage"' in first.text
    assert first.created_at == _epoch(raw[0]["timestamp_utc"])
    assert first.hashtags == ["#" + h for h in raw[0]["hashtags"].split("|")]
    assert (rebuilt.text, rebuilt.created_at, rebuilt.author) == (
        first.text,
        first.created_at,
        first.author,
    )
    assert (reply.reply_to, reply.quote_of) == (raw[2]["to_tweetid"], raw[2]["quoted_id"])
    assert reply.urls == raw[2]["links"].split("|")
    assert reply.hashtags == ["#moiaussi"]


def test_minet_fixture_in_store(store):
    report = ingest([MINET], store)
    assert (report.read, report.stored, report.duplicates, report.reposts) == (4, 2, 1, 1)
    assert report.balanced


def test_bad_bytes_quarantine_only_their_row(tmp_path, store):
    lines = MINET.read_bytes().split(b"\n")  # quoted newlines are \n, row ends \r\n
    bad_row = (
        lines[7]
        .replace(b"Courage", b"Cour\xff\xfeage")
        .replace(b"920300000000000003", b"920300000000000004")
    )
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\n".join([*lines[:7], bad_row, *lines[7:]]))
    report = ingest([path], store)
    assert report.balanced and report.quarantined == 1
    ((line, reason),) = store.con.execute("SELECT line, reason FROM quarantine").fetchall()
    assert line == 8 and "UTF-8" in reason
    assert _rows(store)["920300000000000003"]["source_line"] == 9


@pytest.mark.parametrize(
    "mangled", ["9.20300000000000E+17", '92030000000"0000003', "920300000000000003x"]
)
def test_a_tweet_id_that_is_not_a_number_quarantines_its_row(tmp_path, store, mangled):
    """An id a spreadsheet wrote as a float has lost digits (it would name another tweet), and
    one with a stray byte is damaged: the row is quarantined, not stored under a wrong id."""
    data = MINET.read_bytes()
    path = tmp_path / "ids.csv"
    path.write_bytes(data.replace(b"\r\n920300000000000003,", f"\r\n{mangled},".encode()))
    report = ingest([path], store)
    assert report.balanced and report.quarantined == 1
    ((line, reason),) = store.con.execute("SELECT line, reason FROM quarantine").fetchall()
    assert line == 8 and "not a whole number" in reason
    assert set(_rows(store)) == {"920300000000000001"}


def test_oversize_field_is_quarantined_not_a_crash(tmp_path, store):
    header, *rest = MINET.read_bytes().split(b"\r\n", 1)
    huge = b'1,1508150000,,someone,"' + b"x\n" * (3 * 1024 * 1024) + b'",0,0,0,en'
    path = tmp_path / "huge.csv"
    path.write_bytes(header + b"\r\n" + huge + b"\r\n" + rest[0])
    report = ingest([path], store)
    assert report.balanced and report.quarantined == 1
    ((line, reason),) = store.con.execute("SELECT line, reason FROM quarantine").fetchall()
    assert line == 2 and "longer than" in reason
    after = 2 + 3 * 1024 * 1024 + 1  # the huge row's lines, then the fixture's rows
    assert _rows(store)["920300000000000001"]["source_line"] == after
    assert set(_rows(store)) == {"920300000000000001", "920300000000000003"}


def test_small_record_limit_applies_per_row(tmp_path):
    path = tmp_path / "rows.csv"
    long_text = "a long testimony\n" * 20
    path.write_text(
        f"id,timestamp_utc,user_screen_name,text\n1,1508150000,ana,short #MeToo\n"
        f'2,1508150001,ben,"{long_text}"\n3,1508150002,cy,also short\n',
        "utf-8",
    )
    reader = TwitterCsvReader()
    reader.max_record_bytes = 200
    recs = list(reader.read(Source(path)))
    assert [(type(r).__name__, r.source_line if isinstance(r, Post) else r.line) for r in recs] == [
        ("Post", 2),
        ("Quarantined", 3),
        ("Post", 24),
    ]  # 3 + 20 newlines + 1


_CSV_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=st.lists(_CSV_TEXT, min_size=1, max_size=6))
def test_csv_records_round_trip(tmp_path, texts):
    """Whatever text csv.writer quotes, each row comes back whole, with the line it starts on."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "timestamp_utc", "user_screen_name", "text"])
    starts = []
    for i, text in enumerate(texts):
        starts.append(out.getvalue().count("\n") + 1)
        writer.writerow([str(1000 + i), "1508150000", "someone", text])
    path = tmp_path / "round.csv"
    path.write_bytes(out.getvalue().encode("utf-8"))
    recs = list(TwitterCsvReader().read(Source(path)))
    assert [(r.id, r.source_line, r.text) for r in recs] == [
        (str(1000 + i), starts[i], text) for i, text in enumerate(texts)
    ]


def test_iter_csv_rows_keeps_quoted_newlines(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b'a,b\n1,"two\nlines"\n\n2,"x ""y"""\n')
    assert list(iter_csv_rows(Source(path), "t")) == [
        (1, ["a", "b"]),
        (2, ["1", "two\nlines"]),
        (5, ["2", 'x "y"']),
    ]


# -- real twitwi exports ------------------------------------------------------------------------
def test_twitwi_tweet_export_csv(formats_dir, store):
    path = formats_dir / "twitwi_csv" / "tweet-export.csv"
    raw = _dict_rows(path)
    report = ingest([path], store)
    assert report.balanced and report.quarantined == 0
    assert report.by_format == {"twitter_csv": report.read}
    posts, reposts = _rows(store), _rows(store, "reposts")
    for row in raw:
        if row["retweeted_id"]:
            assert reposts[row["id"]]["repost_of"] == row["retweeted_id"]
            assert reposts[row["id"]]["created_at"] == _epoch(row["timestamp_utc"]).replace(
                tzinfo=None
            )
            continue
        post = posts[row["id"]]
        assert post["text"] == row["text"]
        assert post["created_at"] == _epoch(row["timestamp_utc"]).replace(tzinfo=None)
        assert post["hashtags"] == ["#" + h for h in row["hashtags"].split("|") if h]
        assert post["reply_to"] == (row["to_tweetid"] or None)
        assert post["quote_of"] == (row["quoted_id"] or None)
        assert post["author"].startswith("u_") and post["author"] != row["user_id"]
        assert post["url"].endswith(f"/status/{row['id']}")
    # a retweet's original, rebuilt from "RT @user: ", equals the original's own row
    rt = next(r for r in raw if r["retweeted_id"])
    original = next(r for r in raw if r["id"] == rt["retweeted_id"])
    assert rt["text"] == f"RT @{rt['retweeted_user']}: {original['text']}"
    assert report.duplicates == 1
    raw_authors = {r["user_id"] for r in raw} | {r["retweeted_user_id"] for r in raw} - {""}
    for post in posts.values():
        assert not raw_authors & {str(v) for v in post.values() if v is not None}


def test_twitwi_jsonl_and_csv_give_the_same_posts(formats_dir, tmp_path):
    folder = formats_dir / "twitwi_csv"
    raw = [json.loads(x) for x in (folder / "tweet-export.jsonl").read_text().splitlines()]
    assert all("_source" in hit for hit in raw)  # gazouilloire's Elasticsearch hits

    def fields(path: Path) -> list[tuple]:
        return [
            (
                p.id,
                p.text,
                p.created_at,
                p.author,
                p.hashtags,
                p.reply_to,
                p.quote_of,
                p.repost_of,
                p.metrics,
            )
            for p in iter_records([path])
        ]

    from_jsonl = fields(folder / "tweet-export.jsonl")
    assert from_jsonl == fields(folder / "tweet-export.csv")
    assert {r[0] for r in from_jsonl} >= {hit["_id"] for hit in raw}
    assert {p.format for p in iter_records([folder / "tweet-export.jsonl"])} == {"twitwi_json"}


def test_users_exports_are_not_posts(formats_dir):
    folder = formats_dir / "twitwi_csv"
    for name in ("user-export.csv", "normalized-users.json"):
        assert list(iter_records([folder / name], fmt=None)) == [], name


@pytest.mark.parametrize(
    ("normalized", "payload"),
    [
        ("normalized-tweets-v2.json", "payload-v2.json"),
        ("normalized-alternative-payload.json", "alternative-payload-v2.json"),
    ],
)
def test_twitwi_normalised_json_agrees_with_the_api_payload(
    formats_dir, tmp_path, normalized, payload
):
    folder = formats_dir / "twitter_v2_api" / "twitwi"
    tweets = json.loads((folder / normalized).read_text(encoding="utf-8"))
    with Store(tmp_path / "a.duckdb") as a, Store(tmp_path / "b.duckdb") as b:
        report = ingest([folder / normalized], a)
        assert report.balanced and report.quarantined == 0
        assert report.by_format == {"twitwi_json": report.read}
        ingest([folder / payload], b)
        for table in ("posts", "reposts"):
            mine, theirs = _rows(a, table), _rows(b, table)
            common = set(mine) & set(theirs)
            assert common
            for tid in common:
                assert mine[tid]["created_at"] == theirs[tid]["created_at"], tid
                if table == "reposts":
                    assert mine[tid]["repost_of"] == theirs[tid]["repost_of"]
                else:
                    if mine[tid]["reply_to"]:  # twitwi drops a thread's self-reply link
                        assert mine[tid]["reply_to"] == theirs[tid]["reply_to"]
                    assert set(theirs[tid]["hashtags"]) <= set(mine[tid]["hashtags"])
        assert len({t["id"] for t in tweets if t.get("retweeted_id")}) == len(_rows(a, "reposts"))
