"""The DuckDB bulk path and the streaming reader read every field of a twarc2 page alike.

The bulk path read the fields it keeps as VARCHAR, and DuckDB writes any JSON value into a
VARCHAR: a tweet with the id ``{"a":1}``, ``["5","6"]``, ``true`` or ``93.0``, or the text
``["hello","world"]``, ``{"x":"y"}`` or ``12345``, was stored with that id or text, where the
streaming reader quarantines it (``ValueError: id is a float``). An author id, a referenced or
included tweet's id or a user's id the reader keys on as it is (the integer 1001 is no key for
"1001"), entities and handles of other types, and a page's users (the reader's are the page's
own, the bulk path took any page's) were read otherwise too. Now the bulk path reads these fields
as JSON and takes a file only when it gives exactly what the reader gives; any other file goes to
the streaming reader (``NotBulkable``), so both paths leave the same store and counts.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from groundswell.store import Store, bulk, ingest

COUNTS = ("read", "stored", "duplicates", "reposts", "quarantined")
TABLES = ("posts", "reposts", "quarantine")
AT = "2021-04-08T18:00:00.000Z"


def _entities(tag: str, user: str, url: str) -> dict:
    return {
        "hashtags": [{"start": 0, "end": 3, "tag": tag}],
        "mentions": [{"start": 0, "end": 3, "username": user, "id": "9002"}],
        "urls": [
            {"start": 0, "end": 3, "url": "https://t.co/x", "expanded_url": url},
            {"url": "https://t.co/y", "expanded_url": url, "unwound_url": url + "/u"},
        ],
    }


TWEET = {  # a reply with hashtags, mentions and links
    "id": "1001",
    "text": "It happened to me &amp; #MeToo @amal_k",
    "author_id": "9001",
    "created_at": AT,
    "lang": "en",
    "entities": _entities("MeToo", "amal_k", "https://a.example"),
    "public_metrics": {"retweet_count": 1, "like_count": 2},
    "referenced_tweets": [{"type": "replied_to", "id": "999"}],
}
RETWEET = {  # of TWEET, which the page includes
    "id": "1002",
    "text": "RT @river_stone: It happened to me",
    "author_id": "9002",
    "created_at": AT,
    "lang": "en",
    "entities": {"mentions": [{"username": "river_stone"}]},
    "referenced_tweets": [{"type": "retweeted", "id": "1001"}],
}
NOTE = {  # a long-form tweet that quotes TWEET
    "id": "1003",
    "text": "short #TimesUp",
    "author_id": "9002",
    "created_at": AT,
    "lang": "de",
    "note_tweet": {
        "text": "the long text #TimesUp",
        "entities": _entities("TimesUp", "river_stone", "https://b.example"),
    },
    "entities": _entities("Other", "nobody", "https://c.example"),
    "referenced_tweets": [{"type": "quoted", "id": "1001"}, {"type": "replied_to", "id": "1000"}],
}
PAGES = [
    {
        "data": [TWEET, RETWEET, NOTE],
        "includes": {
            "users": [
                {"id": "9001", "username": "river_stone"},
                {"id": "9002", "username": "amal_k"},
            ],
            "tweets": [copy.deepcopy(TWEET)],
        },
    },
    {
        "data": [{"id": "1004", "text": "page two", "author_id": "9001", "created_at": AT}],
        "includes": {"users": [{"id": "9001", "username": "river_stone"}]},
    },
]
GONE = object()  # the field left out


def _tweet(i: int, *path: Any) -> tuple:
    return (0, "data", i, *path)


def _included(*path: Any) -> tuple:
    return (0, "includes", "tweets", 0, *path)


def _user(*path: Any) -> tuple:
    return (0, "includes", "users", 0, *path)


def _pages(changes: dict[tuple, Any]) -> list[dict]:
    pages = copy.deepcopy(PAGES)
    for path, value in changes.items():
        parent = pages
        for key in path[:-1]:
            parent = parent[key]
        if value is GONE:
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(value)
    return pages


def _rows(db: Path) -> dict[str, list]:
    with Store(db, read_only=True) as s:
        return {t: s.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


def _bulk_agrees(
    monkeypatch: pytest.MonkeyPatch, folder: Path, pages: list[dict], pseudonymise: bool = True
) -> bool:
    """The store and counts the bulk path leaves (or the streaming reader it hands the file
    to) are the streaming reader's; returns whether the bulk path took the file."""
    monkeypatch.setattr(bulk, "MIN_BULK_BYTES", 0)
    taken: list[bool] = []
    real = bulk.load_twitter_v2

    def spy(*args: Any, **kw: Any) -> Any:
        out = real(*args, **kw)
        taken.append(True)
        return out

    monkeypatch.setattr("groundswell.store.load.load_twitter_v2", spy)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pages.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in pages))
    reports, rows = [], []
    for use_bulk in (False, True):
        db = folder / f"{'bulk' if use_bulk else 'stream'}.duckdb"
        if use_bulk:
            (folder / "bulk.duckdb.key").write_text((folder / "stream.duckdb.key").read_text())
        with Store(db, pseudonymise=pseudonymise) as store:
            reports.append(ingest([path], store, progress=False, bulk=use_bulk))
        rows.append(_rows(db))
    stream, fast = reports
    assert stream.balanced and fast.balanced
    for key in COUNTS:
        assert getattr(fast, key) == getattr(stream, key), key
    for table in TABLES:
        assert rows[1][table] == rows[0][table], table
    return bool(taken)


# every field the bulk path keeps, of a page's tweets, its included tweets and its users
FIELDS = {
    "id": _tweet(0, "id"),
    "text": _tweet(0, "text"),
    "retweet text": _tweet(1, "text"),
    "author_id": _tweet(0, "author_id"),
    "created_at": _tweet(0, "created_at"),
    "lang": _tweet(0, "lang"),
    "hashtag": _tweet(0, "entities", "hashtags", 0, "tag"),
    "mention": _tweet(0, "entities", "mentions", 0, "username"),
    "url": _tweet(0, "entities", "urls", 0, "url"),
    "expanded_url": _tweet(0, "entities", "urls", 0, "expanded_url"),
    "unwound_url": _tweet(0, "entities", "urls", 1, "unwound_url"),
    "reference type": _tweet(0, "referenced_tweets", 0, "type"),
    "reference id": _tweet(0, "referenced_tweets", 0, "id"),
    "retweeted id": _tweet(1, "referenced_tweets", 0, "id"),
    "note_tweet.text": _tweet(2, "note_tweet", "text"),
    "note hashtag": _tweet(2, "note_tweet", "entities", "hashtags", 0, "tag"),
    "included id": _included("id"),
    "included text": _included("text"),
    "included author_id": _included("author_id"),
    "included lang": _included("lang"),
    "included reference id": _included("referenced_tweets", 0, "id"),
    "user id": _user("id"),
    "username": _user("username"),
}
# a value of every JSON type but a string (an integer: 1001, an id of the page)
WRONG = [{"a": 1}, ["5", "6"], True, 93.0, 1001]


@pytest.mark.parametrize("value", WRONG, ids=json.dumps)
@pytest.mark.parametrize("field", FIELDS)
def test_a_field_of_another_type_is_read_alike_by_both_paths(tmp_path, monkeypatch, field, value):
    _bulk_agrees(monkeypatch, tmp_path, _pages({FIELDS[field]: value}))


@pytest.mark.parametrize("value", [{"a": 1}, 9001, ""], ids=json.dumps)
@pytest.mark.parametrize("field", ["author_id", "user id", "username"])
def test_authors_and_users_of_another_type_with_handles_kept(tmp_path, monkeypatch, field, value):
    """With pseudonymisation off the page's users give the handle and the link too."""
    _bulk_agrees(monkeypatch, tmp_path, _pages({FIELDS[field]: value}), pseudonymise=False)


# values the reader takes in its own way: passes over, keys on as they are, reads as empty
EDGES = {
    "id empty": {_tweet(0, "id"): ""},
    "id 0": {_tweet(0, "id"): 0},
    "id beyond 64 bits": {_tweet(0, "id"): 2**70},
    "author empty": {_tweet(0, "author_id"): ""},
    "author an integer, its user too": {_tweet(0, "author_id"): 9001, _user("id"): 9001},
    "included tweet and retweet by integer": {
        _included("id"): 1001,
        _tweet(1, "referenced_tweets", 0, "id"): 1001,
    },
    "reference without id": {
        _tweet(0, "referenced_tweets"): [{"type": "replied_to", "id": "1"}, {"type": "replied_to"}]
    },
    "reference null": {_tweet(0, "referenced_tweets"): [None]},
    "reference id empty": {_tweet(0, "referenced_tweets", 0, "id"): ""},
    "two retweeted": {
        _tweet(1, "referenced_tweets"): [
            {"type": "retweeted", "id": "1001"},
            {"type": "retweeted", "id": "5555"},
        ]
    },
    "included reference null": {_included("referenced_tweets"): [None]},
    "link null": {_tweet(0, "entities", "urls", 0): None},
    "hashtag null": {_tweet(0, "entities", "hashtags", 0): None},
    "note text empty": {_tweet(2, "note_tweet", "text"): ""},
    "note entities empty": {_tweet(2, "note_tweet", "entities"): {}},
    "included note without text": {
        _included("note_tweet"): {"text": None},
        _included("text"): GONE,
    },
    "included note empty": {_included("note_tweet"): {}, _included("text"): GONE},
    "text NaN": {_tweet(0, "text"): float("nan")},
    "lang Infinity": {_tweet(0, "lang"): float("inf")},
    "entities a string": {_tweet(0, "entities"): "x"},
    "hashtags an object": {_tweet(0, "entities", "hashtags"): {"tag": "x"}},
}


@pytest.mark.parametrize("pseudonymise", [True, False], ids=["pseudonymised", "handles"])
@pytest.mark.parametrize("edge", EDGES)
def test_values_the_reader_takes_in_its_own_way(tmp_path, monkeypatch, edge, pseudonymise):
    _bulk_agrees(monkeypatch, tmp_path, _pages(EDGES[edge]), pseudonymise=pseudonymise)


# files the bulk path still takes: what the reader reads as it is
TAKEN = {
    "clean": {},
    "an integer id": {_tweet(0, "id"): 1234567890123},
    "text that spells a number, NaN or a list": {
        _tweet(0, "text"): "12345",
        _tweet(2, "text"): "NaN",
        _tweet(1, "text"): "[1]",
    },
    "empty lang and text": {_tweet(0, "lang"): "", _tweet(0, "text"): ""},
    "no handle": {_user("username"): GONE},
    "a handle that is empty": {_user("username"): ""},
    "a user renamed on the next page": {(1, "includes", "users", 0, "username"): "renamed"},
    "a user listed twice": {
        (0, "includes", "users"): [
            {"id": "9001", "username": "first"},
            {"id": "9002", "username": "amal_k"},
            {"id": "9001", "username": "last"},
        ]
    },
    "a note whose text is empty": {_tweet(2, "note_tweet", "text"): "", _tweet(2, "text"): ""},
    "a reference without type": {_tweet(0, "referenced_tweets", 0, "type"): None},
    "an included tweet without author": {_included("author_id"): None},
}


@pytest.mark.parametrize("pseudonymise", [True, False], ids=["pseudonymised", "handles"])
@pytest.mark.parametrize("case", TAKEN)
def test_the_bulk_path_still_takes_what_it_reads_alike(tmp_path, monkeypatch, case, pseudonymise):
    assert _bulk_agrees(monkeypatch, tmp_path, _pages(TAKEN[case]), pseudonymise=pseudonymise)


@pytest.mark.parametrize("value", WRONG, ids=json.dumps)
def test_a_file_with_a_wrong_type_goes_to_the_streaming_reader(tmp_path, monkeypatch, value):
    """The reader quarantines the one tweet (its original, included in the page, is stored);
    the bulk path takes none of the file."""
    assert not _bulk_agrees(monkeypatch, tmp_path, _pages({_tweet(0, "text"): value}))
    with Store(tmp_path / "bulk.duckdb", read_only=True) as store:
        assert store.con.execute("SELECT line FROM quarantine").fetchall() == [(1,)]
        stored = {r[0] for r in store.con.execute("SELECT id FROM posts").fetchall()}
    assert stored == {"1001", "1003", "1004"}


@pytest.mark.parametrize("value", ["JaneQSecret", "@JaneQSecret", "1.2e+18", "-5", "1" * 21])
@pytest.mark.parametrize("field", ["reference id", "retweeted id", "included reference id"])
def test_a_reference_that_names_no_tweet_is_never_stored(tmp_path, monkeypatch, field, value):
    """A referenced id that is no tweet id (a handle, a spreadsheet's 1.2e+18) quarantines its
    tweet on both paths (a retweet's original only loses the link), and no post or repost keeps
    it as a link."""
    _bulk_agrees(monkeypatch, tmp_path, _pages({FIELDS[field]: value}))
    rows = _rows(tmp_path / "bulk.duckdb")
    kept = json.dumps([list(map(str, r)) for r in rows["posts"] + rows["reposts"]])
    assert value not in kept
    if field != "included reference id":
        assert any(value in str(r) for r in rows["quarantine"])


@pytest.mark.parametrize("field", ["reference id", "retweeted id"])
def test_a_reference_with_spaces_is_stored_as_its_digits(tmp_path, monkeypatch, field):
    """A referenced id with spaces around it is stored as its digits (the streaming reader
    kept the spaces); the bulk path hands the file to the reader and leaves the same store."""
    rid = "1001" if field == "retweeted id" else "999"
    assert not _bulk_agrees(monkeypatch, tmp_path, _pages({FIELDS[field]: f" {rid} "}))
    rows = _rows(tmp_path / "bulk.duckdb")
    links = {v for r in rows["posts"] + rows["reposts"] for v in r if isinstance(v, str)}
    assert rid in links and f" {rid} " not in links and not rows["quarantine"]


@pytest.mark.parametrize("value", ["-5", "1e18", "abc", "0001" + "2" * 24, -7], ids=str)
def test_a_tweet_whose_own_id_is_no_tweet_id_is_quarantined_on_both_paths(
    tmp_path, monkeypatch, value
):
    """A page's tweet whose id names no tweet (a negative number, a spreadsheet's 1e18, letters,
    more than 20 digits) is quarantined by the reader; the bulk path stored it with that id. Now
    it hands the file to the reader, and neither path stores the id."""
    assert not _bulk_agrees(monkeypatch, tmp_path, _pages({_tweet(0, "id"): value}))
    rows = _rows(tmp_path / "bulk.duckdb")
    ids = {r[1] for r in rows["posts"]} | {r[1] for r in rows["reposts"]}
    assert str(value) not in ids
    assert len(rows["quarantine"]) == 1


def test_a_tweet_id_with_spaces_around_it_is_stored_as_its_digits_on_both_paths(
    tmp_path, monkeypatch
):
    assert not _bulk_agrees(monkeypatch, tmp_path, _pages({_tweet(0, "id"): " 1001 "}))
    rows = _rows(tmp_path / "bulk.duckdb")
    ids = {r[1] for r in rows["posts"]}
    assert "1001" in ids and " 1001 " not in ids and not rows["quarantine"]
