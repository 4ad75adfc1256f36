"""Sources that are hard to read still give what is readable: truncated .gz/.zst, pipes, FIFOs,
zip members with a bad CRC or a password; and decompression stays within bounded memory."""

from __future__ import annotations

import gzip
import json
import os
import threading
import tracemalloc
import zipfile
import zlib

import pytest
import zstandard

from groundswell.ingest import source as source_module
from groundswell.ingest.source import Source, sources_from_path
from groundswell.store import Store, ingest

N = 300


def _jsonl(n: int = N, start: int = 0) -> bytes:
    return b"".join(
        json.dumps(
            {
                "data": [
                    {
                        "id": str(10_000 + i),
                        "text": f"post number {i} with words that do not compress "
                        + os.urandom(8).hex(),
                        "author_id": str(i % 13),
                        "created_at": "2020-01-01T00:00:00.000Z",
                    }
                ]
            }
        ).encode()
        + b"\n"
        for i in range(start, start + n)
    )


def _stored(store: Store) -> int:
    return store.con.execute("SELECT count(*) FROM posts").fetchone()[0]


def _zst_in_blocks(data: bytes, lines_per_block: int = 50) -> bytes:
    """zstd as a streaming writer makes it: a block flushed every few lines."""
    cobj = zstandard.ZstdCompressor().compressobj()
    lines = data.splitlines(keepends=True)
    out = []
    for i in range(0, len(lines), lines_per_block):
        out.append(cobj.compress(b"".join(lines[i : i + lines_per_block])))
        out.append(cobj.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK))
    out.append(cobj.flush())
    return b"".join(out)


@pytest.mark.parametrize("kind", ["gz", "zst"])
def test_truncated_compressed_file_gives_its_readable_prefix(tmp_path, store, kind):
    data = _jsonl()
    assert len(data) < 64 * 1024  # all of it, and so the cut, inside the first 64 KB
    packed = gzip.compress(data) if kind == "gz" else _zst_in_blocks(data)
    path = tmp_path / f"cut.jsonl.{kind}"
    path.write_bytes(packed[: len(packed) // 2])
    report = ingest([path], store)
    assert report.balanced and report.skipped_files == []
    assert report.stored > N // 4 and report.quarantined == 1
    (reason,) = store.con.execute("SELECT reason FROM quarantine").fetchone()
    assert "truncated" in reason


@pytest.mark.parametrize("kind", ["gz", "zst"])
def test_truncated_compressed_file_past_its_head_keeps_every_whole_line(tmp_path, store, kind):
    """Cut well past the first 64 KB (which detection reads first): every line decompressed
    before the cut is stored, not only those of the head."""
    data = _jsonl(2000)
    assert len(data) > 4 * 64 * 1024
    packed = gzip.compress(data) if kind == "gz" else _zst_in_blocks(data)
    cut = packed[: len(packed) * 3 // 4]
    (tmp_path / f"cut.jsonl.{kind}").write_bytes(cut)
    if kind == "gz":
        readable = zlib.decompressobj(31).decompress(cut)
    else:
        readable = b"".join(zstandard.ZstdDecompressor().read_to_iter(cut, read_size=1 << 16))
    whole = readable.count(b"\n")
    assert whole > 1000  # far past the head
    report = ingest([tmp_path / f"cut.jsonl.{kind}"], store)
    assert report.balanced and report.stored == whole and report.quarantined == 1


def _feed(fd_or_path, data: bytes) -> threading.Thread:
    def write() -> None:
        if isinstance(fd_or_path, int):
            with os.fdopen(fd_or_path, "wb") as fh:
                fh.write(data)
        else:
            with open(fd_or_path, "wb") as fh:
                fh.write(data)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def _ingest_within(paths, store, seconds: float = 30) -> object:
    result: dict = {}

    def run() -> None:
        try:
            result["report"] = ingest(paths, store, progress=False)
        except BaseException as exc:  # pragma: no cover - shown by the assert below
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "ingest hung on a pipe"
    assert "error" not in result, result.get("error")
    return result["report"]


@pytest.mark.parametrize("compressed", [False, True])
def test_pipe_like_process_substitution_is_read_once(tmp_path, store, compressed):
    data = _jsonl(3000)  # more than the 64 KB head
    if compressed:
        data = gzip.compress(data)
    read_fd, write_fd = os.pipe()
    _feed(write_fd, data)
    report = _ingest_within([f"/dev/fd/{read_fd}"], store)
    assert report.balanced and report.stored == 3000 and report.quarantined == 0
    os.close(read_fd)


def test_fifo_is_opened_once_not_twice(tmp_path, store):
    fifo = tmp_path / "feed.jsonl"
    os.mkfifo(fifo)
    _feed(str(fifo), _jsonl(1000))
    report = _ingest_within([fifo], store)
    assert report.stored == 1000 and report.balanced


def _zip(path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def test_zip_member_with_bad_crc_is_read_and_flagged(tmp_path, store):
    path = tmp_path / "x.zip"
    good = _jsonl(20)
    _zip(path, {"a.jsonl": good, "b.jsonl": _jsonl(5, start=500)})
    raw = path.read_bytes()
    at = raw.index(b"post number 3 ")
    path.write_bytes(raw[:at] + b"P" + raw[at + 1 :])  # damage one byte: the CRC no longer fits
    report = ingest([path], store)
    assert report.balanced and report.stored == 25 and report.quarantined == 1
    (reason,) = store.con.execute("SELECT reason FROM quarantine").fetchone()
    assert "CRC" in reason


def test_encrypted_zip_member_is_skipped_with_a_reason(tmp_path, store):
    path = tmp_path / "x.zip"
    _zip(path, {"secret.jsonl": _jsonl(3), "open.jsonl": _jsonl(4, start=100)})
    raw = bytearray(path.read_bytes())
    # mark the first member encrypted, as a password-protected archive does (flag bit 0)
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        at = raw.index(sig)
        flag_at = at + (6 if sig == b"PK\x03\x04" else 8)
        raw[flag_at] |= 0x1
    path.write_bytes(bytes(raw))
    report = ingest([path], store)
    assert report.stored == 4 and report.balanced
    assert any("secret.jsonl" in s and "encrypted" in s for s in report.skipped_files)


def test_zip_of_many_members_opens_the_archive_once(tmp_path, store, monkeypatch):
    path = tmp_path / "many.zip"
    _zip(path, {f"m{i}.jsonl": _jsonl(1, start=i) for i in range(300)})
    opened = []

    class Counting(zipfile.ZipFile):
        def __init__(self, *args, **kwargs):
            opened.append(args[0])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(source_module.zipfile, "ZipFile", Counting)
    report = ingest([path], store)
    assert report.stored == 300 and len(opened) == 1


def test_small_zst_expanding_far_is_read_in_bounded_memory(tmp_path):
    line = b'{"data": [{"id": "1", "text": "' + b"a" * 200 + b'", "author_id": "2"}]}\n'
    cctx = zstandard.ZstdCompressor(level=19)
    path = tmp_path / "bomb.jsonl.zst"
    path.write_bytes(cctx.compress(line * 300_000))  # ~70 MB out of a few KB
    assert path.stat().st_size < 100_000
    source = next(sources_from_path(path))
    tracemalloc.start()
    total = 0
    with source.open() as fh:
        while chunk := fh.read(1 << 20):
            total += len(chunk)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert total == len(line) * 300_000
    assert peak < 40 * 1024 * 1024, peak


def test_compressed_file_with_nothing_readable_is_skipped_with_the_reason(tmp_path, store):
    path = tmp_path / "tiny.jsonl.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress(_jsonl(5))[:40])
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(_jsonl(2, start=900))
    report = ingest([tmp_path], store)
    assert report.stored == 2
    assert any("tiny.jsonl.zst" in s and "truncated" in s for s in report.skipped_files)


def test_head_of_a_pipe_is_kept_for_reading(tmp_path):
    read_fd, write_fd = os.pipe()
    _feed(write_fd, b"hello\nworld\n")
    source = Source(source_module.Path(f"/dev/fd/{read_fd}"))
    assert source.head() == b"hello\nworld\n"
    assert [x for x in source.lines()] == [(1, b"hello\n"), (2, b"world\n")]
    os.close(read_fd)
