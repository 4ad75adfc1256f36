"""Traps seen in real exports: a pt-BR CrowdTangle CSV, permalink columns, Bluesky reposts in a
feed view without a repost URI, and Greek tags that must keep their final sigma."""

from __future__ import annotations

import json
from datetime import datetime

from groundswell.schema import hashtags_in_text, normalise_hashtag
from groundswell.store import Store, ingest

BR_CT = (
    "Page Name,Facebook Id,Post Created,Total Interactions,Likes,Comments,Shares,{link},Message\n"
    'Coletivo,123,2018-03-01 22:30:00 BRT,"407.137","1.204",17,"2.000",'
    "https://www.facebook.com/coletivo/posts/987,Eu também #MeToo\n"
)


def test_brazilian_crowdtangle_counts_and_times(tmp_path):
    store = Store(tmp_path / "open.duckdb", pseudonymise=False)  # a page URL names the page
    path = tmp_path / "br.csv"
    path.write_text(BR_CT.format(link="URL"), encoding="utf-8")
    report = ingest([path], store)
    assert report.stored == 1, report.errors
    created, metrics, url = store.con.execute(
        "SELECT created_at, metrics, url FROM posts"
    ).fetchone()
    assert created == datetime(2018, 3, 2, 1, 30)  # 22:30 BRT (UTC-3) is 01:30 UTC next day
    metrics = json.loads(metrics) if isinstance(metrics, str) else metrics
    assert metrics["total_interactions"] == 407137 and metrics["likes"] == 1204
    assert metrics["shares"] == 2000
    assert url == "https://www.facebook.com/coletivo/posts/987"


def test_crowdtangle_permalink_column_fills_url(tmp_path):
    store = Store(tmp_path / "open.duckdb", pseudonymise=False)
    path = tmp_path / "permalink.csv"
    path.write_text(BR_CT.format(link="Permalink"), encoding="utf-8")
    report = ingest([path], store)
    assert report.stored == 1, report.errors
    (url,) = store.con.execute("SELECT url FROM posts").fetchone()
    assert url == "https://www.facebook.com/coletivo/posts/987"


def test_greek_tag_keeps_its_final_sigma():
    assert normalise_hashtag("#ΛΙΓΝΑΔΗΣ") == "#λιγναδης"
    assert normalise_hashtag("#λιγναδης") == "#λιγναδης"
    assert hashtags_in_text("Μιλάμε #Λιγναδης #MeToo's") == ["#λιγναδης", "#metoo"]


def _view(rkey: str, did: str = "did:plc:author") -> dict:
    return {
        "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
        "cid": "bafy" + rkey,
        "author": {"did": did, "handle": "a.example"},
        "record": {
            "$type": "app.bsky.feed.post",
            "text": f"post {rkey}",
            "createdAt": "2024-10-16T16:00:00Z",
        },
        "indexedAt": "2024-10-16T16:00:01Z",
    }


def test_bluesky_feed_repost_without_uri_is_a_repost(tmp_path, store: Store):
    repost = {
        "$type": "app.bsky.feed.defs#reasonRepost",
        "by": {"did": "did:plc:fan", "handle": "f"},
    }
    feed = {
        "feed": [
            {"post": _view("3k1")},
            {"post": _view("3k2"), "reason": repost, "indexedAt": "2024-10-17T00:00:00Z"},
        ]
    }
    path = tmp_path / "timeline.json"
    path.write_text(json.dumps(feed))
    report = ingest([path], store)
    assert report.balanced and report.stored == 2 and report.reposts == 1, report.errors
    author, target = store.con.execute("SELECT author, repost_of FROM reposts").fetchone()
    assert target == "at://did:plc:author/app.bsky.feed.post/3k2" and author
