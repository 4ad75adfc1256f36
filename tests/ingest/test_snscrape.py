"""snscrape ``--jsonl`` Twitter output: the 2023 shape (``rawContent``, ``links``, nested
``retweetedTweet``/``quotedTweet``) and the 2021 one (``content``, ``outlinks``, a ``User`` line
first with ``--with-entity``).

The fixtures are hand-written in snscrape's exact shapes; expected values are read from the raw
files with the json module by the test itself.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from groundswell.cli import main
from groundswell.ingest import iter_records
from groundswell.schema import Post, Quarantined
from groundswell.store import Store, ingest
from gspaths import FIXTURES, fixtures_claimed_by, json_lines

SEARCH = FIXTURES / "snscrape" / "twitter-search.jsonl"  # snscrape 0.7 (2023)
USER_2021 = FIXTURES / "snscrape" / "twitter-user-2021.jsonl"  # snscrape 0.4, --with-entity


def _line(record: Post | Quarantined) -> int:
    return record.line if isinstance(record, Quarantined) else record.source_line


def _unescaped(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _rows(store: Store, table: str) -> dict[str, dict]:
    cur = store.con.execute(f"SELECT * FROM {table}")
    names = [d[0] for d in cur.description]
    return {row[names.index("id")]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def test_search_records():
    plain, reply, retweet, quote, cut, bad_date, late = json_lines(SEARCH)
    assert cut is None and bad_date["date"] == "Monday afternoon"
    records = list(iter_records([SEARCH]))
    assert all(r.format == "snscrape" for r in records)
    assert [
        (type(r).__name__, getattr(r, "id", None), getattr(r, "repost_of", None), _line(r))
        for r in records
    ] == [
        ("Post", str(plain["id"]), None, 1),
        ("Post", str(reply["id"]), None, 2),
        ("Post", str(retweet["retweetedTweet"]["id"]), None, 3),  # the nested original
        ("Post", str(retweet["id"]), str(retweet["retweetedTweet"]["id"]), 3),  # the repost
        ("Post", str(quote["id"]), None, 4),  # the quoted tweet is not stored
        ("Quarantined", None, None, 5),  # a line cut short
        ("Quarantined", None, None, 6),  # a date that is no time
        ("Post", str(late["id"]), None, 7),  # read after both
    ]
    first, answer, original, repost, quoting, broken, bad, last = records
    assert "invalid JSON" in broken.reason and "Monday afternoon" in bad.reason

    # a plain post: every field
    assert "&amp;" in plain["rawContent"] and "\n\n" in plain["rawContent"]
    assert first.text == _unescaped(plain["rawContent"])  # raw text, t.co links and newlines kept
    assert first.created_at == datetime.fromisoformat(plain["date"])
    assert first.author == str(plain["user"]["id"])
    assert first.author_name == plain["user"]["username"]
    assert (first.url, first.lang) == (plain["url"], plain["lang"])
    assert first.hashtags == ["#" + h.lower() for h in plain["hashtags"]]
    assert first.mentions == [u["username"] for u in plain["mentionedUsers"]]
    assert first.urls == [link["url"] for link in plain["links"]]
    assert first.metrics == {
        "reply_count": plain["replyCount"],
        "retweet_count": plain["retweetCount"],
        "like_count": plain["likeCount"],
        "quote_count": plain["quoteCount"],
    }
    assert plain["viewCount"] is None  # null counts are left out
    assert (first.reply_to, first.quote_of, first.repost_of) == (None, None, None)

    # a reply
    assert answer.reply_to == str(reply["inReplyToTweetId"]) == first.id
    assert answer.mentions == [reply["inReplyToUser"]["username"]]

    # a retweet: the original as nested, then the repost by the retweeter
    nested = retweet["retweetedTweet"]
    assert original.text == first.text and original.author == str(nested["user"]["id"])
    assert original.created_at == first.created_at and original.metrics == first.metrics
    assert repost.author == str(retweet["user"]["id"]) != original.author
    assert repost.created_at == datetime.fromisoformat(retweet["date"])

    # a quote: the quoted tweet named, not stored
    assert quoting.quote_of == str(quote["quotedTweet"]["id"])
    assert str(quote["quotedTweet"]["id"]) not in {getattr(r, "id", None) for r in records}

    assert (last.text, last.lang, last.hashtags) == (late["rawContent"], "fr", ["#moiaussi"])


def test_search_in_store(store):
    report = ingest([SEARCH], store, progress=False)
    # 8 records: 4 new posts, the nested original (a copy of line 1), 1 repost, 2 quarantined
    assert (report.read, report.stored, report.duplicates, report.reposts) == (8, 4, 1, 1)
    assert report.quarantined == 2 and report.balanced
    raw = json_lines(SEARCH)
    repost = _rows(store, "reposts")[str(raw[2]["id"])]
    assert repost["repost_of"] == str(raw[0]["id"])
    lines = store.con.execute("SELECT line, format FROM quarantine ORDER BY line").fetchall()
    assert lines == [(5, "snscrape"), (6, "snscrape")]


def test_2021_shape_and_the_user_line():
    user, first_raw, second_raw = json_lines(USER_2021)
    assert user["_type"] == "snscrape.modules.twitter.User" and "rawContent" not in first_raw
    records = list(iter_records([USER_2021]))
    assert [(r.id, r.source_line) for r in records] == [
        (str(first_raw["id"]), 2),  # the user line is not a post
        (str(second_raw["id"]), 3),
    ]
    first = records[0]
    assert first.text == first_raw["content"]
    assert first.urls == first_raw["outlinks"]
    assert first.hashtags == ["#metoo"]  # from the text: no hashtags list before 2022
    assert first.author == str(user["id"]) and first.author_name == user["username"]


def _with_changed(tmp_path: Path, change) -> list:
    """The fixture's first tweet, changed, between two good ones (the reply and the quote; a
    file's first line decides its format, so the changed one is not first), read back."""
    lines = SEARCH.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    change(record)
    path = tmp_path / "x.jsonl"
    path.write_text("\n".join([lines[1], json.dumps(record), lines[3]]) + "\n", encoding="utf-8")
    return list(iter_records([path]))


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("id", None),
        ("id", "12a"),
        ("id", 1.5),
        ("rawContent", None),  # and no other text
        ("date", 1508162607),
        ("date", "2017-02-30T10:00:00+00:00"),
        ("retweetedTweet", "yes"),
        ("retweetedTweet", {"_type": "snscrape.modules.twitter.Tweet"}),
        ("_type", "snscrape.modules.telegram.TelegramPost"),
    ],
)
def test_a_damaged_tweet_is_quarantined_and_the_next_one_read(tmp_path, key, value):
    def change(record):
        record[key] = value
        if key == "rawContent":
            del record["content"], record["renderedContent"]

    before, bad, after = _with_changed(tmp_path, change)
    assert isinstance(bad, Quarantined) and bad.line == 2, bad
    assert [(type(r), r.source_line) for r in (before, after)] == [(Post, 1), (Post, 3)]


def test_an_id_the_buggy_int_parser_option_kept_as_text(tmp_path):
    """``--jsonl-for-buggy-int-parser`` adds ``id.str``: an id a parser rounded is read from it."""

    def change(record):
        record["id.str"] = str(record["id"])
        record["id"] = float(record["id"])

    _, first, _ = _with_changed(tmp_path, change)
    assert isinstance(first, Post) and first.id == str(
        json.loads(SEARCH.read_text().split("\n")[0])["id"]
    )


def test_a_tombstone_is_passed_over(tmp_path):
    def change(record):
        record.clear()
        record.update({"_type": "snscrape.modules.twitter.Tombstone", "id": 1, "text": "gone"})

    records = _with_changed(tmp_path, change)
    assert [(type(r), r.source_line) for r in records] == [(Post, 1), (Post, 3)]


@pytest.mark.parametrize("path", [SEARCH, USER_2021], ids=lambda p: p.name)
def test_the_cli_detects_snscrape(tmp_path, capsys, path):
    assert main(["ingest", str(path), "--db", str(tmp_path / "s.duckdb"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["by_format"] == {"snscrape": report["read"]} and report["read"] > 0
    assert report["balanced"] and report["skipped_files"] == []


def test_snscrape_claims_no_other_fixture():
    others, claimed = fixtures_claimed_by("snscrape", ("twint", "snscrape"))
    assert others and claimed == []
