"""Exports that cannot hurt: whole handles pseudonymised, no spreadsheet formulas, never written
over the store's own files."""

from __future__ import annotations

import csv
import json
from datetime import datetime

import pytest

from groundswell.cli import main
from groundswell.errors import InputError
from groundswell.schema import Post
from groundswell.store import Store
from groundswell.store.export import csv_cell_values, export_posts

HANDLES = "hi @jane-doe.bsky.social and @user@mastodon.example, also .@ann.lee. and @bob_1"
FORMULAS = {
    "f1": '=HYPERLINK("http://evil.example","click")',
    "f2": "+1+1",
    "f3": "-2+3",
    "f4": "@bob_1 says hi",
    "f5": "\tindented",
    "f6": "\rreturned",
    "f7": "  =1+1",  # spreadsheets trim leading spaces
    "f8": "\uff1dSUM(A1:A9)",  # a full-width "=" (Excel reads it so in East Asian locales)
    "f9": "\u3000\uff0b1",
    "ok": "plain text",
}


TRIGGERS = "=+-@\t\r\uff1d\uff0b\uff20\uff0d"


def _store(path) -> Store:
    store = Store(path)
    posts = [
        Post(
            platform="bluesky",
            id="h1",
            text=HANDLES,
            author="did:plc:a1",
            created_at=datetime(2024, 1, 1),
        )
    ]
    posts += [
        Post(platform="twitter", id=pid, text=text, author="7", created_at=datetime(2024, 1, 2))
        for pid, text in FORMULAS.items()
    ]
    store.write_batch(posts)
    return store


def test_whole_handles_are_pseudonymised(tmp_path):
    with _store(tmp_path / "s.duckdb") as store:
        export_posts(store, "jsonl", tmp_path / "out.jsonl")
        pseudo = store.pseudonym
        lines = (tmp_path / "out.jsonl").read_text().splitlines()
        rows = {r["id"]: r for r in map(json.loads, lines)}
    text = rows["h1"]["text"]
    for leak in ("jane", "doe", "bsky.social", "user@", "mastodon.example", "ann", "lee", "bob_1"):
        assert leak not in text, text
    assert f"@{pseudo('bluesky', 'jane-doe.bsky.social')} " in text
    assert f"@{pseudo('bluesky', 'user@mastodon.example')}," in text
    assert f".@{pseudo('bluesky', 'ann.lee')}. and" in text  # the sentence's dot stays


def test_one_tiktok_account_has_one_pseudonym_in_text_and_links(tmp_path):
    text = "so brave @jane.secret. see tiktok.com/@jane.secret. #MeToo"
    links = [
        "https://www.tiktok.com/@jane.secret",
        "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.tiktok.com%2F%40jane.secret&h=AT0",
    ]
    with Store(tmp_path / "s.duckdb") as store:
        store.write_batch(
            [
                Post(
                    platform="tiktok",
                    id="t1",
                    text=text,
                    author="a1",
                    created_at=datetime(2024, 1, 1),
                    url=links[0],
                    urls=links,
                )
            ]
        )
        export_posts(store, "jsonl", tmp_path / "out.jsonl")
        jane = store.pseudonym("tiktok", "jane.secret")
    row = json.loads((tmp_path / "out.jsonl").read_text())
    assert "jane" not in json.dumps(row)
    assert row["text"] == f"so brave @{jane}. see tiktok.com/@{jane}. #MeToo"
    assert row["url"] == f"https://www.tiktok.com/@{jane}"
    assert (
        row["urls"][1]
        == f"https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.tiktok.com%2F%40{jane}&h=AT0"
    )


def test_csv_cells_never_start_a_formula(tmp_path):
    with _store(tmp_path / "s.duckdb") as store:
        export_posts(store, "csv", tmp_path / "out.csv")
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    for pid, text in FORMULAS.items():
        cell = rows[pid]["text"]
        if pid == "ok":
            assert cell == text
        else:
            assert cell.startswith("'") and cell[1:].lstrip(" \u3000")[0] in TRIGGERS, cell
    for row in rows.values():
        assert all(not v or v.lstrip(" \u3000")[0] not in TRIGGERS for v in row.values()), row


# leading characters a spreadsheet may trim or not show (Unicode Zs, Zl, Zp, Cc, Cf)
INVISIBLE = "\x0b\x0c\x1c\x85\u2002\u2003\u200b\u2028\u2029\u205f\u2060\ufeff\U000e0020"


def test_csv_cells_never_start_a_formula_after_invisible_characters(tmp_path):
    texts = {f"i{n}": f"{c}{t} 1+1" for n, c in enumerate(INVISIBLE) for t in "=+-@"}
    texts["ok1"], texts["ok2"] = "\u200b plain", "\ufeffword=1"
    with Store(tmp_path / "s.duckdb") as store:
        store.write_batch(
            [
                Post(platform="twitter", id=p, text=t, author="7", created_at=datetime(2024, 1, 2))
                for p, t in texts.items()
            ]
        )
        export_posts(store, "csv", tmp_path / "out.csv")
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as fh:
        cells = {r["id"]: r["text"] for r in csv.DictReader(fh)}
    for pid, text in texts.items():
        assert cells[pid] == (text if pid.startswith("ok") else "'" + text), repr(text)
        assert csv_cell_values(cells[pid])[-1] == text


def test_export_and_report_refuse_the_store_files(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    _store(db).close()
    key = tmp_path / "s.duckdb.key"
    before = (db.read_bytes(), key.read_bytes())
    for out in (db, key, tmp_path / "s.duckdb.wal", tmp_path / "." / "s.duckdb"):
        for argv in (["export", "--to", "csv"], ["report"]):
            assert main([*argv, "--db", str(db), "--out", str(out)]) == 2, (argv, out)
            err = capsys.readouterr().err
            assert err.count("\n") == 1 and "refusing to write over the store" in err
    assert (db.read_bytes(), key.read_bytes()) == before
    with Store(db, read_only=True) as store, pytest.raises(InputError):
        export_posts(store, "jsonl", key)


def test_export_and_report_into_a_folder_write_their_default_file_there(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    _store(db).close()
    folder = tmp_path / "out"
    folder.mkdir()
    assert main(["report", "--db", str(db), "--out", str(folder)]) == 0
    assert main(["export", "--to", "csv", "--db", str(db), "--out", f"{tmp_path / 'new'}/"]) == 0
    capsys.readouterr()
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert page.lower().startswith("<!doctype html>")
    assert len((tmp_path / "new" / "posts.csv").read_text(encoding="utf-8").splitlines()) > 1
    leftovers = [p.name for p in tmp_path.rglob("*.tmp")]
    assert leftovers == []
    # the folder holding the store is a folder like any other: the store stays a store
    with Store(db, read_only=True) as store:
        before = store.con.execute("SELECT * FROM posts ORDER BY ALL").fetchall()
    assert main(["report", "--db", str(db), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "report.html").exists()
    with Store(db, read_only=True) as store:
        assert store.con.execute("SELECT * FROM posts ORDER BY ALL").fetchall() == before
