"""The DuckDB bulk path for twarc2 files gives exactly the store the streaming reader gives."""

from __future__ import annotations

import json

import pytest

from groundswell.store import Store, bulk, ingest
from gspaths import FIXTURES

TABLES = ("posts", "reposts", "quarantine")


def _rows(db) -> dict[str, list]:
    with Store(db, read_only=True) as s:
        out = {t: s.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
    out["posts"] = [
        tuple(json.loads(v) if i == 13 and v else v for i, v in enumerate(r)) for r in out["posts"]
    ]  # metrics JSON compared as values
    return out


def _both(tmp_path, paths, monkeypatch, **kw):
    monkeypatch.setattr(bulk, "MIN_BULK_BYTES", 0)
    stream_db, bulk_db = tmp_path / "stream.duckdb", tmp_path / "bulk.duckdb"
    with Store(stream_db, **kw) as s:
        r1 = ingest(paths, s, bulk=False)
    (tmp_path / "bulk.duckdb.key").write_text((tmp_path / "stream.duckdb.key").read_text())
    with Store(bulk_db, **kw) as s:
        r2 = ingest(paths, s)
    return r1, r2, _rows(stream_db), _rows(bulk_db)


def _cmp(r1, r2, a, b):
    for key in ("read", "stored", "duplicates", "reposts", "quarantined"):
        assert getattr(r1, key) == getattr(r2, key), key
    for table in TABLES:
        assert a[table] == b[table], table


@pytest.mark.parametrize("pseudonymise", [True, False])
def test_bulk_equals_streaming_on_fixture(tmp_path, monkeypatch, pseudonymise):
    paths = [FIXTURES / "twitter_v2" / "pages.jsonl"]
    r1, r2, a, b = _both(tmp_path, paths, monkeypatch, pseudonymise=pseudonymise)
    _cmp(r1, r2, a, b)
    assert r2.stored == 3


def test_bulk_equals_streaming_on_real_twarc2_files(tmp_path, monkeypatch, formats_dir):
    paths = sorted((formats_dir / "twitter_v2_twarc2").glob("*.jsonl"))
    r1, r2, a, b = _both(tmp_path, paths, monkeypatch)
    _cmp(r1, r2, a, b)
    assert r2.stored > 500


def test_bulk_takes_clean_files_and_refuses_irregular_ones(tmp_path, monkeypatch, store):
    monkeypatch.setattr(bulk, "MIN_BULK_BYTES", 0)
    calls = []
    real = bulk.load_twitter_v2

    def spy(*args, **kw):
        try:
            out = real(*args, **kw)
        except bulk.NotBulkable:
            calls.append("refused")
            raise
        calls.append("bulk")
        return out

    monkeypatch.setattr("groundswell.store.load.load_twitter_v2", spy)
    clean = FIXTURES / "twitter_v2" / "pages.jsonl"
    blank = tmp_path / "blank.jsonl"
    blank.write_bytes(clean.read_bytes().replace(b"\n", b"\n\n", 1))
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(clean.read_bytes() + b'{"data": [{"id": \n')
    report = ingest([clean, blank, broken], store)
    assert calls == ["bulk", "refused", "refused"]
    assert report.balanced and report.quarantined == 1
    assert store.con.execute("SELECT line FROM quarantine").fetchall() == [(3,)]


@pytest.mark.parametrize("bad", ["2020-13-45T00:00:00.000Z", "0001-01-01T00:00:00+01:00"])
def test_bulk_falls_back_on_an_invalid_date_and_stores_the_rest(tmp_path, monkeypatch, store, bad):
    monkeypatch.setattr(bulk, "MIN_BULK_BYTES", 0)
    path = tmp_path / "dates.jsonl"
    tweets = [
        {"id": str(i), "text": f"t{i}", "author_id": "7", "created_at": "2020-01-01T00:00:00.000Z"}
        for i in range(1, 6)
    ]
    tweets[2]["created_at"] = bad
    path.write_text("".join(json.dumps({"data": [t]}) + "\n" for t in tweets))
    report = ingest([path], store)
    assert report.balanced and report.read == 5
    stored = {r[0] for r in store.con.execute("SELECT id FROM posts").fetchall()}
    assert {"1", "2", "4", "5"} <= stored
    assert report.stored + report.quarantined == 5
