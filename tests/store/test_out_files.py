"""Where a command writes its --out (export in every format, report, the label sample): a regular
file is replaced whole, a symbolic link written through to its target, a FIFO or a device written
directly (never replaced by a regular file), and a file that cannot be written is one line naming
it, exit code 3. No test here touches /dev: FIFOs and device nodes are made in tmp_path."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import threading

import pytest

import groundswell.store.export as export
from groundswell.cli import main
from groundswell.store import Store, ingest
from gspaths import FIXTURES

SOURCES = [FIXTURES / "twitter_v2" / "pages.jsonl", FIXTURES / "bluesky" / "feed_page.json"]

# (name, argv before --db/--out, suffix of the file)
COMMANDS = [
    ("jsonl", ["export", "--to", "jsonl"], "jsonl"),
    ("csv", ["export", "--to", "csv"], "csv"),
    ("parquet", ["export", "--to", "parquet"], "parquet"),
    ("edges", ["export", "--to", "edges"], "csv"),
    ("gexf", ["export", "--to", "gexf"], "gexf"),
    ("graphml", ["export", "--to", "graphml"], "graphml"),
    ("report", ["report"], "html"),
    ("label", ["label", "--random", "50"], "csv"),
]
IDS = [c[0] for c in COMMANDS]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("out") / "s.duckdb"
    with Store(path) as store:
        ingest(SOURCES, store)
    return path


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch):
    """`label` without a terminal writes its sample to --out."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))


def _run(argv, db, out) -> int:
    return main([*argv, "--db", str(db), "--out", str(out)])


def _one_line_error(err: str, out) -> None:
    assert err.startswith("groundswell: error: ") and err.count("\n") == 1, err
    assert str(out) in err and "Traceback" not in err


def _leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize(("name", "argv", "suffix"), COMMANDS, ids=IDS)
def test_a_regular_file_is_replaced_whole_keeping_its_mode(db, tmp_path, name, argv, suffix):
    out = tmp_path / f"out.{suffix}"
    out.write_text("old content")
    out.chmod(0o640)
    assert _run(argv, db, out) == 0
    assert out.read_bytes() != b"old content" and out.stat().st_size > 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(("name", "argv", "suffix"), COMMANDS, ids=IDS)
def test_a_symbolic_link_is_written_through(db, tmp_path, name, argv, suffix):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / f"target.{suffix}"
    target.write_text("old content")
    link = tmp_path / f"link.{suffix}"
    link.symlink_to(target)
    assert _run(argv, db, link) == 0
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert target.read_bytes() != b"old content" and target.stat().st_size > 0
    # a dangling link is written through too: its target is made
    dangling = tmp_path / f"dangling.{suffix}"
    dangling.symlink_to(tmp_path / "real" / f"new.{suffix}")
    assert _run(argv, db, dangling) == 0
    assert dangling.is_symlink() and (tmp_path / "real" / f"new.{suffix}").stat().st_size > 0
    assert _leftovers(tmp_path) == [] and _leftovers(tmp_path / "real") == []


class _Reader(threading.Thread):
    """Reads a FIFO to its end, as `cat FIFO` would."""

    def __init__(self, path) -> None:
        super().__init__(daemon=True)
        self.path, self.data = path, b""

    def run(self) -> None:
        with open(self.path, "rb") as fh:
            self.data = fh.read()

    def finish(self) -> bytes:
        # a writer that never came: open the FIFO once so the reader sees its end (ENXIO: the
        # reader has finished already)
        with contextlib.suppress(OSError):
            os.close(os.open(self.path, os.O_WRONLY | os.O_NONBLOCK))
        self.join(30)
        assert not self.is_alive()
        return self.data


@pytest.mark.parametrize(("name", "argv", "suffix"), COMMANDS, ids=IDS)
def test_a_fifo_is_written_directly(db, tmp_path, name, argv, suffix):
    fifo = tmp_path / f"fifo.{suffix}"
    os.mkfifo(fifo)
    reader = _Reader(fifo)
    reader.start()
    try:
        code = _run(argv, db, fifo)
    finally:
        data = reader.finish()
    assert code == 0
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still a FIFO, not replaced by a file
    assert _leftovers(tmp_path) == []
    if name == "report":
        assert data.rstrip().endswith(b"</html>")
    elif name != "parquet":  # the same bytes a regular file gets
        regular = tmp_path / f"regular.{suffix}"
        assert _run(argv, db, regular) == 0
        assert data == regular.read_bytes()
    else:
        assert data.startswith(b"PAR1") and data.endswith(b"PAR1")


@pytest.mark.parametrize(("name", "argv", "suffix"), COMMANDS, ids=IDS)
def test_a_pipe_named_through_proc_is_written_directly(db, tmp_path, name, argv, suffix):
    """``--out /dev/stdout`` piped into another program names the pipe through a /proc link
    (``/proc/self/fd/1`` -> ``pipe:[N]``, no path): the pipe is written, as a FIFO is."""
    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("no /proc here")
    read_end, write_end = os.pipe()
    chunks: list[bytes] = []

    def drain() -> None:
        with os.fdopen(read_end, "rb") as fh:
            chunks.append(fh.read())

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        code = _run(argv, db, f"/proc/self/fd/{write_end}")
    finally:
        os.close(write_end)
        reader.join(30)
    assert code == 0
    data = b"".join(chunks)
    if name == "report":
        assert data.rstrip().endswith(b"</html>")
    elif name != "parquet":
        regular = tmp_path / f"regular.{suffix}"
        assert _run(argv, db, regular) == 0
        assert data == regular.read_bytes()
    else:
        assert data.startswith(b"PAR1") and data.endswith(b"PAR1")


def _device(path, minor: int):
    """A character device node like /dev/full (minor 7) or /dev/null (3), made in tmp_path."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
        fd = os.open(path, os.O_WRONLY)
    except OSError as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    try:
        os.write(fd, b"x")
    except OSError as exc:
        if minor != 7 or exc.errno != errno.ENOSPC:
            pytest.skip(f"device node does not behave as expected: {exc}")
    finally:
        os.close(fd)


@pytest.mark.parametrize(("name", "argv", "suffix"), COMMANDS, ids=IDS)
def test_a_full_device_is_a_one_line_error_and_stays_a_device(
    db, tmp_path, capsys, name, argv, suffix
):
    full = tmp_path / "full"
    _device(full, 7)
    capsys.readouterr()
    assert _run(argv, db, full) == 3
    err = capsys.readouterr().err
    _one_line_error(err, full)
    assert "No space left on device" in err
    assert stat.S_ISCHR(os.lstat(full).st_mode)
    null = tmp_path / "null"
    _device(null, 3)
    assert _run(argv, db, null) == 0
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(("name", "argv", "suffix"), COMMANDS, ids=IDS)
def test_an_out_that_cannot_be_written_is_a_one_line_error(
    db, tmp_path, capsys, name, argv, suffix
):
    (tmp_path / "afile").write_text("a file, not a folder")
    out = tmp_path / "afile" / f"out.{suffix}"  # inside a folder that cannot exist
    capsys.readouterr()
    assert _run(argv, db, out) == 3
    _one_line_error(capsys.readouterr().err, out)
    # a directory that --out names through a symbolic link to it gets the default name inside
    (tmp_path / "dir").mkdir()
    (tmp_path / "dirlink").symlink_to(tmp_path / "dir")
    assert _run(argv, db, tmp_path / "dirlink") == 0
    assert len(list((tmp_path / "dir").iterdir())) == 1


@pytest.mark.parametrize(("name", "argv", "suffix"), COMMANDS, ids=IDS)
def test_a_failed_replace_keeps_the_old_file(db, tmp_path, capsys, monkeypatch, name, argv, suffix):
    out = tmp_path / f"out.{suffix}"
    out.write_text("old content")

    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export.os, "replace", full)
    capsys.readouterr()
    assert _run(argv, db, out) == 3
    err = capsys.readouterr().err
    _one_line_error(err, out)
    assert "No space left on device" in err
    assert out.read_text() == "old content"
    assert _leftovers(tmp_path) == []


def test_the_store_is_never_an_out_even_through_a_link(db, tmp_path, capsys):
    link = tmp_path / "store-link"
    link.symlink_to(db)
    before = db.read_bytes()
    for _name, argv, _suffix in COMMANDS:
        assert _run(argv, db, link) == 2
        assert "refusing to write over the store" in capsys.readouterr().err
    assert db.read_bytes() == before


@pytest.mark.parametrize("part", ["", ".wal", ".key"], ids=["store", "wal", "key"])
def test_another_stores_files_are_never_an_out(db, tmp_path, capsys, part):
    """Another store's database, log or key (its pseudonyms' only copy) is refused as --out by
    every command that writes one, and stays as it was."""
    other = tmp_path / "other.duckdb"
    with Store(other) as store:
        ingest(SOURCES[:1], store)
    out = tmp_path / f"other.duckdb{part}"
    before = out.read_bytes() if out.exists() else None
    for _name, argv, _suffix in COMMANDS:
        assert _run(argv, db, out) == 2
        err = capsys.readouterr().err
        _one_line_error(err, out)
        assert f"refusing to write over a file of the store {other}" in err
    assert (out.read_bytes() if out.exists() else None) == before
