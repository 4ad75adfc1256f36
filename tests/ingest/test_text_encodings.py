"""Exports saved by other tools in another text encoding or with other line ends read as the
UTF-8 original does: UTF-16 and UTF-32 (what Windows PowerShell's ``>`` and Excel's "Unicode
text" write), with or without a byte-order mark, compressed or not, and lines ended by a bare
carriage return. Every sample of every reader (tests/data, and ../shared/formats when present)
gives the same posts in each encoding."""

from __future__ import annotations

import codecs
import gzip
from pathlib import Path

import pytest

from groundswell.ingest.source import Source
from groundswell.ingest.streams import lone_carriage_returns, text_encoding
from groundswell.store import Store, ingest
from gspaths import sample_path

SAMPLES = [
    "twitter/v1_stream.jsonl",
    "twitter_v2/pages.jsonl",
    "reddit/RC_2017-10_sample.ndjson",
    "bluesky/jetstream_sample.jsonl",
    "twitter/twarc_csv_sample.csv",
    "twitter/minet_sample.csv",
    "crowdtangle/facebook_page_posts.csv",
    "generic/obvious.tsv",
    "mastodon/home_timeline.json",
    "bluesky/feed_page.json",
    "telegram/channel/result.json",
    "formats:twitter_v2_twarc2/flat.jsonl",
    "formats:twitwi_csv/tweet-export.csv",
]
ENCODINGS = {
    "utf-16-le-bom": lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
    "utf-16-be-bom": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    "utf-16-le": lambda t: t.encode("utf-16-le"),
    "utf-16-be": lambda t: t.encode("utf-16-be"),
    "utf-32-le-bom": lambda t: codecs.BOM_UTF32_LE + t.encode("utf-32-le"),
    "utf-16-gzip": lambda t: gzip.compress(codecs.BOM_UTF16_LE + t.encode("utf-16-le")),
    "lone-cr": lambda t: t.replace("\r\n", "\n").replace("\n", "\r").encode(),
    "utf-16-lone-cr": lambda t: t.replace("\r\n", "\n").replace("\n", "\r").encode("utf-16-le"),
}


def _posts(path: Path, db: Path) -> tuple[list[tuple], dict]:
    with Store(db) as store:
        report = ingest([path], store).to_dict()
        rows = store.con.execute(
            "SELECT platform, id, text, author, created_at, hashtags FROM posts ORDER BY ALL"
        ).fetchall()
    return rows, report


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("rel", SAMPLES)
def test_another_encoding_gives_the_same_posts(rel, encoding, tmp_path):
    sample = sample_path(rel)
    text = sample.read_bytes().decode("utf-8-sig", "replace")  # a sample's bad bytes: U+FFFD
    original = tmp_path / "utf-8" / sample.name
    copy = tmp_path / encoding / sample.name
    original.parent.mkdir()
    copy.parent.mkdir()
    original.write_bytes(text.encode("utf-8"))
    copy.write_bytes(ENCODINGS[encoding](text))
    key = tmp_path / "a.duckdb.key"
    want, want_report = _posts(original, tmp_path / "a.duckdb")
    (tmp_path / "b.duckdb.key").write_bytes(key.read_bytes())  # the same pseudonyms
    got, report = _posts(copy, tmp_path / "b.duckdb")
    assert want and got == want
    for count in ("read", "stored", "duplicates", "reposts", "quarantined"):
        assert report[count] == want_report[count], count
    assert report["balanced"]


def test_text_encoding_is_told_from_the_first_bytes():
    assert text_encoding(codecs.BOM_UTF16_LE + "{}".encode("utf-16-le")) == ("utf-16-le", 2)
    assert text_encoding(codecs.BOM_UTF32_LE + "{}".encode("utf-32-le")) == ("utf-32-le", 4)
    assert text_encoding('{"id": "1"}\n'.encode("utf-16-be")) == ("utf-16-be", 0)
    assert text_encoding('{"id": "1", "text": "hé"}\n'.encode()) == (None, 0)
    assert text_encoding(codecs.BOM_UTF8 + b'{"a": 1}') == (None, 0)  # passed over elsewhere
    assert lone_carriage_returns(b"a,b\rc,d\re,f\r")
    assert not lone_carriage_returns(b"a,b\r\nc,d\r\n")
    assert not lone_carriage_returns(b'{"text": "one line"}')


@pytest.mark.parametrize(
    "binary",
    ["bluesky_car/repo.car", "bluesky_jetstream/corpus_frames.bin.zst"],
)
def test_binary_inputs_are_not_recoded(binary):
    source = Source(sample_path(f"formats:{binary}"))
    source.head()
    assert source.recoded is None


def test_a_recoded_file_never_takes_the_paths_that_read_the_file_itself(tmp_path):
    from groundswell.ingest import columnar
    from groundswell.store import bulk

    big = tmp_path / "big.jsonl"
    line = (
        sample_path("formats:twitter_v2_twarc2/flat.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()[0]
    )
    big.write_bytes(codecs.BOM_UTF16_LE + ((line + "\n") * 4000).encode("utf-16-le"))
    source = Source(big)
    source.head()
    assert source.recoded == "utf-16-le"
    assert not columnar.parallel(source) and not bulk.bulkable(source, "twitter_v2")


@pytest.mark.parametrize(
    "rel", ["twitter/twarc_csv_sample.csv", "crowdtangle/instagram_account_posts.csv"]
)
def test_a_csv_saved_by_excel_in_windows_1252_reads_as_its_utf8_original(rel, tmp_path):
    header, _, body = sample_path(rel).read_bytes().decode("utf-8", "replace").partition("\n")
    body = body.replace("e", "é").replace("'", "\u2019")  # accents, curly quotes
    text = (header + "\n" + body).encode("cp1252", "replace").decode("cp1252")
    assert sum("é" in line for line in text.splitlines()) >= 2
    (tmp_path / "utf8").mkdir()
    (tmp_path / "excel").mkdir()
    (tmp_path / "utf8" / "posts.csv").write_bytes(text.encode("utf-8"))
    (tmp_path / "excel" / "posts.csv").write_bytes(text.encode("cp1252"))
    want, want_report = _posts(tmp_path / "utf8" / "posts.csv", tmp_path / "a.duckdb")
    (tmp_path / "b.duckdb.key").write_bytes((tmp_path / "a.duckdb.key").read_bytes())
    got, report = _posts(tmp_path / "excel" / "posts.csv", tmp_path / "b.duckdb")
    assert any("é" in row[2] for row in got) and got == want
    assert report["quarantined"] == want_report["quarantined"]


def test_one_damaged_record_in_a_utf8_file_stays_damage():
    ascii_lines = b'{"id": "1", "text": "plain"}\n' * 20
    assert text_encoding(ascii_lines + b'{"id": "2", "text": "bad \xff\xfe"}\n') == (None, 0)
    utf8 = '{"id": "3", "text": "café"}\n'.encode()
    assert text_encoding(utf8 + b'{"t": "\xff"}\n{"t": "\xfe"}\n') == (None, 0)
    assert text_encoding(b'{"t": "caf\xe9"}\n{"t": "na\xefve"}\n') == ("cp1252", 0)


def test_replacement_characters_written_in_utf8_are_utf8():
    """U+FFFD stored in UTF-8 (an export that replaced what it could not read) is a real
    character, not a byte that is no UTF-8, so the file is not read as Windows-1252."""
    head = 'id,text\n1,"\ufffd"\n2,"a \ufffd b"\n'.encode()
    assert text_encoding(head + b"3,x\n") == (None, 0)


@pytest.mark.parametrize("delimiter", [";", "\t"])
@pytest.mark.parametrize(
    "rel",
    [
        "twitter/twarc_csv_sample.csv",
        "twitter/minet_sample.csv",
        "bluesky/posts_export.csv",
        "crowdtangle/facebook_page_posts.csv",
        "formats:twitwi_csv/tweet-export.csv",
    ],
)
def test_a_csv_saved_with_another_delimiter_gives_the_same_posts(rel, delimiter, tmp_path):
    """European Excel saves with semicolons, "text" exports with tabs."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(sample_path(rel).read_bytes().decode("utf-8", "replace"))))
    for name, delim in (("comma", ","), ("other", delimiter)):
        buf = io.StringIO()
        csv.writer(buf, delimiter=delim).writerows(rows)
        (tmp_path / name).mkdir()
        (tmp_path / name / "posts.csv").write_text(buf.getvalue(), encoding="utf-8")
    want, want_report = _posts(tmp_path / "comma" / "posts.csv", tmp_path / "a.duckdb")
    (tmp_path / "b.duckdb.key").write_bytes((tmp_path / "a.duckdb.key").read_bytes())
    got, report = _posts(tmp_path / "other" / "posts.csv", tmp_path / "b.duckdb")
    assert want and got == want
    assert report["quarantined"] == want_report["quarantined"]


@pytest.mark.parametrize("indent", [2, 4])
@pytest.mark.parametrize(
    "rel",
    [
        "twitter/v1_stream.jsonl",
        "twitter_v2/pages.jsonl",
        "reddit/RC_2017-10_sample.ndjson",
        "bluesky/jetstream_sample.jsonl",
        "formats:twitter_v2_twarc2/flat.jsonl",
    ],
)
def test_json_lines_pretty_printed_by_jq_give_the_same_posts(rel, indent, tmp_path):
    """``jq . file.jsonl > file.json`` writes each record over many lines: each is read as its
    line was, and a bad record is named by the line it starts on."""
    import json

    records = []
    for line in sample_path(rel).read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    records.insert(len(records) // 2, {"not": "a post of any reader"})
    (tmp_path / "lines").mkdir()
    (tmp_path / "pretty").mkdir()
    lines = "".join(json.dumps(r) + "\n" for r in records)
    (tmp_path / "lines" / "x.jsonl").write_text(lines, encoding="utf-8")
    pretty = "".join(json.dumps(r, indent=indent) + "\n" for r in records)
    (tmp_path / "pretty" / "x.json").write_text(pretty, encoding="utf-8")
    want, want_report = _posts(tmp_path / "lines" / "x.jsonl", tmp_path / "a.duckdb")
    (tmp_path / "b.duckdb.key").write_bytes((tmp_path / "a.duckdb.key").read_bytes())
    got, report = _posts(tmp_path / "pretty" / "x.json", tmp_path / "b.duckdb")
    assert want and got == want
    for count in ("read", "stored", "duplicates", "reposts", "quarantined"):
        assert report[count] == want_report[count], count
    starts, line = [], 1  # the line each record starts on in the pretty file
    for r in records:
        starts.append(line)
        line += json.dumps(r, indent=indent).count("\n") + 1
    with Store(tmp_path / "a.duckdb") as store:
        plain = store.con.execute("SELECT line FROM quarantine ORDER BY line").fetchall()
    with Store(tmp_path / "b.duckdb") as store:
        named = store.con.execute("SELECT line FROM quarantine ORDER BY line").fetchall()
    assert [r[0] for r in named] == [starts[r[0] - 1] for r in plain]


def test_joined_objects_keep_few_line_starts_behind_the_reader(monkeypatch):
    """Each record keeps the line it starts on, and the starts the reader has passed are let go,
    so a long pretty-printed file does not hold one number per record."""
    import io

    from groundswell.ingest import streams

    monkeypatch.setattr(streams, "FORGET_AFTER", 5)
    pretty = b"".join(b'{\n  "id": "%d"\n}\n' % i for i in range(40))
    groups = streams.JsonGroups(io.BufferedReader(io.BytesIO(pretty)), 1000)
    assert io.BufferedReader(groups).read().count(b"\n") == 40
    assert [groups.start_of(n) for n in range(1, 41)] == [1 + 3 * i for i in range(40)]
    assert len(groups._starts) <= 6
