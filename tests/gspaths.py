"""Paths shared by the tests (the real samples in ../shared, the repo's own fixtures) and a
helper that turns recorded HTTP sessions into the response bodies users really have."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FORMATS = SHARED / "formats"
DATA = SHARED / "data"
FIXTURES = Path(__file__).resolve().parent / "data"


def extract_bodies(responses_json: Path, out_dir: Path) -> list[Path]:
    """Write each HTTP response body of a recorded session (``*.responses.json``) to its own JSON
    file: recorded sessions are not a user format, their bodies are."""
    import json

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, entry in enumerate(json.loads(responses_json.read_text(encoding="utf-8"))):
        body = entry.get("body")
        if isinstance(body, dict | list) and body:
            path = out_dir / f"{responses_json.name.split('.')[0]}-{i:02d}.json"
            path.write_text(json.dumps(body), encoding="utf-8")
            paths.append(path)
    return paths


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def car_file(header: bytes, blocks: Iterable[tuple[bytes, bytes]]) -> bytes:
    """A CAR v1 file: the encoded header, then each (cid, encoded block), varint-framed."""
    out = [_varint(len(header)), header]
    for cid, block in blocks:
        out += [_varint(len(cid) + len(block)), cid, block]
    return b"".join(out)


def sample_path(rel: str) -> Path:
    """A sample file: under tests/data, or ``formats:`` + a path under ../shared/formats; the
    test is skipped when it is not there."""
    import pytest

    path = FORMATS / rel.removeprefix("formats:") if rel.startswith("formats:") else FIXTURES / rel
    if not path.exists():
        pytest.skip(f"{path} not present")
    return path


def json_lines(path: Path) -> list:
    """Each line of a JSON-lines fixture parsed, None where a line is not JSON."""
    import json

    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            out.append(None)
    return out


def fixtures_claimed_by(reader: str, own: Iterable[str]) -> tuple[list[Path], list[str]]:
    """(the fixtures outside the ``own`` folders, the names of those ``reader`` is detected for):
    a new reader must take no other format's file."""
    from groundswell.ingest.registry import detect, load_readers
    from groundswell.ingest.source import sources_from_path

    readers = load_readers()
    others = [p for p in sorted(FIXTURES.rglob("*")) if p.is_file() and p.parent.name not in own]
    claimed = [
        s.name
        for p in others
        for s in sources_from_path(p)
        if s.skip_reason is None and getattr(detect(s, readers), "name", None) == reader
    ]
    return others, claimed
