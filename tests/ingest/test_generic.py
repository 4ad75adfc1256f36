"""The generic CSV/TSV/JSONL reader with a column mapping, and its cautious detection without one.

Expected values are read from the fixtures by the test itself, not from the reader.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundswell.errors import InputError
from groundswell.ingest.generic import GenericReader, lookup, split_tags
from groundswell.ingest.registry import Head, detect, load_readers
from groundswell.ingest.source import Source
from groundswell.schema import merge_hashtags
from groundswell.store import Store, ingest

DATA = Path(__file__).resolve().parents[1] / "data" / "generic"
FORUM = DATA / "forum_posts.csv"
APP = DATA / "app_export.jsonl"
OBVIOUS = DATA / "obvious.tsv"
FORUM_MAP = {
    "id": "post_id",
    "text": "body",
    "created_at": "posted",
    "author": "user",
    "hashtags": "tags",
}
APP_MAP = {
    "id": "uid",
    "text": "message.body",
    "created_at": "ts",
    "author": "user.id",
    "author_name": "user.handle",
    "lang": "message.lang",
    "hashtags": "labels",
}


def _rows(store: Store) -> dict[str, dict]:
    cur = store.con.execute("SELECT * FROM posts")
    names = [d[0] for d in cur.description]
    return {row[names.index("id")]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def _naive(dt: datetime) -> datetime:
    return dt.astimezone(UTC).replace(tzinfo=None)


def test_csv_with_mapping(store):
    with FORUM.open(encoding="utf-8", newline="") as fh:
        raw = list(csv.DictReader(fh))
    report = ingest([FORUM], store, fmt="generic", options={"mapping": FORUM_MAP})
    assert report.balanced
    assert report.read == report.stored + report.duplicates + report.reposts + report.quarantined
    good = [r for r in raw if r["post_id"] and r["body"]]
    assert report.stored == len({r["post_id"] for r in good})
    assert report.duplicates == len(good) - report.stored == 1
    assert report.quarantined == len(raw) - len(good) == 2
    rows = _rows(store)
    for r in good:
        row = rows[r["post_id"]]
        assert row["platform"] == "generic"
        assert row["text"] == r["body"]
        assert row["created_at"] == _naive(datetime.fromisoformat(r["posted"]))
        assert row["hashtags"] == merge_hashtags(
            r["tags"].split("|"), [w for w in r["body"].split() if w[0] == "#"]
        )
        assert row["author"].startswith("u_") and row["author"] != r["user"]
    reasons = [
        r[0] for r in store.con.execute("SELECT reason FROM quarantine ORDER BY line").fetchall()
    ]
    assert "text" in reasons[0] and "'body'" in reasons[0]
    assert "id" in reasons[1] and "'post_id'" in reasons[1]


def test_quarantine_names_the_physical_line(store):
    ingest([FORUM], store, fmt="generic", options={"mapping": FORUM_MAP})
    lines = FORUM.read_text(encoding="utf-8").splitlines()
    got = [r[0] for r in store.con.execute("SELECT line FROM quarantine ORDER BY line").fetchall()]
    # f-1003 has an empty body; the last row has no id (after a row spanning two lines)
    assert got == [
        next(i for i, ln in enumerate(lines, 1) if ln.startswith("f-1003")),
        next(i for i, ln in enumerate(lines, 1) if ln.startswith(",")),
    ]


def test_jsonl_with_dotted_paths_and_platform(store):
    records, bad_lines = [], 0
    for line in APP.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            bad_lines += 1
    options = {"mapping": APP_MAP, "platform": "forum"}
    report = ingest([APP], store, fmt="generic", options=options)
    assert report.balanced
    with_text = [r for r in records if r["message"].get("body")]
    assert report.stored == len(with_text)
    assert report.quarantined == len(records) - len(with_text) + bad_lines
    rows = _rows(store)
    for r in with_text:
        row = rows[r["uid"]]
        assert row["platform"] == "forum"
        assert row["text"] == r["message"]["body"]
        assert row["lang"] == r["message"]["lang"]
        assert row["created_at"] == datetime.fromtimestamp(r["ts"], UTC).replace(tzinfo=None)
        assert str(r["user"]["id"]) not in row.values() and row["author_name"] is None
    listed = next(r for r in with_text if isinstance(r["labels"], list))
    assert rows[listed["uid"]]["hashtags"][: len(listed["labels"])] == merge_hashtags(
        listed["labels"]
    )
    joined = next(r for r in with_text if isinstance(r["labels"], str))
    assert rows[joined["uid"]]["hashtags"] == merge_hashtags(joined["labels"].split(", "))


def test_obvious_columns_are_claimed_weakly(store):
    source = Source(OBVIOUS)
    assert GenericReader().sniff(Head(source, source.head())) == pytest.approx(0.55)
    report = ingest([OBVIOUS], store)
    assert report.by_format == {"generic": 3} and report.balanced
    rows = _rows(store)
    with OBVIOUS.open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            assert rows[r["id"]]["text"] == r["text"]
            assert rows[r["id"]]["created_at"] == _naive(
                datetime.fromisoformat(r["created_at"].replace("Z", "+00:00"))
            )


def test_without_mapping_unknown_columns_are_not_claimed():
    source = Source(APP)
    assert GenericReader().sniff(Head(source, source.head())) == 0.0
    assert GenericReader({"mapping": APP_MAP}).sniff(Head(source, source.head())) >= 0.5


def test_platform_readers_win(formats_dir):
    readers = load_readers()
    for path in sorted(formats_dir.rglob("*.csv")) + sorted(formats_dir.rglob("*.jsonl")):
        reader = detect(Source(path), readers)
        assert reader is None or reader.name != "generic", path


def test_missing_mapped_column_raises(tmp_path):
    mapping = dict(FORUM_MAP, text="message_body")
    reader = GenericReader({"mapping": mapping})
    with pytest.raises(InputError, match=r"forum_posts\.csv.*message_body"):
        list(reader.read(Source(FORUM)))
    with pytest.raises(InputError, match=r"app_export\.jsonl.*message\.text"):
        list(GenericReader({"mapping": dict(APP_MAP, text="message.text")}).read(Source(APP)))


def test_missing_mapped_column_stops_ingest(store):
    mapping = dict(FORUM_MAP, text="message_body")
    try:
        report = ingest([FORUM], store, fmt="generic", options={"mapping": mapping})
    except InputError as exc:
        assert "message_body" in str(exc) and "forum_posts.csv" in str(exc)
    else:  # an ingest that catches reader errors must at least not store anything
        assert report.stored == 0 and report.quarantined == 1
        assert "message_body" in report.errors[0]


def test_split_tags_shapes():
    assert split_tags('["MeToo", "TimesUp"]') == ["MeToo", "TimesUp"]
    assert split_tags("metoo|timesup") == ["metoo", "timesup"]
    assert split_tags("#metoo, #timesup") == ["#metoo", "#timesup"]
    assert split_tags("metoo timesup") == ["metoo", "timesup"]
    assert split_tags(None) == [] and split_tags("") == []


@given(
    st.lists(st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,12}", fullmatch=True), max_size=6),
    st.sampled_from(["|", ",", " ", ", ", ";"]),
)
def test_split_tags_round_trips(tags, sep):
    assert split_tags(sep.join(tags)) == tags
    assert split_tags(json.dumps(tags)) == tags


def test_lookup_paths():
    rec = {"user": {"id": 7, "names": ["a", "b"]}, "user.id": "flat"}
    assert lookup(rec, "user.id") == "flat"  # an exact key wins
    assert lookup({"user": {"id": 7}}, "user.id") == 7
    assert lookup(rec, "user.names.1") == "b"


_CELL = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"),
    min_size=1,
    max_size=40,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_CELL, min_size=1, max_size=6))
def test_csv_texts_and_lines_round_trip(tmp_path, texts):
    path = tmp_path / "posts.csv"
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["id", "text"])
    starts = []
    for i, text in enumerate(texts):
        starts.append(buf.getvalue().count("\n") + 1)
        writer.writerow([f"p{i}", text])
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    reader = GenericReader({"mapping": {"id": "id", "text": "text"}})
    posts = list(reader.read(Source(path)))
    assert [p.text for p in posts] == texts
    assert [p.source_line for p in posts] == starts
