"""One bad or foreign record first must not decide its file's format: the first records of a
JSON lines file or a JSON array each vote, so a first tweet without an id, a stream notice, one
record of another platform, or a null first array value costs only itself. Before, such a file
was "no known format" (every record lost, the run balanced) or read by the wrong reader (every
record quarantined)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from groundswell.store import Store, ingest
from gspaths import FIXTURES

REDDIT = FIXTURES / "reddit" / "RC_2017-10_sample.ndjson"
V1 = FIXTURES / "twitter" / "v1_stream.jsonl"


def _tweet(i: int) -> dict:
    """A ``twarc2 flatten`` tweet (synthetic text)."""
    return {
        "id": str(1051234567890123000 + i),
        "text": f"synthetic post {i} #MeToo",
        "author_id": str(9000 + i),
        "created_at": f"2018-10-13T14:{i:02d}:00.000Z",
        "author": {"id": str(9000 + i), "username": f"someone{i}"},
        "__twarc": {"url": "https://api.twitter.com/2/tweets/search/all", "version": "2.10.4"},
    }


def _lines(path: Path) -> list[dict]:
    """The fixture's records that are whole JSON objects (it holds a damaged line on purpose)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict) and value:
            out.append(value)
    return out


def _ids(path: Path, db: Path) -> tuple[dict, set[str]]:
    with Store(db) as store:
        report = ingest([path], store, progress=False).to_dict()
        ids = {r[0] for r in store.con.execute("SELECT id FROM posts").fetchall()}
        ids |= {r[0] for r in store.con.execute("SELECT id FROM reposts").fetchall()}
    return report, ids


TWEETS = [_tweet(i) for i in range(12)]
NO_ID = {k: v for k, v in _tweet(99).items() if k != "id"}


@pytest.mark.parametrize(
    ("name", "first", "records"),
    [
        ("tweet without id", NO_ID, TWEETS),
        ("an object of no format", {"foo": "bar"}, TWEETS),
        ("a v1.1 stream notice", {"limit": {"track": 5}}, TWEETS),
        ("a v1.1 tweet", _lines(V1)[0], TWEETS),
        ("a Reddit comment", _lines(REDDIT)[0], TWEETS),
        ("a tweet", _tweet(50), _lines(REDDIT)),
    ],
)
@pytest.mark.parametrize("shape", ["lines", "array"])
def test_a_bad_or_foreign_first_record_costs_only_itself(tmp_path, name, first, records, shape):
    clean, bad = tmp_path / "clean.json", tmp_path / "bad.json"
    if shape == "lines":
        clean.write_text("\n".join(json.dumps(r) for r in records) + "\n")
        bad.write_text("\n".join(json.dumps(r) for r in [first, *records]) + "\n")
    else:
        clean.write_text(json.dumps(records, indent=1))
        bad.write_text(json.dumps([first, *records], indent=1))
    _, expected = _ids(clean, tmp_path / "clean.duckdb")
    report, ids = _ids(bad, tmp_path / "bad.duckdb")
    assert report["balanced"], name
    assert report["read"] == len(records) + 1, name
    assert expected <= ids, name  # every record after the first is read as in a clean file
    assert len(expected) >= len(records) // 2


@pytest.mark.parametrize("first", [None, "x", 5, [1], {"a": 1}])
def test_a_json_array_whose_first_value_is_no_record_is_read(tmp_path, first):
    path = tmp_path / "tweets.json"
    path.write_text(json.dumps([first, *TWEETS]))
    report, ids = _ids(path, tmp_path / "a.duckdb")
    assert report["balanced"] and report["quarantined"] == 1
    assert ids == {t["id"] for t in TWEETS}


# -- a first record longer than the head, or nested too deeply ------------------------------------

RS = FIXTURES / "reddit" / "RS_2017-10_sample.ndjson"
JETSTREAM = FIXTURES / "bluesky" / "jetstream_sample.jsonl"
FEED = FIXTURES / "bluesky" / "feed_page.json"
MASTODON = FIXTURES / "mastodon" / "home_timeline.json"
LONG = "я" * 44_000  # 88 KB of UTF-8 (Reddit allows 40,000-character selftexts)


DEEP = "[" * 1_500 + "]" * 1_500  # deeper than a parser goes: read as null in a document


def _reddit(value: str) -> str:
    posts = _lines(RS)
    posts[0] = {**posts[0], "selftext": value}  # before subreddit and title: keys are sorted
    return "\n".join(json.dumps(p) for p in posts) + "\n"


def _jetstream(value: str) -> str:
    events = _lines(JETSTREAM)
    first = next(i for i, e in enumerate(events) if e.get("commit", {}).get("record"))
    record = events[first]["commit"]["record"]  # its reply's URIs come after the long value
    embed = {"$type": "app.bsky.embed.images", "images": [{"alt": value}]}
    events[first]["commit"]["record"] = {"embed": embed} | record | {"embed": embed}
    return "\n".join(json.dumps(e) for e in events[first:]) + "\n"


def _feed(value: str) -> str:
    page = json.loads(FEED.read_text(encoding="utf-8"))
    post = page["feed"][0]["post"]  # a long value before its URI, in a one-line document
    embed = {"images": [{"alt": value}]}
    page["feed"][0]["post"] = {"embed": embed} | post | {"embed": embed}
    return json.dumps(page)


def _views(value: str) -> str:
    views = [item["post"] for item in json.loads(FEED.read_text(encoding="utf-8"))["feed"]]
    views[0]["record"]["langs"] = value
    return json.dumps(views, indent=2)


def _statuses(value: str) -> str:
    statuses = json.loads(MASTODON.read_text(encoding="utf-8"))
    statuses[0]["card"] = value
    return json.dumps(statuses, indent=1)


FILES = {"reddit": _reddit, "jetstream": _jetstream, "feed": _feed, "views": _views}


@pytest.mark.parametrize("kind", FILES)
def test_a_first_record_longer_than_the_head_does_not_hide_the_format(tmp_path, kind):
    """Detection looked at the first 64 KB only: a first record longer than that (a Reddit post
    with a long selftext, a long value in an early key) made the whole file unknown."""
    long, short = tmp_path / "long.json", tmp_path / "short.json"
    long.write_text(FILES[kind](LONG), encoding="utf-8")
    short.write_text(FILES[kind]("x"), encoding="utf-8")
    assert long.stat().st_size > 2 * 65536
    expected, clean = _ids(short, tmp_path / "short.duckdb")
    report, ids = _ids(long, tmp_path / "long.duckdb")
    assert report["by_format"] == expected["by_format"] and report["read"] == expected["read"]
    assert ids == clean and clean


def test_the_head_grows_only_when_its_first_record_is_cut(tmp_path, monkeypatch):
    """A file whose first records fit in 64 KB is not read further; one that no reader claims,
    its first record cut, is read up to one record's limit and no further, and is still read
    whole from the same stream afterwards."""
    from groundswell.ingest.registry import MAX_HEAD_BYTES, detect, load_readers
    from groundswell.ingest.source import HEAD_BYTES, Source

    asked: list[int] = []
    head = Source.head
    monkeypatch.setattr(
        Source, "head", lambda s, size=HEAD_BYTES: asked.append(size) or head(s, size)
    )
    tweets = tmp_path / "tweets.jsonl"
    tweets.write_text("".join(json.dumps(_tweet(i % 50)) + "\n" for i in range(1000)))
    assert detect(Source(tweets), load_readers()).name == "twitter_v2"
    assert set(asked) == {HEAD_BYTES}
    big = tmp_path / "big.json"
    big.write_text(json.dumps([{"foo": "x" * (2 * MAX_HEAD_BYTES)}]), encoding="utf-8")
    source = Source(big)
    asked.clear()
    assert detect(source, load_readers()) is None
    assert max(asked) == MAX_HEAD_BYTES
    with source.open() as fh:
        assert fh.read() == big.read_bytes()


@pytest.mark.parametrize("make", [_statuses, _views], ids=["mastodon", "views"])
def test_a_first_record_nested_too_deeply_costs_only_its_value(tmp_path, make):
    """A value nested ~1,500 deep in a JSON array's first record made the whole file unknown;
    in its second record it was read as null and the rest kept: now the first is read alike."""
    deep, plain = tmp_path / "deep.json", tmp_path / "plain.json"
    deep.write_text(make("DEEP").replace('"DEEP"', DEEP, 1), encoding="utf-8")
    plain.write_text(make("DEEP"), encoding="utf-8")
    expected, clean = _ids(plain, tmp_path / "plain.duckdb")
    report, ids = _ids(deep, tmp_path / "deep.duckdb")
    assert report["by_format"] == expected["by_format"] and report["read"] >= 2
    assert ids == clean


def _long_first(n_long: int = 1) -> bytes:
    """Tweets whose first ``n_long`` lines are each longer than a record may be (5 MB)."""
    from groundswell.ingest.source import MAX_LINE_BYTES

    huge = {**_tweet(90), "text": "x" * (MAX_LINE_BYTES + (1 << 20))}
    lines = [huge] * n_long + TWEETS[:3]
    return "".join(json.dumps(t) + "\n" for t in lines).encode()


@pytest.mark.parametrize("n_long", [1, 2])
def test_a_first_line_longer_than_a_record_may_be_does_not_hide_the_format(tmp_path, n_long):
    """A first line over 5 MB (and 64 KB more) filled all detection read: the whole file was
    "no known format" and its other records lost. The lines after it now decide; it alone is
    quarantined."""
    path = tmp_path / "tweets.jsonl"
    path.write_bytes(_long_first(n_long))
    report, ids = _ids(path, tmp_path / "a.duckdb")
    assert report["balanced"] and report["by_format"] == {"twitter_v2": 3 + n_long}, report
    assert report["quarantined"] == n_long and ids == {t["id"] for t in TWEETS[:3]}


def test_a_first_line_too_long_in_a_stream_read_once_is_skipped_saying_why(tmp_path):
    """Inside a .tar.gz.gz (read once, as a stream) the lines after it cannot be looked at
    first: the member is listed as skipped with the reason, not as of no known format."""
    import gzip
    import io
    import tarfile

    data = _long_first()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        info = tarfile.TarInfo("tweets.jsonl")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    path = tmp_path / "export.tar.gz.gz"
    path.write_bytes(gzip.compress(gzip.compress(out.getvalue(), 1), 1))
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps(TWEETS[5]) + "\n", encoding="utf-8")
    with Store(tmp_path / "a.duckdb") as store:
        report = ingest([path, other], store, progress=False)
    assert report.balanced and report.stored == 1
    assert report.skipped_files == [
        f"{path}!tweets.jsonl (its first line is longer than 5242880 bytes and the lines after "
        "it, in a stream read once, cannot be looked at first: name the format with --format)"
    ]


def test_a_file_of_one_line_too_long_says_so(tmp_path):
    path = tmp_path / "one.jsonl"
    path.write_bytes(_long_first().split(b"\n")[0])
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps(TWEETS[5]) + "\n", encoding="utf-8")
    with Store(tmp_path / "a.duckdb") as store:
        report = ingest([path, other], store, progress=False)
    assert report.skipped_files == [
        f"{path} (its first line is longer than 5242880 bytes and no line after it shows its "
        "format: name the format with --format)"
    ]
