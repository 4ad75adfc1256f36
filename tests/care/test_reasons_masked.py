"""Quarantine reasons may quote the value that could not be read (a Reddit id holding an
e-mail address, a handle, a phone number); pages show them as they show a post's text."""

from __future__ import annotations

import json

import pytest

from groundswell.report import queries
from groundswell.report.html import build_report
from groundswell.store import Store, ingest

BAD_IDS = [
    "jane.doe@example.com",
    "u/janeqsecret",
    "@janeqsecret",
    "https://t.me/janeqsecret",
    "+1 415 555 0199",
]
LEAKS = ("jane.doe", "example.com", "janeqsecret", "555")


def _store(tmp_path) -> Store:
    rows = [
        {
            "id": bad,
            "author": f"someone_{n}",
            "body": "I believe her #MeToo",
            "created_utc": 1706745600 + n,
            "link_id": "t3_1ag0x1y",
            "parent_id": "t3_1ag0x1y",
            "subreddit": "TwoXChromosomes",
        }
        for n, bad in enumerate(BAD_IDS)
    ]
    src = tmp_path / "RC_2024-02.ndjson"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    store = Store(tmp_path / "s.duckdb")
    ingest([src], store, progress=False)
    return store


def test_quarantine_reasons_on_pages_are_masked(tmp_path):
    with _store(tmp_path) as store:
        raw = store.con.execute("SELECT reason FROM quarantine").fetchall()
        assert any("jane.doe@example.com" in r for (r,) in raw)  # kept in the store
        reasons = queries.quarantine_reasons(store.con)
        page = build_report(store, tmp_path / "r.html", run_analyses=False).read_text("utf-8")
    assert sum(n for _, _, n in reasons) == len(BAD_IDS)
    shown = json.dumps(reasons)
    assert "[email]" in shown and "[account]" in shown
    for leak in LEAKS:
        assert leak not in shown, (leak, reasons)
        assert leak not in page.split("Quarantine", 1)[-1], leak


def test_the_dashboard_masks_quarantine_reasons(tmp_path):
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from groundswell.serve import create_app

    _store(tmp_path).close()
    app = create_app(str(tmp_path / "s.duckdb"), warm=False)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        got = client.get("/api/overview").json()["quarantine"]
    assert got and "[email]" in json.dumps(got)
    for leak in LEAKS:
        assert leak not in json.dumps(got), (leak, got)
