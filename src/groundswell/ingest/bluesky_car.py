"""Bluesky repository exports: the CAR file that "Export my data" (``getRepo``) gives.

A CARv1 of DAG-CBOR blocks: the root is the signed commit (``did``, ``rev``, ``data``), ``data``
links the root of the Merkle Search Tree, and the tree's leaves link the records. Records hold no
URI, so each one is named from its tree key ``collection/rkey`` and the commit's DID. Keys are
prefix-compressed: an entry's key is the first ``p`` bytes of the previous key in the same node
followed by its ``k`` bytes. Posts and reposts are read; likes, follows, profiles and other
collections are passed over (counted in ``passed_over``). A post or repost whose DID or record key
holds a NUL, a control character or a lone surrogate names no record: it is quarantined.

A damaged CAR is read frame by frame (``read_blocks``): the blocks it still holds are stored, each
damaged part is quarantined once, with its byte offset, and a post the tree no longer reaches is
quarantined with its own bytes, so nothing vanishes. A header that no longer decodes (a byte of
its root's CID changed) is quarantined, and the commit is found among the blocks.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from groundswell.ingest.bluesky_record import (
    POST,
    REPOST,
    at_uri,
    is_uri_part,
    post_from_record,
    repost_from_record,
)
from groundswell.ingest.fields import shown
from groundswell.ingest.registry import Head, Reader, guarded, quarantine
from groundswell.ingest.source import Source
from groundswell.schema import Quarantined, Record

_MAX_NODES = 10_000_000  # a tree larger than this is not a real repository
_MAX_BLOCK = 8 * 1024 * 1024  # a block frame longer than this is a corrupt length


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


def damaged_car_header(raw: bytes) -> bool:
    """Whether ``raw`` starts like a CARv1 whose header will not decode (a byte of its root's
    CID changed): a short varint-framed header that still names ``roots`` and ``version`` in
    DAG-CBOR, followed by a framed block."""
    size, start = _varint(raw)
    if size <= 0 or size > 4096 or start + size > len(raw):
        return False
    header = raw[start : start + size]
    if not (header[:1] == b"\xa2" and b"\x65roots" in header and b"\x67version" in header):
        return False
    after = start + size
    return after == len(raw) or _varint(raw, after)[0] > 0


def _cid_end(data: bytes, pos: int, end: int) -> int:
    """Where the CID starting at ``pos`` ends (before ``end``), or -1 when it is not one."""
    if data[pos : pos + 2] == b"\x12\x20":  # CIDv0: a bare sha2-256 multihash
        return pos + 34 if pos + 34 <= end else -1
    version, at = _varint(data, pos)
    if version != 1:
        return -1
    codec, at = _varint(data, at)
    code, at = _varint(data, at)
    size, at = _varint(data, at)
    if min(codec, code, size) < 0 or at + size > end:
        return -1
    return at + size


_DAG_CBOR_SHA256 = b"\x01\x71\x12\x20"  # the CID prefix of every block of a repository


def _frame(data: bytes, pos: int) -> tuple[bytes, bytes, int] | None:
    """``(cid, block, end)`` of the frame at ``pos`` when it is whole and its block hashes to its
    CID (a CID of another hash is taken on trust), else None."""
    length, body = _varint(data, pos)
    end = body + length
    if length <= 0 or length > _MAX_BLOCK or end > len(data):
        return None
    cid_end = _cid_end(data, body, end)
    if cid_end < 0:
        return None
    cid, block = data[body:cid_end], data[cid_end:end]
    if cid[-34:-32] == b"\x12\x20" and hashlib.sha256(block).digest() != cid[-32:]:
        return None
    return cid, block, end


def _next_frame(data: bytes, pos: int) -> int:
    """The first offset after ``pos`` where a whole frame that hashes to its CID starts (the
    length of ``data`` when none does)."""
    at = data.find(b"\x12\x20", pos + 2)  # the sha2-256 multihash of a CIDv1
    while at != -1:
        cid = at - 2
        if data[cid : cid + 2] in (b"\x01\x71", b"\x01\x55"):  # dag-cbor or raw
            for start in range(max(pos + 1, cid - 4), cid):
                if _varint(data, start)[1] == cid and _frame(data, start):
                    return start
        at = data.find(b"\x12\x20", at + 1)
    return len(data)


@dataclass
class BadBlock:
    """A part of the CAR that is not a readable block: where it starts, why, its bytes."""

    offset: int
    reason: str
    raw: bytes
    cid: bytes | None = None  # the CID the frame names, when it could be read
    true_cid: bytes | None = None  # the CID of its content, when that decodes


@dataclass
class CarBlocks:
    """The blocks of a CAR read frame by frame: the good ones by CID, and the bad parts."""

    blocks: dict[bytes, Any] = field(default_factory=dict)
    verified: set[bytes] = field(default_factory=set)  # CIDs whose content matches them
    bad: list[BadBlock] = field(default_factory=list)


def read_blocks(data: bytes, start: int) -> CarBlocks:
    """Every block of a CARv1 after its header (which ends at ``start``).

    A frame is a varint length, a CID and a DAG-CBOR block that hashes to the CID. Where a frame
    is not that (a bad length, a cut file, a damaged CID or block), the bad part runs to the next
    good frame and is salvaged as far as it can be: see ``_bad_part``.
    """
    import libipld

    out = CarBlocks()
    pos = start
    while pos < len(data):
        frame = _frame(data, pos)
        if frame is None:
            nxt = _next_frame(data, pos)
            _bad_part(data, pos, nxt, out)
            pos = nxt
            continue
        cid, block, end = frame
        try:
            value = libipld.decode_dag_cbor(block)
            out.blocks[cid] = value
            if cid[-34:-32] == b"\x12\x20":  # also under its canonical form, which trees use
                cid = _DAG_CBOR_SHA256 + cid[-32:]
                out.blocks.setdefault(cid, value)
            out.verified.add(cid)
        except Exception as exc:  # libipld raises plain ValueError/TypeError variants on junk
            why = f"undecodable block at byte {pos}: {exc}"
            out.bad.append(BadBlock(pos, why, data[pos:end], cid))
        pos = end
    return out


def _bad_part(data: bytes, pos: int, nxt: int, out: CarBlocks) -> None:
    """Salvage the bad part ``data[pos:nxt]``: a block whose length alone was damaged is kept
    (it still hashes to its CID); one whose CID was damaged is kept under the CID of its content
    (its tree node names it so); anything else is a bad part, named by the CID it claims."""
    import libipld

    length, body = _varint(data, pos)
    at = data.find(_DAG_CBOR_SHA256, pos, pos + 12)
    at = at if at >= 0 else body if length > 0 else -1
    end = body + length if length > 36 and body + length <= nxt else nxt
    raw = data[pos : min(nxt, pos + 65536)]
    cid = data[at : at + 36] if at >= 0 and at + 36 <= nxt else None
    if length > 0 and body + length > len(data) and nxt == len(data):
        why = f"truncated block at byte {pos} ({length} bytes framed, {len(data) - body} left)"
        out.bad.append(BadBlock(pos, why, raw, cid))
        return
    if cid is None:
        out.bad.append(BadBlock(pos, f"unreadable frame at byte {pos}", raw))
        return
    block = data[at + 36 : end]
    for whole in {block, data[at + 36 : nxt]}:  # by its length, or up to the next good frame
        if hashlib.sha256(whole).digest() == cid[4:]:  # only the length was damaged
            try:
                out.blocks[cid] = libipld.decode_dag_cbor(whole)
                out.verified.add(cid)
                return
            except Exception:
                break
    try:
        value = libipld.decode_dag_cbor(block)
    except Exception as exc:
        out.bad.append(BadBlock(pos, f"undecodable block at byte {pos}: {exc}", raw, cid))
        return
    true = _DAG_CBOR_SHA256 + hashlib.sha256(block).digest()
    out.blocks.setdefault(true, value)
    why = f"block at byte {pos} does not match its CID"
    out.bad.append(BadBlock(pos, why, raw, cid, true))


def walk_mst(
    blocks: dict[bytes, Any], root: bytes, seen: set[bytes] | None = None
) -> Iterator[tuple[str, bytes] | bytes]:
    """``(key, record CID)`` for every leaf of the tree under ``root``, in key order.

    A node missing from the blocks is yielded as its CID (bytes) so the caller can report it;
    ``seen`` collects the CIDs of the nodes visited.
    """
    stack: list[tuple[str, Any]] = [("node", root)]
    seen = set() if seen is None else seen
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
        if car_header(head.raw):
            return 0.95
        return 0.9 if damaged_car_header(head.raw) else 0.0

    def read(self, source: Source) -> Iterator[Record]:
        data = source.read_all()
        if isinstance(data, Quarantined):
            data.format = self.name
            yield data
            return
        header = car_header(data)
        size, start = _varint(data)
        if header is None:
            why = "unreadable CAR header"
            if not damaged_car_header(data):
                yield quarantine(source, 1, why, data[:65536], self.name)
                return
            # its root's CID is damaged: the blocks after it are read, the commit found among them
            why += ": the commit is found among its blocks"
            yield quarantine(source, 1, why, data[: start + size], self.name)
        car = read_blocks(data, start + size)
        roots = header["roots"] if header is not None else [_commit_cid(car)]
        commit = car.blocks.get(roots[0]) if roots and isinstance(roots[0], bytes) else None
        salvage = _Salvage(self, source, car)
        if isinstance(commit, dict) and isinstance(commit.get("did"), str) and commit.get("data"):
            yield from self._walk(salvage, commit["did"], commit["data"])
            for cid in sorted(car.verified - salvage.nodes):  # subtrees cut off by a bad node
                if cid not in salvage.nodes and _is_node(car.blocks[cid]):
                    yield from self._walk(salvage, commit["did"], cid)
        else:
            yield salvage.quarantine(
                salvage.bad_part(roots[0] if roots else None),
                "CAR root is not a repository commit",
                b"",
            )
        yield from salvage.leftovers()

    def _walk(self, salvage: _Salvage, did: str, root: Any) -> Iterator[Record]:
        """The posts and reposts of the tree under ``root``; what is missing, quarantined."""
        source, blocks = salvage.source, salvage.car.blocks
        for item in walk_mst(blocks, root, salvage.nodes):
            position = salvage.next_position()
            if isinstance(item, bytes):
                why = f"MST node {_cid(item)} missing or corrupt"
                yield salvage.quarantine(salvage.bad_part(item), why, b"", position)
                continue
            key, cid = item
            collection, _, rkey = key.partition("/")
            if isinstance(cid, bytes):
                salvage.leaves.add(cid)
            if collection not in (POST, REPOST):
                self.passed_over[collection] += 1
                continue
            record = blocks.get(cid) if isinstance(cid, bytes) else None
            uri = at_uri(did, collection, rkey)
            if not isinstance(record, dict):
                bad = salvage.bad_part(cid)
                yield salvage.quarantine(bad, f"record {uri} missing from the CAR", b"", position)
            elif not (is_uri_part(did) and is_uri_part(rkey)):  # a NUL would be in the id
                why = f"record {shown(uri)} of no usable did or rkey"
                yield quarantine(source, position, why, _safe(record), self.name)
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


@dataclass
class _Salvage:
    """What a CAR reading has used so far, to account for every bad part exactly once."""

    reader: BlueskyCarReader
    source: Source
    car: CarBlocks
    position: int = 0
    nodes: set[bytes] = field(default_factory=set)  # tree nodes visited
    leaves: set[bytes] = field(default_factory=set)  # record CIDs the tree names
    used: set[int] = field(default_factory=set)  # offsets of the bad parts already reported

    def next_position(self) -> int:
        self.position += 1
        return self.position

    def bad_part(self, cid: Any) -> BadBlock | None:
        """The bad part of the CAR that named ``cid`` (not yet reported), if any."""
        for bad in self.car.bad:
            if bad.cid == cid and cid is not None and bad.offset not in self.used:
                return bad
        return None

    def quarantine(
        self, bad: BadBlock | None, reason: str, raw: bytes, position: int | None = None
    ) -> Quarantined:
        """A quarantined record at ``position`` (or the next one), with the bad part's reason and
        bytes when the problem is a bad part of the file."""
        if bad is not None:
            self.used.add(bad.offset)
            reason, raw = f"{reason}: {bad.reason}", bad.raw
        line = self.next_position() if position is None else position
        return quarantine(self.source, line, reason, raw, self.reader.name)

    def leftovers(self) -> Iterator[Quarantined]:
        """The bad parts no record or node accounts for, and the posts and reposts the tree does
        not reach (their node was lost): quarantined, so nothing vanishes."""
        reached = self.nodes | self.leaves
        for bad in self.car.bad:
            if bad.offset not in self.used and (
                bad.true_cid is None or bad.true_cid not in reached
            ):
                yield self.quarantine(None, f"corrupt CAR: {bad.reason}", bad.raw)
        for cid in self.car.verified - reached:
            record = self.car.blocks[cid]
            if isinstance(record, dict) and record.get("$type") in (POST, REPOST):
                why = f"{record['$type']} record {_cid(cid)} not reachable from the repository tree"
                yield self.quarantine(None, why, _safe(record))


def _commit_cid(car: CarBlocks) -> bytes | None:
    """The CID of the repository commit among a CAR's verified blocks (the signed block that
    names a DID and the tree's root), for a CAR whose header no longer says which it is."""
    for cid in sorted(car.verified):
        block = car.blocks[cid]
        if (
            isinstance(block, dict)
            and isinstance(block.get("did"), str)
            and block.get("data")
            and "sig" in block
        ):
            return cid
    return None
