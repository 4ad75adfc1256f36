"""Property: whatever hostile lines are mixed into a file (garbage, bad times, huge ids, broken
quotes, a truncated tail), read == stored + duplicates + reposts + quarantined, and every good
record, before or after a bad one, is stored."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundswell.store import Store, ingest

HOSTILE = st.sampled_from(["garbage", "bad_time", "huge_id", "broken_quote", "blank"])
PLAN = st.lists(st.one_of(st.just("good"), HOSTILE), min_size=1, max_size=12)
SETTINGS = settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _v2_line(i: int, kind: str) -> bytes:
    tweet = {
        "id": str(7000 + i),
        "text": f"t{i}",
        "author_id": "1",
        "created_at": "2020-01-01T00:00:00Z",
    }
    if kind == "garbage":
        return b'{"data": [{"id": "x", \xff\xfe not json\n'
    if kind == "bad_time":
        tweet["created_at"] = "0001-01-01T00:00:00+01:00"
    elif kind == "huge_id":
        return b'{"data": [{"id": %d, "text": "big", "author_id": "1"}]}\n' % (2**70 + i)
    elif kind == "broken_quote":
        return b'{"data": [{"id": "' + str(i).encode() + b'", "text": "unclosed}]}\n'
    elif kind == "blank":
        return b"\n"
    return json.dumps({"data": [tweet]}).encode() + b"\n"


_HEADER = ["id", "timestamp_utc", "local_time", "user_screen_name", "text", "user_id"]


def _twitwi_line(i: int, kind: str) -> str:
    row = [str(9000 + i), "1508150000", "", "u", f"t{i}", "1"]
    if kind == "garbage":
        return "\x00garbage;;;\n"
    if kind == "bad_time":
        row[1] = "1e20"
    elif kind == "huge_id":
        row[0] = str(2**70 + i)
    elif kind == "broken_quote":
        return f'{9000 + i},1508150000,,u,"unclosed text {i},1\n'
    elif kind == "blank":
        return "\n"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(row)
    return out.getvalue()


def _check(store: Store, path, fmt: str, plan: list[str], good_ids: set[str]) -> None:
    report = ingest([path], store, fmt=fmt, progress=False)
    assert report.balanced
    stored = {r[0] for r in store.con.execute("SELECT id FROM posts").fetchall()}
    assert good_ids <= stored, (plan, report.errors)


@SETTINGS
@given(plan=PLAN, truncate=st.booleans())
def test_twarc2_jsonl_survives_hostile_lines(tmp_path_factory, plan, truncate):
    folder = tmp_path_factory.mktemp("v2")
    lines = [_v2_line(i, kind) for i, kind in enumerate(plan)]
    good = {str(7000 + i) for i, kind in enumerate(plan) if kind == "good"}
    if truncate:
        lines.append(b'{"data": [{"id": "99999", "te')  # a cut last line
    path = folder / "hostile.jsonl"
    path.write_bytes(b"".join(lines))
    with Store(folder / "s.duckdb") as store:
        if any(kind != "blank" for kind in plan) or truncate:
            _check(store, path, "twitter_v2", plan, good)


@SETTINGS
@given(plan=PLAN)
def test_twitwi_csv_survives_hostile_rows(tmp_path_factory, plan):
    folder = tmp_path_factory.mktemp("csv")
    text = ",".join(_HEADER) + "\n" + "".join(_twitwi_line(i, k) for i, k in enumerate(plan))
    good = {str(9000 + i) for i, kind in enumerate(plan) if kind == "good"}
    path = folder / "hostile.csv"
    path.write_text(text, encoding="utf-8")
    with Store(folder / "s.duckdb") as store:
        if any(kind != "blank" for kind in plan):  # a header alone is nothing to read
            _check(store, path, "twitter_csv", plan, good)
