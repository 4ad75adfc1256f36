"""What a deletion list keeps (CODEBOOK section 7): keyed hashes of the ids it names, never the
ids, and the platform-independent forms under which an author can be recognised again later."""

from __future__ import annotations

import re
from collections.abc import Iterable

from groundswell.care.pseudonym import KeyedHash

_ACTOR_URI = re.compile(r"https?://([^/\s]+)/(?:users/|@)([\w.-]+)/?$")
# runs of characters ids, handles, DIDs and actor URIs are made of; separators inside a run
_RUN = re.compile(r"[\w.:@/+-]+")
_SEP = re.compile(r"[.:@/+-]")
_MAX_SEGMENTS = 8  # longest id or handle looked for inside a run (did:plc:x = 3 segments)


def person_key(value: str) -> str:
    """An author id or handle as a deletion list may write it: case-folded, no leading '@', no
    byte-order mark (a spreadsheet's export may start a cell with one)."""
    return value.replace("\ufeff", "").strip().lstrip("@").lower()


def person_keys(author: str | None, author_name: str | None = None) -> set[str]:
    """The platform-independent forms under which a deletion list may name an author: the id and
    the handle (see ``person_key``), and ``user@host`` for a fediverse actor URI."""
    out = set()
    for value in (author, author_name):
        if not value or not isinstance(value, str):  # a reader's value of another type
            continue
        key = person_key(value)
        if key:
            out.add(key)
        actor = _ACTOR_URI.match(key)
        if actor:
            out.add(f"{actor.group(2)}@{actor.group(1)}")
    return out


def raw_candidates(raw: bytes | str | None, *, fold: bool = True) -> set[str]:
    """Every id-shaped piece of a raw record (case-folded unless ``fold`` is false, as post ids
    are matched): each run of id characters and each span of up to eight of its
    dot/colon/slash/@-separated segments, so ``jane.bsky.social`` and ``did:plc:abc`` are found
    inside links, JSON strings and CSV cells alike."""
    if not raw:
        return set()
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    text = text.replace("\\/", "/")
    if fold:
        text = text.lower()
    out: set[str] = set()
    for match in _RUN.finditer(text):
        run = match.group(0)
        seps = list(_SEP.finditer(run))
        starts = [0, *(s.end() for s in seps)]
        ends = [*(s.start() for s in seps), len(run)]
        for i, start in enumerate(starts):
            for end in ends[i : i + _MAX_SEGMENTS]:
                if end > start:
                    out.add(run[start:end].lstrip("@"))
    out.discard("")
    return out


class ForgetHasher(KeyedHash):
    """Keyed hashes for the ``forgotten`` table, so a deletion list is kept without the ids it
    names. Its key is derived from the store key (the store key itself never reaches SQL);
    ``sql(expr)`` computes the same hash inside DuckDB, so matching stays set-based."""

    def __init__(self, key: bytes) -> None:
        super().__init__(key, b"groundswell forgotten")

    def person(self, key: str) -> str:
        """The hash of an author in a platform-independent form (see ``person_keys``)."""
        return self("person:" + key)

    def handle(self, name: str | None) -> str | None:
        """A post's ``author_handle_key``: the hash of its author's handle as a deletion list
        naming it is kept (``person(person_key(name))``), so forgetting a handle finds the
        posts of a store that keeps no handles; None for no handle."""
        return self.handles([name])[name]

    def handles(self, names: Iterable[str | None]) -> dict[str | None, str | None]:
        """``handle`` of each distinct name (a batch repeats its authors' handles), the keyed
        prefix hashed once for them all."""
        person = self.after("person:")
        out: dict[str | None, str | None] = {}
        for name in set(names):
            key = person_key(name) if name else ""
            out[name] = person(key) if key else None
        return out
