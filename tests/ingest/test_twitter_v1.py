"""Twitter API v1.1: twarc1 JSONL, single tweets, arrays and search bodies, from a hand-written
fixture and from the real twitwi and tweepy files. Expected values are read from the raw JSON."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from groundswell.ingest import iter_records
from groundswell.ingest.source import Source
from groundswell.ingest.twitter_v1 import TwitterV1Reader
from groundswell.schema import Post, Quarantined, normalise_hashtag
from groundswell.store import Store, ingest
from gspaths import FIXTURES, extract_bodies

STREAM = FIXTURES / "twitter" / "v1_stream.jsonl"


def _rows(store: Store, table: str = "posts") -> dict[str, dict]:
    cur = store.con.execute(f"SELECT * FROM {table}")
    names = [d[0] for d in cur.description]
    return {row[names.index("id")]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def _v1_time(raw: str) -> datetime:
    """A v1.1 ``created_at`` as the naive UTC the store keeps."""
    return datetime.strptime(raw, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC).replace(tzinfo=None)


def _longest(tweet: dict) -> str:
    ext = tweet.get("extended_tweet") or {}
    return html.unescape(ext.get("full_text") or tweet.get("full_text") or tweet["text"])


def _raw_tags(tweet: dict) -> set[str]:
    entities = (tweet.get("extended_tweet") or {}).get("entities") or tweet["entities"]
    return {normalise_hashtag(h["text"]) for h in entities["hashtags"]}


def _assert_matches(row: dict, tweet: dict) -> None:
    assert row["text"] == _longest(tweet)
    assert row["created_at"] == _v1_time(tweet["created_at"])
    assert _raw_tags(tweet) <= set(row["hashtags"])
    assert row["reply_to"] == tweet.get("in_reply_to_status_id_str")
    assert row["quote_of"] == tweet.get("quoted_status_id_str")
    assert row["author"].startswith("u_") and row["author"] != tweet["user"]["id_str"]
    assert row["url"].endswith(f"/status/{tweet['id_str']}")


# -- the hand-written stream ------------------------------------------------------------------
def test_fixture_stream_records():
    raw = [json.loads(x) for x in STREAM.read_text(encoding="utf-8").splitlines()[:7]]
    records = list(TwitterV1Reader().read(Source(STREAM)))
    posts = [r for r in records if isinstance(r, Post)]
    bad = [r for r in records if isinstance(r, Quarantined)]
    # delete (line 3) and limit (line 5) lines are not records; line 7 lacks id_str; 8 is cut off
    assert [(q.line, "id_str" in q.reason) for q in bad] == [(7, True), (8, False)]
    assert [(p.id, p.source_line, p.repost_of) for p in posts] == [
        (raw[0]["id_str"], 1, None),
        (raw[0]["id_str"], 2, None),  # the embedded original of the retweet
        (raw[1]["id_str"], 2, raw[0]["id_str"]),
        (raw[3]["id_str"], 4, None),
        (raw[5]["id_str"], 6, None),
    ]
    original, _, retweet, reply, quote = posts
    assert raw[1]["id"] != int(raw[1]["id_str"])  # the fixture's 64-bit id lost precision
    assert original.text == raw[0]["extended_tweet"]["full_text"].replace("&amp;", "&")
    assert "&amp;" not in original.text and not original.text.endswith("…")
    assert original.hashtags == ["#metoo", "#notanymore"]  # from extended_tweet.entities
    assert original.metrics == {
        "retweet_count": 310,
        "like_count": 1200,
        "quote_count": 12,
        "reply_count": 45,
    }
    assert original.created_at == datetime(2017, 10, 15, 22, 10, 7, tzinfo=UTC)
    assert (original.author, original.author_name) == ("1111111111", "ana_writes")
    assert original.url == f"https://twitter.com/ana_writes/status/{raw[0]['id_str']}"
    assert retweet.author == "2222222222"
    assert reply.text == "@ana_writes Me too. I was 19 <3 you are not alone #metoo's"
    assert reply.hashtags == ["#metoo"]
    assert reply.reply_to == raw[0]["id_str"]
    assert quote.quote_of == raw[0]["id_str"]
    assert quote.urls == [raw[5]["entities"]["urls"][0]["expanded_url"]]
    assert all(p.format == "twitter_v1" and p.source_file == str(STREAM) for p in posts)


def test_fixture_stream_reconciles_in_the_store(store):
    report = ingest([STREAM], store)
    assert report.by_format == {"twitter_v1": report.read}
    assert (report.read, report.stored, report.duplicates, report.reposts, report.quarantined) == (
        7,
        3,
        1,
        1,
        2,
    )
    assert report.balanced
    lines = dict(store.con.execute("SELECT line, reason FROM quarantine").fetchall())
    assert set(lines) == {7, 8}


def test_search_body_array_and_single_tweet(tmp_path):
    tweets = [json.loads(x) for x in STREAM.read_text(encoding="utf-8").splitlines()[:6]]
    tweets = [t for t in tweets if "user" in t]
    (tmp_path / "search.json").write_text(json.dumps({"statuses": tweets, "search_metadata": {}}))
    (tmp_path / "timeline.json").write_text(json.dumps(tweets, indent=1))
    (tmp_path / "show.json").write_text(json.dumps(tweets[-1], indent=2))
    ids = {}
    for name in ("search.json", "timeline.json", "show.json"):
        recs = list(iter_records([tmp_path / name]))
        assert all(isinstance(r, Post) and r.format == "twitter_v1" for r in recs)
        ids[name] = [r.id for r in recs]
    assert ids["search.json"] == ids["timeline.json"]
    assert ids["show.json"] == [tweets[-1]["id_str"]]


# -- real files -------------------------------------------------------------------------------
@pytest.fixture
def twitwi_v1(formats_dir: Path) -> Path:
    return formats_dir / "twitter_v1_1" / "twitwi"


def test_twitwi_normalization_sources_as_twarc1_jsonl(twitwi_v1, tmp_path, store):
    """normalization.json wraps raw tweets in test cases; their sources, a line each, are twarc1."""
    cases = json.loads((twitwi_v1 / "normalization.json").read_text(encoding="utf-8"))
    sources = [case["source"] for case in cases]
    path = tmp_path / "twarc1.jsonl"
    path.write_text("\n".join(json.dumps(s) for s in sources) + "\n", encoding="utf-8")
    report = ingest([path], store)
    assert report.balanced and report.quarantined == 0
    posts, reposts = _rows(store), _rows(store, "reposts")
    rts = {s["id_str"]: s["retweeted_status"] for s in sources if "retweeted_status" in s}
    assert rts and {k: v["repost_of"] for k, v in reposts.items()} == {
        k: v["id_str"] for k, v in rts.items()
    }
    first: dict[str, dict] = {}  # the first copy of a tweet read is the one stored
    for tweet in sources:
        original = tweet.get("retweeted_status")
        if original:  # the embedded original is stored with its full text
            first.setdefault(original["id_str"], original)
        else:
            first.setdefault(tweet["id_str"], tweet)
    assert set(first) == set(posts)
    for tid, tweet in first.items():
        _assert_matches(posts[tid], tweet)
    extended = next(s for s in sources if "extended_tweet" in s and "retweeted_status" not in s)
    assert extended["text"] != extended["extended_tweet"]["full_text"]  # long: text is cut
    full = html.unescape(extended["extended_tweet"]["full_text"])
    assert posts[extended["id_str"]]["text"] == full
    accented = next(s for s in sources if any("é" in h["text"] for h in s["entities"]["hashtags"]))
    assert any("é" in t for t in posts[accented["id_str"]]["hashtags"])  # accents kept
    n_ids = len({s["id_str"] for s in sources} | {o["id_str"] for o in rts.values()})
    assert report.stored + report.reposts == n_ids  # repeated tweets are duplicates


@pytest.mark.parametrize(
    "name",
    [
        "normalization-payload-stream.json",
        "normalization-payload-search.json",
        "normalization-payload-show.json",
    ],
)
def test_twitwi_single_payloads(twitwi_v1, store, name):
    tweet = json.loads((twitwi_v1 / name).read_text(encoding="utf-8"))
    report = ingest([twitwi_v1 / name], store)
    assert report.balanced and report.by_format == {"twitter_v1": report.read}
    posts, reposts = _rows(store), _rows(store, "reposts")
    original = tweet["retweeted_status"]
    assert reposts[tweet["id_str"]]["repost_of"] == original["id_str"]
    assert reposts[tweet["id_str"]]["created_at"] == _v1_time(tweet["created_at"])
    _assert_matches(posts[original["id_str"]], original)
    assert not posts[original["id_str"]]["text"].startswith("RT @")
    quoted = tweet.get("quoted_status") or {}
    assert quoted.get("id_str") not in posts  # quoted tweets are context, not matches


def test_user_objects_are_not_posts(twitwi_v1):
    users = json.loads((twitwi_v1 / "api-users-v1.json").read_text(encoding="utf-8"))
    assert users and all("screen_name" in u for u in users)
    assert list(iter_records([twitwi_v1 / "api-users-v1.json"])) == []
    recs = list(TwitterV1Reader().read(Source(twitwi_v1 / "api-users-v1.json")))
    assert recs == []


def test_tweepy_bodies_and_cassettes(formats_dir, tmp_path, store):
    tweepy = formats_dir / "twitter_v1_1" / "tweepy"
    bodies = []
    for responses in sorted(tweepy.glob("*.responses.json")):
        bodies += extract_bodies(responses, tmp_path / "bodies")
    assert len(bodies) >= 6
    report = ingest([tmp_path / "bodies", tweepy / "cassettes"], store)
    assert report.balanced and report.quarantined == 0
    assert len(report.skipped_files) == len(list((tweepy / "cassettes").glob("*.json")))
    assert all("cassettes" in name for name in report.skipped_files)
    posts, reposts = _rows(store), _rows(store, "reposts")
    raw: list[dict] = []
    for path in bodies:
        body = json.loads(path.read_text(encoding="utf-8"))
        raw += (
            body["statuses"]
            if isinstance(body, dict) and "statuses" in body
            else (body if isinstance(body, list) else [body])
        )
    retweets = [t for t in raw if "retweeted_status" in t]
    assert retweets and {t["id_str"] for t in retweets} == set(reposts)
    assert set(posts) == {t["id_str"] for t in raw if "retweeted_status" not in t} | {
        t["retweeted_status"]["id_str"] for t in retweets
    }
    first: dict[str, dict] = {}
    for tweet in raw:
        if "retweeted_status" in tweet:
            assert reposts[tweet["id_str"]]["repost_of"] == tweet["retweeted_status"]["id_str"]
            first.setdefault(tweet["retweeted_status"]["id_str"], tweet["retweeted_status"])
        else:
            first.setdefault(tweet["id_str"], tweet)
    for tid, tweet in first.items():  # the first copy read wins
        _assert_matches(posts[tid], tweet)
    raw_authors = {t["user"]["id_str"] for t in raw}
    for row in [*posts.values(), *reposts.values()]:
        assert row["author"].startswith("u_")
        assert not raw_authors & {str(v) for v in row.values() if v is not None}


def test_cassettes_alone_are_skipped_without_error(formats_dir):
    cassettes = formats_dir / "twitter_v1_1" / "tweepy" / "cassettes"
    skipped: list[str] = []
    recs = list(
        iter_records([cassettes], on_file=lambda n, r: skipped.append(n) if r is None else None)
    )
    assert recs == [] and len(skipped) == len(list(cassettes.glob("*.json")))
