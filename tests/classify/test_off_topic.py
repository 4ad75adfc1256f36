"""The off-topic guard: a store of real posts that have nothing to do with the movement (the
sample exports in ../shared/formats) gets a testimony share whose interval includes 0, and the
report says the store looks off-topic."""

from __future__ import annotations

from groundswell.classify import classify_store
from groundswell.classify.prevalence import domain_check, store_act_shares
from groundswell.store import Store, ingest
from gspaths import extract_bodies


def test_unrelated_real_posts_are_flagged_and_testimony_may_be_zero(formats_dir, tmp_path):
    bodies = []
    for rec in sorted(formats_dir.rglob("*.responses.json")):
        bodies += extract_bodies(rec, tmp_path / "bodies" / rec.parent.name)
    with Store(tmp_path / "offtopic.duckdb") as store:
        ingest([formats_dir, *bodies], store)
        classify_store(store, model="student")
        est = store_act_shares(store.con)
        assert est["method"] == "adjusted classify-and-count"
        testimony = next(s for s in est["shares"] if s.label == "testimony")
        assert testimony.low == 0.0
        check = domain_check(store.con, est)
        assert check["off_topic"] and "label a random sample" in check["advice"]
        from groundswell.report.html import build_report

        html = build_report(store, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "looks unlike the posts the model learned from" in html
    assert "adjusted classify-and-count" in html
