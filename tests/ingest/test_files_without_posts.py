"""Files of a known format that hold no posts: only deletion notices, or an empty export.

A twarc2 compliance job's result file on its own, a Jetstream capture of only ``delete``
commits, v1.1 ``delete`` lines or an outbox of only ``Delete`` activities was "nothing could be
read (no known format)" (exit 2, no JSON): a first ingest of one removed the store, so its
deletions were lost and a later file brought the posts back. An empty Reddit listing, Telegram
chat, Pushshift page or twarc2 search that found nothing was refused the same way. Each is now
read: its notices are honoured and recorded, and the run exits 0 with ``read`` 0. A file that is
empty or of no known format is still refused (exit 2).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from groundswell.cli import main
from groundswell.ingest import columnar
from groundswell.store import Store
from gspaths import FIXTURES

PAGES = FIXTURES / "twitter_v2" / "pages.jsonl"
DID = "did:plc:q235v55g5unth4zjjdpacfdr"
RKEY = "3mmoojp4cd223"
ADA = "https://social.example/users/ada"
STATUS = f"{ADA}/statuses/109300000000000001"


def _jsonl(path: Path, *values: Any) -> Path:
    path.write_text("".join(json.dumps(v) + "\n" for v in values), encoding="utf-8")
    return path


def _run(capsys: pytest.CaptureFixture, path: Path, db: Path) -> tuple[int, dict | None]:
    """The exit code of ``groundswell ingest PATH --json`` and the report it printed."""
    capsys.readouterr()
    code = main(["ingest", str(path), "--db", str(db), "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else None


def _ids(db: Path) -> set[str]:
    with Store(db) as store:
        return {r[0] for r in store.con.execute("SELECT id FROM posts").fetchall()}


def _a_tweet() -> str:
    """The id of a tweet of the sample pages that no other one references."""
    tweets = [t for line in PAGES.read_text().splitlines() for t in json.loads(line)["data"]]
    named = {r["id"] for t in tweets for r in t.get("referenced_tweets") or ()}
    return next(t["id"] for t in tweets if t["id"] not in named)


def _jetstream(operation: str) -> dict:
    commit: dict = {
        "rev": "3mmoojpaqkn2z",
        "operation": operation,
        "collection": "app.bsky.feed.post",
        "rkey": RKEY,
    }
    if operation == "create":
        commit["record"] = {
            "$type": "app.bsky.feed.post",
            "createdAt": "2026-05-25T14:23:28.757Z",
            "text": "We believe survivors #MeToo",
        }
    return {"did": DID, "time_us": 1779719009157119, "kind": "commit", "commit": commit}


# -- only deletion notices ------------------------------------------------------------------------


@pytest.mark.parametrize("fast", [False, True], ids=["streaming", "fast"])
def test_a_compliance_result_file_alone_forgets_its_tweets(tmp_path, capsys, monkeypatch, fast):
    """What ``twarc2 compliance-job download`` writes, ingested on its own into the store it
    was made for, as the README says to: every deleted tweet goes, exit 0."""
    monkeypatch.setattr(columnar, "ENABLED", fast)
    db = tmp_path / "s.duckdb"
    assert _run(capsys, PAGES, db)[0] == 0
    gone = _a_tweet()
    results = _jsonl(
        tmp_path / "results.json",
        {"id": gone, "action": "delete", "created_at": "2024-03-09T00:00:00.000Z",
         "redacted_at": "2024-03-09T00:00:00.000Z", "reason": "deleted"},
        {"id": "1", "action": "delete", "created_at": "2024-03-09T00:00:00.000Z",
         "reason": "protected"},
    )  # fmt: skip
    code, report = _run(capsys, results, db)
    assert code == 0 and report is not None
    assert report["deleted_on_platform"] == 2 and report["read"] == 0 and report["files"] == 1
    assert gone not in _ids(db) and _ids(db)


def test_a_compliance_stream_capture_alone_forgets_its_tweets(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    _run(capsys, PAGES, db)
    gone = _a_tweet()
    events = _jsonl(tmp_path / "stream.jsonl", {"data": {"delete": {"tweet": {"id": gone}}}})
    code, report = _run(capsys, events, db)
    assert code == 0 and report is not None and report["deleted_on_platform"] == 1
    assert gone not in _ids(db)


def test_jetstream_deletes_alone_as_the_first_ingest_are_kept(tmp_path, capsys):
    """The first ingest of a store, a capture of only deletes: the store is made and the
    deletion recorded, so a later file with the post does not bring it back."""
    db = tmp_path / "s.duckdb"
    code, report = _run(capsys, _jsonl(tmp_path / "deletes.jsonl", _jetstream("delete")), db)
    assert code == 0 and report is not None and report["deleted_on_platform"] == 1
    assert db.exists()
    other = {**_jetstream("create"), "commit": {**_jetstream("create")["commit"], "rkey": "3b"}}
    creates = _jsonl(tmp_path / "creates.jsonl", _jetstream("create"), other)
    code, report = _run(capsys, creates, db)
    assert code == 0 and report is not None and report["read"] == 2
    assert _ids(db) == {f"at://{DID}/app.bsky.feed.post/3b"}


def test_v1_delete_lines_alone_into_a_store(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    tweet = {
        "id": 1766011000000000101,
        "id_str": "1766011000000000101",
        "full_text": "It happened to me too #MeToo",
        "created_at": "Fri Mar 08 10:00:00 +0000 2024",
        "user": {"id_str": "1402", "screen_name": "ada"},
    }
    assert _run(capsys, _jsonl(tmp_path / "tweets.jsonl", tweet), db)[0] == 0
    assert _ids(db) == {"1766011000000000101"}
    notice = {"delete": {"status": {"id": tweet["id"], "id_str": tweet["id_str"],
                                    "user_id": 1402, "user_id_str": "1402"},
                         "timestamp_ms": "1709890001733"}}  # fmt: skip
    code, report = _run(capsys, _jsonl(tmp_path / "deletes.jsonl", notice), db)
    assert code == 0 and report is not None and report["deleted_on_platform"] == 1
    assert _ids(db) == set()


def test_an_outbox_of_only_deletes_into_a_store(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    outbox = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "outbox.json",
        "type": "OrderedCollection",
        "totalItems": 1,
        "orderedItems": [
            {"id": f"{STATUS}#delete", "type": "Delete", "actor": ADA,
             "object": {"id": STATUS, "type": "Tombstone"}},
        ],
    }  # fmt: skip
    path = tmp_path / "outbox.json"
    path.write_text(json.dumps(outbox), encoding="utf-8")
    code, report = _run(capsys, path, db)
    assert code == 0 and report is not None
    assert report["deleted_on_platform"] == 1 and report["quarantined"] == 0


# -- empty exports --------------------------------------------------------------------------------

EMPTY = {
    "listing.json": {"kind": "Listing", "data": {"children": []}},
    "result.json": {"name": "Chat", "type": "private_group", "id": 4242, "messages": []},
    "pushshift.json": {"data": [], "metadata": {}},
    "outbox.json": {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "outbox.json",
        "type": "OrderedCollection",
        "totalItems": 0,
        "orderedItems": [],
    },
}


@pytest.mark.parametrize("name", EMPTY)
def test_an_empty_export_is_read_as_nothing(tmp_path, capsys, name):
    """A valid export with no records in it: read 0, nothing quarantined, exit 0."""
    path = tmp_path / name
    path.write_text(json.dumps(EMPTY[name]), encoding="utf-8")
    code, report = _run(capsys, path, tmp_path / "s.duckdb")
    assert code == 0 and report is not None
    assert (report["read"], report["files"], report["skipped_files"]) == (0, 1, [])


@pytest.mark.parametrize("content", ["", "[]", "{}", "null", '{"messages": []}', "hello"])
def test_an_empty_or_unknown_file_is_still_refused(tmp_path, capsys, content):
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")
    db = tmp_path / "s.duckdb"
    assert _run(capsys, path, db) == (2, None)
    assert not db.exists()


# a page of a twarc2 search that found nothing, as ``twarc2 search`` writes it
EMPTY_PAGE = {
    "meta": {"result_count": 0, "newest_id": None, "oldest_id": None},
    "__twarc": {"url": "https://api.twitter.com/2/tweets/search/recent?query=%23MeToo",
                "version": "2.14.0", "retrieved_at": "2024-03-09T00:00:00+00:00"},
}  # fmt: skip


@pytest.mark.parametrize("fast", [False, True], ids=["streaming", "fast"])
@pytest.mark.parametrize("pages", [1, 3])
def test_twarc2_pages_of_a_search_that_found_nothing_are_read(
    tmp_path, capsys, monkeypatch, fast, pages
):
    monkeypatch.setattr(columnar, "ENABLED", fast)
    path = _jsonl(tmp_path / "search.jsonl", *[EMPTY_PAGE] * pages)
    code, report = _run(capsys, path, tmp_path / "s.duckdb")
    assert code == 0 and report is not None
    assert (report["read"], report["quarantined"], report["files"]) == (0, 0, 1)


def test_twarc2_empty_pages_among_pages_with_tweets(tmp_path, capsys):
    lines = PAGES.read_text().splitlines()
    path = tmp_path / "search.jsonl"
    text = "\n".join([json.dumps(EMPTY_PAGE), lines[0], json.dumps(EMPTY_PAGE), *lines[1:]])
    path.write_text(text + "\n", encoding="utf-8")
    code, report = _run(capsys, path, tmp_path / "s.duckdb")
    alone = _run(capsys, PAGES, tmp_path / "t.duckdb")[1]
    assert code == 0 and report is not None and alone is not None
    assert (report["read"], report["quarantined"]) == (alone["read"], 0)
