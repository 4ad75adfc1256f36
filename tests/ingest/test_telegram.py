"""Telegram Desktop result.json (single chat and full-account export), from hand-written fixtures.

Expected values are read from the fixture JSON by the test itself, not from the reader.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundswell.ingest.registry import Head
from groundswell.ingest.source import Source
from groundswell.ingest.telegram import TelegramReader, flatten_text
from groundswell.schema import normalise_hashtag
from groundswell.store import Store, ingest

DATA = Path(__file__).resolve().parents[1] / "data" / "telegram"
CHANNEL = DATA / "channel" / "result.json"
ACCOUNT = DATA / "account" / "result.json"


def _rows(store: Store) -> dict[str, dict]:
    cur = store.con.execute("SELECT * FROM posts")
    names = [d[0] for d in cur.description]
    return {row[names.index("id")]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def _plain(text) -> str:
    return (
        text
        if isinstance(text, str)
        else "".join(p if isinstance(p, str) else p["text"] for p in text)
    )


def _utc(unix: str) -> datetime:
    return datetime.fromtimestamp(int(unix), tz=UTC).replace(tzinfo=None)


def test_channel_export_reconciles_and_skips_service_messages(store):
    raw = json.loads(CHANNEL.read_text(encoding="utf-8"))
    messages = [m for m in raw["messages"] if m["type"] == "message"]
    report = ingest([CHANNEL], store)
    assert report.balanced
    assert report.read == report.stored + report.duplicates + report.reposts + report.quarantined
    assert report.by_format == {"telegram": len(messages)}
    assert report.stored == len(messages) and report.quarantined == 0
    rows = _rows(store)
    assert set(rows) == {f"{raw['id']}/{m['id']}" for m in messages}


def test_channel_fields(store):
    raw = json.loads(CHANNEL.read_text(encoding="utf-8"))
    ingest([CHANNEL], store)
    rows = _rows(store)
    for index, msg in enumerate(raw["messages"], start=1):
        if msg["type"] != "message":
            continue
        row = rows[f"{raw['id']}/{msg['id']}"]
        assert row["text"] == _plain(msg["text"])
        # date is the exporting PC's local time; the stored time comes from date_unixtime
        assert row["created_at"] == _utc(msg["date_unixtime"])
        tags = [e["text"] for e in msg["text_entities"] if e["type"] == "hashtag"]
        assert row["hashtags"] == list(dict.fromkeys(normalise_hashtag(t) for t in tags))
        assert row["source_line"] == index
        assert row["platform"] == "telegram" and row["format"] == "telegram"
    # the fixture's local clock is not UTC, so a reader using `date` would be caught here
    first = next(m for m in raw["messages"] if m["type"] == "message")
    assert datetime.fromisoformat(first["date"]) != _utc(first["date_unixtime"])


def test_text_arrays_entities_reply_forward_edit(store):
    raw = json.loads(CHANNEL.read_text(encoding="utf-8"))
    ingest([CHANNEL], store)
    rows = _rows(store)
    array_msg = next(
        m
        for m in raw["messages"]
        if isinstance(m["text"], list)
        and any(isinstance(p, dict) and p["type"] == "link" for p in m["text"])
    )
    link = next(p["text"] for p in array_msg["text"] if isinstance(p, dict) and p["type"] == "link")
    assert rows[f"{raw['id']}/{array_msg['id']}"]["urls"] == [link]
    assert link in rows[f"{raw['id']}/{array_msg['id']}"]["text"]

    reply = next(m for m in raw["messages"] if "reply_to_message_id" in m)
    assert (
        rows[f"{raw['id']}/{reply['id']}"]["reply_to"]
        == f"{raw['id']}/{reply['reply_to_message_id']}"
    )

    forward = next(m for m in raw["messages"] if "forwarded_from" in m)
    row = rows[f"{raw['id']}/{forward['id']}"]
    assert json.loads(row["metrics"])["forwarded"] == 1
    assert forward["forwarded_from"] not in (row["metrics"] or "")  # the name is not kept

    edited = next(m for m in raw["messages"] if "edited" in m)
    metrics = json.loads(rows[f"{raw['id']}/{edited['id']}"]["metrics"])
    assert metrics["edited"] == 1
    assert metrics["reactions"] == sum(r["count"] for r in edited["reactions"])
    mention = next(e["text"] for e in edited["text_entities"] if e["type"] == "mention")
    assert rows[f"{raw['id']}/{edited['id']}"]["mentions"] == [mention.lstrip("@")]
    link_href = next(e["href"] for e in edited["text_entities"] if e["type"] == "text_link")
    assert rows[f"{raw['id']}/{edited['id']}"]["urls"] == [link_href]


def test_authors_pseudonymised_and_legacy_int_matches_new_form(store):
    raw = json.loads(CHANNEL.read_text(encoding="utf-8"))
    ingest([CHANNEL], store)
    rows = _rows(store)
    legacy = next(m for m in raw["messages"] if isinstance(m.get("from_id"), int))
    modern = next(
        m for m in raw["messages"] if isinstance(m.get("from_id"), str) and m["type"] == "message"
    )
    assert legacy["from_id"] == raw["id"] and modern["from_id"] == f"channel{raw['id']}"
    authors = {r["author"] for r in rows.values()}
    assert authors == {rows[f"{raw['id']}/{legacy['id']}"]["author"]}  # one channel, one pseudonym
    assert all(a.startswith("u_") for a in authors)
    dump = " ".join(str(v) for r in rows.values() for v in r.values())
    assert str(raw["id"]) + " " not in dump and f"channel{raw['id']}" not in dump
    assert all(r["author_name"] is None for r in rows.values())


def test_full_account_export_ids_unique_across_chats(store):
    raw = json.loads(ACCOUNT.read_text(encoding="utf-8"))
    chats = [c for c in raw["chats"]["list"] if c["type"].startswith("public_")]
    expected = {
        f"{c['id']}/{m['id']}" for c in chats for m in c["messages"] if m["type"] == "message"
    }
    report = ingest([ACCOUNT], store)
    assert report.balanced and report.duplicates == 0
    rows = _rows(store)
    assert set(rows) == expected
    msg_ids = [m["id"] for c in chats for m in c["messages"] if m["type"] == "message"]
    assert len(set(msg_ids)) < len(msg_ids)  # the fixture reuses a message id across chats
    user_ids = {str(m["from_id"]) for c in chats for m in c["messages"] if "from_id" in m}
    dump = " ".join(str(v) for r in rows.values() for v in r.values())
    assert not any(u in dump for u in user_ids)
    # the legacy bare-int sender is the same account as "user<n>"
    tomas = [
        r["author"] for r in rows.values() if "counsellor" in r["text"] or "waiting" in r["text"]
    ]
    assert len(tomas) == 2 and len(set(tomas)) == 1


def test_detection_prefers_telegram():
    for path in (CHANNEL, ACCOUNT):
        source = Source(path)
        assert TelegramReader().sniff(Head(source, source.head())) >= 0.85


def test_broken_document_keeps_the_messages_before_the_break(tmp_path, store):
    """A result.json cut in half: the message the cut went through is quarantined, the ones
    before it are stored (tests/ingest/test_documents_cut_short.py checks every cut)."""
    bad = tmp_path / "result.json"
    text = CHANNEL.read_text(encoding="utf-8")
    bad.write_text(text[: len(text) // 2], encoding="utf-8")
    report = ingest([bad], store, fmt="telegram")
    assert report.balanced and report.quarantined == 1 and report.stored > 0


_PART = st.one_of(
    st.text(max_size=20),
    st.builds(
        lambda kind, text: {"type": kind, "text": text},
        st.sampled_from(["bold", "hashtag", "link", "mention", "italic", "code"]),
        st.text(max_size=20),
    ),
)


@given(st.lists(_PART, max_size=8))
def test_flatten_text_keeps_every_part_in_order(parts):
    flat = flatten_text(parts)
    expected = "".join(p if isinstance(p, str) else p["text"] for p in parts)
    assert flat == expected
    assert flatten_text(expected) == expected  # a plain string is its own flat form
    pos = 0
    for p in parts:  # each part appears at its place
        piece = p if isinstance(p, str) else p["text"]
        assert flat.startswith(piece, pos)
        pos += len(piece)


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("type", 5, "unknown type"),
        ("type", "poll_vote", "unknown type"),
        ("id", [1], "message id an array names no message"),
        ("id", "abc", "message id 'abc' names no message"),
        ("id", -1, "message id -1 names no message"),
        ("id", "5\x00", "names no message"),
        ("id", 1.5, "names no message"),
        ("text", {"a": 1}, "neither text nor a list"),
        ("reply_to_message_id", ["a", "b"], "reply_to_message_id an array names no message"),
        ("reply_to_message_id", {"a": 1}, "names no message"),
        ("reply_to_message_id", True, "names no message"),
        ("reply_to_message_id", 1.5, "names no message"),
        ("reply_to_message_id", "abc", "names no message"),
        ("reply_to_peer_id", ["a"], "reply_to_peer_id an array names no chat"),
    ],
)
def test_a_message_of_a_wrong_shape_is_quarantined_and_the_rest_stored(tmp_path, field, value, why):
    """A message of no known type used to vanish uncounted; an id, text or reply of a wrong type
    was stored as ``123/[1]``, ``"{'a': 1}"`` or a reply to ``123/['a', 'b']``. Each is now kept
    in quarantine, the others stored."""
    messages = [
        {
            "id": i,
            "type": "message",
            "date": "2017-10-16T10:00:00",
            "date_unixtime": str(1508140800 + i),
            "from": "Synthetic",
            "from_id": f"user{i}",
            "text": f"synthetic message {i} #MeToo",
        }
        for i in range(1, 11)
    ]
    messages[4][field] = value
    path = tmp_path / "result.json"
    path.write_text(
        json.dumps({"name": "c", "type": "public_channel", "id": 123, "messages": messages})
    )
    with Store(tmp_path / "t.duckdb") as db:
        report = ingest([path], db, progress=False).to_dict()
        ids = {r[0] for r in db.con.execute("SELECT id FROM posts").fetchall()}
        bad = db.con.execute("SELECT line, reason FROM quarantine").fetchall()
    assert report["balanced"] and report["read"] == 10
    assert ids == {f"123/{i}" for i in range(1, 11) if i != 5}
    assert len(bad) == 1 and bad[0][0] == 5 and why in bad[0][1]


def _chat(kind: str, chat_id: int, count: int) -> dict:
    """A chat of ``kind`` holding ``count`` synthetic messages."""
    return {
        "name": f"synthetic {kind}",
        "type": kind,
        "id": chat_id,
        "messages": [
            {
                "id": i,
                "type": "message",
                "date_unixtime": str(1508140800 + i),
                "from_id": f"user{chat_id}{i}",
                "text": f"{kind} message {i} #MeToo",
            }
            for i in range(1, count + 1)
        ],
    }


_PRIVATE = [
    "personal_chat",
    "bot_chat",
    "private_group",
    "private_supergroup",
    "private_channel",
    "saved_messages",
]


def test_private_chats_of_an_account_export_are_declined_unread(tmp_path):
    """A full-account export stored every private chat's messages as public posts. Each private
    chat is now one quarantined record that says why, with no bytes of it kept; the public
    channels and supergroups around them are read, each message at its line in the file."""
    chats = [_chat("public_channel", 100, 2)]
    chats += [_chat(kind, 200 + n, 3) for n, kind in enumerate(_PRIVATE)]
    chats += [_chat("public_supergroup", 300, 2)]
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"personal_information": {"user_id": 1}, "chats": {"list": chats}}))
    with Store(tmp_path / "t.duckdb") as db:
        report = ingest([path], db, progress=False)
        rows = _rows(db)
        bad = db.con.execute("SELECT line, reason, raw FROM quarantine ORDER BY line").fetchall()
    assert report.balanced and report.read == 4 + len(_PRIVATE)
    assert {i: r["source_line"] for i, r in rows.items()} == {
        "100/1": 1,
        "100/2": 2,
        "300/1": 3 + 3 * len(_PRIVATE),
        "300/2": 4 + 3 * len(_PRIVATE),
    }
    assert [(line, reason) for line, reason, _ in bad] == [
        (3 + 3 * n, f"a Telegram private chat ({kind}): private messages, not read")
        for n, kind in enumerate(_PRIVATE)
    ]
    assert all(raw == b"" for _, _, raw in bad)


def test_a_single_chat_export_of_a_personal_chat_is_declined(tmp_path):
    """A ``result.json`` of one personal chat is declined as a whole; a channel's export read
    after it is stored."""
    private = tmp_path / "dm" / "result.json"
    public = tmp_path / "channel" / "result.json"
    for path, chat in (
        (private, _chat("personal_chat", 200, 3)),
        (public, _chat("public_channel", 100, 2)),
    ):
        path.parent.mkdir()
        path.write_text(json.dumps(chat))
    with Store(tmp_path / "t.duckdb") as db:
        report = ingest([private, public], db, progress=False)
        rows = _rows(db)
        bad = db.con.execute("SELECT reason, raw FROM quarantine").fetchall()
    assert report.balanced and report.read == 3 and report.quarantined == 1
    assert set(rows) == {"100/1", "100/2"}
    assert bad == [("a Telegram private chat (personal_chat): private messages, not read", b"")]


@pytest.mark.parametrize("value", [["user1"], {"id": "user1"}, True, 1.5, -7])
@pytest.mark.parametrize("kind", ["public_channel", "public_supergroup"])
def test_a_sender_of_a_wrong_type_is_left_out(tmp_path, kind, value):
    """A ``from_id`` that names no one (a list, an object, a bool, a float) was made text
    (``"['user1']"``, ``"userTrue"``) and stored as the author; the post is now kept with its
    author unknown, and the well-formed senders around it are read as before."""
    chat = _chat(kind, 123, 3)
    chat["messages"][1]["from_id"] = value
    chat["messages"][2]["from_id"] = 42  # a legacy bare int
    path = tmp_path / "result.json"
    path.write_text(json.dumps(chat))
    posts = list(TelegramReader().read(Source(path)))
    assert [p.author for p in posts] == ["user1231", None, "user42"]


@pytest.mark.parametrize("chat_id", [None, "", "abc", [1], True, -5, "12\x003"])
def test_messages_of_a_chat_whose_id_is_no_number_are_quarantined(tmp_path, chat_id):
    """A chat id that is no number was written into every message's id (``None/5``, ``[1]/5``,
    one with a NUL); message ids restart in every chat, so its messages are quarantined, saying
    why, and the other chats of the export stored."""
    bad = _chat("public_channel", 1, 3)
    if chat_id is None:
        del bad["id"]
    else:
        bad["id"] = chat_id
    root = {"personal_information": {"user_id": 1},
            "chats": {"list": [bad, _chat("public_supergroup", 22, 2)]}}  # fmt: skip
    path = tmp_path / "result.json"
    path.write_text(json.dumps(root), encoding="utf-8")
    with Store(tmp_path / "t.duckdb") as db:
        report = ingest([path], db, progress=False).to_dict()
        ids = {r[0] for r in db.con.execute("SELECT id FROM posts").fetchall()}
        reasons = [r[0] for r in db.con.execute("SELECT reason FROM quarantine").fetchall()]
    assert report["balanced"] and (report["read"], report["quarantined"]) == (5, 3), report
    assert ids == {"22/1", "22/2"}
    why = "chat without id" if chat_id is None else "names no chat"
    assert len(reasons) == 3 and all(why in r for r in reasons)
