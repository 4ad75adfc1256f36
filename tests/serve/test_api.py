"""The dashboard's pages and JSON API on a small real-shaped store: shapes, care rules,
escaping, security headers."""

from __future__ import annotations

import re

import pytest
from serve_planted import FORGOTTEN, LONE_NAMES, PRIVATE_NAME, RAW_HANDLE, SCRIPT

from groundswell.serve import create_app

pytest.importorskip("starlette")
pytest.importorskip("plotly")
from groundswell.serve.app import PAGES

API = [
    "/api/status",
    "/api/facets",
    "/api/overview",
    "/api/overview?platform=twitter",
    "/api/timeline",
    "/api/family",
    "/api/testimonies",
    "/api/testimonies?platform=reddit",
    "/api/people",
    "/api/pileons",
    "/api/articles",
    "/api/posts",
    "/api/posts?tag=%23metoo&act=testimony",
    "/api/posts?from=2017-10-01&to=2017-10-31&platform=twitter",
]


@pytest.fixture(scope="module")
def client(serve_db):
    from starlette.testclient import TestClient

    app = create_app(str(serve_db), warm=False)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture(scope="module")
def responses(client):
    return {path: client.get(path) for path in API}


def test_every_page_answers_with_the_security_headers(client):
    for path, _, title in PAGES:
        r = client.get(path)
        assert r.status_code == 200, path
        assert f"<h1>{title}</h1>" in r.text
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "<script>" not in r.text  # no inline script: only src= to our own files
        assert re.findall(r"<script ([^>]*)>", r.text) == [
            'src="/static/plotly.min.js" defer',
            'src="/static/app.js" defer',
        ]
        assert "SYNTHETIC DATA" in r.text  # the demo store is marked synthetic


def test_plotly_comes_from_the_installed_package(client):
    r = client.get("/static/plotly.min.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert len(r.content) > 1_000_000 and b"plotly" in r.content[:2000].lower()
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/../app.py").status_code == 404


def test_api_shapes(responses):
    for path, r in responses.items():
        assert r.status_code == 200, (path, r.text[:200])
        assert r.headers["content-type"] == "application/json"
        assert "taken_at" in r.json()["status"]
    ov = responses["/api/overview"].json()
    assert ov["posts"] > 600 and ov["reposts"] > 0 and ov["quarantined"] >= 1
    run = ov["runs"][0]
    assert run["read"] == run["stored"] + run["duplicates"] + run["reposts"] + run["quarantined"]
    assert run["balanced"] is True
    assert {r["act"] for r in ov["acts"]} >= {"support", "testimony"}
    assert ov["model"]["model"] == "student" and ov["model"]["quality"]["macro_f1"] > 0.3
    assert ov["model"]["method"] in ("adjusted classify-and-count", "ppi", "raw") or ov["model"]
    twitter = responses["/api/overview?platform=twitter"].json()
    assert 0 < twitter["posts"] < ov["posts"] and twitter["model"] is None
    facets = responses["/api/facets"].json()
    assert "#metoo" in facets["tags"] and "twitter" in facets["platforms"]
    tl = responses["/api/timeline"].json()
    assert len(tl["days"]) > 100 and tl["tags"][0]["tag"] == "#metoo"
    assert all(len(s["posts"]) == len(tl["days"]) for s in tl["tags"] + tl["acts"])
    assert {e["kind"] for e in tl["events"]} <= {"onset", "burst"}
    fam = responses["/api/family"].json()
    assert fam["seed"] == "#metoo" and fam["rows"][0]["role"] == "core" and fam["method"]
    tm = responses["/api/testimonies"].json()
    assert tm["n"] > 0 and set(tm["fields"]) == {"harm", "relation", "setting"}
    for row in tm["fields"]["harm"]:
        assert row["share"] is None or row["ci_low"] <= row["share"] <= row["ci_high"]
    assert responses["/api/testimonies?platform=reddit"].json()["n"] != tm["n"]
    posts = responses["/api/posts"].json()
    assert posts["posts"] == sum(r["posts"] or 0 for r in posts["by_act"]) or any(
        r["suppressed"] for r in posts["by_act"]
    )
    assert len(posts["page"]) == 25 and posts["examples"]
    one = responses["/api/posts?tag=%23metoo&act=testimony"].json()
    assert one["posts"] < posts["posts"] and all(p["act"] == "testimony" for p in one["page"])
    assert all("#metoo" in p["hashtags"] for p in one["page"])
    assert "real op-eds it was not tuned on" in responses["/api/articles"].json()["method"]
    articles = responses["/api/articles"].json()["rows"]
    assert articles and all(a["stance"] in (None, "supportive", "critical", "mixed")
                            for a in articles)  # fmt: skip


def test_bad_filters_are_400_with_a_message(client):
    for query in ("tag=metoo", "act=gossip", "day=yesterday", "platform=a%20b", "offset=-1"):
        r = client.get("/api/posts?" + query)
        assert r.status_code == 400 and r.json()["error"], query
    assert client.get("/api/family?seed=%23nosuchtag").status_code == 400
    assert client.get("/api/timeline?tags=%23nosuchtag").status_code == 400


def test_care_rules_in_every_response(client, responses):
    bodies = [r.text for r in responses.values()]
    bodies += [client.get(p).text for p, _, _ in PAGES]
    for body in bodies:
        assert PRIVATE_NAME not in body and "Vanterpool" not in body
        assert not any(name in body for name in LONE_NAMES)
        assert RAW_HANDLE not in body
        assert "hostile_author" not in body and FORGOTTEN not in body
        assert "@example.com" not in body and "555-123-4567" not in body
        assert "asked to be forgotten" not in body
    shown = [
        p for p in responses["/api/posts"].json()["page"] if "my old boss" in p["text"].lower()
    ]
    assert shown, "the hostile posts are the newest and should be on the first page"
    for post in shown:
        assert "[private person]" in post["text"] and "@[account]" in post["text"]
        assert "[email]" in post["text"] and "[phone]" in post["text"]
        assert re.fullmatch(r"u_[0-9a-f]{20}", post["author"])
        assert post["url"] is None or re.fullmatch(r"https?://[^<>\"' ]+", post["url"])
    js = client.get("/api/posts?day=2018-12-31").json()
    for post in js["page"]:  # javascript: (or any markup) never becomes a link
        assert post["url"] is None or re.fullmatch(r"https?://[^<>\"' ]+", post["url"])


def test_small_cells_are_null_and_listed(client, responses):
    tag = client.get("/api/facets").json()["tags"][-1]
    small = client.get("/api/posts", params={"tag": tag, "act": "confession"}).json()
    if small["posts"] is None:
        assert "posts" in small["suppressed"] and small["page"] == []
    fam = responses["/api/family"].json()["rows"]
    for row in fam:
        if row["suppressed"]:
            assert row["posts"] is None and row["authors"] is None
    for row in responses["/api/people"].json()["rows"]:
        for name in ("authors", "accused", "accuser", "commentator"):
            assert (row[name] is None) == (name in row["suppressed"]) or row[name] is None
            assert row[name] is None or row[name] >= 10
        for day in row["attention"]:
            assert day["authors"] is None or day["authors"] >= 10
    quiet = client.get("/api/posts", params={"day": "2018-06-01"}).json()
    assert quiet["posts"] is None and "posts" in quiet["suppressed"] and quiet["page"] == []
    assert all(r["posts"] is None and r["suppressed"] == ["posts"] for r in quiet["by_act"])
    tl = responses["/api/timeline"].json()
    for series in tl["tags"]:
        days = dict(zip(tl["days"], series["posts"], strict=True))
        assert all(days[d] is None for d in series["suppressed_days"])
    metoo = next(s for s in tl["tags"] if s["tag"] == "#metoo")
    assert "2018-06-01" in metoo["suppressed_days"]
    # a day of 12 authors is shown, a day of one author (2018-12-31 13:00 was forgotten) is not
    one_day = client.get("/api/posts", params={"day": "2018-12-31"}).json()
    assert one_day["posts"] == 13 and one_day["suppressed"] == []


def test_script_payloads_come_back_as_text_only(client):
    data = client.get("/api/posts", params={"day": "2018-12-31"}).json()
    texts = [p["text"] for p in data["page"]]
    assert any(SCRIPT in t for t in texts)  # as data, in JSON: the page sets it as text
    js = client.get("/static/app.js").text
    assert "innerHTML" not in js and "outerHTML" not in js and "insertAdjacentHTML" not in js
    assert "eval(" not in js and "new Function" not in js
    for path, _, _ in PAGES:
        page = client.get(path).text
        assert "__pwned" not in page and "onerror" not in page


def test_missing_extra_message(monkeypatch):
    import importlib.util

    from groundswell.errors import MissingExtraError
    from groundswell.serve import require_extra

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "starlette" else real(name)
    )
    with pytest.raises(MissingExtraError, match=r"groundswell\[serve\]"):
        require_extra()


def test_requests_to_other_host_names_are_refused(client):
    """DNS rebinding: a page elsewhere that points its own name at 127.0.0.1 gets nothing."""
    for host in ("evil.example", "127.0.0.1.evil.example", "attacker:8000"):
        r = client.get("/api/posts", headers={"Host": host})
        assert r.status_code == 400 and r.json() == {"error": "unknown host"}
    for host in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LOCALHOST"):
        assert client.get("/api/status", headers={"Host": host}).status_code == 200, host


def test_a_store_of_one_post_answers_everywhere_and_shows_nothing_small(tmp_path):
    from datetime import UTC, datetime

    from starlette.testclient import TestClient

    from groundswell.schema import Post
    from groundswell.store import Store

    db = tmp_path / "one.duckdb"
    with Store(db) as store:
        store.write_batch(
            [
                Post(
                    platform="twitter",
                    id="1",
                    text="alone #MeToo",
                    created_at=datetime(2017, 10, 15, tzinfo=UTC),
                    author="a",
                    hashtags=["#metoo"],
                )
            ]
        )
    with TestClient(create_app(str(db), warm=False), base_url="http://127.0.0.1") as c:
        for path in [p for p, _, _ in PAGES] + [a.split("?")[0] for a in API]:
            assert c.get(path).status_code == 200, path
        assert c.get("/api/overview").json()["posts"] is None  # one author: withheld
        posts = c.get("/api/posts").json()
        assert posts["posts"] is None and posts["page"] == [] and "alone" not in str(posts)
        assert c.get("/api/family").json()["rows"] == []


def test_a_post_of_megabytes_is_sent_cut_with_its_length(tmp_path):
    from datetime import UTC, datetime, timedelta

    from starlette.testclient import TestClient

    from groundswell.schema import Post
    from groundswell.serve.cells import SHOWN_CHARS
    from groundswell.store import Store

    head = "I believe her #MeToo " + "again and again " * 310  # about 4,980 characters
    huge = head + "my neighbour Marisol Quintero said so " + "words " * 500_000 + "THE END"
    db = tmp_path / "long.duckdb"
    with Store(db) as store:
        store.write_batch(
            [
                Post(platform="reddit", id=str(i), text=huge if i == 0 else f"short {i} #MeToo",
                     created_at=datetime(2017, 10, 15, tzinfo=UTC) + timedelta(hours=i),
                     author=f"a{i}", hashtags=["#metoo"])
                for i in range(12)
            ]
        )  # fmt: skip
    with TestClient(create_app(str(db), warm=False), base_url="http://127.0.0.1") as c:
        r = c.get("/api/posts?size=50")
        assert r.status_code == 200 and len(r.content) < 100_000
        page = r.json()["page"]
    (long,) = [p for p in page if p["chars"] == len(huge)]
    assert len(long["text"]) < SHOWN_CHARS + 100 and f"{len(huge):,} characters" in long["text"]
    assert long["text"].startswith("I believe her #MeToo again")
    assert "THE END" not in long["text"]
    for raw in ("Marisol", "Quinte", "Mariso"):
        assert raw not in long["text"]
    shorts = {p["text"] for p in page if p is not long}
    assert shorts == {f"short {i} #MeToo" for i in range(1, 12)}  # short posts whole


def test_a_long_tag_the_filters_offer_filters_the_post_browser(tmp_path):
    """A hashtag of 300 characters used by 12 authors is offered by /api/facets, so the post
    browser asks /api/posts for it: it lists that tag's posts instead of refusing it."""
    from datetime import UTC, datetime, timedelta
    from urllib.parse import quote

    from starlette.testclient import TestClient

    from groundswell.schema import Post
    from groundswell.store import Store

    long_tag = "#" + "believesurvivors" * 19  # 305 characters, as a post may write one
    db = tmp_path / "longtag.duckdb"
    with Store(db) as store:
        store.write_batch(
            [
                Post(platform="twitter", id=str(i), text=f"I believe you {long_tag} #MeToo",
                     created_at=datetime(2017, 10, 15, tzinfo=UTC) + timedelta(hours=i),
                     author=f"a{i}", hashtags=[long_tag, "#metoo"])
                for i in range(12)
            ]
        )  # fmt: skip
    with TestClient(create_app(str(db), warm=False), base_url="http://127.0.0.1") as c:
        assert long_tag in c.get("/api/facets").json()["tags"]
        r = c.get("/api/posts?tag=" + quote(long_tag))
        assert r.status_code == 200, r.text[:200]
        assert r.json()["posts"] == 12 and len(r.json()["page"]) == 12
        assert c.get("/api/posts?tag=metoo").status_code == 400  # still not a hashtag


def test_a_pileon_target_in_a_store_kept_with_raw_ids_is_the_authors_pseudonym(tmp_path):
    """In a store made with ``--no-pseudonymise`` the dashboard names a reply pile-on's target
    by the keyed pseudonym it shows for that author's posts, never the raw id."""
    from datetime import UTC, datetime, timedelta

    from starlette.testclient import TestClient

    from groundswell.care.pseudonym import Pseudonymiser
    from groundswell.schema import Post
    from groundswell.store import Store

    base = datetime(2017, 10, 1, tzinfo=UTC)
    posts = [Post(platform="twitter", id="1", text="what happened to me #MeToo",
                  created_at=base, author="victim_id_42", hashtags=["#metoo"])]  # fmt: skip
    posts += [
        Post(platform="twitter", id=f"r{i}", text=f"you are lying #MeToo {i}",
             created_at=base + timedelta(days=25, minutes=i), author=f"piler{i}",
             hashtags=["#metoo"], reply_to="1")
        for i in range(60)
    ]  # fmt: skip
    db = tmp_path / "raw.duckdb"
    with Store(db, pseudonymise=False) as store:
        store.write_batch(posts)
        shown = Pseudonymiser(store.pseudonym.key, enabled=True)("twitter", "victim_id_42")
    with TestClient(create_app(str(db), warm=False), base_url="http://127.0.0.1") as c:
        r = c.get("/api/pileons")
    assert "victim_id_42" not in r.text
    assert [(p["target_kind"], p["target"]) for p in r.json()["rows"]] == [("reply", shown)]
