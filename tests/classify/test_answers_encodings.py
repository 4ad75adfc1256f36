"""``label --answers`` reads the CSV as a spreadsheet saves it (UTF-8 with or without its mark,
UTF-16, Windows-1252 over several rows), and a file it cannot read is a one-line error naming the
file and line, never a traceback."""

from __future__ import annotations

import pytest

from groundswell.classify.label import read_answers
from groundswell.errors import InputError
from groundswell.schema import ACTS

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
    got = read_answers(path)
    assert [a["id"] for a in got] == [ROWS[0][1], ROWS[2][1]]  # the others are still read
    assert len(got.errors) == 1 and got.errors[0].startswith(f"{path}:3: not UTF-8 text")


@pytest.mark.parametrize("body", [b"\x00\xff\xfe\x01" * 50, b"", b"id;act\n1;support\n"])
def test_a_file_that_is_no_answers_csv_is_a_one_line_error(tmp_path, body):
    path = tmp_path / "answers.csv"
    path.write_bytes(body)
    with pytest.raises(InputError, match=r"answers\.csv"):
        read_answers(path)


def test_a_folder_is_a_one_line_error(tmp_path):
    with pytest.raises(InputError, match="cannot read the answers"):
        read_answers(tmp_path)


def _sample(rows: list[tuple[str, str, str, str]]) -> bytes:
    """A label sample as `groundswell label` writes it (platform, id, text, act, ref), filled."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["platform", "id", "text", "act", "ref"])
    writer.writerows([*row, ""] for row in rows)
    return buf.getvalue().encode("utf-8")


def test_a_row_left_blank_is_skipped_not_the_whole_file(tmp_path):
    """The sample is written with an empty act column; a row the user did not answer is
    skipped (and counted), the answered ones are read."""
    path = tmp_path / "answers.csv"
    rows = [(p, i, t, a) for p, i, t, a in ROWS]
    rows[1] = (*rows[1][:3], "  ")
    path.write_bytes(_sample(rows))
    got = read_answers(path)
    assert [a["id"] for a in got] == [ROWS[0][1], ROWS[2][1]]
    assert got.unanswered == 1


def test_a_post_longer_than_the_csv_limit_is_read(tmp_path):
    """The sample's text is the post's, whatever its length (an essay-long Reddit post)."""
    path = tmp_path / "answers.csv"
    long_text = "I was harassed at work for years. " * 8000  # 272 KB, over csv's 128 KB
    path.write_bytes(_sample([("reddit", "t3_abc", long_text, "testimony")]))
    assert [a["act"] for a in read_answers(path)] == ["testimony"]


def test_an_error_names_the_line_its_row_starts_on(tmp_path):
    """Texts with line breaks: the bad act is named by its row's first line in the file."""
    path = tmp_path / "answers.csv"
    rows = [
        ("twitter", "1", "first line\nsecond line\nthird line", "support"),
        ("twitter", "2", "one line", "gossip"),
    ]
    path.write_bytes(_sample(rows))
    got = read_answers(path)
    assert [a["id"] for a in got] == ["1"]
    assert got.errors == [f"{path}:5: act 'gossip' is not in the codebook ({', '.join(ACTS)})"]
