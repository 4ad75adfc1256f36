"""A damaged deletion or control notice is quarantined, counted, and costs no other record.

Twitter v1.1 stream files carry control lines (``delete``, ``limit``, ``scrub_geo``...), Jetstream
files ``delete`` commits, twarc2 compliance files one result per tweet or user, twarc2 captures of
the v2 compliance streams one event a line (``{"data": {"delete": {"tweet": {"id": ...}}}}``),
Mastodon outboxes ``Delete`` activities. A well-formed one is honoured (a deletion) or passed over
(the rest), outside ``read``. A damaged one (a body of another type, a deletion that names no
post) was dropped silently: now it is one quarantined record with file, line (an outbox: the
activity's position) and reason, so ``read == stored + duplicates + reposts + quarantined`` still
holds and nothing vanishes; every record after it is still read, in the streaming reader, the
columnar fast path and the DuckDB bulk path alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fast_slow import assert_fast_equals_slow
from groundswell.ingest import columnar
from groundswell.ingest.mastodon_outbox import PUBLIC, load_outbox
from groundswell.ingest.registry import detect, load_readers
from groundswell.ingest.source import Source
from groundswell.store import Store, bulk, ingest
from groundswell.store.load import IngestReport
from gspaths import FIXTURES, FORMATS

V1 = FIXTURES / "twitter" / "v1_stream.jsonl"
JETSTREAM = FIXTURES / "bluesky" / "jetstream_sample.jsonl"
PAGES = FIXTURES / "twitter_v2" / "pages.jsonl"
COMPLIANCE = FORMATS / "twitter_v2_twarc2" / "tweets_compliance.jsonl"
OUTBOX = FIXTURES / "mastodon" / "outbox.json"
TABLES = ("posts", "reposts", "quarantine")
COUNTS = ("read", "stored", "duplicates", "reposts", "quarantined", "deleted_on_platform")


def _lines(path: Path) -> list[bytes]:
    return [line for line in path.read_bytes().splitlines() if line.strip()]


def _write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


def _ingest(
    path: Path, db: Path, key_from: Path | None = None, *, use_bulk: bool = True
) -> tuple[IngestReport, dict]:
    """The report and the rows of a store made from ``path`` alone (with the pseudonym key of
    the store at ``key_from``, so two stores can be compared row for row)."""
    if key_from is not None:
        Path(f"{db}.key").write_text(Path(f"{key_from}.key").read_text())
    with Store(db) as store:
        report = ingest([path], store, progress=False, bulk=use_bulk)
        rows = {t: store.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
    return report, rows


def _ids(rows: dict) -> set[str]:
    return {r[1] for r in rows["posts"]} | {r[1] for r in rows["reposts"]}


def _quarantined(rows: dict) -> list[tuple[str, int, str]]:
    """(file, line, reason) of each quarantined record."""
    return sorted((q[0], q[1], q[2]) for q in rows["quarantine"])


def _check(
    tmp_path: Path,
    lines: list[bytes],
    at: int,
    notice: Any,
    *,
    monkeypatch: pytest.MonkeyPatch | None = None,
    write: Callable[[Path, list[bytes]], Path] = _write,
) -> tuple[IngestReport, dict, IngestReport, dict]:
    """Ingest ``lines`` (written by ``write``) with the damaged ``notice`` inserted as line (or
    item) ``at`` (1-based), and the same lines without it; assert the notice is one quarantined
    record and costs nothing else. With ``monkeypatch``, the columnar fast path must leave the
    streaming path's store."""
    clean_path = write(tmp_path / "clean.jsonl", lines)
    bad_lines = [*lines[: at - 1], json.dumps(notice).encode(), *lines[at - 1 :]]
    bad_path = write(tmp_path / "bad.jsonl", bad_lines)
    clean, clean_rows = _ingest(clean_path, tmp_path / "clean.duckdb")
    bad, rows = _ingest(bad_path, tmp_path / "bad.duckdb", key_from=tmp_path / "clean.duckdb")
    assert bad.balanced and clean.balanced
    assert bad.read == clean.read + 1
    assert bad.quarantined == clean.quarantined + 1
    assert bad.deleted_on_platform == clean.deleted_on_platform
    assert _ids(rows) == _ids(clean_rows)  # every good record, before and after, is stored
    new = set(_quarantined(rows)) - {
        (str(bad_path), line + (line >= at), reason) for _, line, reason in _quarantined(clean_rows)
    }
    ((file, line, reason),) = new
    assert (file, line) == (str(bad_path), at)
    assert reason.startswith("damaged ")
    raw = next(q[3] for q in rows["quarantine"] if q[1] == at)
    assert json.loads(bytes(raw)) == notice  # the notice is kept, not only counted
    if monkeypatch is not None:
        assert_fast_equals_slow(tmp_path, monkeypatch, [bad_path])
    return bad, rows, clean, clean_rows


def _passed_over(
    tmp_path: Path,
    lines: list[bytes],
    at: int,
    notice: Any,
    write: Callable[[Path, list[bytes]], Path] = _write,
) -> None:
    """Ingest ``lines`` with the well-formed ``notice`` inserted as line (or item) ``at`` and
    without it: it is not a post, not quarantined, not counted in ``read``."""
    tmp_path.mkdir(exist_ok=True)
    clean, clean_rows = _ingest(write(tmp_path / "a.jsonl", lines), tmp_path / "a.duckdb")
    with_notice = [*lines[: at - 1], json.dumps(notice).encode(), *lines[at - 1 :]]
    report, rows = _ingest(
        write(tmp_path / "b.jsonl", with_notice), tmp_path / "b.duckdb", tmp_path / "a.duckdb"
    )
    assert report.balanced
    for key in COUNTS:
        assert getattr(report, key) == getattr(clean, key), key
    assert _ids(rows) == _ids(clean_rows)
    assert sorted(q[2] for q in rows["quarantine"]) == sorted(
        q[2] for q in clean_rows["quarantine"]
    )


def _honoured(
    tmp_path: Path,
    lines: list[bytes],
    at: int,
    notice: Any,
    gone: str,
    write: Callable[[Path, list[bytes]], Path] = _write,
) -> IngestReport:
    """Ingest ``lines`` with the well-formed deletion ``notice`` inserted as line (or item)
    ``at`` and without it: the post ``gone`` is stored without it and forgotten with it, the
    notice is counted as a deletion (not read, not quarantined) and nothing else changes."""
    tmp_path.mkdir(exist_ok=True)
    clean, clean_rows = _ingest(write(tmp_path / "a.jsonl", lines), tmp_path / "a.duckdb")
    with_notice = [*lines[: at - 1], json.dumps(notice).encode(), *lines[at - 1 :]]
    report, rows = _ingest(
        write(tmp_path / "b.jsonl", with_notice), tmp_path / "b.duckdb", tmp_path / "a.duckdb"
    )
    assert report.balanced
    assert gone in _ids(clean_rows) and _ids(rows) == _ids(clean_rows) - {gone}
    assert report.deleted_on_platform == clean.deleted_on_platform + 1
    for key in ("read", "stored", "duplicates", "reposts", "quarantined"):
        assert getattr(report, key) == getattr(clean, key), key
    return report


# -- Twitter v1.1 stream control lines -----------------------------------------------------------

# (a quarantined line that names a post the store forgets loses its row: none of these names
# tweet 1, which the sample's own deletion notice forgets)
V1_DAMAGED = [
    {"delete": 5},
    {"delete": None},
    {"delete": {"status": None}},
    {"delete": {}},
    {"delete": {"status": {"id": 919500000000000004, "user_id": 3333333333}}},
    {"delete": {"status": {"id_str": "", "user_id_str": "5"}}},
    {"delete": {"status": {"id_str": "919 500", "user_id_str": "5"}}},
    {"delete": {"status": {"id_str": 2.5}}},
    {"delete": {"status": {"id_str": True}}},
    {"delete": {"status": {"id_str": ["919500000000000004"]}}},
    {"delete": {"status": "919500000000000004"}},
    {"limit": 17},
    {"scrub_geo": None},
    {"status_withheld": "919500000000000004"},
    {"user_withheld": [7]},
    {"event": {"favorite": True}},
]


@pytest.mark.parametrize("notice", V1_DAMAGED, ids=lambda n: json.dumps(n)[:50])
def test_a_damaged_v1_notice_is_quarantined_and_costs_nothing(tmp_path, monkeypatch, notice):
    lines = _lines(V1)
    bad, _, _, _ = _check(tmp_path, lines, 4, notice, monkeypatch=monkeypatch)
    assert bad.stored > 0


def test_a_good_deletion_after_a_damaged_one_is_still_honoured(tmp_path, monkeypatch):
    """The damaged notice is quarantined; a good one on the next line still forgets its tweet,
    in the streaming path and the fast path alike."""
    lines = _lines(V1)
    gone = "919500000000000004"  # a tweet of the sample, stored when no notice names it
    assert any(json.loads(line).get("id_str") == gone for line in lines)
    good = {"delete": {"status": {"id": int(gone), "id_str": gone, "user_id_str": "3"}}}
    lines = [*lines[:3], json.dumps(good).encode(), *lines[3:]]
    bad, rows, clean, clean_rows = _check(
        tmp_path, lines, 4, {"delete": {"status": {"user_id_str": "3"}}}, monkeypatch=monkeypatch
    )
    assert gone not in _ids(rows) and gone not in _ids(clean_rows)
    assert bad.deleted_on_platform == clean.deleted_on_platform == 2


WELL_FORMED = [
    {"delete": {"direct_message": {"id": 1, "id_str": "1", "user_id": 5, "user_id_str": "5"}}},
    {"scrub_geo": {"user_id": 5, "user_id_str": "5", "up_to_status_id_str": "919500000000000004"}},
    {"status_withheld": {"id": 919500000000000004, "user_id": 5, "withheld_in_countries": ["DE"]}},
    {"user_withheld": {"id": 5, "withheld_in_countries": ["DE"]}},
    {"limit": {"track": 3, "timestamp_ms": "1508140800001"}},
    {"warning": {"code": "FALLING_BEHIND", "message": "behind", "percent_full": 60}},
    {"friends": [1, 2]},
    {"event": "favorite", "source": {"id_str": "5"}, "target": {"id_str": "6"}},
]


@pytest.mark.parametrize("notice", WELL_FORMED, ids=lambda n: next(iter(n)))
def test_a_well_formed_notice_is_passed_over_outside_read(tmp_path, notice):
    """Well-formed control lines are not posts: not quarantined, not counted in ``read``."""
    _passed_over(tmp_path, _lines(V1), 4, notice)


# -- Jetstream delete commits --------------------------------------------------------------------


def _jetstream_delete(lines: list[bytes]) -> dict:
    return next(
        ev
        for ev in map(json.loads, lines)
        if ev.get("kind") == "commit" and ev["commit"].get("operation") == "delete"
    )


def _damaged(event: dict, field: str, value: Any) -> dict:
    """A copy of a Jetstream event with ``field`` (of the event or its commit) set or dropped."""
    event = json.loads(json.dumps(event))
    target = event if field == "did" else event["commit"]
    if value is _DROP:
        del target[field]
    else:
        target[field] = value
    return event


_DROP = object()
JETSTREAM_DAMAGE = [
    ("rkey", _DROP),
    ("rkey", 5),
    ("rkey", ""),
    ("collection", _DROP),
    ("collection", 7),
    ("collection", ""),
]  # (an event without a did was quarantined already, as a commit event without did)


@pytest.mark.parametrize(("field", "value"), JETSTREAM_DAMAGE, ids=lambda v: repr(v)[:20])
def test_a_damaged_jetstream_delete_is_quarantined_and_costs_nothing(tmp_path, field, value):
    lines = _lines(JETSTREAM)
    notice = _damaged(_jetstream_delete(lines), field, value)
    bad, _, _, _ = _check(tmp_path, lines, 3, notice)
    assert bad.stored > 0


def test_a_jetstream_post_delete_after_a_damaged_one_is_still_honoured(tmp_path):
    lines = _lines(JETSTREAM)
    first = json.loads(lines[0])
    assert first["commit"]["collection"] == "app.bsky.feed.post"
    gone = f"at://{first['did']}/app.bsky.feed.post/{first['commit']['rkey']}"
    template = _jetstream_delete(lines)
    good = _damaged(_damaged(template, "rkey", first["commit"]["rkey"]), "did", first["did"])
    lines = [*lines, json.dumps(good).encode()]
    bad, rows, clean, clean_rows = _check(
        tmp_path, lines, len(lines), _damaged(template, "rkey", None)
    )
    assert gone not in _ids(rows) and gone not in _ids(clean_rows)
    assert bad.deleted_on_platform == clean.deleted_on_platform == 2


def test_a_deleted_like_is_passed_over_outside_read(tmp_path):
    """A like's (or a follow's) delete is no post's: passed over, not quarantined."""
    lines = _lines(JETSTREAM)
    like = _damaged(_jetstream_delete(lines), "collection", "app.bsky.feed.like")
    _passed_over(tmp_path, lines, len(lines) + 1, like)


# -- twarc2 compliance results -------------------------------------------------------------------

COMPLIANCE_DAMAGE = [
    ("id", None),
    ("id", "12a4"),
    ("id", {"id": "1"}),
    ("action", None),
    ("action", ""),
    ("action", 5),
]


@pytest.mark.parametrize(("field", "value"), COMPLIANCE_DAMAGE, ids=lambda v: repr(v)[:20])
def test_a_damaged_compliance_result_is_quarantined(tmp_path, field, value):
    """A twarc2 file of pages followed by compliance results: the well-formed results are
    passed over, a damaged one is quarantined, and every tweet is stored."""
    if not COMPLIANCE.is_file():
        pytest.skip("../shared/formats not present")
    results = _lines(COMPLIANCE)
    # a tweet no result deletes (a damaged result naming a deleted one is forgotten with it)
    notice = {**json.loads(results[0]), "id": "1170000000000000001", field: value}
    lines = [*_lines(PAGES), *results]
    bad, _, clean, _ = _check(tmp_path, lines, len(_lines(PAGES)) + 2, notice)
    assert clean.quarantined == 0 and bad.stored > 0


# -- twarc2 captures of the v2 compliance streams ------------------------------------------------

AT = "2022-12-23T12:34:56.789Z"
# one event a line, as GET /2/tweets/compliance/stream and /2/users/compliance/stream send them
V2_EVENTS = [
    {"data": {"tweet_edit": {"tweet": {"id": "2"}, "initial_tweet_id": "1", "event_at": AT}}},
    {"data": {"withheld": {"tweet": {"id": "3"}, "withheld_in_countries": ["DE"], "event_at": AT}}},
    {"data": {"drop": {"tweet": {"id": "4", "author_id": "9"}, "event_at": AT}}},
    {"data": {"undrop": {"tweet": {"id": "4", "author_id": "9"}, "event_at": AT}}},
    {"data": {"user_delete": {"user": {"id": "1375036644"}, "event_at": AT}}},
    {"data": {"user_withheld": {"user": {"id": "5"}, "withheld_in_countries": ["DE"]}}},
    {"data": {"scrub_geo": {"user": {"id": "5"}, "up_to_tweet_id": "411552403083628544"}}},
    {"data": {"user_profile_modification": {"user": {"id": "5"}, "profile_field": "name"}}},
    # a user looked up alone, withheld in a country: no event, and no post
    {"data": {"id": "5", "username": "ada", "withheld": {"country_codes": ["DE"]}}},
]
# a tweet's deletion, as the tweet stream sends it and in an older shape (``{TWEET}``: its id)
V2_DELETES = [
    {"data": {"delete": {"tweet": {"id": "{TWEET}", "author_id": "9"}, "event_at": AT}}},
    {"data": {"delete": {"id": "{TWEET}", "deleted_at": AT}}},
]
V2_DAMAGED = [
    {"data": {"delete": 5}},
    {"data": {"delete": None}},
    {"data": {"delete": {}}},
    {"data": {"delete": {"tweet": None, "event_at": AT}}},
    {"data": {"delete": {"tweet": "601430178305220608", "event_at": AT}}},
    {"data": {"delete": {"tweet": {"author_id": "9"}, "event_at": AT}}},
    {"data": {"delete": {"tweet": {"id": "6014x"}, "event_at": AT}}},
    {"data": {"delete": {"id": 2.5, "deleted_at": AT}}},
    {"data": {"drop": {"tweet": {"id": True}}}},
    {"data": {"withheld": ["DE"]}},
    {"data": {"tweet_edit": {"tweet": {}, "initial_tweet_id": "1"}}},
    {"data": {"user_delete": {"user": {"id": "ada"}, "event_at": AT}}},
    {"data": {"user_suspend": {"user": 1375036644}}},
    {"data": {"scrub_geo": "1375036644"}},
]


def _flat_lines() -> list[bytes]:
    """The sample pages as ``twarc2 flatten`` writes them: one tweet a line, its author in it."""
    out = []
    for page in map(json.loads, _lines(PAGES)):
        users = {u["id"]: u for u in page["includes"]["users"]}
        out += [json.dumps({**t, "author": users[t["author_id"]]}).encode() for t in page["data"]]
    return out


def _bulk_agrees(monkeypatch: pytest.MonkeyPatch, path: Path, folder: Path) -> None:
    """The store the DuckDB bulk path leaves (or the reader it hands the file back to) is the
    streaming reader's."""
    monkeypatch.setattr(bulk, "MIN_BULK_BYTES", 0)
    stream, stream_rows = _ingest(path, folder / "stream.duckdb", use_bulk=False)
    fast, rows = _ingest(path, folder / "bulk.duckdb", folder / "stream.duckdb")
    for key in COUNTS:
        assert getattr(fast, key) == getattr(stream, key), key
    assert rows == stream_rows


@pytest.mark.parametrize("notice", V2_DAMAGED, ids=lambda n: json.dumps(n["data"])[:50])
def test_a_damaged_v2_stream_event_among_pages_is_quarantined_in_both_paths(
    tmp_path, monkeypatch, notice
):
    """Between twarc2 pages: one quarantined record, by the streaming reader and the bulk path
    alike (which hands a file with such a line to the streaming reader)."""
    bad, _, _, _ = _check(tmp_path, _lines(PAGES), 2, notice)
    assert bad.stored > 0
    _bulk_agrees(monkeypatch, tmp_path / "bad.jsonl", tmp_path)


@pytest.mark.parametrize("notice", V2_DAMAGED, ids=lambda n: json.dumps(n["data"])[:50])
def test_a_damaged_v2_stream_event_among_flat_tweets_is_quarantined_in_both_paths(
    tmp_path, monkeypatch, notice
):
    """Among ``twarc2 flatten`` lines (the columnar fast path's): the same quarantined record
    by the fast path and the streaming reader."""
    bad, _, _, _ = _check(tmp_path, _flat_lines(), 3, notice, monkeypatch=monkeypatch)
    assert bad.stored > 0
    source = Source(tmp_path / "bad.jsonl")
    assert columnar.supports(source, detect(source, load_readers()))


@pytest.mark.parametrize("notice", V2_EVENTS, ids=lambda n: json.dumps(n["data"])[:50])
def test_a_well_formed_v2_stream_event_is_passed_over_outside_read(tmp_path, monkeypatch, notice):
    _passed_over(tmp_path / "pages", _lines(PAGES), 2, notice)
    _bulk_agrees(monkeypatch, tmp_path / "pages" / "b.jsonl", tmp_path / "pages")
    _passed_over(tmp_path / "flat", _flat_lines(), 3, notice)


def _a_tweet_of_the_pages() -> str:
    """The id of the sample pages' first tweet that no other retweets (forgetting a tweet
    forgets its retweets too)."""
    tweets = [t for page in map(json.loads, _lines(PAGES)) for t in page["data"]]
    retweeted = {r["id"] for t in tweets for r in t.get("referenced_tweets") or ()}
    return next(t["id"] for t in tweets if t["id"] not in retweeted)


@pytest.mark.parametrize("shape", range(len(V2_DELETES)), ids=("tweet", "bare"))
def test_a_v2_delete_event_forgets_its_tweet_in_every_path(tmp_path, monkeypatch, shape):
    """A captured tweet compliance stream's ``delete``, among pages (streaming and bulk paths)
    and among flat tweets (streaming and columnar paths): the tweet is forgotten (CODEBOOK 7)."""
    gone = _a_tweet_of_the_pages()
    notice = json.loads(json.dumps(V2_DELETES[shape]).replace("{TWEET}", gone))
    _honoured(tmp_path / "pages", _lines(PAGES), 2, notice, gone)
    _bulk_agrees(monkeypatch, tmp_path / "pages" / "b.jsonl", tmp_path / "pages")
    _honoured(tmp_path / "flat", _flat_lines(), 3, notice, gone)
    assert_fast_equals_slow(tmp_path, monkeypatch, [tmp_path / "flat" / "b.jsonl"])


@pytest.mark.parametrize("reason", ["deleted", "protected", "deactivated", "suspended"])
def test_a_compliance_result_that_deletes_forgets_its_tweet(tmp_path, reason):
    """A twarc2 compliance job's result for a tweet that must go (``"action": "delete"``,
    whatever the reason) forgets it, read before or after the tweet's page."""
    gone = _a_tweet_of_the_pages()
    result = {"id": gone, "action": "delete", "created_at": AT, "reason": reason}
    pages = _lines(PAGES)
    _honoured(tmp_path / "after", pages, len(pages) + 1, result, gone)
    _honoured(tmp_path / "before", pages, 1, result, gone)


def test_a_compliance_result_that_does_not_delete_is_passed_over(tmp_path):
    """``scrub_geo`` asks for the location to go, not the tweet: nothing is forgotten."""
    result = {"id": _a_tweet_of_the_pages(), "action": "scrub_geo", "reason": "scrub_geo"}
    _passed_over(tmp_path, _lines(PAGES), 2, result)


# -- Mastodon outbox Delete activities -----------------------------------------------------------

ADA = "https://social.example/users/ada"
NOTE = f"{ADA}/statuses/109300000000000001"
TOMBSTONE = {"id": NOTE, "type": "Tombstone", "atomUri": NOTE}
OUTBOX_DELETES = {  # what a Delete's object may be
    "uri": NOTE,
    "tombstone": TOMBSTONE,
    "object with id": {"id": NOTE},
    "list": [NOTE, TOMBSTONE],
    "account": ADA,
}
OUTBOX_DAMAGE = [
    _DROP,
    None,
    5,
    True,
    "",
    [],
    {"type": "Tombstone"},
    {"type": "Tombstone", "id": None},
    {"type": "Tombstone", "id": ""},
    {"type": "Tombstone", "id": 109300000000000001},
    [NOTE, {"type": "Tombstone"}],
]


def _outbox_items() -> list[bytes]:
    """The sample outbox's activities (both copies of its repeated ``orderedItems``)."""
    return [json.dumps(a).encode() for a in load_outbox(OUTBOX.read_bytes())["orderedItems"]]


def _write_outbox(path: Path, items: list[bytes]) -> Path:
    """An archive's ``outbox.json`` of the activities ``items`` (JSON each)."""
    head = b'{"@context": "https://www.w3.org/ns/activitystreams", "type": "OrderedCollection", '
    path.write_bytes(head + b'"orderedItems": [' + b", ".join(items) + b"]}")
    return path


def _delete(obj: Any) -> dict:
    """A Delete activity of ``obj`` (no ``object`` at all for ``_DROP``)."""
    act = {"id": f"{NOTE}#delete", "type": "Delete", "actor": ADA, "to": [PUBLIC[0]]}
    return act if obj is _DROP else {**act, "object": obj}


@pytest.mark.parametrize(
    "obj", OUTBOX_DAMAGE, ids=lambda v: "no object" if v is _DROP else repr(v)[:30]
)
def test_a_damaged_outbox_delete_is_quarantined_and_costs_nothing(tmp_path, obj):
    items = _outbox_items()
    bad, _, _, _ = _check(tmp_path, items, 2, _delete(obj), write=_write_outbox)
    assert bad.stored + bad.reposts > 0


def test_a_delete_of_the_account_is_passed_over_outside_read(tmp_path):
    """An account's own deletion names no status: nothing is forgotten or quarantined."""
    _passed_over(tmp_path, _outbox_items(), 2, _delete(ADA), write=_write_outbox)


@pytest.mark.parametrize("shape", [k for k in OUTBOX_DELETES if k != "account"])
def test_an_outbox_delete_forgets_the_status_it_names(tmp_path, shape):
    """A ``Delete`` of a status in an account archive forgets it (CODEBOOK 7), whichever of
    ActivityPub's shapes names it, and wherever in the outbox it stands."""
    items = _outbox_items()
    gone = next(
        a["object"]["id"]
        for a in map(json.loads, items)
        if a.get("type") == "Create" and PUBLIC[0] in a["object"].get("to", [])
    )
    obj = json.loads(json.dumps(OUTBOX_DELETES[shape]).replace(NOTE, gone))
    _honoured(tmp_path / "before", items, 1, _delete(obj), gone, write=_write_outbox)
    _honoured(tmp_path / "after", items, len(items) + 1, _delete(obj), gone, write=_write_outbox)
