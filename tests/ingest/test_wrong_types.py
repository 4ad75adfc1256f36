"""Records with fields of the wrong type, in every shape a reader reads: none crashes a run or
takes the rest of its file with it; each is quarantined with file and line (or stored without
the field) and ``read == stored + duplicates + reposts + quarantined``.

The inputs are the real samples and the test fixtures, with one field of one record replaced.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fast_slow import assert_fast_equals_slow
from groundswell.errors import InputError
from groundswell.schema import Post
from groundswell.store import Store, ingest

DATA = Path(__file__).resolve().parents[1] / "data"

# values of every JSON type, and the numbers that break conversions
HOSTILE = [12345, -7, 1.5, 1e300, True, None, "zz", [], [5], [{"tag": 5}], {}, {"a": 1}, 2**70]


def _ingest(store: Store, path: Path):
    report = ingest([path], store, progress=False)
    assert report.balanced, report.to_dict()
    assert not [e for e in report.errors if " failed: " in e], report.errors
    return report


def _set(obj, path: tuple, value):
    obj = copy.deepcopy(obj)
    cur = obj
    for key in path[:-1]:
        cur = cur[key]
    cur[path[-1]] = value
    return obj


def _ids(store: Store) -> set[str]:
    rows = store.con.execute("SELECT id FROM posts UNION ALL SELECT id FROM reposts").fetchall()
    return {r[0] for r in rows}


def _quarantined_lines(store: Store) -> set[int]:
    return {r[0] for r in store.con.execute("SELECT line FROM quarantine").fetchall()}


# -- the store: a field the reader passed through with another type -------------------------------


@pytest.mark.parametrize("field", ["url", "tags", "mentions"])
@pytest.mark.parametrize("value", [12345, 1.5, True, [{"tag": 5}], {"a": 1}])
def test_mastodon_status_field_of_another_type_is_left_out(tmp_path, field, value):
    """A status whose ``url`` is not a string failed the whole batch in the store's handle-free
    URL check, then was quarantined whole; ``tags`` or ``mentions`` of a number failed it with
    a TypeError. None is needed: the field is left out and the status stored with the rest."""
    statuses = json.loads((DATA / "mastodon" / "home_timeline.json").read_text())
    path = tmp_path / "timeline.json"
    path.write_text(json.dumps(_set(statuses, (0, field), value)))
    store = Store(tmp_path / "s.duckdb")
    report = _ingest(store, path)
    clean = Store(tmp_path / "clean.duckdb")
    full = _ingest(clean, DATA / "mastodon" / "home_timeline.json")
    assert report.quarantined == full.quarantined and _ids(store) == _ids(clean)
    first = statuses[0]["uri"]
    row = store.con.execute(f"SELECT url, mentions FROM posts WHERE id = '{first}'").fetchone()
    assert str(value) not in str(row)


@pytest.mark.parametrize("value", [["a", "b"], {"a": 1}, True, 5])
def test_mastodon_status_uri_of_another_type_is_quarantined(tmp_path, value):
    """A status's ``uri`` is its key: one that is not text was stored as the id ``['a', 'b']``,
    ``True`` or ``5``. It is quarantined with a reason naming it; the statuses after it are
    stored."""
    statuses = json.loads((DATA / "mastodon" / "home_timeline.json").read_text())
    path = tmp_path / "timeline.json"
    path.write_text(json.dumps(_set(statuses, (0, "uri"), value)))
    store = Store(tmp_path / "s.duckdb")
    report = _ingest(store, path)
    clean = Store(tmp_path / "clean.duckdb")
    full = _ingest(clean, DATA / "mastodon" / "home_timeline.json")
    assert report.quarantined == full.quarantined + 1
    assert _ids(store) == _ids(clean) - {statuses[0]["uri"]}
    reason = store.con.execute("SELECT reason FROM quarantine WHERE line = 1").fetchone()[0]
    assert reason.startswith("status uri ") and reason.endswith(" is not text")


@pytest.mark.parametrize("bad_id", [[1, 2], {"a": 1}, 5, None])
def test_post_with_unhashable_or_non_string_id_is_quarantined_by_the_store(tmp_path, bad_id):
    """A reader that leaves the id as a list or an object: the batch cannot even key it."""
    store = Store(tmp_path / "s.duckdb")
    posts = [
        Post(platform="x", id=bad_id, text="bad", source_file="f", source_line=1),  # type: ignore[arg-type]
        Post(platform="x", id="2", text="good #MeToo", source_file="f", source_line=2),
    ]
    counts = store.write_batch(posts)
    assert counts.stored == 1 and counts.quarantined == 1
    assert _quarantined_lines(store) == {1}
    assert _ids(store) == {"2"}


# -- Mastodon outbox: one activity of the wrong shape ---------------------------------------------

OUTBOX_CASES = [
    (("orderedItems", 1, "object", "tag"), 12345),
    (("orderedItems", 1, "object", "tag"), True),
    (("orderedItems", 1, "object", "published"), 1e300),
    (("orderedItems", 1, "object", "published"), 2**70),
    (("orderedItems", 0, "published"), 1e300),
]


@pytest.mark.parametrize(("path", "value"), OUTBOX_CASES)
def test_outbox_activity_of_the_wrong_shape_is_quarantined_alone(tmp_path, path, value):
    """An outbox activity whose tags are a number or whose time is out of range ended the whole
    outbox ("reader mastodon failed"): every later activity was lost."""
    outbox = json.loads((DATA / "mastodon" / "outbox.json").read_text())
    file = tmp_path / "outbox.json"
    file.write_text(json.dumps(_set(outbox, path, value)))
    store = Store(tmp_path / "s.duckdb")
    report = _ingest(store, file)
    assert path[1] + 1 in _quarantined_lines(store)
    clean = Store(tmp_path / "clean.duckdb")
    whole = tmp_path / "whole.json"
    whole.write_text(json.dumps(outbox))
    full = _ingest(clean, whole)
    assert report.read == full.read
    assert len(_ids(store)) == len(_ids(clean)) - 1  # only the bad activity is missing


@pytest.mark.parametrize("items", [12345, "zz", {"a": 1}, None])
def test_outbox_whose_items_are_not_a_list_is_refused_cleanly(tmp_path, items):
    """Nothing in it is a post: the one-line "nothing could be read" (exit 2), no traceback."""
    outbox = json.loads((DATA / "mastodon" / "outbox.json").read_text())
    file = tmp_path / "outbox.json"
    file.write_text(json.dumps(_set(outbox, ("orderedItems",), items)))
    store = Store(tmp_path / "s.duckdb")
    with pytest.raises(InputError, match="nothing could be read"):
        ingest([file], store, progress=False)


# -- the first record is bad: it must not hide the file's format ---------------------------------

FIRST_LINE_FILES = [
    DATA / "twitter" / "v1_stream.jsonl",
    DATA / "twitter_v2" / "pages.jsonl",
    DATA / "reddit" / "RC_2017-10_sample.ndjson",
    DATA / "reddit" / "RS_2017-10_sample.ndjson",
    DATA / "bluesky" / "jetstream_sample.jsonl",
]


@pytest.mark.parametrize("first", ["12345", "[[1]]", "{}", '"text"', "null", "true", "[]"])
@pytest.mark.parametrize("sample", FIRST_LINE_FILES, ids=lambda p: p.name)
def test_jsonl_whose_first_line_is_not_an_object_is_still_read(tmp_path, sample, first):
    """A JSON-lines file whose first line was a number, a list or ``{}`` was detected as no known
    format: the whole file was skipped ("nothing could be read") for one bad line."""
    lines = sample.read_bytes().splitlines(keepends=True)
    file = tmp_path / ("x" + sample.suffix)
    file.write_bytes(first.encode() + b"\n" + b"".join(lines))
    store = Store(tmp_path / "s.duckdb")
    report = _ingest(store, file)
    clean = Store(tmp_path / "clean.duckdb")
    full = _ingest(clean, sample)
    assert report.read in (full.read, full.read + 1)  # ``{}`` is passed over as a non-post line
    assert _ids(store) == _ids(clean)
    if report.read == full.read + 1:  # counted as quarantined (its row may name a deleted id)
        assert report.quarantined == full.quarantined + 1


@pytest.mark.parametrize("first", [12345, None, "zz", [], {}, [[1]]])
@pytest.mark.parametrize(
    "sample",
    [DATA / "mastodon" / "home_timeline.json", DATA / "reddit" / "comments_7b2xyz.json"],
    ids=lambda p: p.name,
)
def test_json_array_whose_first_value_is_not_an_object_is_still_read(tmp_path, sample, first):
    """A JSON array (a Mastodon timeline, a Reddit listing pair) whose first value is not an
    object: detection looked only at that value."""
    values = json.loads(sample.read_text())
    if not isinstance(values, list):
        pytest.skip("not an array")
    file = tmp_path / sample.name
    file.write_text(json.dumps([first, *values]))
    store = Store(tmp_path / "s.duckdb")
    report = _ingest(store, file)
    assert report.read >= 1
    clean = Store(tmp_path / "clean.duckdb")
    _ingest(clean, sample)
    assert _ids(store) == _ids(clean)


# -- JSON lines: one line of a hostile shape, the rest of the file stored --------------------------


def _line_with(sample: Path, mutate) -> bytes:
    lines = [ln for ln in sample.read_bytes().splitlines() if ln.strip()]
    return mutate(json.loads(lines[0]))


def _deep(_):
    return b'{"id": "1", "text": "x", "deep": ' + b"[" * 5000 + b"]" * 5000 + b"}"


def _lone_surrogate(record):
    return json.dumps(record).replace('"text": "', '"text": "\\ud800', 1).encode()


def _with(path, value):
    return lambda record: json.dumps(_set(record, path, value)).encode()


LINE_CASES = [
    # twarc2 flatten: a line nested 5000 deep crashed the fast path (msgspec RecursionError)
    ("flat_deep", "twitter_v2_twarc2/flat.jsonl", _deep, "quarantined"),
    ("v1_deep", "data:twitter/v1_stream.jsonl", _deep, "quarantined"),
    ("reddit_deep", "data:reddit/RC_2017-10_sample.ndjson", _deep, "quarantined"),
    # an id that is an object was stored as the text "{'a': 1}"
    ("flat_id_object", "twitter_v2_twarc2/flat.jsonl", _with(("id",), {"a": 1}), "quarantined"),
    ("flat_id_list", "twitter_v2_twarc2/flat.jsonl", _with(("id",), [1, 2]), "quarantined"),
    (
        "v1_id_object",
        "data:twitter/v1_stream.jsonl",
        _with(("id_str",), {"a": 1}),
        "quarantined",
    ),
    # Reddit's epoch beyond 64 bits crashed the fast path's Arrow build (OverflowError)
    (
        "reddit_epoch_2_70",
        "data:reddit/RC_2017-10_sample.ndjson",
        _with(("created_utc",), 2**70),
        "quarantined",
    ),
    (
        "reddit_epoch_1e300",
        "data:reddit/RC_2017-10_sample.ndjson",
        _with(("created_utc",), 1e300),
        "quarantined",
    ),
    # a lone surrogate escape: the text is kept with U+FFFD in its place
    ("flat_lone_surrogate", "twitter_v2_twarc2/flat.jsonl", _lone_surrogate, "stored"),
]


def _resolve(rel: str, request) -> Path:
    """A test fixture (``data:...``) or a real sample of ../shared/formats (skipped if absent)."""
    if rel.startswith("data:"):
        return DATA / rel.removeprefix("data:")
    return request.getfixturevalue("formats_dir") / rel


@pytest.mark.parametrize(
    ("name", "rel", "mutate", "outcome"), LINE_CASES, ids=[c[0] for c in LINE_CASES]
)
def test_a_hostile_line_never_takes_its_file_with_it(tmp_path, request, name, rel, mutate, outcome):
    sample = _resolve(rel, request)
    lines = [ln for ln in sample.read_bytes().splitlines() if ln.strip()]
    rest = tmp_path / ("rest" + sample.suffix)
    rest.write_bytes(b"\n".join(lines[1:]) + b"\n")
    file = tmp_path / ("x" + sample.suffix)
    file.write_bytes(_line_with(sample, mutate) + b"\n" + rest.read_bytes())
    store = Store(tmp_path / "s.duckdb")
    report = _ingest(store, file)
    clean = Store(tmp_path / "clean.duckdb")
    full = _ingest(clean, rest)
    assert _ids(clean) <= _ids(store)  # every later record of the file is stored
    if outcome == "quarantined":
        assert report.read == full.read + 1
        assert report.quarantined == full.quarantined + 1
        assert not [i for i in _ids(store) if "{" in i or "[" in i]
    else:
        assert report.quarantined == full.quarantined
        texts = [r[0] for r in store.con.execute("SELECT text FROM posts").fetchall()]
        assert any("\ufffd" in t for t in texts)


def test_lone_surrogate_in_one_status_keeps_the_whole_timeline(tmp_path):
    """A Mastodon timeline is one JSON document: one lone surrogate escape made it all invalid."""
    statuses = json.loads((DATA / "mastodon" / "home_timeline.json").read_text())
    text = json.dumps(statuses).replace('"content": "', '"content": "\\udc00', 1)
    file = tmp_path / "timeline.json"
    file.write_text(text)
    store = Store(tmp_path / "s.duckdb")
    report = _ingest(store, file)
    clean = Store(tmp_path / "clean.duckdb")
    full = _ingest(clean, DATA / "mastodon" / "home_timeline.json")
    assert report.read == full.read and report.quarantined == full.quarantined
    assert _ids(store) == _ids(clean)


def test_lone_surrogate_in_one_note_keeps_the_whole_outbox(tmp_path):
    """An outbox.json is one document: a lone surrogate escape in one note made it all invalid."""
    raw = (DATA / "mastodon" / "outbox.json").read_text()
    file = tmp_path / "outbox.json"
    file.write_text(raw.replace('"content": "', '"content": "\\ud800', 1))
    assert file.read_text() != raw
    store = Store(tmp_path / "s.duckdb")
    report = _ingest(store, file)
    clean = Store(tmp_path / "clean.duckdb")
    full = _ingest(clean, DATA / "mastodon" / "outbox.json")
    assert report.read == full.read and report.quarantined == full.quarantined
    assert _ids(store) == _ids(clean)


# -- whole documents: one part of the wrong shape -------------------------------------------------

DOC_CASES = [
    # a chat whose messages are a number ended the account export: later chats were lost
    ("telegram", "telegram/account/result.json", ("chats", "list", 0, "messages"), 12345),
    ("telegram", "telegram/account/result.json", ("chats", "list", 0, "messages"), "zz"),
    ("telegram", "telegram/account/result.json", ("chats", "list"), True),
    # a status whose mentions are a number ended the context document
    ("mastodon", "mastodon/context.json", ("ancestors", 0, "mentions"), 12345),
    ("mastodon", "mastodon/context.json", ("ancestors",), 12345),
]


@pytest.mark.parametrize(("fmt", "rel", "path", "value"), DOC_CASES)
def test_a_part_of_the_wrong_shape_never_ends_the_document(tmp_path, fmt, rel, path, value):
    doc = json.loads((DATA / rel).read_text())
    file = tmp_path / Path(rel).name
    file.write_text(json.dumps(_set(doc, path, value)))
    store = Store(tmp_path / "s.duckdb")
    try:
        report = _ingest(store, file)
    except InputError as exc:  # nothing left that is a post: the clean one-line refusal
        assert "nothing could be read" in str(exc)
        return
    assert report.by_format == {fmt: report.read}
    assert report.read >= 1


# -- property: any value in any field of a tweet, a Reddit line, a status -------------------------

PROPERTY_SAMPLES = [
    DATA / "twitter" / "v1_stream.jsonl",
    DATA / "reddit" / "RC_2017-10_sample.ndjson",
    DATA / "bluesky" / "jetstream_sample.jsonl",
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:2]):
            yield from _paths(v, (*prefix, i))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), value=json_values)
@pytest.mark.parametrize("sample", PROPERTY_SAMPLES, ids=lambda p: p.name)
def test_any_value_in_any_field_never_breaks_the_run(tmp_path_factory, sample, data, value):
    lines = [ln for ln in sample.read_bytes().splitlines() if ln.strip()][:3]
    record = json.loads(lines[0])
    paths = [p for p in _paths(record) if p]
    path = data.draw(st.sampled_from(paths))
    tmp = tmp_path_factory.mktemp("prop")
    file = tmp / ("x" + sample.suffix)
    file.write_bytes(json.dumps(_set(record, path, value)).encode() + b"\n" + b"\n".join(lines[1:]))
    store = Store(tmp / "s.duckdb")
    try:
        _ingest(store, file)
        clean_file = tmp / ("clean" + sample.suffix)
        clean_file.write_bytes(b"\n".join(lines[1:]))
        clean = Store(tmp / "clean.duckdb")
        _ingest(clean, clean_file)
        assert _ids(clean) <= _ids(store)  # the later records of the file are all stored
        clean.close()
    finally:
        store.close()


# -- the fast columnar path and the streaming readers leave the same store ------------------------


def test_fast_path_equals_streaming_on_the_hostile_lines(tmp_path, monkeypatch, request):

    files = []
    for name, rel, mutate, _ in LINE_CASES:
        try:
            sample = _resolve(rel, request)
        except pytest.skip.Exception:
            continue
        lines = [ln for ln in sample.read_bytes().splitlines() if ln.strip()]
        file = tmp_path / "in" / f"{name}{sample.suffix}"
        file.parent.mkdir(exist_ok=True)
        file.write_bytes(b"\n".join([_line_with(sample, mutate), *lines[1:]]) + b"\n")
        files.append(file)
    assert_fast_equals_slow(tmp_path, monkeypatch, files)


def test_a_malformed_post_does_not_shadow_a_later_good_copy_in_its_batch(tmp_path):
    """A tweet quarantined for a wrong-typed field (``in_reply_to_status_id_str: true``) used to
    make the good copy of it embedded in a later retweet count as its duplicate: lost."""
    lines = [ln for ln in (DATA / "twitter" / "v1_stream.jsonl").read_bytes().splitlines()][:3]
    record = json.loads(lines[0])
    file = tmp_path / "x.jsonl"
    bad = _set(record, ("in_reply_to_status_id_str",), True)
    file.write_bytes(b"\n".join([json.dumps(bad).encode(), *lines[1:]]) + b"\n")
    store = Store(tmp_path / "s.duckdb")
    report = _ingest(store, file)
    assert report.quarantined >= 1
    assert record["id_str"] in _ids(store)


@pytest.mark.parametrize("bad", ["1e18", "-5", "12a", "9" * 40, "１２３", 1.5, -3])
@pytest.mark.parametrize("shape", ["v2_flat", "v1", "reddit"])
def test_an_id_that_names_no_post_is_quarantined(tmp_path, shape, bad):
    """An id of the wrong form (a spreadsheet's ``1e18``, a negative number, 40 digits,
    full-width digits, a Reddit id that is no base-36 word) was stored as a post id, on the fast
    path too; it names no post, so the record is quarantined and the others stored."""
    if shape == "v2_flat":
        records = [
            {
                "id": str(1051234567890123000 + i),
                "text": f"synthetic post {i} #MeToo",
                "author_id": str(9000 + i),
                "created_at": "2018-10-13T14:02:11.000Z",
            }
            for i in range(8)
        ]
        key, prefix = "id", ""
    elif shape == "v1":
        records = [
            {
                "id_str": str(1051234567890123000 + i),
                "full_text": f"synthetic post {i} #MeToo",
                "created_at": "Sat Oct 13 14:02:11 +0000 2018",
                "user": {"id_str": str(9000 + i), "screen_name": f"someone{i}"},
            }
            for i in range(8)
        ]
        key, prefix = "id_str", ""
    else:
        records = [
            {
                "id": f"dpg{i}bb",
                "body": f"synthetic comment {i} #MeToo",
                "author": f"someone{i}",
                "created_utc": 1508140800 + i,
                "subreddit": "metoo",
                "link_id": "t3_abc",
                "parent_id": "t3_abc",
            }
            for i in range(8)
        ]
        key, prefix = "id", "t1_"
        bad = {"12a": "A-B", "1e18": "ab cd"}.get(bad, bad) if isinstance(bad, str) else bad
    good = [prefix + str(r[key]) for i, r in enumerate(records) if i != 3]
    records[3][key] = bad
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    with Store(tmp_path / "s.duckdb") as store:
        report = _ingest(store, path)
        ids = {r[0] for r in store.con.execute("SELECT id FROM posts").fetchall()}
        lines = [r[0] for r in store.con.execute("SELECT line FROM quarantine").fetchall()]
    assert ids == set(good)
    assert lines == [4] and report.quarantined == 1
