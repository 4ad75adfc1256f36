"""A tweet's reply, quote or retweet link is stored only when it names a tweet: a cell or field
holding a handle (``@JaneQSecret``), a spreadsheet's ``1.2e+18`` or a negative number quarantines
its tweet with the reason, in every Twitter reader (v1.1 on its fast path and its reader, twarc
CSV, minet/twitwi CSV); the other tweets of the file are stored as before."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from groundswell.store import Store, ingest

DATA = Path(__file__).resolve().parents[1] / "data" / "twitter"
BAD = ["@JaneQSecret", "JaneQSecret", "1.2e+18", "-5", "1" * 21]


def _stored(path: Path, db: Path) -> tuple[object, str, list[str]]:
    with Store(db) as store:
        report = ingest([path], store)
        rows = store.con.execute("SELECT * FROM posts UNION ALL BY NAME SELECT * FROM reposts")
        kept = json.dumps([list(map(str, r)) for r in rows.fetchall()])
    return report, kept, report.errors


def _csv_with(src: Path, out: Path, column: str, value: str) -> int:
    """``src`` with ``column`` of its first row set to ``value``; returns its row count."""
    with src.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[0][column] = value
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    out.write_text(buf.getvalue(), encoding="utf-8")
    return len(rows)


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize(
    ("sample", "column"),
    [
        ("twarc_csv_sample.csv", "referenced_tweets.replied_to.id"),
        ("twarc_csv_sample.csv", "referenced_tweets.quoted.id"),
        ("minet_sample.csv", "to_tweetid"),
        ("minet_sample.csv", "quoted_id"),
    ],
)
def test_a_table_row_linking_to_no_tweet_is_quarantined(tmp_path, sample, column, value):
    base, _, _ = _stored(DATA / sample, tmp_path / "a.duckdb")
    path = tmp_path / sample
    _csv_with(DATA / sample, path, column, value)
    report, kept, errors = _stored(path, tmp_path / "b.duckdb")
    assert report.balanced and report.quarantined == base.quarantined + 1
    assert any(f"{column} {value!r} is not a tweet id" in e for e in errors), errors
    assert value not in kept
    assert report.stored >= base.stored - 2  # that row's tweet (and an original it carries)


def _v1(n: int, **more: object) -> dict:
    tid = str(920000000000000000 + n)
    return {
        "id": int(tid),
        "id_str": tid,
        "text": f"#MeToo post {n}",
        "user": {"id_str": str(5000 + n), "screen_name": f"writer{n}"},
        "created_at": "Mon Oct 16 10:00:00 +0000 2017",
        **more,
    }


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize("field", ["in_reply_to_status_id_str", "quoted_status_id_str"])
def test_a_v1_tweet_linking_to_no_tweet_is_quarantined(tmp_path, field, value):
    tweets = [_v1(n) for n in range(200)]  # enough for the fast path's batches
    tweets[100] = _v1(100, **{field: value})
    tweets[101] = _v1(101, **{field: "920000000000000001"})  # a link that names a tweet
    path = tmp_path / "v1.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in tweets), encoding="utf-8")
    report, kept, errors = _stored(path, tmp_path / "s.duckdb")
    assert report.balanced and report.quarantined == 1 and report.stored == 199
    assert any(f"{field} {value!r} is not a tweet id" in e for e in errors), errors
    assert value not in kept and "920000000000000101" in kept
