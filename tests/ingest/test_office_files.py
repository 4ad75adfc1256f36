"""A spreadsheet or other Office file among the exports is one skipped file with the reason
and what to do (save the sheet as CSV), never its XML parts listed as unknown files, and the
other files of the run are read."""

from __future__ import annotations

import json
import zipfile

import pytest

from groundswell.errors import InputError
from groundswell.store import Store, ingest


def _zip(path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


XLSX = {
    "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
    "xl/workbook.xml": b'<?xml version="1.0"?><workbook/>',
    "xl/worksheets/sheet1.xml": b'<?xml version="1.0"?><worksheet/>',
}
DOCX = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<document/>"}
ODS = {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.parametrize(
    ("name", "content", "what"),
    [
        ("tweets.xlsx", XLSX, "an Excel workbook (.xlsx)"),
        ("notes.docx", DOCX, "an Office document"),
        ("tweets.ods", ODS, "an OpenDocument file"),
        ("tweets.xls", OLE2, "a legacy Office file"),
    ],
)
def test_an_office_file_is_skipped_with_what_to_do(tmp_path, name, content, what):
    folder = tmp_path / "exports"
    folder.mkdir()
    if isinstance(content, dict):
        _zip(folder / name, content)
    else:
        (folder / name).write_bytes(content)
    post = {"id": "1", "text": "me too #MeToo", "author": "a", "created_at": "2017-10-15"}
    (folder / "posts.jsonl").write_text(json.dumps(post) + "\n", encoding="utf-8")
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([folder], store)
    skipped = [s for s in report.skipped_files if name in s]
    assert len(skipped) == 1 and what in skipped[0] and "save the sheet as CSV" in skipped[0]
    assert not any(".xml" in s for s in report.skipped_files)  # never its parts
    alone = pytest.raises(InputError, match=f"nothing could be read: .*{name}.*CSV UTF-8")
    with alone, Store(tmp_path / "alone.duckdb") as store:
        ingest([folder / name], store)


def test_a_zip_of_exports_is_still_read_member_by_member(tmp_path):
    post = {"id": "1", "text": "me too #MeToo", "author": "a", "created_at": "2017-10-15"}
    _zip(tmp_path / "exports.zip", {"a/posts.jsonl": json.dumps(post).encode() + b"\n"})
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([tmp_path / "exports.zip"], store, fmt="generic")
    assert report.stored == 1 and not report.skipped_files
