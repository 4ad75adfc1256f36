"""Item: one out-of-range time (year 0 after the offset, an epoch of 1e20) is one quarantined
record, with its file, line, reason and raw bytes; every later record of the file is still read."""

from __future__ import annotations

import csv
import io
import json

import pytest

from groundswell.store import Store, ingest

BAD_ISO = "0001-01-01T00:00:00+01:00"
BAD_EPOCH = 1e20


def _jsonl(rows: list[dict]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in rows)


def _csv(header: list[str], rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, header)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _v2(i: int, when: object) -> dict:
    return {"id": str(i), "text": f"t{i}", "author_id": "7", "created_at": when}


def _v1(i: int, when: object) -> dict:
    return {"id_str": str(i), "text": f"t{i}", "user": {"id_str": "7"}, "timestamp_ms": when}


def _reddit(i: int, when: object) -> dict:
    return {
        "id": f"c{i}",
        "name": f"t1_c{i}",
        "author": "a",
        "body": f"b{i}",
        "created_utc": when,
        "link_id": "t3_x",
        "parent_id": "t3_x",
        "subreddit": "s",
    }


def _masto(i: int, when: object) -> dict:
    return {
        "id": str(i),
        "uri": f"https://m.example/users/a/statuses/{i}",
        "url": f"https://m.example/@a/{i}",
        "created_at": when,
        "content": f"<p>t{i}</p>",
        "visibility": "public",
        "account": {"id": "1", "acct": "a", "url": "https://m.example/@a"},
        "reblogs_count": 0,
        "favourites_count": 0,
        "replies_count": 0,
    }


def _jetstream(i: int, when: object) -> dict:
    return {
        "did": "did:plc:abc",
        "time_us": 1783175888085434,
        "kind": "commit",
        "commit": {
            "rev": "r",
            "operation": "create",
            "collection": "app.bsky.feed.post",
            "rkey": f"k{i}",
            "record": {"$type": "app.bsky.feed.post", "createdAt": when, "text": f"t{i}"},
            "cid": "c",
        },
    }


def _postview(i: int, when: object) -> dict:
    return {
        "uri": f"at://did:plc:abc/app.bsky.feed.post/k{i}",
        "cid": "c",
        "author": {"did": "did:plc:abc", "handle": "a.bsky.social"},
        "record": {"$type": "app.bsky.feed.post", "createdAt": when, "text": f"t{i}"},
        "indexedAt": "2024-01-01T00:00:00.000Z",
        "likeCount": 0,
    }


_TWITWI = ["id", "timestamp_utc", "local_time", "user_screen_name", "text", "user_id"]
_GENERIC = ["post_id", "created_at", "user", "body"]
_CT = ["Page Name", "Facebook Id", "Post Created", "Total Interactions", "URL", "Message"]


def _twitwi(i: int, when: object) -> dict:
    return {
        "id": str(i),
        "timestamp_utc": when,
        "local_time": "",
        "user_screen_name": "a",
        "text": f"t{i}",
        "user_id": "7",
    }


def _ct(i: int, when: object) -> dict:
    return {
        "Page Name": "p",
        "Facebook Id": "1",
        "Post Created": when,
        "Total Interactions": "1",
        "URL": f"https://www.facebook.com/page/posts/{i}",
        "Message": f"t{i}",
    }


CASES = {
    "twarc2.jsonl": lambda w: _jsonl(
        [{"data": [_v2(i, w(i, "2020-01-01T00:00:00.000Z"))]} for i in (1, 2, 3)]
    ),
    "v1.jsonl": lambda w: _jsonl([_v1(i, w(i, 1600000000000)) for i in (1, 2, 3)]),
    "reddit.ndjson": lambda w: _jsonl([_reddit(i, w(i, 1600000000)) for i in (1, 2, 3)]),
    "mastodon.json": lambda w: json.dumps(
        [_masto(i, w(i, "2020-01-01T00:00:00Z")) for i in (1, 2, 3)]
    ).encode(),
    "jetstream.jsonl": lambda w: _jsonl(
        [_jetstream(i, w(i, "2024-01-01T00:00:00Z")) for i in (1, 2, 3)]
    ),
    "bluesky_posts.json": lambda w: json.dumps(
        [_postview(i, w(i, "2024-01-01T00:00:00Z")) for i in (1, 2, 3)]
    ).encode(),
    "twitwi.csv": lambda w: _csv(_TWITWI, [_twitwi(i, w(i, 1600000000)) for i in (1, 2, 3)]),
    "generic.csv": lambda w: _csv(
        _GENERIC,
        [
            {"post_id": f"g{i}", "created_at": w(i, "2020-01-01"), "user": "u", "body": f"t{i}"}
            for i in (1, 2, 3)
        ],
    ),
    "crowdtangle.csv": lambda w: _csv(
        _CT, [_ct(i, w(i, "2020-01-01 10:00:00 EDT")) for i in (1, 2, 3)]
    ),
}


@pytest.mark.parametrize("bad", [BAD_ISO, BAD_EPOCH], ids=["year0", "epoch1e20"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_one_bad_time_quarantines_one_record(tmp_path, store: Store, name: str, bad: object):
    def when(i: int, good: object) -> object:
        if i != 2:
            return good
        if name == "crowdtangle.csv":
            return "0001-01-01 00:30:00 CET" if bad == BAD_ISO else "99999-01-01 00:00:00 UTC"
        return bad

    path = tmp_path / name
    path.write_bytes(CASES[name](when))
    report = ingest([path], store)
    assert report.balanced
    if name == "crowdtangle.csv" and bad == BAD_EPOCH:
        return  # not a time at all for CrowdTangle: stored without one
    if name in ("jetstream.jsonl", "bluesky_posts.json") and bad == BAD_EPOCH:
        # a Bluesky createdAt is a string: a number is none, so the event's or view's time
        # stands in for it, as when createdAt is missing
        assert (report.read, report.stored, report.quarantined) == (3, 3, 0), report.errors
        (at,) = store.con.execute("SELECT created_at FROM posts WHERE id LIKE '%/k2'").fetchone()
        fallback = "2026-07-04" if name == "jetstream.jsonl" else "2024-01-01"  # time_us, indexedAt
        assert at.date().isoformat() == fallback
        return
    assert (report.read, report.stored, report.quarantined) == (3, 2, 1), report.errors
    (file, line, reason, raw) = store.con.execute(
        "SELECT source_file, line, reason, raw FROM quarantine"
    ).fetchone()
    assert file == str(path)
    if name.startswith("twarc2") and bad == BAD_EPOCH:
        # twarc2 writes created_at as ISO text only: a number there is no time, whatever its size
        assert "created_at" in reason and "not a time" in reason
    else:
        assert "out of range" in reason
    assert line == 2 + name.endswith(".csv")
    assert raw


@pytest.mark.parametrize("bad", [BAD_ISO, "1e20"], ids=["year0", "epoch1e20"])
def test_an_article_with_a_time_out_of_range_is_quarantined(tmp_path, store: Store, bad):
    good = tmp_path / "good.md"
    good.write_text("---\ndate: 2018-03-12\n---\n# Fine\n\n" + "A sentence of prose. " * 30)
    path = tmp_path / "essay.md"
    text = f"---\ndate: {bad}\n---\n# Essay\n\n" + "Some words of an essay here. " * 30
    path.write_text(text, encoding="utf-8")
    report = ingest([path, good], store)
    assert report.balanced and report.quarantined == 1 and report.articles == 1, report.errors
    (file, line, reason, raw) = store.con.execute(
        "SELECT source_file, line, reason, raw FROM quarantine"
    ).fetchone()
    assert file == str(path) and line == 1 and "out of range" in reason
    assert raw == text.encode()
