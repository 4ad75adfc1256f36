"""A post is stored once per (platform, id), whatever path wrote it and however often its file
comes back. New stores keep no primary-key index on posts and reposts (an anti-join on insert
costs half as much as DuckDB's index), so these tests hold the writer to the promise the index
used to keep; stores made with the index keep working."""

from __future__ import annotations

import shutil
from importlib import resources

import duckdb

from groundswell.store import Store, ingest
from gspaths import FIXTURES

KEYED = ("posts", "reposts")


def _fixture_exports(tmp_path):
    """The repo's own sample exports (every platform), each also copied under a second name."""
    files = sorted(
        p
        for p in FIXTURES.rglob("*")
        if p.is_file() and p.parent.name not in ("articles", "articles_eval", "classify")
    )
    copies = []
    for p in files:
        twin = tmp_path / "again" / p.parent.name / f"copy-{p.name}"
        twin.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(p, twin)
        copies.append(twin)
    return files, copies


def _repeated_keys(con) -> dict[str, int]:
    return {
        t: con.execute(
            f"SELECT count(*) FROM (SELECT platform, id FROM {t} GROUP BY ALL HAVING count(*) > 1)"
        ).fetchone()[0]
        for t in KEYED
    }


def _rows(con) -> dict[str, list]:
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in KEYED}


def test_every_format_twice_in_one_run_and_again_stores_each_post_once(tmp_path):
    files, copies = _fixture_exports(tmp_path)
    with Store(tmp_path / "a.duckdb") as s:
        first = ingest([*files, *copies], s)
        again = ingest(files, s)
        assert _repeated_keys(s.con) == {"posts": 0, "reposts": 0}
        stored = s.con.execute("SELECT count(*) FROM posts").fetchone()[0]
    assert first.balanced and again.balanced
    assert first.stored > 50 and first.reposts > 0  # the fixtures hold posts and reposts
    assert stored == first.stored  # articles live in their own table
    # the copies repeat every stored post and repost; nothing new on the second run
    assert first.duplicates >= first.stored + first.reposts - first.articles
    assert (again.stored, again.reposts) == (0, 0)


def _keyed_schema() -> str:
    """The store's schema as it was before: posts and reposts keyed by (platform, id)."""
    sql = resources.files("groundswell.store").joinpath("schema.sql").read_text()
    for head in ("CREATE TABLE IF NOT EXISTS posts (", "CREATE TABLE IF NOT EXISTS reposts ("):
        start = sql.index(head)
        end = sql.index("\n);", start)
        sql = sql[:end] + ",\n  PRIMARY KEY (platform, id)" + sql[end:]
    return sql


def test_a_store_made_with_the_key_index_ingests_the_same_rows(tmp_path):
    files, copies = _fixture_exports(tmp_path)
    old = tmp_path / "old.duckdb"
    with duckdb.connect(str(old)) as con:
        con.execute(_keyed_schema())
        assert con.execute(
            "SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'posts' "
            "AND constraint_type = 'PRIMARY KEY'"
        ).fetchone()[0]
    with Store(old, pseudonymise=False) as s:
        old_counts = ingest([*files, *copies], s)
        old_rows = _rows(s.con)
    # the same key: even a store that keeps handles keys them (author_handle_key)
    (tmp_path / "new.duckdb.key").write_text((tmp_path / "old.duckdb.key").read_text())
    with Store(tmp_path / "new.duckdb", pseudonymise=False) as s:
        new_counts = ingest([*files, *copies], s)
        new_rows = _rows(s.con)
        assert not s.con.execute(
            "SELECT count(*) FROM duckdb_constraints() WHERE table_name IN ('posts', 'reposts') "
            "AND constraint_type = 'PRIMARY KEY'"
        ).fetchone()[0]

    assert new_rows == old_rows
    assert (new_counts.stored, new_counts.reposts, new_counts.duplicates) == (
        old_counts.stored,
        old_counts.reposts,
        old_counts.duplicates,
    )
