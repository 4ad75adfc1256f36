"""Sources: one input file (or one member of a .zip), decompressed transparently and streamed.

A Source knows its name for provenance, can show its first bytes for format detection, and yields
lines with a size limit so a 10 MB line or a truncated archive becomes a quarantined record,
not a crash.
"""

from __future__ import annotations

import gzip
import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import zstandard

from groundswell.schema import Quarantined

MAX_LINE_BYTES = 5 * 1024 * 1024  # a record larger than this is quarantined
MAX_DOCUMENT_BYTES = (
    512 * 1024 * 1024
)  # whole-document formats (result.json, CAR) above this are refused
RAW_KEEP_BYTES = 64 * 1024  # how much of an oversized record's bytes the quarantine keeps
HEAD_BYTES = 64 * 1024

_GZIP = b"\x1f\x8b"
_ZSTD = b"\x28\xb5\x2f\xfd"
_ZIP = b"PK\x03\x04"


class TruncatedSourceError(Exception):
    """The compressed stream ended early or is corrupt."""


@dataclass
class Source:
    """One readable input: a plain or compressed file, or a member of a zip archive."""

    path: Path
    member: str | None = None  # name inside a zip archive
    compression: str = "none"  # none | gzip | zstd
    _head: bytes | None = field(default=None, repr=False)

    @cached_property
    def name(self) -> str:
        """The provenance name: the file path, plus ``!member`` for zip members."""
        return f"{self.path}!{self.member}" if self.member else str(self.path)

    @property
    def suffix(self) -> str:
        """The file suffix once compression suffixes are removed (``.jsonl`` for ``x.jsonl.gz``)."""
        name = (self.member or self.path.name).lower()
        for comp in (".gz", ".zst", ".zstd"):
            if name.endswith(comp):
                name = name[: -len(comp)]
        return Path(name).suffix

    def open(self) -> io.BufferedIOBase:
        """Open the decompressed byte stream."""
        raw: io.BufferedIOBase
        if self.member is not None:
            archive = zipfile.ZipFile(self.path)
            raw = archive.open(self.member)  # type: ignore[assignment]
        else:
            raw = open(self.path, "rb")  # noqa: SIM115 - returned to the caller
        if self.compression == "gzip":
            return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
        if self.compression == "zstd":
            return io.BufferedReader(_ZstdFrames(raw), buffer_size=1 << 20)
        return raw

    def head(self, size: int = HEAD_BYTES) -> bytes:
        """The first bytes of the decompressed content ('' for an unreadable or empty source)."""
        if self._head is None:
            try:
                with self.open() as fh:
                    self._head = fh.read(size)
            except (OSError, EOFError, zstandard.ZstdError, zipfile.BadZipFile):
                self._head = b""
        return self._head

    def lines(
        self, limit: int = MAX_LINE_BYTES, *, keep_blank: bool = False
    ) -> Iterator[tuple[int, bytes] | Quarantined]:
        """Yield ``(line_number, bytes)`` for non-blank lines (all lines with ``keep_blank``);
        oversize lines and a truncated stream come out as Quarantined records and reading goes
        on (or stops, if truncated)."""
        lineno = 0
        try:
            with self.open() as fh:
                while True:
                    line = fh.readline(limit + 1)
                    if not line:
                        break
                    lineno += 1
                    if len(line) > limit and not line.endswith(b"\n"):
                        kept = line[:RAW_KEEP_BYTES]
                        while line and not line.endswith(b"\n"):
                            line = fh.readline(1 << 20)
                        yield Quarantined(
                            source_file=self.name,
                            line=lineno,
                            reason=f"line longer than {limit} bytes (first {RAW_KEEP_BYTES} kept)",
                            raw=kept,
                        )
                        continue
                    if keep_blank or line.strip():
                        yield lineno, line
        except (OSError, EOFError, zstandard.ZstdError, zipfile.BadZipFile) as exc:
            yield Quarantined(
                source_file=self.name,
                line=lineno + 1,
                reason=f"truncated or corrupt {self.compression} stream: {exc}",
                raw=b"",
            )

    def read_all(self, limit: int = MAX_DOCUMENT_BYTES) -> bytes | Quarantined:
        """The whole decompressed content, or a Quarantined record if it is too big or corrupt."""
        try:
            with self.open() as fh:
                data = fh.read(limit + 1)
        except (OSError, EOFError, zstandard.ZstdError, zipfile.BadZipFile) as exc:
            return Quarantined(
                source_file=self.name,
                line=1,
                reason=f"truncated or corrupt {self.compression} stream: {exc}",
            )
        if len(data) > limit:
            return Quarantined(
                source_file=self.name,
                line=1,
                reason=f"document larger than {limit} bytes",
                raw=data[:RAW_KEEP_BYTES],
            )
        return data


class _ZstdFrames(io.RawIOBase):
    """Streaming zstd decompression across frames that, unlike zstandard's stream_reader,
    raises when the input ends inside a frame (a truncated download)."""

    def __init__(self, raw: io.BufferedIOBase) -> None:
        self._raw = raw
        self._new = lambda: zstandard.ZstdDecompressor(max_window_size=2**31).decompressobj()
        self._dobj = self._new()
        self._pending = b""
        self._offset = 0
        self._in_frame = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        while self._offset >= len(self._pending):
            self._pending, self._offset = b"", 0
            chunk = self._raw.read(1 << 20)
            if not chunk:
                if self._in_frame:
                    raise EOFError("zstd stream ended inside a frame")
                return 0
            while chunk:
                self._in_frame = True
                self._pending += self._dobj.decompress(chunk)
                if self._dobj.eof:
                    chunk = self._dobj.unused_data
                    self._dobj = self._new()
                    self._in_frame = False
                else:
                    chunk = b""
        n = min(len(buffer), len(self._pending) - self._offset)
        buffer[:n] = self._pending[self._offset : self._offset + n]
        self._offset += n
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def _compression_of(magic: bytes) -> str:
    if magic.startswith(_GZIP):
        return "gzip"
    if magic.startswith(_ZSTD):
        return "zstd"
    return "none"


def sources_from_path(path: str | os.PathLike) -> Iterator[Source]:
    """Every Source under a path: a file, each zip member, or each file of a folder (recursive).

    Compression is detected from the magic bytes, not the file name.
    """
    root = Path(path)
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
    for file in files:
        if any(part.startswith(".") for part in file.relative_to(root).parts if root.is_dir()):
            continue
        try:
            with open(file, "rb") as fh:
                magic = fh.read(4)
        except OSError:
            yield Source(file)
            continue
        if magic.startswith(_ZIP):
            try:
                with zipfile.ZipFile(file) as archive:
                    names = [i.filename for i in archive.infolist() if not i.is_dir()]
            except zipfile.BadZipFile:
                yield Source(file)
                continue
            for name in names:
                with zipfile.ZipFile(file) as archive, archive.open(name) as fh:
                    inner = fh.read(4)
                yield Source(file, member=name, compression=_compression_of(inner))
        else:
            yield Source(file, compression=_compression_of(magic))
