"""A number that is no finite double is read as null in its one record, in every path.

``NaN``, ``Infinity`` and ``-Infinity`` are what Python's json writes for a float that is no
number; they are not JSON, so msgspec and orjson refuse them, and a whole JSON line, twarc2 page
or document (a timeline, an export) was quarantined for one such value, except where a parser
took it: Python's json for an outbox with a repeated key (a float NaN, then an error of another
kind), DuckDB in the twarc2 bulk path (which also takes ``nan``, ``inf`` and ``1e999``, and wrote
``"NaN"`` into a text field). The rule is the one for any value a parser cannot take: it is
read as null in its one record, so a metric of NaN is no metric (as ``schema.metric`` has it)
and the post is kept. The streaming readers, the columnar fast path and the DuckDB bulk path
leave the same store.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from groundswell.ingest import columnar
from groundswell.ingest.registry import detect, load_readers, loads_document, loads_json
from groundswell.ingest.source import Source
from groundswell.store import Store, bulk, ingest
from groundswell.store.load import IngestReport
from gspaths import FIXTURES, FORMATS

# the number as a file holds it -> the Python value json.dumps writes that way
WORDS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
TABLES = ("posts", "reposts", "quarantine")
COUNTS = ("read", "stored", "duplicates", "reposts", "quarantined", "deleted_on_platform")
POST_ID, LANG, METRICS, SOURCE_FILE = 1, 6, 13, 15  # columns of the posts table


def _dumps(value: Any) -> bytes:
    """JSON as Python writes it: ``NaN``, ``Infinity`` and ``-Infinity`` bare."""
    return json.dumps(value, ensure_ascii=False).encode()


def _records(path: Path) -> list[Any]:
    """The values of a JSON-lines file (a line that is not JSON stays bytes)."""
    out: list[Any] = []
    for line in path.read_bytes().splitlines():
        if line.strip():
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append(line)
    return out


def _write_lines(path: Path, values: list[Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join((v if isinstance(v, bytes) else _dumps(v)) + b"\n" for v in values))
    return path


def _store(
    path: Path, db: Path, key_from: Path | None = None, pseudonymise: bool = True, **kw: Any
) -> tuple:
    """The report and the rows of a store made from ``path`` (with the pseudonym key of the
    store at ``key_from``, so that two stores compare row for row)."""
    if key_from is not None:
        Path(f"{db}.key").write_text(Path(f"{key_from}.key").read_text())
    with Store(db, pseudonymise=pseudonymise) as store:
        report = ingest([path], store, progress=False, **kw)
        rows = {t: store.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
    return report, _comparable(rows)


def _comparable(rows: dict) -> dict:
    """Rows with metrics as values and file names without their folder."""
    posts = []
    for row in rows["posts"]:
        row = list(row)
        row[METRICS] = json.loads(row[METRICS]) if row[METRICS] else {}
        row[SOURCE_FILE] = Path(row[SOURCE_FILE]).name
        posts.append(tuple(row))
    reposts = [
        tuple(Path(v).name if v and "/" in str(v) else v for v in r) for r in rows["reposts"]
    ]
    quarantine = [(Path(q[0]).name, q[1], q[2]) for q in rows["quarantine"]]
    return {"posts": sorted(posts), "reposts": sorted(reposts), "quarantine": sorted(quarantine)}


def _same_counts(a: IngestReport, b: IngestReport) -> None:
    assert a.balanced and b.balanced
    for key in COUNTS:
        assert getattr(a, key) == getattr(b, key), key


def _paths_agree(
    folder: Path, path: Path, key_from: Path | None = None
) -> tuple[IngestReport, dict]:
    """The store of ``path`` by the streaming reader and by the columnar fast path: one (with
    the pseudonym key of the store at ``key_from``)."""
    folder.mkdir(parents=True, exist_ok=True)
    enabled = columnar.ENABLED
    try:
        columnar.ENABLED = False
        slow, slow_rows = _store(path, folder / "slow.duckdb", key_from)
        columnar.ENABLED = True
        fast, fast_rows = _store(path, folder / "fast.duckdb", folder / "slow.duckdb")
    finally:
        columnar.ENABLED = enabled
    _same_counts(slow, fast)
    assert slow_rows == fast_rows
    return fast, fast_rows


def _only_metrics_lost(rows: dict, clean: dict, ids: set[str], *, some: bool = True) -> None:
    """``rows`` are the ``clean`` rows, but for metrics missing from posts among ``ids`` (from
    one at least, with ``some``)."""
    assert rows["quarantine"] == clean["quarantine"]
    assert rows["reposts"] == clean["reposts"]
    assert [r[POST_ID] for r in rows["posts"]] == [r[POST_ID] for r in clean["posts"]]
    lost = 0
    for row, was in zip(rows["posts"], clean["posts"], strict=True):
        assert row[:METRICS] + row[METRICS + 1 :] == was[:METRICS] + was[METRICS + 1 :]
        if row[POST_ID] in ids:
            assert row[METRICS].items() <= was[METRICS].items(), row[POST_ID]
            lost += row[METRICS] != was[METRICS]
        else:
            assert row[METRICS] == was[METRICS], row[POST_ID]
    assert lost or not some, "no metric was left out"


# -- the parser --------------------------------------------------------------------------------


@pytest.mark.parametrize("word", [*WORDS, "nan", "inf", "-INF", "1e999", "-2.5E+400"])
def test_a_number_no_double_holds_is_null_and_text_that_says_it_is_text(word):
    line = f'{{"a": {word}, "b": [1, {word}, 2.5], "t": "{word}: {word}, \\"{word}\\""}}'.encode()
    expected = {"a": None, "b": [1, None, 2.5], "t": f'{word}: {word}, "{word}"'}
    assert loads_json(line) == expected
    assert loads_document(line) == expected


def test_other_damage_next_to_a_non_finite_number_is_what_it_was():
    """A cut line with a NaN before the cut is still invalid JSON, with the error at its own
    bytes; invalid UTF-8 or a lone surrogate next to a NaN in a document is mended as before."""
    with pytest.raises(ValueError, match=r"invalid character \(byte 6\)"):
        loads_json(b'{"a": NaN, "b": "x')
    assert loads_document(b'[{"a": NaN, "t": "\xff"}, {"a": 1}]') == [
        {"a": None, "t": "\ufffd"},
        {"a": 1},
    ]
    assert loads_json(b'["\\ud800", Infinity]') == ["\ufffd", None]


# -- JSON lines (v1.1, Reddit dumps, twarc2 flatten): the streaming reader and the fast path ----

V1 = FIXTURES / "twitter" / "v1_stream.jsonl"
REDDIT = FIXTURES / "reddit" / "RC_2017-10_sample.ndjson"
FLAT = FORMATS / "twitter_v2_twarc2" / "flat.jsonl"


def _with_metric(record: Any, keys: tuple[str, ...]) -> dict | None:
    """The object that holds a whole-number metric at ``keys`` in ``record`` (None: none)."""
    parent = record
    for key in keys[:-1]:
        parent = parent.get(key) if isinstance(parent, dict) else None
    return parent if isinstance(parent, dict) and type(parent.get(keys[-1])) is int else None


@pytest.mark.parametrize("word", list(WORDS))
@pytest.mark.parametrize(
    ("sample", "keys", "id_of"),
    [
        (V1, ("favorite_count",), lambda r: r["id_str"]),
        (REDDIT, ("score",), lambda r: "t1_" + r["id"]),
        (FLAT, ("public_metrics", "like_count"), lambda r: r["id"]),
    ],
    ids=["twitter_v1", "reddit", "twarc2_flat"],
)
def test_json_lines_keep_their_post_without_the_metric(tmp_path, word, sample, keys, id_of):
    """A metric of NaN on the first line and on a few more: each line's post is stored without
    that metric (before, the line was quarantined), by the fast path and the streaming reader
    alike; the fast path still takes the file."""
    if not sample.is_file():
        pytest.skip("../shared/formats not present")
    records = _records(sample)[:40]
    changed = [i for i, r in enumerate(records) if _with_metric(r, keys) is not None][:8]
    assert changed, "no metric to change"
    records.insert(0, records.pop(changed[0]))  # the first line holds one
    changed = [0, *changed[1:]]
    clean_path = _write_lines(tmp_path / "clean" / "in.jsonl", records)
    _, clean_rows = _paths_agree(tmp_path / "clean", clean_path)
    bad = copy.deepcopy(records)
    for i in changed:
        _with_metric(bad[i], keys)[keys[-1]] = WORDS[word]
    path = _write_lines(tmp_path / "bad" / "in.jsonl", bad)
    source = Source(path)
    reader = detect(source, load_readers())
    assert reader is not None
    assert columnar.supports(source, reader)  # a NaN on the first line keeps the fast path
    _, rows = _paths_agree(tmp_path / "bad", path, tmp_path / "clean" / "slow.duckdb")
    _only_metrics_lost(rows, clean_rows, {id_of(records[i]) for i in changed})


# -- twarc2 pages: the streaming reader and the DuckDB bulk path --------------------------------

PAGES = FIXTURES / "twitter_v2" / "pages.jsonl"


def _pages_with(values: dict[tuple, Any]) -> tuple[list[dict], list[dict]]:
    """The sample pages, clean and with ``values`` set at their paths (page, key, ...)."""
    clean = _records(PAGES)
    pages = copy.deepcopy(clean)
    for path, value in values.items():
        parent = pages
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = value
    return clean, pages


def _bulk_and_stream(
    monkeypatch, path: Path, key_from: Path | None = None, pseudonymise: bool = True
) -> tuple[IngestReport, dict, list]:
    """The stores of ``path`` by the streaming reader and the bulk path: one. Returns the
    bulk run's report and rows, and whether the bulk path took the file."""
    monkeypatch.setattr(bulk, "MIN_BULK_BYTES", 0)
    taken: list[bool] = []
    real = bulk.load_twitter_v2

    def spy(*args: Any, **kw: Any) -> Any:
        out = real(*args, **kw)
        taken.append(True)
        return out

    monkeypatch.setattr("groundswell.store.load.load_twitter_v2", spy)
    folder = path.parent
    stream, stream_rows = _store(path, folder / "stream.duckdb", key_from, pseudonymise, bulk=False)
    fast, fast_rows = _store(path, folder / "bulk.duckdb", folder / "stream.duckdb", pseudonymise)
    _same_counts(stream, fast)
    assert stream_rows == fast_rows
    return fast, fast_rows, taken


@pytest.mark.parametrize("word", list(WORDS))
def test_a_twarc2_page_keeps_its_tweets_in_both_paths(tmp_path, monkeypatch, word):
    """A NaN metric, a NaN in a field no path reads, in a user's counts: the page's tweets are
    all stored, the one metric left out, the same by the bulk path and the streaming reader."""
    value = WORDS[word]
    clean, pages = _pages_with(
        {
            (0, "data", 0, "public_metrics", "like_count"): value,
            (0, "data", 0, "conversation_id"): value,
            (0, "includes", "users", 0, "followers_count"): value,
            (1, "meta", "result_count"): value,
        }
    )
    clean_path = _write_lines(tmp_path / "clean" / "in.jsonl", clean)
    _, clean_rows, _ = _bulk_and_stream(monkeypatch, clean_path)
    path = _write_lines(tmp_path / "bad" / "in.jsonl", pages)
    report, rows, _ = _bulk_and_stream(monkeypatch, path, tmp_path / "clean" / "stream.duckdb")
    assert report.quarantined == 0
    _only_metrics_lost(rows, clean_rows, {pages[0]["data"][0]["id"]})


@pytest.mark.parametrize("word", [*WORDS, "nan", "inf", "1e999"])
def test_a_non_finite_value_in_a_field_the_bulk_path_reads_is_null_there_too(
    tmp_path, monkeypatch, word
):
    """DuckDB wrote ``"NaN"`` (or ``"inf"``, ``"1e999"``) into the language of the tweet; the
    streaming reader reads null. The bulk path now leaves such a file to the streaming reader;
    a NaN only where no path looks keeps the bulk path."""
    clean = _records(PAGES)
    lines = [_dumps(p) for p in clean]
    lines[0] = lines[0].replace(b'"lang": "en"', f'"lang": {word}'.encode(), 1)
    assert lines[0] != _dumps(clean[0])
    path = tmp_path / "bad" / "in.jsonl"
    path.parent.mkdir()
    path.write_bytes(b"\n".join(lines) + b"\n")
    report, rows, taken = _bulk_and_stream(monkeypatch, path)
    assert report.quarantined == 0 and not taken
    tid = clean[0]["data"][0]["id"]
    assert next(r[LANG] for r in rows["posts"] if r[POST_ID] == tid) is None
    unread = [_dumps(p) for p in clean]
    unread[0] = unread[0].replace(b'"conversation_id": "', f'"x": {word}, "y": "'.encode(), 1)
    path = tmp_path / "unread" / "in.jsonl"
    path.parent.mkdir()
    path.write_bytes(b"\n".join(unread) + b"\n")
    report, _, taken = _bulk_and_stream(monkeypatch, path)
    assert report.quarantined == 0 and taken


def test_a_user_name_no_double_holds_is_no_name_in_a_store_that_keeps_names(tmp_path, monkeypatch):
    """A store that keeps handles reads the page's users in the bulk path too."""
    _, pages = _pages_with({(0, "includes", "users", 0, "username"): math.nan})
    user = pages[0]["includes"]["users"][0]["id"]
    path = _write_lines(tmp_path / "bad" / "in.jsonl", pages)
    report, rows, taken = _bulk_and_stream(monkeypatch, path, pseudonymise=False)
    assert report.quarantined == 0 and not taken
    by_user = [r for r in rows["posts"] if r[3] == user]
    assert by_user and all(r[4] is None for r in by_user)  # author, author_name


# -- whole documents: timelines, threads, feeds, exports ----------------------------------------

DOCS = [
    "mastodon/home_timeline.json",
    "mastodon/context.json",
    "mastodon/outbox.json",
    "telegram/channel/result.json",
    "telegram/account/result.json",
    "bluesky/feed_page.json",
    "bluesky/thread.json",
    "reddit/comments_7b2xyz.json",
]
_TIME_WORDS = ("date", "time", "created", "utc", "edited")


def _leaves(value: Any, path: tuple = ()) -> Iterator[tuple]:
    """The paths of every number in ``value`` (not booleans)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield path


def _records_list(doc: Any) -> list:
    """The longest list of objects in a document (its records)."""
    best: list = []
    stack = [doc]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            if sum(isinstance(v, dict) for v in value) > len(best):
                best = value
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
    return best


def _at(value: Any, path: tuple) -> Any:
    for key in path:
        value = value[key]
    return value


@pytest.mark.parametrize("word", list(WORDS))
@pytest.mark.parametrize("rel", DOCS)
def test_a_document_keeps_every_record_around_a_non_finite_number(tmp_path, rel, word):
    """One number of the middle record (a count where there is one) and one at the top of the
    document: the document was quarantined whole; now every post is stored as before, at most
    the metrics of the one record less."""
    sample = FIXTURES / rel
    doc = json.loads(sample.read_bytes())
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    clean_path = tmp_path / "a" / sample.name
    clean_path.write_bytes(_dumps(doc))
    clean, clean_rows = _store(clean_path, tmp_path / "a" / "s.duckdb")
    records = _records_list(doc)
    record = records[len(records) // 2]
    numbers = [
        p
        for p in _leaves(record)
        if isinstance(p[-1], str)
        and "id" not in p[-1].lower()
        and not any(w in p[-1].lower() for w in _TIME_WORDS)
    ]
    counts = [p for p in numbers if str(p[-1]).endswith(("count", "Count", "score", "ups"))]
    where = (counts or numbers or [None])[0]
    if where is None:
        record["gs_extra"] = WORDS[word]
    else:
        _at(record, where[:-1])[where[-1]] = WORDS[word]
    if isinstance(doc, dict):
        doc["gs_extra"] = WORDS[word]
    path = tmp_path / "b" / sample.name
    path.write_bytes(_dumps(doc))
    assert word.encode() in path.read_bytes()
    report, rows = _store(path, tmp_path / "b" / "s.duckdb", tmp_path / "a" / "s.duckdb")
    _same_counts(report, clean)
    assert rows["quarantine"] == clean_rows["quarantine"]
    lost = {
        r[POST_ID]
        for r, was in zip(rows["posts"], clean_rows["posts"], strict=False)
        if r[METRICS] != was[METRICS]
    }
    assert len(lost) <= 1
    _only_metrics_lost(rows, clean_rows, lost, some=False)


@pytest.mark.parametrize("word", ["NaN", "-Infinity", "1e999"])
def test_an_outbox_with_a_repeated_key_reads_the_number_as_null_too(tmp_path, word):
    """An outbox whose ``orderedItems`` key is repeated is parsed by Python's json, which took
    a NaN id as a float (quarantined as "id is a float"); the same outbox with one key went to
    the other parser and was quarantined whole. Both now read null: "Note without id"."""
    doc = json.loads((FIXTURES / "mastodon" / "outbox.json").read_bytes())
    items = doc["orderedItems"]
    creates = [i for i, a in enumerate(items) if a.get("type") == "Create"]
    note = items[creates[len(creates) // 2]]["object"]
    note["id"] = "@gs-number@"

    def dumps(value: Any) -> bytes:
        return _dumps(value).replace(b'"@gs-number@"', word.encode())

    once = dumps(doc)
    half = len(items) // 2
    head = _dumps({k: v for k, v in doc.items() if k != "orderedItems"})[:-1]
    twice = (
        head
        + b', "orderedItems": '
        + dumps(items[:half])
        + b', "orderedItems": '
        + dumps(items[half:])
        + b"}"
    )
    assert word.encode() in once and word.encode() in twice
    stores = []
    for name, data in (("once", once), ("twice", twice)):
        (tmp_path / name).mkdir()
        path = tmp_path / name / "outbox.json"
        path.write_bytes(data)
        key_from = tmp_path / "once" / "s.duckdb" if name == "twice" else None
        stores.append(_store(path, tmp_path / name / "s.duckdb", key_from))
    (once_report, once_rows), (twice_report, twice_rows) = stores
    _same_counts(once_report, twice_report)
    assert once_rows == twice_rows
    assert once_report.read == len(items)  # every activity is read, none lost with the note
    assert [q[2] for q in once_rows["quarantine"] if "id" in q[2]] == ["Note without id"]
