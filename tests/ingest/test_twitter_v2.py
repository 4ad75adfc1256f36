"""Twitter API v2 (twarc2 pages, flattened tweets, single API responses) read from the real files.

Every expected value is read from the raw file by the test itself, not from the reader.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from groundswell.schema import normalise_hashtag
from groundswell.store import Store, ingest


def _rows(store: Store, table: str = "posts") -> dict[str, dict]:
    cur = store.con.execute(f"SELECT * FROM {table}")
    names = [d[0] for d in cur.description]
    return {row[names.index("id")]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def _pages(path: Path) -> list[dict]:
    pages = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict) and "data" in obj:
            pages.append(obj)
    return pages


def _data(page: dict) -> list[dict]:
    data = page["data"]
    return data if isinstance(data, list) else [data]


def _utc(raw: str) -> datetime:
    """An ISO time from the raw file as the naive UTC the store keeps."""
    return datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)


def _ref(tweet: dict, kind: str) -> str | None:
    return next((r["id"] for r in tweet.get("referenced_tweets") or () if r["type"] == kind), None)


@pytest.fixture
def twarc2(formats_dir: Path) -> Path:
    return formats_dir / "twitter_v2_twarc2"


def test_every_twarc2_file_reconciles(twarc2, store):
    report = ingest([twarc2], store)
    assert report.read == report.stored + report.duplicates + report.reposts + report.quarantined
    assert report.balanced
    skipped = {Path(name).name for name in report.skipped_files}
    assert "empty.json" in skipped  # 0 bytes: nothing to read, no crash
    # counts, compliance, users and lists lines are not posts
    posts = _rows(store)
    files = {Path(p["source_file"]).name for p in posts.values()}
    assert not files & {
        "counts.jsonl",
        "users.jsonl",
        "lists.jsonl",
        "tweets_compliance.jsonl",
        "users_compliance.jsonl",
    }
    assert report.quarantined == 1  # the truncated stream line, nothing else
    assert report.stored - report.articles == len(posts)  # PROVENANCE.md may be read as an article
    assert report.reposts == store.con.execute("SELECT count(*) FROM reposts").fetchone()[0]


def test_truncated_stream_line_is_quarantined_with_its_number(twarc2, store):
    path = twarc2 / "streaming_output_with_error.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    with pytest.raises(json.JSONDecodeError):
        json.loads(lines[7])
    report = ingest([path], store)
    assert report.balanced and report.quarantined == 1
    ((line, reason, raw),) = store.con.execute(
        "SELECT line, reason, raw FROM quarantine"
    ).fetchall()
    assert line == 8
    assert "JSON" in reason
    assert bytes(raw).decode().strip() == lines[7].strip()
    good = [json.loads(x) for i, x in enumerate(lines) if i != 7 and x.strip()]
    expected = {t["id"] for page in good for t in _data(page) if not _ref(t, "retweeted")}
    assert expected <= set(_rows(store))


def test_includes_context_is_not_stored_but_retweeted_originals_are(twarc2, store):
    path = twarc2 / "noflat.jsonl"
    pages = _pages(path)
    ingest([path], store)
    posts, reposts = _rows(store), _rows(store, "reposts")
    data = [t for page in pages for t in _data(page)]
    included = {t["id"]: t for page in pages for t in page.get("includes", {}).get("tweets", [])}
    retweets = {t["id"]: _ref(t, "retweeted") for t in data if _ref(t, "retweeted")}
    originals = {rid for rid in retweets.values() if rid in included}
    own = {t["id"] for t in data if t["id"] not in retweets}
    context_only = set(included) - originals - own
    assert context_only, "the sample has quoted/replied-to tweets in includes"
    assert set(posts) == own | originals
    assert not context_only & set(posts)
    assert {k: v["repost_of"] for k, v in reposts.items()} == retweets
    # a retweet's stored text is its original's full text, not the "RT @x: ..." truncation
    rt_id, orig_id = next(iter(retweets.items()))
    raw_rt = next(t for t in data if t["id"] == rt_id)
    assert raw_rt["text"].startswith("RT @")
    assert posts[orig_id]["text"] == html.unescape(included[orig_id]["text"])
    assert not posts[orig_id]["text"].startswith("RT @")
    # a retweeted original that itself quotes or replies keeps those edges
    linked = [included[o] for o in originals if included[o].get("referenced_tweets")]
    assert linked
    for orig in linked:
        assert posts[orig["id"]]["quote_of"] == _ref(orig, "quoted")
        assert posts[orig["id"]]["reply_to"] == _ref(orig, "replied_to")


def test_flat_and_paged_copies_of_one_query_dedupe_by_id(twarc2, store):
    first = ingest([twarc2 / "noflat.jsonl"], store)
    stored_once = store.con.execute("SELECT count(*) FROM posts").fetchone()[0]
    second = ingest([twarc2 / "flat.jsonl"], store)
    assert first.balanced and second.balanced
    assert second.stored == 0 and second.reposts == 0
    assert second.duplicates == second.read
    assert store.con.execute("SELECT count(*) FROM posts").fetchone()[0] == stored_once


def test_fields_match_the_raw_page(twarc2, store):
    path = twarc2 / "2sets.jsonl"
    pages = _pages(path)
    ingest([path], store)
    posts = _rows(store)
    data = [t for page in pages for t in _data(page)]
    users = {u["id"]: u for page in pages for u in page.get("includes", {}).get("users", [])}
    plain = [t for t in data if not _ref(t, "retweeted")]
    tagged = next(t for t in plain if t.get("entities", {}).get("hashtags"))
    row = posts[tagged["id"]]
    assert row["text"] == html.unescape(tagged["text"])
    assert row["created_at"] == _utc(tagged["created_at"])
    assert row["lang"] == tagged["lang"]
    raw_tags = [normalise_hashtag(h["tag"]) for h in tagged["entities"]["hashtags"]]
    assert set(raw_tags) <= set(row["hashtags"])
    assert all(t == t.casefold() and t.startswith("#") for t in row["hashtags"])
    assert row["url"].endswith(f"/status/{tagged['id']}")
    assert users[tagged["author_id"]]["username"] not in row["url"]  # no handle when pseudonymised
    metrics = json.loads(row["metrics"])
    assert metrics["like_count"] == tagged["public_metrics"]["like_count"]
    # author pseudonymised: the raw id appears nowhere, display names are not kept
    raw_authors = {t["author_id"] for t in data} | set(users)
    for post in posts.values():
        assert post["author"].startswith("u_")
        assert post["author_name"] is None
        cells = [str(v) for v in post.values() if v is not None]
        assert not raw_authors & set(cells)
        assert not any(a in post["author"] for a in raw_authors)
    # replies and quotes keep their edges
    reply = next(t for t in plain if _ref(t, "replied_to"))
    assert posts[reply["id"]]["reply_to"] == _ref(reply, "replied_to")
    quote = next(t for pg in _pages(twarc2 / "quoted_edit.jsonl") for t in _data(pg))
    ingest([twarc2 / "quoted_edit.jsonl"], store)
    assert _rows(store)[quote["id"]]["quote_of"] == _ref(quote, "quoted")


def test_html_entities_are_unescaped(twarc2, store):
    path = twarc2 / "brexit.jsonl"
    data = [t for page in _pages(path) for t in _data(page)]
    escaped = [t for t in data if "&amp;" in t["text"] and not _ref(t, "retweeted")]
    assert escaped
    ingest([path], store)
    posts = _rows(store)
    for tweet in escaped:
        assert "&amp;" not in posts[tweet["id"]]["text"]
        assert posts[tweet["id"]]["text"] == tweet["text"].replace("&amp;", "&").replace(
            "&lt;", "<"
        ).replace("&gt;", ">")


@pytest.mark.parametrize(
    "name",
    [
        "payload-v2.json",
        "payload-v2-geo.json",
        "payload-v2-singletweet.json",
        "payload-v2-tweet-retweet.json",
        "payload-v2-video.json",
        "alternative-payload-v2.json",
    ],
)
def test_twitwi_api_payloads(formats_dir, store, name):
    path = formats_dir / "twitter_v2_api" / "twitwi" / name
    payload = json.loads(path.read_text(encoding="utf-8"))
    report = ingest([path], store)
    assert report.balanced and report.quarantined == 0
    assert report.by_format == {"twitter_v2": report.read}
    posts, reposts = _rows(store), _rows(store, "reposts")
    data = _data(payload)
    for tweet in data:
        rt = _ref(tweet, "retweeted")
        if rt:
            assert reposts[tweet["id"]]["repost_of"] == rt
            assert reposts[tweet["id"]]["created_at"] == _utc(tweet["created_at"])
        else:
            row = posts[tweet["id"]]
            assert row["created_at"] == _utc(tweet["created_at"])
            assert row["text"] == html.unescape(tweet["text"])
            assert row["reply_to"] == _ref(tweet, "replied_to")
            assert row["quote_of"] == _ref(tweet, "quoted")
    included = {t["id"] for t in payload.get("includes", {}).get("tweets", [])}
    retweeted = {_ref(t, "retweeted") for t in data}
    assert not (included - retweeted - {t["id"] for t in data}) & set(posts)


@pytest.mark.parametrize("indent", [None, 2])
def test_a_json_array_of_flattened_tweets_is_read_as_its_lines(formats_dir, tmp_path, indent):
    """``twarc2 flatten`` lines gathered into one JSON array (``jq -s``, a script's
    ``json.dump``) are Twitter v2 tweets, not generic records."""
    flat = formats_dir / "twitter_v2_twarc2" / "flat.jsonl"
    tweets = [json.loads(ln) for ln in flat.read_text(encoding="utf-8").splitlines() if ln.strip()]
    array = tmp_path / "tweets.json"
    array.write_text(json.dumps(tweets, indent=indent), encoding="utf-8")
    with Store(tmp_path / "lines.duckdb") as store:
        want_report = ingest([flat], store)
        want = _rows(store)
    (tmp_path / "array.duckdb.key").write_bytes((tmp_path / "lines.duckdb.key").read_bytes())
    with Store(tmp_path / "array.duckdb") as store:
        report = ingest([array], store)
        got = _rows(store)
    assert report.by_format == want_report.by_format == {"twitter_v2": want_report.read}
    assert got.keys() == want.keys() and len(got) > 0
    for pid, row in got.items():
        assert row["platform"] == "twitter"
        for key in ("text", "author", "created_at", "hashtags", "mentions", "reply_to"):
            assert row[key] == want[pid][key], (pid, key)
