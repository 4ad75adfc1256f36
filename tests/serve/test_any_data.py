"""The explorer on data unlike the demo: posts spread over six years, and a store of another
movement with no #metoo at all. Every page and endpoint answers; the timeline spans the years;
the family is grown from the store's own movement tag."""

from __future__ import annotations

import pytest

from other_stores import blm_posts, spread_over_years

pytest.importorskip("starlette")
pytest.importorskip("plotly")

from groundswell.serve import create_app
from groundswell.serve.app import PAGES

ENDPOINTS = [
    "/api/status",
    "/api/facets",
    "/api/overview",
    "/api/timeline",
    "/api/family",
    "/api/testimonies",
    "/api/people",
    "/api/pileons",
    "/api/articles",
    "/api/posts",
]


def _answers(db) -> dict:
    from starlette.testclient import TestClient

    with TestClient(create_app(str(db), warm=False), base_url="http://127.0.0.1") as c:
        for path, _, _ in PAGES:
            assert c.get(path).status_code == 200, path
        out = {}
        for path in ENDPOINTS:
            r = c.get(path)
            assert r.status_code == 200, (path, r.text[:200])
            out[path] = r.json()
        return out


def test_six_years_of_posts(tmp_path):
    from groundswell.classify import classify_store
    from groundswell.demo import write_corpus
    from groundswell.store import Store, ingest

    write_corpus(tmp_path, posts=600, seed=8, probe=False)
    db = tmp_path / "years.duckdb"
    with Store(db) as store:
        ingest([tmp_path / "corpus"], store, synthetic=True, progress=False)
        spread_over_years(store.con, 2200)
        classify_store(store, model="student")
    got = _answers(db)
    days = got["/api/timeline"]["days"]
    assert days[0][:4] == "2017" and days[-1][:4] >= "2022"
    assert got["/api/family"]["seed"] == "#metoo"
    posts = got["/api/posts"]
    assert posts["page"] and all(p["act"] for p in posts["page"])


def test_a_store_of_another_movement(tmp_path):
    from groundswell.classify import classify_store
    from groundswell.store import Store

    db = tmp_path / "blm.duckdb"
    with Store(db) as store:
        store.write_batch(blm_posts())
        classify_store(store, model="student")
    got = _answers(db)
    assert "#metoo" not in got["/api/facets"]["tags"]
    assert got["/api/family"]["seed"] == "#blacklivesmatter"
    assert got["/api/timeline"]["tags"][0]["tag"] == "#blacklivesmatter"
    assert got["/api/overview"]["posts"] == 400
    family = got["/api/family"]
    assert family.get("error") is None and family["rows"][0]["role"] == "core"


def test_posts_dated_year_1_and_9999_do_not_stretch_the_timeline(tmp_path):
    from datetime import UTC, datetime

    from groundswell.schema import Post
    from groundswell.store import Store

    db = tmp_path / "odd.duckdb"
    odd = [datetime(1, 6, 1, tzinfo=UTC), datetime(9999, 6, 1, tzinfo=UTC)]
    with Store(db) as store:
        store.write_batch(blm_posts())
        store.write_batch([Post(platform="twitter", id=f"odd{k}", text="#BlackLivesMatter odd",
                                created_at=when, author=f"odd{k}", hashtags=["#blacklivesmatter"])
                           for k, when in enumerate(odd)])  # fmt: skip
    got = _answers(db)
    days = got["/api/timeline"]["days"]
    assert days[0] > "1980" and days[-1] < "2100" and len(days) < 2000
    assert got["/api/overview"]["posts"] == 402
    assert got["/api/overview"]["dated_out_of_span"] == 2
