"""``label --answers`` reads the CSV as a spreadsheet saves it (UTF-8 with or without its mark,
UTF-16, Windows-1252 over several rows), and a file it cannot read is a one-line error naming the
file and line, never a traceback."""

from __future__ import annotations

import pytest

from groundswell.classify.label import read_answers
from groundswell.errors import InputError

ROWS = [
    ("twitter", "1380242064382775299", "Café owner harassed me", "testimony"),
    ("reddit", "t1_dnz4k2q", "Naïve to think it stops", "support"),
    ("twitter", "1380242064382775300", "Résumé of the allegations", "reporting"),
]


def _csv() -> str:
    lines = ["platform,id,text,act"] + [",".join(r) for r in ROWS]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_answers_saved_by_a_spreadsheet_are_read(tmp_path, encoding):
    path = tmp_path / "answers.csv"
    path.write_bytes(_csv().encode(encoding))
    got = read_answers(path)
    assert [(a["platform"], a["id"], a["act"]) for a in got] == [(p, i, a) for p, i, _, a in ROWS]


def test_one_undecodable_row_is_named_by_its_line(tmp_path):
    path = tmp_path / "answers.csv"
    body = _csv().encode("utf-8").replace("Naïve".encode(), b"Na\xefve")  # one cp1252 byte
    path.write_bytes(body)
    with pytest.raises(InputError, match=r"answers\.csv:3: not UTF-8 text"):
        read_answers(path)


@pytest.mark.parametrize("body", [b"\x00\xff\xfe\x01" * 50, b"", b"id;act\n1;support\n"])
def test_a_file_that_is_no_answers_csv_is_a_one_line_error(tmp_path, body):
    path = tmp_path / "answers.csv"
    path.write_bytes(body)
    with pytest.raises(InputError, match=r"answers\.csv"):
        read_answers(path)


def test_a_folder_is_a_one_line_error(tmp_path):
    with pytest.raises(InputError, match="cannot read the answers"):
        read_answers(tmp_path)
