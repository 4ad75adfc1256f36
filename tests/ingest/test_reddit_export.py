"""A person's own Reddit data export (reddit.com/settings/data-request): comments and posts with
their time, thread and owner; the IP column never stored; private messages, chats, drafts and the
other parts declined unread; zipped, unzipped or one file alone; every good row kept after a bad
one; and the other formats' tables detected as before.

The fixture (``tests/data/reddit_export``) is written by the team in the shape of a real export
(its column lists as Reddit writes them); every text in it is synthetic. Expected values are read
from its CSV files by the tests, not from the reader."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from groundswell.care.pseudonym import keyed_pseudonym, load_key
from groundswell.ingest.generic import GenericReader
from groundswell.ingest.reddit_export import _parent_of, _submission_of, masked
from groundswell.ingest.registry import Head, detect, load_readers
from groundswell.ingest.source import Source
from groundswell.store import Store, ingest
from gspaths import FIXTURES, FORMATS

EXPORT = FIXTURES / "reddit_export"
IPS = ("198.51.100.23", "2001:db8::17")  # the addresses the fixture's ip columns hold
PRIVATE = ("PRIVATE-MESSAGE-TEXT", "PRIVATE-CHAT-TEXT", "UNPUBLISHED-DRAFT-TEXT")
OWNER = "synthetic_donor_17"
POST_PARTS = {"comments.csv", "posts.csv"}


def _rows(name: str, folder: Path = EXPORT) -> list[dict[str, str]]:
    with open(folder / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _store(paths: list[Path], db: Path) -> tuple[dict, Store]:
    store = Store(db)
    return ingest(paths, store, progress=False).to_dict(), store


def _posts(store: Store) -> dict[str, dict]:
    cur = store.con.execute("SELECT * FROM posts")
    names = [d[0] for d in cur.description]
    return {r[names.index("id")]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}


def _every_value(store: Store) -> str:
    """Every value of every table of the store, as one text."""
    tables = store.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    return str([store.con.execute(f"SELECT * FROM {t}").fetchall() for (t,) in tables])


def _utc(date: str) -> datetime:
    return datetime.strptime(date, "%Y-%m-%d %H:%M:%S UTC")


def _submission(link: str) -> str:
    return link.split("/comments/")[1].split("/")[0]


def test_comments_and_posts_are_placed_in_time_threaded_and_owned(tmp_path):
    report, store = _store([EXPORT], tmp_path / "a.duckdb")
    with store:
        posts = _posts(store)
        everything = _every_value(store)
    comments, submissions = _rows("comments.csv"), _rows("posts.csv")
    deleted = [r for r in comments if r["body"] == "[deleted]"]
    deleted += [r for r in submissions if r["title"] == "[deleted by user]"]
    assert report["balanced"] and report["by_format"] == {"reddit_export": report["read"]}
    assert report["read"] == len(comments) + len(submissions)
    assert report["quarantined"] == len(deleted) == 2  # deleted on platform, never stored
    assert report["stored"] == len(posts) == report["read"] - len(deleted)
    # one owner, from statistics.csv, pseudonymised as the dump reader's author of that name
    key = load_key(tmp_path / "a.duckdb", create=False)
    assert {p["author"] for p in posts.values()} == {keyed_pseudonym(key, "reddit", OWNER)}
    assert OWNER not in everything  # no handle kept, not even in a profile's URL
    for row in comments:
        if row in deleted:
            continue
        post = posts["t1_" + row["id"]]
        assert post["platform"] == "reddit" and post["format"] == "reddit_export"
        assert post["text"] == row["body"]
        assert post["created_at"] == _utc(row["date"])
        parent = row["parent"]
        expected = (
            parent
            if parent.startswith(("t1_", "t3_"))
            else f"t1_{parent}"
            if parent
            else "t3_" + _submission(row["link"])
        )
        assert post["reply_to"] == expected
        if row["media"]:
            assert row["media"] in post["urls"]
        if f"u_{OWNER}" in row["permalink"]:  # the profile names the owner: handle-free form
            short = f"{_submission(row['link'])}/_/{row['id']}"
            assert post["url"] == f"https://www.reddit.com/comments/{short}/"
        else:  # the subreddit stays in the URL, as the dump reader keeps it
            assert post["url"] == row["permalink"] and f"/r/{row['subreddit']}/" in post["url"]
    for row in submissions:
        if row in deleted:
            continue
        post = posts["t3_" + row["id"]]
        body = f"\n\n{row['body']}" if row["body"] else ""
        assert post["text"] == row["title"] + body
        assert post["created_at"] == _utc(row["date"]) and post["reply_to"] is None
        if "reddit.com" not in row["url"]:  # a link post keeps its link
            assert post["urls"] == [row["url"]]
    assert posts["t1_dox1a2"]["hashtags"] == ["#metoo", "#believesurvivors"]


def test_private_and_other_parts_are_declined_and_never_read(tmp_path):
    report, store = _store([EXPORT], tmp_path / "a.duckdb")
    with store:
        everything = _every_value(store)
    skipped = {Path(s.split(" (")[0]).name: s for s in report["skipped_files"]}
    others = {p.name for p in EXPORT.iterdir()} - POST_PARTS
    assert set(skipped) == others
    assert all("Reddit data export" in why and "not read" in why for why in skipped.values())
    assert "private messages" in skipped["messages.csv"]
    assert "private chat" in skipped["chat_history.csv"]
    for marker in PRIVATE:
        assert marker not in everything
    assert report["files"] == len(POST_PARTS)


LINK = "https://www.reddit.com/r/SyntheticTalk/comments/7zzzzz/a_synthetic_thread/"
DATE = "2017-10-20 10:00:00 UTC"


def _row(rid: str, rest: str, date: str = DATE, ip: str = IPS[0]) -> str:
    """A comments.csv row: ``rest`` is its parent, body and media."""
    return f"{rid},,{date},{ip},SyntheticTalk,0,{LINK},{rest}"


def _records(name: str) -> list[str]:
    """The CSV's records as text, one per record (a quoted body may span lines)."""
    out: list[str] = []
    for line in (EXPORT / name).read_text(encoding="utf-8").splitlines():
        if out and out[-1].count('"') % 2:
            out[-1] += "\n" + line
        else:
            out.append(line)
    return out


def _between(bad: list | dict) -> list[str | bytes]:
    """The bad rows, each followed by a good one (so each stands alone)."""
    out: list[str | bytes] = []
    for n, row in enumerate(bad):
        out += [row, _row(f"dox7b{n}", f"t3_7zzzzz,Synthetic good row {n} after a bad one,")]
    return out


def _write(path: Path, records: list[str | bytes]) -> list[int]:
    """Write the records one after another; the physical line each starts on."""
    data = [r.encode() if isinstance(r, str) else r for r in records]
    starts, line = [], 1
    for record in data:
        starts.append(line)
        line += record.count(b"\n") + 1
    path.write_bytes(b"\n".join(data) + b"\n")
    return starts


def test_no_ip_address_reaches_the_store_even_from_bad_rows(tmp_path):
    """The ip column is kept nowhere: not in posts, not in the quarantine's raw bytes or reasons
    of rows gone bad (an unclosed quote, a wrong field count, a byte that is not UTF-8, a bad
    date, the address shifted into the date's column), not in the store's files."""
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder)
    header, first, *rest = _records("comments.csv")
    bad: list[str | bytes] = [
        _row("dox9a1", 't3_7zzzzz,"MARKER-UNCLOSED synthetic text whose quote never closes,'),
        _row("dox9a2", "t3_7zzzzz,MARKER-FIELDS one,field,too many,", ip=IPS[1]),
        _row("dox9a3", "t3_7zzzzz,MARKER-BYTE synthetic text,").encode() + b"\xff",
        _row("dox9a4", "t3_7zzzzz,MARKER-DATE synthetic text,", date="not a date"),
        f"dox9a5,,{IPS[0]},{DATE},SyntheticTalk,0,{LINK},t3_7zzzzz,MARKER-SHIFTED,",
    ]
    _write(folder / "comments.csv", [header, first, *_between(bad), *rest])
    report, store = _store([folder], tmp_path / "s.duckdb")
    with store:
        everything = _every_value(store)
        raws = b"".join(r for (r,) in store.con.execute("SELECT raw FROM quarantine").fetchall())
    assert report["balanced"] and report["quarantined"] == 2 + len(bad)
    with Store(tmp_path / "s.duckdb") as again:
        assert {f"t1_dox7b{n}" for n in range(len(bad))} <= set(_posts(again))
    for marker in (b"UNCLOSED", b"FIELDS", b"BYTE", b"DATE", b"SHIFTED"):
        assert b"MARKER-" + marker in raws  # the bad rows are kept...
    for ip in IPS:  # ...without their address, anywhere
        assert ip not in everything and ip not in str(report)
        for path in tmp_path.glob("s.duckdb*"):
            assert ip.encode() not in path.read_bytes(), path
    # the check can see text in the store's file: a stored comment's body is there
    assert b"Synthetic follow-up to my own reply" in (tmp_path / "s.duckdb").read_bytes()


def test_bad_rows_are_quarantined_with_their_line_and_every_good_row_after_is_stored(tmp_path):
    header, first, *rest = _records("comments.csv")
    bad = {
        _row("dox8a1", "t3_7zzzzz,synthetic text,", date="31 October 2017 at noon"): "not a time",
        _row("", "t3_7zzzzz,synthetic text without an id,"): "without id",
        _row("dox8a3", "not/a parent!,synthetic text,"): "names no post",
        _row("dox8a4", "t3_7zzzzz,synthetic,text,with,too,many,fields,"): "fields",
        _row("dox8a5", 't3_7zzzzz,"synthetic text whose quote never closes,'): "unclosed",
    }
    records = [header, first, *_between(bad), *rest]
    starts = _write(tmp_path / "comments.csv", records)
    report, store = _store([tmp_path / "comments.csv"], tmp_path / "s.duckdb")
    with store:
        posts = _posts(store)
        quarantined = dict(store.con.execute("SELECT line, reason FROM quarantine").fetchall())
    rows = _rows("comments.csv")
    assert report["balanced"]
    assert report["read"] == report["stored"] + report["quarantined"] == len(rows) + 2 * len(bad)
    expected = {starts[records.index(r)]: why for r, why in bad.items()}
    expected |= {
        starts[records.index(r)]: "deleted on platform" for r in rest if ",[deleted]," in r
    }
    assert set(quarantined) == set(expected)
    for line, why in expected.items():
        assert why in quarantined[line], (line, quarantined[line])
    kept = {"t1_" + r["id"] for r in rows if r["body"] != "[deleted]"}
    kept |= {f"t1_dox7b{n}" for n in range(len(bad))}
    assert kept == set(posts)  # every good row, before, between and after the bad ones
    assert {p["author"] for p in posts.values()} == {None}  # no statistics.csv beside it


def test_a_zipped_export_gives_the_same_store_and_finds_its_owner_in_a_folder(tmp_path):
    zipped = tmp_path / "export_synthetic_donor_17_20240201.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        for path in sorted(EXPORT.iterdir()):
            archive.write(path, f"export/{path.name}")
    folder, a = _store([EXPORT], tmp_path / "a.duckdb")
    (tmp_path / "b.duckdb.key").write_text((tmp_path / "a.duckdb.key").read_text())
    packed, b = _store([zipped], tmp_path / "b.duckdb")
    drop = ("source_file",)
    with a, b:
        one = {k: {c: v for c, v in p.items() if c not in drop} for k, p in _posts(a).items()}
        two = {k: {c: v for c, v in p.items() if c not in drop} for k, p in _posts(b).items()}
        assert one == two
        assert None not in {p["author"] for p in two.values()}
        assert all("!export/" in p["source_file"] for p in _posts(b).values())
    for key in ("read", "stored", "quarantined", "files", "balanced"):
        assert folder[key] == packed[key], key
    assert len(packed["skipped_files"]) == len(folder["skipped_files"])


def test_one_comments_file_alone_is_read_without_an_owner(tmp_path):
    shutil.copy(EXPORT / "comments.csv", tmp_path / "comments.csv")
    report, store = _store([tmp_path / "comments.csv"], tmp_path / "a.duckdb")
    with store:
        posts = _posts(store)
    assert report["balanced"] and report["stored"] == len(posts) == 7
    assert {p["author"] for p in posts.values()} == {None}
    assert posts["t1_dox1b3"]["reply_to"] == "t1_dox1a2"


def test_split_files_and_the_longer_comments_header_are_read(tmp_path):
    """Reddit splits large tables (comments_1.csv...) and some exports add two gildings
    columns; a BOM may open the file."""
    rows = _rows("comments.csv")
    header = [*rows[0], "gildings_silver", "gildings_supergold"]
    for part, chunk in ((1, rows[:4]), (2, rows[4:])):
        out = io.StringIO()
        writer = csv.DictWriter(out, header, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({**r, "gildings_silver": "0", "gildings_supergold": "0"} for r in chunk)
        (tmp_path / f"comments_{part}.csv").write_text("\ufeff" + out.getvalue(), "utf-8")
    shutil.copy(EXPORT / "statistics.csv", tmp_path / "statistics.csv")
    report, store = _store([tmp_path], tmp_path / "a.duckdb")
    with store:
        posts = _posts(store)
    assert report["balanced"] and report["files"] == 2
    assert report["stored"] == len(posts) == len(rows) - 1
    assert posts["t1_dox1f7"]["text"] == next(r["body"] for r in rows if r["id"] == "dox1f7")


@pytest.mark.parametrize(
    ("parent", "link", "expected"),
    [
        ("", "https://www.reddit.com/r/s/comments/abc12/a_title/", "t3_abc12"),
        ("t1_def34", "https://www.reddit.com/r/s/comments/abc12/a_title/", "t1_def34"),
        ("t3_abc12", "/r/s/comments/abc12/a_title/", "t3_abc12"),
        ("def34", "https://www.reddit.com/r/s/comments/abc12/a_title/", "t1_def34"),
        ("abc12", "https://www.reddit.com/r/s/comments/abc12/a_title/", "t3_abc12"),
        ("/r/s/comments/abc12/a_title/def34/", "", "t1_def34"),
        ("", "t3_abc12", "t3_abc12"),
        ("", "abc12", "t3_abc12"),
        ("", "", None),
    ],
)
def test_a_parent_in_each_form_names_what_it_replies_to(parent, link, expected):
    assert _parent_of(parent, _submission_of(link)) == expected


def test_a_parent_that_names_nothing_is_refused():
    with pytest.raises(ValueError, match="names no post"):
        _parent_of("not a parent!", "abc12")


@pytest.mark.parametrize("link", ["-1", "t1_def34", "2017-10-16 10:01:02 UTC", "\ufeffx!"])
def test_a_link_that_names_no_post_quarantines_its_comment(tmp_path, link):
    """A comment whose ``link`` named no submission was stored with neither thread nor parent,
    unseen; it is quarantined, naming the link, as a parent that names nothing is."""
    header = "id,permalink,date,ip,subreddit,gildings,link,parent,body,media"
    url = "https://www.reddit.com/r/s/comments/abc12/a_title/"
    rows = [f"def3{n},,2017-10-16 10:0{n}:00 UTC,,s,0,{url if n != 1 else link},,text {n},"
            for n in range(3)]  # fmt: skip
    path = tmp_path / "comments.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([path], store, progress=False).to_dict()
        ids = {r[0] for r in store.con.execute("SELECT id FROM posts").fetchall()}
        reasons = [r[0] for r in store.con.execute("SELECT reason FROM quarantine").fetchall()]
    assert report["balanced"] and report["quarantined"] == 1 and ids == {"t1_def30", "t1_def32"}
    assert len(reasons) == 1 and "names no post" in reasons[0]


def test_addresses_are_masked_and_times_are_not():
    assert masked(b"x,198.51.100.23,y 2001:db8::17.") == (
        b"x,[address removed],y [address removed]."
    )
    assert masked(b"2017-10-16 10:01:02 UTC, version 1.2.3") == (
        b"2017-10-16 10:01:02 UTC, version 1.2.3"
    )


def _detected(path: Path, readers: list) -> tuple[str | None, str | None]:
    source = Source(path)
    reader = detect(source, readers)
    return (reader.name if reader else None), source.skip_reason


def test_the_export_header_wins_over_the_generic_guess():
    readers = load_readers()
    for name in POST_PARTS:
        source = Source(EXPORT / name)
        assert GenericReader().sniff(Head(source, source.head())) >= 0.5  # it would read it
        assert detect(source, readers).name == "reddit_export"
    # a private part the generic reader would read as posts (an id and a text) is declined
    for name in ("messages.csv", "chat_history.csv", "drafts.csv"):
        source = Source(EXPORT / name)
        assert GenericReader().sniff(Head(source, source.head())) >= 0.5
        assert detect(source, readers) is None and "Reddit data export" in source.skip_reason


def test_a_renamed_messages_file_is_still_declined_and_another_apps_is_not(tmp_path):
    readers = load_readers()
    shutil.copy(EXPORT / "messages.csv", tmp_path / "messages_2.csv")
    assert _detected(tmp_path / "messages_2.csv", readers)[0] is None
    # a forum's own messages.csv (an id and a body, nothing of Reddit's): read as before
    (tmp_path / "messages.csv").write_text("id,body\n1,synthetic forum text\n", "utf-8")
    assert _detected(tmp_path / "messages.csv", readers) == ("generic", None)


def test_other_formats_tables_are_detected_as_before():
    """Every CSV or TSV of the other formats (the repo's fixtures and the real samples) is
    detected, or declined, exactly as without this reader."""
    readers = load_readers()
    without = [r for r in readers if r.name != "reddit_export"]
    paths = [
        p
        for p in sorted(FIXTURES.rglob("*"))
        if p.suffix in (".csv", ".tsv") and "reddit_export" not in p.parts
    ]
    if FORMATS.is_dir():
        paths += sorted(p for p in FORMATS.rglob("*") if p.suffix in (".csv", ".tsv"))
    assert len(paths) >= 10
    for path in paths:
        assert _detected(path, readers) == _detected(path, without), path
        assert _detected(path, readers)[0] != "reddit_export", path
