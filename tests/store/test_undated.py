"""A post that states no time is stored and counted (one that states a time that is no date,
2017-02-30, is quarantined), and
every summary says how many there are: ``stats`` (also as JSON), the terminal, the report's
overview and the dashboard's /api/overview, since series over days leave them out."""

from __future__ import annotations

import json

from groundswell.cli import main
from groundswell.store import Store, ingest

AT = "2017-10-16T10:00:00.000Z"


def _tweet(n: int, created_at: str | None) -> dict:
    tweet = {
        "id": str(920000000000000000 + n),
        "text": f"#MeToo it happened {n}",
        "author_id": str(5000 + n),
        "author": {"id": str(5000 + n), "username": f"writer{n}"},
    }
    if created_at is not None:
        tweet["created_at"] = created_at
    return tweet


def test_posts_without_a_readable_time_are_counted_and_named(tmp_path, capsys):
    # a stated time that is no date (2017-02-30, 'yesterday') quarantines its post
    times = [AT] * 3 + [None] * 3 + ["2017-02-30T10:00:00.000Z", "yesterday"]
    path = tmp_path / "flat.jsonl"
    path.write_text("".join(json.dumps(_tweet(n, t)) + "\n" for n, t in enumerate(times)))
    db = tmp_path / "s.duckdb"
    with Store(db) as store:
        report = ingest([path], store)
        from groundswell.report import queries
        from groundswell.report.sections import overview_section
        from groundswell.store.stats import stats

        assert report.stored == 6 and report.quarantined == 2 and report.balanced
        assert stats(store)["undated"] == 3
        ov = queries.overview(store.con)
        assert ov["undated"] == 3 and ov["posts"] == 6
        html = overview_section(ov)
    assert "3 more state no time" in html
    assert main(["stats", "--db", str(db)]) == 0
    assert "3 posts state no time," in capsys.readouterr().out
    assert main(["stats", "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["undated"] == 3
