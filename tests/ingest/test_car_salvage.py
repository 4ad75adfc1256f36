"""A damaged Bluesky repository CAR keeps every record it still holds (issue 11).

A cut file, a flipped byte in a block, a bad frame length, a damaged CID, a damaged tree node or
commit: the readable records are stored, the damaged part is quarantined with a reason that gives
its byte offset, no post vanishes (each is stored, or quarantined by URI or with its own bytes),
and ``read == stored + duplicates + reposts + quarantined``.

The repository is built here (a three-node tree, blocks in the pre-order goat writes); the real
``repo.car`` of ../shared/formats gets the same damage when it is present.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import libipld
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.ingest.bluesky_car import BlueskyCarReader, _varint
from groundswell.ingest.bluesky_record import POST, REPOST
from groundswell.ingest.source import Source
from groundswell.schema import Post, Quarantined
from groundswell.store import Store, ingest
from gspaths import FORMATS, car_file

DID = "did:plc:testcarsalvageaaaaaaaaaa"


def _cid(block: bytes) -> bytes:
    return b"\x01\x71\x12\x20" + hashlib.sha256(block).digest()


def _post(i: int) -> dict:
    return {
        "$type": POST,
        "text": f"post {i} #MeToo",
        "createdAt": f"2024-10-15T09:{i:02d}:00.000Z",
    }


def _node(entries: list[tuple[str, bytes, bytes | None]], left: bytes | None) -> dict:
    """An MST node of (key, value CID, right subtree) entries, keys prefix-compressed."""
    out, previous = [], b""
    for key, value, right in entries:
        kb = key.encode()
        p = 0
        while p < min(len(kb), len(previous)) and kb[p] == previous[p]:
            p += 1
        out.append({"k": kb[p:], "p": p, "t": right, "v": value})
        previous = kb
    return {"e": out, "l": left}


def make_repo() -> bytes:
    """A repository of five posts, a repost and a like over three tree nodes."""
    records = {f"{POST}/3kpost{i:07d}": _post(i) for i in range(5)}
    records[f"{REPOST}/3krepost00001"] = {
        "$type": REPOST,
        "createdAt": "2024-10-15T10:00:00.000Z",
        "subject": {"uri": "at://did:plc:other/app.bsky.feed.post/3k1", "cid": "x"},
    }
    records["app.bsky.feed.like/3klike000001"] = {
        "$type": "app.bsky.feed.like",
        "createdAt": "2024-10-15T10:00:00.000Z",
        "subject": {"uri": "at://x"},
    }
    keys = sorted(records)  # like, post0..4, repost
    enc = {k: libipld.encode_dag_cbor(records[k]) for k in keys}
    left = libipld.encode_dag_cbor(_node([(k, _cid(enc[k]), None) for k in keys[:3]], None))
    right = libipld.encode_dag_cbor(_node([(k, _cid(enc[k]), None) for k in keys[4:]], None))
    root = libipld.encode_dag_cbor(_node([(keys[3], _cid(enc[keys[3]]), _cid(right))], _cid(left)))
    commit = libipld.encode_dag_cbor(
        {"did": DID, "version": 3, "data": _cid(root), "rev": "3k", "prev": None, "sig": b"s"}
    )
    order = [commit, root, left, *(enc[k] for k in keys[:3]), enc[keys[3]], right]
    order += [enc[k] for k in keys[4:]]
    header = libipld.encode_dag_cbor({"roots": [_cid(commit)], "version": 1})
    return car_file(header, [(_cid(b), b) for b in order])


_REPO = make_repo()


def frames(data: bytes) -> list[tuple[int, int, int]]:
    """``(start, body, end)`` of every frame after the header."""
    size, pos = _varint(data)
    pos += size
    out = []
    while pos < len(data):
        length, body = _varint(data, pos)
        out.append((pos, body, body + length))
        pos = body + length
    return out


def _read(data: bytes, tmp_path: Path) -> list:
    path = tmp_path / "repo.car"
    path.write_bytes(data)
    return list(BlueskyCarReader().read(Source(path)))


_CLEAN: dict[bytes, dict[str, bytes]] = {}


def _clean_posts(data: bytes, tmp_path: Path) -> dict[str, bytes]:
    """Each post and repost of an undamaged CAR: id -> its record's DAG-CBOR (read once)."""
    if data not in _CLEAN:
        _CLEAN[data] = _posts_of(data, tmp_path)
    return _CLEAN[data]


def _posts_of(data: bytes, tmp_path: Path) -> dict[str, bytes]:
    _, blocks = libipld.decode_car(data)
    out = {}
    for rec in _read(data, tmp_path):
        assert isinstance(rec, Post)
        out[rec.id] = next(
            libipld.encode_dag_cbor(b)
            for b in blocks.values()
            if isinstance(b, dict) and b.get("createdAt") and _matches(rec, b)
        )
    return out


def _matches(post: Post, block: dict) -> bool:
    kind = REPOST if post.repost_of else POST
    return (
        block.get("$type") == kind
        and post.text == block.get("text", post.text)
        and (post.created_at.isoformat()[:19] == block["createdAt"][:19])
    )


def assert_nothing_vanishes(damaged: bytes, clean: dict[str, bytes], tmp_path: Path) -> list:
    """Every post of ``clean`` is stored, or quarantined by its URI or with its own bytes."""
    records = _read(damaged, tmp_path)
    stored = {r.id for r in records if isinstance(r, Post)}
    bad = [r for r in records if isinstance(r, Quarantined)]
    assert len({q.line for q in bad}) == len(bad)  # one quarantine row each
    for uri, raw in clean.items():
        assert uri in stored or any(uri in q.reason or raw == q.raw for q in bad), uri
    return records


def _ingest(data: bytes, tmp_path: Path):
    path = tmp_path / "repo.car"
    path.write_bytes(data)
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([path], store, progress=False)
    assert report.balanced, report.to_dict()
    return report


@pytest.fixture(params=["built", "real"])
def repo(request) -> bytes:
    if request.param == "built":
        return _REPO
    real = FORMATS / "bluesky_car" / "repo.car"
    if not real.is_file():
        pytest.skip("../shared/formats not present")
    return real.read_bytes()


def _record_frame(data: bytes, index: int = 0) -> tuple[int, int, int]:
    """The frame of the ``index``-th post record."""
    posts = [
        f
        for f in frames(data)
        if (b := libipld.decode_dag_cbor(data[f[1] + 36 : f[2]])) and isinstance(b, dict)
        if b.get("$type") == POST
    ]
    return posts[index]


def test_a_flipped_byte_in_a_record_block_quarantines_that_record_only(repo, tmp_path):
    clean = _clean_posts(repo, tmp_path)
    start, body, end = _record_frame(repo, 1)
    damaged = bytearray(repo)
    damaged[body + 40] ^= 0xFF
    records = assert_nothing_vanishes(bytes(damaged), clean, tmp_path)
    bad = [r for r in records if isinstance(r, Quarantined)]
    assert len(bad) == 1 and f"byte {start}" in bad[0].reason
    assert bad[0].raw == bytes(damaged[start:end])  # the damaged bytes, as they are
    assert sum(isinstance(r, Post) for r in records) == len(clean) - 1
    report = _ingest(bytes(damaged), tmp_path)
    assert report.quarantined == 1 and report.stored + report.reposts == len(clean) - 1


def test_a_file_cut_mid_block_keeps_every_block_before_the_cut(repo, tmp_path):
    start, body, end = _record_frame(repo, 2)
    cut = repo[: body + (end - body) // 2]
    records = _read(cut, tmp_path)
    stored = {r.id for r in records if isinstance(r, Post)}
    before = {r.id for r in _read(repo[:start], tmp_path) if isinstance(r, Post)}
    assert before <= stored and len(before) >= 2
    reasons = [r.reason for r in records if isinstance(r, Quarantined)]
    assert any(f"truncated block at byte {start}" in r for r in reasons)


@pytest.mark.parametrize("varint", [b"\xff\xff\xff\xff\x0f", b"\x80\x80\x80\x80\x80", b"\x05"])
def test_a_bad_frame_length_loses_nothing(repo, tmp_path, varint):
    """The block still hashes to its CID up to the next good frame: it is read whole."""
    clean = _clean_posts(repo, tmp_path)
    start, body, _ = _record_frame(repo, 0)
    damaged = repo[:start] + varint + repo[body:]
    records = _read(damaged, tmp_path)
    assert {r.id for r in records if isinstance(r, Post)} == set(clean)
    assert not [r for r in records if isinstance(r, Quarantined)]


def test_a_damaged_cid_is_read_by_its_content(repo, tmp_path):
    """The tree names the block by the hash of its content, which is intact."""
    clean = _clean_posts(repo, tmp_path)
    _, body, _ = _record_frame(repo, 0)
    for offset in (1, 10):  # the codec, a digest byte
        damaged = bytearray(repo)
        damaged[body + offset] ^= 0x40
        records = _read(bytes(damaged), tmp_path)
        assert {r.id for r in records if isinstance(r, Post)} == set(clean)


def test_a_damaged_tree_node_keeps_its_subtrees_and_quarantines_its_own_records(repo, tmp_path):
    clean = _clean_posts(repo, tmp_path)
    nodes = [
        f
        for f in frames(repo)
        if isinstance(b := libipld.decode_dag_cbor(repo[f[1] + 36 : f[2]]), dict) and "e" in b
    ]
    for start, body, _ in nodes:
        damaged = bytearray(repo)
        damaged[body + 37] ^= 0xFF
        records = assert_nothing_vanishes(bytes(damaged), clean, tmp_path)
        bad = [r for r in records if isinstance(r, Quarantined)]
        assert any(f"byte {start}" in q.reason for q in bad)


def test_a_damaged_commit_quarantines_every_post_with_its_bytes(repo, tmp_path):
    clean = _clean_posts(repo, tmp_path)
    start, body, _ = frames(repo)[0]
    damaged = bytearray(repo)
    damaged[body + 37] ^= 0xFF
    records = assert_nothing_vanishes(bytes(damaged), clean, tmp_path)
    assert not [r for r in records if isinstance(r, Post)]
    assert f"byte {start}" in records[0].reason
    assert _ingest(bytes(damaged), tmp_path).quarantined == len(clean) + 1


@settings(max_examples=30, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32), kind=st.sampled_from(["flip", "cut", "delete", "insert"]))
def test_any_single_damage_never_raises_and_loses_no_untouched_post(seed, kind, tmp_path_factory):
    """One damage anywhere after the header: every post whose block and tree path are outside it
    is stored or quarantined by URI or bytes (a cut drops the blocks after it, so only flips)."""
    tmp = tmp_path_factory.mktemp("car")
    repo = _REPO
    clean = _clean_posts(repo, tmp)
    rng = random.Random(seed)
    size, start = _varint(repo)
    at = rng.randrange(start + size, len(repo))
    if kind == "flip":
        damaged = repo[:at] + bytes([repo[at] ^ (1 << rng.randrange(8))]) + repo[at + 1 :]
    elif kind == "cut":
        damaged = repo[:at]
    elif kind == "delete":
        damaged = repo[:at] + repo[at + rng.randrange(1, 40) :]
    else:
        damaged = repo[:at] + rng.randbytes(rng.randrange(1, 40)) + repo[at:]
    if kind == "flip":
        assert_nothing_vanishes(damaged, clean, tmp)
    else:
        records = _read(damaged, tmp)
        assert all(isinstance(r, Post | Quarantined) for r in records)
        lines = [r.line for r in records if isinstance(r, Quarantined)]
        assert len(set(lines)) == len(lines)
