"""CSV rows that are not records: a header repeated in the middle (files joined end to end, each
with its BOM), and a row with a NUL byte."""

from __future__ import annotations

import csv
import io

from groundswell.ingest.csv_rows import iter_csv_rows
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
