"""Runs of blank lines are passed over in bulk, giving exactly the items of the line-by-line
reading, and without one read call per blank line (a gzip of a billion newlines)."""

from __future__ import annotations

import gzip

from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.ingest.source import RAW_KEEP_BYTES, READ_ERRORS, Source
from groundswell.schema import Quarantined


def _one_by_one(source: Source, limit: int) -> list:
    """Source.lines as it was: one readline per line."""
    out: list = []
    lineno = 0
    try:
        with source.open() as fh:
            while line := fh.readline(limit + 1):
                lineno += 1
                if len(line) > limit and not line.endswith(b"\n"):
                    kept = line[:RAW_KEEP_BYTES]
                    while line and not line.endswith(b"\n"):
                        line = fh.readline(1 << 20)
                    reason = f"line longer than {limit} bytes (first {RAW_KEEP_BYTES} kept)"
                    out.append(
                        Quarantined(source_file=source.name, line=lineno, reason=reason, raw=kept)
                    )
                elif line.strip():
                    out.append((lineno, line))
    except READ_ERRORS as exc:
        reason = f"truncated or corrupt {source.compression} stream: {exc}"
        out.append(Quarantined(source_file=source.name, line=lineno + 1, reason=reason))
    return out


_PIECES = st.sampled_from(
    [b"\n", b"\r\n", b"  \n", b" ", b"\t", b"\x0b\n", b'{"a": 1}', b"x" * 30, b"\n" * 50]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_PIECES, max_size=60),
    st.sampled_from([5, 20, 1000]),
    st.sampled_from(["plain", "gzip", "cut gzip"]),
)
def test_blank_runs_give_the_line_by_line_items(tmp_path_factory, parts, limit, kind):
    data = b"".join(parts)
    path = tmp_path_factory.mktemp("blank") / "in.jsonl"
    packed = data if kind == "plain" else gzip.compress(data)
    path.write_bytes(packed[: len(packed) // 2] if kind == "cut gzip" else packed)
    assert list(Source(path).lines(limit)) == _one_by_one(Source(path), limit)


def test_a_run_of_blank_lines_is_not_read_line_by_line(tmp_path, monkeypatch):
    path = tmp_path / "in.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"a": 1}\n' + b"\n" * 3_000_000 + b'{"b": 2}\n'))
    calls = []
    opened = Source.open

    class Counted:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def readline(self, *args):
            calls.append(1)
            return self.fh.readline(*args)

        def peek(self, *args):
            return self.fh.peek(*args)

        def read(self, *args):
            return self.fh.read(*args)

    monkeypatch.setattr(Source, "open", lambda self: Counted(opened(self)))
    assert list(Source(path).lines()) == [(1, b'{"a": 1}\n'), (3_000_002, b'{"b": 2}\n')]
    assert len(calls) < 1000
