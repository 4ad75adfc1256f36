"""CSV rows that are not records: a header repeated in the middle (files joined end to end, each
with its BOM), and a row with a NUL byte; and a header that gives a column name twice, whose first
column is the one read (as pandas, R and DuckDB read it: they rename the later ones)."""

from __future__ import annotations

import csv
import io

from groundswell.ingest.csv_rows import iter_csv_rows, row_dict
from groundswell.ingest.source import Source
from groundswell.store import Store, ingest
from gspaths import FIXTURES

MINET = FIXTURES / "twitter" / "minet_sample.csv"


def _table(path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as fh:
        header, *rows = csv.reader(fh)
    return header, rows


def _write(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue().encode()


def test_files_joined_end_to_end_read_as_one(tmp_path, store: Store):
    """Two twitwi exports joined with ``cat``: the second BOM and header are not records, and the
    first id of the second part does not carry the BOM."""
    header, rows = _table(MINET)
    half = len(rows) // 2
    bom = b"\xef\xbb\xbf"
    path = tmp_path / "joined.csv"
    path.write_bytes(bom + _write(header, rows[:half]) + bom + _write(header, rows[half:]))
    report = ingest([path], store)
    clean = tmp_path / "clean.csv"
    clean.write_bytes(_write(header, rows))
    with Store(tmp_path / "clean.duckdb") as other:
        want = ingest([clean], other)
        want_ids = other.con.execute("SELECT id FROM posts ORDER BY id").fetchall()
    assert (report.read, report.stored, report.reposts, report.quarantined) == (
        want.read,
        want.stored,
        want.reposts,
        0,
    )
    assert store.con.execute("SELECT id FROM posts ORDER BY id").fetchall() == want_ids
    junk = "SELECT * FROM reposts WHERE id = 'id' OR repost_of = 'retweeted_id'"
    assert not store.con.execute(junk).fetchall()


def test_a_nul_byte_quarantines_its_row(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(b"id,text\n1,a\n12\x0034,b\n3,c\n")
    got = list(iter_csv_rows(Source(path), "t"))
    assert [r if isinstance(r, tuple) else (r.line, "NUL" in r.reason) for r in got] == [
        (1, ["id", "text"]),
        (2, ["1", "a"]),
        (3, True),
        (4, ["3", "c"]),
    ]


def test_a_repeated_column_name_keeps_its_first_column():
    assert row_dict(["id", "text", "text"], ["1", "first", "second"]) == {
        "id": "1",
        "text": "first",
    }


def test_twitwi_with_a_second_text_column_keeps_the_real_text(tmp_path, store: Store):
    """A twitwi CSV whose ``lang`` column was renamed ``text``: the tweets keep their text (the
    first ``text`` column), not the language code."""
    header, rows = _table(MINET)
    assert header.index("text") < header.index("lang")
    renamed = [("text" if name == "lang" else name) for name in header]
    path = tmp_path / "dup.csv"
    path.write_bytes(_write(renamed, rows))
    report = ingest([path], store)
    assert report.balanced and report.quarantined == 0
    texts = dict(store.con.execute("SELECT id, text FROM posts").fetchall())
    rt = header.index("retweeted_id")  # a retweet is stored as a repost edge
    own = {row[header.index("id")]: row[header.index("text")] for row in rows if not row[rt]}
    assert own and all(texts[tid] == text for tid, text in own.items())


def test_generic_csv_with_a_repeated_mapped_column_uses_the_first(tmp_path, store: Store):
    path = tmp_path / "dup.csv"
    path.write_text("id,text,text\n1,the post,an echo\n")
    ingest([path], store, fmt="generic", options={"mapping": {"id": "id", "text": "text"}})
    assert store.con.execute("SELECT text FROM posts").fetchall() == [("the post",)]
