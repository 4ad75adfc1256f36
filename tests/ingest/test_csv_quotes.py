"""An unclosed quote in one CSV row is that row's problem only: it is quarantined and the rows it
would have swallowed into its text field are read, in every CSV format."""

from __future__ import annotations

import csv
import io
import re

import pytest

from groundswell.ingest.csv_rows import iter_csv_rows
from groundswell.ingest.source import Source
from groundswell.store import Store, ingest
from gspaths import FIXTURES


def _header(path) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as fh:
        return next(csv.reader(fh))


def _twarc(i: int, text: str) -> dict:
    return {
        "id": str(1500 + i),
        "created_at": "2022-03-08T09:15:02.000Z",
        "text": text,
        "author_id": "44",
        "author.username": "mira",
    }


def _twitwi(i: int, text: str) -> dict:
    return {
        "id": str(9200 + i),
        "timestamp_utc": "1508150000",
        "user_screen_name": "c",
        "text": text,
    }


def _generic(i: int, text: str) -> dict:
    return {"post_id": f"f-{i}", "posted": "2018-02-03 08:15:00+01:00", "user": "u", "body": text}


def _ct(i: int, text: str) -> dict:
    return {
        "Page Name": "Riverside",
        "Facebook Id": "318",
        "Post Created": "2017-10-16 09:12:44 EDT",
        "URL": f"https://www.facebook.com/riverside/posts/{700 + i}",
        "Message": text,
    }


def _bsky(i: int, text: str) -> dict:
    return {
        "cid": f"c{i}",
        "uri": f"at://did:plc:aaaa/app.bsky.feed.post/3k{i}",
        "user_did": "did:plc:aaaa",
        "timestamp_utc": "1729087200",
        "text": text,
    }


FORMATS = {
    "twarc_csv": (FIXTURES / "twitter" / "twarc_csv_sample.csv", _twarc, "text"),
    "twitwi": (FIXTURES / "twitter" / "minet_sample.csv", _twitwi, "text"),
    "generic": (FIXTURES / "generic" / "forum_posts.csv", _generic, "body"),
    "crowdtangle": (FIXTURES / "crowdtangle" / "facebook_page_posts.csv", _ct, "Message"),
    "bluesky_csv": (FIXTURES / "bluesky" / "posts_export.csv", _bsky, "text"),
}
TEXTS = ["first post", "BROKEN row", "plain third", 'with "quotes", commas', "two\nlines", "last"]


def _file(name: str) -> bytes:
    fixture, row, _ = FORMATS[name]
    out = io.StringIO()
    writer = csv.DictWriter(out, _header(fixture), lineterminator="\n")
    writer.writeheader()
    writer.writerows(row(i, text) for i, text in enumerate(TEXTS, start=1))
    # open a quote at the start of row 2's text field and never close it
    return re.sub(r"(^|,)BROKEN row", r'\1"BROKEN row', out.getvalue(), flags=re.M).encode()


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_unclosed_quote_quarantines_one_row_and_salvages_the_rest(tmp_path, store: Store, name):
    path = tmp_path / f"{name}.csv"
    path.write_bytes(_file(name))
    report = ingest([path], store)
    assert report.balanced and report.quarantined == 1, report.errors
    ((line, reason, raw),) = store.con.execute(
        "SELECT line, reason, raw FROM quarantine"
    ).fetchall()
    assert line == 3 and "unclosed quote" in reason and b"BROKEN" in raw
    texts = {r[0] for r in store.con.execute("SELECT text FROM posts").fetchall()}
    assert {"first post", "plain third", 'with "quotes", commas', "two\nlines", "last"} <= texts


def test_a_legitimate_quoted_newline_is_one_row(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('a,b,c,d\n1,"x\n2,y,z,w\n3",q,r\n4,five,six,seven\n')
    rows = [r for r in iter_csv_rows(Source(path), "t")]
    # the middle line looks like a row but the quote closes on the next line with a bad shape
    assert rows[-1] == (5, ["4", "five", "six", "seven"])


def test_quote_open_to_end_of_file_salvages_following_rows(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('a,b\n1,"never closed\n2,two\n3,three\n')
    rows = list(iter_csv_rows(Source(path), "t"))
    assert rows[0] == (1, ["a", "b"]) and rows[1].line == 2
    assert rows[2:] == [(3, ["2", "two"]), (4, ["3", "three"])]
