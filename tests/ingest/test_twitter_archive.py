"""A person's own Twitter/X archive: tweets, retweets, deletions, the owner from account.js, the
parts that hold no public post declined (direct messages never read), zipped or not, and a file
cut short or damaged keeping every tweet that can still be read.

The fixture (``tests/data/twitter_archive``) is written by the team in the shape of a real
archive's ``data/`` folder (2022 on) plus one monthly file of the 2012-2018 archive."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from groundswell.ingest.registry import array_items
from groundswell.ingest.twitter_archive import UNKNOWN_ORIGINAL
from groundswell.store import Store, ingest
from gspaths import FIXTURES

ARCHIVE = FIXTURES / "twitter_archive"
TWEETS = ARCHIVE / "data" / "tweets.js"
PREFIX = "window.YTD.tweets.part0 = "


def _items() -> list[dict]:
    return json.loads(TWEETS.read_text(encoding="utf-8").removeprefix(PREFIX))


def _store(paths: list[Path], db: Path) -> tuple[dict, Store]:
    store = Store(db)
    report = ingest(paths, store, progress=False)
    return report.to_dict(), store


def _posts(store: Store) -> dict[str, tuple]:
    rows = store.con.execute(
        "SELECT id, author, text, hashtags, mentions, urls, reply_to, metrics, created_at, "
        "source_line, format FROM posts"
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_an_archive_folder_gives_its_posts_reposts_and_deletions(tmp_path):
    report, store = _store([ARCHIVE], tmp_path / "a.duckdb")
    with store:
        posts = _posts(store)
        reposts = store.con.execute("SELECT id, repost_of, author FROM reposts").fetchall()
        dump = str(store.con.execute("SELECT * FROM posts").fetchall())
    assert report["balanced"] and report["quarantined"] == 0
    items = [i["tweet"] for i in _items()]
    retweets = {t["id_str"] for t in items if t["full_text"].startswith("RT @")}
    own = {t["id_str"]: t for t in items if t["id_str"] not in retweets}
    assert set(own) < set(posts) and len(posts) == len(own) + 1  # + the 2017 monthly file's
    # a retweet is a repost by the owner, its original unknown: never the owner's own words
    assert {(r[0], r[1]) for r in reposts} == {(i, UNKNOWN_ORIGINAL) for i in retweets}
    # one owner, from account.js, pseudonymised like any author (the 2017 file's user too)
    authors = {p[0] for p in posts.values()} | {r[2] for r in reposts}
    assert len(authors) == 1 and next(iter(authors)).startswith("u_")
    assert "4455667788" not in dump and "archive_owner" not in dump
    reply = next(t for t in own.values() if t.get("in_reply_to_status_id_str"))
    row = posts[reply["id_str"]]
    assert row[1] == reply["full_text"].replace("&amp;", "&")  # HTML entities undone
    assert row[5] == reply["in_reply_to_status_id_str"]
    assert row[3] == [m["screen_name"] for m in reply["entities"]["user_mentions"]]
    first = own["1051234567890123776"]
    assert posts[first["id_str"]][2] == ["#metoo"]
    metrics = json.loads(posts[first["id_str"]][6])
    assert metrics == {"retweet_count": 3, "like_count": 12}  # counts written as strings
    assert posts[first["id_str"]][7].isoformat() == "2018-10-13T14:02:11"
    linked = next(t for t in own.values() if t["entities"]["urls"])
    assert posts[linked["id_str"]][4] == [linked["entities"]["urls"][0]["expanded_url"]]
    assert {p[9] for p in posts.values()} == {"twitter_archive"}
    # the tweet the owner deleted is a deletion notice, remembered so no copy comes back
    assert report["deleted_on_platform"] == 1


def test_parts_without_public_posts_are_declined_and_direct_messages_never_read(tmp_path):
    report, store = _store([ARCHIVE], tmp_path / "a.duckdb")
    with store:
        every_table = [
            store.con.execute(f"SELECT * FROM {t}").fetchall()
            for (t,) in store.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        ]
    skipped = {Path(s.split(" (")[0]).name: s for s in report["skipped_files"]}
    assert set(skipped) == {"account.js", "like.js", "direct-messages.js"}
    assert all("Twitter archive" in why and "no public posts" in why for why in skipped.values())
    assert "PRIVATE-DM-TEXT" not in str(every_table)


def test_a_zipped_archive_gives_the_same_store(tmp_path):
    """Archives come as a zip: the owner is found in the zip's own account.js."""
    zipped = tmp_path / "twitter-2024-01-02-abc.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        for path in sorted(ARCHIVE.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(ARCHIVE).as_posix())
    folder, a = _store([ARCHIVE], tmp_path / "a.duckdb")
    (tmp_path / "b.duckdb.key").write_text((tmp_path / "a.duckdb.key").read_text())
    packed, b = _store([zipped], tmp_path / "b.duckdb")
    with a, b:
        assert {k: v[:-2] for k, v in _posts(a).items()} == {
            k: v[:-2] for k, v in _posts(b).items()
        }
    for key in ("read", "stored", "reposts", "deleted_on_platform", "quarantined"):
        assert folder[key] == packed[key], key


def test_without_account_js_the_author_is_unknown(tmp_path):
    shutil.copy(TWEETS, tmp_path / "tweets.js")
    report, store = _store([tmp_path / "tweets.js"], tmp_path / "a.duckdb")
    with store:
        assert {p[0] for p in _posts(store).values()} == {None}
    assert report["stored"] == len(_items()) - 1


@pytest.mark.parametrize("cut", [0.35, 0.6, 0.93])
def test_a_file_cut_short_keeps_every_whole_tweet(tmp_path, cut):
    """A download cut off mid-file: each tweet before the cut is stored, the one it cut is
    quarantined with its position, and the run stays balanced."""
    text = TWEETS.read_bytes()
    data = text[: int(len(text) * cut)]
    (tmp_path / "tweets.js").write_bytes(data)
    report, store = _store([tmp_path / "tweets.js"], tmp_path / "a.duckdb")
    # the items written out in full before the cut
    whole = [
        i["tweet"]["id_str"]
        for i, raw in zip(_items(), array_items(text), strict=True)
        if raw in data
    ]
    with store:
        stored = set(_posts(store)) | {
            r[0] for r in store.con.execute("SELECT id FROM reposts").fetchall()
        }
        lines = [r[0] for r in store.con.execute("SELECT line FROM quarantine").fetchall()]
    assert report["balanced"]
    assert set(whole) <= stored
    assert lines == [len(stored) + 1]


def test_a_damaged_tweet_in_the_middle_costs_only_itself(tmp_path):
    items = _items()
    raw = [json.dumps(i, indent=2).encode() for i in items]
    raw[1] = raw[1].replace(b'"full_text"', b'"full_text" "', 1)  # not JSON any more
    raw[2] = raw[2].replace(b"Thank", b"Th\xffnk", 1)  # a byte that is not UTF-8
    (tmp_path / "tweets.js").write_bytes(PREFIX.encode() + b"[\n" + b",\n".join(raw) + b"\n]")
    report, store = _store([tmp_path / "tweets.js"], tmp_path / "a.duckdb")
    with store:
        posts = _posts(store)
        bad = store.con.execute("SELECT line, reason FROM quarantine").fetchall()
    assert report["balanced"]
    assert [b[0] for b in bad] == [2]
    assert "unreadable" in bad[0][1]
    ids = [i["tweet"]["id_str"] for i in items]
    assert set(ids[2:]) <= set(posts)
    assert "\ufffd" in posts[ids[2]][1]  # the bad byte costs one character, not the tweet


def test_a_2019_archive_of_bare_tweets_is_read(tmp_path):
    """Archives of 2019 named the part ``tweet`` and did not wrap each tweet."""
    bare = [i["tweet"] for i in _items()]
    (tmp_path / "tweet.js").write_text("window.YTD.tweet.part0 = " + json.dumps(bare, indent=2))
    report, store = _store([tmp_path / "tweet.js"], tmp_path / "a.duckdb")
    with store:
        assert len(_posts(store)) == len(bare) - 1
    assert report["balanced"] and report["reposts"] == 1


def _tweet(tid: str, text: str, created: str) -> dict:
    entities = {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []}
    return {
        "tweet": {"id_str": tid, "full_text": text, "created_at": created, "entities": entities}
    }


def _note(nid: str, text: str, created: str, urls: list[dict] | None = None) -> dict:
    core = {"text": text, "urls": urls or [], "hashtags": [], "mentions": [], "styletags": []}
    return {"noteTweet": {"noteTweetId": nid, "createdAt": created, "core": core}}


@pytest.mark.parametrize("zipped", [False, True])
def test_a_long_post_takes_its_whole_text_from_note_tweet_js(tmp_path, zipped):
    """Since 2023 ``tweets.js`` keeps the first ~280 characters of a long post; the whole text is
    in ``note-tweet.js``, under an id of its own. The tweet is completed from the note written
    with it; a note alone is not a post, and a short tweet a note merely starts with stays as is."""
    whole = (
        "#MeToo (synthetic) It took me eleven years to say this. When I was an intern, the head "
        "of my department kept me late and would not let me leave his office until I agreed to "
        "dinner. Everyone knew and nobody said a thing. I left the field the next spring and "
        "told myself it was my fault. It was not. I am writing this for the students who start "
        "next month: tell someone, keep the messages, you are not alone. #IWill listen."
    )
    shown = whole[:270] + "… https://t.co/AbCdEf1234"
    folder = tmp_path / "data"
    shutil.copytree(ARCHIVE / "data", folder)
    items = [
        *_items(),
        _tweet("1660000000000000001", shown, "Mon May 15 09:30:12 +0000 2023"),
        _tweet("1660000000000000002", whole[:120], "Mon May 15 09:30:40 +0000 2023"),
    ]
    (folder / "tweets.js").write_text(PREFIX + json.dumps(items, indent=2), encoding="utf-8")
    notes = [
        _note("1660000000000009999", whole, "2023-05-15T09:30:12.000Z"),
        _note(
            "1550000000000000000", "a note whose tweet is not here " * 20, "2022-07-01T08:00:00Z"
        ),
    ]
    (folder / "note-tweet.js").write_text(
        "window.YTD.note_tweet.part0 = " + json.dumps(notes, indent=2), encoding="utf-8"
    )
    path = folder
    if zipped:
        path = tmp_path / "twitter-2023-06-01-abc.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for file in sorted(folder.rglob("*")):
                if file.is_file():
                    archive.write(file, file.relative_to(tmp_path).as_posix())
    report, store = _store([path], tmp_path / "a.duckdb")
    with store:
        posts = _posts(store)
        texts = {r[0] for r in store.con.execute("SELECT text FROM posts").fetchall()}
    assert report["balanced"]
    assert posts["1660000000000000001"][1] == whole
    assert posts["1660000000000000001"][2] == ["#metoo", "#iwill"]
    assert posts["1660000000000000002"][1] == whole[:120]  # not truncated: nothing to complete
    assert "1660000000000009999" not in posts and not any("whose tweet" in t for t in texts)
    skipped = {Path(s.split(" (")[0]).name: s for s in report["skipped_files"]}
    assert "tweets.js" in skipped["note-tweet.js"]
