"""Forgetting an author before the ingest leaves the store that forgetting after it leaves.

``forget`` after an ingest forgets the author's stored posts by id too, so the reposts of them
go; forgotten before, the author's posts were skipped but not their ids, and reposts of them by
other people were stored (and exported). Now a post skipped for its forgotten author is
forgotten by id as well: reposts of it stay out, those stored before it was met (an earlier
batch or run) are removed at the end of the run, and so are quarantined lines naming it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from groundswell.store import Store, bulk, ingest
from groundswell.store.forget import forget

AT = "2017-10-16T09:00:00.000Z"
USERS = {"11": "ana_c", "12": "ben_b", "13": "cleo_c", "14": "dan_d", "15": "eve_e", "16": "fay_f"}
TABLES = ("posts", "reposts", "articles", "quarantine")


def _tweet(tid: str, author: str, text: str, **refs: str) -> dict[str, Any]:
    tweet: dict[str, Any] = {"id": tid, "author_id": author, "created_at": AT}
    tweet["text"] = text
    if refs:
        tweet["referenced_tweets"] = [{"type": k, "id": v} for k, v in refs.items()]
    return tweet


ANA_POST = _tweet("700", "11", "It happened to me too #metoo")
EVE_POST = _tweet("701", "15", "Believe survivors #metoo")
RETWEETS = [  # by others, of ana's post 700 and eve's 701, read before the originals are
    _tweet("801", "12", "RT @ana_c: It happened", retweeted="700"),
    _tweet("802", "13", "RT @ana_c: It happened", retweeted="700"),
    _tweet("810", "14", "RT @eve_e: Believe", retweeted="701"),
    _tweet("820", "11", "RT @eve_e: Believe", retweeted="701"),  # ana's own repost
    _tweet("803", "12", "@ana_c I believe you", replied_to="700"),
    _tweet("804", "13", "Read this #metoo", quoted="700"),
]
ORIGINALS = [ANA_POST, EVE_POST, _tweet("711", "11", "And again #metoo")]
LATER_RETWEET = _tweet("805", "16", "RT @ana_c: It happened", retweeted="700")
CUT = '{"id": "806", "referenced_tweets": [{"type": "retweeted", "id": "700"}], "te'


def _flat(tweet: dict[str, Any]) -> str:
    """A ``twarc2 flatten`` line: the author object inside the tweet."""
    author = {"id": tweet["author_id"], "username": USERS[tweet["author_id"]]}
    return json.dumps({**tweet, "author": author})


def _page(tweets: list[dict[str, Any]], includes: list[dict[str, Any]]) -> str:
    """A twarc2 response page: the tweets, the tweets they reference and their users."""
    users = [{"id": i, "username": USERS[i]} for i in sorted({t["author_id"] for t in tweets})]
    return json.dumps({"data": tweets, "includes": {"users": users, "tweets": includes}})


def _flat_files(folder: Path) -> list[Path]:
    """The retweets (and a cut line naming ana's post by id) first, then the originals with a
    later retweet that carries its original."""
    first, second = folder / "retweets.jsonl", folder / "originals.jsonl"
    first.write_text("".join(_flat(t) + "\n" for t in RETWEETS) + CUT + "\n")
    later = {**LATER_RETWEET, "referenced_tweets": [{"type": "retweeted", "id": "700", **ANA_POST}]}
    second.write_text("".join(_flat(t) + "\n" for t in ORIGINALS) + _flat(later) + "\n")
    return [first, second]


def _page_files(folder: Path) -> list[Path]:
    """The same as twarc2 pages, which the bulk path loads."""
    first, second = folder / "retweets.jsonl", folder / "originals.jsonl"
    first.write_text(_page(RETWEETS, []) + "\n")
    second.write_text(_page([*ORIGINALS, LATER_RETWEET], [ANA_POST]) + "\n")
    return [first, second]


def _snapshot(db: Path) -> dict[str, list]:
    with Store(db, read_only=True) as store:
        out = {t: store.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
        out["forgotten"] = store.con.execute(  # the author kind also keeps the handle's forms
            "SELECT kind, value FROM forgotten WHERE kind <> 'author' ORDER BY ALL"
        ).fetchall()
    return out


def _store(folder: Path, name: str) -> Store:
    """A store sharing the first store's key, so pseudonyms compare equal."""
    key = folder / "after.duckdb.key"
    if name != "after" and key.exists():
        shutil.copy(key, folder / f"{name}.duckdb.key")
    return Store(folder / f"{name}.duckdb")


def _who(store: Store, how: str) -> list[str]:
    return {"handle": ["@Ana_C"], "id": ["11"], "pseudonym": [store.pseudonym("twitter", "11")]}[
        how
    ]


def _compare(tmp_path: Path, files: list[Path], how: str, **kw: Any) -> dict[str, list]:
    """Forget ana after ingesting ``files`` (one run each), then before, in one run and in two
    runs of one record a batch; returns the store, the same in each."""
    with _store(tmp_path, "after") as store:
        for path in files:
            assert ingest([path], store, progress=False, **kw).balanced
        forget(store, _who(store, how))
    after = _snapshot(tmp_path / "after.duckdb")
    for name, runs, batch in (("once", [files], 20_000), ("runs", [[f] for f in files], 1)):
        with _store(tmp_path, name) as store:
            forget(store, _who(store, how))
            for paths in runs:
                report = ingest(paths, store, progress=False, batch_size=batch, **kw)
                assert report.balanced
        assert _snapshot(tmp_path / f"{name}.duckdb") == after, name
    return after


@pytest.mark.parametrize("how", ["handle", "id", "pseudonym"])
def test_forget_before_or_after_the_ingest_leaves_the_same_store(tmp_path, how):
    store = _compare(tmp_path, _flat_files(tmp_path), how)
    assert {r[1] for r in store["posts"]} == {"701", "803", "804"}  # a reply, a quote stay
    assert {(r[1], r[2]) for r in store["reposts"]} == {("810", "701")}
    assert store["quarantine"] == []  # the cut line named ana's post


def test_the_bulk_path_leaves_the_same_store_in_either_order(tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "MIN_BULK_BYTES", 0)
    taken: list[bool] = []
    real = bulk.load_twitter_v2

    def spy(*args: Any, **kw: Any) -> Any:
        out = real(*args, **kw)
        taken.append(True)
        return out

    monkeypatch.setattr("groundswell.store.load.load_twitter_v2", spy)
    store = _compare(tmp_path, _page_files(tmp_path), "handle")
    assert len(taken) == 6  # each file of each store went the bulk way
    assert {r[1] for r in store["posts"]} == {"701", "803", "804"}
    assert {(r[1], r[2]) for r in store["reposts"]} == {("810", "701")}
