"""Paths and archives as real disks hold them: file and member names that are not UTF-8, two
archive members of one name, folders that cannot be listed, links to nothing or to folders
(a loop among them), zstd files that open with a skippable frame, tar archives of many members.
Each is read, or reported skipped with its reason: never a traceback, never a silent loss."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest
import zstandard

from groundswell.engines.blocks import SourceRef
from groundswell.ingest.source import sources_from_path
from groundswell.store import Store, ingest
from gspaths import FIXTURES

V1 = FIXTURES / "twitter" / "v1_stream.jsonl"
V2 = FIXTURES / "twitter_v2" / "pages.jsonl"


def _ingest(paths: list[Path], db: Path) -> tuple[dict, set[str], list[str]]:
    """The report, the stored post and repost ids and the source files named in the store."""
    with Store(db) as store:
        report = ingest(paths, store, progress=False).to_dict()
        con = store.con
        ids = {
            r[0]
            for r in con.execute("SELECT id FROM posts UNION SELECT id FROM reposts").fetchall()
        }
        files = [r[0] for r in con.execute("SELECT DISTINCT source_file FROM posts").fetchall()]
    return report, ids, files


def _ids_of(path: Path, tmp: Path) -> set[str]:
    return _ingest([path], tmp / f"ref-{path.name}.duckdb")[1]


def test_a_file_name_that_is_not_utf8_is_read_and_named_with_a_replacement(tmp_path):
    name = os.fsdecode(b"caf\xe9-\xfe.jsonl")  # Latin-1 bytes, as an old disk keeps them
    (tmp_path / name).write_bytes(V1.read_bytes())
    report, ids, files = _ingest([tmp_path / name], tmp_path / "a.duckdb")
    assert report["balanced"] and ids == _ids_of(V1, tmp_path)
    assert files == [str(tmp_path / "caf\ufffd-\ufffd.jsonl")]


def test_a_tar_member_name_that_is_not_utf8_is_read(tmp_path):
    archive = tmp_path / "old.tar"
    with tarfile.open(archive, "w", format=tarfile.GNU_FORMAT, encoding="latin-1") as tar:
        tar.add(V1, arcname="caf\xe9.jsonl")
    report, ids, files = _ingest([archive], tmp_path / "a.duckdb")
    assert report["balanced"] and ids == _ids_of(V1, tmp_path)
    assert len(files) == 1 and files[0].startswith(f"{archive}!caf")


def _same_name_twice(kind: str, path: Path) -> None:
    """An archive with two different files stored under one name (``zip`` appends, tar too)."""
    if kind == "zip":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("tweets.jsonl", V1.read_bytes())
        with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(path, "a") as z:
            z.writestr("tweets.jsonl", V2.read_bytes())
    else:
        with tarfile.open(path, "w") as tar:
            for src in (V1, V2):
                tar.add(src, arcname="tweets.jsonl")


@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_two_members_of_one_name_are_both_read(tmp_path, kind):
    archive = tmp_path / f"twice.{kind}"
    _same_name_twice(kind, archive)
    report, ids, files = _ingest([archive], tmp_path / "a.duckdb")
    both, _, _ = _ingest([V1, V2], tmp_path / "both.duckdb")
    assert report["balanced"] and report["read"] == both["read"]
    assert report["duplicates"] == both["duplicates"]
    assert ids == _ids_of(V1, tmp_path) | _ids_of(V2, tmp_path)
    assert sorted(files) == [f"{archive}!tweets.jsonl", f"{archive}!tweets.jsonl (2)"]
    # a worker (Ray) finds each again by its name and place among its namesakes
    second = SourceRef(str(archive), "tweets.jsonl", 2).open()
    assert second.name.endswith("(2)") and second.head().startswith(V2.read_bytes()[:50])


def test_tar_members_are_opened_by_their_entry_not_looked_up_by_name(tmp_path, monkeypatch):
    """Looking a member up by name scans every member before it: a tar of many members then
    costs time quadratic in their number."""
    archive = tmp_path / "many.tar"
    with tarfile.open(archive, "w") as tar:
        for i in range(50):
            data = V1.read_bytes()
            info = tarfile.TarInfo(f"part-{i:03d}.jsonl")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

    def by_name(self, name):
        raise AssertionError(f"member {name} looked up by name")

    monkeypatch.setattr(tarfile.TarFile, "getmember", by_name)
    report, _, _ = _ingest([archive], tmp_path / "a.duckdb")
    one, _, _ = _ingest([V1], tmp_path / "one.duckdb")
    assert report["balanced"] and report["files"] == 50 and report["read"] == 50 * one["read"]


def test_a_folder_that_cannot_be_listed_is_reported(tmp_path, monkeypatch):
    (tmp_path / "in" / "locked").mkdir(parents=True)
    (tmp_path / "in" / "a.jsonl").write_bytes(V1.read_bytes())
    (tmp_path / "in" / "locked" / "b.jsonl").write_bytes(V2.read_bytes())
    locked = str(tmp_path / "in" / "locked")
    scandir = os.scandir

    def refusing(path="."):
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    report, ids, _ = _ingest([tmp_path / "in"], tmp_path / "a.duckdb")
    assert ids == _ids_of(V1, tmp_path)
    assert report["skipped_files"] == [f"{locked} (folder cannot be read: Permission denied)"]


def test_links_to_nothing_are_reported_and_linked_folders_read_once(tmp_path):
    data, elsewhere = tmp_path / "in", tmp_path / "elsewhere"
    data.mkdir()
    elsewhere.mkdir()
    (elsewhere / "b.jsonl").write_bytes(V2.read_bytes())
    (data / "a.jsonl").write_bytes(V1.read_bytes())
    (data / "gone.jsonl").symlink_to(tmp_path / "missing.jsonl")
    (data / "more").symlink_to(elsewhere)
    (elsewhere / "back").symlink_to(data)  # a loop: each folder is read once
    names = [s.name for s in sources_from_path(data) if s.skip_reason is None]
    assert names == [str(data / "a.jsonl"), str(data / "more" / "b.jsonl")]
    report, ids, _ = _ingest([data], tmp_path / "a.duckdb")
    assert ids == _ids_of(V1, tmp_path) | _ids_of(V2, tmp_path)
    assert report["skipped_files"] == [
        f"{data / 'gone.jsonl'} (a link to a file that does not exist)"
    ]


def test_a_zstd_file_that_opens_with_a_skippable_frame_is_read(tmp_path):
    """pzstd (and seekable-format writers) put a skippable frame first."""
    skippable = (0x184D2A50).to_bytes(4, "little") + (4).to_bytes(4, "little") + b"\0" * 4
    path = tmp_path / "tweets.jsonl.zst"
    path.write_bytes(skippable + zstandard.ZstdCompressor().compress(V1.read_bytes()))
    report, ids, _ = _ingest([path], tmp_path / "a.duckdb")
    assert report["balanced"] and ids == _ids_of(V1, tmp_path)


@pytest.mark.parametrize("inner", ["zip", "tar"])
def test_an_archive_inside_an_archive_is_reported_not_misread(tmp_path, inner):
    """Its bytes are no records: one skipped member with the way out, no quarantined garbage."""
    nested = tmp_path / f"inner.{inner}"
    if inner == "zip":
        with zipfile.ZipFile(nested, "w") as z:
            z.write(V1, "tweets.jsonl")
    else:
        with tarfile.open(nested, "w") as tar:
            tar.add(V1, arcname="tweets.jsonl")
    outer = tmp_path / "outer.zip"
    with zipfile.ZipFile(outer, "w") as z:
        z.write(nested, nested.name)
        z.write(V2, "pages.jsonl")
    report, ids, _ = _ingest([outer], tmp_path / "a.duckdb")
    assert report["quarantined"] == 0 and ids == _ids_of(V2, tmp_path)
    assert report["skipped_files"] == [
        f"{outer}!{nested.name} (an archive inside an archive: extract it and ingest the inner one)"
    ]
