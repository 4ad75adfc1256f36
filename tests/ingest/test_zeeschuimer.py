"""Zeeschuimer NDJSON exports and 4CAT's NDJSON of them: X/Twitter web (GraphQL) tweets read,
items of other platforms quarantined or their files declined, each with the platform named.

Expected values are read from the fixture files by the tests themselves.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from pathlib import Path

from groundswell.cli import main
from groundswell.ingest.registry import detect, load_readers
from groundswell.ingest.source import Source
from groundswell.schema import hashtags_in_text, merge_hashtags
from groundswell.store import Store, ingest
from gspaths import FIXTURES, json_lines

FOLDER = FIXTURES / "zeeschuimer"
EXPORT = FOLDER / "zeeschuimer-export-twitter.com-2024-03-08T101500.ndjson"
TIKTOK = FOLDER / "zeeschuimer-export-tiktok.com-2024-03-08T102000.ndjson"
FOURCAT = FOLDER / "4cat-twitter-import.ndjson"


def _tweet(data: dict) -> dict:
    """The tweet of an item's data, out of its visibility wrapper."""
    return data["tweet"] if data.get("__typename") == "TweetWithVisibilityResults" else data


def _user(tweet: dict) -> tuple[str, str]:
    """(numeric id, handle) of a tweet's author, wherever this tweet's layout keeps the handle."""
    user = tweet["core"]["user_results"]["result"]
    handle = user.get("core", {}).get("screen_name") or user["legacy"]["screen_name"]
    return user["rest_id"], handle


def _text(tweet: dict) -> str:
    note = tweet.get("note_tweet", {}).get("note_tweet_results", {}).get("result", {})
    return html.unescape(note.get("text") or tweet["legacy"]["full_text"])


def _utc(created: str) -> datetime:
    when = datetime.strptime(created, "%a %b %d %H:%M:%S %z %Y")
    return when.astimezone(UTC).replace(tzinfo=None)


def _read(paths: list[Path], db: Path, pseudonymise: bool = False) -> tuple[dict, dict, dict]:
    """The report, the posts and the reposts (by id) of one ingest into a new store."""
    with Store(db, pseudonymise=pseudonymise) as store:
        report = ingest(paths, store, progress=False).to_dict()
        tables = []
        for table in ("posts", "reposts"):
            cur = store.con.execute(f"SELECT * FROM {table}")
            names = [d[0] for d in cur.description]
            rows = cur.fetchall()
            tables.append({r[names.index("id")]: dict(zip(names, r, strict=True)) for r in rows})
        quarantine = store.con.execute("SELECT line, reason FROM quarantine ORDER BY line")
        report["quarantine"] = quarantine.fetchall()
    return report, tables[0], tables[1]


def _assert_post(row: dict, tweet: dict) -> None:
    """Every field of a stored post against the tweet it came from."""
    legacy = tweet["legacy"]
    author, handle = _user(tweet)
    assert row["platform"] == "twitter" and row["format"] == "zeeschuimer"
    assert row["id"] == tweet["rest_id"]
    assert row["text"] == _text(tweet)
    assert row["created_at"] == _utc(legacy["created_at"])
    assert (row["author"], row["author_name"]) == (author, handle)
    assert row["url"] == f"https://twitter.com/{handle}/status/{tweet['rest_id']}"
    assert row["lang"] == legacy["lang"]
    assert row["reply_to"] == legacy.get("in_reply_to_status_id_str")
    assert row["quote_of"] == legacy.get("quoted_status_id_str")
    note = tweet.get("note_tweet", {}).get("note_tweet_results", {}).get("result", {})
    entities = note.get("entity_set") or legacy["entities"]
    tags = merge_hashtags([h["text"] for h in entities["hashtags"]], hashtags_in_text(row["text"]))
    assert row["hashtags"] == tags
    assert row["mentions"] == [m["screen_name"] for m in entities["user_mentions"]]
    assert row["urls"] == [u["expanded_url"] for u in entities["urls"]]
    assert json.loads(row["metrics"]) == {
        "retweet_count": legacy["retweet_count"],
        "like_count": legacy["favorite_count"],
        "quote_count": legacy["quote_count"],
        "reply_count": legacy["reply_count"],
        "impression_count": int(tweet["views"]["count"]),
        "bookmark_count": legacy["bookmark_count"],
    }


def test_export_maps_every_field_of_its_tweets(tmp_path):
    items = json_lines(EXPORT)
    report, posts, _ = _read([EXPORT], tmp_path / "raw.duckdb")
    assert report["balanced"] and report["read"] == len(items) + 1  # a retweet's original
    assert report["by_format"] == {"zeeschuimer": report["read"]}
    checked = 0
    for lineno, item in enumerate(items, start=1):
        if item is None or item["source_platform"] != "twitter.com":
            continue
        tweet = _tweet(item["data"])
        if "legacy" not in tweet:
            continue  # the tombstone, below
        original = tweet["legacy"].get("retweeted_status_result")
        if original:
            continue  # the retweet, below
        _assert_post(posts[tweet["rest_id"]], tweet)
        assert posts[tweet["rest_id"]]["source_line"] == lineno
        checked += 1
    assert checked == 4
    # the item's own "id" is sometimes a rounded number: the post's id is rest_id
    reply = next(
        i for i in items if i and i["data"].get("legacy", {}).get("in_reply_to_status_id_str")
    )
    assert str(reply["data"]["id"]) != reply["data"]["rest_id"] and reply["item_id"] in posts
    # the long post's text is its note_tweet, whole; its wrapper was opened
    assert any(len(p["text"]) > 280 for p in posts.values())


def test_a_retweet_is_a_repost_of_its_original_which_is_stored(tmp_path):
    items = [i for i in json_lines(EXPORT) if i]
    retweet = next(i["data"] for i in items if "retweeted_status_result" in i["data"]["legacy"])
    original = _tweet(retweet["legacy"]["retweeted_status_result"]["result"])
    report, posts, reposts = _read([EXPORT], tmp_path / "raw.duckdb")
    assert retweet["rest_id"] not in posts
    row = reposts[retweet["rest_id"]]
    assert row["repost_of"] == original["rest_id"]
    assert row["author"] == _user(retweet)[0]
    assert row["created_at"] == _utc(retweet["legacy"]["created_at"])
    _assert_post(posts[original["rest_id"]], original)
    assert report["reposts"] == 1


def test_a_quoted_tweet_is_context_not_stored(tmp_path):
    items = json_lines(FOURCAT)
    quote = next(i for i in items if i.get("quoted_status_result"))
    report, posts, _ = _read([FOURCAT], tmp_path / "raw.duckdb")
    assert report["balanced"] and set(posts) == {i["rest_id"] for i in items}
    assert posts[quote["rest_id"]]["quote_of"] == quote["legacy"]["quoted_status_id_str"]
    assert quote["legacy"]["quoted_status_id_str"] not in posts
    for item in items:  # 4CAT keeps the tweet itself, the wrapper under __import_meta
        _assert_post(posts[item["rest_id"]], item)


def test_bad_lines_are_quarantined_with_their_line_and_later_ones_stored(tmp_path):
    items = json_lines(EXPORT)
    report, posts, _ = _read([EXPORT], tmp_path / "raw.duckdb")
    broken = [n for n, i in enumerate(items, 1) if i is None]
    tweets = [(n, i) for n, i in enumerate(items, 1) if i and i["source_platform"] == "twitter.com"]
    tombstones = [n for n, i in tweets if "legacy" not in _tweet(i["data"])]
    others = [n for n, i in enumerate(items, 1) if i and i["source_platform"] != "twitter.com"]
    assert broken and tombstones and others
    lines = dict(report["quarantine"])
    assert sorted(lines) == sorted(broken + tombstones + others)
    assert all("invalid JSON" in lines[n] for n in broken)
    assert all("TweetTombstone" in lines[n] for n in tombstones)
    for n in others:  # the platform is named, the item is kept, not passed over
        assert f"a {items[n - 1]['source_platform']} item" in lines[n]
        assert "no mapping" in lines[n]
    later = [_tweet(i["data"]).get("rest_id") for n, i in tweets if n > max(broken)]
    assert [t for t in later if t in posts]


def test_an_export_of_a_platform_without_mapping_is_declined_with_its_name(tmp_path, capsys):
    source = Source(TIKTOK)
    assert detect(source, load_readers()) is None
    assert source.skip_reason and "tiktok.com" in source.skip_reason
    db = tmp_path / "cli.duckdb"
    assert main(["ingest", str(TIKTOK), str(EXPORT), "--db", str(db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["balanced"] and out["by_format"] == {"zeeschuimer": out["read"]}
    skipped = [s for s in out["skipped_files"] if TIKTOK.name in s]
    assert skipped and "tiktok.com" in skipped[0] and "no mapping" in skipped[0]


def test_the_same_account_is_one_author_across_twitter_formats(tmp_path):
    """The author is the account's numeric id, as the v1.1 and v2 readers key it, so one
    person's posts from a Zeeschuimer export and from twarc meet under one pseudonym."""
    item = next(
        i
        for i in json_lines(EXPORT)
        if i and "in_reply_to_status_id_str" in i["data"].get("legacy", {})
    )
    uid, handle = _user(item["data"])
    v1 = tmp_path / "v1.jsonl"
    tweet = {
        "id_str": "1766011000000009999",
        "created_at": "Sat Mar 09 08:00:00 +0000 2024",
        "full_text": "Still marching. #MeToo",
        "user": {"id_str": uid, "screen_name": handle},
        "entities": {"hashtags": [{"text": "MeToo"}]},
    }
    v1.write_text(json.dumps(tweet) + "\n", encoding="utf-8")
    with Store(tmp_path / "a.duckdb") as store:
        ingest([EXPORT, v1], store, progress=False)
        authors = dict(
            store.con.execute(
                "SELECT id, author FROM posts WHERE id IN (?, ?)",
                [item["data"]["rest_id"], tweet["id_str"]],
            ).fetchall()
        )
    assert len(authors) == 2 and len(set(authors.values())) == 1
    assert uid not in set(authors.values())  # pseudonymised


def test_detection_takes_zeeschuimer_and_leaves_other_twitter_files(tmp_path):
    readers = load_readers()
    for path in (EXPORT, FOURCAT):
        assert detect(Source(path), readers).name == "zeeschuimer"
    for path, name in (
        (FIXTURES / "twitter" / "v1_stream.jsonl", "twitter_v1"),
        (FIXTURES / "twitter_v2" / "pages.jsonl", "twitter_v2"),
    ):
        assert detect(Source(path), readers).name == name
    # an item larger than the head: its wrapper, written first, still names its platform
    item = next(i for i in json_lines(EXPORT) if i and i["source_platform"] == "twitter.com")
    item["data"]["legacy"]["extended_entities"] = {"media": [{"alt": "x" * 100_000}]}
    big = tmp_path / "big.ndjson"
    big.write_text(json.dumps(item) + "\n", encoding="utf-8")
    assert detect(Source(big), readers).name == "zeeschuimer"
    with Store(tmp_path / "big.duckdb") as store:
        report = ingest([big], store, progress=False)
    assert (report.read, report.stored) == (1, 1)
