"""A twarc2 tweet of the wrong shape is quarantined with a reason that names the field (not a
Python TypeError), and a handle of the wrong type, which the post does not need, is left out
with the post kept; the tweet after each is stored. Flattened lines (the columnar fast path hands
such lines to the reader) and response pages alike."""

from __future__ import annotations

import json

import pytest

from groundswell.store import Store, ingest

AT = "2017-10-16T09:00:01.000Z"


def _tweet(i: int, **over) -> dict:
    tw = {
        "id": str(1000 + i),
        "text": f"tweet {i} #MeToo",
        "author_id": str(500 + i),
        "author": {"id": str(500 + i), "username": f"user{i}"},
        "created_at": AT,
        "lang": "en",
    }
    tw.update(over)
    return tw


BAD = {
    "text a number": ({"text": 5}, "text 5 is not text"),
    "text a list": ({"text": ["a", "b"]}, "text an array is not text"),
    "note text a number": ({"note_tweet": {"text": 7}}, "note_tweet.text 7 is not text"),
    "references a string": (
        {"referenced_tweets": "x"},
        "referenced_tweets 'x' is not a list of references",
    ),
    "a null reference": (
        {"referenced_tweets": [None]},
        "referenced_tweets holds null, not a reference",
    ),
    # a retweet (with its original flattened in) or a reply whose id is null or empty: not an
    # ordinary tweet, and no original to store
    "a retweet of a null id": (
        {"referenced_tweets": [{"type": "retweeted", "id": None, "text": "the original"}]},
        "retweeted tweet id null names no tweet",
    ),
    "a reply to an empty id": (
        {"referenced_tweets": [{"type": "replied_to", "id": ""}]},
        "replied_to tweet id '' names no tweet",
    ),
    # the API writes created_at as ISO text only: a number was read as an epoch by its size
    "created_at epoch seconds": (
        {"created_at": 1508144401},
        "ValueError: created_at 1508144401 is not a time",
    ),
    "created_at epoch milliseconds": (
        {"created_at": 1508144401000.0},
        "ValueError: created_at 1508144401000.0 is not a time",
    ),
}


def _write(tmp_path, tweets: list[dict], pages: bool):
    path = tmp_path / ("pages.jsonl" if pages else "flat.jsonl")
    if pages:
        lines = []
        for tw in tweets:
            author = tw.pop("author")
            lines.append({"data": [tw], "includes": {"users": [author]}})
    else:
        lines = tweets
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("pages", [False, True], ids=["flattened", "pages"])
@pytest.mark.parametrize("case", BAD)
def test_a_tweet_of_the_wrong_shape_is_quarantined_naming_the_field(tmp_path, case, pages):
    over, reason = BAD[case]
    tweets = [_tweet(i) for i in range(30)]
    tweets[10] = _tweet(10, **over)
    path = _write(tmp_path, tweets, pages)
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([path], store, progress=False)
        assert report.balanced and (report.stored, report.quarantined) == (29, 1)
        (line, why) = store.con.execute("SELECT line, reason FROM quarantine").fetchone()
        assert (line, why) == (11, reason)
        stored = {r[0] for r in store.con.execute("SELECT id FROM posts").fetchall()}
        assert "1011" in stored and "1010" not in stored


@pytest.mark.parametrize("pages", [False, True], ids=["flattened", "pages"])
@pytest.mark.parametrize("handle", [7, ["a"], {"x": 1}, True])
def test_a_handle_of_the_wrong_type_is_left_out_and_the_post_kept(tmp_path, handle, pages):
    tweets = [_tweet(i) for i in range(30)]
    tweets[10]["author"]["username"] = handle
    path = _write(tmp_path, tweets, pages)
    with Store(tmp_path / "s.duckdb", pseudonymise=False) as store:
        report = ingest([path], store, progress=False)
        assert report.balanced and (report.stored, report.quarantined) == (30, 0)
        row = store.con.execute("SELECT author, author_name FROM posts WHERE id = '1010'")
        assert row.fetchone() == ("510", None)
