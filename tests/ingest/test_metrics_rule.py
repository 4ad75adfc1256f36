"""One rule for engagement metrics in every reader (issue 11): a metric is kept when it is a whole
number from 0 to 2**63 - 1 (Reddit's votes may be negative), given as an integer, a float with
no fraction or digits in a string; any other value (beyond 64 bits, negative, a fraction, a
bool, text) is left out and the post is stored all the same.

Before, a like count beyond 64 bits quarantined the whole post (the store's type check) in the
JSON readers, the twarc CSV reader truncated ``1.5`` to 1 and crashed on ``inf``, and readers
disagreed on bools and numeric strings.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from groundswell.ingest.registry import detect, load_readers
from groundswell.ingest.source import sources_from_path
from groundswell.schema import Post, Quarantined, metric
from groundswell.store import Store, ingest
from groundswell.store.db import malformed

DATA = Path(__file__).resolve().parents[1] / "data"
HUGE = 123456789012345678901234567890

# (value, what a count keeps, what a vote keeps)
VALUES: list[tuple[Any, int | None, int | None]] = [
    (HUGE, None, None),
    (2**63, None, None),
    (2**63 - 1, 2**63 - 1, 2**63 - 1),
    (-(2**70), None, None),
    (-5, None, -5),
    (1.5, None, None),
    (7.0, 7, 7),
    (1e300, None, None),
    ("12", 12, 12),
    ("abc", None, None),
    (True, None, None),
    ([3], None, None),
    ({"n": 3}, None, None),
]


def _jsonl(rel: str, line: int, set_value: Callable[[dict, Any], None]):
    def write(tmp: Path, value: Any) -> Path:
        lines = (DATA / rel).read_bytes().splitlines()
        record = json.loads(lines[line])
        set_value(record, value)
        lines[line] = json.dumps(record).encode()
        path = tmp / Path(rel).name
        path.write_bytes(b"\n".join(lines) + b"\n")
        return path

    return write


def _document(rel: str, set_value: Callable[[Any, Any], None]):
    def write(tmp: Path, value: Any) -> Path:
        doc = json.loads((DATA / rel).read_text(encoding="utf-8"))
        set_value(doc, value)
        path = tmp / Path(rel).name
        path.write_text(json.dumps(doc), encoding="utf-8")
        return path

    return write


def _csv(rel: str, column: str):
    def write(tmp: Path, value: Any) -> Path:
        text = (DATA / rel).read_bytes().decode("utf-8", "surrogateescape")  # bytes kept as-is
        rows = list(csv.reader(io.StringIO(text, newline="")))
        rows[1][rows[0].index(column)] = value if isinstance(value, str) else json.dumps(value)
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        path = tmp / Path(rel).name
        path.write_bytes(out.getvalue().encode("utf-8", "surrogateescape"))
        return path

    return write


def _set(*keys):
    def set_value(obj, value):
        for key in keys[:-1]:
            obj = obj[key]
        obj[keys[-1]] = value

    return set_value


def _reaction(doc, value):
    doc["messages"][1]["reactions"] = [{"type": "emoji", "emoji": "x", "count": value}]


# reader: (writer of the file with one metric set, the metric's stored name, votes?)
READERS: dict[str, tuple[Callable[[Path, Any], Path], str, bool]] = {
    "twitter_v1": (
        _jsonl("twitter/v1_stream.jsonl", 0, _set("favorite_count")),
        "like_count",
        False,
    ),
    "twitter_v2": (
        _jsonl("twitter_v2/pages.jsonl", 0, _set("data", 0, "public_metrics", "like_count")),
        "like_count",
        False,
    ),
    "reddit_score": (
        _jsonl("reddit/RC_2017-10_sample.ndjson", 0, _set("score")),
        "score",
        True,
    ),
    "reddit_comments": (
        _jsonl("reddit/RS_2017-10_sample.ndjson", 0, _set("num_comments")),
        "num_comments",
        False,
    ),
    "mastodon": (
        _document("mastodon/home_timeline.json", _set(0, "favourites_count")),
        "favourites_count",
        False,
    ),
    "bluesky": (
        _document("bluesky/feed_page.json", _set("feed", 0, "post", "likeCount")),
        "like_count",
        False,
    ),
    "telegram": (_document("telegram/channel/result.json", _reaction), "reactions", False),
    "bluesky_csv": (_csv("bluesky/posts_export.csv", "like_count"), "like_count", False),
    "crowdtangle": (_csv("crowdtangle/facebook_page_posts.csv", "Likes"), "likes", False),
    "twarc_csv": (
        _csv("twitter/twarc_csv_sample.csv", "public_metrics.like_count"),
        "like_count",
        False,
    ),
    "twitwi_csv": (_csv("twitter/minet_sample.csv", "like_count"), "like_count", False),
    "twint": (_jsonl("twint/tweets.json", 0, _set("likes_count")), "like_count", False),
    "hydrator": (_csv("hydrator/metoo-hydrated.csv", "favorite_count"), "like_count", False),
    "twarc_json2csv": (_csv("json2csv/metoo-tweets.csv", "favorite_count"), "like_count", False),
    "tcat": (
        _csv("tcat/metoo-20171016-fullExport-mentions_hashtags.csv", "favorite_count"),
        "like_count",
        False,
    ),
    "twint_csv": (_csv("twint/tweets.csv", "likes_count"), "like_count", False),
    "snscrape": (
        _jsonl("snscrape/twitter-search.jsonl", 0, _set("likeCount")),
        "like_count",
        False,
    ),
}


def _read(path: Path) -> tuple[int, dict[str, dict]]:
    """What the detected reader makes of ``path``: its quarantined count and each post's metrics,
    every post checked as the store checks it."""
    readers = load_readers()
    quarantined, posts = 0, {}
    for source in sources_from_path(path):
        for rec in detect(source, readers).read(source):
            if isinstance(rec, Quarantined):
                quarantined += 1
            elif isinstance(rec, Post):
                assert malformed(rec) is None, rec
                posts.setdefault(rec.id, rec.metrics)  # the first copy, as the store keeps
    return quarantined, posts


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> dict[str, tuple[int, dict[str, dict]]]:
    """Each reader's file with the metric set to 1, read once."""
    out = {}
    for name, (write, _, _) in READERS.items():
        out[name] = _read(write(tmp_path_factory.mktemp(name), 1))
    return out


@pytest.mark.parametrize(("value", "count", "votes"), VALUES, ids=[repr(v[0])[:12] for v in VALUES])
@pytest.mark.parametrize("reader", READERS)
def test_one_metric_rule_in_every_reader(tmp_path, clean, reader, value, count, votes):
    write, name, signed = READERS[reader]
    quarantined, posts = _read(write(tmp_path, value))
    clean_quarantined, clean_posts = clean[reader]
    assert quarantined == clean_quarantined  # the post is kept
    assert set(posts) == set(clean_posts)
    changed = [i for i in posts if posts[i] != clean_posts[i]]
    expected = votes if signed else count
    if expected == 1:
        assert not changed
        return
    assert len(changed) == 1, changed  # the one post whose metric was 1
    assert posts[changed[0]].get(name) == expected, (reader, value)
    others = {k: v for k, v in posts[changed[0]].items() if k != name}
    assert others == {k: v for k, v in clean_posts[changed[0]].items() if k != name}


@pytest.mark.parametrize("reader", ["twitter_v1", "reddit_score", "twarc_csv"])
def test_a_metric_beyond_64_bits_keeps_the_post_in_the_store(tmp_path, reader):
    """The store quarantined the whole post ("a metric is not a 64-bit integer")."""
    path = READERS[reader][0](tmp_path, HUGE)
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([path], store, progress=False)
        rows = store.con.execute("SELECT metrics FROM posts").fetchall()
    assert report.balanced and report.quarantined == _read(path)[0]
    assert not any(str(HUGE) in (m or "") for (m,) in rows)
    assert report.stored + report.reposts + report.duplicates == report.read - report.quarantined


@pytest.mark.parametrize(("value", "count", "votes"), VALUES, ids=[repr(v[0])[:12] for v in VALUES])
def test_the_rule_itself(value, count, votes):
    assert metric(value) == count
    assert metric(value, signed=True) == votes


@pytest.mark.parametrize("value", [-5, 1.5, True, 42])
def test_the_bulk_twarc2_path_keeps_the_same_rule(tmp_path, monkeypatch, value):
    """The DuckDB bulk path (large plain twarc2 files) stored -5, rounded 1.5 to 2 and True to
    1; a page with a metric the rule does not take as it is now goes to the streaming reader."""
    from groundswell.store import bulk

    monkeypatch.setattr(bulk, "MIN_BULK_BYTES", 0)
    taken = []
    real = bulk.load_twitter_v2

    def spy(*args, **kw):
        counts = real(*args, **kw)
        taken.append(True)
        return counts

    monkeypatch.setattr("groundswell.store.load.load_twitter_v2", spy)
    path = READERS["twitter_v2"][0](tmp_path, value)
    rows = []
    for use_bulk in (False, True):
        db = tmp_path / f"{use_bulk}.duckdb"
        if use_bulk:
            (tmp_path / "True.duckdb.key").write_text((tmp_path / "False.duckdb.key").read_text())
        with Store(db) as store:
            assert ingest([path], store, progress=False, bulk=use_bulk).balanced
            rows.append(store.con.execute("SELECT id, metrics FROM posts ORDER BY id").fetchall())
    assert rows[0] == rows[1]
    assert taken == ([True] if value == 42 else [])  # a clean file still takes the bulk path
