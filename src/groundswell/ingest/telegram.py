"""Telegram Desktop exports (``result.json``): one chat, or a full-account export of many chats.

Every message of type ``message`` is a post; ``service`` messages (joins, pins, title changes) are
not posts and are passed over. Decisions, so that they are made once:

* Post id is ``<chat id>/<message id>``: message ids restart in every chat. Both are numbers: a
  message whose id is not (``abc``, ``-1``, ``1.5``) is quarantined, and so is every message of
  a chat whose id is not (missing, ``null``, a list), rather than be stored under it.
* ``date`` is the exporting computer's local time without an offset, so ``date_unixtime`` (a string)
  is preferred; an export too old to have it falls back to ``date`` read as UTC.
* ``author`` is ``from_id`` (``user123``/``channel123``). Pre-2021 exports wrote a bare int: it
  becomes ``channel<id>`` when it is the chat's own id, ``user<id>`` otherwise, so the same account
  gets the same pseudonym in old and new exports. Channel posts without ``from_id`` belong to the
  channel. A ``from_id`` of another type (a list, an object, ``true``, ``1.5``) names no one: the
  post is kept with its author unknown.
* A forwarded message is the forwarder's post (its text is what the channel chose to publish), not a
  repost: Telegram gives no id of the original. ``metrics["forwarded"] = 1`` marks it; the
  ``forwarded_from`` display name is not kept, because it names a person outside pseudonymisation.
* ``metrics`` also carry ``edited`` (1) and ``reactions`` (the sum of reaction counts).
* A reply names its message by ``reply_to_message_id`` (and, in another chat,
  ``reply_to_peer_id``); one that names no message (a list, ``true``, ``1.5``) quarantines the
  message rather than link it to nothing, as a tweet's reference that names no tweet does.
* Only public chats hold posts: public channels and supergroups (and chats of no known type) are
  read. A private chat (a personal or bot chat, a private group, supergroup or channel, Saved
  Messages, Replies, verification codes) is declined unread: one quarantined record per chat
  that says why, with no raw bytes kept, so it is counted and reconciled but never stored.
* The provenance line is the 1-based index of the message in the file, across all its chats
  (a declined chat's record has the line of its first message).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from groundswell.ingest.fields import numeric_id, shown, stated_time
from groundswell.ingest.fields import obj as as_obj
from groundswell.ingest.fields import text as as_text
from groundswell.ingest.registry import (
    BOM,
    JSON_ERRORS,
    Head,
    Reader,
    UnreadableItem,
    guarded,
    lists_under,
    loads_document,
    quarantine,
)
from groundswell.ingest.source import Source
from groundswell.schema import (
    Post,
    Quarantined,
    Record,
    hashtags_in_text,
    merge_hashtags,
    metric,
)

_CHANNEL_TYPES = ("public_channel", "channel")  # a private channel is declined unread
# the chat types of Telegram Desktop's export whose messages are not public posts
_PRIVATE_TYPES = frozenset(
    (
        "personal_chat",
        "bot_chat",
        "private_group",
        "private_supergroup",
        "private_channel",
        "saved_messages",
        "replies",
        "verification_codes",
    )
)


def flatten_text(text: Any) -> str:
    """Plain text of a message's ``text``: a string, or an array of strings and ``{type, text}``
    objects (links, hashtags, bold...), joined in order."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        return "".join(
            part
            if isinstance(part, str)
            else str(part.get("text") or "")
            if isinstance(part, dict)
            else ""
            for part in text
        )
    return str(text)


def _entities(msg: dict) -> list[dict]:
    """The typed entities of a message: ``text_entities``, else the objects inside ``text``."""
    ents = msg.get("text_entities")
    if isinstance(ents, list):
        return [e for e in ents if isinstance(e, dict)]
    text = msg.get("text")
    return [e for e in text if isinstance(e, dict)] if isinstance(text, list) else []


def _peer(value: Any, chat_id: str, is_channel: bool) -> str | None:
    """``from_id`` as a string id; a legacy bare int becomes ``user<n>`` or ``channel<n>``. A
    value of another type (a list, an object, a bool, a float, -7) names no one: None."""
    if value is None or value == "":
        return f"channel{chat_id}" if is_channel else None
    digits = numeric_id(value)
    if digits is not None:
        return f"channel{digits}" if digits == chat_id else f"user{digits}"
    return as_text(value)


def _count(messages: Any) -> int:
    """How many messages a chat holds (a list, or the values of one cut short); 1 for a value
    of another shape, which stands for the chat."""
    if messages is None:
        return 0
    if isinstance(messages, list):
        return len(messages)
    if isinstance(messages, Iterator):
        return sum(1 for _ in messages)
    return 1


class TelegramReader(Reader):
    """Telegram Desktop JSON exports (single chat or full account)."""

    name = "telegram"
    platform = "telegram"

    def sniff(self, head: Head) -> float:
        txt = head.json_text
        if not txt:
            return 0.0
        if (
            '"messages"' in txt
            and '"type"' in txt
            and ('"date_unixtime"' in txt or '"text_entities"' in txt or '"from_id"' in txt)
        ):
            return 0.9
        chat = head.first_json
        if isinstance(chat, dict) and chat.get("messages") == [] and {"type", "id"} <= chat.keys():
            return 0.9  # a chat exported with no messages in it
        if '"personal_information"' in txt and ('"chats"' in txt or '"user_id"' in txt):
            return 0.85  # a full-account export: chats come after contacts and sessions
        return 0.0

    def read(self, source: Source) -> Iterator[Record]:
        data = source.read_all()
        if isinstance(data, Quarantined):
            data.format = self.name
            yield data
            return
        damage = None  # why the document does not parse, while no message shows where
        try:
            root = loads_document(data.removeprefix(BOM))
        except JSON_ERRORS as exc:
            # cut short or damaged: every message that can still be read, chat by chat
            damage = str(exc).split("\n")[0]
            chats = [(header, values) for header, _, values in lists_under(data, b"messages")]
            if not chats:
                yield quarantine(source, 1, f"invalid JSON: {exc}", data[:65536], self.name)
                return
        else:
            if not isinstance(root, dict):
                yield quarantine(
                    source, 1, "not a Telegram export (root is not an object)", root, self.name
                )
                return
            chats = [(chat, chat.get("messages")) for chat in self._chats(root)]
            for key in ("chats", "left_chats"):  # a section of another shape: seen, not lost
                section = root.get(key)
                if section is not None and not isinstance(as_obj(section).get("list"), list):
                    reason = f"{key} of a full-account export holds no list of chats"
                    yield quarantine(source, 1, reason, section, self.name)
        index = 0
        for chat, messages in chats:
            chat_id = numeric_id(chat.get("id"))
            # message ids restart in every chat: without the chat's, a message is named by none
            no_chat = (
                None
                if chat_id
                else f"chat id {shown(chat['id'])} names no chat"
                if "id" in chat
                else "message of a chat without id (or whose keys before its messages are damaged)"
            )
            kind = chat.get("type")
            if isinstance(kind, str) and kind in _PRIVATE_TYPES:
                count = _count(messages)
                if count:  # declined unread: counted, no raw bytes kept
                    why = f"a Telegram private chat ({kind}): private messages, not read"
                    yield quarantine(source, index + 1, why, b"", self.name)
                index += count
                continue
            is_channel = kind in _CHANNEL_TYPES
            if isinstance(messages, list):
                messages = enumerate(messages, start=1)
            elif messages is None:
                messages = ()
            elif not isinstance(messages, Iterator):  # one chat of another shape: others read
                index += 1
                yield quarantine(
                    source, index, "chat whose messages are not a list", chat, self.name
                )
                continue
            for _, msg in messages:
                index += 1
                if isinstance(msg, UnreadableItem):
                    damage = None
                    reason = f"unreadable message of an export cut short or damaged: {msg}"
                    yield quarantine(source, index, reason, msg.raw, self.name)
                    continue
                if isinstance(msg, dict) and msg.get("type") == "service":
                    continue  # joins, pins, title changes: not posts
                if no_chat is not None:
                    yield quarantine(source, index, no_chat, msg, self.name)
                    continue
                yield from guarded(
                    source, self.name, index, msg, self._message, index, msg, chat_id, is_channel
                )
        if damage is not None:  # cut between two chats, or after the last: the rest is lost
            reason = f"export cut short or damaged after its last whole chat: {damage}"
            yield quarantine(source, index + 1, reason, data[-1024:], self.name)

    @staticmethod
    def _chats(root: dict) -> Iterator[dict]:
        if "messages" in root:
            yield root
        for key in ("chats", "left_chats"):
            section = root.get(key)
            if isinstance(section, dict):
                chats = section.get("list")
                if isinstance(chats, list):
                    yield from (c for c in chats if isinstance(c, dict))

    def _message(
        self, source: Source, index: int, msg: Any, chat_id: str, is_channel: bool
    ) -> Record:
        if not isinstance(msg, dict) or msg.get("id") in (None, ""):
            return quarantine(source, index, "message without id", msg, self.name)
        kind = msg.get("type", "message")
        if kind != "message":  # a message of no known type is kept in quarantine, not passed over
            return quarantine(
                source, index, f"message of unknown type {kind!r:.40}", msg, self.name
            )
        if not isinstance(msg.get("text", ""), str | list):
            return quarantine(
                source, index, "message text is neither text nor a list", msg, self.name
            )
        message_id = numeric_id(msg["id"])
        if message_id is None:  # "abc", -1, 1.5, a list: no message of the chat
            why = f"message id {shown(msg['id'])} names no message"
            return quarantine(source, index, why, msg, self.name)
        text = flatten_text(msg.get("text"))
        if not text and isinstance(msg.get("text_entities"), list):
            text = flatten_text(msg["text_entities"])
        ents = _entities(msg)
        tags = [e.get("text", "") for e in ents if e.get("type") == "hashtag"]
        mentions = [str(e.get("text", "")).lstrip("@") for e in ents if e.get("type") == "mention"]
        urls = [
            str(e.get("href") if e.get("type") == "text_link" else e.get("text", ""))
            for e in ents
            if e.get("type") in ("link", "text_link")
        ]
        metrics: dict[str, int] = {}
        if msg.get("forwarded_from") is not None or msg.get("forwarded_from_id"):
            metrics["forwarded"] = 1
        if msg.get("edited") or msg.get("edited_unixtime"):
            metrics["edited"] = 1
        reactions = msg.get("reactions")
        if isinstance(reactions, list):
            counts = [metric(r.get("count")) for r in reactions if isinstance(r, dict)]
            total = metric(sum(n for n in counts if n is not None))
            if total:
                metrics["reactions"] = total
        reply = msg.get("reply_to_message_id")
        reply_id = numeric_id(reply)
        if reply_id is None and reply not in (None, ""):
            why = f"reply_to_message_id {shown(reply)} names no message"
            return quarantine(source, index, why, msg, self.name)
        peer = msg.get("reply_to_peer_id")
        reply_chat = numeric_id(
            peer.lstrip("abcdefghijklmnopqrstuvwxyz") if isinstance(peer, str) else peer
        )
        if reply_chat is None and peer not in (None, ""):
            why = f"reply_to_peer_id {shown(peer)} names no chat"
            return quarantine(source, index, why, msg, self.name)
        created = stated_time(msg.get("date_unixtime"), "date_unixtime", "s") or stated_time(
            msg.get("date"), "date"
        )
        return Post(
            platform="telegram",
            id=f"{chat_id}/{message_id}",
            text=text,
            created_at=created,
            author=_peer(msg.get("from_id"), chat_id, is_channel),
            author_name=str(msg["from"]) if msg.get("from") else None,
            hashtags=merge_hashtags(tags, hashtags_in_text(text)),
            mentions=[m for m in mentions if m],
            urls=[u for u in urls if u],
            reply_to=f"{reply_chat or chat_id}/{reply_id}" if reply_id else None,
            metrics=metrics,
            source_file=source.name,
            source_line=index,
            format=self.name,
        )
