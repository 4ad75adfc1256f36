"""CrowdTangle Facebook and Instagram CSV exports, from fixtures written in the documented shape.

Expected values are read from the CSV by the test (with the csv module), not from the reader.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundswell.ingest.crowdtangle import (
    TZ_OFFSETS,
    UnknownTimezoneError,
    parse_ct_time,
    post_id_from_url,
)
from groundswell.schema import hashtags_in_text
from groundswell.store import Store, ingest

DATA = Path(__file__).resolve().parents[1] / "data" / "crowdtangle"
FACEBOOK = DATA / "facebook_page_posts.csv"
INSTAGRAM = DATA / "instagram_account_posts.csv"
# the offsets the fixtures' abbreviations stand for, written out independently of the reader
_HOURS = {"EDT": -4, "EST": -5, "PST": -8}


def _rows(store: Store) -> dict[str, dict]:
    cur = store.con.execute("SELECT * FROM posts")
    names = [d[0] for d in cur.description]
    return {row[names.index("id")]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def _csv(path: Path) -> list[dict[str, str]]:
    """The rows of a fixture that decode and have the header's width."""
    text = path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0]
    return [
        dict(zip(header, r, strict=True))
        for r in rows[1:]
        if len(r) == len(header) and "\ufffd" not in "".join(r)
    ]


def _utc(stamp: str) -> datetime:
    day, clock, zone = stamp.split(" ")
    local = datetime.fromisoformat(f"{day}T{clock}")
    return (local - timedelta(hours=_HOURS[zone])).replace(tzinfo=None)


def test_facebook_export_reconciles(store):
    good = _csv(FACEBOOK)
    report = ingest([FACEBOOK], store)
    assert report.balanced
    assert report.read == report.stored + report.duplicates + report.reposts + report.quarantined
    unique_urls = {r["URL"] for r in good}
    assert report.stored == len(unique_urls)
    assert report.duplicates == len(good) - len(unique_urls) == 1
    assert report.quarantined == 2
    lines = dict(store.con.execute("SELECT line, reason FROM quarantine").fetchall())
    raw_lines = FACEBOOK.read_bytes().split(b"\n")
    bad_utf8 = next(i for i, ln in enumerate(raw_lines, 1) if b"\xe9" in ln)
    assert lines[bad_utf8].startswith("invalid UTF-8")
    short = next(i for i, ln in enumerate(raw_lines, 1) if ln.endswith(b"EDT"))
    assert "fields" in lines[short]


def test_facebook_fields(store):
    ingest([FACEBOOK], store)
    rows = _rows(store)
    for raw in _csv(FACEBOOK):
        pid = raw["URL"].rstrip("/").split("/")[-1].split("?")[0]
        if not pid.isdigit():  # /photos/a.<album>/<id>/?type=3
            pid = [s for s in raw["URL"].split("/") if s.isdigit()][-1]
        row = rows[pid]
        assert row["platform"] == "facebook"
        # a pseudonymised store drops a URL that names the page's handle
        names_author = raw["User Name"] in raw["URL"]
        assert row["url"] == (None if names_author else raw["URL"])
        assert row["created_at"] == _utc(raw["Post Created"])
        text = raw["Message"] or f"{raw['Link Text']}\n\n{raw['Description']}"
        assert row["text"] == text
        assert row["hashtags"] == hashtags_in_text(text)
        metrics = json.loads(row["metrics"])
        assert metrics["total_interactions"] == int(raw["Total Interactions"].replace(",", ""))
        assert metrics["likes"] == int(raw["Likes"].replace(",", ""))
        assert metrics["shares"] == int(raw["Shares"])
        if raw["Link"]:
            assert row["urls"] == [raw["Link"]]  # Final Link is the same URL here: kept once
    # EDT before the November switch, EST after: both map to the right UTC hour
    zones = {r["Post Created"].split()[-1] for r in _csv(FACEBOOK)}
    assert zones == {"EDT", "EST"}


def test_authors_pseudonymised(store):
    ingest([FACEBOOK, INSTAGRAM], store)
    rows = _rows(store)
    raw_ids = {r["Facebook Id"] for r in _csv(FACEBOOK)} | {r["User Name"] for r in _csv(FACEBOOK)}
    raw_ids |= {r["User Name"] for r in _csv(INSTAGRAM)}
    for row in rows.values():
        assert row["author"].startswith("u_")
        values = " ".join(str(v) for k, v in row.items() if k != "source_file")
        assert not any(raw_id in values for raw_id in raw_ids)
    assert len({r["author"] for r in rows.values()}) == 2


def test_instagram_export(store):
    good = _csv(INSTAGRAM)
    report = ingest([INSTAGRAM], store)
    assert report.balanced and report.stored == len(good) and report.quarantined == 0
    rows = _rows(store)
    for raw in good:
        shortcode = raw["URL"].rstrip("/").split("/")[-1]
        row = rows[shortcode]
        assert row["platform"] == "instagram" and row["url"] == raw["URL"]
        assert row["text"] == (raw["Description"] or raw["Image Text"])
        assert row["created_at"] == _utc(raw["Post Created"])
        assert json.loads(row["metrics"])["views"] == int(raw["Views"].replace(",", ""))
    caption = next(r for r in good if "#GoldenGlobes" in r["Description"])
    assert rows[caption["URL"].rstrip("/").split("/")[-1]]["hashtags"] == [
        "#timesup",
        "#metoo",
        "#goldenglobes",
    ]


def test_unknown_timezone_is_quarantined(tmp_path, store):
    lines = FACEBOOK.read_bytes().split(b"\n")
    odd = tmp_path / "odd_zone.csv"
    odd.write_bytes(lines[0] + b"\n" + lines[1].replace(b" EDT,", b" XYZT,") + b"\n")
    report = ingest([odd], store)
    assert report.balanced and report.quarantined == 1 and report.stored == 0
    reason = store.con.execute("SELECT reason FROM quarantine").fetchone()[0]
    assert "XYZT" in reason


@pytest.mark.parametrize(
    "stamp", ["abc", "2017-10-16 25:61:61 EDT", "10000-01-01 00:00:00 UTC", "0000-01-01 00:00:00"]
)
def test_a_post_time_that_is_no_time_is_quarantined(tmp_path, store, stamp):
    """``Post Created`` that is no time stored the post with none (its burst lost unseen); it
    is quarantined as an unknown zone is, naming the value, and the other rows stored."""
    header, *rows = list(csv.reader(io.StringIO(FACEBOOK.read_text("utf-8", "replace"))))[:3]
    rows[0][header.index("Post Created")] = stamp
    path = tmp_path / "odd_time.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    report = ingest([path], store)
    assert report.balanced and (report.quarantined, report.stored) == (1, 1)
    reason = store.con.execute("SELECT reason FROM quarantine").fetchone()[0]
    assert reason == f"post time {stamp!r} is not a time"


def test_post_ids_from_urls():
    assert post_id_from_url("https://www.facebook.com/permalink.php?story_fbid=42&id=7") == "42"
    assert post_id_from_url("https://www.facebook.com/page/videos/123/") == "123"
    assert post_id_from_url("https://www.instagram.com/p/Bxyz_1/") == "Bxyz_1"
    odd = "https://www.facebook.com/groups/x/posts/"
    assert post_id_from_url(odd) == hashlib.sha256(odd.encode()).hexdigest()[:16]


@given(
    st.datetimes(min_value=datetime(2006, 1, 1), max_value=datetime(2030, 12, 31)),
    st.sampled_from(sorted(TZ_OFFSETS)),
)
def test_ct_time_round_trips(local, zone):
    local = local.replace(microsecond=0)
    parsed = parse_ct_time(f"{local:%Y-%m-%d %H:%M:%S} {zone}")
    assert parsed is not None and parsed.tzinfo is not None
    back = parsed.astimezone(timezone(timedelta(hours=TZ_OFFSETS[zone])))
    assert back.replace(tzinfo=None) == local
    assert parsed.utcoffset() == timedelta(0)


@given(st.from_regex(r"[A-Z]{2,5}", fullmatch=True).filter(lambda z: z not in TZ_OFFSETS))
def test_unknown_abbreviation_raises(zone):
    with pytest.raises(UnknownTimezoneError):
        parse_ct_time(f"2017-10-16 09:12:44 {zone}")


def test_ct_time_shapes():
    assert parse_ct_time("2017-10-16 09:12:44 EDT") == datetime(
        2017, 10, 16, 13, 12, 44, tzinfo=UTC
    )
    assert parse_ct_time("2017-10-16 09:12 +0530") == datetime(2017, 10, 16, 3, 42, tzinfo=UTC)
    assert parse_ct_time("2017-10-16 09:12:44") == datetime(2017, 10, 16, 9, 12, 44, tzinfo=UTC)
    assert parse_ct_time("") is None and parse_ct_time("yesterday") is None


def test_raw_store_keeps_page_id_and_url(tmp_path):
    with Store(tmp_path / "raw.duckdb", pseudonymise=False) as raw_store:
        ingest([FACEBOOK], raw_store)
        rows = _rows(raw_store)
    for raw in _csv(FACEBOOK):
        row = next(r for r in rows.values() if r["url"] == raw["URL"])
        assert row["author"] == raw["Facebook Id"]
        assert row["author_name"] == raw["User Name"]


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_a_bare_cr_in_an_unquoted_message_is_text(tmp_path, store, end):
    """A Message cell written unquoted with a bare CR in it (``Line one\\rLine two``) was
    quarantined as a broken CSV row: Python's csv ends an unquoted field at a CR. The row is
    now read with the CR kept in its text, whatever the file's own line ends."""
    first = _csv(FACEBOOK)[0]
    header = list(first)
    rows = [{**first, "URL": f"{first['URL']}{n}", "Message": f"MSG{n}"} for n in (1, 2)]
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator=end)
    writer.writeheader()
    writer.writerows(rows)
    text = out.getvalue().replace("MSG1", "Line one\rLine two #MeToo").replace("MSG2", "plain")
    path = tmp_path / "posts.csv"
    path.write_bytes(text.encode())
    report = ingest([path], store)
    assert report.balanced and (report.read, report.stored, report.quarantined) == (2, 2, 0)
    texts = {r["text"] for r in _rows(store).values()}
    assert texts == {"Line one\rLine two #MeToo", "plain"}
