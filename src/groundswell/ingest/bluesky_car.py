"""Bluesky repository exports: the CAR file that "Export my data" (``getRepo``) gives.

A CARv1 of DAG-CBOR blocks: the root is the signed commit (``did``, ``rev``, ``data``), ``data``
links the root of the Merkle Search Tree, and the tree's leaves link the records. Records hold no
URI, so each one is named from its tree key ``collection/rkey`` and the commit's DID. Keys are
prefix-compressed: an entry's key is the first ``p`` bytes of the previous key in the same node
followed by its ``k`` bytes. Posts and reposts are read; likes, follows, profiles and other
collections are passed over (counted in ``passed_over``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from groundswell.ingest.bluesky_record import (
    POST,
    REPOST,
    at_uri,
    post_from_record,
    repost_from_record,
)
from groundswell.ingest.registry import Head, Reader, guarded, quarantine
from groundswell.ingest.source import Source
from groundswell.schema import Quarantined, Record

_MAX_NODES = 10_000_000  # a tree larger than this is not a real repository


def _varint(data: bytes, pos: int = 0) -> tuple[int, int]:
    """An unsigned LEB128 varint at ``pos``: (value, position after it); (-1, pos) if bad."""
    value = shift = 0
    for i in range(pos, min(len(data), pos + 9)):
        byte = data[i]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, i + 1
        shift += 7
    return -1, pos


def car_header(raw: bytes) -> dict | None:
    """The decoded CARv1 header at the start of ``raw`` (None when it is not one)."""
    import libipld

    size, start = _varint(raw)
    if size <= 0 or size > 4096 or start + size > len(raw):
        return None
    try:
        header = libipld.decode_dag_cbor(raw[start : start + size])
    except Exception:  # libipld raises plain ValueError/TypeError variants on junk
        return None
    if (
        isinstance(header, dict)
        and header.get("version") == 1
        and isinstance(header.get("roots"), list)
    ):
        return header
    return None


def walk_mst(blocks: dict[bytes, Any], root: bytes) -> Iterator[tuple[str, bytes] | bytes]:
    """``(key, record CID)`` for every leaf of the tree under ``root``, in key order.

    A node missing from the blocks is yielded as its CID (bytes) so the caller can report it.
    """
    stack: list[tuple[str, Any]] = [("node", root)]
    seen: set[bytes] = set()
    while stack:
        kind, item = stack.pop()
        if kind == "leaf":
            yield item
            continue
        if item in seen or len(seen) > _MAX_NODES:
            continue
        seen.add(item)
        node = blocks.get(item) if isinstance(item, bytes) else None
        if not _is_node(node):
            yield item if isinstance(item, bytes) else b""
            continue
        todo: list[tuple[str, Any]] = []
        if isinstance(node.get("l"), bytes):
            todo.append(("node", node["l"]))
        key = b""
        for entry in node["e"]:
            key = key[: entry.get("p") or 0] + entry["k"]
            todo.append(("leaf", (key.decode("utf-8", errors="replace"), entry.get("v"))))
            if isinstance(entry.get("t"), bytes):
                todo.append(("node", entry["t"]))
        stack.extend(reversed(todo))


def _is_node(node: Any) -> bool:
    """Whether a decoded block has the shape of an MST node (a corrupt one is reported)."""
    if not isinstance(node, dict) or not isinstance(node.get("e"), list):
        return False
    return all(
        isinstance(e, dict)
        and isinstance(e.get("k"), bytes)
        and isinstance(e.get("p") or 0, int)
        and isinstance(e.get("v"), bytes)
        for e in node["e"]
    )


class BlueskyCarReader(Reader):
    """A Bluesky repository CAR (``repo.car``): the account's posts and reposts."""

    name = "bluesky_car"
    platform = "bluesky"

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        self.passed_over: Counter[str] = Counter()

    def sniff(self, head: Head) -> float:
        return 0.95 if car_header(head.raw) else 0.0

    def read(self, source: Source) -> Iterator[Record]:
        import libipld

        data = source.read_all()
        if isinstance(data, Quarantined):
            data.format = self.name
            yield data
            return
        try:
            header, blocks = libipld.decode_car(data)
        except Exception as exc:  # truncated or corrupt CAR: one quarantined record
            yield quarantine(source, 1, f"unreadable CAR: {exc}", data[:65536], self.name)
            return
        roots = header.get("roots") or []
        commit = blocks.get(roots[0]) if roots else None
        if (
            not isinstance(commit, dict)
            or not isinstance(commit.get("did"), str)
            or not commit.get("data")
        ):
            yield quarantine(source, 1, "CAR root is not a repository commit", b"", self.name)
            return
        did = commit["did"]
        position = 0
        for item in walk_mst(blocks, commit["data"]):
            position += 1
            if isinstance(item, bytes):
                yield quarantine(
                    source, position, f"MST node {_cid(item)} missing or corrupt", b"", self.name
                )
                continue
            key, cid = item
            collection, _, rkey = key.partition("/")
            if collection not in (POST, REPOST):
                self.passed_over[collection] += 1
                continue
            record = blocks.get(cid) if isinstance(cid, bytes) else None
            uri = at_uri(did, collection, rkey)
            if not isinstance(record, dict):
                yield quarantine(
                    source, position, f"record {uri} missing from the CAR", b"", self.name
                )
            elif collection == REPOST:
                yield from guarded(
                    source, self.name, position, _safe(record), self._repost, record, uri, position
                )
            elif not isinstance(record.get("text"), str):
                yield quarantine(
                    source, position, "post record without text", _safe(record), self.name
                )
            else:  # a time out of range quarantines this record only
                yield from guarded(
                    source, self.name, position, _safe(record), self._post, record, uri, position
                )

    def _post(self, source: Source, record: dict, uri: str, position: int) -> Record:
        return post_from_record(
            record, uri, fmt=self.name, source_file=source.name, source_line=position
        )

    def _repost(self, source: Source, record: dict, uri: str, position: int) -> Record:
        return repost_from_record(
            record, uri, fmt=self.name, source_file=source.name, source_line=position
        ) or quarantine(source, position, "repost without subject uri", _safe(record), self.name)


def _cid(raw: bytes) -> str:
    import libipld

    try:
        return libipld.encode_cid(raw)
    except Exception:
        return raw.hex()


def _safe(record: dict) -> bytes:
    """A record's raw form for the quarantine (DAG-CBOR, as stored)."""
    import libipld

    try:
        return libipld.encode_dag_cbor(record)
    except Exception:
        return repr(record).encode()
