"""Mastodon REST Status JSON and archive outbox.json, read from our fixtures and the real bodies.

Expected values are read from the raw files by the tests themselves, not from the reader.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundswell.ingest.fields import shown
from groundswell.ingest.html_text import html_to_text, links_in_html
from groundswell.schema import merge_hashtags
from groundswell.store import Store, ingest

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "mastodon"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def _rows(store: Store, table: str = "posts") -> dict[str, dict]:
    cur = store.con.execute(f"SELECT * FROM {table} WHERE platform = 'mastodon'")
    names = [d[0] for d in cur.description]
    return {row[names.index("id")]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def _utc(raw: str) -> datetime:
    return datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)


def _strip(content: str) -> str:
    """The test's own HTML stripping for simple Mastodon content: hidden parts out, tags out."""
    content = re.sub(r'<p class="quote-inline">.*?</p>', "", content)
    content = re.sub(r'<span class="invisible">[^<]*</span>', "", content)
    content = re.sub(r"<br\s*/?>", "\n", content)
    content = re.sub(r"</p>\s*<p>", "\n\n", content)
    return html.unescape(re.sub(r"<[^>]+>", "", content)).strip()


def _activities(path: Path) -> list[dict]:
    """Every activity of an outbox, counting both copies of a repeated ``orderedItems`` key."""
    items: list[dict] = []

    def hook(pairs):
        for key, value in pairs:
            if key == "orderedItems":
                items.extend(value)
        return dict(pairs)

    json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=hook)
    return items


# -- the outbox fixture -------------------------------------------------------------------------
def test_outbox_every_activity_is_accounted_for(store):
    path = FIXTURES / "outbox.json"
    raw_text = path.read_text(encoding="utf-8")
    acts = _activities(path)
    doc = json.loads(raw_text)
    assert len(doc["orderedItems"]) < len(acts) != doc["totalItems"]  # the real archives' quirks
    assert raw_text.count('"orderedItems"') == 2 and "\\u003c" in raw_text
    report = ingest([path], store)
    assert report.balanced and report.read == len(acts)
    creates = [a for a in acts if a["type"] == "Create"]
    announces = [a for a in acts if a["type"] == "Announce"]
    private = [a for a in creates if PUBLIC not in a["object"]["to"] + a["object"]["cc"]]
    assert len(private) == 1
    assert report.reposts == len(announces) and report.quarantined == len(private)
    posts = _rows(store)
    assert set(posts) == {a["object"]["id"] for a in creates if a not in private}
    # the followers-only post: not stored, and nothing of it kept in the quarantine
    ((reason, raw),) = store.con.execute("SELECT reason, raw FROM quarantine").fetchall()
    assert "followers-only" in reason or "private" in reason
    assert raw == b"" and private[0]["object"]["id"] not in posts
    reposts = _rows(store, "reposts")
    assert {r["id"]: r["repost_of"] for r in reposts.values()} == {
        a["id"]: a["object"] for a in announces
    }


def test_outbox_notes_match_the_raw_objects(store):
    path = FIXTURES / "outbox.json"
    ingest([path], store)
    posts = _rows(store)
    for act in _activities(path):
        note = act["object"]
        if act["type"] != "Create" or note["id"] not in posts:
            continue
        row = posts[note["id"]]
        body = _strip(note["content"])
        assert row["text"] == (f"CW: {note['summary']}\n\n{body}" if note.get("summary") else body)
        assert "<" not in row["text"].replace("<3", "")
        assert row["created_at"] == _utc(note["published"])
        assert row["lang"] == next(iter(note.get("contentMap") or {}), None)
        assert row["reply_to"] == note.get("inReplyTo")
        assert row["url"] == note["url"]
        tags = [t for t in note.get("tag", []) if t["type"] == "Hashtag"]
        for tag in tags:  # CJK tags: the percent-encoded href names the same tag
            assert unquote(tag["href"]).rsplit("/", 1)[1].casefold() == tag["name"][1:].casefold()
        assert row["hashtags"] == merge_hashtags([t["name"] for t in tags])
        assert row["mentions"] == [
            t["name"].lstrip("@") for t in note.get("tag", []) if t["type"] == "Mention"
        ]
        assert row["author"].startswith("u_") and row["author_name"] is None
    assert any("性暴力" in t for p in posts.values() for t in p["hashtags"])
    assert any(p["text"].startswith("CW: ") for p in posts.values())


def test_outbox_private_posts_kept_when_asked(store):
    report = ingest([FIXTURES / "outbox.json"], store, options={"include_private": True})
    assert report.balanced and report.quarantined == 0


# -- API fixtures: a home timeline page and a thread context -----------------------------------
def test_timeline_reblogs_replies_quotes_and_private(store):
    path = FIXTURES / "home_timeline.json"
    statuses = json.loads(path.read_text(encoding="utf-8"))
    report = ingest([path, FIXTURES / "context.json"], store)
    assert report.balanced
    boosts = [s for s in statuses if s["reblog"]]
    private = [s for s in statuses if s["visibility"] == "private"]
    # each boost yields the boosted post + a repost record; the context repeats two statuses
    assert report.read == len(statuses) + len(boosts) + 2
    assert report.reposts == len(boosts) and report.quarantined == len(private)
    assert report.duplicates == 2
    posts = _rows(store)
    reposts = _rows(store, "reposts")
    by_local = {s["id"]: s for s in statuses}
    for s in statuses:
        if s in private:
            assert s["uri"] not in posts
            continue
        if s["reblog"]:
            assert reposts[s["uri"]]["repost_of"] == s["reblog"]["uri"]
            assert s["reblog"]["uri"] in posts  # the boosted status is stored too
            continue
        row = posts[s["uri"]]
        assert row["created_at"] == _utc(s["created_at"])
        body = _strip(s["content"])
        assert row["text"] == (f"CW: {s['spoiler_text']}\n\n{body}" if s["spoiler_text"] else body)
        assert row["hashtags"] == merge_hashtags([t["name"] for t in s["tags"]])
        assert row["mentions"] == [
            m["acct"] if "@" in m["acct"] else f"{m['acct']}@{m['url'].split('/')[2]}"
            for m in s["mentions"]
        ]
        parent = s["in_reply_to_id"]
        if parent in by_local:  # in the same page: its URI
            assert row["reply_to"] == by_local[parent]["uri"]
        quote = (s.get("quote") or {}).get("quoted_status")
        assert row["quote_of"] == (quote["uri"] if quote else None)
        assert "RE:" not in row["text"]
        metrics = json.loads(row["metrics"])
        assert metrics["favourites_count"] == s["favourites_count"]


def test_reply_parent_outside_the_file(store):
    statuses = json.loads((FIXTURES / "home_timeline.json").read_text(encoding="utf-8"))
    known = {s["id"] for s in statuses}
    ingest([FIXTURES / "home_timeline.json"], store)
    posts = _rows(store)
    outside = [s for s in statuses if s["in_reply_to_id"] and s["in_reply_to_id"] not in known]
    assert len(outside) == 2
    for s in outside:
        target = next(m for m in s["mentions"] if m["id"] == s["in_reply_to_account_id"])
        if "@" in target["acct"]:  # parent on another instance, not read: its API address
            host = s["account"]["url"].split("/")[2]  # the local account shows the instance
            expected = f"https://{host}/api/v1/statuses/{s['in_reply_to_id']}"
            assert posts[s["uri"]]["reply_to"] == expected
        else:  # a local parent: its URI follows the instance's scheme
            host = s["uri"].split("/")[2]
            expected = f"https://{host}/users/{target['username']}/statuses/{s['in_reply_to_id']}"
            assert posts[s["uri"]]["reply_to"] == expected


# -- replies whose parents come in another file or another run -------------------------------
THREAD = FIXTURES / "reply_parents"


def _reply_pairs() -> list[tuple[dict, dict]]:
    """(reply, parent) as the raw files give them: the parent's local id on the same instance."""
    replies = json.loads((THREAD / "replies.json").read_text(encoding="utf-8"))
    parents = {p["id"]: p for p in json.loads((THREAD / "parents.json").read_text("utf-8"))}
    return [(r, parents[r["in_reply_to_id"]]) for r in replies]


def _assert_joined(store: Store) -> None:
    posts = _rows(store)
    pairs = _reply_pairs()
    assert len(pairs) == 2 and any("@" in r["account"]["acct"] for r, _ in pairs)
    for reply, parent in pairs:
        stored_parent = posts[parent["uri"]]
        assert posts[reply["uri"]]["reply_to"] == stored_parent["id"]
    joined = store.con.execute(
        "SELECT count(*) FROM posts r JOIN posts p ON p.platform = r.platform AND p.id = r.reply_to"
    ).fetchone()[0]
    assert joined == len(pairs)


@pytest.mark.parametrize("order", ["replies_first", "parents_first"])
def test_reply_to_is_the_parent_stored_id_within_a_run(store, order):
    files = [THREAD / "replies.json", THREAD / "parents.json"]
    report = ingest(files if order == "replies_first" else files[::-1], store)
    assert report.balanced and report.stored == 4
    _assert_joined(store)


def test_reply_to_is_the_parent_stored_id_across_runs(store):
    ingest([THREAD / "replies.json"], store)
    ((pending,),) = store.con.execute(
        "SELECT count(*) FROM posts WHERE reply_to LIKE 'https://toot.example/api/v1/statuses/%'"
    ).fetchall()
    assert pending == 2  # parents not read yet: their instance-qualified keys
    ingest([THREAD / "parents.json"], store)
    _assert_joined(store)


def test_instance_option_for_a_file_of_remote_accounts_only(tmp_path, store):
    reply, parent = next((r, p) for r, p in _reply_pairs() if "@" in r["account"]["acct"])
    reply = {**reply, "mentions": []}  # no local account left to show the instance
    (tmp_path / "r.json").write_text(json.dumps([reply]), encoding="utf-8")
    with Store(tmp_path / "bare.duckdb") as bare:
        ingest([tmp_path / "r.json"], bare)
        assert _rows(bare)[reply["uri"]]["reply_to"] == reply["in_reply_to_id"]  # unknown
    ingest([tmp_path / "r.json"], store, options={"instance": "toot.example"})
    ingest([THREAD / "parents.json"], store)
    assert _rows(store)[reply["uri"]]["reply_to"] == parent["uri"]


# -- html_text -----------------------------------------------------------------------------------
def test_html_to_text_mastodon_shapes():
    assert html_to_text("<p>a<br>b<br />c</p><p>d &amp; e</p>") == "a\nb\nc\n\nd & e"
    link = (
        '<a href="https://ex.org/x"><span class="invisible">https://</span>'
        '<span class="ellipsis">ex.org/x</span><span class="invisible"></span></a>'
    )
    assert html_to_text(f"<p>see {link}</p>") == "see ex.org/x"
    assert links_in_html(f'<p>{link} <a class="mention hashtag" href="/tags/a">#a</a></p>') == [
        "https://ex.org/x"
    ]
    assert html_to_text("<p>x</p><script>alert(1)</script><!-- c -->") == "x"


_PLAIN = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")) | st.just(" "), max_size=60
)


@given(_PLAIN, _PLAIN)
def test_html_to_text_round_trips_escaped_paragraphs(first, second):
    doc = f"<p>{html.escape(first)}</p><p>{html.escape(second)}</p>"
    expected = "\n\n".join(p for p in (" ".join(first.split()), " ".join(second.split())) if p)
    assert html_to_text(doc) == expected


# -- the real Mastodon bodies in ../shared ------------------------------------------------------
@pytest.fixture
def real_bodies(formats_dir: Path, tmp_path: Path) -> list[Path]:
    from gspaths import extract_bodies

    folder = formats_dir / "mastodon_api_status"
    return [
        p
        for f in sorted(folder.glob("*.responses.json"))
        for p in extract_bodies(f, tmp_path / f.name.split(".")[0])
    ]


def _real_statuses(paths: list[Path]) -> list[dict]:
    """Every Status entity in the bodies (including embedded boosts), read by the test."""
    found = []
    for path in paths:
        body = json.loads(path.read_text(encoding="utf-8"))
        values = body if isinstance(body, list) else [body]
        for v in values:
            for key in ("statuses", "ancestors", "descendants"):
                values += v.get(key, []) if isinstance(v, dict) else []
        for v in values:
            if isinstance(v, dict) and "uri" in v and "account" in v and "created_at" in v:
                found.append(v)
                if v.get("reblog"):
                    found.append(v["reblog"])
    return found


def test_real_statuses_reconcile_and_match_raw(real_bodies, store):
    report = ingest(real_bodies, store)
    assert report.balanced
    statuses = _real_statuses(real_bodies)
    posts = _rows(store)
    reposts = _rows(store, "reposts")
    assert set(posts) | set(reposts) == {s["uri"] for s in statuses}
    first: dict[str, dict] = {}
    for s in statuses:
        first.setdefault(s["uri"], s)
    for uri, s in first.items():
        if s.get("reblog"):
            assert reposts[uri]["repost_of"] == s["reblog"]["uri"]
            continue
        row = posts[uri]
        assert row["created_at"] == _utc(s["created_at"])
        body = _strip(s["content"]) if s.get("content") is not None else s["text"]
        assert row["text"] == (f"CW: {s['spoiler_text']}\n\n{body}" if s["spoiler_text"] else body)
        assert row["hashtags"] == merge_hashtags([t["name"] for t in s["tags"]])
        assert row["lang"] == s["language"]
        assert row["author"].startswith("u_") and row["author_name"] is None
        quote = (s.get("quote") or {}).get("quoted_status")
        assert row["quote_of"] == (quote["uri"] if quote else None)
    texts = {p["text"] for p in posts.values()}
    assert "#hoot (hashtag toot)" in texts and "yoooooooo" in texts
    assert not any("<" in t for t in texts)
    # no raw account handle or id is left in the author columns
    raw_accounts = {s["account"][k] for s in statuses for k in ("acct", "uri", "url", "id")}
    stored = {p["author"] for p in posts.values()} | {r["author"] for r in reposts.values()}
    assert not raw_accounts & stored


def test_real_reply_edge_points_at_the_parent_uri(real_bodies, store):
    ingest(real_bodies, store)
    statuses = _real_statuses(real_bodies)
    by_local = {s["id"]: s for s in statuses}
    replies = [s for s in statuses if s.get("in_reply_to_id")]
    assert replies
    posts = _rows(store)
    for s in replies:
        parent = by_local[s["in_reply_to_id"]]  # the parent was fetched in another request
        assert posts[s["uri"]]["reply_to"] == parent["uri"]
        assert parent["uri"] in posts


@pytest.mark.parametrize("kind", [None, 5, ["Create"], "Bogus"])
def test_an_outbox_activity_of_no_known_type_is_quarantined(tmp_path, kind):
    """An activity whose ``type`` is null, a number, a list or no ActivityStreams name was
    passed over uncounted, as a Like is; it is now quarantined, and the activities after it
    (a Like still passed over) are read."""
    text = (FIXTURES / "outbox.json").read_text(encoding="utf-8")
    create = next(a for a in _activities(FIXTURES / "outbox.json") if a["type"] == "Create")
    bad = {**create, "type": kind, "object": {**create["object"], "id": create["id"] + "x"}}
    like = {"type": "Like", "id": create["id"] + "#like", "object": create["object"]["id"]}
    path = tmp_path / "outbox.json"  # the archive repeats orderedItems: the text is kept
    first = f'"orderedItems": [{json.dumps(bad)}, {json.dumps(like)}, '
    path.write_text(re.sub(r'"orderedItems":\s*\[\s*', first, text, count=1), encoding="utf-8")
    with Store(tmp_path / "clean.duckdb") as clean:
        full = ingest([FIXTURES / "outbox.json"], clean, progress=False)
        want = set(_rows(clean))
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([path], store, progress=False)
        reasons = [r[0] for r in store.con.execute("SELECT reason FROM quarantine").fetchall()]
        assert set(_rows(store)) == want
    assert report.balanced and report.read == full.read + 1
    assert f"activity of unknown type {shown(kind)}" in reasons
    assert report.quarantined == full.quarantined + 1


@pytest.mark.parametrize(
    ("where", "value", "why"),
    [("note", -1, "Note id -1 is not text"), ("note", 2**63, "is not text"),
     ("note", "  ", "Note id '  ' is not text"), ("announce", 7, "Announce id 7 is not text")],
)  # fmt: skip
def test_an_outbox_id_that_is_not_text_is_quarantined(tmp_path, where, value, why):
    """A Note's or an Announce's id that is a number was stored as ``"-1"`` (a REST status's
    uri that is not text is quarantined; 0 already was, as no id); now it is quarantined too."""
    acts = _activities(FIXTURES / "outbox.json")
    act = next(a for a in acts if a["type"] == ("Create" if where == "note" else "Announce"))
    bad = json.loads(json.dumps(act))
    if where == "note":
        bad["object"]["id"] = value
    else:
        bad["id"] = value
    outbox = {"type": "OrderedCollection", "orderedItems": [bad]}
    path = tmp_path / "outbox.json"
    path.write_text(json.dumps(outbox), encoding="utf-8")
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([path, FIXTURES / "outbox.json"], store, progress=False)
        reasons = [r[0] for r in store.con.execute("SELECT reason FROM quarantine").fetchall()]
        ids = set(_rows(store)) | set(_rows(store, "reposts"))
    assert report.balanced and why in "\n".join(reasons), reasons
    assert str(value) not in ids


def test_an_empty_in_reply_to_replies_to_nothing(tmp_path):
    act = next(a for a in _activities(FIXTURES / "outbox.json") if a["type"] == "Create")
    note = {**act["object"], "inReplyTo": "", "_misskey_quote": ""}
    path = tmp_path / "outbox.json"
    outbox = {"type": "OrderedCollection", "orderedItems": [{**act, "object": note}]}
    path.write_text(json.dumps(outbox), encoding="utf-8")
    with Store(tmp_path / "s.duckdb") as store:
        ingest([path], store, progress=False)
        (post,) = _rows(store).values()
    assert post["reply_to"] is None and post["quote_of"] is None


_UNSHOWABLE = ["\x00", "\n", "\x1b", "\x7f", "\x85", " ", "\u2028"]


def _with(value: str, bad: str) -> str:
    """``value`` with ``bad`` put in after its host."""
    return value[:20] + bad + value[20:]


def _unshowable_ids(store: Store, bad: str) -> list:
    """Stored keys and links that hold ``bad``."""
    return store.con.execute(
        "SELECT id FROM posts WHERE contains(id, $b) OR contains(coalesce(reply_to, ''), $b) "
        "UNION ALL SELECT id FROM reposts WHERE contains(id, $b) OR contains(repost_of, $b)",
        {"b": bad},
    ).fetchall()


@pytest.mark.parametrize("bad", _UNSHOWABLE, ids=ascii)
@pytest.mark.parametrize("field", ["uri", "url", "reblog.uri"])
def test_a_status_key_with_a_control_character_or_whitespace_is_quarantined(tmp_path, field, bad):
    """A status's key (its ``uri``, else its ``url``) holding a NUL, a newline, an escape or a
    space was stored as the post's id, which can be neither shown nor joined on; the status is
    now quarantined naming the field, and the statuses around it stored. A boost of such a
    status is quarantined whole: no repost edge to a key never stored."""
    statuses = json.loads((FIXTURES / "home_timeline.json").read_text(encoding="utf-8"))
    status = statuses[2 if field == "reblog.uri" else 0]
    gone = {status["uri"]}
    if field == "reblog.uri":
        gone.add(status["reblog"]["uri"])
        status["reblog"]["uri"] = _with(status["reblog"]["uri"], bad)
    elif field == "url":
        status["uri"], status["url"] = None, _with(status["url"], bad)
    else:
        status["uri"] = _with(status["uri"], bad)
    path = tmp_path / "timeline.json"
    path.write_text(json.dumps(statuses), encoding="utf-8")
    with Store(tmp_path / "clean.duckdb") as clean:
        full = ingest([FIXTURES / "home_timeline.json"], clean, progress=False)
        want = set(_rows(clean)) | set(_rows(clean, "reposts"))
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([path], store, progress=False)
        reasons = [r[0] for r in store.con.execute("SELECT reason FROM quarantine").fetchall()]
        assert set(_rows(store)) | set(_rows(store, "reposts")) == want - gone
        assert _unshowable_ids(store, bad) == []
    assert report.balanced and report.quarantined == full.quarantined + 1, report
    assert any(
        f"{field} " in r and "holds a control character or whitespace" in r for r in reasons
    ), reasons


@pytest.mark.parametrize("bad", _UNSHOWABLE, ids=ascii)
@pytest.mark.parametrize("where", ["Note", "Announce"])
def test_an_outbox_id_with_a_control_character_or_whitespace_is_quarantined(tmp_path, where, bad):
    """A Note's or an Announce's id is the post's key: one holding a control character or
    whitespace was stored as it is; it is now quarantined, naming the id."""
    creates = [a for a in _activities(FIXTURES / "outbox.json") if a["type"] == "Create"]
    announce = next(a for a in _activities(FIXTURES / "outbox.json") if a["type"] == "Announce")
    act, good = (creates[0], creates[1]) if where == "Note" else (announce, creates[0])
    act = json.loads(json.dumps(act))
    if where == "Note":
        act["object"]["id"] = _with(act["object"]["id"], bad)
    else:
        act["id"] = _with(act["id"], bad)
    outbox = {"type": "OrderedCollection", "orderedItems": [act, good]}
    path = tmp_path / "outbox.json"
    path.write_text(json.dumps(outbox), encoding="utf-8")
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([path], store, progress=False)
        reasons = [r[0] for r in store.con.execute("SELECT reason FROM quarantine").fetchall()]
        assert set(_rows(store)) == {good["object"]["id"]}
        assert _unshowable_ids(store, bad) == []
    assert report.balanced and (report.read, report.quarantined) == (2, 1), report
    assert len(reasons) == 1 and reasons[0].startswith(f"{where} id "), reasons
    assert reasons[0].endswith("holds a control character or whitespace")
