"""Whole-document exports (a JSON array of statuses, a Bluesky feed page, a Telegram Desktop
``result.json``, a Mastodon archive's ``outbox.json``) cut short, as a download or a copy that
stopped: every record written out in full before the cut is still stored, the one the cut went
through is quarantined, and the run balances. Before, one cut cost the whole file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from groundswell.ingest.registry import array_items
from groundswell.store import Store, ingest
from gspaths import FIXTURES

# (file, the key of its array of records; None: the document is the array)
DOCUMENTS = [
    (FIXTURES / "mastodon" / "home_timeline.json", None),
    (FIXTURES / "bluesky" / "feed_page.json", b"feed"),
    (FIXTURES / "telegram" / "channel" / "result.json", b"messages"),
    (FIXTURES / "mastodon" / "outbox.json", b"orderedItems"),
    (FIXTURES / "pushshift_api" / "comment_search_metoo.json", b"data"),
]
CUTS = [0.15, 0.4, 0.65, 0.9]  # where in the (first) array of records the file stops


def _read(path: Path, db: Path) -> tuple[dict, set[str], int]:
    """The report, the stored post and repost ids, and the quarantined count."""
    with Store(db) as store:
        report = ingest([path], store, progress=False).to_dict()
        sql = "SELECT id FROM posts UNION ALL SELECT id FROM reposts"
        ids = {r[0] for r in store.con.execute(sql).fetchall()}
    return report, ids, report["quarantined"]


def _records(data: bytes, key: bytes | None) -> tuple[bytes, list[tuple[int, bytes]]]:
    """What comes before the array of records, and each record with the offset it ends at."""
    if key is None:
        start = data.index(b"[")
    else:
        start = re.search(rb'"' + key + rb'"\s*:\s*\[', data).end() - 1
    items, at = [], start
    for raw in array_items(data[start:]):
        at = data.index(raw, at) + len(raw)
        items.append((at, raw))
    return data[: start + 1], items


@pytest.mark.parametrize("cut", CUTS)
@pytest.mark.parametrize(("path", "key"), DOCUMENTS, ids=lambda v: getattr(v, "name", v))
def test_a_document_cut_short_keeps_every_whole_record(tmp_path, path, key, cut):
    data = path.read_bytes()
    head, items = _records(data, key)
    first, last = len(head), items[-1][0]
    at = first + int((last - first) * cut)
    whole = [raw for end, raw in items if end <= at]
    # the same document, ending cleanly after the last whole record
    closed = head + b",\n".join(whole) + (b"]" if key is None else b"]}")
    (tmp_path / "closed").mkdir()
    (tmp_path / "cut").mkdir()
    (tmp_path / "closed" / path.name).write_bytes(closed)
    (tmp_path / "cut" / path.name).write_bytes(data[:at])
    kept, kept_bad = set(), 0  # nothing whole before the cut: nothing to read
    if whole:
        expected, kept, kept_bad = _read(tmp_path / "closed" / path.name, tmp_path / "c.duckdb")
        assert expected["balanced"]
    report, ids, bad = _read(tmp_path / "cut" / path.name, tmp_path / "cut.duckdb")
    _, all_ids, _ = _read(path, tmp_path / "whole.duckdb")
    assert report["balanced"]
    assert kept <= ids <= all_ids
    assert bad == kept_bad + 1  # the record the cut went through, and no more
    assert f"{path.name}:{len(whole) + 1}:" in " ".join(report["errors"])


@pytest.mark.parametrize("after", ["item", "comma"])
@pytest.mark.parametrize(("path", "key"), DOCUMENTS, ids=lambda v: getattr(v, "name", v))
def test_a_document_cut_between_two_records_says_so(tmp_path, path, key, after):
    """Cut just after a whole record (or the comma after it): nothing is cut in two, but the
    records that followed are lost, and one quarantined record says so."""
    data = path.read_bytes()
    _, items = _records(data, key)
    end = items[len(items) // 2 - 1][0]
    at = end if after == "item" else data.index(b",", end) + 1
    (tmp_path / path.name).write_bytes(data[:at])
    report, ids, bad = _read(tmp_path / path.name, tmp_path / "cut.duckdb")
    (tmp_path / "closed").mkdir()
    closed = data[:end] + (b"]" if key is None else b"]}")
    (tmp_path / "closed" / path.name).write_bytes(closed)
    _, kept, kept_bad = _read(tmp_path / "closed" / path.name, tmp_path / "closed.duckdb")
    assert report["balanced"] and ids == kept
    assert bad == kept_bad + 1
    assert "cut short" in " ".join(report["errors"]) or "ends" in " ".join(report["errors"])


def test_a_single_record_cut_short_is_one_quarantined_record(tmp_path):
    """No array to salvage from (a v2 API response for one tweet): the document is one record,
    quarantined once, not once per line of its pretty-printed text."""
    tweet = {
        "id": "1051234567890123776",
        "text": "#MeToo written by the team for a test",
        "author_id": "4455667788",
        "conversation_id": "1051234567890123776",
        "created_at": "2018-10-13T14:02:11.000Z",
    }
    data = json.dumps({"data": tweet}, indent=2).encode()
    (tmp_path / "tweet.json").write_bytes(data[: len(data) * 3 // 4])
    report, ids, bad = _read(tmp_path / "tweet.json", tmp_path / "a.duckdb")
    assert report["balanced"] and bad == report["read"] == 1 and not ids
    assert json.dumps({"data": tweet}, indent=2).count("\n") > 3


def test_a_full_account_telegram_export_cut_short_keeps_earlier_chats(tmp_path):
    path = FIXTURES / "telegram" / "account" / "result.json"
    data = path.read_bytes()
    _, all_ids, _ = _read(path, tmp_path / "whole.duckdb")
    last_chat = data.rindex(b'"messages"')
    (tmp_path / "result.json").write_bytes(data[: last_chat + 40])
    report, ids, _ = _read(tmp_path / "result.json", tmp_path / "cut.duckdb")
    assert report["balanced"] and ids and ids < all_ids


def _tweet(tid: str, text: str, **extra: object) -> dict:
    return {
        "id": tid,
        "text": text,
        "author_id": "4455667788",
        "conversation_id": tid,
        "created_at": "2018-10-13T14:02:11.000Z",
        "edit_history_tweet_ids": [tid],
        **extra,
    }


@pytest.mark.parametrize("where", ["in includes", "between items"])
def test_a_document_cut_outside_its_records_says_so(tmp_path, where):
    """A twarc2 page on one line cut after its ``data`` (in ``includes``, which holds the
    original a retweet names), or an array cut just after a whole item: every whole record is
    kept, and the cut is one quarantined record, not passed over in silence."""
    original = _tweet("1051234567890123776", "#MeToo the original")
    retweet = _tweet(
        "1051234567890123999",
        "RT @someone: #MeToo the original",
        referenced_tweets=[{"type": "retweeted", "id": original["id"]}],
    )
    page = {"data": [retweet], "includes": {"tweets": [original]}, "meta": {"result_count": 1}}
    data = json.dumps(page).encode()
    if where == "in includes":
        cut = data[: data.index(b'"includes"') + 30]
    else:
        cut = json.dumps([original, retweet]).encode()
        cut = cut[: cut.index(b', {"id"') + 1]
    (tmp_path / "page.json").write_bytes(cut)
    report, ids, bad = _read(tmp_path / "page.json", tmp_path / "a.duckdb")
    assert report["balanced"] and bad == 1
    assert ids == ({retweet["id"]} if where == "in includes" else {original["id"]})
    assert "page.json:" in report["errors"][0] and "cut short" in report["errors"][0]


def test_a_full_account_telegram_export_cut_between_chats_says_so(tmp_path):
    """Cut just after a chat closes: its messages are kept, and the chats that followed are
    lost, which one quarantined record says."""
    path = FIXTURES / "telegram" / "account" / "result.json"
    data = path.read_bytes()
    last_chat = data.rindex(b"{", 0, data.rindex(b'"messages"'))
    at = data.rindex(b"}", 0, last_chat) + 1  # where the chat before it closes
    (tmp_path / "result.json").write_bytes(data[:at])
    report, ids, bad = _read(tmp_path / "result.json", tmp_path / "cut.duckdb")
    assert report["balanced"] and ids
    assert bad == 2  # the private chat before the cut (declined unread), and the cut
    assert "after its last whole chat" in " ".join(report["errors"])
