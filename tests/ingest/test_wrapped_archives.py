"""Archives wrapped in compression or piped in (x.zip.gz, x.tar.gz.gz, a tar through a FIFO),
files compressed more times than are opened, and tar hard links to nothing: every file is read
or skipped with a reason that names it, and the counts reconcile."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import tracemalloc
import zipfile
from pathlib import Path

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


def _comments() -> bytes:
    """Pushshift Reddit comment lines."""
    rows = [
        {
            "id": f"dnz4k{i}q",
            "author": f"commenter_{i}",
            "body": f"#MeToo comment {i}: believe survivors",
            "created_utc": 1508198400 + i,
            "link_id": "t3_76p9wm",
            "parent_id": "t3_76p9wm",
            "score": 12 - i,
            "subreddit": "news",
            "subreddit_id": "t5_2qh3l",
        }
        for i in range(3)
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
