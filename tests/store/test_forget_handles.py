"""Forgetting a handle removes the posts already stored under it (CODEBOOK section 7), although a
pseudonymising store keeps authors by a pseudonym of their account id and never the handle:
each post and repost keeps ``author_handle_key``, the handle hashed as the deletion list hashes
it. Every write path (per record, columnar, bulk) keys it; older stores open with the column
added; exports and the dashboard never show it."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from groundswell.cli import main
from groundswell.ingest import columnar
from groundswell.serve.snapshot import take_snapshot
from groundswell.store import Store, bulk, ingest, load
from groundswell.store.export import export_posts
from groundswell.store.forget import forget, unmatched_handles
from gspaths import FIXTURES

PAGES = FIXTURES / "twitter_v2" / "pages.jsonl"
BLUESKY = [FIXTURES / "bluesky" / n for n in ("feed_page.json", "thread.json", "posts_export.csv")]
MASTODON = FIXTURES / "mastodon" / "home_timeline.json"


def _flat(tmp_path: Path) -> Path:
    """PAGES as ``twarc2 flatten`` writes it: one tweet a line, its author inside."""
    lines = []
    for page in map(json.loads, PAGES.read_text().splitlines()):
        users = {u["id"]: u for u in page["includes"]["users"]}
        lines += [dict(t, author=users[t["author_id"]]) for t in page["data"]]
    path = tmp_path / "flat.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in lines))
    return path


def _ingest_twitter(path_kind: str, store: Store, tmp_path: Path, monkeypatch) -> None:
    """Ingest the twitter sample through one write path, checking that it took the posts."""
    taken: list[int] = []
    if path_kind == "bulk":
        monkeypatch.setattr(bulk, "MIN_BULK_BYTES", 0)
        real = load.load_twitter_v2

        def spy(*args):
            out = real(*args)
            taken.append(out[0])
            return out

        monkeypatch.setattr(load, "load_twitter_v2", spy)
        report = ingest([PAGES], store, progress=False)
    elif path_kind == "columnar":
        real = columnar.read_columns

        def spy(*args):
            for part in real(*args):
                taken.append(part.columns.num_rows)
                yield part

        monkeypatch.setattr(columnar, "read_columns", spy)
        report = ingest([_flat(tmp_path)], store, progress=False)
    else:  # the per-record path, for response pages and for flattened lines alike
        monkeypatch.setattr(columnar, "ENABLED", False)
        paths = [PAGES] if path_kind == "records" else [_flat(tmp_path)]
        report = ingest(paths, store, progress=False, bulk=False)
        taken.append(report.stored)
    assert report.balanced and sum(taken) > 0


def _ids(store: Store, table: str) -> set[str]:
    return {r[0] for r in store.con.execute(f"SELECT id FROM {table}").fetchall()}


@pytest.mark.parametrize("path_kind", ["records", "flat_records", "columnar", "bulk"])
@pytest.mark.parametrize("handle", ["@amal_k", "AMAL_K", "\ufeff@Amal_K", " @amal_K "])
def test_forget_by_handle_removes_the_posts_and_reposts_of_every_write_path(
    tmp_path, monkeypatch, path_kind, handle
):
    with Store(tmp_path / "s.duckdb") as store:
        _ingest_twitter(path_kind, store, tmp_path, monkeypatch)
        store.con.execute("CREATE TABLE acts AS SELECT platform, id, 'support' AS act FROM posts")
        store.con.execute("CREATE TABLE people AS SELECT DISTINCT author FROM posts")
        assert _ids(store, "posts") == {"1001", "1003", "1004"} and _ids(store, "reposts") == {
            "1002"
        }
        amal = store.pseudonym("twitter", "9002")
        removed = forget(store, [handle])
        # amal_k (account 9002) wrote 1003 and 1004 and reposted 1001 as 1002
        assert removed == {"posts": 2, "reposts": 1, "acts": 2, "people": 1}
        assert _ids(store, "posts") == _ids(store, "acts") == {"1001"}
        assert _ids(store, "reposts") == set()
        assert store.con.execute("SELECT count(*) FROM people").fetchone()[0] == 1
        # the account is forgotten with its handle: a later ingest leaves it out by id too
        assert store.forget_hash(amal) in {
            r[0] for r in store.con.execute("SELECT value FROM forgotten").fetchall()
        }


@pytest.mark.parametrize(
    ("paths", "handle", "platform", "gone"),
    [
        (BLUESKY, "@Ann.Example.com", "bluesky", "did:plc:testauthoraaaaaaaaaaaaaa"),
        ([MASTODON], "@lena@TOOT.example", "mastodon", "https://toot.example/users/lena"),
        ([MASTODON], "omar@toot.example", "mastodon", "https://toot.example/users/omar"),
    ],
)
def test_forget_by_handle_on_bluesky_and_mastodon(tmp_path, paths, handle, platform, gone):
    with Store(tmp_path / "s.duckdb") as store:
        ingest(paths, store, progress=False)
        author = store.pseudonym(platform, gone)

        def count(table: str) -> tuple[int, int]:
            """(rows of the author or reposting one of theirs, all rows)."""
            post = "repost_of" if table == "reposts" else "id"
            return store.con.execute(
                f"SELECT count(*) FILTER (WHERE author = ? OR {post} IN "
                f"(SELECT id FROM posts WHERE author = ?)), count(*) FROM {table}",
                [author, author],
            ).fetchone()

        (mine, total), (reposted, reposts) = count("posts"), count("reposts")
        assert mine > 0
        removed = forget(store, [handle])
        assert removed["posts"] == mine and removed.get("reposts", 0) == reposted
        assert count("posts") == (0, total - mine) and count("reposts") == (0, reposts - reposted)


def test_a_mastodon_reblog_goes_with_its_authors_handle(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        ingest([MASTODON], store, progress=False)
        keys = store.con.execute("SELECT author_handle_key FROM reposts").fetchall()
        assert keys == [(store.forget_hash.handle("lena@toot.example"),)]
        forget(store, ["@lena@toot.example"])
        assert _ids(store, "reposts") == set()


@pytest.mark.parametrize("path_kind", ["records", "columnar", "bulk"])
def test_the_raw_handle_is_nowhere_in_a_pseudonymising_store_file(tmp_path, monkeypatch, path_kind):
    """amal_k is named only in the pages' user objects, never in a post's text: a store that
    pseudonymises holds its key, not the handle; one that keeps names holds the handle."""
    db = tmp_path / "s.duckdb"
    with Store(db) as store:
        _ingest_twitter(path_kind, store, tmp_path, monkeypatch)
        assert store.con.execute("SELECT count(author_handle_key) FROM posts").fetchone()[0] == 3
    assert b"amal_k" not in db.read_bytes().lower()
    plain = tmp_path / "plain.duckdb"
    with Store(plain, pseudonymise=False) as store:
        ingest([PAGES], store, progress=False, bulk=False)
    assert b"amal_k" in plain.read_bytes()


def test_a_handle_forgotten_before_a_bulk_load_stays_out(tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "MIN_BULK_BYTES", 0)
    with Store(tmp_path / "s.duckdb") as store:
        forget(store, ["@River_Stone"])  # nothing of twitter in the store yet
        report = ingest([PAGES], store, progress=False)
        # her post, and amal_k's repost of it (as forgetting her after the load removes it)
        assert report.balanced and report.forgotten == 2
        assert _ids(store, "posts") == {"1003", "1004"}
        assert _ids(store, "reposts") == set()


def _old_layout(db: Path) -> None:
    """Make ``db`` a store as groundswell wrote it before posts kept ``author_handle_key``."""
    with duckdb.connect(str(db)) as con:
        for table in ("posts", "reposts"):
            con.execute(f"ALTER TABLE {table} DROP COLUMN author_handle_key")
        con.execute("DELETE FROM meta WHERE key = 'unkeyed_handles'")


def test_an_old_layout_store_opens_keeps_its_rows_and_keys_new_ones(tmp_path, capsys):
    db = tmp_path / "old.duckdb"
    with Store(db) as store:
        ingest([PAGES], store, progress=False)
        before = store.con.execute("SELECT * EXCLUDE (author_handle_key) FROM posts").fetchall()
    _old_layout(db)
    with Store(db, read_only=True) as store:  # read as it is, nothing written
        assert store.con.execute("SELECT count(*) FROM posts").fetchone()[0] == 3
        export_posts(store, "csv", tmp_path / "old.csv")
    with Store(db) as store:
        assert store.unkeyed_handles
        rows = store.con.execute("SELECT * EXCLUDE (author_handle_key) FROM posts").fetchall()
        assert rows == before
        assert store.con.execute("SELECT count(author_handle_key) FROM posts").fetchone()[0] == 0
        assert unmatched_handles(store, ["@amal_k", "9001"]) == ["@amal_k"]
        report = ingest(BLUESKY, store, progress=False)
        assert report.balanced and report.stored > 0
    ids = tmp_path / "ids.txt"
    ids.write_text("@amal_k\n@ann.example.com\n")
    assert main(["forget", "--db", str(db), "--ids", str(ids)]) == 0
    err = capsys.readouterr().err
    assert "no stored post matched 1 handle" in err and "before this store kept" in err
    with Store(db) as store:  # amal_k's old rows stay (unmatched); ann's new ones are gone
        ann = store.pseudonym("bluesky", "did:plc:testauthoraaaaaaaaaaaaaa")
        twitter, anns = store.con.execute(
            "SELECT list(id ORDER BY id) FILTER (WHERE platform = 'twitter'), "
            "count(*) FILTER (WHERE author = ?) FROM posts",
            [ann],
        ).fetchone()
        assert twitter == ["1001", "1003", "1004"] and anns == 0


def test_cli_forget_by_handle_notes_only_the_handles_that_matched_nothing(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    with Store(db) as store:
        ingest([PAGES], store, progress=False)
    ids = tmp_path / "ids.txt"
    ids.write_bytes(b"\xef\xbb\xbf@River_Stone\r\n")
    assert main(["forget", "--db", str(db), "--ids", str(ids), "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["removed"] == {"posts": 1, "reposts": 1} and "note:" not in err
    ids.write_text("@amal_k\n@nobody_here\n@nobody@toot.example\n")
    assert main(["forget", "--db", str(db), "--ids", str(ids)]) == 0
    err = capsys.readouterr().err
    assert "no stored post matched 2 handle" in err and "only by account id" in err
    with Store(db, read_only=True) as store:
        assert store.con.execute("SELECT count(*) FROM posts").fetchone()[0] == 0


def test_exports_and_the_dashboard_never_show_the_handle_key(tmp_path):
    db = tmp_path / "s.duckdb"
    with Store(db, pseudonymise=False) as store:
        ingest([PAGES, *BLUESKY], store, progress=False)
        keys = {r[0] for r in store.con.execute("SELECT author_handle_key FROM posts").fetchall()}
        for to in ("jsonl", "csv", "parquet"):
            export_posts(store, to, tmp_path / f"out.{to}")
    keys.discard(None)
    assert keys
    for to in ("jsonl", "csv", "parquet"):
        data = (tmp_path / f"out.{to}").read_bytes()
        assert b"author_handle_key" not in data
        assert not any(k.encode() in data for k in keys)
    snap = take_snapshot(db)
    try:
        cols = snap.con.execute(
            "SELECT list(column_name) FROM information_schema.columns "
            "WHERE table_name IN ('posts', 'reposts')"
        ).fetchone()[0]
        assert "author" in cols and "author_handle_key" not in cols
    finally:
        snap.close()
