"""Several bad tweets of one twarc2 page are one quarantined row (the store keeps a row per
line), but each is a quarantined record: ``stats``, the report's overview and its table of
reasons count them as ``ingest`` did, so the numbers a user reads agree."""

from __future__ import annotations

import json

from groundswell.report.queries import overview, quarantine_reasons
from groundswell.store import Store, ingest
from groundswell.store.stats import stats

AT = "2017-10-16T09:00:01.000Z"


def _tweet(tid: str) -> dict:
    return {"id": tid, "text": f"t {tid} #MeToo", "author_id": "7", "created_at": AT}


def test_every_bad_tweet_of_a_page_is_counted_where_the_quarantine_is_shown(tmp_path):
    pages = [
        {"data": [_tweet("101"), _tweet("-5"), _tweet("1e18"), _tweet("abc"), _tweet("102")]},
        {"data": [_tweet("103"), {"id": "104", "author_id": "7"}]},  # no text
        {"data": [_tweet("105")]},
    ]
    path = tmp_path / "pages.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in pages), encoding="utf-8")
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([path], store, progress=False)
        assert report.balanced and (report.stored, report.quarantined) == (4, 4)
        (rows,) = store.con.execute("SELECT count(*) FROM quarantine").fetchone()
        assert rows == 2  # one per line
        assert stats(store)["quarantined"] == 4
        assert overview(store.con)["quarantined"] == 4
        assert sum(n for _, _, n in quarantine_reasons(store.con)) == 4
