"""An unclosed quote in one CSV row is that row's problem only: it is quarantined and the rows it
would have swallowed into its text field are read, in every CSV format."""

from __future__ import annotations

import csv
import io
import re

import pytest

from groundswell.ingest import csv_rows
from groundswell.ingest.csv_rows import iter_csv_rows
from groundswell.ingest.source import Source
from groundswell.store import Store, ingest
from gspaths import FIXTURES


def _header(path) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as fh:
        return next(csv.reader(fh))


def _twarc(i: int, text: str) -> dict:
    return {
        "id": str(1500 + i),
        "created_at": "2022-03-08T09:15:02.000Z",
        "text": text,
        "author_id": "44",
        "author.username": "mira",
    }


def _twitwi(i: int, text: str) -> dict:
    return {
        "id": str(9200 + i),
        "timestamp_utc": "1508150000",
        "user_screen_name": "c",
        "text": text,
    }


def _generic(i: int, text: str) -> dict:
    return {"post_id": f"f-{i}", "posted": "2018-02-03 08:15:00+01:00", "user": "u", "body": text}


def _ct(i: int, text: str) -> dict:
    return {
        "Page Name": "Riverside",
        "Facebook Id": "318",
        "Post Created": "2017-10-16 09:12:44 EDT",
        "URL": f"https://www.facebook.com/riverside/posts/{700 + i}",
        "Message": text,
    }


def _bsky(i: int, text: str) -> dict:
    return {
        "cid": f"c{i}",
        "uri": f"at://did:plc:aaaa/app.bsky.feed.post/3k{i}",
        "user_did": "did:plc:aaaa",
        "timestamp_utc": "1729087200",
        "text": text,
    }


FORMATS = {
    "twarc_csv": (FIXTURES / "twitter" / "twarc_csv_sample.csv", _twarc, "text"),
    "twitwi": (FIXTURES / "twitter" / "minet_sample.csv", _twitwi, "text"),
    "generic": (FIXTURES / "generic" / "forum_posts.csv", _generic, "body"),
    "crowdtangle": (FIXTURES / "crowdtangle" / "facebook_page_posts.csv", _ct, "Message"),
    "bluesky_csv": (FIXTURES / "bluesky" / "posts_export.csv", _bsky, "text"),
}
TEXTS = ["first post", "BROKEN row", "plain third", 'with "quotes", commas', "two\nlines", "last"]


def _file(name: str) -> bytes:
    fixture, row, _ = FORMATS[name]
    out = io.StringIO()
    writer = csv.DictWriter(out, _header(fixture), lineterminator="\n")
    writer.writeheader()
    writer.writerows(row(i, text) for i, text in enumerate(TEXTS, start=1))
    # open a quote at the start of row 2's text field and never close it
    return re.sub(r"(^|,)BROKEN row", r'\1"BROKEN row', out.getvalue(), flags=re.M).encode()


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_unclosed_quote_quarantines_one_row_and_salvages_the_rest(tmp_path, store: Store, name):
    path = tmp_path / f"{name}.csv"
    path.write_bytes(_file(name))
    report = ingest([path], store)
    assert report.balanced and report.quarantined == 1, report.errors
    ((line, reason, raw),) = store.con.execute(
        "SELECT line, reason, raw FROM quarantine"
    ).fetchall()
    assert line == 3 and "unclosed quote" in reason and b"BROKEN" in raw
    texts = {r[0] for r in store.con.execute("SELECT text FROM posts").fetchall()}
    assert {"first post", "plain third", 'with "quotes", commas', "two\nlines", "last"} <= texts


def test_a_legitimate_quoted_newline_is_one_row(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('a,b,c,d\n1,"x\n2,y,z,w\n3",q,r\n4,five,six,seven\n')
    rows = [r for r in iter_csv_rows(Source(path), "t")]
    # the middle line looks like a row but the quote closes on the next line with a bad shape
    assert rows[-1] == (5, ["4", "five", "six", "seven"])


def test_quote_open_to_end_of_file_salvages_following_rows(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('a,b\n1,"never closed\n2,two\n3,three\n')
    rows = list(iter_csv_rows(Source(path), "t"))
    assert rows[0] == (1, ["a", "b"]) and rows[1].line == 2
    assert rows[2:] == [(3, ["2", "two"]), (4, ["3", "three"])]


# -- narrow tables: a line of prose parses as a row, so no single line can tell -------------------
NARROW = {
    1: ("text", "post {i}", '"never closed'),
    2: ("id,text", "{i},post {i}", '{i},"never closed'),
    3: ("id,text,created_at", "{i},post {i},2021-01-0{d}", '{i},"never closed,2021-01-01'),
}


def _narrow(width: int, rows: int, bad_at: int) -> tuple[bytes, list[tuple[int, list[str]]]]:
    """A table of ``width`` columns whose row ``bad_at`` opens a quote it never closes, and the
    ``(line, fields)`` expected of every other row."""
    header, good, bad = NARROW[width]
    lines, want = [header], []
    for i in range(1, rows + 1):
        text = (bad if i == bad_at else good).format(i=i, d=i % 9 + 1)
        lines.append(text)
        if i != bad_at:
            want.append((i + 1, next(csv.reader([text]))))
    return "\n".join(lines).encode() + b"\n", want


@pytest.mark.parametrize("width", [1, 2, 3])
@pytest.mark.parametrize("rows, limit", [(12, 5 * 1024 * 1024), (400, 1000)], ids=["small", "big"])
def test_unclosed_quote_in_a_narrow_table_costs_its_row_only(tmp_path, width, rows, limit):
    """An unclosed quote in a table of 1 to 3 columns, in a file smaller or larger than the row
    size limit: its row is quarantined alone and every other row is read, at its own line."""
    data, want = _narrow(width, rows, bad_at=2)
    assert (len(data) > limit) == (rows == 400)
    path = tmp_path / "narrow.csv"
    path.write_bytes(data)
    got = list(iter_csv_rows(Source(path), "t", ",", limit=limit))
    bad = [r for r in got if not isinstance(r, tuple)]
    assert [(q.line, q.raw) for q in bad] == [(3, data.split(b"\n")[2] + b"\n")]
    assert "unclosed quote" in bad[0].reason
    assert [r for r in got if isinstance(r, tuple)] == [(1, NARROW[width][0].split(",")), *want]


@pytest.mark.parametrize("width", [2, 3])
@pytest.mark.parametrize("limit", [None, 1000], ids=["small", "big"])
def test_narrow_unclosed_quote_end_to_end(tmp_path, store: Store, monkeypatch, width, limit):
    """Through the generic reader and the store, in a file under and over the size limit (brought
    down to 1000 bytes: the last row, of 1200, is then too long): read == stored + quarantined,
    and no other row is lost."""
    if limit:
        monkeypatch.setattr(csv_rows, "MAX_LINE_BYTES", limit)
    data, want = _narrow(width, 300, bad_at=2)
    long_row = ",".join(["301", "x" * 1200, "2021"][:width]).encode() + b"\n"
    path = tmp_path / "narrow.csv"
    path.write_bytes(data + long_row)
    mapping = {"id": "id", "text": "text"}
    report = ingest([path], store, fmt="generic", options={"mapping": mapping})
    lost = 1 if limit else 0
    assert report.balanced and report.read == 301
    assert (report.stored, report.quarantined) == (300 - lost, 1 + lost)
    stored = store.con.execute("SELECT id, text, source_line FROM posts ORDER BY source_line")
    assert stored.fetchall()[:299] == [(f[0], f[1], line) for line, f in want]


def test_an_oversized_quoted_field_of_prose_is_one_row_in_a_narrow_table(tmp_path):
    """At the size limit, a field whose lines are not rows is one oversized row, skipped to its
    close, not an unclosed quote: its lines are not read as rows."""
    prose = "just some words on a line\n" * 100
    path = tmp_path / "x.csv"
    path.write_text(f'id,text,created_at\n1,"{prose}",2021\n2,after,2022\n')
    got = list(iter_csv_rows(Source(path), "t", ",", limit=1000))
    assert got[0] == (1, ["id", "text", "created_at"])
    assert got[1].line == 2 and "longer than 1000 bytes" in got[1].reason
    assert got[2:] == [(103, ["2", "after", "2022"])]


def test_a_quote_inside_an_unquoted_field_opens_nothing(tmp_path):
    """A quote that is not a field's first character is text (as Python's csv reads it); it no
    longer opens a field that would swallow the next rows."""
    path = tmp_path / "x.csv"
    path.write_text('id,text,size\n1,a 12" screen,x\n2,b,c\n3,"q",d\n')
    assert list(iter_csv_rows(Source(path), "t")) == [
        (1, ["id", "text", "size"]),
        (2, ["1", 'a 12" screen', "x"]),
        (3, ["2", "b", "c"]),
        (4, ["3", "q", "d"]),
    ]


# -- a bad row that spans lines is one bad row -----------------------------------------------------
TWITWI_HEAD = "id,timestamp_utc,user_screen_name,text,lang\n"


def test_a_ragged_multi_line_row_is_one_quarantined_record(tmp_path, store: Store):
    """A row with a multi-line text and too few (or too many) fields: its quote closes, so it is
    one bad row, quarantined once; its text lines are not read again as rows."""
    path = tmp_path / "ragged.csv"
    path.write_text(
        TWITWI_HEAD + "1,1508150000,ana,first,en\n"
        '2,1508150001,ben,"two\nlines, of text"\n'  # one field short
        "3,1508150002,cy,third,en\n"
        '4,1508150003,dan,"multi\nline",fr,extra\n'  # one field over
        "5,1508150004,eve,last,en\n"
    )
    report = ingest([path], store)
    assert report.balanced and (report.read, report.stored, report.quarantined) == (5, 3, 2)
    bad = store.con.execute("SELECT line, reason FROM quarantine ORDER BY line").fetchall()
    assert [(line, "fields" in reason) for line, reason in bad] == [(3, True), (6, True)]
    stored = store.con.execute("SELECT id, source_line FROM posts ORDER BY id").fetchall()
    assert stored == [("1", 2), ("3", 5), ("5", 8)]


def test_a_row_cut_inside_its_quoted_text_keeps_its_lines(tmp_path, store: Store):
    """A row cut short inside a multi-line text, then the next row: the lines of the cut text,
    which are not rows, are quarantined with it as one record; the next row is read."""
    path = tmp_path / "cut.csv"
    path.write_text(
        TWITWI_HEAD + "1,1508150000,ana,first,en\n"
        '2,1508150001,ben,"a text cut\nshort here\n'
        '3,1508150002,cy,"with ""quotes"", and\nlines",en\n'
    )
    report = ingest([path], store)
    assert report.balanced and (report.read, report.stored, report.quarantined) == (3, 2, 1)
    ((line, reason, raw),) = store.con.execute(
        "SELECT line, reason, raw FROM quarantine"
    ).fetchall()
    assert line == 3 and "unclosed quote" in reason
    assert raw == b'2,1508150001,ben,"a text cut\nshort here\n'
    texts = dict(store.con.execute("SELECT id, text FROM posts").fetchall())
    assert texts == {"1": "first", "3": 'with "quotes", and\nlines'}


def test_a_bad_byte_in_a_multi_line_row_is_one_bad_row(tmp_path):
    path = tmp_path / "cr.csv"
    path.write_bytes(
        TWITWI_HEAD.encode() + b'1,15081\xff50000,ana,"two\nlines",en\n2,1508150001,ben,b,en\n'
    )
    got = list(iter_csv_rows(Source(path), "t"))
    assert [type(r).__name__ for r in got] == ["tuple", "Quarantined", "tuple"]
    assert got[1].line == 2 and got[1].raw.endswith(b'lines",en\n')
    assert got[2] == (4, ["2", "1508150001", "ben", "b", "en"])


@pytest.mark.parametrize("end", [b"\n", b"\r\n"])
def test_a_bare_cr_in_an_unquoted_cell_is_text_of_its_row(tmp_path, end):
    """Python's csv ends an unquoted field at a bare CR, so its row was "broken CSV row"
    (a multi-line one too); the CR is now kept in its cell, quoted or not."""
    path = tmp_path / "cr.csv"
    rows = [b"id,text,n", b"1,Line one\rLine two #MeToo,3", b'2,15081\r50000,"two\nlines"']
    path.write_bytes(end.join([*rows, b'3,"quoted\rcr",5', b"4,last,6\r"]))
    assert list(iter_csv_rows(Source(path), "t")) == [
        (1, ["id", "text", "n"]),
        (2, ["1", "Line one\rLine two #MeToo", "3"]),
        (3, ["2", "15081\r50000", "two\nlines"]),
        (5, ["3", "quoted\rcr", "5"]),
        (6, ["4", "last", "6"]),  # a CR that ends the file ends its line
    ]


def test_lines_that_end_in_a_bare_cr_are_still_lines(tmp_path):
    """An old Mac file (every line ended by a bare CR) is read line by line, as before."""
    path = tmp_path / "mac.csv"
    path.write_bytes(b'id,text,n\r1,one #MeToo,3\r2,"two\rlines",4\r3,three,5\r')
    assert list(iter_csv_rows(Source(path), "t")) == [
        (1, ["id", "text", "n"]),
        (2, ["1", "one #MeToo", "3"]),
        (3, ["2", "two\nlines", "4"]),
        (5, ["3", "three", "5"]),
    ]


def test_an_open_quote_ends_where_the_next_row_quotes_a_field(tmp_path):
    """The next row's own quoted field closes the open one on a quote that text follows ("a),
    even when a later field of that row opens another: its row is read, not swallowed."""
    path = tmp_path / "x.csv"
    path.write_text('id,text,b,c\n1,"never closed,x,y\n2,"a",b,"multi\nline"\n3,last,b,c\n')
    got = list(iter_csv_rows(Source(path), "t"))
    assert got[1].line == 2 and "unclosed quote" in got[1].reason
    assert [got[0], *got[2:]] == [
        (1, ["id", "text", "b", "c"]),
        (3, ["2", "a", "b", "multi\nline"]),
        (5, ["3", "last", "b", "c"]),
    ]
