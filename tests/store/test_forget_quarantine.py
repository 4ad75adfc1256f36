"""A forgotten post or author does not come back through the quarantine: a later copy of it that
is quarantined (by the reader, or by the store for a field of a wrong type) is counted as
forgotten, as a clean copy is, and nothing of it is kept. A language of a wrong type, which is
not needed, is left out and the post kept."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from groundswell.store import Store, ingest
from groundswell.store.forget import forget

AT = "2017-10-15T20:00:00.000Z"
SECRET_TEXT = "the night it happened at the office #metoo"


def _tweet(tid: str, author: str, handle: object, text: str = SECRET_TEXT, **more: object) -> dict:
    """A twarc2 flattened tweet: its author id, and the author object with the handle."""
    return {
        "id": tid,
        "text": text,
        "author_id": author,
        "author": {"id": author, "username": handle},
        "created_at": AT,
        **more,
    }


def _write(path: Path, *lines: dict | str) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines))
    return path


def _quarantine(store: Store) -> list[tuple[int, bytes]]:
    return store.con.execute("SELECT line, raw FROM quarantine ORDER BY line").fetchall()


def _first(tmp_path: Path) -> Path:
    return _write(
        tmp_path / "first.jsonl",
        _tweet("500", "77", "jane_q"),
        _tweet("501", "88", "other_one", text="standing with you #metoo"),
    )


def test_quarantined_copies_of_a_forgotten_post_are_forgotten_not_kept(tmp_path):
    again = _write(
        tmp_path / "again.jsonl",
        _tweet("500", "77", 7),  # a handle of a wrong type: the store quarantines the post
        '{"id": "500", "text": "the night it happened',  # cut short: the reader quarantines it
        '{"id": "600", "text": "unrelated and broken',  # names nothing forgotten: kept
    )
    with Store(tmp_path / "s.duckdb") as store:
        ingest([_first(tmp_path)], store, progress=False)
        forget(store, ["500"], authors=False)
        report = ingest([again], store, progress=False)
        assert report.balanced and report.read == 3
        assert (report.quarantined, report.duplicates, report.forgotten) == (1, 2, 2)
        assert not any(e.startswith(f"{again}:1:") for e in report.errors)
        rows = _quarantine(store)
    assert [line for line, _ in rows] == [3]
    assert all(b"500" not in raw and b"jane_q" not in raw for _, raw in rows)
    raw_store = (tmp_path / "s.duckdb").read_bytes()
    assert SECRET_TEXT.encode() not in raw_store and b"jane_q" not in raw_store


def test_a_bad_post_of_an_author_forgotten_by_pseudonym_is_forgotten(tmp_path):
    later = _write(tmp_path / "later.jsonl", _tweet("502", "77", ["jane_q"]))
    with Store(tmp_path / "s.duckdb") as store:
        ingest([_first(tmp_path)], store, progress=False)
        forget(store, [store.pseudonym("twitter", "77")])  # the pseudonym alone
        report = ingest([later], store, progress=False)
        assert (report.quarantined, report.forgotten, report.duplicates) == (0, 1, 1)
        assert _quarantine(store) == []


def test_a_cut_record_naming_a_forgotten_handle_is_counted_forgotten(tmp_path):
    """(A handle of a wrong type crashed the run once a deletion list named a person.)"""
    cut = _write(
        tmp_path / "cut.jsonl",
        _tweet("501", "88", "other_one", text="standing with you #metoo"),
        '{"id": "503", "author": {"username": "Jane_Q"}, "te',
        _tweet("507", "99", 12345),  # a handle of a wrong type, with people forgotten: no crash
    )
    with Store(tmp_path / "s.duckdb") as store:
        forget(store, ["@jane_q"])
        report = ingest([cut], store, progress=False)
        assert report.balanced and (report.quarantined, report.forgotten) == (0, 1)
        assert _quarantine(store) == []
        # the handle of a wrong type is left out and its post kept (it needs none)
        row = store.con.execute("SELECT author_name FROM posts WHERE id = '507'").fetchone()
        assert row == (None,)


def test_a_language_of_a_wrong_type_is_left_out_and_the_post_kept(tmp_path):
    path = _write(
        tmp_path / "lang.jsonl",
        _tweet("504", "77", "jane_q", lang=5),
        _tweet("505", "88", "other_one", lang=["en"]),
        _tweet("506", "88", "other_one", lang="de"),
    )
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([path], store, progress=False)
        assert (report.stored, report.quarantined) == (3, 0)
        langs = store.con.execute("SELECT id, lang FROM posts ORDER BY id").fetchall()
        assert langs == [("504", None), ("505", None), ("506", "de")]
        forget(store, ["504"])
        again = ingest([path], store, progress=False)  # the forgotten one stays out
        assert (again.forgotten, again.quarantined, again.stored) == (1, 0, 0)


def test_error_lines_of_past_runs_that_name_a_forgotten_handle_are_scrubbed(tmp_path):
    """A run keeps its first 50 error lines (``runs.counts``), and a line may quote the bad
    cell: a TCAT row whose reply id holds a handle names it. Forgetting the handle removes
    that line, keeps the others, and leaves the counts as they were."""
    src = Path(__file__).resolve().parents[1] / "data" / "tcat"
    with (src / "metoo-20171016-fullExport-mentions_hashtags.csv").open(
        encoding="utf-8-sig", newline=""
    ) as fh:
        header, *rows = list(csv.reader(fh))
    reply, tid = header.index("in_reply_to_status_id"), header.index("id")
    for n, cell in enumerate(("@JaneQSecret", "not-a-tweet")):
        row = list(rows[0])
        row[reply], row[tid] = cell, f"91985426710213000{n}"
        rows.append(row)
    path = tmp_path / "bin.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([path], store)
        assert sum("JaneQSecret" in e or "not-a-tweet" in e for e in report.errors) == 2
        before = json.loads(store.con.execute("SELECT counts FROM runs").fetchone()[0])
        removed = forget(store, ["@JaneQSecret"])
        after = json.loads(store.con.execute("SELECT counts FROM runs").fetchone()[0])
    assert removed.get("runs.errors") == 1
    assert "janeqsecret" not in json.dumps(after).lower()
    assert len(after["errors"]) == len(before["errors"]) == report.quarantined
    assert any("not-a-tweet" in e for e in after["errors"])  # the other line is kept
    assert {k: v for k, v in after.items() if k != "errors"} == {
        k: v for k, v in before.items() if k != "errors"
    }
