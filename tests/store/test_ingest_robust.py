"""Bad input never crashes a run and never vanishes: the reconciliation holds and the quarantine
names file and line."""

from __future__ import annotations

import gzip
import json
import shutil

import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundswell.store import Store, ingest
from gspaths import FIXTURES

PAGES = FIXTURES / "twitter_v2" / "pages.jsonl"


def _tweet_line(i: int) -> bytes:
    tweet = {
        "id": str(5000 + i),
        "text": f"post {i} #MeToo",
        "author_id": str(i % 7),
        "created_at": "2017-10-16T10:00:00.000Z",
        "edit_history_tweet_ids": [str(5000 + i)],
    }
    return (json.dumps({"data": [tweet], "includes": {"users": []}}) + "\n").encode()


def _quarantine(store: Store) -> list[tuple]:
    return store.con.execute(
        "SELECT source_file, line, reason FROM quarantine ORDER BY source_file, line"
    ).fetchall()


def test_fixture_pages_reconcile_and_dedupe(store):
    report = ingest([PAGES], store)
    assert report.balanced
    # 5 records in the pages + the retweeted original from includes; tweet 1003 appears twice
    assert (report.read, report.stored, report.duplicates, report.reposts) == (6, 3, 2, 1)
    rows = dict(store.con.execute("SELECT id, text FROM posts").fetchall())
    assert rows["1001"].startswith("It happened to me at my first job & I never said")
    assert store.con.execute("SELECT repost_of FROM reposts WHERE id = '1002'").fetchone() == (
        "1001",
    )
    tags = store.con.execute("SELECT hashtags FROM posts WHERE id = '1003'").fetchone()[0]
    assert tags == ["#metoo", "#timesup"]


def test_invalid_utf8_and_json_are_quarantined_with_line(tmp_path, store):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        _tweet_line(1)
        + b'{"data": [{"id": "9", "text": "caf\xe9"}]}\n'
        + b"{not json\n"
        + _tweet_line(2)
    )
    report = ingest([path], store)
    assert report.balanced and report.stored == 2 and report.quarantined == 2
    assert [(line, reason.split(":")[0]) for _, line, reason in _quarantine(store)] == [
        (2, "invalid UTF-8"),
        (3, "invalid JSON"),
    ]
    raw = store.con.execute("SELECT raw FROM quarantine WHERE line = 2").fetchone()[0]
    assert b"caf\xe9" in raw


def test_ten_megabyte_line_is_quarantined_and_reading_goes_on(tmp_path, store):
    path = tmp_path / "big.jsonl"
    huge = json.dumps({"data": [{"id": "77", "text": "x" * (10 * 1024 * 1024), "author_id": "1"}]})
    path.write_bytes(_tweet_line(1) + huge.encode() + b"\n" + _tweet_line(2))
    report = ingest([path], store)
    assert report.balanced and report.stored == 2 and report.quarantined == 1
    ((_, line, reason),) = _quarantine(store)
    assert line == 2 and "longer than" in reason


@pytest.mark.parametrize("kind", ["gz", "zst"])
def test_truncated_archive_keeps_what_was_read(tmp_path, store, kind):
    body = b"".join(_tweet_line(i) for i in range(2000))
    data = gzip.compress(body) if kind == "gz" else zstandard.ZstdCompressor().compress(body)
    path = tmp_path / f"cut.jsonl.{kind}"
    path.write_bytes(data[: len(data) // 2])
    report = ingest([path], store)
    assert report.balanced
    assert 0 < report.stored < 2000
    assert report.quarantined == 1
    ((src, line, reason),) = _quarantine(store)
    assert src == str(path) and line == report.stored + 1 and "truncated" in reason


def test_compression_detected_from_content_not_name(tmp_path, store):
    path = tmp_path / "misnamed.txt"
    path.write_bytes(gzip.compress(PAGES.read_bytes()))
    assert ingest([path], store).stored == 3


def test_zip_members_are_sources(tmp_path, store):
    archive = shutil.make_archive(str(tmp_path / "export"), "zip", PAGES.parent)
    report = ingest([archive], store)
    assert report.stored == 3
    assert (
        store.con.execute("SELECT any_value(source_file) FROM posts")
        .fetchone()[0]
        .endswith("export.zip!pages.jsonl")
    )


def test_folder_with_unknown_files_skips_them(tmp_path, store):
    (tmp_path / "notes.bin").write_bytes(b"\x00\x01\x02 binary")
    (tmp_path / "empty.json").write_bytes(b"")
    shutil.copy(PAGES, tmp_path / "pages.jsonl")
    report = ingest([tmp_path], store)
    assert report.stored == 3
    named = sorted(p.rsplit("/", 1)[1] for p in report.skipped_files)
    # the store's own files (the fixture keeps it in this folder) are named as skipped too
    assert [n for n in named if not n.startswith("test.duckdb")] == ["empty.json", "notes.bin"]
    assert all("the store this run writes" in n for n in named if n.startswith("test.duckdb"))


def test_nothing_readable_is_an_error_naming_the_file(tmp_path, store):
    from groundswell.errors import InputError

    path = tmp_path / "nothing.bin"
    path.write_bytes(b"\x00\x00")
    with pytest.raises(InputError, match=r"nothing\.bin"):
        ingest([path], store)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(
        st.one_of(
            st.binary(max_size=200),
            st.text(max_size=200).map(str.encode),
            st.builds(
                lambda i, t: _tweet_line(i) if t else _tweet_line(i)[:-20] + b"\n",
                st.integers(0, 50),
                st.booleans(),
            ),
            st.dictionaries(
                st.sampled_from(["id", "text", "data", "author_id", "created_at"]),
                st.one_of(st.none(), st.integers(), st.text(max_size=20)),
                max_size=5,
            ).map(lambda d: json.dumps(d).encode()),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_generated_garbage_never_crashes_and_reconciles(tmp_path_factory, lines):
    folder = tmp_path_factory.mktemp("garbage")
    path = folder / "garbage.jsonl"
    # a valid first line so the file is detected as twitter_v2; then anything
    path.write_bytes(_tweet_line(999) + b"\n".join(line.replace(b"\n", b" ") for line in lines))
    with Store(folder / "g.duckdb") as store:
        report = ingest([path], store, fmt="twitter_v2")
        assert report.balanced
        assert report.stored >= 1
        n_posts = store.con.execute("SELECT count(*) FROM posts").fetchone()[0]
        n_bad = store.con.execute("SELECT count(*) FROM quarantine").fetchone()[0]
        assert n_posts == report.stored and n_bad == report.quarantined
        assert all(line >= 1 for _, line, _ in _quarantine(store))
