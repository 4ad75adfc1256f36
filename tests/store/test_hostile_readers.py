"""Property, for every registered reader: hostile variants of its real sample (garbage records,
times out of range, ids beyond 64 bits, a cut last record) keep
read == stored + duplicates + reposts + quarantined, and every record of the clean sample, before
or after a bad one, is still stored.

Samples come from ../shared/formats (skipped when absent); telegram, crowdtangle, generic,
article, twint, snscrape, zeeschuimer, hydrator, twarc_json2csv, tcat, reddit_export and fourcat
have no real sample there and use the repo's real-shaped fixtures. The expected ids are those a
clean ingest of the same records stores, so the property is about the hostile records' effect, not
about each reader's mapping (the per-format tests check that).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundswell.ingest.registry import BUILTIN_READERS
from groundswell.store import Store, ingest
from gspaths import FIXTURES, FORMATS, car_file, extract_bodies

BAD_ISO = "0001-01-01T00:00:00+01:00"
BAD_EPOCH = 1e20
TIME_KEYS = {
    "created_at",
    "createdAt",
    "created_utc",
    "timestamp_ms",
    "time_us",
    "date",
    "date_unixtime",
    "timestamp_utc",
    "posted",
    "Post Created",
    "published",
    "timestamp",
    "unix_timestamp",
}
ID_KEYS = {"id", "id_str", "post_id", "uri"}
HOSTILE = st.sampled_from(["garbage", "bad_time", "huge_id", "broken"])
SETTINGS = settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _mutate(value: Any, kind: str, n: int) -> Any:
    """A copy of a parsed record with every time (bad_time) or id (huge_id) replaced."""
    if isinstance(value, list):
        return [_mutate(v, kind, n) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, v in value.items():
        if kind == "bad_time" and key in TIME_KEYS and v not in (None, ""):
            out[key] = BAD_EPOCH if _is_number(v) else BAD_ISO
        elif kind == "huge_id" and key in ID_KEYS and isinstance(v, str | int):
            out[key] = 2**70 + n
        else:
            out[key] = _mutate(v, kind, n)
    return out


@dataclass
class Sample:
    """The good records of a real sample, and how to write them with hostile ones mixed in."""

    units: list[Any]  # parsed records (JSON values, CSV rows as dicts, file texts)
    write: Callable[[Path, list[Any], bool], list[Path]]  # (folder, units, cut tail) -> files


# -- writers -------------------------------------------------------------------------------------
GARBAGE = object()  # a unit the writer renders as bytes that are no record at all
BROKEN = object()  # a unit the writer renders as a structurally broken record


def _jsonl(name: str) -> Callable[[Path, list[Any], bool], list[Path]]:
    def write(folder: Path, units: list[Any], cut: bool) -> list[Path]:
        out = []
        for u in units:
            if u is GARBAGE:
                out.append(b'{"id": "x", \xff\xfe not json\n')
            elif u is BROKEN:
                out.append(b'{"id": "1", "text": "unclosed}\n')
            else:
                out.append(json.dumps(u).encode() + b"\n")
        if cut:  # a copy of the first good record, cut in half with no newline
            whole = json.dumps(next(u for u in units if isinstance(u, dict))).encode()
            out.append(whole[: len(whole) // 2])
        path = folder / name
        path.write_bytes(b"".join(out))
        return [path]

    return write


def _array(name: str, wrap: Callable[[list[Any]], Any] = lambda xs: xs) -> Callable:
    """A JSON document; garbage is a value of the wrong type, broken an object of no known shape.
    (A cut document is one unreadable file: tests/ingest/test_source_salvage.py covers that.)"""

    def write(folder: Path, units: list[Any], cut: bool) -> list[Path]:
        values = [
            "\x00garbage" if u is GARBAGE else {"broken": True} if u is BROKEN else u for u in units
        ]
        path = folder / name
        path.write_text(json.dumps(wrap(values)), encoding="utf-8")
        return [path]

    return write


def _archive(name: str, part: str) -> Callable:
    """A Twitter archive file (``window.YTD.<part>.part0 = [...]``, pretty-printed as Twitter
    writes it); cut: a copy of the first good record ends the file half-way through."""

    def write(folder: Path, units: list[Any], cut: bool) -> list[Path]:
        values = [
            "\x00garbage" if u is GARBAGE else {"broken": True} if u is BROKEN else u for u in units
        ]
        if cut:
            values.append(next(u for u in units if isinstance(u, dict)))
        text = json.dumps(values, indent=2, separators=(",", " : "))
        if cut:
            last = json.dumps(values[-1], indent=2, separators=(",", " : "))
            text = text[: -2 - len(last) // 2]
        path = folder / name
        path.write_text(f"window.YTD.{part}.part0 = {text}", encoding="utf-8")
        return [path]

    return write


def _csv(name: str, header: list[str]) -> Callable:
    def write(folder: Path, units: list[Any], cut: bool) -> list[Path]:
        out = io.StringIO()
        writer = csv.DictWriter(out, header, lineterminator="\n")
        writer.writeheader()
        for u in units:
            if u is GARBAGE:
                out.write("\x00garbage;;;\n")
            elif u is BROKEN:
                out.write('"unclosed quote, 1, 2\n')
            else:
                writer.writerow(u)
        text = out.getvalue()
        if cut:
            row = io.StringIO()
            csv.DictWriter(row, header, lineterminator="\n").writerow(
                next(u for u in units if isinstance(u, dict))
            )
            text += row.getvalue()[: len(row.getvalue()) // 2]
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return [path]

    return write


def _files(suffix: str) -> Callable:
    def write(folder: Path, units: list[Any], cut: bool) -> list[Path]:
        paths = []
        for i, u in enumerate(units):
            path = folder / f"a{i:02d}{suffix}"
            if u is GARBAGE:
                path.write_bytes(b"\x00\xff\xfe" * 40)
            elif u is BROKEN:
                path.write_text("", encoding="utf-8")
            else:
                path.write_text(u, encoding="utf-8")
            paths.append(path)
        if cut:
            good = next(u for u in units if isinstance(u, str))
            path = folder / f"cut{suffix}"
            path.write_text(good[: len(good) // 2], encoding="utf-8")
            paths.append(path)
        return paths

    return write


# -- samples -------------------------------------------------------------------------------------
def _lines(path: Path, limit: int = 12) -> list[Any]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[:limit]]


def _good_lines(path: Path) -> list[Any]:
    """The lines of a fixture that parse (the fixtures hold damaged lines of their own)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out


def _csv_rows(path: Path, limit: int = 12) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)[:limit]


def _csv_sample(path: Path, name: str) -> Sample:
    header, rows = _csv_rows(path)
    return Sample(rows, _csv(name, header))


def _bodies(responses: Path, tmp: Path) -> list[Any]:
    values: list[Any] = []
    for p in extract_bodies(responses, tmp):
        body = json.loads(p.read_text(encoding="utf-8"))
        values += body if isinstance(body, list) else [body]
    return values


# tweet tables with no real sample in ../shared: the repo's real-shaped exports
_TABLES = {
    "hydrator": "hydrator/metoo-hydrated.csv",
    "twarc_json2csv": "json2csv/metoo-tweets.csv",
    "tcat": "tcat/metoo-20171016-fullExport-mentions_hashtags.csv",
    "fourcat": "fourcat/metoo-5d1e0c3b9a7f4e2d8c6b1a0f9e8d7c6b.csv",
}


def _sample(reader: str, tmp: Path) -> Sample:
    v2 = FORMATS / "twitter_v2_twarc2"
    if reader == "twitter_v2":  # pages and flattened tweets, both real
        return Sample(
            _lines(v2 / "two_tweets.jsonl") + _lines(v2 / "flat.jsonl", 4), _jsonl("v2.jsonl")
        )
    if reader == "twitter_v1":
        tw = FORMATS / "twitter_v1_1" / "twitwi"
        names = ("stream", "search", "show")
        units = [json.loads((tw / f"normalization-payload-{n}.json").read_text()) for n in names]
        tweets = [t for u in units for t in (u if isinstance(u, list) else [u])]
        home = FORMATS / "twitter_v1_1" / "tweepy" / "testhometimeline.responses.json"
        return Sample(tweets + _bodies(home, tmp)[:6], _jsonl("v1.jsonl"))
    if reader == "twitter_csv":
        return _csv_sample(FORMATS / "twitwi_csv" / "tweet-export.csv", "tweets.csv")
    if reader == "twitwi_json":
        return Sample(_lines(FORMATS / "twitwi_csv" / "tweet-export.jsonl"), _jsonl("tw.jsonl"))
    if reader == "reddit":
        dumps = FORMATS / "reddit_dumps_ndjson" / "pushshift_importer"
        units = _lines(dumps / "test_comments.json", 8) + _lines(dumps / "test_submissions.json", 6)
        return Sample(units, _jsonl("RC_2017-10.ndjson"))
    if reader == "pushshift_api":  # the real dump records, two to a saved API response
        dumps = FORMATS / "reddit_dumps_ndjson" / "pushshift_importer"
        records = _lines(dumps / "test_comments.json", 8) + _lines(
            dumps / "test_submissions.json", 6
        )
        pages = [{"data": records[i : i + 2], "metadata": {"size": 2}} for i in range(0, 14, 2)]
        return Sample(pages, _jsonl("comment_search.jsonl"))
    if reader == "zeeschuimer":  # the repo's real-shaped export (no sample in ../shared)
        lines = (FIXTURES / "zeeschuimer").glob("zeeschuimer-export-twitter.com-*.ndjson")
        items = []
        for line in next(lines).read_text("utf-8").splitlines():
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # its broken line: the hostile units bring their own
        return Sample(items, _jsonl("zeeschuimer-export.ndjson"))
    if reader == "mastodon":
        tl = FORMATS / "mastodon_api_status" / "test_hashtag_tl.responses.json"
        statuses = [s for s in _bodies(tl, tmp) if isinstance(s, dict) and "uri" in s]
        return Sample(statuses[:10], _array("timeline.json"))
    if reader == "bluesky":
        return Sample(
            _lines(FORMATS / "bluesky_jetstream" / "corpus_expected_v1.jsonl", 30),
            _jsonl("jetstream.jsonl"),
        )
    if reader == "bluesky_csv":
        path = FORMATS / "bluesky_api" / "twitwi" / "bluesky-posts-export.csv"
        return _csv_sample(path, "bluesky-posts-export.csv")
    if reader == "telegram":  # no real sample in ../shared: the repo's real-shaped export
        doc = json.loads((FIXTURES / "telegram" / "channel" / "result.json").read_text("utf-8"))
        rest = {k: v for k, v in doc.items() if k != "messages"}
        return Sample(doc["messages"], _array("result.json", lambda ms: {**rest, "messages": ms}))
    if reader == "twitter_archive":  # the repo's real-shaped archive (no sample in ../shared)
        text = (FIXTURES / "twitter_archive" / "data" / "tweets.js").read_text("utf-8")
        items = json.loads(text.split("=", 1)[1])
        return Sample(items, _archive("tweets.js", "tweets"))
    if reader == "twint":  # no real sample in ../shared: the repo's real-shaped output
        return Sample(_good_lines(FIXTURES / "twint" / "tweets.json"), _jsonl("tweets.json"))
    if reader in _TABLES:
        return _csv_sample(FIXTURES / _TABLES[reader], Path(_TABLES[reader]).name)
    if reader == "snscrape":  # no real sample in ../shared: the repo's real-shaped output
        folder = FIXTURES / "snscrape"
        units = _good_lines(folder / "twitter-search.jsonl")
        units += _good_lines(folder / "twitter-user-2021.jsonl")
        return Sample(units, _jsonl("twitter-search.jsonl"))
    if reader == "reddit_export":  # no real sample in ../shared: the repo's synthetic export
        return _csv_sample(FIXTURES / "reddit_export" / "comments.csv", "comments.csv")
    if reader == "crowdtangle":
        return _csv_sample(FIXTURES / "crowdtangle" / "facebook_page_posts.csv", "ct.csv")
    if reader == "generic":
        return _csv_sample(FIXTURES / "generic" / "forum_posts.csv", "forum.csv")
    if reader == "article":
        texts = [p.read_text("utf-8") for p in sorted((FIXTURES / "articles").iterdir())]
        return Sample(texts, _files(".md"))
    raise AssertionError(f"no hostile sample for reader {reader}")


def _hostile_unit(sample: Sample, kind: str, n: int) -> Any:
    good = [u for u in sample.units if u is not GARBAGE]
    base = good[n % len(good)]
    if kind == "garbage":
        return GARBAGE
    if kind == "broken":
        return BROKEN
    if isinstance(base, str):  # an article: a bad date in its front matter
        body = base.split("\n---\n", 1)[-1] if base.startswith("---") else base
        value = BAD_ISO if kind == "bad_time" else str(2**70 + n)
        return f"---\ndate: {value}\n---\n{body}"
    return _mutate(base, kind, n)


def _stored_ids(store: Store) -> set[str]:
    return {
        r[0]
        for r in store.con.execute(
            "SELECT id FROM posts UNION ALL SELECT id FROM reposts "
            "UNION ALL SELECT id FROM articles"
        ).fetchall()
    }


_REFERENCE: dict[str, set[str]] = {}


def _reference(reader: str, sample: Sample, folder: Path) -> set[str]:
    """The ids a clean ingest of the sample stores (computed once per reader)."""
    if reader not in _REFERENCE:
        files = sample.write(folder, sample.units, False)
        with Store(folder / "clean.duckdb") as store:
            report = ingest(files, store, fmt=reader, progress=False)
            assert report.balanced, report
            _REFERENCE[reader] = _stored_ids(store)
        assert _REFERENCE[reader], f"the clean {reader} sample stored nothing"
    return _REFERENCE[reader]


READERS = sorted(set(BUILTIN_READERS) - {"bluesky_car"})


def test_every_registered_reader_has_a_hostile_sample():
    assert set(READERS) | {"bluesky_car"} == set(BUILTIN_READERS)


@pytest.mark.parametrize("reader", READERS)
@SETTINGS
@given(data=st.data())
def test_hostile_variants_keep_every_good_record(tmp_path_factory, formats_dir, reader, data):
    folder = tmp_path_factory.mktemp(reader)
    sample = _sample(reader, folder / "bodies")
    expected = _reference(reader, sample, tmp_path_factory.mktemp(f"{reader}-clean"))
    kinds = data.draw(st.lists(HOSTILE, min_size=1, max_size=6), label="hostile")
    slots = data.draw(
        st.lists(st.integers(0, len(sample.units)), min_size=len(kinds), max_size=len(kinds)),
        label="positions",
    )
    cut = data.draw(st.booleans(), label="cut tail") and reader != "article"
    units = list(sample.units)
    for n, (kind, slot) in enumerate(sorted(zip(kinds, slots, strict=True), key=lambda x: -x[1])):
        units.insert(slot, _hostile_unit(sample, kind, n))
    files = sample.write(folder, units, cut)
    with Store(folder / "s.duckdb") as store:
        report = ingest(files, store, fmt=reader, progress=False)
        assert report.balanced, report
        missing = expected - _stored_ids(store)
        assert not missing, (kinds, report.errors[:5], sorted(missing)[:5])


# -- the CAR export: a document of content-addressed blocks, so hostility is a damaged record
def _car(header: dict, blocks: dict[bytes, Any]) -> bytes:
    import libipld

    encoded = ((cid, libipld.encode_dag_cbor(value)) for cid, value in blocks.items())
    return car_file(libipld.encode_dag_cbor(header), encoded)


@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_car_with_damaged_records_keeps_the_rest(tmp_path_factory, data):
    import libipld

    if not (FORMATS / "bluesky_car" / "repo.car").is_file():
        pytest.skip("../shared/formats not present")
    header, blocks = libipld.decode_car((FORMATS / "bluesky_car" / "repo.car").read_bytes())
    folder = tmp_path_factory.mktemp("car")
    clean = folder / "clean.car"
    clean.write_bytes(_car(header, blocks))
    with Store(folder / "clean.duckdb") as store:
        assert ingest([clean], store, fmt="bluesky_car", progress=False).balanced
        expected = _stored_ids(store)
    posts = sorted(c for c, v in blocks.items() if isinstance(v, dict) and "text" in v)
    damaged = data.draw(st.sets(st.sampled_from(posts), max_size=3), label="damaged")
    kinds = {c: data.draw(st.sampled_from(["bad_time", "huge_id", "garbage"])) for c in damaged}
    hostile = dict(blocks)
    for cid, kind in kinds.items():
        rec = blocks[cid]
        hostile[cid] = (
            {**rec, "createdAt": BAD_ISO}
            if kind == "bad_time"
            else {**rec, "text": 2**64 - 1}  # the largest number CBOR holds
            if kind == "huge_id"
            else "garbage"
        )
    path = folder / "hostile.car"
    path.write_bytes(_car(header, hostile))
    with Store(folder / "s.duckdb") as store:
        report = ingest([path], store, fmt="bluesky_car", progress=False)
        assert report.balanced and report.quarantined == len(damaged), report
        stored = _stored_ids(store)
    assert len(expected - stored) == len(damaged)  # only the damaged records are missing
