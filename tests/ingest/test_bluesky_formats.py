"""Bluesky readers on the real samples in ../shared/formats (skipped when absent).

Expected values are read by the tests from the raw files (JSON, CSV, goat's CAR listing), never
taken from the readers' output.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, datetime
from pathlib import Path

from groundswell.ingest.bluesky import BlueskyReader
from groundswell.ingest.bluesky_car import BlueskyCarReader, walk_mst
from groundswell.ingest.bluesky_record import facet_spans
from groundswell.ingest.registry import detect, load_readers
from groundswell.ingest.source import Source, sources_from_path
from groundswell.schema import Post, normalise_hashtag
from groundswell.store import ingest

POST, REPOST = "app.bsky.feed.post", "app.bsky.feed.repost"
DIRS = ("bluesky_api", "bluesky_jetstream", "bluesky_car", "bluesky_tap")


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _flat(values) -> list[dict]:
    out = []
    for v in values:
        out.extend(_flat(v) if isinstance(v, list) else [v])
    return out


def _utc(created_at: str) -> datetime:
    """A naive-UTC datetime from an ISO string, written here independently of parse_time."""
    s = re.sub(r"(\.\d{6})\d+", r"\1", created_at.replace("Z", "+00:00"))
    dt = datetime.fromisoformat(s)
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt


def _expected_ids(fmt: Path) -> tuple[set[str], set[str]]:
    """Post and repost AT-URIs every Bluesky sample holds, read straight from the raw files."""
    posts: set[str] = set()
    reposts: set[str] = set()

    def op(did, collection, rkey, operation):
        if operation in ("create", "update") and collection == POST:
            posts.add(f"at://{did}/{collection}/{rkey}")
        elif operation == "create" and collection == REPOST:
            reposts.add(f"at://{did}/{collection}/{rkey}")

    jet = fmt / "bluesky_jetstream"
    events = _jsonl(jet / "corpus_expected_v1.jsonl") + _jsonl(jet / "subscribe_golden_v1.jsonl")
    events += json.loads((jet / "twitwi/bluesky-firehose-posts.json").read_text(encoding="utf-8"))
    for ev in events:
        c = ev.get("commit") or {}
        op(ev["did"], c.get("collection"), c.get("rkey"), c.get("operation"))
    for ev in json.loads((fmt / "bluesky_tap/twitwi/bluesky-tap-posts.json").read_text("utf-8")):
        r = ev["record"]
        op(r["did"], r["collection"], r["rkey"], r["action"])
    api = fmt / "bluesky_api"
    for name in ("post_record.json", "extended_post_record.json"):
        posts.add(json.loads((api / name).read_text(encoding="utf-8"))["uri"])
    posts.add(
        json.loads((api / "thread_view_post_with_embed_media.json").read_text("utf-8"))["thread"][
            "post"
        ]["uri"]
    )
    for name in ("bluesky-posts.json", "bluesky-hydrated-firehose-posts.json"):
        for item in json.loads((api / "twitwi" / name).read_text(encoding="utf-8")):
            posts.add(item["post"]["uri"] if "post" in item else item["uri"])
    for name in (
        "bluesky_api/twitwi/bluesky-normalized-posts.json",
        "bluesky_jetstream/twitwi/bluesky-normalized-firehose-posts.json",
        "bluesky_tap/twitwi/bluesky-normalized-tap-posts.json",
    ):
        posts.update(row["uri"] for row in _flat(json.loads((fmt / name).read_text("utf-8"))))
    for name in (
        "bluesky_api/twitwi/bluesky-posts-export.csv",
        "bluesky_jetstream/twitwi/bluesky-firehose-posts-export.csv",
    ):
        with open(fmt / name, encoding="utf-8", newline="") as fh:
            posts.update(row["uri"] for row in csv.DictReader(fh))
    did = _car_commit(fmt)["DID"]
    for key, _ in _car_listing(fmt):
        op(did, *key.split("/"), "create")
    return posts, reposts


def _car_listing(fmt: Path) -> list[tuple[str, str]]:
    lines = (fmt / "bluesky_car/car_expected_records.tsv").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines if line.strip()]


def _car_commit(fmt: Path) -> dict[str, str]:
    text = (fmt / "bluesky_car/car_expected_commit.txt").read_text(encoding="utf-8")
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in text.splitlines())}


def test_every_bluesky_sample_ingests_and_reconciles(formats_dir, store):
    report = ingest([formats_dir / d for d in DIRS], store)
    assert report.balanced
    expected_posts, expected_reposts = _expected_ids(formats_dir)
    stored = {
        i
        for (i,) in store.con.execute("SELECT id FROM posts WHERE platform = 'bluesky'").fetchall()
    }
    stored_reposts = {
        i
        for (i,) in store.con.execute(
            "SELECT id FROM reposts WHERE platform = 'bluesky'"
        ).fetchall()
    }
    assert stored == expected_posts
    # feed views whose reasonRepost names only the reposter are reposts too, under a made key
    made = {r for r in stored_reposts if "/app.bsky.feed.repost/gs" in r}
    assert stored_reposts - made == expected_reposts and made
    bad = store.con.execute(
        "SELECT source_file, reason FROM quarantine WHERE format LIKE 'bluesky%'"
    ).fetchall()
    assert bad == []
    # the raw relay capture is not a user export: no reader claims it, nothing crashes
    assert str(formats_dir / "bluesky_jetstream/corpus_frames.bin.zst") in report.skipped_files


def test_authors_are_pseudonymised(formats_dir, store):
    ingest([formats_dir / d for d in DIRS], store)
    rows = store.con.execute(
        "SELECT author, author_name FROM posts WHERE platform = 'bluesky' "
        "UNION ALL SELECT author, NULL FROM reposts"
    ).fetchall()
    assert rows
    assert all(a.startswith("u_") and "did:" not in a for a, _ in rows)
    assert all(name is None for _, name in rows)


def test_relay_frames_are_not_a_user_format(formats_dir, store):
    frames = formats_dir / "bluesky_jetstream/corpus_frames.bin.zst"
    assert detect(next(sources_from_path(frames)), load_readers()) is None
    report = ingest([frames], store, fmt="bluesky")  # forced: binary lines quarantined, no crash
    assert report.balanced and report.stored == 0 and report.quarantined == report.read > 0


def test_jetstream_corpus_counts_match_the_manifest(formats_dir):
    jet = formats_dir / "bluesky_jetstream"
    manifest = json.loads((jet / "corpus_manifest.json").read_text(encoding="utf-8"))
    reader = BlueskyReader()
    records = list(reader.read(Source(jet / "corpus_expected_v1.jsonl")))
    assert reader.passed_over["delete"] == manifest["deletes"]
    assert reader.passed_over["identity"] == manifest["identity"]
    assert reader.passed_over["account"] == manifest["account"]
    events = _jsonl(jet / "corpus_expected_v1.jsonl")
    n_posts = sum(
        1
        for e in events
        if (e.get("commit") or {}).get("collection") == POST
        and e["commit"]["operation"] != "delete"
    )
    assert sum(1 for r in records if isinstance(r, Post) and not r.repost_of) == n_posts


def test_jetstream_corpus_fields(formats_dir):
    path = formats_dir / "bluesky_jetstream/corpus_expected_v1.jsonl"
    posts = {r.id: r for r in BlueskyReader().read(Source(path)) if isinstance(r, Post)}
    checked_reply = checked_tags = checked_offset_time = 0
    for ev in _jsonl(path):
        c = ev.get("commit") or {}
        if c.get("collection") != POST or c.get("operation") == "delete":
            continue
        rec = c["record"]
        post = posts[f"at://{ev['did']}/{POST}/{c['rkey']}"]
        assert post.text == rec["text"]
        assert post.author == ev["did"]
        assert post.created_at.replace(tzinfo=None) == _utc(rec["createdAt"])
        if "+00:00" in rec["createdAt"]:
            checked_offset_time += 1
        if rec.get("reply"):
            assert post.reply_to == rec["reply"]["parent"]["uri"]
            checked_reply += 1
        for facet in rec.get("facets", []):
            for feature in facet["features"]:
                if feature["$type"].endswith("#tag"):
                    assert normalise_hashtag(feature["tag"]) in post.hashtags
                    checked_tags += 1
                if feature["$type"].endswith("#link"):
                    assert feature["uri"] in post.urls
    assert checked_reply and checked_tags and checked_offset_time


def _non_ascii_tag_case(views: list[dict]) -> tuple[dict, dict]:
    """A postView with a #tag facet preceded by non-ASCII text (bytes != code points)."""
    for view in views:
        text = view["record"]["text"]
        for facet in view["record"].get("facets", []):
            feature = facet["features"][0]
            start = facet["index"]["byteStart"]
            if feature["$type"].endswith("#tag") and len(text.encode()[:start].decode()) != start:
                return view, facet
    raise AssertionError("no non-ASCII tag facet in the sample")


def test_appview_posts_fields_and_byte_offsets(formats_dir, store):
    path = formats_dir / "bluesky_api/twitwi/bluesky-posts.json"
    views = [i.get("post", i) for i in json.loads(path.read_text(encoding="utf-8"))]
    view, facet = _non_ascii_tag_case(views)
    text, tag = view["record"]["text"], facet["features"][0]["tag"]
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert text.encode()[start:end].decode() == f"#{tag}"
    assert text[start:end] != f"#{tag}"
    assert [c for c, _ in facet_spans(text, [facet])] == [f"#{tag}"]

    report = ingest([path], store)
    assert report.balanced and report.quarantined == 0
    row = store.con.execute(
        "SELECT text, created_at, hashtags, quote_of, metrics, author, url FROM posts WHERE id = ?",
        [view["uri"]],
    ).fetchone()
    assert row[0] == text
    assert row[1] == _utc(view["record"]["createdAt"])
    assert normalise_hashtag(tag) in row[2]
    metrics = json.loads(row[4])
    assert metrics["like_count"] == view["likeCount"]
    assert metrics["repost_count"] == view["repostCount"]
    assert row[5].startswith("u_") and row[5] != view["author"]["did"]
    assert row[6] is None  # the bsky.app link names the handle: a pseudonymised store drops it
    read = next(r for r in BlueskyReader().read(Source(path)) if r.id == view["uri"])
    rkey = view["uri"].rsplit("/", 1)[1]
    assert read.url == f"https://bsky.app/profile/{view['author']['handle']}/post/{rkey}"
    quoting = next(
        v
        for v in views
        if (v["record"].get("embed") or {}).get("$type") == "app.bsky.embed.recordWithMedia"
    )
    (quote_of,) = store.con.execute(
        "SELECT quote_of FROM posts WHERE id = ?", [quoting["uri"]]
    ).fetchone()
    assert quote_of == quoting["record"]["embed"]["record"]["record"]["uri"]


def test_get_record_and_thread_responses(formats_dir, store):
    api = formats_dir / "bluesky_api"
    names = (
        "post_record.json",
        "extended_post_record.json",
        "thread_view_post_with_embed_media.json",
        "like_record.json",
    )
    report = ingest([api / n for n in names], store)
    assert report.balanced and report.stored == 3 and report.quarantined == 0
    for name in names[:2]:
        raw = json.loads((api / name).read_text(encoding="utf-8"))
        text, created = store.con.execute(
            "SELECT text, created_at FROM posts WHERE id = ?", [raw["uri"]]
        ).fetchone()
        assert text == raw["value"]["text"]
        assert created == _utc(raw["value"]["createdAt"])  # one of them has no timezone
    thread = json.loads((api / names[2]).read_text(encoding="utf-8"))["thread"]["post"]
    text, quote_of = store.con.execute(
        "SELECT text, quote_of FROM posts WHERE id = ?", [thread["uri"]]
    ).fetchone()
    assert text == thread["record"]["text"] == ""
    assert quote_of == thread["record"]["embed"]["record"]["record"]["uri"]


def test_firehose_and_tap_posts(formats_dir, store):
    firehose = formats_dir / "bluesky_jetstream/twitwi/bluesky-firehose-posts.json"
    tap = formats_dir / "bluesky_tap/twitwi/bluesky-tap-posts.json"
    report = ingest([firehose, tap], store)
    assert report.balanced and report.quarantined == 0
    for ev in json.loads(firehose.read_text(encoding="utf-8")):
        c = ev["commit"]
        (created,) = store.con.execute(
            "SELECT created_at FROM posts WHERE id = ?", [f"at://{ev['did']}/{POST}/{c['rkey']}"]
        ).fetchone()
        assert created == _utc(c["record"]["createdAt"])  # nanosecond stamps included
    n_tags = 0
    for ev in json.loads(tap.read_text(encoding="utf-8")):
        r = ev["record"]
        text, tags = store.con.execute(
            "SELECT text, hashtags FROM posts WHERE id = ?", [f"at://{r['did']}/{POST}/{r['rkey']}"]
        ).fetchone()
        assert text == r["record"]["text"]
        for facet in r["record"].get("facets", []):
            for feature in facet["features"]:
                if feature["$type"].endswith("#tag"):
                    assert normalise_hashtag(feature["tag"]) in tags
                    n_tags += 1
    assert n_tags


def test_twitwi_csv_export_matches_its_rows(formats_dir, store):
    path = formats_dir / "bluesky_api/twitwi/bluesky-posts-export.csv"
    report = ingest([path], store)
    assert report.by_format == {"bluesky_csv": report.read}
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert report.read == len(rows) and report.balanced
    assert report.stored == len({r["uri"] for r in rows})
    row = next(r for r in rows if r["quoted_uri"] and r["hashtags"])
    text, created, tags, quote_of = store.con.execute(
        "SELECT text, created_at, hashtags, quote_of FROM posts WHERE id = ?", [row["uri"]]
    ).fetchone()
    assert text == row["original_text"]
    assert created == datetime.fromtimestamp(int(row["timestamp_utc"]), UTC).replace(tzinfo=None)
    assert {f"#{t}" for t in row["hashtags"].split("|")} <= set(tags)
    assert quote_of == row["quoted_uri"]


def test_car_walk_matches_goat_listing(formats_dir):
    import libipld

    car = formats_dir / "bluesky_car/repo.car"
    header, blocks = libipld.decode_car(car.read_bytes())
    commit = blocks[header["roots"][0]]
    expected = _car_commit(formats_dir)
    assert commit["did"] == expected["DID"]
    assert libipld.encode_cid(commit["data"]) == expected["Data CID"]
    walked = [(key, libipld.encode_cid(cid)) for key, cid in walk_mst(blocks, commit["data"])]
    assert walked == _car_listing(formats_dir)


def test_car_reader_posts_match_the_listing(formats_dir):
    import libipld

    car = formats_dir / "bluesky_car/repo.car"
    did = _car_commit(formats_dir)["DID"]
    listing = _car_listing(formats_dir)
    reader = BlueskyCarReader()
    records = list(reader.read(Source(car)))
    assert [r.id for r in records] == [
        f"at://{did}/{k}" for k, _ in listing if k.split("/")[0] in (POST, REPOST)
    ]
    _, blocks = libipld.decode_car(car.read_bytes())
    for rec, (key, cid) in zip(
        records, [x for x in listing if x[0].split("/")[0] in (POST, REPOST)], strict=True
    ):
        raw = blocks[_cid_bytes(cid, blocks)]
        if key.startswith(POST):
            assert rec.text == raw["text"] and rec.author == did
            assert rec.created_at.replace(tzinfo=None) == _utc(raw["createdAt"])
            if raw.get("reply"):
                assert rec.reply_to == raw["reply"]["parent"]["uri"]
        else:
            assert rec.repost_of == raw["subject"]["uri"]
    assert sum(reader.passed_over.values()) == len(listing) - len(records)


def _cid_bytes(cid: str, blocks: dict[bytes, object]) -> bytes:
    """The block key whose string form is ``cid``."""
    import libipld

    return next(k for k in blocks if libipld.encode_cid(k) == cid)
