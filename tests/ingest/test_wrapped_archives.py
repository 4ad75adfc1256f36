"""Archives wrapped in compression or piped in (x.zip.gz, x.tar.gz.gz, a tar through a FIFO),
files compressed more times than are opened, and tar hard links to nothing: every file is read
or skipped with a reason that names it, and the counts reconcile."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import random
import tarfile
import threading
import tracemalloc
import zipfile
from pathlib import Path

import pytest
import zstandard

from groundswell.ingest import source as source_module
from groundswell.ingest.source import MAX_LAYERS, Source
from groundswell.store import Store, ingest


def _tweets() -> bytes:
    """twarc2 response lines: three tweets, a retweet of the first and one page again."""
    user = {"id": "2244994945", "username": "speak_up_now", "name": "Speak Up"}

    def page(tid: str, text: str, refs: list | None = None) -> dict:
        tweet = {
            "id": tid,
            "text": text,
            "author_id": user["id"],
            "conversation_id": tid,
            "created_at": "2017-10-16T09:12:03.000Z",
            "lang": "en",
            "public_metrics": {"retweet_count": 3, "reply_count": 1, "like_count": 9},
        }
        if refs:
            tweet["referenced_tweets"] = refs
        return {
            "data": [tweet],
            "includes": {"users": [user]},
            "__twarc": {"url": "https://api.twitter.com/2/tweets/search/all", "version": "2.14"},
        }

    pages = [
        page("920067975128203264", "If you've been sexually harassed or assaulted write #MeToo"),
        page("920071205534842880", "#MeToo. Me too. Me too."),
        page("920075550288502785", "Reading every #MeToo tonight and listening"),
        page(
            "920080000000000001",
            "RT @speak_up_now: If you've been sexually harassed or assaulted write #MeToo",
            [{"type": "retweeted", "id": "920067975128203264"}],
        ),
    ]
    lines = [json.dumps(p) for p in pages] + [json.dumps(pages[1])]
    return "\n".join(lines).encode() + b"\n"


def _comments(n: int = 3, first: int = 0) -> bytes:
    """Pushshift Reddit comment lines (with words that do not compress far, the same each run)."""
    noise = random.Random(first)
    rows = [
        {
            "id": f"dnz{i:06d}",
            "author": f"commenter_{i}",
            "body": f"#MeToo comment {i}: believe survivors {noise.getrandbits(64):016x}",
            "created_utc": 1508198400 + i,
            "link_id": "t3_76p9wm",
            "parent_id": "t3_76p9wm",
            "score": 12 - i,
            "subreddit": "news",
            "subreddit_id": "t5_2qh3l",
        }
        for i in range(first, first + n)
    ]
    return b"".join(json.dumps(r).encode() + b"\n" for r in rows)


MEMBERS = {"export/tweets.jsonl": _tweets(), "export/RC_2017-10.ndjson": _comments()}


def _tar(members: dict[str, bytes] = MEMBERS) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _zip(members: dict[str, bytes] = MEMBERS) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def _ingest(paths: list, db: Path):
    with Store(db) as store:
        report = ingest(paths, store, progress=False)
        files = store.con.execute("SELECT DISTINCT source_file FROM posts ORDER BY 1").fetchall()
        return report, [f for (f,) in files]


def _reconciles(report) -> None:
    assert report.balanced
    assert report.read == (
        report.stored + report.duplicates + report.reposts + report.quarantined
    ), report.to_dict()


def test_a_hard_link_to_a_file_missing_from_the_tar_says_so(tmp_path):
    """A link whose target is not in the archive has nothing to be read under: it must not be
    reported as read under the target's name."""
    archive = tmp_path / "export.tar"
    archive.write_bytes(_tar())
    with tarfile.open(archive, "a") as tar:
        for name, target in [
            ("export/again.jsonl", "export/tweets.jsonl"),
            ("export/lost.jsonl", "export/deleted_before_packing.jsonl"),
        ]:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.LNKTYPE, target
            tar.addfile(info)
    report, files = _ingest([archive], tmp_path / "a.duckdb")
    _reconciles(report)
    assert report.stored == 6 and report.duplicates == 1 and report.reposts == 1
    assert files == [f"{archive}!export/RC_2017-10.ndjson", f"{archive}!export/tweets.jsonl"]
    assert report.skipped_files == [
        f"{archive}!export/again.jsonl (a hard link to 'export/tweets.jsonl', which is read "
        "under its own name)",
        f"{archive}!export/lost.jsonl (a hard link to 'export/deleted_before_packing.jsonl', "
        "whose target is missing from the archive: not read)",
    ]


def _gzip_times(data: bytes, n: int) -> bytes:
    for _ in range(n):
        data = gzip.compress(data, compresslevel=1)
    return data


def test_a_fourth_layer_of_compression_is_skipped_naming_the_file(tmp_path):
    """Three layers are opened (.json.gz.gz.gz is read); a fourth is not, and the file is
    named with the reason instead of 'no known format'."""
    read = tmp_path / "tweets.jsonl.gz.gz.gz"
    read.write_bytes(_gzip_times(_tweets(), MAX_LAYERS))
    refused = tmp_path / "comments.json.gz.gz.gz.gz"
    refused.write_bytes(_gzip_times(_comments(), MAX_LAYERS + 1))
    report, files = _ingest([read, refused], tmp_path / "a.duckdb")
    _reconciles(report)
    assert files == [str(read)] and report.stored == 3 and report.reposts == 1
    assert report.skipped_files == [
        f"{refused} (more than 3 layers of compression (gzip inside gzip+gzip+gzip): not "
        "opened; decompress it and ingest that)"
    ]


def test_a_fourth_layer_is_not_inflated(tmp_path):
    """64 MB of zeros under four layers of gzip: looking at it stays within a few MB."""
    bomb = tmp_path / "bomb.jsonl.gz.gz.gz.gz"
    bomb.write_bytes(_gzip_times(bytes(64 << 20), MAX_LAYERS + 1))
    tracemalloc.start()
    try:
        source = Source(bomb)
        assert source.head() == b"" and source.skip_reason.startswith("more than 3 layers")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20


WRAPS = {
    "zip.gz": lambda: gzip.compress(_zip()),
    "tar.gz.gz": lambda: _gzip_times(_tar(), 2),
    "tar.zst": lambda: zstandard.ZstdCompressor().compress(_tar()),
    "tar.xz.bz2": lambda: bz2.compress(lzma.compress(_tar())),
}


def _members_of(path: Path) -> list[str]:
    return [f"{path}!{name}" for name in sorted(MEMBERS)]


@pytest.mark.parametrize("suffix", sorted(WRAPS))
def test_an_archive_inside_compression_is_read_member_by_member(tmp_path, suffix):
    """Each member is read and named as in the bare archive: not 'no known format', and not
    the archive's own bytes read as lines."""
    path = tmp_path / f"export.{suffix}"
    path.write_bytes(WRAPS[suffix]())
    report, files = _ingest([path], tmp_path / "a.duckdb")
    _reconciles(report)
    assert (report.stored, report.duplicates, report.reposts) == (6, 1, 1)
    assert report.quarantined == 0 and report.files == 2 and report.skipped_files == []
    assert files == _members_of(path)


def _feed(where: str | int, data: bytes) -> threading.Thread:
    def write() -> None:
        with open(where, "wb") as fh:
            fh.write(data)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


BIG = {  # more than one head (64 KB) of comments before the tweets
    "export/RC_2017-10.ndjson": _comments(2000),
    "export/tweets.jsonl": _tweets(),
}


@pytest.mark.parametrize("wrap", ["tar", "tar.gz", "zip"])
@pytest.mark.parametrize("pipe", ["fifo", "process substitution"])
def test_an_archive_piped_in_is_read_member_by_member(tmp_path, wrap, pipe):
    """A FIFO or ``<(cat export.tar)``: the archive is read once, from the pipe."""
    data = _zip(BIG) if wrap == "zip" else _tar(BIG)
    if wrap == "tar.gz":
        data = gzip.compress(data)
    if pipe == "fifo":
        path = tmp_path / f"feed.{wrap}"
        os.mkfifo(path)
        feeder = _feed(str(path), data)
    else:
        read_fd, write_fd = os.pipe()
        path = Path(f"/dev/fd/{read_fd}")
        feeder = _feed(write_fd, data)
    report, files = _ingest([path], tmp_path / "a.duckdb")
    feeder.join(10)
    _reconciles(report)
    assert (report.stored, report.duplicates, report.reposts) == (2003, 1, 1)
    assert report.skipped_files == [] and files == _members_of(path)


def test_a_cut_tar_piped_in_keeps_the_members_before_the_cut(tmp_path):
    """The download broke off in the third member: the first two are stored, the third keeps
    what came, and the break is named."""
    data = _tar({**BIG, "export/more.ndjson": _comments(3000, 5000)})
    path = tmp_path / "feed.tar"
    os.mkfifo(path)
    feeder = _feed(str(path), data[: len(data) - 100_000])
    report, files = _ingest([path], tmp_path / "a.duckdb")
    feeder.join(10)
    _reconciles(report)
    assert report.stored > 2003 and files == sorted(
        [*_members_of(path), f"{path}!export/more.ndjson"]
    )
    assert report.skipped_files == [
        f"{path}!(after 3 members) (tar archive in a pipe cut or damaged after 3 members: "
        "unexpected end of data)"
    ]


def test_layers_around_a_tar_count_towards_its_members_layers(tmp_path):
    """x.tar.gz.gz holding tweets.jsonl.gz.gz is four layers deep: that member is skipped."""
    inner = {"export/tweets.jsonl.gz.gz": _gzip_times(_tweets(), 2), **MEMBERS}
    del inner["export/tweets.jsonl"]
    path = tmp_path / "export.tar.gz.gz"
    path.write_bytes(_gzip_times(_tar(inner), 2))
    report, files = _ingest([path], tmp_path / "a.duckdb")
    _reconciles(report)
    assert files == [f"{path}!export/RC_2017-10.ndjson"] and report.stored == 3
    assert report.skipped_files == [
        f"{path}!export/tweets.jsonl.gz.gz (more than 3 layers of compression (gzip inside "
        "gzip+gzip+gzip): not opened; decompress it and ingest that)"
    ]


def test_a_zip_in_compression_too_large_to_copy_is_skipped_saying_so(tmp_path, monkeypatch):
    monkeypatch.setattr(source_module, "MAX_SPOOL_BYTES", 1024)
    big = tmp_path / "export.zip.gz"
    big.write_bytes(gzip.compress(_zip(BIG)))
    small = tmp_path / "tweets.jsonl.gz"
    small.write_bytes(gzip.compress(_tweets()))
    report, files = _ingest([big, small], tmp_path / "a.duckdb")
    _reconciles(report)
    assert files == [str(small)] and report.stored == 3
    assert report.skipped_files == [
        f"{big} (a zip archive in gzip larger than 1024 bytes, not copied out: unzip it and "
        "ingest the files)"
    ]


CUTS = {
    "jsonl.gz.gz": lambda data: _gzip_times(data, 2),
    "jsonl.zst.gz": lambda data: gzip.compress(zstandard.ZstdCompressor().compress(data)),
    "jsonl.gz.xz": lambda data: lzma.compress(gzip.compress(data)),
}


@pytest.mark.parametrize("suffix", sorted(CUTS))
def test_a_cut_file_compressed_twice_keeps_what_it_holds(tmp_path, suffix):
    """As a cut .jsonl.gz does: the lines before the cut are stored, one record says where it
    broke (not the whole file lost to the inner layer's error)."""
    path = tmp_path / f"RC_2017-10.{suffix}"
    data = CUTS[suffix](_comments(20_000))
    path.write_bytes(data[: int(len(data) * 0.8)])
    report, files = _ingest([path], tmp_path / "a.duckdb")
    _reconciles(report)
    assert files == [str(path)] and report.skipped_files == []
    assert report.stored > 10_000 and report.quarantined == 1
    assert "truncated" in report.errors[0]


def test_a_cut_tar_in_two_layers_keeps_the_members_before_the_cut(tmp_path):
    data = _gzip_times(_tar({**MEMBERS, "export/more.ndjson": _comments(20_000, 5000)}), 2)
    path = tmp_path / "export.tar.gz.gz"
    path.write_bytes(data[: int(len(data) * 0.8)])
    report, files = _ingest([path], tmp_path / "a.duckdb")
    _reconciles(report)
    assert files == sorted([*_members_of(path), f"{path}!export/more.ndjson"])
    assert report.stored > 5_000 and report.quarantined == 1
    (skipped,) = report.skipped_files
    assert skipped.startswith(f"{path}!(after 3 members) (tar archive in gzip+gzip cut or damaged")


def test_an_archive_whose_bytes_look_like_text_is_not_recoded(tmp_path):
    """A stored zip of lines ended by a bare CR has no newline in it: its bytes must reach the
    zip reader as they are, not with each CR made a newline (which breaks every member)."""
    tweets = _tweets().replace(b"\n", b"\r")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("export/tweets.jsonl", tweets)
    assert b"\n" not in out.getvalue() and out.getvalue().count(b"\r") >= 2
    path = tmp_path / "export.zip.gz"
    path.write_bytes(gzip.compress(out.getvalue()))
    report, files = _ingest([path], tmp_path / "a.duckdb")
    _reconciles(report)
    assert files == [f"{path}!export/tweets.jsonl"] and report.skipped_files == []
    assert (report.stored, report.duplicates, report.reposts, report.quarantined) == (3, 1, 1, 0)


@pytest.mark.parametrize(
    ("suffix", "kind"), [(".tar.gz", "gzip"), (".tar.bz2", "bzip2"), (".tar.xz", "xz")]
)
def test_the_compression_of_a_plain_compressed_tar_counts_towards_its_members_layers(
    tmp_path, suffix, kind
):
    """x.tar.gz holding tweets.jsonl.gz.gz.gz is four layers deep, as x.tar.gz.gz holding a
    .gz.gz member is: that member is skipped (its three inner layers were all opened)."""
    inner = {"export/tweets.jsonl.gz.gz.gz": _gzip_times(_tweets(), 3), **MEMBERS}
    del inner["export/tweets.jsonl"]
    path = tmp_path / f"export{suffix}"
    with tarfile.open(path, f"w:{suffix.rsplit('.', 1)[1]}") as tar:
        for name, data in inner.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    report, files = _ingest([path], tmp_path / "a.duckdb")
    _reconciles(report)
    assert files == [f"{path}!export/RC_2017-10.ndjson"] and report.stored == 3
    assert report.skipped_files == [
        f"{path}!export/tweets.jsonl.gz.gz.gz (more than 3 layers of compression (gzip inside "
        f"{kind}+gzip+gzip): not opened; decompress it and ingest that)"
    ]
