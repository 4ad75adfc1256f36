"""Property: one hostile record in the middle of a real-shaped file never costs the others.

Each reader's samples (tests/data, and ../shared/formats when present: read there, never copied)
get ONE record in the middle mutated: a field set to a value of another type, a huge number,
deep nesting or NUL bytes, a field deleted; or its bytes damaged (invalid UTF-8, a NUL byte, a
cut, a BOM, CRLF, a stray quote or newline). Then: no exception escapes the reader, the store
takes every record it yields with counts that reconcile, and every record of the clean file
(the file without the mutated record) is still read.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fast_slow import assert_fast_equals_slow
from groundswell.ingest.registry import detect, load_readers
from groundswell.ingest.source import Source
from groundswell.schema import Deletion, Post, Quarantined
from groundswell.store import Store
from gspaths import FORMATS

DATA = Path(__file__).resolve().parents[1] / "data"
MAX_RECORDS = 9  # records kept of each sample: the middle one is mutated


@dataclass(frozen=True)
class Sample:
    rel: str  # under tests/data, or "formats:" + a path under ../shared/formats
    kind: str  # lines (JSON lines), csv, or doc (one JSON document)

    @property
    def path(self) -> Path:
        if self.rel.startswith("formats:"):
            return FORMATS / self.rel.removeprefix("formats:")
        return DATA / self.rel


SAMPLES = [
    Sample("twitter/v1_stream.jsonl", "lines"),
    Sample("twitter_v2/pages.jsonl", "lines"),
    Sample("reddit/RC_2017-10_sample.ndjson", "lines"),
    Sample("reddit/RS_2017-10_sample.ndjson", "lines"),
    Sample("bluesky/jetstream_sample.jsonl", "lines"),
    Sample("twint/tweets.json", "lines"),
    Sample("snscrape/twitter-search.jsonl", "lines"),
    Sample("snscrape/twitter-user-2021.jsonl", "lines"),
    Sample("twitter/twarc_csv_sample.csv", "csv"),
    Sample("twint/tweets.csv", "csv"),
    Sample("twitter/minet_sample.csv", "csv"),
    Sample("hydrator/metoo-hydrated.csv", "csv"),
    Sample("hydrator/hydrated-2020.csv", "csv"),
    Sample("json2csv/metoo-tweets.csv", "csv"),
    Sample("tcat/metoo-20171016-fullExport-mentions_hashtags.csv", "csv"),
    Sample("tcat/metoo-20171017-fullExport.tsv", "csv"),
    Sample("bluesky/posts_export.csv", "csv"),
    Sample("crowdtangle/facebook_page_posts.csv", "csv"),
    Sample("crowdtangle/instagram_account_posts.csv", "csv"),
    Sample("generic/forum_posts.csv", "csv"),
    Sample("generic/obvious.tsv", "csv"),
    Sample("mastodon/home_timeline.json", "doc"),
    Sample("mastodon/outbox.json", "doc"),
    Sample("telegram/channel/result.json", "doc"),
    Sample("bluesky/feed_page.json", "doc"),
    Sample("bluesky/thread.json", "doc"),
    Sample("mastodon/context.json", "doc"),
    Sample("reddit/comments_7b2xyz.json", "doc"),
    Sample("telegram/account/result.json", "doc"),
    Sample("pushshift_api/comment_search_metoo.json", "doc"),
    Sample("pushshift_api/submission_pages.jsonl", "lines"),
    Sample("zeeschuimer/zeeschuimer-export-twitter.com-2024-03-08T101500.ndjson", "lines"),
    Sample("formats:twitter_v2_twarc2/flat.jsonl", "lines"),
    Sample("formats:twitter_v2_twarc2/two_tweets.jsonl", "doc"),  # one page
    Sample("formats:reddit_dumps_ndjson/pushshift_importer/test_comments.json", "lines"),
    Sample("formats:twitwi_csv/tweet-export.csv", "csv"),
    Sample("formats:twitwi_csv/tweet-export.jsonl", "lines"),
    Sample("formats:bluesky_jetstream/twitwi/bluesky-firehose-posts-export.csv", "csv"),
]

# -- the units of a file: its lines, its CSV rows, or the records of a document's main list ------


@dataclass
class Units:
    """A sample cut in records, and how to put them back together."""

    units: list[Any]  # bytes (lines, CSV rows) or JSON values (a document's records)
    build: Callable[[list[Any]], bytes]
    header: int = 0  # units before the records (a CSV header)

    @property
    def middle(self) -> int:
        return self.header + (len(self.units) - self.header) // 2


def _cut(sample: Sample) -> Units:
    raw = sample.path.read_bytes()
    if sample.kind == "lines":
        lines = [ln for ln in raw.splitlines() if ln.strip()][:MAX_RECORDS]
        return Units(lines, lambda u: b"\n".join(u) + b"\n")
    if sample.kind == "csv":
        text = raw.decode("utf-8", "surrogateescape")
        dialect = "excel-tab" if sample.rel.endswith(".tsv") else "excel"
        rows = list(csv.reader(io.StringIO(text, newline=""), dialect))[: MAX_RECORDS + 1]
        encoded = []
        for row in rows:
            out = io.StringIO()
            csv.writer(out, dialect).writerow(row)
            encoded.append(out.getvalue().encode("utf-8", "surrogateescape"))
        return Units(encoded, b"".join, header=1)
    doc = json.loads(raw)
    path = _main_list(doc)

    def build(units: list[Any]) -> bytes:
        whole = copy.deepcopy(doc)
        if not path:
            return _dumps(units)
        parent = whole
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = units
        return _dumps(whole)

    found = doc
    for key in path:
        found = found[key]
    return Units(list(found), build)


def _main_list(doc: Any) -> tuple:
    """The path of the longest list of objects in a document."""
    lists = [(len(_at(doc, p)), p) for p in _paths(doc, limit=None) if _is_records(_at(doc, p))]
    return max(lists, key=lambda x: x[0])[1]


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(v, dict) for v in value)


def _at(value: Any, path: tuple) -> Any:
    for key in path:
        value = value[key]
    return value


# -- mutations --------------------------------------------------------------------------------

DEEP = "\u0001deep\u0001"  # stands for 3000 nested lists (json.dumps cannot write them)
BAD_UTF8 = "\u0001badutf8\u0001"  # stands for raw invalid UTF-8 inside a string


def _dumps(value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
    text = text.replace(json.dumps(DEEP).encode(), b"[" * 3000 + b"]" * 3000)
    return text.replace(BAD_UTF8.encode(), b"\xff\xfe\xc3")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from([2**70, -(2**70), 1e308, "\x00", "a\x00b", "", DEEP, BAD_UTF8, "9" * 40]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)


def _paths(obj: Any, prefix: tuple = (), limit: int | None = 3):
    """Every path into ``obj`` (of the first ``limit`` items of each list)."""
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, (*prefix, k), limit)
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:limit]):
            yield from _paths(v, (*prefix, i), limit)


def _mutate_value(record: Any, data: st.DataObject) -> Any:
    """The record with one field set to a hostile value, or deleted."""
    paths = [p for p in _paths(record) if p]
    if not paths:
        return data.draw(json_values)
    path = data.draw(st.sampled_from(paths))
    record = copy.deepcopy(record)
    parent = _at(record, path[:-1])
    if data.draw(st.booleans()) and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(json_values)
    return record


BYTE_DAMAGE = ["utf8", "nul", "cut", "bom", "crlf", "quote", "newline", "cr"]


def _damage(unit: bytes, data: st.DataObject) -> bytes:
    """The bytes of one line or row with one kind of damage."""
    kind = data.draw(st.sampled_from(BYTE_DAMAGE))
    at = data.draw(st.integers(0, max(0, len(unit.rstrip(b"\r\n")) - 1)))
    return _damage_at(unit, kind, at)


def _damage_at(unit: bytes, kind: str, at: int) -> bytes:
    """``unit`` with damage of ``kind`` at byte ``at``."""
    body = unit.rstrip(b"\r\n")
    insert = {"utf8": b"\xff\xfe", "nul": b"\x00", "quote": b'"', "newline": b"\n", "cr": b"\r"}
    if kind in insert:
        body = body[:at] + insert[kind] + body[at:]
    elif kind == "cut":
        body = body[:at]
    elif kind == "bom":
        body = b"\xef\xbb\xbf" + body
    else:
        return body + b"\r\n"
    return body + unit[len(unit.rstrip(b"\r\n")) :]


CSV_CELLS = ["", "\x00", "9" * 40, "-1", "1e999", "nan", "\r", '"', "a,b", "\ufeff", "x" * 5000]


def mutated_file(sample: Sample, data: st.DataObject) -> tuple[bytes, bytes]:
    """(the sample with its middle record mutated, the sample without that record)."""
    cut = _cut(sample)
    units, i = list(cut.units), cut.middle
    clean = cut.build(units[:i] + units[i + 1 :])
    if sample.kind == "doc":
        units[i] = _mutate_value(units[i], data)
    elif sample.kind == "lines" and data.draw(st.booleans()):
        units[i] = _dumps(_mutate_value(json.loads(units[i]), data))
    elif sample.kind == "csv" and data.draw(st.booleans()):
        row = next(csv.reader(io.StringIO(units[i].decode("utf-8", "surrogateescape"))))
        if row:
            row[data.draw(st.integers(0, len(row) - 1))] = data.draw(st.sampled_from(CSV_CELLS))
        out = io.StringIO()
        csv.writer(out).writerow(row)
        units[i] = out.getvalue().encode("utf-8", "surrogateescape")
    else:
        units[i] = _damage(units[i], data)
    return cut.build(units), clean


# -- the property -------------------------------------------------------------------------------


def _read(path: Path) -> tuple[str, list]:
    source = Source(path)
    reader = detect(source, load_readers())
    assert reader is not None, "the file is no longer recognised"
    return reader.name, list(reader.read(source))


def _ids(records: list) -> set[str]:
    return {r.id for r in records if isinstance(r, Post)}


_CLEAN: dict[Sample, tuple[str, set[str]]] = {}


def _clean_read(sample: Sample, clean: bytes, path: Path) -> tuple[str, set[str]]:
    """The format and post ids of the sample without its middle record (read once)."""
    if sample not in _CLEAN:
        path.write_bytes(clean)
        fmt, records = _read(path)
        _CLEAN[sample] = fmt, _ids(records)
    return _CLEAN[sample]


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("hostile") / "s.duckdb") as store:
        yield store


@settings(
    max_examples=int(os.environ.get("GROUNDSWELL_HOSTILE_EXAMPLES", "8")),  # more, to hunt
    deadline=None,
    derandomize=not os.environ.get("GROUNDSWELL_HOSTILE_EXAMPLES"),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.rel.removeprefix("formats:"))
def test_one_hostile_record_never_costs_the_others(tmp_path, shared_store, sample, data):
    if not sample.path.is_file():
        pytest.skip("../shared/formats not present")
    bad, clean = mutated_file(sample, data)
    path = tmp_path / ("x" + sample.path.suffix)
    fmt, clean_ids = _clean_read(sample, clean, path)
    path.write_bytes(bad)
    got_fmt, records = _read(path)  # no exception escapes
    assert got_fmt == fmt
    missing = clean_ids - _ids(records)
    assert not missing, missing  # every other record is still read
    batch = [r for r in records if not isinstance(r, Deletion)]
    counts = shared_store.write_batch(batch)
    assert counts.stored + counts.duplicates + counts.reposts + counts.quarantined == len(batch)
    assert all(isinstance(r, Post | Quarantined) for r in batch)


# -- found by the property: one part of a document that the parser cannot take -------------------

DOCS = [s for s in SAMPLES if s.kind == "doc"]


@pytest.mark.parametrize("value", [DEEP, BAD_UTF8], ids=["deep", "bad_utf8"])
@pytest.mark.parametrize("sample", DOCS, ids=lambda s: s.rel.removeprefix("formats:"))
def test_a_document_keeps_its_records_around_one_unparseable_value(tmp_path, sample, value):
    """A value nested 3000 deep, or invalid UTF-8 in one string, made the whole document
    unparseable: every record of a timeline, an outbox or a Telegram export was lost. Now the
    value is read as null (or with U+FFFD) in its one record, and the others are all read."""
    if not sample.path.is_file():
        pytest.skip("../shared/formats not present")
    cut = _cut(sample)
    units, i = list(cut.units), cut.middle
    strings = [p for p in _paths(units[i]) if p and isinstance(_at(units[i], p), str)]
    where = next((p for p in strings if p[-1] in ("text", "content")), strings[-1])
    units[i] = copy.deepcopy(units[i])
    _at(units[i], where[:-1])[where[-1]] = value  # the text, or the last string
    path = tmp_path / ("x" + sample.path.suffix)
    path.write_bytes(cut.build(list(cut.units)))
    _, clean = _read(path)
    path.write_bytes(cut.build(units))
    _, records = _read(path)
    assert len(_ids(clean) - _ids(records)) <= 1  # at most the record that holds the value


# -- the columnar fast path hands every damaged line to the reader -------------------------------

FAST = [
    Sample("twitter/v1_stream.jsonl", "lines"),
    Sample("reddit/RC_2017-10_sample.ndjson", "lines"),
    Sample("formats:twitter_v2_twarc2/flat.jsonl", "lines"),
]
_DAMAGE = [  # (kind, where in the line)
    ("utf8", 0.5),
    ("nul", 0.3),
    ("cut", 0.6),
    ("bom", 0),
    ("crlf", 0),
    ("quote", 0.2),
    ("newline", 0.4),
    ("cr", 0.7),
]


@pytest.mark.parametrize("sample", FAST, ids=lambda s: s.rel.removeprefix("formats:"))
def test_fast_path_and_streaming_agree_on_damaged_lines(tmp_path, monkeypatch, sample):
    """Every kind of byte damage, one per line between good lines: the columnar fast path and
    the streaming reader leave the same store, and every good line is stored."""

    if not sample.path.is_file():
        pytest.skip("../shared/formats not present")
    good = [ln for ln in sample.path.read_bytes().splitlines() if ln.strip()][: len(_DAMAGE)]
    lines: list[bytes] = []
    for (kind, where), line in zip(_DAMAGE, good, strict=False):
        at = int(len(line) * where)
        lines.append(_damage_at(line + b"\n", kind, at))
        lines.append(line + b"\n")
    path = tmp_path / ("x" + sample.path.suffix)
    path.write_bytes(b"".join(lines))
    fast = assert_fast_equals_slow(tmp_path, monkeypatch, [path])
    path.write_bytes(b"".join(line + b"\n" for line in good))
    _, clean = _read(path)
    stored = {r[1] for r in fast["posts"]} | {r[1] for r in fast["reposts"]}
    assert _ids(clean) <= stored


@pytest.mark.parametrize(
    "sample",
    [s for s in SAMPLES if s.kind in ("lines", "doc")],
    ids=lambda s: s.rel.removeprefix("formats:"),
)
def test_a_byte_order_mark_costs_no_record(tmp_path, sample):
    """A JSON-lines file saved with a BOM (Notepad, PowerShell) quarantined its first record; so
    did every file joined after one by ``cat``, at its first line."""
    if not sample.path.is_file():
        pytest.skip("../shared/formats not present")
    cut = _cut(sample)
    path = tmp_path / ("x" + sample.path.suffix)
    path.write_bytes(cut.build(cut.units))
    _, clean = _read(path)
    bom = b"\xef\xbb\xbf"
    if sample.kind == "lines":
        units = [bom + u if i in (0, cut.middle) else u for i, u in enumerate(cut.units)]
        path.write_bytes(cut.build(units))
    else:
        path.write_bytes(bom + cut.build(cut.units))
    _, records = _read(path)
    assert _ids(records) == _ids(clean)


# -- found by the property: a damaged post was passed over as a non-post, counted nowhere ---------


def _jetstream_post(event: dict) -> bool:
    commit = event.get("commit") or {}
    return commit.get("collection") == "app.bsky.feed.post" and commit.get("operation") == "create"


def _without(*path):
    def mutate(record):
        del _at(record, path[:-1])[path[-1]]

    return mutate


def _setting(*path, value):
    def mutate(record):
        _at(record, path[:-1])[path[-1]] = value

    return mutate


PASSED_OVER = [
    ("bluesky/jetstream_sample.jsonl", _jetstream_post, _without("commit", "collection")),
    ("bluesky/jetstream_sample.jsonl", _jetstream_post, _setting("commit", "collection", value=5)),
    ("bluesky/jetstream_sample.jsonl", _jetstream_post, _without("commit", "operation")),
    ("bluesky/jetstream_sample.jsonl", _jetstream_post, _setting("commit", "operation", value="")),
    ("bluesky/jetstream_sample.jsonl", _jetstream_post, _setting("kind", value="x")),
    ("bluesky/jetstream_sample.jsonl", _jetstream_post, _without("kind")),
    ("formats:twitter_v2_twarc2/flat.jsonl", lambda r: "author_id" in r, _without("id")),
    ("formats:twitwi_csv/tweet-export.jsonl", lambda r: "_source" in r, _without("_source")),
    (
        "formats:twitwi_csv/tweet-export.jsonl",
        lambda r: "_source" in r,
        _setting("_source", value=5),
    ),
    (
        "formats:twitwi_csv/tweet-export.jsonl",
        lambda r: "_source" in r,
        _without("_source", "timestamp_utc"),
    ),
]


@pytest.mark.parametrize(("rel", "pick", "mutate"), PASSED_OVER)
def test_a_damaged_post_is_read_or_quarantined_never_passed_over(tmp_path, rel, pick, mutate):
    """A Jetstream post event whose collection, operation or kind was damaged, a flat tweet
    without its id, a gazouilloire hit whose tweet was damaged: each was taken for another kind
    of record and passed over, counted nowhere."""
    sample = Sample(rel, "lines")
    if not sample.path.is_file():
        pytest.skip("../shared/formats not present")
    lines = [ln for ln in sample.path.read_bytes().splitlines() if ln.strip()][:MAX_RECORDS]
    i = next(i for i, ln in enumerate(lines) if i and pick(json.loads(ln)))  # not the first
    record = json.loads(lines[i])
    mutate(record)
    lines[i] = json.dumps(record).encode()
    path = tmp_path / ("x" + sample.path.suffix)
    path.write_bytes(b"\n".join(lines) + b"\n")
    _, records = _read(path)
    assert [
        r
        for r in records
        if (r.line if isinstance(r, Quarantined) else getattr(r, "source_line", 0)) == i + 1
    ]
