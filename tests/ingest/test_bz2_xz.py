"""Reddit dumps of #MeToo's first year came from Pushshift as .bz2 (to November 2017) and .xz
(2017-2018): both read as the plain file does, stream after stream (pbzip2 and pixz write
several), also compressed twice or three times over, and a cut download keeps its readable
records with the cut quarantined."""

from __future__ import annotations

import bz2
import gzip
import lzma
from pathlib import Path

import pytest

from groundswell.store import Store, ingest
from gspaths import sample_path

SAMPLES = [
    "reddit/RC_2017-10_sample.ndjson",
    "reddit/RS_2017-10_sample.ndjson",
    "twitter/v1_stream.jsonl",
    "twitter_v2/pages.jsonl",
    "formats:reddit_dumps_ndjson/pushshift_importer/test_comments.json",
]
COMPRESS = {
    "bz2": bz2.compress,
    "xz": lzma.compress,
    "bz2-streams": lambda b: bz2.compress(b[: len(b) // 2]) + bz2.compress(b[len(b) // 2 :]),
    "xz-streams": lambda b: lzma.compress(b[: len(b) // 3]) + lzma.compress(b[len(b) // 3 :]),
    # compressed twice or three times over, as a careless script or a re-upload leaves it
    "gz-gz": lambda b: gzip.compress(gzip.compress(b)),
    "bz2-in-gz": lambda b: gzip.compress(bz2.compress(b)),
    "xz-bz2-gz": lambda b: gzip.compress(bz2.compress(lzma.compress(b))),
}


def _read(path: Path, db: Path):
    with Store(db) as store:
        report = ingest([path], store)
        rows = store.con.execute("SELECT id, text, author, created_at FROM posts ORDER BY ALL")
        return rows.fetchall(), report


@pytest.mark.parametrize("kind", list(COMPRESS))
@pytest.mark.parametrize("rel", SAMPLES)
def test_a_compressed_dump_reads_as_the_plain_file(rel, kind, tmp_path):
    plain = sample_path(rel)
    packed = tmp_path / f"{plain.name}.{kind.split('-')[0]}"
    packed.write_bytes(COMPRESS[kind](plain.read_bytes()))
    want, want_report = _read(plain, tmp_path / "a.duckdb")
    (tmp_path / "b.duckdb.key").write_bytes((tmp_path / "a.duckdb.key").read_bytes())
    got, report = _read(packed, tmp_path / "b.duckdb")
    assert want and got == want
    for count in ("read", "stored", "duplicates", "reposts", "quarantined"):
        assert getattr(report, count) == getattr(want_report, count), count


@pytest.mark.parametrize("compress", [bz2.compress, lzma.compress], ids=["bz2", "xz"])
def test_a_cut_download_keeps_what_it_holds(compress, tmp_path):
    lines = sample_path("reddit/RC_2017-10_sample.ndjson").read_bytes().splitlines(keepends=True)
    # over three bzip2 blocks (900 KB each), so a cut leaves whole blocks of records before it
    body = b"".join(lines * (3_000_000 // len(b"".join(lines)) + 1))
    packed = tmp_path / "RC_2017-10.cut"
    data = compress(body)
    packed.write_bytes(data[: len(data) * 3 // 4])
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([packed], store)
        reasons = [r[0] for r in store.con.execute("SELECT reason FROM quarantine").fetchall()]
    assert report.balanced and report.read > 0
    assert report.stored + report.duplicates > 0
    assert any("truncated" in r for r in reasons)
