"""A folder of exports packed as .tar, .tar.gz, .tar.bz2 or .tar.xz (how datasets are shared on
Zenodo and Dataverse) reads as the folder does, each member named in provenance; a cut archive
keeps the members before the cut and says where it broke."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from groundswell.store import Store, ingest

DATA = Path(__file__).resolve().parents[1] / "data"
FILES = [
    "reddit/RC_2017-10_sample.ndjson",
    "twitter/v1_stream.jsonl",
    "twitter/twarc_csv_sample.csv",
    "bluesky/jetstream_sample.jsonl",
]


def _pack(tmp_path: Path, mode: str, suffix: str) -> Path:
    archive = tmp_path / f"exports{suffix}"
    with tarfile.open(archive, mode) as tar:
        for rel in FILES:
            tar.add(DATA / rel, arcname=f"exports/{rel}")
    return archive


def _read(paths: list[Path], db: Path):
    with Store(db) as store:
        report = ingest(paths, store)
        posts = store.con.execute("SELECT platform, id, text, author FROM posts ORDER BY ALL")
        return (
            posts.fetchall(),
            report,
            store.con.execute("SELECT DISTINCT source_file FROM posts").fetchall(),
        )


@pytest.mark.parametrize(
    ("mode", "suffix"),
    [("w", ".tar"), ("w:gz", ".tar.gz"), ("w:bz2", ".tar.bz2"), ("w:xz", ".tar.xz")],
)
def test_a_tar_archive_reads_as_its_files(tmp_path, mode, suffix):
    want, want_report, _ = _read([DATA / rel for rel in FILES], tmp_path / "a.duckdb")
    (tmp_path / "b.duckdb.key").write_bytes((tmp_path / "a.duckdb.key").read_bytes())
    got, report, files = _read([_pack(tmp_path, mode, suffix)], tmp_path / "b.duckdb")
    assert want and got == want
    for count in ("read", "stored", "duplicates", "reposts", "quarantined"):
        assert getattr(report, count) == getattr(want_report, count), count
    assert report.files == len(FILES) and not report.skipped_files
    assert all(f"{suffix}!exports/" in f[0] for f in files)


def test_a_cut_tar_archive_keeps_the_members_before_the_cut(tmp_path):
    archive = _pack(tmp_path, "w", ".tar")
    data = archive.read_bytes()
    cut = tmp_path / "cut.tar"
    cut.write_bytes(data[: int(len(data) * 0.7)])
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([cut], store)
    assert report.balanced and report.stored > 0
    assert any("cut or damaged" in s or "truncated" in s for s in report.skipped_files) or (
        report.quarantined > 0
    )


def test_links_devices_and_pipes_in_a_tar_are_named_as_skipped(tmp_path):
    archive = _pack(tmp_path, "w", ".tar")
    with tarfile.open(archive, "a") as tar:
        for name, kind, target in [
            ("exports/passwd.jsonl", tarfile.SYMTYPE, "/etc/passwd"),
            ("exports/again.jsonl", tarfile.LNKTYPE, f"exports/{FILES[1]}"),
            ("exports/tty", tarfile.CHRTYPE, ""),
            ("exports/fifo", tarfile.FIFOTYPE, ""),
        ]:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, target
            tar.addfile(info)
    _, want, _ = _read([DATA / rel for rel in FILES], tmp_path / "a.duckdb")
    _, report, _ = _read([archive], tmp_path / "b.duckdb")
    assert report.balanced and report.stored == want.stored and report.files == len(FILES)
    skipped = "\n".join(report.skipped_files)
    assert len(report.skipped_files) == 4, skipped
    assert (
        "exports/passwd.jsonl (a link inside the archive (to '/etc/passwd'), not followed)"
        in skipped
    )
    assert "exports/again.jsonl (a hard link to" in skipped
    assert "exports/tty (a device or pipe entry" in skipped and "exports/fifo (" in skipped


@pytest.mark.parametrize(("mode", "suffix"), [("w:gz", ".tar.gz"), ("zip", ".zip")])
def test_a_worker_finds_an_archive_member_again_and_reads_it_whole(tmp_path, mode, suffix):
    """A Ray worker reaches a member by its name (SourceRef.open): the archive listing it has
    ended by then, and the member must still read whole."""
    import zipfile

    from groundswell.engines.blocks import SourceRef

    if mode == "zip":
        archive = tmp_path / f"exports{suffix}"
        with zipfile.ZipFile(archive, "w") as zf:
            for rel in FILES:
                zf.write(DATA / rel, arcname=f"exports/{rel}")
    else:
        archive = _pack(tmp_path, mode, suffix)
    for rel in FILES:
        source = SourceRef(str(archive), f"exports/{rel}").open()
        want = [ln for ln in (DATA / rel).read_bytes().splitlines() if ln.strip()]
        assert [line.rstrip(b"\r\n") for _, line in source.lines()] == want
