"""Post exports carry each post's latest classification (planted rows, no classifier run), and
Parquet keeps created_at a timestamp."""

from __future__ import annotations

import csv
import json
from datetime import datetime

import pyarrow as pa
import pyarrow.parquet as pq

from groundswell.classify.store import ensure_tables
from groundswell.cli import main
from groundswell.schema import ACTS, Post
from groundswell.store import Store
from groundswell.store.export import EXPORT_COLUMNS, LABEL_COLUMNS, export_posts


def _scores(act: str, p: float) -> str:
    rest = (1 - p) / (len(ACTS) - 1)
    return json.dumps({a: (p if a == act else rest) for a in ACTS})


def _store(path, classified: bool = True) -> Store:
    store = Store(path)
    store.write_batch(
        [
            Post(platform="twitter", id=pid, text=f"post {pid}", author="7", created_at=when)
            for pid, when in (
                ("p1", datetime(2024, 1, 1, 8, 30)),
                ("p2", datetime(2024, 1, 2, 9, 45, 10)),
                ("p3", datetime(2024, 1, 3)),
            )
        ]
        + [Post(platform="twitter", id="r1", text="", author="8", repost_of="p1")]
    )
    if not classified:
        return store
    ensure_tables(store)
    acts = [  # p1 twice: the later classification wins; p3 never classified
        ("p1", "student", "v1", "support", 0.6, datetime(2024, 2, 1)),
        ("p1", "teacher", "v2", "testimony", 0.81, datetime(2024, 3, 1)),
        ("p2", "teacher", "v2", "support", 0.7, datetime(2024, 3, 1)),
    ]
    for pid, model, version, act, p, when in acts:
        store.con.execute(
            "INSERT INTO acts VALUES ('twitter', ?, ?, ?, ?, ?, '[]', 'en', false, ?)",
            [pid, model, version, act, _scores(act, p), when],
        )
        store.con.execute(
            "INSERT INTO testimony VALUES ('twitter', ?, ?, ?, ?, ?, 'work', 'no', '{}')",
            [pid, model, version, ["assault", "verbal"], "boss" if act == "testimony" else "x"],
        )
    return store


def _jsonl(tmp_path, store, **kw) -> dict[str, dict]:
    export_posts(store, "jsonl", tmp_path / "out.jsonl", **kw)
    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    return {r["id"]: r for r in map(json.loads, lines)}


def test_latest_classification_in_jsonl_and_csv(tmp_path):
    with _store(tmp_path / "s.duckdb") as store:
        rows = _jsonl(tmp_path, store)
        export_posts(store, "csv", tmp_path / "out.csv")
    assert list(rows["p1"]) == [*EXPORT_COLUMNS, *LABEL_COLUMNS]
    assert {c: rows["p1"][c] for c in LABEL_COLUMNS} == {
        "act": "testimony",
        "act_probability": 0.81,
        "harm": ["assault", "verbal"],
        "relation": "boss",
        "setting": "work",
        "minor_at_time": "no",
    }
    # testimony details only for a testimony (CODEBOOK section 2)
    assert {c: rows["p2"][c] for c in LABEL_COLUMNS} == {
        "act": "support",
        "act_probability": 0.7,
        "harm": None,
        "relation": None,
        "setting": None,
        "minor_at_time": None,
    }
    assert all(rows[i][c] is None for i in ("p3", "r1") for c in LABEL_COLUMNS)
    assert rows["p2"]["created_at"] == "2024-01-02T09:45:10Z"
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as fh:
        table = {r["id"]: r for r in csv.DictReader(fh)}
    assert list(table["p1"]) == [*EXPORT_COLUMNS, *LABEL_COLUMNS]
    assert table["p1"]["act"] == "testimony" and float(table["p1"]["act_probability"]) == 0.81
    assert json.loads(table["p1"]["harm"]) == ["assault", "verbal"]
    assert table["p2"]["relation"] == "" and table["p2"]["created_at"] == "2024-01-02T09:45:10Z"


def test_no_labels_and_unclassified_stores_keep_the_plain_shape(tmp_path):
    with _store(tmp_path / "s.duckdb") as store:
        assert list(_jsonl(tmp_path, store, labels=False)["p1"]) == list(EXPORT_COLUMNS)
    with _store(tmp_path / "u.duckdb", classified=False) as store:
        assert list(_jsonl(tmp_path, store)["p1"]) == list(EXPORT_COLUMNS)
        ensure_tables(store)  # tables without rows: still not classified
        assert list(_jsonl(tmp_path, store)["p1"]) == list(EXPORT_COLUMNS)


def test_parquet_created_at_is_a_utc_timestamp(tmp_path):
    with _store(tmp_path / "s.duckdb") as store:
        export_posts(store, "parquet", tmp_path / "out.parquet")
    schema = pq.read_schema(tmp_path / "out.parquet")
    assert pa.types.is_timestamp(schema.field("created_at").type)
    assert schema.field("created_at").type.tz == "UTC"
    assert pa.types.is_floating(schema.field("act_probability").type)
    assert pa.types.is_list(schema.field("harm").type)
    rows = {r["id"]: r for r in pq.read_table(tmp_path / "out.parquet").to_pylist()}
    assert rows["p2"]["created_at"].isoformat() == "2024-01-02T09:45:10+00:00"
    assert rows["r1"]["created_at"] is None and rows["p1"]["act"] == "testimony"


def test_cli_labels_on_by_default_and_off_with_no_labels(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    _store(db).close()
    out = tmp_path / "out.jsonl"
    assert main(["export", "--db", str(db), "--out", str(out)]) == 0
    assert json.loads(out.read_text().splitlines()[0])["act"] == "testimony"
    assert main(["export", "--db", str(db), "--out", str(out), "--no-labels"]) == 0
    assert "act" not in json.loads(out.read_text().splitlines()[0])
    assert "wrote 4 rows" in capsys.readouterr().err
