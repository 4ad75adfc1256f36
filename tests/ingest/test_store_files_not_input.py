"""A folder that holds a store (any store, not only the one being written) is read without its
DuckDB file, write-ahead log or key: the key read as an article's title or a generic post would
be printed or stored, and with it every pseudonym could be undone."""

from __future__ import annotations

import shutil
from pathlib import Path

from groundswell.cli import main
from groundswell.store import Store, ingest
from gspaths import FIXTURES

TWEETS = FIXTURES / "twitter" / "v1_stream.jsonl"


def _folder_with_a_store(tmp_path: Path) -> tuple[Path, str]:
    folder = tmp_path / "collection"
    folder.mkdir()
    shutil.copy(TWEETS, folder / "tweets.jsonl")
    (folder / "op-ed.txt").write_text(
        "Why we must keep listening\n\nA synthetic essay. Survivors deserve to be believed, and "
        "the movement changed workplaces for the better.\n",
        encoding="utf-8",
    )
    with Store(folder / "old.duckdb") as store:
        ingest([TWEETS], store, progress=False)
    return folder, (folder / "old.duckdb.key").read_text().strip()


def test_ingest_of_a_folder_never_reads_another_stores_files(tmp_path):
    folder, key = _folder_with_a_store(tmp_path)
    with Store(tmp_path / "new.duckdb") as store:
        report = ingest([folder], store, progress=False).to_dict()
        every = [
            store.con.execute(f"SELECT * FROM {t}").fetchall()
            for (t,) in store.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        ]
    assert report["balanced"] and report["stored"] > 0
    assert key not in str(every)
    skipped = " ".join(report["skipped_files"])
    assert "old.duckdb.key" in skipped and "pseudonymisation key" in skipped
    assert "old.duckdb (" in skipped


def test_article_on_a_folder_with_a_store_never_prints_its_key(tmp_path, capsys):
    folder, key = _folder_with_a_store(tmp_path)
    assert main(["article", str(folder), "--json"]) == 0
    out = capsys.readouterr()
    assert key not in out.out + out.err
    assert "Why we must keep listening" in out.out


def test_the_store_written_is_named_as_skipped_and_alone_is_a_clear_error(tmp_path, capsys):
    """The store this run writes, found among the inputs (a folder that holds it, or the store
    given as the input), is listed in skipped_files saying so; given alone, the error says why
    nothing was read instead of 'no known format'."""
    folder = tmp_path / "collection"
    folder.mkdir()
    shutil.copy(TWEETS, folder / "tweets.jsonl")
    db = folder / "s.duckdb"
    with Store(db) as store:
        report = ingest([folder], store, progress=False).to_dict()
    assert report["balanced"] and report["stored"] > 0
    own = [s for s in report["skipped_files"] if s.startswith(str(db))]
    assert own and all("the store this run writes" in s for s in own)
    assert main(["ingest", str(db), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "the store this run writes" in err and "no known format" not in err
