"""4CAT datasets as downloaded: the CSV of a dataset's mapped items (X via the API and via
Zeeschuimer, Telegram, Reddit, Bluesky, TikTok comments, and 4chan and a custom upload made by
the tests) and the JSON of its "Convert to JSON" processor.

The fixtures under tests/data/fourcat are synthetic, written in the columns each datasource's
``map_item`` gives (4CAT's own code, read at github.com/digitalmethodsinitiative/4cat) and with
its CSV writers' line endings. Expected values are read from the raw files with the csv module by
the test itself. The exports of the same posts as other readers' fixtures (TCAT, Telegram Desktop,
Reddit dumps, twitwi's Bluesky CSV) are made here from those fixtures, as 4CAT maps them.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from groundswell.cli import main
from groundswell.ingest import iter_records
from groundswell.ingest.registry import detect, load_readers
from groundswell.ingest.source import sources_from_path
from groundswell.schema import Post, Quarantined
from groundswell.store import Store, ingest
from gspaths import FIXTURES, fixtures_claimed_by

FOLDER = FIXTURES / "fourcat"
X = FOLDER / "metoo-5d1e0c3b9a7f4e2d8c6b1a0f9e8d7c6b.csv"
ZEESCHUIMER = FOLDER / "xtwitter-via-zeeschuimer-dataset-a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5.csv"
TELEGRAM = FOLDER / "synthetic-voices-7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b.csv"
REDDIT = FOLDER / "metoo-0f1e2d3c4b5a69788796a5b4c3d2e1f0.csv"
BLUESKY = FOLDER / "metoo-c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8.csv"
TIKTOK = FOLDER / "tiktok-comments-dataset-1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d.csv"
KEY = "0123456789abcdef0123456789abcdef"  # a dataset key, for the files the tests write


def _raw(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    """A CSV as 4CAT's download writes it (``csv.DictWriter``, CRLF)."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: r.get(k, "") for k in header} for r in rows)
    return path


def _epoch(value: str) -> datetime:
    return datetime.fromtimestamp(int(value), UTC)


def _posts(path: Path, **options) -> list[Post]:
    records = list(iter_records([path], options=options or None))
    assert all(isinstance(r, Post) and r.format == "fourcat" for r in records), records
    return records  # type: ignore[return-value]


def _line(rec: Post | Quarantined) -> int:
    return rec.source_line if isinstance(rec, Post) else rec.line


def test_x_via_the_api():
    raw = _raw(X)
    posts = _posts(X)
    assert [p.id for p in posts] == [r["id"] for r in raw]
    assert {p.platform for p in posts} == {"twitter"}
    first, reply, retweet, quote, later, last = posts
    row = raw[0]
    assert first.text == row["body"].replace("&amp;", "&")  # the API's escaping undone
    assert first.created_at == _epoch(row["unix_timestamp"])
    assert first.created_at.strftime("%Y-%m-%d %H:%M:%S") == row["timestamp"]  # both UTC
    assert (first.author, first.author_name) == (row["author_id"], row["author"])
    assert first.url == row["link"] and first.lang == row["language_guess"] == "en"
    assert first.metrics == {
        k: int(row[k])
        for k in (
            "retweet_count",
            "reply_count",
            "like_count",
            "quote_count",
            "impression_count",
            "bookmark_count",
        )
    }
    # a reply: 4CAT names the replied account, not the tweet, and the conversation
    assert raw[1]["is_reply"] == "yes" and raw[1]["thread_id"] == row["id"]
    assert reply.reply_to is None and reply.mentions == [raw[1]["mentions"]]
    # a retweet: a repost of an original the export does not name, as in TCAT's export
    assert raw[2]["is_retweet"] == "yes" and retweet.repost_of == "unknown"
    assert quote.repost_of is None and quote.urls == [raw[3]["urls"]]
    # a field 4CAT listed in missing_fields is its default (0), not a count
    assert raw[4]["missing_fields"] == "impression_count" and raw[4]["impression_count"] == "0"
    assert "impression_count" not in later.metrics and later.hashtags == ["#timesup", "#metoo"]
    assert later.text == raw[4]["body"] and "\n" in later.text
    assert last.text == raw[5]["body"]


def test_x_via_zeeschuimer():
    raw = _raw(ZEESCHUIMER)
    posts = _posts(ZEESCHUIMER)
    assert [(p.platform, p.id) for p in posts] == [("twitter", r["id"]) for r in raw]
    quoting, retweet = posts[2], posts[3]
    assert quoting.quote_of == raw[2]["quote_tweet_id"] == raw[0]["id"]
    assert quoting.hashtags == ["#metoo", "#iwd2024"]
    assert retweet.repost_of == "unknown" and "impression_count" not in retweet.metrics


def test_telegram():
    raw = _raw(TELEGRAM)
    posts = _posts(TELEGRAM)
    chat = raw[0]["thread_id"]
    key = raw[0]["author"]  # the channel's id, as a Desktop export keys its messages
    assert [p.id for p in posts] == [f"{key}/{r['id'].rpartition('-')[2]}" for r in raw]
    assert {p.platform for p in posts} == {"telegram"}
    first, _, reply, forwarded = posts
    # the server's local ``timestamp`` is two hours off; ``unix_timestamp`` is the time
    assert first.created_at == _epoch(raw[0]["unix_timestamp"])
    assert first.created_at.strftime("%Y-%m-%d %H:%M:%S") != raw[0]["timestamp"]
    # the channel posted (its sender's username is the chat's): the channel is the author
    assert first.author == f"channel{raw[0]['author']}" and first.author_name == chat
    assert reply.reply_to == f"{key}/{raw[2]['reply_to']}" == posts[1].id
    assert reply.mentions == ["synthetic_helpline"]
    assert forwarded.metrics["forwarded"] == 1 and forwarded.urls == [raw[3]["link_attached"]]
    assert first.metrics == {"views": int(raw[0]["views"])}


def test_telegram_sender_in_a_group_and_the_old_bare_message_id(tmp_path):
    header = list(_raw(TELEGRAM)[0])
    rows = [dict(r) for r in _raw(TELEGRAM)[:2]]
    rows[0].update(author="1700000042", author_username="synthetic_member")
    rows[1].update(id="11")  # 4CAT's ids to September 2025 were the message number alone
    path = _write(tmp_path / f"synthetic-voices-{KEY}.csv", header, rows)
    member, channel = _posts(path)
    assert (member.author, member.author_name) == ("user1700000042", "synthetic_member")
    assert channel.id == "1700000001/11"


def test_reddit():
    raw = _raw(REDDIT)
    records = list(iter_records([REDDIT]))
    assert [getattr(r, "id", None) for r in records] == [
        "t3_7synth1",
        "t1_dosynth2",
        "t1_dosynth3",
        None,
        "t3_7synth5",
    ]
    op, comment, answer, deleted, link = records
    assert op.platform == "reddit" and op.text == f"{raw[0]['subject']}\n\n{raw[0]['body']}"
    assert op.urls == []  # a self post links to nothing
    assert comment.reply_to == raw[1]["parent"] == op.id
    assert answer.reply_to == raw[2]["parent"] == comment.id
    assert answer.metrics == {"score": -2}  # votes below zero are real
    assert isinstance(deleted, Quarantined) and deleted.reason == "deleted on platform"
    assert deleted.line == 7 and b"dosynth4" in deleted.raw  # the first body spans 3 lines
    assert link.text == raw[4]["subject"] and link.urls == [raw[4]["url"]]
    assert op.created_at == _epoch(raw[0]["unix_timestamp"])


def test_bluesky():
    raw = _raw(BLUESKY)
    posts = _posts(BLUESKY)
    assert [p.id for p in posts] == [r["id"] for r in raw]
    root, reply, answer, quoting = posts
    assert (root.author, root.author_name) == (raw[0]["author_id"], raw[0]["author"])
    assert root.created_at == datetime.fromisoformat(raw[0]["created_at"])
    assert root.created_at == _epoch(raw[0]["timestamp"])  # the datasource's epoch
    # the parent is the thread's root: its record key says so
    assert reply.reply_to == raw[1]["thread_id"] == root.id
    # the parent's handle was shown with its DID on an earlier row
    assert answer.reply_to == reply.id
    # a quoted post linked by DID
    assert quoting.quote_of == root.id and quoting.reply_to is None
    assert quoting.hashtags == ["#metoo", "#bsky"] and quoting.lang == "en"
    assert quoting.metrics == {k: int(raw[3][k]) for k in quoting.metrics}
    assert set(quoting.metrics) == {"like_count", "quote_count", "reply_count", "repost_count"}


def test_a_bluesky_parent_whose_did_is_unknown_is_left_out(tmp_path):
    raw = _raw(BLUESKY)
    header = list(raw[0])
    path = _write(tmp_path / f"metoo-{KEY}.csv", header, [raw[2]])  # its parent's row is gone
    (answer,) = _posts(path)
    assert answer.reply_to is None


def test_tiktok_comments():
    raw = _raw(TIKTOK)
    top, reply = _posts(TIKTOK)
    assert (top.platform, top.id, top.author) == ("tiktok", raw[0]["id"], raw[0]["author"])
    assert top.reply_to == raw[0]["post_id"]  # the video
    assert reply.reply_to == raw[1]["thread_id"] == top.id  # the comment it answers
    assert top.url == raw[0]["comment_url"] and top.hashtags == ["#metoo"]


def test_fourchan(tmp_path):
    header = "thread_id id timestamp board body subject author image_file image_4chan image_md5"
    header += " country_name country_code timestamp_deleted unix_timestamp"
    base = {"timestamp": "2017-10-16 20:00:00", "unix_timestamp": "1508184000", "board": "adv"}
    rows = [
        {**base, "thread_id": "9001", "id": "9001", "subject": "[synthetic] advice thread",
         "body": "[synthetic] how do I support a friend? #metoo", "author": "Anonymous"},
        {**base, "thread_id": "9001", "id": "9002", "body": "[synthetic] listen first",
         "author": "Anonymous"},
        {**base, "thread_id": "9001", "id": "9003", "body": ">>9002\n[synthetic] this",
         "author": "synthetic_trip"},
    ]  # fmt: skip
    path = _write(tmp_path / f"metoo-{KEY}.csv", header.split(), rows)
    op, answer, quoting = _posts(path)
    assert {p.platform for p in (op, answer, quoting)} == {"4chan"}
    assert [p.id for p in (op, answer, quoting)] == ["adv/9001", "adv/9002", "adv/9003"]
    assert op.text.startswith("[synthetic] advice thread\n\n") and op.reply_to is None
    assert op.author is None  # "Anonymous" is everyone
    assert answer.reply_to == "adv/9001" and quoting.reply_to == "adv/9002"
    assert quoting.author == "synthetic_trip"


_CUSTOM = ["id", "thread_id", "author", "body", "timestamp"]  # 4CAT's custom CSV upload
_ROW = {"id": "p1", "thread_id": "p1", "author": "synthetic_user", "timestamp": "2018-02-03 08:15"}


@pytest.mark.parametrize(
    ("name", "options", "extra", "platform"),
    [
        (f"forum-posts-{KEY}.csv", {}, {}, "4cat"),  # nothing tells: the documented fallback
        (f"tiktok-dataset-{KEY}.csv", {}, {}, "tiktok"),  # a Zeeschuimer import's file name
        (f"forum-posts-{KEY}.csv", {"platform": "forum"}, {}, "forum"),  # --platform
        (
            f"forum-posts-{KEY}.csv",
            {},
            {"collected_from_url": "https://www.instagram.com/explore/tags/metoo/"},
            "instagram",
        ),  # the host of the item's own link
        (
            f"dataset-{KEY}.csv",
            {"platform": "forum"},
            {"subreddit": "synthetic_support"},
            "reddit",
        ),  # columns beat the option
    ],
)
def test_the_platform_of_items_no_column_names(tmp_path, name, options, extra, platform):
    row = {**_ROW, "body": "[synthetic] a custom upload #MeToo", **extra}
    path = _write(tmp_path / name, [*_CUSTOM, *extra], [row])
    (post,) = _posts(path, **options)
    assert post.platform == platform
    if platform != "reddit":
        assert (post.id, post.author, post.reply_to) == ("p1", "synthetic_user", None)
        assert post.created_at == datetime(2018, 2, 3, 8, 15, tzinfo=UTC)


def test_anonymised_and_pseudonymised_authors(tmp_path):
    raw = _raw(X)[:2]
    raw[0].update(author="REDACTED", author_id="REDACTED", author_fullname="REDACTED")
    hashed = "9f" * 24  # 4CAT's salted blake2b, 24 bytes
    raw[1].update(author=hashed, author_id=hashed)
    path = _write(tmp_path / f"metoo-{KEY}.csv", list(raw[0]), raw)
    anonymised, pseudonymised = _posts(path)
    assert (anonymised.author, anonymised.author_name) == (None, None)
    assert (pseudonymised.author, pseudonymised.author_name) == (hashed, hashed)


def test_an_old_x_export_names_the_replied_account_in_reply_to(tmp_path):
    header = "id thread_id timestamp unix_timestamp subject body author author_fullname "
    header += "author_id source language_guess possibly_sensitive is_retweet is_quote_tweet "
    header += "is_reply hashtags urls mentions reply_to"  # the columns of 2021
    row = {**_raw(X)[1], "reply_to": "synthetic_ana"}
    path = _write(tmp_path / f"metoo-{KEY}.csv", header.split(), [row])
    (reply,) = _posts(path)
    assert reply.platform == "twitter" and reply.reply_to is None


def _damaged(tmp_path: Path) -> tuple[Path, list[str]]:
    """The X export with bad rows among the good: a time that is no time, an empty id, an id a
    spreadsheet rounded, an unclosed quote (its line and the next are read again as rows)."""
    lines = X.read_bytes().split(b"\r\n")
    header, rows = lines[0], [ln for ln in lines[1:] if ln]
    bad_time = rows[1].replace(b"2017-10-16 09:40:05,1508146805", b"2017-13-45 99:00:00,soon")
    no_id = b"," + rows[2].split(b",", 1)[1]
    rounded = b"1.9E+18," + rows[3].split(b",", 1)[1]
    unclosed = b'1900000000000000199,"1900000000000000199,2017-10-16 12:00:00,1508155200'
    body = [rows[0], bad_time, rows[2], no_id, unclosed, rows[3], rounded, rows[4], rows[5]]
    path = tmp_path / f"metoo-{KEY}.csv"
    path.write_bytes(b"\r\n".join([header, *body]) + b"\r\n")
    good = [r["id"] for r in _raw(X) if r["id"] != _raw(X)[1]["id"]]
    return path, good


def test_bad_rows_are_quarantined_with_their_line_and_reading_goes_on(tmp_path):
    path, good = _damaged(tmp_path)
    records = list(iter_records([path]))
    assert [(type(r).__name__, _line(r)) for r in records] == [
        ("Post", 2),
        ("Quarantined", 3),  # its timestamp is no time
        ("Post", 4),
        ("Quarantined", 5),  # no id
        ("Quarantined", 6),  # the unclosed quote
        ("Post", 7),
        ("Quarantined", 8),  # an id a spreadsheet rounded
        ("Post", 9),  # its body spans two lines
        ("Post", 11),
    ]
    reasons = [r.reason for r in records if isinstance(r, Quarantined)]
    assert "is not a time" in reasons[0] and "without id" in reasons[1]
    assert "unclosed quote" in reasons[2] and "not a whole number" in reasons[3]
    assert [r.id for r in records if isinstance(r, Post)] == good


def test_bad_rows_in_the_store_keep_the_run_balanced(store, tmp_path):
    path, good = _damaged(tmp_path)
    report = ingest([path, TELEGRAM, REDDIT, BLUESKY, TIKTOK, ZEESCHUIMER], store)
    assert report.balanced and report.by_format == {"fourcat": report.read}
    assert report.quarantined == 5  # four bad rows and Reddit's deleted comment
    assert report.reposts == 2  # the two retweets
    lines = store.con.execute(
        "SELECT source_file, line FROM quarantine WHERE source_file LIKE ? ORDER BY line",
        [f"%{path.name}"],
    ).fetchall()
    assert [line for _, line in lines] == [3, 5, 6, 8]
    both = "SELECT id FROM posts UNION SELECT id FROM reposts"
    ids = {r[0] for r in store.con.execute(both).fetchall()}
    assert set(good) <= ids


def test_the_json_of_convert_to_json_and_json_lines(tmp_path):
    """4CAT's "Convert to JSON" writes the items as a JSON array (numbers as numbers); JSON lines
    of them read alike."""
    from_csv = _posts(TELEGRAM)
    items = [
        {k: int(v) if k in ("unix_timestamp", "views") else v for k, v in r.items()}
        for r in _raw(TELEGRAM)
    ]
    array = tmp_path / f"synthetic-voices-{KEY}.json"
    array.write_text(json.dumps(items), encoding="utf-8")
    lines = tmp_path / f"synthetic-voices-{KEY}.ndjson"
    lines.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    for path in (array, lines):
        posts = _posts(path)
        assert [(p.platform, p.id, p.created_at, p.reply_to, p.metrics) for p in posts] == [
            (p.platform, p.id, p.created_at, p.reply_to, p.metrics) for p in from_csv
        ]
    bad = tmp_path / f"items-{KEY}.json"
    bad.write_text(json.dumps([items[0], "garbage", {**items[1], "id": ""}, items[2]]), "utf-8")
    records = list(iter_records([bad]))
    assert [(type(r).__name__, _line(r)) for r in records] == [
        ("Post", 1),
        ("Quarantined", 2),
        ("Quarantined", 3),
        ("Post", 4),
    ]


# -- the same posts exported by 4CAT and by another tool are stored once ------------------------
def _same_posts(store: Store, native: list[Path], fourcat: Path) -> None:
    """Ingest the native export, then 4CAT's of the same posts: nothing new, and each post's
    author is keyed as the native reader keyed it."""
    first = ingest(native, store)
    assert first.balanced and first.stored > 0
    stored = dict(store.con.execute("SELECT id, author FROM posts").fetchall())
    records = list(iter_records([fourcat]))
    posts = [r for r in records if isinstance(r, Post)]
    again = ingest([fourcat], store)
    assert again.balanced and again.by_format == {"fourcat": len(records)}
    assert (again.stored, again.duplicates) == (0, len(posts))
    assert again.quarantined == len(records) - len(posts)  # deleted on platform, as natively
    for post in posts:
        assert store.pseudonym(post.platform, post.author) == stored[post.id], post.id


def test_x_export_of_tcat_tweets_is_stored_once(store, tmp_path):
    tcat = FIXTURES / "tcat" / "metoo-20171016-fullExport-mentions_hashtags.csv"
    with open(tcat, newline="", encoding="utf-8-sig") as fh:
        rows = [r for r in csv.DictReader(fh) if r["from_user_id"] and r["text"][:3] != "RT "]
    header = _raw(X)[0].keys()
    items = [
        {
            "id": r["id"],
            "thread_id": r["id"],
            "timestamp": r["created_at"],
            "unix_timestamp": r["time"],
            "body": r["text"],
            "author": r["from_user_name"],
            "author_id": r["from_user_id"],
            "is_retweet": "no",
            "is_quote_tweet": "no",
        }
        for r in rows
    ]
    _same_posts(store, [tcat], _write(tmp_path / f"metoo-{KEY}.csv", list(header), items))


def test_telegram_export_of_a_desktop_export_is_stored_once(store, tmp_path):
    desktop = FIXTURES / "telegram" / "channel" / "result.json"
    doc = json.loads(desktop.read_text(encoding="utf-8"))
    chat = str(doc["id"])
    items = [
        {
            "id": f"{chat}-{m['id']}",
            "thread_id": chat,
            "chat": chat,
            "author": chat,  # the channel posts as itself
            "body": "(text as Telegram gives it)",
            "timestamp": "2017-10-16 00:00:00",  # the 4CAT server's clock, hours off
            "unix_timestamp": m["date_unixtime"],
            "reply_to": m.get("reply_to_message_id", ""),
        }
        for m in doc["messages"]
        if m["type"] == "message"
    ]
    header = list(_raw(TELEGRAM)[0])
    _same_posts(store, [desktop], _write(tmp_path / f"voices-{KEY}.csv", header, items))


def test_telegram_export_naming_the_chat_by_username_is_stored_once(store, tmp_path):
    """4CAT names a chat by its username (``synthetic_voices-10``), a Desktop export by its id
    (``1700000001/10``): the same message was stored twice. A row the channel posted gives the
    channel's id, under which the row and the chat's later rows are keyed."""
    desktop = FIXTURES / "telegram" / "channel" / "result.json"
    doc = json.loads(desktop.read_text(encoding="utf-8"))
    chat = str(doc["id"])
    items = [
        {
            "id": f"synthetic_voices-{m['id']}",
            "thread_id": "synthetic_voices",
            "chat": "synthetic_voices",
            "author": chat,  # the channel posts as itself
            "author_username": "" if n % 2 else "Synthetic_Voices",
            "body": "(text as Telegram gives it)",
            "timestamp": "2017-10-16 00:00:00",
            "unix_timestamp": m["date_unixtime"],
            "reply_to": m.get("reply_to_message_id", ""),
        }
        for n, m in enumerate(m for m in doc["messages"] if m["type"] == "message")
    ]
    assert any(i["reply_to"] for i in items) and not items[1]["author_username"]
    items.insert(0, {**items[1], "id": ""})  # a bad row first: quarantined, the rest read
    header = list(_raw(TELEGRAM)[0])
    path = _write(tmp_path / f"voices-{KEY}.csv", header, items)
    _same_posts(store, [desktop], path)
    replies = store.con.execute("SELECT reply_to FROM posts WHERE reply_to IS NOT NULL")
    assert {r[0].split("/")[0] for r in replies.fetchall()} == {chat}


def test_reddit_export_of_dump_posts_is_stored_once(store, tmp_path):
    dumps = [FIXTURES / "reddit" / f"{k}_2017-10_sample.ndjson" for k in ("RS", "RC")]
    things = []
    for path in dumps:
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                things.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    items = []
    for t in things:
        if "title" in t:
            item = {"thread_id": t["id"], "subject": t["title"], "body": t.get("selftext", "")}
        elif "body" in t:
            link = str(t.get("link_id", "")).removeprefix("t3_")
            item = {"thread_id": link, "body": t["body"], "parent": t.get("parent_id", "")}
        else:
            continue
        when = str(int(float(t["created_utc"])))
        items.append(
            {**item, "id": t["id"], "author": t["author"], "subreddit": t["subreddit"],
             "timestamp": "2017-10-16 00:00:00", "unix_timestamp": when}
        )  # fmt: skip
    header = list(_raw(REDDIT)[0])
    _same_posts(store, dumps, _write(tmp_path / f"metoo-{KEY}.csv", header, items))


def test_bluesky_export_of_twitwi_posts_is_stored_once(store, tmp_path):
    twitwi = FIXTURES / "bluesky" / "posts_export.csv"
    items = [
        {
            "id": r["uri"],
            "thread_id": r["uri"],
            "created_at": datetime.fromtimestamp(int(r["timestamp_utc"]), UTC).isoformat(),
            "timestamp": r["timestamp_utc"],
            "author": r["user_handle"],
            "author_id": r["user_did"],
            "body": r["original_text"] or r["text"],
        }
        for r in _raw(twitwi)
        if r["uri"].startswith("at://")  # its last row is a broken one
    ]
    header = list(_raw(BLUESKY)[0])
    _same_posts(store, [twitwi], _write(tmp_path / f"metoo-{KEY}.csv", header, items))


# -- detection ----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", sorted(FOLDER.iterdir()), ids=lambda p: p.name.split("-")[0])
def test_every_fixture_is_detected_as_fourcat(path):
    (source,) = sources_from_path(path)
    assert getattr(detect(source, load_readers()), "name", None) == "fourcat"


@pytest.mark.parametrize(
    ("path", "reader"),
    [
        ("twitter/twarc_csv_sample.csv", "twitter_csv"),
        ("twitter/minet_sample.csv", "twitter_csv"),
        ("tcat/metoo-20171016-fullExport-mentions_hashtags.csv", "tcat"),
        ("hydrator/metoo-hydrated.csv", "hydrator"),
        ("json2csv/metoo-tweets.csv", "twarc_json2csv"),
        ("crowdtangle/instagram_account_posts.csv", "crowdtangle"),
        ("bluesky/posts_export.csv", "bluesky_csv"),
        ("twint/tweets.csv", "twint"),
        ("generic/forum_posts.csv", "generic"),
        ("generic/obvious.tsv", "generic"),
    ],
)
def test_other_csv_formats_detect_as_before(path, reader):
    (source,) = sources_from_path(FIXTURES / path)
    assert detect(source, load_readers()).name == reader


def test_fourcat_claims_no_other_fixture():
    others, claimed = fixtures_claimed_by("fourcat", ("fourcat",))
    assert others and claimed == []


def test_a_table_without_thread_or_unix_time_is_not_claimed(tmp_path):
    path = _write(tmp_path / "posts.csv", ["id", "body", "timestamp", "author"], [_ROW])
    (source,) = sources_from_path(path)
    assert getattr(detect(source, load_readers()), "name", None) == "generic"


def test_forced_on_a_file_without_ids_and_bodies(tmp_path):
    path = _write(tmp_path / "other.csv", ["post", "text"], [{"post": "1", "text": "x"}])
    (record,) = iter_records([path], fmt="fourcat")
    assert isinstance(record, Quarantined) and "not a 4CAT header" in record.reason


def test_the_cli_reads_a_folder_of_4cat_downloads(tmp_path, capsys):
    assert main(["ingest", str(FOLDER), "--db", str(tmp_path / "s.duckdb"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["by_format"] == {"fourcat": report["read"]} and report["read"] == 25
    assert report["balanced"] and report["quarantined"] == 1 and report["skipped_files"] == []


def test_what_4cat_writes_is_read_whole(tmp_path):
    """A body with commas, quotes, newlines and non-Latin script, as csv.DictWriter quotes it."""
    body = '[synthetic] "Я тоже", she wrote,\nthen: #MeToo #ЯТоже'
    out = io.StringIO()
    row = {**_raw(X)[0], "body": body, "hashtags": "MeToo,ЯТоже"}
    csv.DictWriter(out, list(row)).writerows([dict(zip(row, row, strict=True)), row])
    path = tmp_path / f"metoo-{KEY}.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    (post,) = _posts(path)
    assert post.text == body and post.hashtags == ["#metoo", "#ятоже"]


def _supergroup_rows() -> list[dict[str, str]]:
    """A supergroup's messages as 4CAT maps them: members write first (the chat named only by its
    username), then an admin posts as the group itself (its numeric id as the sender)."""
    base = _raw(TELEGRAM)[0]
    rows = []
    for n, (sender, username, reply) in enumerate(
        [("1700000042", "member_a", ""), ("1700000043", "member_b", "20"),
         ("1700000077", "synthetic_group", ""), ("1700000042", "member_a", "21")],
        start=20,
    ):  # fmt: skip
        rows.append({**base, "id": f"synthetic_group-{n}", "thread_id": "synthetic_group",
                     "chat": "synthetic_group", "author": sender, "author_username": username,
                     "reply_to": reply, "unix_timestamp": str(1508151912 + n)})  # fmt: skip
    return rows


@pytest.mark.parametrize("order", ["csv first", "json first", "reversed rows"])
def test_a_supergroup_message_is_keyed_the_same_whatever_the_row_order(store, tmp_path, order):
    """A supergroup's members' rows before the first row the group posted were keyed by the
    chat's username, the later ones by its numeric id: the CSV and the JSON of one dataset stored
    the first messages twice, and a reply pointed at a key its message was not stored under."""
    rows = _supergroup_rows()
    if order == "reversed rows":
        rows.reverse()
    csv_path = _write(tmp_path / f"synthetic-group-{KEY}.csv", list(rows[0]), rows)
    json_path = tmp_path / f"synthetic-group-{KEY}.json"
    json_path.write_text(json.dumps(rows), encoding="utf-8")
    paths = [json_path, csv_path] if order == "json first" else [csv_path, json_path]
    report = ingest(paths, store)
    assert report.balanced and (report.stored, report.duplicates) == (4, 4), report.to_dict()
    ids = {r[0] for r in store.con.execute("SELECT id FROM posts").fetchall()}
    assert ids == {f"1700000077/{n}" for n in range(20, 24)}
    found = store.con.execute("SELECT reply_to FROM posts WHERE reply_to <> ''").fetchall()
    replies = {r[0] for r in found}
    assert replies == {"1700000077/20", "1700000077/21"} and replies <= ids


@pytest.mark.parametrize(
    ("cell", "value"),
    [("id", "synthetic_voices-abc"), ("id", "synthetic_voices-"), ("id", "other_chat-12"),
     ("id", "synthetic_voices-\x07"), ("reply_to", "abc"), ("reply_to", "-3")],
)  # fmt: skip
def test_a_telegram_id_that_names_no_message_is_quarantined(tmp_path, cell, value):
    """A 4CAT Telegram id or reply that names no message of the chat was stored as
    ``1700000001/abc``, ``1700000001/`` or ``1700000001/other_chat-12``; the row is quarantined,
    as the Desktop reader quarantines such a message, and the others stored."""
    rows = _raw(TELEGRAM)
    rows[1][cell] = value
    path = _write(tmp_path / f"synthetic-voices-{KEY}.csv", list(rows[0]), rows)
    records = list(iter_records([path]))
    bad = [r for r in records if isinstance(r, Quarantined)]
    assert len(records) == len(rows) and len(bad) == 1 and bad[0].line == 3
    assert "names no message" in bad[0].reason
