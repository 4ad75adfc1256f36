"""Every quarantined record is kept: two files of one name in two folders, each ingested from
its own folder, each keep their bad lines (the quarantine was keyed by the file name as typed
and the line, so the second file's record was counted but never stored); reading a file again
keeps its records once, and a store made before the key opens with its rows and stays so."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from groundswell.store import Store, ingest
from groundswell.store.forget import forget

GOOD = '{{"id":"{id}","text":"{text} #metoo","author_id":"{author}","created_at":"{at}"}}\n'
OLD_QUARANTINE = (
    "CREATE TABLE quarantine (source_file VARCHAR NOT NULL, line BIGINT NOT NULL, "
    "reason VARCHAR NOT NULL, raw BLOB, format VARCHAR, PRIMARY KEY (source_file, line))"
)


def _month(root: Path, month: str, first: int) -> Path:
    """``root/month/tweets.jsonl``: one tweet, then a line of broken JSON naming the month."""
    folder = root / month
    folder.mkdir(parents=True, exist_ok=True)
    good = GOOD.format(id=first, text=month, author=first + 100, at="2017-10-15T20:00:00.000Z")
    (folder / "tweets.jsonl").write_text(good + f'{{"id":"{first + 1}", {month} bad json\n')
    return folder


def _ingest_from(folder: Path, db: Path, monkeypatch: pytest.MonkeyPatch):
    """Ingest ``tweets.jsonl`` as typed from inside ``folder``."""
    monkeypatch.chdir(folder)
    with Store(db) as store:
        return ingest(["tweets.jsonl"], store, progress=False)


def _rows(db: Path) -> list[tuple[str, int, bytes]]:
    with Store(db, read_only=True) as store:
        return store.con.execute(
            "SELECT source_file, line, raw FROM quarantine ORDER BY raw"
        ).fetchall()


def _raws(db: Path) -> list[bytes]:
    return [raw for _, _, raw in _rows(db)]


def test_same_name_in_two_folders_keeps_both_and_a_reread_keeps_each_once(tmp_path, monkeypatch):
    db = tmp_path / "s.duckdb"
    jan, feb = _month(tmp_path, "jan", 1), _month(tmp_path, "feb", 3)
    for _ in range(2):  # the second round reads both files again
        for folder in (jan, feb):
            report = _ingest_from(folder, db, monkeypatch)
            assert report.quarantined == 1 and report.balanced
    rows = _rows(db)
    assert [(f, line) for f, line, _ in rows] == [("tweets.jsonl", 2)] * 2
    assert _raws(db) == [b'{"id":"2", jan bad json\n', b'{"id":"4", feb bad json\n']
    with Store(db) as store:
        assert store.con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 2
        removed = forget(store, ["2"])  # names January's record only
    assert removed.get("quarantine") == 1
    assert _raws(db) == [b'{"id":"4", feb bad json\n']


def test_a_file_rewritten_under_its_name_keeps_both_bad_records(tmp_path, monkeypatch):
    db = tmp_path / "s.duckdb"
    folder = _month(tmp_path, "jan", 1)
    _ingest_from(folder, db, monkeypatch)
    _month(tmp_path, "feb", 3)
    (folder / "tweets.jsonl").write_bytes((tmp_path / "feb" / "tweets.jsonl").read_bytes())
    _ingest_from(folder, db, monkeypatch)
    assert _raws(db) == [b'{"id":"2", jan bad json\n', b'{"id":"4", feb bad json\n']


def test_a_store_keyed_by_name_and_line_is_rebuilt_and_reads_again_alike(tmp_path, monkeypatch):
    db = tmp_path / "old.duckdb"
    jan, feb = _month(tmp_path, "jan", 1), _month(tmp_path, "feb", 3)
    _ingest_from(jan, db, monkeypatch)
    con = duckdb.connect(str(db))  # the quarantine as an older version made it
    con.execute("ALTER TABLE quarantine RENAME TO q_new")
    con.execute(OLD_QUARANTINE)
    con.execute("INSERT INTO quarantine SELECT * EXCLUDE (record_key) FROM q_new")
    con.execute("DROP TABLE q_new")
    con.close()
    with Store(db, read_only=True) as store:  # read as it is
        assert store.con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 1
    report = _ingest_from(jan, db, monkeypatch)  # the same file again: not a second row
    assert report.quarantined == 1 and report.balanced
    assert _raws(db) == [b'{"id":"2", jan bad json\n']
    _ingest_from(feb, db, monkeypatch)  # the same name and line, another file: kept
    assert _raws(db) == [b'{"id":"2", jan bad json\n', b'{"id":"4", feb bad json\n']
    with Store(db, read_only=True) as store:
        keys = store.con.execute("SELECT record_key FROM quarantine").fetchall()
    assert len({k for (k,) in keys}) == 2 and all(len(k) == 64 for (k,) in keys)
