"""Numeric ids beyond 64 bits stay exact strings: two ids that round to the same float are two
posts, not a post and a duplicate."""

from __future__ import annotations

import json

import pytest

from groundswell.ingest.registry import loads_json
from groundswell.store import Store, ingest

BIG = 2**64 + 1  # orjson reads this as 1.8446744073709552e19, as it does BIG + 1


def test_loads_json_keeps_big_integers_exact():
    assert loads_json(f'{{"id": {BIG}, "small": 3}}'.encode()) == {"id": BIG, "small": 3}


def _v2(i: int) -> str:
    tweet = {"id": BIG + i, "text": f"t{i}", "author_id": "7", "created_at": "2020-01-01T00:00:00Z"}
    return json.dumps({"data": [tweet]})


def _generic(i: int) -> str:
    return json.dumps({"id": BIG + i, "text": f"t{i}", "created_at": "2020-01-01"})


@pytest.mark.parametrize("line", [_v2, _generic], ids=["twarc2", "generic"])
def test_ids_above_2_64_do_not_collide(tmp_path, store: Store, line):
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(line(i) for i in range(3)) + "\n")
    report = ingest([path], store)
    assert report.balanced and (report.stored, report.duplicates) == (3, 0), report.errors
    ids = {r[0] for r in store.con.execute("SELECT id FROM posts").fetchall()}
    assert ids == {str(BIG + i) for i in range(3)}
