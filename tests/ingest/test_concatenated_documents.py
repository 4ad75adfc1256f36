"""API responses appended to one file with nothing between them (``{...}{...}``, what a loop
of ``f.write(response.text)`` makes): every document is read, not only the first (the rest was
lost silently, the run still balanced); a damaged one is quarantined and reading goes on at the
next document that opens as the first did."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from groundswell.store import Store, ingest


def _page(k: int, n: int = 3, pad: int = 0) -> dict:
    ids = [str(9_000_000 + k * 1000 + i) for i in range(n)]
    return {
        "data": [
            {"id": t, "text": f"#MeToo page {k} tweet {i} " + "x" * pad, "author_id": str(50 + i),
             "created_at": "2017-10-15T10:00:00.000Z", "edit_history_tweet_ids": [t]}
            for i, t in enumerate(ids)
        ],
        "includes": {"users": [{"id": str(50 + i), "username": f"user{i}", "name": f"U {i}"}
                               for i in range(n)]},
        "meta": {"result_count": n},
    }  # fmt: skip


def _ingest(path: Path, tmp_path: Path):
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([path], store, progress=False)
        ids = {r[0] for r in store.con.execute("SELECT id FROM posts").fetchall()}
        quarantined = store.con.execute("SELECT line, reason FROM quarantine").fetchall()
    assert report.balanced, report
    return report, ids, quarantined


def _ids(*pages: int, n: int = 3) -> set[str]:
    return {str(9_000_000 + k * 1000 + i) for k in pages for i in range(n)}


@pytest.mark.parametrize("n", [3, 100], ids=["small", "beyond-the-head"])
def test_every_document_of_a_run_is_read(tmp_path, n):
    path = tmp_path / "responses.json"
    path.write_text("".join(json.dumps(_page(k, n, pad=200)) for k in range(20)))
    report, ids, quarantined = _ingest(path, tmp_path)
    assert ids == _ids(*range(20), n=n) and not quarantined
    assert report.stored == 20 * n


def test_a_json_line_of_two_pages_gives_both(tmp_path):
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps(_page(0)) + " " + json.dumps(_page(1)) + "\n"
                    + json.dumps(_page(2)) + "\n")  # fmt: skip
    _, ids, quarantined = _ingest(path, tmp_path)
    assert ids == _ids(0, 1, 2) and not quarantined


def test_a_damaged_document_costs_itself_only(tmp_path):
    docs = [json.dumps(_page(k)) for k in range(4)]
    docs[1] = docs[1][:300]  # a response cut short, the next appended after it
    path = tmp_path / "responses.json"
    path.write_text("".join(docs))
    report, ids, quarantined = _ingest(path, tmp_path)
    assert _ids(0, 2, 3) <= ids <= _ids(0, 1, 2, 3)  # the cut page's whole tweets salvaged
    assert quarantined and report.quarantined == len(quarantined)


def test_text_between_documents_is_quarantined_not_dropped(tmp_path):
    path = tmp_path / "responses.json"
    path.write_text(json.dumps(_page(0)) + "\n-- next page --\n" + json.dumps(_page(1)))
    report, ids, quarantined = _ingest(path, tmp_path)
    assert ids == _ids(0, 1)
    assert len(quarantined) == 1 and report.read == 7
