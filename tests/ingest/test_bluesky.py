"""Bluesky readers on small hand-written fixtures (tests/data/bluesky): run without ../shared."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundswell.ingest.bluesky import BlueskyReader
from groundswell.ingest.bluesky_car import BlueskyCarReader, car_header, walk_mst
from groundswell.ingest.bluesky_csv import BlueskyCsvReader
from groundswell.ingest.bluesky_record import facet_entities, facet_spans, post_from_record
from groundswell.ingest.registry import Head, detect, load_readers
from groundswell.ingest.source import Source, sources_from_path
from groundswell.schema import Post, Quarantined
from groundswell.store import Store, ingest
from gspaths import car_file

DATA = Path(__file__).resolve().parents[1] / "data" / "bluesky"
AUTHOR = "did:plc:testauthoraaaaaaaaaaaaaa"
REPOSTER = "did:plc:testreposterbbbbbbbbbbbb"
MENTIONED = "did:plc:testmentionedccccccccccc"


def _read(reader, name: str) -> list:
    return list(reader.read(next(sources_from_path(DATA / name))))


def _jetstream_lines() -> list[dict]:
    lines = (DATA / "jetstream_sample.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[:-1]]  # the last line is truncated on purpose


# -- facets and byte offsets ----------------------------------------------------------------
def test_facet_offsets_are_utf8_bytes_after_an_emoji():
    record = _jetstream_lines()[0]["commit"]["record"]
    text = record["text"]
    tag_facet = record["facets"][0]
    start, end = tag_facet["index"]["byteStart"], tag_facet["index"]["byteEnd"]
    assert text[start:end] != "#MeToo"  # slicing the str by code points would miss the tag
    spans = list(facet_spans(text, record["facets"]))
    assert spans[0][0] == "#MeToo"
    assert spans[1][0] == "www.example.org/temoig..."
    assert spans[2][0] == "@alice.example.com"


def test_facet_entities_use_the_full_link_and_the_did():
    record = _jetstream_lines()[0]["commit"]["record"]
    tags, mentions, links = facet_entities(record["text"], record["facets"])
    assert tags == ["MeToo"]
    assert mentions == [MENTIONED]
    assert links == ["https://www.example.org/temoignages/2024/octobre?ref=bsky"]


def test_tag_feature_without_value_falls_back_to_the_covered_bytes():
    text = "🔥🔥 #Solidarité"
    start = len("🔥🔥 ".encode())
    facets = [
        {
            "index": {"byteStart": start, "byteEnd": len(text.encode())},
            "features": [{"$type": "app.bsky.richtext.facet#tag"}],
        }
    ]
    assert facet_entities(text, facets)[0] == ["Solidarité"]


@given(prefix=st.text(max_size=30), tag=st.from_regex(r"[A-Za-zÀ-ÿ]{1,12}", fullmatch=True))
def test_facet_spans_recover_the_tag_whatever_comes_before(prefix, tag):
    text = f"{prefix} #{tag} end"
    start = len(f"{prefix} ".encode())
    facets = [
        {
            "index": {"byteStart": start, "byteEnd": start + len(f"#{tag}".encode())},
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
        }
    ]
    assert [covered for covered, _ in facet_spans(text, facets)] == [f"#{tag}"]


def test_tags_with_spaces_are_not_hashtags():
    record = {
        "text": "#falsed #faussair",
        "createdAt": "2024-01-01T00:00:00Z",
        "tags": ["vídeo da tv", "Extra"],
        "facets": [
            {
                "index": {"byteStart": 0, "byteEnd": 17},
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "falsed #faussair"}],
            }
        ],
    }
    post = post_from_record(
        record, f"at://{AUTHOR}/app.bsky.feed.post/3k", fmt="bluesky", source_file="x",
        source_line=1,
    )  # fmt: skip
    assert post.hashtags == ["#extra", "#falsed", "#faussair"]


def test_out_of_range_facet_does_not_crash():
    facets = [
        {
            "index": {"byteStart": 5, "byteEnd": 500},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.org/"}],
        },
        "junk",
    ]
    assert facet_entities("short", facets) == ([], [], ["https://example.org/"])


# -- Jetstream ------------------------------------------------------------------------------
def test_jetstream_post_fields():
    reader = BlueskyReader()
    records = _read(reader, "jetstream_sample.jsonl")
    post = next(r for r in records if isinstance(r, Post) and r.id.endswith("3kemoji000001"))
    raw = _jetstream_lines()[0]["commit"]["record"]
    assert post.id == f"at://{AUTHOR}/app.bsky.feed.post/3kemoji000001"
    assert post.author == AUTHOR
    assert post.text == raw["text"]
    assert post.created_at == datetime(2024, 10, 15, 9, 30, 0, 123456, tzinfo=UTC)  # ns trimmed
    assert post.lang == "fr"
    assert post.hashtags == ["#metoo", "#balancetonporc"]  # facet, then record.tags
    assert post.mentions == [MENTIONED]
    assert post.urls == ["https://www.example.org/temoignages/2024/octobre?ref=bsky"]
    assert post.reply_to == raw["reply"]["parent"]["uri"]
    assert post.quote_of == raw["embed"]["record"]["record"]["uri"]
    assert post.url == f"https://bsky.app/profile/{AUTHOR}/post/3kemoji000001"
    assert post.source_line == 1


def test_jetstream_repost_delete_and_other_events():
    reader = BlueskyReader()
    records = _read(reader, "jetstream_sample.jsonl")
    reposts = [r for r in records if isinstance(r, Post) and r.repost_of]
    assert len(reposts) == 1
    assert reposts[0].id == f"at://{REPOSTER}/app.bsky.feed.repost/3krepost00001"
    assert reposts[0].repost_of == f"at://{AUTHOR}/app.bsky.feed.post/3kemoji000001"
    assert reposts[0].text == ""
    assert reposts[0].author == REPOSTER
    assert not any(isinstance(r, Post) and "3kdeleted0001" in r.id for r in records)
    assert reader.passed_over["delete"] == 1
    assert reader.passed_over["app.bsky.feed.like"] == 1
    assert reader.passed_over["identity"] == 1 and reader.passed_over["account"] == 1


def test_jetstream_offset_time_and_quarantines():
    records = _read(BlueskyReader(), "jetstream_sample.jsonl")
    post = next(r for r in records if isinstance(r, Post) and r.id.endswith("3koffset00001"))
    assert post.created_at == datetime(2024, 10, 15, 9, 30, tzinfo=UTC)  # +02:00 -> UTC
    assert post.hashtags == ["#metoo"]  # from the text alone
    bad = {r.line: r.reason for r in records if isinstance(r, Quarantined)}
    assert bad[8] == "create event without record"
    assert bad[9].startswith("invalid JSON")


@pytest.mark.parametrize("created", [5, 1_700_000_000, 1.5e9, True, ["2024-10-15"]])
def test_jetstream_created_at_that_is_not_a_string_falls_back_to_the_event_time(tmp_path, created):
    # the lexicon makes createdAt a datetime string: a number is no time (not 1970 plus that
    # many seconds), so the post takes the event's own time_us, as with no createdAt at all
    events = _jetstream_lines()
    event = next(e for e in events if e.get("kind") == "commit" and "record" in e["commit"])
    event = json.loads(json.dumps(event))
    event["commit"]["record"]["createdAt"] = created
    path = tmp_path / "jetstream.jsonl"
    path.write_text(json.dumps(event) + "\n", encoding="utf-8")
    (post,) = list(BlueskyReader().read(Source(path)))
    assert post.created_at == datetime.fromtimestamp(event["time_us"] / 1e6, UTC)


def test_jetstream_ingest_reconciles(store):
    report = ingest([DATA / "jetstream_sample.jsonl"], store)
    assert report.balanced
    assert (report.stored, report.reposts, report.quarantined) == (2, 1, 2)
    authors = [a for (a,) in store.con.execute("SELECT author FROM posts").fetchall()]
    assert all(a.startswith("u_") for a in authors) and AUTHOR not in authors
    (repost_author,) = store.con.execute("SELECT author FROM reposts").fetchone()
    assert repost_author.startswith("u_")


def test_sniffs_jetstream_and_not_other_json():
    readers = load_readers()
    source = next(sources_from_path(DATA / "jetstream_sample.jsonl"))
    assert detect(source, readers).name == "bluesky"
    head = Head(Source(Path("x.json")), b'{"id": "1", "text": "hello", "author_id": "2"}')
    assert BlueskyReader().sniff(head) == 0.0


# -- records without uri, AppView feeds and threads ----------------------------------------
def test_bare_record_is_quarantined_not_invented():
    records = _read(BlueskyReader(), "bare_post_record.json")
    assert len(records) == 1
    assert isinstance(records[0], Quarantined)
    assert records[0].reason == "record without uri"


def test_get_record_response_has_its_uri(tmp_path):
    value = json.loads((DATA / "bare_post_record.json").read_text(encoding="utf-8"))
    uri = f"at://{AUTHOR}/app.bsky.feed.post/3kgetrecord01"
    path = tmp_path / "get_record.json"
    path.write_text(json.dumps({"uri": uri, "cid": "bafyrei", "value": value}), encoding="utf-8")
    (post,) = list(BlueskyReader().read(Source(path)))
    assert post.id == uri and post.author == AUTHOR and post.hashtags == ["#metoo"]


def test_feed_page_posts_metrics_and_repost_reason():
    feed = json.loads((DATA / "feed_page.json").read_text(encoding="utf-8"))
    records = _read(BlueskyReader(), "feed_page.json")
    posts = [r for r in records if not r.repost_of]
    reposts = [r for r in records if r.repost_of]
    assert [p.id for p in posts] == [item["post"]["uri"] for item in feed["feed"]]  # no context
    first = feed["feed"][0]["post"]
    assert posts[0].author == first["author"]["did"]
    assert posts[0].author_name == first["author"]["handle"]
    assert (
        posts[0].url == f"https://bsky.app/profile/{first['author']['handle']}/post/3kfeed0000001"
    )
    assert posts[0].metrics == {
        "like_count": 12,
        "repost_count": 3,
        "reply_count": 2,
        "quote_count": 1,
    }
    assert posts[1].reply_to == first["uri"]
    assert len(reposts) == 1
    assert reposts[0].id == feed["feed"][0]["reason"]["uri"]
    assert reposts[0].repost_of == first["uri"]
    assert reposts[0].author == REPOSTER


def test_thread_keeps_post_parent_and_replies():
    reader = BlueskyReader()
    records = _read(reader, "thread.json")
    assert sorted(r.id.rsplit("/", 1)[1] for r in records) == [
        "3kthread00000",
        "3kthread00001",
        "3kthread00002",
    ]
    assert reader.passed_over["app.bsky.feed.defs#notFoundPost"] == 1


# -- twitwi / minet CSV ----------------------------------------------------------------------
def test_twitwi_csv_rows():
    records = _read(BlueskyCsvReader(), "posts_export.csv")
    first, second, bad = records
    assert first.text == "Two lines\nand a link www.example.org/full... #MeToo"  # original_text
    assert first.created_at == datetime.fromtimestamp(1729087200, tz=UTC)
    assert first.author == AUTHOR and first.author_name == "ann.example.com"
    assert first.hashtags == ["#metoo", "#balancetonporc"]
    assert first.urls == ["https://www.example.org/full/path"]
    assert first.mentions == [MENTIONED]
    assert first.quote_of.endswith("/3kquoted0000b")
    assert first.lang == "en"
    assert first.metrics["like_count"] == 10
    assert second.reply_to == first.id
    assert second.source_line == 5  # the first row spans lines 2-4
    assert isinstance(bad, Quarantined) and bad.line == 6


def test_twitwi_csv_detected():
    source = next(sources_from_path(DATA / "posts_export.csv"))
    assert detect(source, load_readers()).name == "bluesky_csv"


# -- CAR repositories ------------------------------------------------------------------------
def _cid(block: bytes) -> bytes:
    return b"\x01\x71\x12\x20" + hashlib.sha256(block).digest()


def _make_car(did: str, records: dict[str, dict], drop: str | None = None) -> bytes:
    """A one-node MST repository CAR with prefix-compressed keys (the layout getRepo writes)."""
    import libipld

    blocks: list[tuple[bytes, bytes]] = []
    entries, previous = [], b""
    for key in sorted(records):
        block = libipld.encode_dag_cbor(records[key])
        if key != drop:
            blocks.append((_cid(block), block))
        kb = key.encode()
        shared = 0
        while shared < min(len(kb), len(previous)) and kb[shared] == previous[shared]:
            shared += 1
        entries.append({"k": kb[shared:], "p": shared, "t": None, "v": _cid(block)})
        previous = kb
    node = libipld.encode_dag_cbor({"e": entries, "l": None})
    commit = libipld.encode_dag_cbor(
        {"did": did, "version": 3, "data": _cid(node), "rev": "3kcar", "prev": None, "sig": b"sig"}
    )
    blocks += [(_cid(node), node), (_cid(commit), commit)]
    header = libipld.encode_dag_cbor({"roots": [_cid(commit)], "version": 1})
    return car_file(header, blocks)


_CAR_RECORDS = {
    "app.bsky.feed.like/3klike0000001": {
        "$type": "app.bsky.feed.like",
        "createdAt": "2024-10-15T09:00:00Z",
        "subject": {"uri": "at://x"},
    },
    "app.bsky.feed.post/3kcarpost0001": {
        "$type": "app.bsky.feed.post",
        "text": "🔥 #MeToo",
        "createdAt": "2024-10-15T09:10:00.000Z",
        "facets": [
            {
                "index": {"byteStart": 5, "byteEnd": 11},
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "MeToo"}],
            }
        ],
    },
    "app.bsky.feed.post/3kcarpost0002": {
        "$type": "app.bsky.feed.post",
        "text": "second",
        "createdAt": "2024-10-15T09:20:00.000Z",
    },
    "app.bsky.feed.repost/3kcarrepost01": {
        "$type": "app.bsky.feed.repost",
        "createdAt": "2024-10-15T09:30:00.000Z",
        "subject": {"uri": f"at://{AUTHOR}/app.bsky.feed.post/3k1"},
    },
}


def test_car_walk_rebuilds_prefix_compressed_keys(tmp_path):
    import libipld

    data = _make_car(REPOSTER, _CAR_RECORDS)
    header, blocks = libipld.decode_car(data)
    commit = blocks[header["roots"][0]]
    assert [key for key, _ in walk_mst(blocks, commit["data"])] == sorted(_CAR_RECORDS)
    assert car_header(data) is not None and car_header(b'{"roots": []}') is None


def test_car_reader_posts_and_reposts(tmp_path):
    path = tmp_path / "repo.car"
    path.write_bytes(_make_car(REPOSTER, _CAR_RECORDS))
    reader = BlueskyCarReader()
    records = list(reader.read(Source(path)))
    assert [r.id for r in records] == [f"at://{REPOSTER}/{k}" for k in sorted(_CAR_RECORDS)[1:]]
    assert records[0].hashtags == ["#metoo"]
    assert records[2].repost_of == f"at://{AUTHOR}/app.bsky.feed.post/3k1"
    assert reader.passed_over["app.bsky.feed.like"] == 1
    assert detect(Source(path), load_readers()).name == "bluesky_car"


def test_car_missing_record_and_truncated_file_are_quarantined(tmp_path):
    path = tmp_path / "partial.car"
    path.write_bytes(_make_car(REPOSTER, _CAR_RECORDS, drop="app.bsky.feed.post/3kcarpost0002"))
    records = list(BlueskyCarReader().read(Source(path)))
    bad = [r for r in records if isinstance(r, Quarantined)]
    assert len(bad) == 1 and "3kcarpost0002 missing from the CAR" in bad[0].reason
    full = _make_car(REPOSTER, _CAR_RECORDS)
    path.write_bytes(full[: len(full) // 2])
    records = list(BlueskyCarReader().read(Source(path)))
    assert all(isinstance(r, Quarantined) for r in records) and records


def test_car_whose_header_is_damaged_keeps_its_posts(tmp_path, store):
    """A byte changed in the root's CID makes the header undecodable: the header is one
    quarantined record and the posts are read from the commit found among the blocks; before,
    the whole repository was 'no known format'."""
    from groundswell.ingest.bluesky_car import _varint

    data = _make_car(REPOSTER, _CAR_RECORDS)
    size, start = _varint(data)
    header = data[start : start + size].replace(b"\x00\x01\x71\x12\x20", b"\x00\xa9\x71\x12\x20", 1)
    assert header != data[start : start + size] and car_header(data[:start] + header) is None
    path = tmp_path / "repo.car"
    path.write_bytes(data[:start] + header + data[start + size :])
    assert detect(Source(path), load_readers()).name == "bluesky_car"
    report = ingest([path], store, progress=False)
    assert report.balanced and (report.stored, report.reposts, report.quarantined) == (2, 1, 1)
    (reason,) = store.con.execute("SELECT reason FROM quarantine").fetchone()
    assert reason.startswith("unreadable CAR header")


@pytest.mark.parametrize("junk", [b"\x00\x01\x02", b"\xa3\x01\x00\x00\xa2bopx", b""])
def test_car_sniff_rejects_junk(junk):
    assert BlueskyCarReader().sniff(Head(Source(Path("x.bin")), junk)) == 0.0


_KEYS = st.sampled_from(
    ["did", "kind", "commit", "record", "uri", "post", "feed", "posts", "thread", "text",
     "createdAt", "facets", "embed", "reply", "parent", "value", "type", "id", "author",
     "replies", "$type", "reason", "operation", "collection", "rkey", "index", "features",
     "byteStart", "byteEnd", "tag", "langs", "tags", "subject", "time_us", "user_did"]
)  # fmt: skip
_LEAVES = st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.sampled_from(
    ["commit", "create", "update", "delete", "record", "app.bsky.feed.post",
     "app.bsky.feed.repost", "at://did:plc:x/app.bsky.feed.post/3k", "did:plc:x",
     "app.bsky.richtext.facet#tag", "app.bsky.embed.record", "2024-10-15T09:30:00Z"]
)  # fmt: skip
_JSON = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=6),
    max_leaves=25,
)


@given(value=_JSON)
def test_any_json_value_is_read_or_quarantined_never_raised(value):
    reader = BlueskyReader()
    for rec in reader._value(Source(Path("fuzz.json")), 1, value):
        assert isinstance(rec, Post | Quarantined)
        if isinstance(rec, Post):
            assert rec.id.startswith("at://") and isinstance(rec.text, str)


def _commit(n: int, **changes) -> dict:
    """A Jetstream event creating post ``n``, with ``changes`` made to its commit."""
    commit = {
        "rev": "3mmoojpaqkn2z",
        "operation": "create",
        "collection": "app.bsky.feed.post",
        "rkey": f"3good{n}xxxxx2",
        "record": {
            "$type": "app.bsky.feed.post",
            "createdAt": "2026-05-25T14:23:28.757Z",
            "text": f"good {n} #metoo",
        },
    }
    event = {"did": AUTHOR, "time_us": 1779719009157119, "kind": "commit", "commit": commit}
    for key, value in changes.items():
        if key == "did":
            event["did"] = value
        elif value is None:
            commit.pop(key)
        else:
            commit[key] = value
    return event


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ({"a": 1}, "event without a usable collection (null)"),
        ({}, "event without a usable collection (null)"),
        (_commit(0, collection="", record=None)["commit"], "usable collection ('')"),
        (_commit(0, collection="app.bsky\x00.feed.like")["commit"], "usable collection"),
        (_commit(0, collection="app.bsky\ud800.feed.like")["commit"], "usable collection"),
        (_commit(0, rkey="3bad\x00")["commit"], "event without usable did or rkey"),
        (_commit(0, did="did:plc:\x00x"), "event without usable did or rkey"),
    ],
)
def test_a_commit_of_no_usable_collection_did_or_rkey_is_quarantined(tmp_path, bad, why):
    """A commit event of no collection (``{}``, ``""``, one with a NUL or a lone surrogate) was
    passed over uncounted, as a like is; a NUL in a post's did or rkey was stored in its id.
    Each is now quarantined with its reason, and the posts after it are stored."""
    first = bad if "kind" in bad else {**_commit(0), "commit": bad}
    path = tmp_path / "jetstream.jsonl"
    lines = [json.dumps(first)] + [json.dumps(_commit(n)) for n in (1, 2, 3)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([path], store, progress=False)
        ids = {r[0] for r in store.con.execute("SELECT id FROM posts").fetchall()}
        reasons = [r[0] for r in store.con.execute("SELECT reason FROM quarantine").fetchall()]
    assert report.balanced and (report.read, report.quarantined) == (4, 1)
    assert ids == {f"at://{AUTHOR}/app.bsky.feed.post/3good{n}xxxxx2" for n in (1, 2, 3)}
    assert len(reasons) == 1 and why in reasons[0]


# -- ids with a NUL or another unprintable character -------------------------------------------
_BAD_PARTS = [f"{AUTHOR}\x00", "did:plc:\x07bell", "did:plc:\x1b[0mx"]


def _view(did: str, rkey: str) -> dict:
    return {
        "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
        "cid": "bafyrei",
        "author": {"did": AUTHOR, "handle": "ann.example.com"},
        "record": {"$type": "app.bsky.feed.post", "text": f"post {rkey} #MeToo",
                   "createdAt": "2024-10-15T09:10:00.000Z"},
        "indexedAt": "2024-10-15T09:10:01.000Z",
    }  # fmt: skip


def _stored_ids(tmp_path: Path, path: Path) -> tuple[set[str], list[str], dict]:
    """The ids stored from ``path``, the quarantine's reasons and the run's report."""
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([path], store, progress=False).to_dict()
        ids = {r[0] for r in store.con.execute("SELECT id FROM posts").fetchall()}
        reasons = [r[0] for r in store.con.execute("SELECT reason FROM quarantine").fetchall()]
    return ids, reasons, report


@pytest.mark.parametrize("shape", ["view", "feed", "getRecord"])
@pytest.mark.parametrize("bad", [*_BAD_PARTS, "3k\x00rkey"])
def test_a_uri_with_an_unprintable_character_is_quarantined(tmp_path, shape, bad):
    """A NUL (or another control character) in a post view's or a getRecord
    response's uri was stored in the post's id; the post is now quarantined, and the ones
    around it stored."""
    did, rkey = (AUTHOR, bad) if bad.startswith("3k") else (bad, "3kbad")
    views = [_view(AUTHOR, "3kgood1"), _view(did, rkey), _view(AUTHOR, "3kgood2")]
    if shape == "feed":
        values: list = [{"feed": [{"post": v} for v in views]}]
    elif shape == "getRecord":
        values = [{"uri": v["uri"], "cid": v["cid"], "value": v["record"]} for v in views]
    else:
        values = views
    path = tmp_path / "posts.jsonl"
    text = "".join(json.dumps(v) + "\n" for v in values)
    path.write_text(text, encoding="utf-8")
    ids, reasons, report = _stored_ids(tmp_path, path)
    assert report["balanced"] and (report["read"], report["quarantined"]) == (3, 1)
    assert ids == {f"at://{AUTHOR}/app.bsky.feed.post/3kgood{n}" for n in (1, 2)}
    assert len(reasons) == 1 and "uri 'at://" in reasons[0] and "names no record" in reasons[0]


@pytest.mark.parametrize("bad", _BAD_PARTS)
def test_a_car_of_an_unprintable_did_quarantines_its_posts(tmp_path, bad):
    path = tmp_path / "repo.car"
    path.write_bytes(_make_car(bad, _CAR_RECORDS))
    records = list(BlueskyCarReader().read(Source(path)))
    assert len(records) == 3 and all(isinstance(r, Quarantined) for r in records)
    assert all("of no usable did or rkey" in r.reason for r in records)


def test_a_car_record_key_with_a_nul_is_quarantined(tmp_path):
    records = {
        **_CAR_RECORDS,
        "app.bsky.feed.post/3kcar\x00post3": _CAR_RECORDS["app.bsky.feed.post/3kcarpost0002"],
    }
    path = tmp_path / "repo.car"
    path.write_bytes(_make_car(REPOSTER, records))
    read = list(BlueskyCarReader().read(Source(path)))
    bad = [r for r in read if isinstance(r, Quarantined)]
    assert len(read) == 4 and len(bad) == 1 and "of no usable did or rkey" in bad[0].reason
    assert all("\x00" not in r.id for r in read if isinstance(r, Post))


# -- references (reply, quote, repost subject) that name no record ------------------------------
_BAD_REFS = [
    f"at://{AUTHOR}\x00/app.bsky.feed.post/3kx",
    f"at://{AUTHOR}\x07/app.bsky.feed.post/3kx",
    "https://bsky.app/profile/x/post/3k",
    5,
]


def _twitwi(rkey: str, **refs) -> dict:
    return {"uri": f"at://{AUTHOR}/app.bsky.feed.post/{rkey}", "cid": "bafyrei",
            "user_did": AUTHOR, "timestamp_utc": 1729087200, "text": f"post {rkey} #MeToo",
            "to_post_uri": None, "quoted_uri": None, **refs}  # fmt: skip


def _with_ref(shape: str, rkey: str, ref: object) -> dict:
    """A post of ``shape`` at ``rkey`` that refers to ``ref`` (None: refers to nothing)."""
    if shape.startswith("twitwi"):
        return _twitwi(rkey, **({} if ref is None else {shape.split(":")[1]: ref}))
    view = _view(AUTHOR, rkey)
    if ref is None:
        return view
    if shape == "reply":
        view["record"]["reply"] = {"parent": {"uri": ref}, "root": {"uri": ref}}
    elif shape == "quote":
        view["record"]["embed"] = {"$type": "app.bsky.embed.record", "record": {"uri": ref}}
    else:  # a repost record, as getRecord returns it
        return {"uri": f"at://{AUTHOR}/app.bsky.feed.repost/{rkey}", "cid": "bafyrei",
                "value": {"$type": "app.bsky.feed.repost", "subject": {"uri": ref},
                          "createdAt": "2024-10-15T09:10:00.000Z"}}  # fmt: skip
    return view


@pytest.mark.parametrize(
    ("shape", "field"),
    [("reply", "reply.parent.uri"), ("quote", "embed.record.uri"), ("repost", "subject.uri"),
     ("twitwi:to_post_uri", "to_post_uri"), ("twitwi:quoted_uri", "quoted_uri"),
     ("csv:to_post_uri", "to_post_uri"), ("csv:quoted_uri", "quoted_uri")],
)  # fmt: skip
@pytest.mark.parametrize("bad", _BAD_REFS)
def test_a_reference_that_names_no_record_is_quarantined_naming_it(tmp_path, shape, field, bad):
    """A reply, quote or repost subject that is no AT-URI (a NUL in it, a web address, a number)
    was stored as the post's link, or silently dropped; the post is now quarantined, naming the
    field, and the posts around it stored."""
    good = f"at://{AUTHOR}/app.bsky.feed.post/3kparent"
    kind = "twitwi" + shape[3:] if shape.startswith("csv") else shape
    values = [_with_ref(kind, "3kgood1", good), _with_ref(kind, "3kbad", bad),
              _with_ref(kind, "3kgood2", None)]  # fmt: skip
    if shape.startswith("csv"):
        if isinstance(bad, int) or "\x00" in bad:
            return  # a CSV cell is text; a NUL quarantines its row before it is read
        path = tmp_path / "posts.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(values[0]))
            writer.writeheader()
            writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in values)
    else:
        path = tmp_path / "posts.jsonl"
        path.write_text("".join(json.dumps(v) + "\n" for v in values), encoding="utf-8")
    ids, reasons, report = _stored_ids(tmp_path, path)
    assert report["balanced"] and (report["read"], report["quarantined"]) == (3, 1), report
    stored = len(ids) + report.get("reposts", 0)  # a repost is an edge, not a post
    assert not any("3kbad" in i for i in ids) and stored == 2, (ids, report)
    assert len(reasons) == 1 and field in reasons[0] and "names no record" in reasons[0]


def test_a_thread_node_that_refers_to_no_record_quarantines_itself_only(tmp_path):
    root = _view(AUTHOR, "3kroot")
    bad = _with_ref("reply", "3kbad", "not a uri")
    good = _with_ref("reply", "3kgood", root["uri"])
    thread = {"thread": {"post": root, "replies": [{"post": bad}, {"post": good}]}}
    path = tmp_path / "thread.json"
    path.write_text(json.dumps(thread), encoding="utf-8")
    ids, reasons, report = _stored_ids(tmp_path, path)
    assert report["balanced"] and report["quarantined"] == 1, report
    assert ids == {root["uri"], good["uri"]}
    assert len(reasons) == 1 and "reply.parent.uri" in reasons[0]


# -- twitwi timestamp_utc --------------------------------------------------------------------
@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
@pytest.mark.parametrize("bad", ["abc", "2024-13-45", "253402300800", "1729087200000"])
def test_a_twitwi_timestamp_that_is_no_time_is_quarantined_naming_it(tmp_path, suffix, bad):
    """A ``timestamp_utc`` of no time was stored undated (``abc``) or read by its size as
    milliseconds (year 10000 in seconds as 1978); twitwi writes whole seconds, so the row is
    now quarantined, naming the field, and the rows around it stored. Seconds before the year
    1 are a client's year 0 as twitwi converts it (a real export): that post is stored undated,
    as the JSON reader stores it."""
    rows = [_twitwi("3kgood1"), _twitwi("3kbad", timestamp_utc=bad),
            _twitwi("3kyear0", timestamp_utc="-62142368029"), _twitwi("3kgood2")]  # fmt: skip
    path = tmp_path / f"posts.{suffix}"
    if suffix == "csv":
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows({k: "" if v is None else v for k, v in r.items()} for r in rows)
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    ids, reasons, report = _stored_ids(tmp_path, path)
    assert report["balanced"] and (report["read"], report["quarantined"]) == (4, 1), report
    assert ids == {rows[0]["uri"], rows[2]["uri"], rows[3]["uri"]}
    assert len(reasons) == 1 and "timestamp_utc" in reasons[0], reasons
    with Store(tmp_path / "s.duckdb") as store:
        (created,) = store.con.execute(
            "SELECT created_at FROM posts WHERE id = ?", [rows[2]["uri"]]
        ).fetchone()
    assert created is None
