"""Post text through /api/posts and the exports, end to end: the accounts, e-mails and phone
numbers a post carries are hidden in both (the dashboard masks what the export pseudonymises)."""

from __future__ import annotations

import json

import pytest

from groundswell.store import Store, ingest
from groundswell.store.export import export_posts

pytest.importorskip("starlette")

HANDLE, USER_ID = "janeqsecret", "998877665544"
LINKS = (
    f"#MeToo see https://twitter.com/{HANDLE}/status/1 https://x.com/{HANDLE} u/{HANDLE} "
    f"https://bsky.app/profile/{HANDLE}.bsky.social/post/3abc https://twitter.com/i/user/{USER_ID}"
    " https://news.example/a?utm_campaign=janeq"
)
CONTACTS = (
    "#MeToo write me mailto:jane.roe@example.org or "
    "https://example.com/contact?email=jane.roe%40example.org or tel:+14155550199"
)
PHONES = "#MeToo he kept texting me from +14155550199, 4155550199, +44 20 7946 0958, "
PHONES += "07700 900123, +33 6 12 34 56 78"
TEXTS = [LINKS, CONTACTS, PHONES]
SECRETS = [HANDLE, USER_ID, "utm_campaign", "jane.roe", "4155550199", "7946", "900123", "56 78"]


def _tweets(path, texts: list[str]) -> None:
    """Twelve authors' tweets (no small cell) of each text, as a v1.1 JSONL export."""
    with open(path, "w", encoding="utf-8") as fh:
        for t, text in enumerate(texts):
            for i in range(12):
                tweet = {
                    "id_str": f"9{t:03d}{i:015d}",
                    "created_at": "Thu Oct 19 16:10:07 +0000 2017",
                    "full_text": text,
                    "user": {"id_str": f"{t}99887766{i:02d}", "screen_name": f"someone{i}"},
                    "entities": {"hashtags": [{"text": "MeToo"}]},
                }
                fh.write(json.dumps(tweet) + "\n")


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    out = tmp_path_factory.mktemp("care_text")
    _tweets(out / "t.jsonl", TEXTS)
    db = out / "s.duckdb"
    with Store(db) as store:
        ingest([out / "t.jsonl"], store, progress=False)
    return db


def test_api_posts_hide_what_the_export_hides(store_path, tmp_path):
    from starlette.testclient import TestClient

    from groundswell.serve import create_app

    app = create_app(str(store_path), warm=False)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        body = client.get("/api/posts").text
        page = client.get("/api/posts").json()["page"]
    with Store(store_path) as store:
        export_posts(store, "jsonl", tmp_path / "e.jsonl")
    exported = (tmp_path / "e.jsonl").read_text(encoding="utf-8")
    for secret in SECRETS:
        assert secret not in body, secret
        assert secret not in exported, secret
    assert any("https://twitter.com/[account]/status/1" in p["text"] for p in page)
    assert any("mailto:[email]" in p["text"] and "tel:[phone]" in p["text"] for p in page)
    assert any(p["text"].endswith("from [phone], [phone], [phone], [phone], [phone]") for p in page)


def test_a_shown_link_names_no_account():
    from groundswell.serve.cells import shown_url

    assert shown_url(f"https://mastodon.example/@{HANDLE}/1101") is None
    assert shown_url(f"https://twitter.com/{HANDLE}/status/1") is None
    assert shown_url("https://twitter.com/i/web/status/1") == "https://twitter.com/i/web/status/1"
    assert shown_url("https://news.example/a?id=3&utm_source=x") == "https://news.example/a?id=3"
