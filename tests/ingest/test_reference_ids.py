"""Every Twitter/X reader checks a tweet's own id and the ids of the tweets it replies to, quotes
or retweets by the same rule (``fields.tweet_id`` / ``fields.ref_tweet_id``): a handle
(``@JaneQSecret``), a spreadsheet's ``1.2e+18``, a negative number or more than 20 digits names no
tweet, so the tweet is quarantined with a reason that names the field; the tweet after it in the
file is stored as before. These readers stored such ids (more than 20 digits in the twarc/minet
CSV, the account archive, snscrape, twint, the DocNow tables, TCAT and 4CAT) or dropped the link
silently (a reply id of the archive, snscrape, the DocNow tables; a quote of snscrape, twint and
4CAT). Rows are built in the test from the repo's hand-written fixtures, in each tool's shape.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from fast_slow import assert_fast_equals_slow
from groundswell.store import Store, ingest
from gspaths import FIXTURES

BAD = ["@JaneQSecret", "1.2e+18", "-5", "1" * 21]
ARCHIVE_HEAD = "window.YTD.tweets.part0 = "
SNSCRAPE_REF = "snscrape.modules.twitter.TweetRef"

# a builder writes its file under a folder with one record changed (``value`` None: none) and
# returns the file and the id of the record after the changed one
Build = Callable[[Path, "str | None"], tuple[Path, str]]


def _table(src: Path, delimiter: str, index: int, column: str, after: int) -> Build:
    """A CSV (or tab-separated) table of ``src`` whose row ``index`` has ``column`` set; the
    row ``after`` rows on is the next one the fixture's reader stores."""

    def build(folder: Path, value: str | None) -> tuple[Path, str]:
        with open(src, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh, delimiter=delimiter)
            header = list(reader.fieldnames or ())
            rows = [{k: v or "" for k, v in r.items() if k is not None} for r in reader]
        if value is not None:
            rows[index][column] = value
        out = io.StringIO()
        writer = csv.DictWriter(out, header, delimiter=delimiter, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        path = folder / src.name
        path.write_text(out.getvalue(), encoding="utf-8")
        return path, rows[index + after]["id"]

    return build


def _lines(src: Path, index: int, change: Callable[[dict, str], None]) -> Build:
    """JSON lines of ``src`` (a damaged line kept as it is) whose line ``index`` is changed."""

    def build(folder: Path, value: str | None) -> tuple[Path, str]:
        lines = src.read_text(encoding="utf-8").splitlines()
        if value is not None:
            record = json.loads(lines[index])
            change(record, value)
            lines[index] = json.dumps(record)
        path = folder / src.name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path, str(json.loads(lines[index + 1])["id"])

    return build


def _archive(index: int, fields: tuple[str, ...]) -> Build:
    """An account archive's ``tweets.js`` whose tweet ``index`` has ``fields`` set."""

    def build(folder: Path, value: str | None) -> tuple[Path, str]:
        text = (FIXTURES / "twitter_archive" / "data" / "tweets.js").read_text(encoding="utf-8")
        items = json.loads(text.removeprefix(ARCHIVE_HEAD).rstrip().rstrip(";"))
        if value is not None:
            items[index]["tweet"].update(dict.fromkeys(fields, value))
        path = folder / "data" / "tweets.js"
        path.parent.mkdir(exist_ok=True)
        path.write_text(ARCHIVE_HEAD + json.dumps(items, indent=2), encoding="utf-8")
        return path, items[index + 1]["tweet"]["id_str"]

    return build


def _set(key: str) -> Callable[[dict, str], None]:
    return lambda record, value: record.__setitem__(key, value)


def _quoting(record: dict, value: str) -> None:
    record["quotedTweet"] = {"_type": SNSCRAPE_REF, "id": value}


def _retweeting(record: dict, value: str) -> None:
    record["retweetedTweet"] = {**record, "id": value}


SNSCRAPE = FIXTURES / "snscrape" / "twitter-search.jsonl"
TWINT = FIXTURES / "twint"
HYDRATOR = FIXTURES / "hydrator" / "metoo-hydrated.csv"
HYDRATOR_2020 = FIXTURES / "hydrator" / "hydrated-2020.csv"
JSON2CSV = FIXTURES / "json2csv" / "metoo-tweets.csv"
TCAT = FIXTURES / "tcat" / "metoo-20171016-fullExport-mentions_hashtags.csv"
FOURCAT = (
    FIXTURES / "fourcat" / "xtwitter-via-zeeschuimer-dataset-a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5.csv"
)


def _csv(src: Path, index: int, column: str, delimiter: str = ",", after: int = 1) -> Build:
    return _table(src, delimiter, index, column, after)


# (the reader and field, how its file is built, the words the reason names the field by)
CASES: dict[str, tuple[Build, str]] = {
    "twarc csv id": (_csv(FIXTURES / "twitter" / "twarc_csv_sample.csv", 0, "id"), "tweet id"),
    "minet csv id": (_csv(FIXTURES / "twitter" / "minet_sample.csv", 0, "id"), "tweet id"),
    "archive id": (_archive(0, ("id_str", "id")), "tweet id"),
    "archive reply": (
        _archive(0, ("in_reply_to_status_id_str", "in_reply_to_status_id")),
        "in_reply_to_status_id_str",
    ),
    "snscrape id": (_lines(SNSCRAPE, 0, _set("id")), "tweet id"),
    "snscrape reply": (_lines(SNSCRAPE, 0, _set("inReplyToTweetId")), "inReplyToTweetId"),
    "snscrape quote": (_lines(SNSCRAPE, 0, _quoting), "quotedTweet id"),
    "snscrape retweet": (_lines(SNSCRAPE, 0, _retweeting), "retweetedTweet id"),
    "twint json id": (_lines(TWINT / "tweets.json", 0, _set("id")), "(id"),
    "twint json retweet": (_lines(TWINT / "tweets.json", 2, _set("retweet_id")), "retweet_id"),
    "twint json quote_id": (_lines(TWINT / "tweets.json", 0, _set("quote_id")), "quote_id"),
    "twint json quote_url": (
        _lines(
            TWINT / "tweets.json",
            1,
            lambda r, v: r.__setitem__("quote_url", f"https://twitter.com/x/status/{v}"),
        ),
        "quote_url status id",
    ),
    "twint csv id": (_csv(TWINT / "tweets_tab.csv", 0, "id", "\t"), "(id"),
    "twint csv retweet (API era)": (
        _csv(TWINT / "tweets_tab.csv", 1, "retweet_id", "\t", after=2),
        "retweet_id",
    ),
    "twint csv retweet (pages era)": (_csv(TWINT / "tweets.csv", 2, "retweet_id"), "retweet_id"),
    "hydrator id": (_csv(HYDRATOR, 0, "id"), "tweet id"),
    "hydrator reply": (_csv(HYDRATOR, 1, "in_reply_to_status_id"), "in_reply_to_status_id"),
    "hydrator retweet": (_csv(HYDRATOR, 2, "retweet_id"), "retweet_id"),
    "hydrator quote": (_csv(HYDRATOR, 1, "quote_id"), "quote_id"),
    "hydrator 2020 reply": (
        _csv(HYDRATOR_2020, 1, "in_reply_to_status_id"),
        "in_reply_to_status_id",
    ),
    "hydrator 2020 retweet": (_csv(HYDRATOR_2020, 0, "reweet_id"), "reweet_id"),
    "json2csv id": (_csv(JSON2CSV, 0, "id"), "tweet id"),
    "json2csv reply": (_csv(JSON2CSV, 1, "in_reply_to_status_id"), "in_reply_to_status_id"),
    "json2csv retweet": (_csv(JSON2CSV, 2, "retweet_or_quote_id"), "retweet_or_quote_id"),
    "json2csv quote": (_csv(JSON2CSV, 3, "retweet_or_quote_id", after=2), "retweet_or_quote_id"),
    "tcat id": (_csv(TCAT, 0, "id"), "tweet id"),
    "tcat reply": (_csv(TCAT, 1, "in_reply_to_status_id"), "in_reply_to_status_id"),
    "tcat quote": (_csv(TCAT, 3, "quoted_status_id"), "quoted_status_id"),
    "4cat id": (_csv(FOURCAT, 0, "id"), "tweet id"),
    "4cat quote": (_csv(FOURCAT, 2, "quote_tweet_id"), "quote_tweet_id"),
}


def _ingest(path: Path, db: Path) -> tuple[object, set[str], set[str], list[str]]:
    """The report, the ids stored (posts and reposts), every id and link they hold, and the
    quarantine's reasons."""
    with Store(db) as store:
        report = ingest([path], store, progress=False)
        rows = store.con.execute(
            "SELECT id, reply_to, quote_of FROM posts UNION ALL SELECT id, repost_of, NULL "
            "FROM reposts"
        ).fetchall()
        reasons = [r[0] for r in store.con.execute("SELECT reason FROM quarantine").fetchall()]
    return report, {r[0] for r in rows}, {v for r in rows for v in r if v}, reasons


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize("case", CASES)
def test_an_id_that_names_no_tweet_quarantines_its_tweet(tmp_path, case, value):
    build, field = CASES[case]
    (tmp_path / "base").mkdir()
    (tmp_path / "bad").mkdir()
    path, after = build(tmp_path / "base", None)
    base, base_ids, _, _ = _ingest(path, tmp_path / "base.duckdb")
    assert after in base_ids
    path, _ = build(tmp_path / "bad", value)
    report, ids, kept, reasons = _ingest(path, tmp_path / "bad.duckdb")
    assert report.balanced and report.quarantined == base.quarantined + 1, reasons
    assert any(f"{field} {value!r}" in r for r in reasons), reasons
    assert value not in kept and value.lstrip("@") not in kept  # no id or link holds it
    assert after in ids  # the tweet after it is stored as before


def _flat(n: int, refs: list[dict] | None = None) -> dict:
    """A ``twarc2 flatten`` line (the shape of twarc's own flat.jsonl)."""
    tid = str(1380242611781386245 + n)
    return {
        "id": tid,
        "text": f"#MeToo post {n}",
        "author_id": str(2718660392 + n % 3),
        "author": {"id": str(2718660392 + n % 3), "username": f"writer{n % 3}"},
        "conversation_id": tid,
        "created_at": "2021-04-08T19:34:16.000Z",
        "lang": "en",
        "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": n, "quote_count": 0},
        **({"referenced_tweets": refs} if refs is not None else {}),
    }


@pytest.mark.parametrize("kind", ["replied_to", "quoted", "retweeted", "original's reply"])
def test_a_v2_reference_with_spaces_is_stored_as_its_digits(tmp_path, monkeypatch, kind):
    """The streaming reader stored ``" 1380175475545362437 "`` with its spaces; the columnar
    fast path, which hands such a line to the reader, leaves the same store."""
    rid = "1380175475545362437"
    ref = {"type": kind, "id": f" {rid} "}
    if kind not in ("replied_to", "quoted"):  # flatten writes the original into its ref
        ref = {**_flat(-1), "type": "retweeted", "id": f" {rid} "}
        del ref["author"], ref["conversation_id"]
        if kind == "original's reply":  # the original replies; it is retweeted by its id
            ref["id"] = "1380242611781386244"
            ref["referenced_tweets"] = [{"type": "replied_to", "id": f" {rid} "}]
    lines = [_flat(n) for n in range(40)]
    lines[20] = _flat(20, [ref])
    path = tmp_path / "flat.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in lines), encoding="utf-8")
    rows = assert_fast_equals_slow(tmp_path, monkeypatch, [path])
    links = [v for r in rows["posts"] + rows["reposts"] for v in r if isinstance(v, str)]
    assert rid in links and f" {rid} " not in links
    stored = {r[1] for r in rows["posts"] + rows["reposts"]}  # (platform, id, ...)
    assert lines[21]["id"] in stored and not rows["quarantine"]
