"""Deletions that hold: across platforms and later ingests, kept only as keyed hashes, with the
quarantine purged, tolerant of real deletion-list files, and never against a silently new key."""

from __future__ import annotations

import json

import pytest

from groundswell.cli import main
from groundswell.errors import StoreError
from groundswell.store import Store, ingest
from groundswell.store.forget import forget, read_id_list
from gspaths import FIXTURES

PAGES = FIXTURES / "twitter_v2" / "pages.jsonl"
DID = "did:plc:forgottenauthor0000000000"
OTHER = "did:plc:someoneelse000000000000000"


def _jet(did: str, rkey: str, text: str) -> str:
    record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": "2024-10-15T09:00:00Z"}
    commit = {"rev": "r", "operation": "create", "collection": "app.bsky.feed.post"}
    commit.update(rkey=rkey, record=record)
    return json.dumps({"did": did, "time_us": 1728984603000000, "kind": "commit", "commit": commit})


def _bluesky(tmp_path, name: str = "jet.jsonl"):
    path = tmp_path / name
    lines = [_jet(DID, "3ka", "me too #MeToo"), _jet(OTHER, "3kb", "stays #MeToo")]
    path.write_text("\n".join(lines) + "\n")
    return path


def _authors(store: Store) -> set[str]:
    return {r[0] for r in store.con.execute("SELECT author FROM posts").fetchall()}


def test_author_forgotten_before_their_platform_arrives_stays_out(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        ingest([PAGES], store)  # twitter only: bluesky is not in the store yet
        forget(store, [DID])
    with Store(tmp_path / "s.duckdb") as store:  # a later run, a later ingest
        report = ingest([_bluesky(tmp_path)], store)
        assert report.balanced and report.stored == 1 and report.forgotten == 1
        assert store.pseudonym("bluesky", DID) not in _authors(store)
        assert store.pseudonym("bluesky", OTHER) in _authors(store)


def test_author_forgotten_by_handle_on_an_empty_store(tmp_path):
    path = tmp_path / "reddit.jsonl"
    rows = [
        {"id": "c1", "author": "Jane_Doe-77", "body": "me too", "created_utc": 1508000000},
        {"id": "c2", "author": "someone", "body": "me too", "created_utc": 1508000000},
    ]
    path.write_text(
        "".join(json.dumps(dict(r, subreddit="x", link_id="t3_a")) + "\n" for r in rows)
    )
    with Store(tmp_path / "s.duckdb") as store:
        forget(store, ["@jane_doe-77"])  # a handle, other case, with its '@'
        report = ingest([path], store)
        assert report.stored == 1 and report.forgotten == 1
        assert store.pseudonym("reddit", "Jane_Doe-77") not in _authors(store)


def test_forgotten_table_keeps_only_keyed_hashes(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        ingest([PAGES], store)
        forget(store, ["1003", "9001", "@jane.bsky.social", DID])
        values = [r[0] for r in store.con.execute("SELECT value FROM forgotten").fetchall()]
        pseudonym = store.pseudonym("twitter", "9001")
    assert values and all(len(v) == 64 and set(v) <= set("0123456789abcdef") for v in values)
    for secret in ("1003", "9001", "jane.bsky.social", DID, pseudonym):
        assert secret not in values
        if not set(secret) <= set("0123456789abcdef"):  # digits turn up in any hash by chance
            assert not any(secret in v for v in values)
    raw = (tmp_path / "s.duckdb").read_bytes()
    for secret in (b"jane.bsky.social", DID.encode()):
        assert secret not in raw


def test_a_store_with_a_plaintext_deletion_list_is_hashed_on_open(tmp_path):
    db = tmp_path / "old.duckdb"
    with Store(db) as store:
        # as forget wrote it before: raw ids, and the posts of a forgotten author by id
        store.con.execute(
            "INSERT INTO forgotten VALUES ('author', '9001'), ('post', '1003'), ('post', '1001')"
        )
        store.con.execute("DELETE FROM meta WHERE key = 'forgotten'")
    with Store(db) as store:
        values = {r[0] for r in store.con.execute("SELECT value FROM forgotten").fetchall()}
        assert "9001" not in values and store.forget_hash("9001") in values
        report = ingest([PAGES], store)
        assert report.forgotten == 3  # the old list still holds: 1003, and 9001's post and repost


def test_quarantined_lines_of_a_forgotten_author_are_purged_now_and_later(tmp_path):
    bad = '{"data": [{"id": "77", "author_id": "9001", "text": "broken"'
    path = tmp_path / "bad.jsonl"
    path.write_text(PAGES.read_text() + bad + "\n")
    with Store(tmp_path / "s.duckdb") as store:
        assert ingest([path], store).quarantined == 1
        removed = forget(store, ["9001"])
        assert removed["quarantine"] == 1
        again = ingest([path], store)  # read as bad again: counted as forgotten, not kept
        # 9001's post and repost, and the bad line
        assert (again.quarantined, again.forgotten) == (0, 3) and again.balanced
        assert store.con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0


def test_deletion_list_with_bom_crlf_header_and_comments(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_bytes(b"\xef\xbb\xbf1003,first\r\n# a comment\r\n9001\r\n\r\n")
    assert read_id_list(path) == ["1003", "9001"]
    path.write_bytes(b"\xef\xbb\xbfid\r\n1003\r\n")
    assert read_id_list(path) == ["1003"]


def test_cli_forget_with_a_bom_file_removes_the_first_id(tmp_path, capsys):
    db = str(tmp_path / "f.duckdb")
    assert main(["ingest", str(PAGES), "--db", db]) == 0
    ids = tmp_path / "ids.txt"
    ids.write_bytes(b"\xef\xbb\xbf1003\r\n")
    assert main(["forget", "--ids", str(ids), "--db", db, "--json"]) == 0
    assert capsys.readouterr().out.count('"posts": 1') == 1
    assert main(["forget", "--ids", str(tmp_path / "none.txt"), "--db", db]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_missing_key_of_a_store_with_data_is_an_error_never_a_new_key(tmp_path, capsys):
    db = tmp_path / "k.duckdb"
    with Store(db) as store:
        ingest([PAGES], store)
    key = tmp_path / "k.duckdb.key"
    key.unlink()
    with pytest.raises(StoreError, match="key is missing"):
        Store(db)
    ids = tmp_path / "ids.txt"
    ids.write_text("9001\n")
    assert main(["forget", "--ids", str(ids), "--db", str(db)]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "key is missing" in err
    assert main(["stats", "--db", str(db)]) == 3
    assert not key.exists()  # no silent new key
    key.write_text("not a key")
    assert main(["stats", "--db", str(db)]) == 3
    assert (
        capsys.readouterr().err.strip().endswith("not a groundswell key (expected 64 hex digits)")
    )


def test_another_stores_key_is_refused(tmp_path, capsys):
    """A valid key that is not the store's own (copied from another store) would silently give
    new pseudonyms and let deletion lists miss: every command stops with exit 3."""
    for name in ("a", "b"):
        with Store(tmp_path / f"{name}.duckdb") as store:
            ingest([PAGES], store)
    own = (tmp_path / "a.duckdb.key").read_bytes()
    (tmp_path / "a.duckdb.key").write_bytes((tmp_path / "b.duckdb.key").read_bytes())
    with pytest.raises(StoreError, match="is not the key of"):
        Store(tmp_path / "a.duckdb")
    for command in (["stats"], ["ingest", str(PAGES)], ["export", "--out", str(tmp_path)]):
        assert main([*command, "--db", str(tmp_path / "a.duckdb")]) == 3
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "is not the key of" in err
    (tmp_path / "a.duckdb.key").write_bytes(own)  # the right key back: all is well again
    assert main(["stats", "--db", str(tmp_path / "a.duckdb")]) == 0
    with Store(tmp_path / "a.duckdb", read_only=True) as store:
        kept = store.con.execute("SELECT value FROM meta WHERE key = 'key_check'").fetchone()[0]
    assert kept and kept not in own.decode()  # a check value, not the key


def test_unreadable_key_is_a_one_line_error(tmp_path, capsys):
    db = tmp_path / "u.duckdb"
    with Store(db) as store:
        ingest([PAGES], store)
    key = tmp_path / "u.duckdb.key"
    key.unlink()
    key.mkdir()  # unreadable as a file, whoever runs the test
    assert main(["stats", "--db", str(db)]) == 3
    err = capsys.readouterr().err
    assert err.startswith("groundswell: error: ") and err.count("\n") == 1
    assert "cannot read the pseudonymisation key" in err


def test_an_empty_existing_store_may_still_get_its_key(tmp_path):
    db = tmp_path / "e.duckdb"
    with Store(db):
        pass
    (tmp_path / "e.duckdb.key").unlink()
    with Store(db) as store:
        assert len(store.pseudonym.key) == 32


def test_bulk_loaded_author_forgotten_before_arrival_is_gone_after_the_run(tmp_path, monkeypatch):
    from groundswell.store import bulk

    monkeypatch.setattr(bulk, "MIN_BULK_BYTES", 0)  # PAGES takes the DuckDB bulk path
    with Store(tmp_path / "b.duckdb") as store:
        forget(store, ["9001"])  # nothing of twitter in the store yet
        ingest([PAGES], store)
        assert store.pseudonym("twitter", "9001") not in _authors(store)
        posts = {r[0] for r in store.con.execute("SELECT id FROM posts").fetchall()}
        assert posts == {"1003", "1004"}


def test_forgotten_rows_leave_no_bytes_in_the_store_file(tmp_path):
    """DuckDB marks a deleted row's block free but keeps its bytes: forget rewrites the file,
    so a forgotten post's text cannot be read back from the disk."""
    secret = "a story told once and then taken back by its author"
    lines = [_jet(DID, f"3k{i}", f"{secret} {i} #MeToo") for i in range(400)]
    lines += [_jet(OTHER, f"3m{i}", f"kept post {i} #MeToo") for i in range(400)]
    path = tmp_path / "jet.jsonl"
    path.write_text("\n".join(lines) + "\n")
    db = tmp_path / "s.duckdb"
    with Store(db) as store:
        ingest([path], store)
        store.checkpoint()
        assert secret.encode() in db.read_bytes()
        removed = forget(store, [DID])
        assert removed["posts"] == 400
        assert store.con.execute("SELECT count(*) FROM posts").fetchone()[0] == 400
        report = ingest([path], store)  # still the working store, after the rewrite
        assert report.balanced and report.forgotten == 400 and report.stored == 0
    assert secret.encode() not in db.read_bytes()
    assert not (tmp_path / "s.duckdb.compacting").exists()
    with Store(db, read_only=True) as store:
        assert store.con.execute("SELECT count(*) FROM posts").fetchone()[0] == 400


def test_forgetting_a_handle_no_stored_post_has_says_what_to_do(tmp_path, capsys):
    """A handle that matches no stored post (an export may name authors only by id) is told
    to the user, with how to remove them, instead of a bare 'removed nothing'."""
    db = tmp_path / "s.duckdb"
    with Store(db) as store:
        ingest([PAGES], store)
    ids = tmp_path / "ids.txt"
    ids.write_text("@someone_else\n")
    assert main(["forget", "--db", str(db), "--ids", str(ids)]) == 0
    err = capsys.readouterr().err
    assert "no stored post matched 1 handle" in err and "numeric user id" in err
    ids.write_text("9001\n")
    assert main(["forget", "--db", str(db), "--ids", str(ids)]) == 0
    assert "note:" not in capsys.readouterr().err
