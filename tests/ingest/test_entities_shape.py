"""A tweet whose entities have the wrong shape keeps its text (issue 11): ``"hashtags": "x"``,
``[1, null, {}]``, ``"mentions": {}``, ``"urls": "u"`` quarantined the whole tweet in the v1.1 and
v2/twarc2 readers. Now the unusable field is read as absent (v1.1 still takes the text's
hashtags; v2 takes them when its hashtag list is not a list), and the columnar fast path, which
hands such lines to the reader, leaves the same store. Metrics of every shape are compared the
same way (the fast path's typed counts send anything ``schema.metric`` would drop to the reader).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from fast_slow import assert_fast_equals_slow
from groundswell.ingest.registry import detect, load_readers
from groundswell.ingest.source import Source
from groundswell.schema import Post, Quarantined
from groundswell.store.db import malformed

DATA = Path(__file__).resolve().parents[1] / "data"

SHAPES = [
    ("hashtags", "x"),
    ("hashtags", [1, None, {}]),
    ("hashtags", {"tag": "MeToo"}),
    ("mentions", {}),
    ("mentions", [5, {"username": 7}]),
    ("urls", "u"),
    ("urls", [None, {"url": 5}, {"expanded_url": None, "url": "https://t.co/z"}]),
    ("all", "x"),
]


def _flat(i: int) -> dict:
    """A ``twarc2 flatten`` line."""
    return {
        "id": str(10**18 + i),
        "text": f"tweet {i} #MeToo &amp; #TimesUp @jane https://t.co/x",
        "author_id": str(i % 7),
        "author": {"id": str(i % 7), "username": f"user{i % 7}"},
        "created_at": "2017-10-15T00:00:05.000Z",
        "lang": "en",
        "entities": {
            "hashtags": [{"tag": "MeToo"}, {"tag": "TimesUp"}],
            "mentions": [{"username": "jane"}],
            "urls": [{"url": "https://t.co/x", "expanded_url": "https://example.org/a"}],
        },
        "public_metrics": {"retweet_count": i, "reply_count": 0, "like_count": 3},
    }


def _v1(i: int) -> dict:
    return {
        "id_str": str(10**18 + i),
        "created_at": "Sun Oct 15 00:00:05 +0000 2017",
        "text": f"v1 {i} #MeToo and #metoo @bob https://t.co/y",
        "user": {"id_str": str(i % 5), "screen_name": f"name{i % 5}"},
        "entities": {
            "hashtags": [{"text": "MeToo"}],
            "user_mentions": [{"screen_name": "bob"}],
            "urls": [{"url": "https://t.co/y", "expanded_url": "https://example.org/b"}],
        },
        "retweet_count": 2,
        "favorite_count": 1,
        "lang": "en",
    }


_V1_KEYS = {"hashtags": "hashtags", "mentions": "user_mentions", "urls": "urls"}


def _with_entities(record: dict, field: str, value, v1: bool) -> dict:
    record = copy.deepcopy(record)
    if field == "all":
        record["entities"] = value
    else:
        record["entities"][_V1_KEYS[field] if v1 else field] = value
    return record


def _page(tweets: list[dict]) -> dict:
    """A twarc2 page of the flat tweets (authors moved to includes)."""
    users = {t["author"]["id"]: t["author"] for t in tweets}
    data = [{k: v for k, v in t.items() if k != "author"} for t in tweets]
    return {"data": data, "includes": {"users": list(users.values())}}


def _read(path: Path) -> tuple[int, dict[str, Post]]:
    """What the detected reader makes of ``path``: its quarantined count and its posts, each
    checked as the store checks it."""
    source = Source(path)
    quarantined, posts = 0, {}
    for rec in detect(source, load_readers()).read(source):
        if isinstance(rec, Quarantined):
            quarantined += 1
        elif isinstance(rec, Post):
            assert malformed(rec) is None, rec
            posts.setdefault(rec.id, rec)
    return quarantined, posts


@pytest.mark.parametrize(("field", "value"), SHAPES, ids=[f"{f}={v!r}" for f, v in SHAPES])
@pytest.mark.parametrize("fmt", ["v1", "flat", "page"])
def test_a_tweet_with_entities_of_the_wrong_shape_is_stored(tmp_path, fmt, field, value):
    make = _v1 if fmt == "v1" else _flat
    tweets = [make(i) for i in range(3)]
    tweets[1] = _with_entities(tweets[1], field, value, fmt == "v1")
    lines = [_page(tweets)] if fmt == "page" else tweets
    path = tmp_path / "x.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    quarantined, posts = _read(path)
    assert quarantined == 0
    bad = posts[tweets[1]["id_str" if fmt == "v1" else "id"]]
    assert bad.text.startswith(("v1 1 ", "tweet 1 "))  # stored, text intact
    if fmt == "v1" or (field in ("hashtags", "all") and not isinstance(value, list)):
        assert "#metoo" in bad.hashtags  # the text's own hashtags
    if field in ("mentions", "all"):
        assert bad.mentions == []
    if field == "urls" and isinstance(value, list):
        assert bad.urls == ["", "https://t.co/z"]  # a url that is not text is kept as ""


METRICS = [2**70, 2**63, -5, 1.5, 7.0, "12", True, None, [3]]


def _reddit(i: int) -> dict:
    return {
        "author": f"user{i % 9}",
        "body": f"comment {i} #MeToo",
        "created_utc": 1508025600 + i,
        "id": f"c{i:05x}",
        "link_id": "t3_abc",
        "parent_id": "t3_abc",
        "score": i,
        "subreddit": "MeToo",
    }


@pytest.mark.parametrize("fmt", ["v1", "flat", "reddit"])
def test_the_fast_path_agrees_on_hostile_entities_and_metrics(tmp_path, monkeypatch, fmt):
    make = {"v1": _v1, "flat": _flat, "reddit": _reddit}[fmt]
    lines = [make(i) for i in range(40)]
    i = 0
    if fmt != "reddit":
        for field, value in SHAPES:
            lines[i] = _with_entities(lines[i], field, value, fmt == "v1")
            i += 1
    for value in METRICS:
        if fmt == "v1":
            lines[i]["favorite_count"] = value
        elif fmt == "flat":
            lines[i]["public_metrics"]["like_count"] = value
        else:
            lines[i]["score"] = -value if isinstance(value, int) and value > 0 else value
            lines[i + 1]["num_comments"] = value
            i += 1
        i += 1
    path = tmp_path / "x.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    assert_fast_equals_slow(tmp_path, monkeypatch, [path])
