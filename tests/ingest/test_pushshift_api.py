"""Pushshift API responses saved as they came (one per file, one per line, an array of them).

Expected values are read from the fixture files by the tests themselves; the records are the
dump reader's, so a record read from a response must equal the same record read from a dump.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from groundswell.cli import main
from groundswell.ingest.reddit import DELETED_REASON
from groundswell.ingest.registry import detect, load_readers
from groundswell.ingest.source import Source
from groundswell.store import Store, ingest
from gspaths import FIXTURES

DOCUMENT = FIXTURES / "pushshift_api" / "comment_search_metoo.json"
PAGES = FIXTURES / "pushshift_api" / "submission_pages.jsonl"
MARKERS = {"[deleted]", "[removed]", "[deleted by user]"}


def _rows(store: Store, sql: str = "SELECT * FROM posts") -> dict[str, dict]:
    cur = store.con.execute(sql)
    names = [d[0] for d in cur.description]
    return {row[names.index("id")]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def _quarantine(store: Store) -> list[tuple[int, str]]:
    return store.con.execute("SELECT line, reason FROM quarantine ORDER BY line").fetchall()


def _utc(epoch: int | float | str) -> datetime:
    """created_utc as the naive UTC the store keeps, whatever its JSON type."""
    return datetime.fromtimestamp(float(epoch), tz=UTC).replace(tzinfo=None)


def _expected_text(rec: dict) -> str:
    if "title" in rec:
        selftext = rec.get("selftext") or ""
        return html.unescape(rec["title"]) + ("\n\n" + html.unescape(selftext) if selftext else "")
    return html.unescape(rec["body"])


def _document_records() -> list[dict]:
    return json.loads(DOCUMENT.read_text(encoding="utf-8"))["data"]


def _page_lines() -> list[dict]:
    return [json.loads(line) for line in PAGES.read_text(encoding="utf-8").splitlines()]


def _ingest(paths: list[Path], db: Path, **kwargs) -> tuple[dict, Store]:
    store = Store(db, **kwargs)
    report = ingest(paths, store, progress=False).to_dict()
    return report, store


def test_a_response_document_maps_every_field_of_its_records(tmp_path):
    records = _document_records()
    report, store = _ingest([DOCUMENT], tmp_path / "raw.duckdb", pseudonymise=False)
    with store:
        rows = _rows(store)
        bad = _quarantine(store)
    assert report["by_format"] == {"pushshift_api": len(records)}
    assert report["balanced"] and report["read"] == len(records)
    deleted = [i for i, r in enumerate(records, 1) if r["body"] in MARKERS]
    broken = [i for i, r in enumerate(records, 1) if r["created_utc"] > 10**12]
    assert deleted and broken
    assert report["quarantined"] == len(deleted) + len(broken)
    assert [line for line, _ in bad] == sorted(deleted + broken)
    assert all(reason == DELETED_REASON for line, reason in bad if line in deleted)
    out_of_range = [r for line, r in bad if line in broken]
    assert all("created_utc" in r and "out of range" in r for r in out_of_range)
    for position, rec in enumerate(records, start=1):
        if position in deleted or position in broken:
            assert f"t1_{rec['id']}" not in rows
            continue
        row = rows[f"t1_{rec['id']}"]
        assert row["platform"] == "reddit" and row["format"] == "pushshift_api"
        assert row["text"] == _expected_text(rec)
        assert row["created_at"] == _utc(rec["created_utc"])
        assert row["reply_to"] == rec["parent_id"]
        assert row["quote_of"] is None
        assert json.loads(row["metrics"])["score"] == rec["score"]  # below zero too
        assert row["author"] == (None if rec["author"] == "[deleted]" else rec["author"])
        assert row["source_line"] == position  # the record's place in the response
        if rec["author"] not in rec["permalink"]:
            assert row["url"] == "https://www.reddit.com" + rec["permalink"]
    replies = [r for r in rows.values() if r["reply_to"].startswith("t1_")]
    assert replies and all(r["reply_to"] in rows for r in replies)
    # the comments after the broken record are stored
    assert max(r["source_line"] for r in rows.values()) > max(broken)
    assert "#whyididntreport" in rows["t1_e6d1f33"]["hashtags"]


def test_responses_one_per_line_map_submissions_and_report_what_holds_no_records(tmp_path):
    pages = _page_lines()
    report, store = _ingest([PAGES], tmp_path / "raw.duckdb", pseudonymise=False)
    with store:
        rows = _rows(store)
        bad = _quarantine(store)
    records = [(n, r) for n, page in enumerate(pages, 1) for r in page.get("data", [])]
    errors = [n for n, page in enumerate(pages, 1) if "data" not in page]
    assert errors and any(page.get("data") == [] for page in pages)  # the last, empty page
    # every record and every error answer is read; the empty page holds nothing
    assert report["balanced"] and report["read"] == len(records) + len(errors)
    for line, rec in records:
        fullname = f"t3_{rec['id']}"
        if "title" not in rec:
            assert fullname not in rows
            continue
        if rec["title"] in MARKERS:
            assert fullname not in rows
            continue
        row = rows[fullname]
        assert row["source_line"] == line  # the response's line
        assert row["text"] == _expected_text(rec)
        assert row["created_at"] == _utc(rec["created_utc"])  # int, float and string alike
        assert row["reply_to"] is None
        assert row["quote_of"] == rec.get("crosspost_parent")
        assert json.loads(row["metrics"]) == {
            "score": rec["score"],
            "num_comments": rec["num_comments"],
        }
        link = [] if rec["is_self"] or "/comments/" in rec["url"] else [rec["url"]]
        assert row["urls"] == link
    reasons = " ".join(reason for _, reason in bad)
    assert "Pushshift API error response" in reasons and "Too Many Requests" in reasons
    assert "without body or title (record 3 of the response on this line)" in reasons
    assert DELETED_REASON in reasons
    assert {line for line, _ in bad} == {2, *errors}


def test_a_record_reads_as_the_same_post_from_a_response_and_from_a_dump(tmp_path):
    """The response reader reuses the dump reader's mapping: the same comment gives the same
    post, its author keyed the same way, whichever file it came from."""
    records = _document_records()
    dump = tmp_path / "RC_2018-09.ndjson"
    dump.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    with Store(tmp_path / "a.duckdb") as store:
        from_api = ingest([DOCUMENT], store, progress=False)
        from_dump = ingest([dump], store, progress=False)
    assert from_dump.by_format == {"reddit": len(records)}
    assert from_dump.stored == 0 and from_dump.duplicates == from_api.stored > 0
    with Store(tmp_path / "api.duckdb", pseudonymise=False) as store:
        ingest([DOCUMENT], store, progress=False)
        api_rows = _rows(store)
    # the same key: a store that keeps handles still keys them (author_handle_key)
    (tmp_path / "dump.duckdb.key").write_text((tmp_path / "api.duckdb.key").read_text())
    with Store(tmp_path / "dump.duckdb", pseudonymise=False) as store:
        ingest([dump], store, progress=False)
        dump_rows = _rows(store)
    skip = {"format", "source_file"}
    assert api_rows.keys() == dump_rows.keys()
    for pid, row in api_rows.items():
        assert {k: v for k, v in row.items() if k not in skip} == {
            k: v for k, v in dump_rows[pid].items() if k not in skip
        }


def test_a_response_document_cut_short_keeps_the_records_before_the_cut(tmp_path):
    data = DOCUMENT.read_bytes()
    records = _document_records()
    cut_in = 4  # the cut goes through the 4th record
    marker = f'"id": "{records[cut_in - 1]["id"]}"'.encode()
    cut = tmp_path / "cut.json"
    cut.write_bytes(data[: data.index(marker)])
    with Store(tmp_path / "cut.duckdb", pseudonymise=False) as store:
        report = ingest([cut], store, progress=False).to_dict()
        rows = _rows(store)
        bad = _quarantine(store)
    whole = [r for r in records[: cut_in - 1] if r["body"] not in MARKERS]
    assert report["balanced"] and report["by_format"] == {"pushshift_api": cut_in}
    assert set(rows) == {f"t1_{r['id']}" for r in whole}
    assert (cut_in, bad[-1][1]) == bad[-1] and "cut short or damaged" in bad[-1][1]
    for position, rec in enumerate(records[: cut_in - 1], start=1):
        if rec["body"] not in MARKERS:
            assert rows[f"t1_{rec['id']}"]["source_line"] == position


def test_a_bad_line_costs_only_itself(tmp_path):
    lines = PAGES.read_text(encoding="utf-8").splitlines()
    broken = tmp_path / "pages.jsonl"
    broken.write_text("\n".join([lines[0][:-40], *lines[1:]]) + "\n", encoding="utf-8")
    with Store(tmp_path / "a.duckdb") as store:
        report = ingest([broken], store, progress=False).to_dict()
        rows = _rows(store)
    assert report["balanced"]
    assert any(e.startswith(f"{broken}:1: invalid JSON") for e in report["errors"])
    assert {"t3_9ht0aa"} == set(rows)  # the next page's records are read


def test_an_array_of_responses_numbers_records_through_the_document(tmp_path):
    pages = [p for p in _page_lines() if p.get("data")]
    path = tmp_path / "pages.json"
    path.write_text(json.dumps(pages, indent=2), encoding="utf-8")
    with Store(tmp_path / "a.duckdb") as store:
        report = ingest([path], store, progress=False).to_dict()
        rows = _rows(store)
    assert report["balanced"] and report["by_format"] == {"pushshift_api": 5}
    positions = {f"t3_{r['id']}": n for n, r in enumerate((r for p in pages for r in p["data"]), 1)}
    assert {pid: row["source_line"] for pid, row in rows.items()} == {
        pid: positions[pid] for pid in rows
    }


def _big_response(tmp_path: Path, indent: int | None, metadata_first: bool) -> Path:
    """One response far larger than the head detection sees."""
    template = _document_records()[0]
    data = [{**template, "id": f"x{n:05d}", "body": "#MeToo " * 40} for n in range(400)]
    meta = {"total_results": 400, "version": "v3.0"}
    page = {"metadata": meta, "data": data} if metadata_first else {"data": data, "metadata": meta}
    path = tmp_path / f"big-{indent}-{metadata_first}.json"
    path.write_text(json.dumps(page, indent=indent), encoding="utf-8")
    assert path.stat().st_size > 200_000
    return path


@pytest.mark.parametrize("metadata_first", [False, True])
@pytest.mark.parametrize("indent", [None, 4])
def test_a_response_larger_than_the_head_is_detected_and_read(tmp_path, indent, metadata_first):
    path = _big_response(tmp_path, indent, metadata_first)
    assert detect(Source(path), load_readers()).name == "pushshift_api"
    with Store(tmp_path / "a.duckdb") as store:
        report = ingest([path], store, progress=False)
    assert report.balanced and (report.read, report.stored) == (400, 400)


def test_detection_takes_responses_and_leaves_dumps_and_listings_to_reddit(tmp_path):
    readers = load_readers()
    compact = tmp_path / "one.json"
    compact.write_text(json.dumps(_page_lines()[0]), encoding="utf-8")
    empty_first = tmp_path / "empty_first.jsonl"  # a paging loop that began past the end
    empty_first.write_text(json.dumps({"data": []}) + "\n" + PAGES.read_text("utf-8"), "utf-8")
    for path in (DOCUMENT, PAGES, compact, empty_first):
        assert detect(Source(path), readers).name == "pushshift_api"
    for path in sorted((FIXTURES / "reddit").iterdir()):
        assert detect(Source(path), readers).name == "reddit", path.name
    # a comment_ids answer holds ids, not records: not a response of records
    ids = tmp_path / "ids.json"
    ids.write_text(json.dumps({"data": ["e6d1a01", "e6d1b17"]}), encoding="utf-8")
    assert detect(Source(ids), readers) is None


def test_cli_detects_and_reconciles(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    assert main(["ingest", str(DOCUMENT), str(PAGES), "--db", str(db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["by_format"] == {"pushshift_api": out["read"]} and out["balanced"]
    assert out["read"] == out["stored"] + out["duplicates"] + out["reposts"] + out["quarantined"]
    assert out["skipped_files"] == []
