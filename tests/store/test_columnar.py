"""The columnar fast path (twarc2 flatten, v1.1 and Reddit dump lines) gives exactly the store
the per-record streaming path gives: posts, reposts, quarantine and counts, on the real samples
and on generated files full of lines it must hand back to the readers."""

from __future__ import annotations

import json
import random

import pytest

from groundswell.ingest import columnar, iter_sources
from groundswell.store import Store, ingest
from groundswell.store.forget import forget
from gspaths import FIXTURES, FORMATS

TABLES = ("posts", "reposts", "quarantine")
COUNTS = ("read", "stored", "duplicates", "reposts", "quarantined", "forgotten", "by_format")


def _rows(db) -> dict[str, list]:
    with Store(db, read_only=True) as s:
        out = {t: s.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
    return out


def _both(tmp_path, monkeypatch, paths, forgotten=(), batch_size=20_000, share=0.5, **kw):
    reports, rows = [], []
    fast_rows = []

    def spy(read):
        def counted(*args):
            for part in read(*args):
                fast_rows.append(part.columns.num_rows)
                yield part

        return counted

    for name in ("read_columns", "read_columns_parallel"):
        monkeypatch.setattr(columnar, name, spy(getattr(columnar, name)))
    for mode in (False, True):
        monkeypatch.setattr(columnar, "ENABLED", mode)
        db = tmp_path / f"{'fast' if mode else 'slow'}.duckdb"
        if mode:
            (tmp_path / "fast.duckdb.key").write_text((tmp_path / "slow.duckdb.key").read_text())
        with Store(db, **kw) as s:
            if forgotten:
                forget(s, list(forgotten))
            reports.append(ingest(paths, s, progress=False, batch_size=batch_size))
        rows.append(_rows(db))
    slow, fast = reports
    for key in COUNTS:
        assert getattr(slow, key) == getattr(fast, key), key
    assert slow.errors == fast.errors
    assert fast.balanced
    for table in TABLES:
        assert rows[0][table] == rows[1][table], table
    assert sum(fast_rows) > fast.stored * share  # the fast path took its share of posts
    return fast


def _v2(i: int, **over) -> dict:
    tweet = {
        "id": str(10**18 + i),
        "text": f"tweet {i} #MeToo &amp; #TimesUp's",
        "author_id": str(i % 7),
        "author": {"id": str(i % 7), "username": f"user{i % 7}"},
        "created_at": "2017-10-15T00:00:05.000Z",
        "lang": "en",
        "entities": {
            "hashtags": [{"tag": "MeToo"}, {"tag": "TimesUp's"}],
            "mentions": [{"username": "jane"}, {"username": ""}],
            "urls": [{"url": "https://t.co/x", "expanded_url": "https://example.org/a"}],
        },
        "public_metrics": {"retweet_count": i, "reply_count": 0, "like_count": 3},
        "referenced_tweets": [{"type": "replied_to", "id": "5"}, {"type": "quoted", "id": "6"}],
    }
    tweet.update(over)
    return tweet


def _v1(i: int, **over) -> dict:
    tweet = {
        "id": 10**18 + i,
        "id_str": str(10**18 + i),
        "created_at": "Sun Oct 15 00:00:05 +0000 2017",
        "text": f"v1 {i} &lt;3 #MeToo and #metoo ＃ItWasMe",
        "user": {"id_str": str(i % 5), "screen_name": f"name{i % 5}"},
        "entities": {
            "hashtags": [{"text": "MeToo"}],
            "user_mentions": [{"screen_name": "bob"}],
            "urls": [{"url": "https://t.co/y", "expanded_url": None}],
        },
        "retweet_count": 2,
        "favorite_count": 1,
        "lang": "en",
        "in_reply_to_status_id_str": "77",
        "timestamp_ms": "1508025605000",
    }
    tweet.update(over)
    return tweet


def _reddit(i: int, **over) -> dict:
    comment = {
        "author": f"user{i % 9}",
        "body": f"comment {i} #MeToo\n## heading &amp; more",
        "created_utc": 1508025600 + i,
        "id": f"c{i:05x}",
        "link_id": "t3_abc",
        "parent_id": "t3_abc",
        "score": i,
        "subreddit": "MeToo",
    }
    comment.update(over)
    return comment


def _write(path, values) -> None:
    with open(path, "wb") as fh:
        for v in values:
            fh.write(v if isinstance(v, bytes) else json.dumps(v).encode() + b"\n")


def _hostile(make, i: int, rng: random.Random) -> list:
    """Lines the fast path must hand to the reader (or take exactly as it would)."""
    base = make(i)
    key_time = "created_utc" if "created_utc" in base else "created_at"
    return rng.choice(
        [
            [make(i, **{key_time: "2017-02-30T00:00:00.000Z"})],
            [make(i, **{key_time: "0001-01-01T00:00:00+01:00"})],
            [make(i, **{key_time: 1e20})],
            [make(i, **{key_time: "1508025600.5"})],
            [make(i, **{key_time: None})],
            [make(i, **{key_time: True})],
            [make(i, text=None, body=None)],
            [make(i, id=10**30, id_str=None)],
            [make(i, entities={"hashtags": [{"tag": None, "text": None}]})],
            [make(i, public_metrics={"retweet_count": True}, score=2.5)],
            [make(i, data=None, title=None)],
            [make(i, delete={"status": {"id_str": str(10**18 + i - 1)}})],
            [make(i, extended_tweet={"full_text": "long #Long"}, note_tweet={"text": "n #Note"})],
            [
                make(
                    i,
                    referenced_tweets=[{"type": "retweeted", "id": "9", "text": "orig #RT"}],
                    retweeted_status=make(i + 10_000),
                )
            ],
            [make(i, body="[deleted]", text="x")],
            [json.dumps(make(i)).encode()[:-9] + b'\xff\xfe"}\n'],
            [json.dumps(make(i, extra="\xe9t\xe9")).encode()[:-1] + b', "z": 1e999}\n'],
            [json.dumps(make(i)).encode()[:40] + b"\n"],
            [b"\n", b"   \n"],
            [make(i - 1)],  # a duplicate of the line before
            [make(i, author=None, user=None)],
            [make(i, permalink=f"/r/u_user{i % 9}/comments/x/")],
        ]
    )


@pytest.mark.parametrize("make", [_v2, _v1, _reddit], ids=["v2", "v1", "reddit"])
@pytest.mark.parametrize(
    ("pseudonymise", "chunk"), [(True, None), (False, None), (True, 3000)], ids=["p", "raw", "par"]
)
def test_fast_path_equals_streaming_on_generated_files(
    tmp_path, monkeypatch, make, pseudonymise, chunk
):
    if chunk:  # the file is cut in chunks parsed by worker processes
        monkeypatch.setattr(columnar, "CHUNK_BYTES", chunk)
        monkeypatch.setattr(columnar, "MIN_PARALLEL_BYTES", 0)
    rng = random.Random(11)
    lines: list = []
    for i in range(1, 400):
        lines.extend(_hostile(make, i, rng) if i % 3 == 0 else [make(i)])
    lines.append(json.dumps(make(400)).encode())  # a last line without its newline
    _write(tmp_path / "in.jsonl", lines)
    report = _both(
        tmp_path, monkeypatch, [tmp_path / "in.jsonl"], batch_size=50, pseudonymise=pseudonymise
    )
    assert report.stored > 200 and report.quarantined > 0


@pytest.mark.parametrize("make", [_v2, _v1, _reddit], ids=["v2", "v1", "reddit"])
def test_clean_chunks_are_decoded_whole_without_workers(tmp_path, monkeypatch, make):
    """With no worker processes a large plain file is still read in chunks: a chunk of clean
    lines is decoded whole, a chunk with a line that is not JSON goes line by line, and the
    store is the streaming path's."""
    monkeypatch.setattr(columnar, "CHUNK_BYTES", 3000)
    monkeypatch.setattr(columnar, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(columnar, "WORKERS", 1)
    line_by_line = []
    collect = columnar._collect

    def spy(*args):
        line_by_line.append(args[1].name)
        return collect(*args)

    monkeypatch.setattr(columnar, "_collect", spy)
    lines: list = [make(i) for i in range(1, 300)]
    lines[150] = b"not json\n"
    _write(tmp_path / "in.jsonl", lines)
    report = _both(tmp_path, monkeypatch, [tmp_path / "in.jsonl"], batch_size=50)
    assert report.quarantined == 1 and report.stored == 298
    assert len(line_by_line) == 1  # only the chunk with the bad line


def test_chunks_are_joined_into_whole_batches(tmp_path, monkeypatch):
    """A chunk holds fewer lines than a batch: consecutive chunks' batches are joined, so the
    writer gets batches of at least ``batch_size`` records, in line order."""
    monkeypatch.setattr(columnar, "CHUNK_BYTES", 3000)
    monkeypatch.setattr(columnar, "MIN_PARALLEL_BYTES", 0)
    lines: list = [_reddit(i) for i in range(1, 400)]
    lines[100] = b"not json\n"
    _write(tmp_path / "in.jsonl", lines)
    ((source, reader),) = iter_sources([tmp_path / "in.jsonl"])
    batches = list(columnar.read_columns(source, reader, 50))
    sizes = [b.columns.num_rows + len(b.records) for b in batches]
    assert all(n >= 50 for n in sizes[:-1]) and sum(sizes) == 399
    assert len(batches) < 399 * 300 // 3000  # fewer than one per chunk
    numbers = [n for b in batches for n in b.columns.column("source_line").to_pylist()]
    assert numbers == sorted(numbers) and len(numbers) == 398


def test_fast_path_equals_streaming_with_small_batches_and_a_deletion_list(tmp_path, monkeypatch):
    _write(tmp_path / "a.jsonl", [_v2(i) for i in range(1, 60)] + [_v2(3)])
    _write(tmp_path / "b.jsonl", [_reddit(i) for i in range(1, 60)])
    report = _both(
        tmp_path,
        monkeypatch,
        [tmp_path / "a.jsonl", tmp_path / "b.jsonl"],
        forgotten=["user3", "name2", str(10**18 + 5)],
        batch_size=7,
    )
    assert report.forgotten > 0


@pytest.mark.parametrize("pseudonymise", [True, False])
def test_fast_path_equals_streaming_on_real_samples(tmp_path, monkeypatch, pseudonymise):
    paths = [
        p
        for p in (
            FORMATS / "twitter_v2_twarc2",
            FORMATS / "twitter_v1_1",
            FORMATS / "reddit_dumps_ndjson",
            FORMATS / "twitwi_csv",
            FIXTURES / "twitter",
            FIXTURES / "twitter_v2",
            FIXTURES / "reddit",
        )
        if p.exists()
    ]
    if not any(p.is_relative_to(FORMATS) for p in paths):
        pytest.skip("../shared/formats is absent")
    # most real twarc2 samples are response pages (the bulk path); flat.jsonl is not
    report = _both(tmp_path, monkeypatch, paths, share=0.05, pseudonymise=pseudonymise)
    assert report.stored > 100


WRONG_TYPED = [
    (_v2, "lang"),
    (_v2, "text"),
    (_v2, "author_id"),
    (_v1, "lang"),
    (_v1, "text"),
    (_reddit, "body"),
    (_reddit, "subreddit"),
    (_reddit, "author"),
]


@pytest.mark.parametrize(
    ("make", "key"), WRONG_TYPED, ids=[f"{m.__name__}-{k}" for m, k in WRONG_TYPED]
)
def test_a_field_of_the_wrong_type_quarantines_its_record_not_the_file(
    tmp_path, monkeypatch, make, key
):
    """A number, list or object where a string belongs (seen in files others wrote) costs that
    record at most, quarantined and named by file and line; every other record is stored."""
    wrong = [12345, ["en", "fr"], {"nested": True}]
    bad_lines = {4, 14, 24}
    lines = [make(i, **({key: wrong[i // 10]} if i + 1 in bad_lines else {})) for i in range(30)]
    path = tmp_path / f"wrong-{key}.jsonl"
    _write(path, lines)
    report = _both(tmp_path, monkeypatch, [path], share=0.0)
    assert report.read == 30 and report.balanced and report.duplicates == 0
    with Store(tmp_path / "fast.duckdb", read_only=True) as s:
        quarantined = {r[0] for r in s.con.execute("SELECT line FROM quarantine").fetchall()}
        stored = s.con.execute("SELECT count(*) FROM posts").fetchone()[0]
    assert quarantined <= bad_lines
    assert stored + len(quarantined) == 30
    for line in quarantined:
        assert any(e.startswith(f"{path}:{line}:") for e in report.errors)


def test_a_malformed_post_on_an_already_quarantined_line_is_counted_once(tmp_path):
    """Every record written is accounted for: a malformed post from a line that already has a
    quarantined record counts as that record's duplicate, not as nothing."""
    from groundswell.schema import Post, Quarantined

    recs = [
        Quarantined(source_file="f.jsonl", line=1, reason="bad date", raw=b"{}"),
        Post(platform="twitter", id="1", text=["x"], source_file="f.jsonl", source_line=1),
        Post(platform="twitter", id="2", text="y", lang="en", source_file="f.jsonl", source_line=2),
    ]
    with Store(tmp_path / "once.duckdb") as s:
        counts = s.write_batch(recs)
        assert s.con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 1
    assert (counts.stored, counts.quarantined, counts.duplicates) == (1, 1, 1)
    assert counts.stored + counts.quarantined + counts.duplicates + counts.reposts == len(recs)


LIMIT, KEEP, CHUNK = 5000, 1000, 3000  # the line limit, bytes kept of a longer line, chunk size


def _small_limits(monkeypatch) -> None:
    """The line limit, the bytes an oversize line's record keeps and the chunk size made small,
    for the streaming path (``Source.lines``) and the chunked one alike."""
    from groundswell.ingest import source as source_module
    from groundswell.ingest.source import Source

    lines = Source.lines
    monkeypatch.setattr(Source, "lines", lambda self, limit=LIMIT, **kw: lines(self, limit, **kw))
    for module in (source_module, columnar):
        monkeypatch.setattr(module, "MAX_LINE_BYTES", LIMIT)
        monkeypatch.setattr(module, "RAW_KEEP_BYTES", KEEP)
    monkeypatch.setattr(columnar, "CHUNK_BYTES", CHUNK)
    monkeypatch.setattr(columnar, "MIN_PARALLEL_BYTES", 0)


def _sized(i: int, size: int, end: bytes = b"\n") -> bytes:
    """A twarc2 line of exactly ``size`` bytes before its newline."""
    base = json.dumps(_v2(i, text="")).encode()
    return json.dumps(_v2(i, text="a" * (size - len(base)))).encode() + end


def _with_long_lines(path) -> None:
    _write(
        path,
        [_v2(i) for i in range(1, 40)]
        + [_sized(40, 4000), _sized(41, LIMIT), _sized(42, LIMIT + 1)]  # > chunk, = and > limit
        + [_sized(43, 200_000), b"\n", b"  \n"]  # a huge line in the middle, blank lines
        + [_v2(i) for i in range(44, 80)]
        + [_sized(80, 300_000, b"")],  # a huge last line without its newline
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_a_huge_line_gives_the_streaming_paths_store_in_chunks(tmp_path, monkeypatch, workers):
    """Lines longer than a chunk, at the limit, one byte over it and far over it (in the middle
    and last, without a newline): the chunked path (in this process or worker processes) gives
    the streaming path's store, each oversize line one quarantined record with its first
    bytes, and reading goes on after it."""
    _small_limits(monkeypatch)
    monkeypatch.setattr(columnar, "WORKERS", workers)
    _with_long_lines(tmp_path / "in.jsonl")
    report = _both(tmp_path, monkeypatch, [tmp_path / "in.jsonl"], batch_size=20)
    assert report.stored == 77 and report.quarantined == 3
    with Store(tmp_path / "fast.duckdb", read_only=True) as s:
        rows = s.con.execute("SELECT line, raw FROM quarantine ORDER BY line").fetchall()
    assert [(line, len(raw)) for line, raw in rows] == [(42, KEEP), (43, KEEP), (82, KEEP)]
    assert rows[1][1] == _sized(43, 200_000)[:KEEP]


def test_the_chunk_reader_never_holds_a_huge_line(tmp_path, monkeypatch):
    """Cutting the file and reading its chunks hold no more than a chunk or a line within the
    limit at a time, and read each byte about once: a huge line is scanned for its end and
    dropped, only its first bytes read again for its quarantined record."""
    import tracemalloc

    _small_limits(monkeypatch)
    monkeypatch.setattr(columnar, "WORKERS", 1)
    path = tmp_path / "in.jsonl"
    _with_long_lines(path)
    reads: list[int] = []

    class Counted:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def seek(self, *args):
            return self.fh.seek(*args)

        def read(self, size=-1):
            data = self.fh.read(size)
            reads.append(len(data))
            return data

    monkeypatch.setattr(columnar, "open", lambda *a, **k: Counted(open(*a, **k)), raising=False)  # noqa: SIM115
    ((source, reader),) = iter_sources([path])
    tracemalloc.start()
    try:
        spans = list(columnar.chunks(source))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50_000  # the huge lines are 200 and 300 KB
    assert [s.first for s in spans if s.long] == [42, 43, 82]
    batches = list(columnar.read_columns(source, reader, 20))
    assert sum(len(b.records) for b in batches) == 3
    assert max(reads) <= LIMIT + 1
    assert sum(reads) < 3 * path.stat().st_size
