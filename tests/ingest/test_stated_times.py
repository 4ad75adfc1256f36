"""One rule for a post's time in every reader: a time field that is present but is no time (text
of no time shape, a list, a bool, year 10000, an epoch beyond a datetime) quarantines the post,
naming the field; an epoch is read in the unit its format documents, not guessed by its size."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from groundswell.ingest import iter_records
from groundswell.ingest.fields import stated_time
from groundswell.schema import Post, Quarantined, parse_time

DATA = Path(__file__).resolve().parents[1] / "data" / "zeeschuimer"
NOT_TIMES = ["abc", "25:61", ["2017-10-16"], {"a": 1}, True, "10000-01-01T00:00:00Z"]


def _v2(created: Any) -> str:
    tweet = {"id": "920000000000000001", "text": "#MeToo me too", "author_id": "5"}
    return json.dumps({**tweet, "created_at": created}) + "\n"


def _zeeschuimer(created: Any) -> str:
    """The first X item of the Zeeschuimer test export, its ``legacy.created_at`` replaced."""
    lines = (DATA / "zeeschuimer-export-twitter.com-2024-03-08T101500.ndjson").read_text()
    item = json.loads(lines.split("\n")[0])
    item["data"]["legacy"]["created_at"] = created
    return json.dumps(item) + "\n"


def _mastodon(created: Any) -> str:
    status = {
        "id": "1",
        "uri": "https://m.example/users/a/statuses/1",
        "created_at": created,
        "content": "<p>#MeToo me too</p>",
        "visibility": "public",
        "account": {"id": "7", "acct": "a", "username": "a"},
        "tags": [],
        "mentions": [],
    }
    return json.dumps([status])


def _outbox(published: Any) -> str:
    note = {
        "id": "https://m.example/users/a/statuses/1",
        "type": "Note",
        "published": published,
        "attributedTo": "https://m.example/users/a",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "content": "<p>#MeToo me too</p>",
    }
    act = {"id": note["id"] + "/activity", "type": "Create", "object": note}
    return json.dumps(
        {"@context": "https://www.w3.org/ns/activitystreams", "id": "outbox.json",
         "type": "OrderedCollection", "totalItems": 1, "orderedItems": [act]}
    )  # fmt: skip


def _telegram(unixtime: Any) -> str:
    msg = {"id": 1, "type": "message", "date": "2017-10-16T10:00:00", "date_unixtime": unixtime,
           "from": "A", "from_id": "channel42", "text": "#MeToo me too"}  # fmt: skip
    return json.dumps({"name": "c", "type": "public_channel", "id": 42, "messages": [msg]})


def _reddit(created: Any) -> str:
    comment = {"id": "dp1abcd", "body": "#MeToo me too", "author": "a", "subreddit": "metoo",
               "link_id": "t3_7a1b2c", "parent_id": "t3_7a1b2c"}  # fmt: skip
    comment["created_utc"] = created
    return json.dumps(comment) + "\n"


FORMATS = {
    "twarc2": ("flat.jsonl", _v2, "created_at"),
    "zeeschuimer": ("zeeschuimer.ndjson", _zeeschuimer, "created_at"),
    "mastodon": ("timeline.json", _mastodon, "created_at"),
    "outbox": ("outbox.json", _outbox, "published"),
    "telegram": ("result.json", _telegram, "date_unixtime"),
    "reddit": ("RC_2017-10.ndjson", _reddit, "created_utc"),
}


def _read(tmp_path: Path, name: str, value: Any) -> list:
    fname, make, _ = FORMATS[name]
    path = tmp_path / fname
    path.write_text(make(value))
    return [r for r in iter_records([path]) if isinstance(r, Post | Quarantined)]


@pytest.mark.parametrize("name", list(FORMATS))
def test_the_samples_built_here_are_read(tmp_path, name):
    (post,) = _read(tmp_path, name, 1508148000 if name in ("telegram", "reddit") else AT)
    assert isinstance(post, Post) and post.created_at == datetime(2017, 10, 16, 10, tzinfo=UTC)
    assert _read(tmp_path, name, "Mon Oct 16 10:00:00 +0000 2017")[0].created_at is not None


AT = "2017-10-16T10:00:00.000Z"


@pytest.mark.parametrize("value", NOT_TIMES)
@pytest.mark.parametrize("name", list(FORMATS))
def test_a_stated_time_that_is_no_time_quarantines_the_post_naming_the_field(tmp_path, name, value):
    (rec,) = _read(tmp_path, name, value)
    assert isinstance(rec, Quarantined), rec
    assert FORMATS[name][2] in rec.reason and rec.line == 1


@pytest.mark.parametrize("value", [10**30, 1e300, -1e20, 2**70])
@pytest.mark.parametrize("name", list(FORMATS))
def test_an_epoch_beyond_a_datetime_quarantines_naming_the_field(tmp_path, name, value):
    (rec,) = _read(tmp_path, name, value)
    assert isinstance(rec, Quarantined) and FORMATS[name][2] in rec.reason, rec


@pytest.mark.parametrize("name", ["telegram", "reddit"])
def test_an_epoch_in_seconds_is_not_read_as_milliseconds_by_its_size(tmp_path, name):
    """date_unixtime and created_utc are seconds: 253402300800 is year 10000 (quarantined),
    not 1978 read as milliseconds; 99999999999999 is far past 9999, not year 5138."""
    for value in (253402300800, 99999999999999, "253402300800"):
        (rec,) = _read(tmp_path, name, value)
        assert isinstance(rec, Quarantined) and FORMATS[name][2] in rec.reason, (value, rec)


@pytest.mark.parametrize("name", ["telegram", "reddit"])
def test_odd_but_possible_epochs_are_kept(tmp_path, name):
    """A zero or negative epoch is a clock error, still data: stored, as analyses leave it out."""
    for value, year in ((0, 1970), (-1, 1969), (-62135596800, 1)):
        (rec,) = _read(tmp_path, name, value)
        assert isinstance(rec, Post) and rec.created_at.year == year, (value, rec)


def test_units_are_the_documented_ones():
    assert parse_time(1_728_984_600_123_456, "us") == datetime(
        2024, 10, 15, 9, 30, 0, 123456, tzinfo=UTC
    )
    assert parse_time(1_508_148_000_000, "ms") == datetime(2017, 10, 16, 10, tzinfo=UTC)
    assert parse_time("1508148000", "s") == datetime(2017, 10, 16, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    "value", [10**30, 10**400, math.nan, math.inf, -math.inf, 1e300, -5, True, False, [], {}]
)
@pytest.mark.parametrize("unit", [None, "s", "ms", "us"])
def test_the_shared_rule_never_crashes(value, unit):
    """Every value either gives a time or raises ValueError naming the field."""
    try:
        stated_time(value, "when", unit)
    except ValueError as exc:
        assert "when" in str(exc)
