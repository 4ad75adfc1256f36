"""What `predict` and `eval` make of input that is not plain UTF-8 JSON lines or CSV: a
byte-order mark, UTF-16, bytes that are no text, a field or line over the csv module's 128 KB,
a file with no labelled row. Never a traceback: a line that cannot be read is reported in its
place and the rest predicted (exit 2 at the end); what cannot be evaluated is one line, exit 2."""

from __future__ import annotations

import codecs
import csv
import io
import json
import random
import warnings

import pytest
from classify_helpers import FIXTURES

from groundswell.classify.training import read_labelled_csv
from groundswell.cli import main
from groundswell.errors import InputError

BIG = 300_000  # characters: over the csv module's default field limit (131,072)


def _lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.split("\n") if line.strip()]


def _one_line_error(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("groundswell: error: ")
    return lines[0]


def _stdin_bytes(monkeypatch, data: bytes) -> None:
    """Standard input as the command sees it: a text stream over bytes."""
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


# -- predict ---------------------------------------------------------------------------------
def test_predict_reports_an_undecodable_line_in_place_and_predicts_the_rest(tmp_path, capsys):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        b'{"text": "When I was 13 my teacher touched me", "id": "a"}\n'
        b"\xbb\xbc\xff\xfe random \x00 bytes\n"
        b"\n"
        b'{"text": "Actor accused of groping two assistants", "id": "b"}\n'
    )
    assert main(["predict", str(path)]) == 2
    out, err = capsys.readouterr()
    recs = _lines(out)
    assert [r.get("id") for r in recs] == ["a", None, "b"]
    assert recs[0]["act"] == "testimony" and recs[2]["act"] == "reporting"
    assert recs[0]["model"] == "student"  # the shipped student by default
    assert recs[1] == {
        "file": str(path),
        "line": 2,
        "error": recs[1]["error"],
    }
    assert "not UTF-8" in recs[1]["error"] and "0xbb" in recs[1]["error"]
    line = _one_line_error(err)
    assert f"{path}:2: not UTF-8" in line and "1 of 3 inputs" in line


def test_predict_reports_bad_json_lines_and_keeps_going(tmp_path, capsys):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"text": "me too"}\n{bad json\n{"text": 5}\n[1, 2]\n{"id": 1}\n'
        '{"text": "me too, again"}\n',
        encoding="utf-8",
    )
    assert main(["predict", str(path)]) == 2
    out, err = capsys.readouterr()
    recs = _lines(out)
    assert [r.get("line") for r in recs] == [None, 2, 3, 4, 5, None]
    assert recs[0]["text"] == "me too" and recs[-1]["text"] == "me too, again"
    assert "not a JSON object" in recs[1]["error"]
    assert "not a string" in recs[2]["error"] and "array" in recs[3]["error"]
    assert "no 'text'" in recs[4]["error"]
    assert f"{path}:2:" in _one_line_error(err)


def test_predict_a_line_too_long_for_csv_is_one_bad_line(tmp_path, capsys):
    # a .jsonl file whose first line is no JSON: it was read as CSV and stopped the csv module
    path = tmp_path / "hugeline.jsonl"
    path.write_text("x" * BIG + '\n{"text": "after"}\n', encoding="utf-8")
    assert main(["predict", str(path)]) == 2
    out, err = capsys.readouterr()
    recs = _lines(out)
    assert recs[0]["line"] == 1 and "not a JSON object" in recs[0]["error"]
    assert recs[1]["text"] == "after" and "act" in recs[1]
    assert len(_one_line_error(err)) < 400  # the line itself is not repeated


def test_predict_reads_a_csv_field_over_the_csv_limit(tmp_path, capsys):
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "text"])
        w.writerow(["long", "me too " * (BIG // 7)])
        w.writerow(["short", "me too"])
    assert main(["predict", str(path)]) == 0
    recs = _lines(capsys.readouterr().out)
    assert [r["id"] for r in recs] == ["long", "short"]
    assert len(recs[0]["text"]) > BIG - 10


def test_predict_reports_an_undecodable_csv_row_by_its_line(tmp_path, capsys):
    path = tmp_path / "rows.csv"
    path.write_bytes(b'id,text\n1,"me\ntoo"\n2,caf\xe9 \xff\n3,fine\n')
    assert main(["predict", str(path)]) == 2
    out, err = capsys.readouterr()
    recs = _lines(out)
    assert recs[0]["id"] == "1" and recs[0]["text"] == "me\ntoo"
    assert recs[1] == {"file": str(path), "line": 4, "error": recs[1]["error"]}
    assert recs[2]["id"] == "3"
    assert f"{path}:4: not UTF-8" in _one_line_error(err)


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.encode("utf-16"),  # with its byte-order mark, as Windows writes it
        lambda s: s.encode("utf-16-le"),  # without one
        lambda s: codecs.BOM_UTF8 + s.encode("utf-8"),
        lambda s: s.encode("utf-32"),
    ],
    ids=["utf-16", "utf-16-le", "utf-8-bom", "utf-32"],
)
@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_predict_reads_utf16_and_a_byte_order_mark(tmp_path, capsys, monkeypatch, encode, kind):
    text = (
        '{"text": "When I was 13 my teacher touched me", "id": "é1"}\n'
        if kind == "jsonl"
        else 'id,text\né1,"When I was 13 my teacher touched me"\n'
    )
    path = tmp_path / f"in.{kind}"
    path.write_bytes(encode(text))
    assert main(["predict", str(path)]) == 0
    recs = _lines(capsys.readouterr().out)
    assert [r["id"] for r in recs] == ["é1"] and recs[0]["act"] == "testimony"
    _stdin_bytes(monkeypatch, encode(text))
    assert main(["predict"]) == 0
    assert [r["id"] for r in _lines(capsys.readouterr().out)] == ["é1"]


def test_predict_random_bytes_on_stdin_is_one_line(monkeypatch, capsys):
    noise = random.Random(7).randbytes(4000)  # holds zero bytes: no single-byte text either
    _stdin_bytes(monkeypatch, b"\xbb" + noise)
    assert main(["predict"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "<stdin>:1: not UTF-8" in _one_line_error(err)


@pytest.mark.parametrize("kind", ["gzip", "bzip2", "xz", "zip"])
def test_predict_says_a_packed_file_is_packed(tmp_path, capsys, kind):
    """A compressed export or a spreadsheet saved as .xlsx is said to be one, with what to do,
    not "save the file as UTF-8"."""
    import bz2
    import gzip
    import lzma
    import zipfile

    body = b'{"text": "I believe her #metoo"}\n'
    path = tmp_path / "posts.jsonl"
    if kind == "zip":
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("xl/workbook.xml", body)
    else:
        path.write_bytes({"gzip": gzip, "bzip2": bz2, "xz": lzma}[kind].compress(body))
    assert main(["predict", str(path)]) == 2
    out, err = capsys.readouterr()
    line = _one_line_error(err)
    assert out == "" and f"{path}:1: " in line and "not UTF-8" not in line
    assert (f"{kind} -dc {path}" if kind != "zip" else "save the sheet as CSV") in line


def test_predict_csv_without_text_names_its_columns_briefly(tmp_path, capsys):
    path = tmp_path / "notext.csv"
    path.write_text("x" * BIG + ",body\n1,hello\n", encoding="utf-8")
    assert main(["predict", str(path)]) == 2
    line = _one_line_error(capsys.readouterr().err)
    assert "needs a 'text' column" in line and len(line) < 400


# -- eval ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content",
    ["text,act\n", 'text,act\n,other\n"  ",support\n'],
    ids=["header-only", "empty-texts"],
)
def test_eval_without_labelled_rows_is_one_line(tmp_path, capsys, content):
    path = tmp_path / "labels.csv"
    path.write_text(content, encoding="utf-8")
    assert main(["eval", str(path)]) == 2
    line = _one_line_error(capsys.readouterr().err)
    assert f"{path}: no labelled rows" in line


def _labelled(path, encode=lambda s: s.encode("utf-8"), text="me too") -> None:
    body = io.StringIO()
    w = csv.writer(body, lineterminator="\n")
    w.writerow(["text", "act"])
    w.writerow([text, "testimony"])
    w.writerow(["Actor accused of groping two assistants", "reporting"])
    path.write_bytes(encode(body.getvalue()))


@pytest.mark.parametrize(
    "encode",
    [lambda s: codecs.BOM_UTF8 + s.encode("utf-8"), lambda s: s.encode("utf-16")],
    ids=["utf-8-bom", "utf-16"],
)
def test_eval_reads_a_byte_order_mark_and_utf16(tmp_path, capsys, encode):
    path = tmp_path / "labels.csv"
    _labelled(path, encode)
    assert main(["eval", str(path), "--json"]) == 0
    out, err = capsys.readouterr()
    res = json.loads(out)
    assert res["n"] == 2 and res["model"] == "student"
    assert err == ""


def test_eval_reads_a_field_over_the_csv_limit(tmp_path, capsys):
    path = tmp_path / "big.csv"
    _labelled(path, text="When I was 13 my teacher touched me. " * (BIG // 37))
    assert main(["eval", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n"] == 2


def test_eval_names_the_line_of_bytes_that_are_no_text(tmp_path, capsys):
    path = tmp_path / "labels.csv"
    path.write_bytes(b'text,act\n"two\nlines",other\nbad \xff\xfe,other\n')
    assert main(["eval", str(path)]) == 2
    assert f"{path}:4: not UTF-8" in _one_line_error(capsys.readouterr().err)


def test_eval_scores_the_rows_it_reads_and_names_the_others(tmp_path, capsys):
    """A label not in the codebook, or a row of bytes that are no text, is that row's error:
    the other rows are scored, the run ends with exit code 2 naming the first; train, reading
    its data, still stops at it."""
    path = tmp_path / "labels.csv"
    path.write_bytes(
        b"text,act\n"
        b"My manager cornered me in the stockroom #metoo,testimony\n"
        b"Thank you for speaking up,Sarcasm\n"
        b"We stand with every survivor,support\n"
        b"caf\xe9 gossip,other\n"
        b"Senator resigns after allegations,reporting\n"
    )
    assert main(["eval", str(path), "--json"]) == 2
    out, err = capsys.readouterr()
    res = json.loads(out)
    assert res["n"] == 3
    assert [e.split(": ", 1)[0] for e in res["errors"]] == [f"{path}:3", f"{path}:5"]
    line = _one_line_error(err)
    assert f"{path}:3: act 'sarcasm' is not in the codebook" in line and "2 rows" in line
    with pytest.raises(InputError, match=r"labels\.csv:3: act 'sarcasm'"):
        read_labelled_csv(path)


def test_eval_with_one_act_prints_no_warning(tmp_path, capsys):
    path = tmp_path / "labels.csv"
    path.write_text("text,act\nmeh,other\nnothing here,other\n", encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["eval", str(path)]) == 0
    assert [str(w.message) for w in caught if "label" in str(w.message)] == []
    assert capsys.readouterr().err == ""


def _dict_reader_rows(path):
    """The rows as csv.DictReader read them before (texts and acts of rows with text)."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if (r.get("text") or "").strip()]
    return [r["text"].strip() for r in rows], [r["act"].strip().lower() for r in rows]


@pytest.mark.parametrize("name", ["acts.csv", "testimonies.csv"])
def test_training_data_is_read_as_before(data_dir, name):
    data = read_labelled_csv(data_dir / name)
    assert (data.texts, data.acts) == _dict_reader_rows(data_dir / name)
    assert len(data.texts) > 100


def test_the_fixture_labels_are_read_as_before():
    data = read_labelled_csv(FIXTURES / "posts.csv")
    assert (data.texts, data.acts) == _dict_reader_rows(FIXTURES / "posts.csv")


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_predict_json_lines_end_at_newlines_only(tmp_path, capsys, end):
    # U+2028 and U+0085 may stand inside a JSON string; they end no line
    path = tmp_path / "lines.jsonl"
    path.write_text(
        end.join(['{"text": "me\u2028too\u0085", "id": 1}', '{"text": "again", "id": 2}']) + end,
        encoding="utf-8",
        newline="",
    )
    assert main(["predict", str(path)]) == 0
    recs = _lines(capsys.readouterr().out)
    assert [(r["id"], r["text"]) for r in recs] == [(1, "me\u2028too\u0085"), (2, "again")]


@pytest.mark.parametrize(
    "rows",
    [
        b'1,"I was 15, unclosed\n2,my coach touched me\n3,me too\n4,witch hunt\n',
        b'1,"I was 15, unclosed\n2,"my coach, he touched me"\n3,me too\n4,witch hunt\n',
    ],
    ids=["to the end", "until a quote closes"],
)
def test_predict_an_unclosed_quote_takes_only_its_own_row(tmp_path, capsys, rows):
    """A quote that never closes would make the csv module read every later row into one
    text: that row is one unread input naming its line, and the rows after it are predicted."""
    path = tmp_path / "rows.csv"
    path.write_bytes(b"id,text\n" + rows)
    assert main(["predict", str(path)]) == 2
    out, err = capsys.readouterr()
    recs = _lines(out)
    assert recs[0] == {"file": str(path), "line": 2, "error": recs[0]["error"]}
    assert "unclosed quote" in recs[0]["error"]
    assert [r["id"] for r in recs[1:]] == ["2", "3", "4"]
    assert f"{path}:2: unclosed quote" in _one_line_error(err)


def test_eval_names_an_unclosed_quote_and_scores_the_rows_after_it(tmp_path, capsys):
    """A quote that never closes took every row after it into one text, and eval named its line
    as "act ''"; now that row is named as an unclosed quote, the rows after it are scored (exit 2
    after the metrics), and train, reading the same file, stops at it with that reason."""
    path = tmp_path / "labels.csv"
    path.write_text(
        "text,act\n"
        "My manager cornered me in the stockroom #metoo,testimony\n"
        '"Thank you for speaking up,support\n'
        "We stand with every survivor,support\n"
        "Senator resigns after allegations,reporting\n",
        encoding="utf-8",
    )
    assert main(["eval", str(path), "--json"]) == 2
    out, err = capsys.readouterr()
    res = json.loads(out)
    assert res["n"] == 3
    assert [e.split(": ", 1)[0] for e in res["errors"]] == [f"{path}:3"]
    assert "unclosed quote" in res["errors"][0]
    line = _one_line_error(err)
    assert f"{path}:3: unclosed quote" in line and "1 rows" in line
    with pytest.raises(InputError, match=r"labels\.csv:3: unclosed quote"):
        read_labelled_csv(path)
