"""One bad or foreign record first must not decide its file's format: the first records of a
JSON lines file or a JSON array each vote, so a first tweet without an id, a stream notice, one
record of another platform, or a null first array value costs only itself. Before, such a file
was "no known format" (every record lost, the run balanced) or read by the wrong reader (every
record quarantined)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from groundswell.store import Store, ingest
from gspaths import FIXTURES

REDDIT = FIXTURES / "reddit" / "RC_2017-10_sample.ndjson"
V1 = FIXTURES / "twitter" / "v1_stream.jsonl"


def _tweet(i: int) -> dict:
    """A ``twarc2 flatten`` tweet (synthetic text)."""
    return {
        "id": str(1051234567890123000 + i),
        "text": f"synthetic post {i} #MeToo",
        "author_id": str(9000 + i),
        "created_at": f"2018-10-13T14:{i:02d}:00.000Z",
        "author": {"id": str(9000 + i), "username": f"someone{i}"},
        "__twarc": {"url": "https://api.twitter.com/2/tweets/search/all", "version": "2.10.4"},
    }


def _lines(path: Path) -> list[dict]:
    """The fixture's records that are whole JSON objects (it holds a damaged line on purpose)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict) and value:
            out.append(value)
    return out


def _ids(path: Path, db: Path) -> tuple[dict, set[str]]:
    with Store(db) as store:
        report = ingest([path], store, progress=False).to_dict()
        ids = {r[0] for r in store.con.execute("SELECT id FROM posts").fetchall()}
        ids |= {r[0] for r in store.con.execute("SELECT id FROM reposts").fetchall()}
    return report, ids


TWEETS = [_tweet(i) for i in range(12)]
NO_ID = {k: v for k, v in _tweet(99).items() if k != "id"}


@pytest.mark.parametrize(
    ("name", "first", "records"),
    [
        ("tweet without id", NO_ID, TWEETS),
        ("an object of no format", {"foo": "bar"}, TWEETS),
        ("a v1.1 stream notice", {"limit": {"track": 5}}, TWEETS),
        ("a v1.1 tweet", _lines(V1)[0], TWEETS),
        ("a Reddit comment", _lines(REDDIT)[0], TWEETS),
        ("a tweet", _tweet(50), _lines(REDDIT)),
    ],
)
@pytest.mark.parametrize("shape", ["lines", "array"])
def test_a_bad_or_foreign_first_record_costs_only_itself(tmp_path, name, first, records, shape):
    clean, bad = tmp_path / "clean.json", tmp_path / "bad.json"
    if shape == "lines":
        clean.write_text("\n".join(json.dumps(r) for r in records) + "\n")
        bad.write_text("\n".join(json.dumps(r) for r in [first, *records]) + "\n")
    else:
        clean.write_text(json.dumps(records, indent=1))
        bad.write_text(json.dumps([first, *records], indent=1))
    _, expected = _ids(clean, tmp_path / "clean.duckdb")
    report, ids = _ids(bad, tmp_path / "bad.duckdb")
    assert report["balanced"], name
    assert report["read"] == len(records) + 1, name
    assert expected <= ids, name  # every record after the first is read as in a clean file
    assert len(expected) >= len(records) // 2


@pytest.mark.parametrize("first", [None, "x", 5, [1], {"a": 1}])
def test_a_json_array_whose_first_value_is_no_record_is_read(tmp_path, first):
    path = tmp_path / "tweets.json"
    path.write_text(json.dumps([first, *TWEETS]))
    report, ids = _ids(path, tmp_path / "a.duckdb")
    assert report["balanced"] and report["quarantined"] == 1
    assert ids == {t["id"] for t in TWEETS}
