"""Reddit dumps (NDJSON, plain and .zst) and API listings, from our fixtures and the real files.

Expected values are read from the raw files by the tests themselves, not from the reader.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import zstandard
from hypothesis import given
from hypothesis import strategies as st

from fast_slow import assert_fast_equals_slow
from groundswell.ingest import iter_records
from groundswell.ingest.reddit import DELETED_REASON, reddit_post
from groundswell.ingest.source import Source
from groundswell.schema import Post, Quarantined, hashtags_in_text
from groundswell.store import Store, ingest

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "reddit"
MARKERS = {"[deleted]", "[removed]", "[deleted by user]"}


def _rows(store: Store, table: str = "posts") -> dict[str, dict]:
    cur = store.con.execute(f"SELECT * FROM {table}")
    names = [d[0] for d in cur.description]
    return {row[names.index("id")]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def _lines(path: Path) -> list[dict | None]:
    """Every non-blank line of an NDJSON file, None where it does not parse."""
    out: list[dict | None] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            out.append(None)
    return out


def _utc(epoch: int | float | str) -> datetime:
    """created_utc as the naive UTC the store keeps, whatever its JSON type."""
    return datetime.fromtimestamp(float(epoch), tz=UTC).replace(tzinfo=None)


def _fullname(obj: dict) -> str:
    return ("t3_" if "title" in obj else "t1_") + obj["id"]


def _deleted(obj: dict) -> bool:
    if "title" in obj:
        return obj["title"] in MARKERS and obj.get("selftext", "") in MARKERS | {""}
    return obj["body"] in MARKERS


def _expected_text(obj: dict) -> str:
    if "title" in obj:
        self_text = "" if obj.get("selftext") in MARKERS else obj.get("selftext") or ""
        text = obj["title"] + ("\n\n" + self_text if self_text.strip() else "")
    else:
        text = obj["body"]
    return html.unescape(text).replace("&#x200B;", "")


def _walk_things(value) -> list[dict]:
    """The test's own recursive walk of a listing document: every t1/t3 thing's kind + data."""
    found = []
    if isinstance(value, list):
        for v in value:
            found += _walk_things(v)
    elif isinstance(value, dict) and value.get("kind") == "Listing":
        for child in value["data"]["children"]:
            found += _walk_things(child)
    elif isinstance(value, dict) and value.get("kind") in ("t1", "t3"):
        found.append({"kind": value["kind"], **value["data"]})
        if isinstance(value["data"].get("replies"), dict):
            found += _walk_things(value["data"]["replies"])
    return found


def _assert_matches_raw(raw: dict, row: dict) -> None:
    assert row["text"] == _expected_text(raw)
    assert row["created_at"] == _utc(raw["created_utc"])
    assert row["reply_to"] == (raw.get("parent_id") if "body" in raw else None)
    if raw.get("permalink") and raw["author"].lower() not in raw["permalink"].lower():
        assert row["url"] == "https://www.reddit.com" + raw["permalink"]
    elif raw.get("permalink"):  # r/u_<author>: the handle-free short form
        link = raw.get("link_id", "t3_").partition("_")[2]
        short = f"{link}/_/{raw['id']}" if "body" in raw else raw["id"]
        assert row["url"] == f"https://www.reddit.com/comments/{short}/"
    for key in ("score", "num_comments", "ups", "downs"):
        if isinstance(raw.get(key), int):
            assert json.loads(row["metrics"])[key] == raw[key]
    if raw["author"] == "[deleted]":
        assert row["author"] is None
    else:
        assert row["author"].startswith("u_") and raw["author"] not in row["author"]
    assert row["author_name"] is None  # pseudonymised store keeps no handle


# -- fixtures written for these tests (run without ../shared) ---------------------------------
def test_dump_fixtures_reconcile_and_deletions_are_quarantined(store):
    paths = sorted(FIXTURES.glob("R[CS]_*.ndjson"))
    raw = [obj for p in paths for obj in _lines(p)]
    report = ingest(paths, store)
    assert report.balanced and report.read == len(raw)
    deleted = [o for o in raw if o is not None and _deleted(o)]
    broken = [o for o in raw if o is None]
    assert deleted and len(broken) == 1
    assert report.quarantined == len(deleted) + len(broken)
    reasons = [r for (r,) in store.con.execute("SELECT reason FROM quarantine").fetchall()]
    assert reasons.count(DELETED_REASON) == len(deleted)
    # a deletion is never a post, and its quarantine keeps neither text nor author
    posts = _rows(store)
    assert not {p["text"] for p in posts.values()} & MARKERS
    for (raw_bytes,) in store.con.execute(
        "SELECT raw FROM quarantine WHERE reason = ?", [DELETED_REASON]
    ).fetchall():
        kept = json.loads(raw_bytes)
        assert set(kept) == {"id"} and kept["id"] in {_fullname(o) for o in deleted}
    for obj in raw:
        if obj is not None and not _deleted(obj):
            _assert_matches_raw(obj, posts[_fullname(obj)])


def test_dump_fixture_relations_hashtags_and_removed_selftext(store):
    ingest(sorted(FIXTURES.glob("R[CS]_*.ndjson")), store)
    posts = _rows(store)
    by_id = {_fullname(o): o for p in FIXTURES.glob("R[CS]_*.ndjson") for o in _lines(p) if o}
    # '#MeToo's' in running text is #metoo; a '##Update' markdown heading is not a hashtag
    heading = next(k for k, o in by_id.items() if o.get("body", "").startswith("##"))
    assert "#update" not in posts[heading]["hashtags"]
    body_after_heading = _expected_text(by_id[heading]).split("\n", 1)[1]
    assert posts[heading]["hashtags"] == hashtags_in_text(body_after_heading)
    assert "#x200b" not in posts[heading]["hashtags"]  # the new-Reddit '&amp;#x200B;' filler
    possessive = next(k for k, o in by_id.items() if "#MeToo's" in o.get("body", ""))
    assert posts[possessive]["hashtags"] == ["#metoo"]
    # a submission whose selftext was removed keeps its title, a crosspost points at its parent
    removed = next(k for k, o in by_id.items() if o.get("selftext") == "[removed]")
    assert posts[removed]["text"] == by_id[removed]["title"]
    cross = next(k for k, o in by_id.items() if o.get("crosspost_parent"))
    assert posts[cross]["quote_of"] == by_id[cross]["crosspost_parent"]
    link = next(k for k, o in by_id.items() if o.get("is_self") is False and o["url"][:4] == "http")
    assert posts[link]["urls"] == [by_id[link]["url"]]


def test_zst_dump_gives_the_same_posts(tmp_path):
    plain = FIXTURES / "RC_2017-10_sample.ndjson"
    packed = tmp_path / "RC_2017-10.zst"
    params = zstandard.ZstdCompressionParameters.from_level(19, window_log=27)
    packed.write_bytes(
        zstandard.ZstdCompressor(compression_params=params).compress(plain.read_bytes())
    )
    out = []
    for path in (plain, packed):
        recs = list(iter_records([path]))
        out.append(
            [
                (r.id, r.text, r.created_at, r.reply_to) if isinstance(r, Post) else r.reason
                for r in recs
            ]
        )
    assert out[0] == out[1] and len(out[0]) == len(_lines(plain))


def test_listing_thread_is_walked_with_replies_and_more_stubs_skipped(store):
    thread = FIXTURES / "comments_7b2xyz.json"
    single = FIXTURES / "info_t1_dpg1bbb.json"
    doc = json.loads(thread.read_text(encoding="utf-8"))
    things = _walk_things(doc)
    assert "more" in thread.read_text(encoding="utf-8")
    report = ingest([thread, single], store)
    assert report.balanced
    deleted = [t for t in things if t.get("body") in MARKERS]
    assert report.read == len(things) + 1  # + the single thing, a repeat of one reply
    assert report.duplicates == 1 and report.quarantined == len(deleted) == 1
    posts = _rows(store)
    assert set(posts) == {f"{t['kind']}_{t['id']}" for t in things if t not in deleted}
    for t in things:
        if t not in deleted:
            _assert_matches_raw(t, posts[f"{t['kind']}_{t['id']}"])


def test_recorded_http_session_is_not_claimed(tmp_path):
    listing = json.loads((FIXTURES / "comments_7b2xyz.json").read_text(encoding="utf-8"))
    cassette = {
        "interactions": [
            {
                "request": {"method": "GET", "uri": "https://oauth.reddit.com/x"},
                "response": {"body": {"string": json.dumps(listing)}},
            }
        ],
        "recorded_with": "betamax/0.8.1",
    }
    path = tmp_path / "TestSubmission.test_comments.json"
    path.write_text(json.dumps(cassette, indent=2), encoding="utf-8")
    assert [r for r in iter_records([path]) if r.format == "reddit"] == []


@given(
    epoch=st.integers(min_value=1_134_000_000, max_value=2_000_000_000),
    shape=st.sampled_from([int, float, str]),
)
def test_created_utc_of_any_json_type_is_the_same_instant(epoch, shape):
    line = {
        "id": "abc",
        "body": "#MeToo",
        "author": "x",
        "subreddit": "s",
        "parent_id": "t3_q",
        "created_utc": shape(epoch),
    }
    rec = reddit_post(Source(Path("RC.ndjson")), 1, line, "t1", "reddit")
    assert isinstance(rec, Post)
    assert rec.created_at == datetime.fromtimestamp(epoch, tz=UTC)


@given(st.sampled_from(sorted(MARKERS | {"[ Removed by Reddit ]"})))
def test_every_deletion_marker_is_quarantined(marker):
    line = {"id": "abc", "body": marker, "author": "someone", "subreddit": "s", "created_utc": 1}
    rec = reddit_post(Source(Path("RC.ndjson")), 3, line, "t1", "reddit")
    assert isinstance(rec, Quarantined) and rec.reason == DELETED_REASON
    assert b"someone" not in rec.raw


# -- the real sample files in ../shared --------------------------------------------------------
def test_real_dumps_reconcile_and_match_raw_fields(formats_dir, store):
    folder = formats_dir / "reddit_dumps_ndjson" / "pushshift_importer"
    paths = sorted(folder.glob("*.json"))
    raw = [obj for p in paths for obj in _lines(p)]
    types = {type(o["created_utc"]) for o in raw}
    assert types == {int, float, str}  # the three eras are all there
    report = ingest(paths, store)
    assert report.balanced and report.read == len(raw)
    deleted = [o for o in raw if _deleted(o)]
    assert report.quarantined == len(deleted) > 0
    posts = _rows(store)
    assert len(posts) == len(raw) - len(deleted)
    for obj in raw:
        if not _deleted(obj):
            _assert_matches_raw(obj, posts[_fullname(obj)])
    # old dumps escape '>' as '&gt;'; nothing escaped is left in the stored text
    assert not any(re.search(r"&(gt|lt|amp);", p["text"]) for p in posts.values())
    raw_authors = {o["author"] for o in raw} - {"[deleted]"}
    stored = {p["author"] for p in posts.values()} | {p["author_name"] for p in posts.values()}
    assert not raw_authors & stored
    for (blob,) in store.con.execute("SELECT raw FROM quarantine").fetchall():
        assert not any(a.encode() in blob for a in raw_authors)


def test_real_zst_dumps_equal_the_plain_ones(formats_dir, tmp_path):
    folder = formats_dir / "reddit_dumps_ndjson" / "pushshift_importer"
    results = []
    for pattern in ("*.json", "*.derived.zst"):
        with Store(tmp_path / f"{pattern[2:]}.duckdb") as s:
            report = ingest(sorted(folder.glob(pattern)), s)
            assert report.balanced
            results.append(
                s.con.execute(
                    "SELECT id, text, created_at, reply_to, metrics FROM posts ORDER BY id"
                ).fetchall()
            )
    assert results[0] == results[1] and len(results[0]) > 40


def test_real_api_listings_walk_threads_and_skip_cassettes(formats_dir, tmp_path, store):
    from gspaths import extract_bodies

    praw = formats_dir / "reddit_api_listing" / "praw"
    bodies = [
        p
        for f in sorted(praw.glob("*.responses.json"))
        for p in extract_bodies(f, tmp_path / "bodies")
    ]
    things = [t for p in bodies for t in _walk_things(json.loads(p.read_text(encoding="utf-8")))]
    report = ingest(bodies, store)
    assert report.balanced
    ids = [f"{t['kind']}_{t['id']}" for t in things]
    assert report.read == len(ids)
    assert report.duplicates == len(ids) - len(set(ids)) >= 1  # the /api/info comment repeats
    posts = _rows(store)
    assert set(posts) == set(ids)
    for t in things:
        _assert_matches_raw(t, posts[f"{t['kind']}_{t['id']}"])
    # the thread: a reply to a reply, nested in data.replies
    nested = [
        t for t in things if t.get("parent_id", "").startswith("t1_") and t["parent_id"] in posts
    ]
    assert nested and all(posts[f"t1_{t['id']}"]["reply_to"] == t["parent_id"] for t in nested)
    # the recorded sessions themselves are not a user format: skipped, never a crash
    records = list(iter_records([praw / "cassettes"]))
    assert not [r for r in records if r.format == "reddit"]


def test_dump_lines_saved_as_a_json_array_read_the_same(tmp_path):
    plain = FIXTURES / "RS_2017-10_sample.ndjson"
    lines = [o for o in _lines(plain) if o is not None]
    array = tmp_path / "submissions.json"
    array.write_text(json.dumps(lines, indent=1), encoding="utf-8")
    got = [(getattr(r, "id", None), getattr(r, "reason", None)) for r in iter_records([array])]
    assert [i for i, _ in got if i] == [_fullname(o) for o in lines if not _deleted(o)]
    assert [r for _, r in got if r] == [DELETED_REASON] * sum(_deleted(o) for o in lines)


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("parent_id", 5, "parent_id 5 names no post or comment"),
        ("parent_id", "xyz", "parent_id 'xyz' names no post or comment"),
        ("parent_id", ["t1_a"], "parent_id an array names no post or comment"),
        ("parent_id", True, "parent_id True names no post or comment"),
        ("crosspost_parent", 5, "crosspost_parent 5 names no post or comment"),
    ],
)
def test_a_reference_that_names_no_thing_is_quarantined(tmp_path, monkeypatch, field, value, why):
    """A ``parent_id`` or ``crosspost_parent`` that is no fullname was stored as the reply (a
    string such as ``xyz``) or failed in the store with a type error naming no field; it now
    quarantines its thing with a reason that names the field, on the fast path too, and the
    lines after it are stored."""
    lines = [
        {"id": f"c{i}", "body": f"#MeToo {i}", "subreddit": "s", "created_utc": 1508140800 + i}
        | ({"title": f"post {i}"} if field == "crosspost_parent" else {"parent_id": "t3_q"})
        for i in range(1, 6)
    ]
    lines[1][field] = value
    path = tmp_path / "RC_2017-10.ndjson"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert_fast_equals_slow(tmp_path, monkeypatch, [path])
    kind = "t3" if field == "crosspost_parent" else "t1"
    with Store(tmp_path / "fast.duckdb") as store:
        assert set(_rows(store)) == {f"{kind}_c{i}" for i in (1, 3, 4, 5)}
        bad = store.con.execute("SELECT line, reason FROM quarantine").fetchall()
    assert bad == [(2, f"ValueError: {why}")]


@pytest.mark.parametrize("value", ["", None])
def test_an_empty_parent_id_is_no_reply(tmp_path, monkeypatch, value):
    """``"parent_id": ""`` was stored as the reply ``''``; it is none, as null is."""
    lines = [
        {"id": f"c{i}", "body": "#MeToo", "subreddit": "s", "created_utc": 1508140800 + i}
        for i in range(1, 4)
    ]
    for line in lines:
        line["parent_id"] = "t3_q"
    lines[0]["parent_id"] = value
    path = tmp_path / "RC_2017-10.ndjson"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert_fast_equals_slow(tmp_path, monkeypatch, [path])
    with Store(tmp_path / "fast.duckdb") as store:
        replies = dict(store.con.execute("SELECT id, reply_to FROM posts").fetchall())
    assert replies == {"t1_c1": None, "t1_c2": "t3_q", "t1_c3": "t3_q"}


def test_a_thing_whose_data_is_not_an_object_is_quarantined(store, tmp_path):
    """A ``t3`` (or ``t1``, or ``Listing``) whose ``data`` is a string was passed over like a
    ``more`` stub, uncounted; it is now quarantined, and the things after it are stored."""
    good = {"kind": "t1", "data": {"id": "def", "body": "y #MeToo", "created_utc": 2}}
    children = [
        {"kind": "t1", "data": {"id": "abc", "body": "x", "created_utc": 1}},
        {"kind": "more", "data": {}},
        {"kind": "t3", "data": "str"},
        {"kind": "t1", "data": ["x"]},
        {"kind": "Listing", "data": {"children": "none"}},
        good,
    ]
    path = tmp_path / "listing.json"
    path.write_text(json.dumps({"kind": "Listing", "data": {"children": children}}))
    report = ingest([path], store, progress=False)
    assert report.balanced and (report.read, report.quarantined) == (5, 3)
    assert set(_rows(store)) == {"t1_abc", "t1_def"}
