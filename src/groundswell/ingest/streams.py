"""Byte streams under a Source: decompression in bounded steps, a replayed head, a CRC check.

Every stream here hands out all the bytes it could read before it raises, and raises only on the
call after: a truncated .gz or .zst gives its readable prefix and then an error the reader turns
into a quarantined record. Decompression never holds more than a few MB, however far a small file
expands.
"""

from __future__ import annotations

import bz2
import codecs
import io
import lzma
import re
import tarfile
import zipfile
import zlib

import zstandard

# compressed bytes read from the file at a time, with read1: one step of the layer under it, so
# what a cut inner layer gave before its error still comes out (read would drop it)
READ_BYTES = 1 << 20
INFLATE_OUT = 1 << 20  # most bytes of gzip output made per step
FORGET_AFTER = 1 << 16  # JsonGroups: line starts kept behind the reader (more than a head holds)
ZSTD_STEP = 512  # compressed bytes fed to zstd per step: at most ~16 MB out (128 KB per block)


# what a damaged or cut stream raises (bz2 raises OSError)
STREAM_ERRORS = (
    OSError,
    EOFError,
    zlib.error,
    zstandard.ZstdError,
    zipfile.BadZipFile,
    lzma.LZMAError,
    tarfile.TarError,
)


class _Chunks(io.RawIOBase):
    """A raw stream that serves chunks made by ``_more`` (b'' at the end), then any error."""

    def __init__(self) -> None:
        self._pending = memoryview(b"")
        self._error: BaseException | None = None
        self._done = False

    def readable(self) -> bool:
        return True

    def _more(self) -> bytes:
        raise NotImplementedError

    def readinto(self, buffer) -> int:  # type: ignore[override]
        while not self._pending:
            if self._error is not None:
                error, self._error = self._error, None
                self._done = True
                raise error
            if self._done:
                return 0
            try:
                chunk = self._more()
            except STREAM_ERRORS as e:
                self._error = e
                continue
            if not chunk:
                self._done = True
                return 0
            self._pending = memoryview(chunk)
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


class _Over(_Chunks):
    """A ``_Chunks`` stream made from another byte stream, which it closes with itself."""

    def __init__(self, raw: io.BufferedIOBase) -> None:
        super().__init__()
        self._raw = raw

    def close(self) -> None:
        self._raw.close()
        super().close()


class Inflate(_Over):
    """gzip decompression, member after member, in steps of at most ``INFLATE_OUT`` bytes;
    raises EOFError after the last byte when the input ends inside a member."""

    def __init__(self, raw: io.BufferedIOBase) -> None:
        super().__init__(raw)
        self._dobj = zlib.decompressobj(31)
        self._tail = b""  # compressed input not yet used
        self._in_member = False

    def _more(self) -> bytes:
        while True:
            if not self._tail:
                self._tail = self._raw.read1(READ_BYTES)
                if not self._tail:
                    if self._in_member:
                        raise EOFError("gzip stream ended inside a member (truncated)")
                    return b""
            if not self._in_member and not self._tail.strip(b"\x00"):
                self._tail = b""  # padding after the last member
                continue
            self._in_member = True
            out = self._dobj.decompress(self._tail, INFLATE_OUT)
            self._tail = self._dobj.unconsumed_tail
            if self._dobj.eof:
                self._tail = self._dobj.unused_data + self._tail
                self._dobj = zlib.decompressobj(31)
                self._in_member = False
            if out:
                return out


class Decompress(_Over):
    """bzip2 or xz decompression (the Pushshift Reddit dumps of 2017 and 2018 came as .bz2 and
    .xz), stream after stream, at most ``INFLATE_OUT`` bytes a step; raises EOFError after the
    last byte when the input ends inside a stream."""

    def __init__(self, raw: io.BufferedIOBase, kind: str) -> None:
        super().__init__(raw)
        self._kind = kind
        self._new = bz2.BZ2Decompressor if kind == "bzip2" else lzma.LZMADecompressor
        self._dobj = self._new()
        self._tail = b""  # compressed input not yet given to the decompressor
        self._in_stream = False

    def _more(self) -> bytes:
        while True:
            data = b""
            if self._dobj.needs_input:
                if not self._tail:
                    self._tail = self._raw.read1(READ_BYTES)
                    if not self._tail:
                        if self._in_stream:
                            raise EOFError(f"{self._kind} stream ended inside a stream (truncated)")
                        return b""
                if not self._in_stream and not self._tail.strip(b"\x00"):
                    self._tail = b""  # padding after the last stream
                    continue
                data, self._tail = self._tail, b""
            self._in_stream = True
            out = self._dobj.decompress(data, INFLATE_OUT)
            if self._dobj.eof:
                self._tail = self._dobj.unused_data + self._tail
                self._dobj = self._new()
                self._in_stream = False
            if out:
                return out


class ZstdFrames(_Over):
    """zstd decompression across frames, fed in small steps so output stays bounded; raises
    EOFError after the last byte when the input ends inside a frame (a truncated download)."""

    def __init__(self, raw: io.BufferedIOBase) -> None:
        super().__init__(raw)
        self._dctx = zstandard.ZstdDecompressor(max_window_size=2**31)
        self._dobj = self._dctx.decompressobj()
        self._input = memoryview(b"")
        self._in_frame = False

    def _more(self) -> bytes:
        while True:
            if not self._input:
                self._input = memoryview(self._raw.read1(READ_BYTES))
                if not self._input:
                    if self._in_frame:
                        raise EOFError("zstd stream ended inside a frame (truncated)")
                    return b""
            step, self._input = self._input[:ZSTD_STEP], self._input[ZSTD_STEP:]
            self._in_frame = True
            out = self._dobj.decompress(step.tobytes())
            if self._dobj.eof:
                rest = self._dobj.unused_data
                self._input = memoryview(rest + self._input.tobytes())
                self._dobj = self._dctx.decompressobj()
                self._in_frame = False
            if out:
                return out


class Replay(_Chunks):
    """The head already read from a stream, then the rest of that same stream: a pipe or FIFO
    is opened once, sniffed from its head, and read on from there."""

    def __init__(
        self,
        head: bytes,
        rest: io.RawIOBase | io.BufferedIOBase | None,
        error: BaseException | None = None,
    ) -> None:
        super().__init__()
        self._head: bytes | None = head
        self._rest = rest
        self._end_error = error  # what ended the stream right after the head, raised again

    def _more(self) -> bytes:
        if self._head is not None:
            head, self._head = self._head, None
            if head:
                return head
        if self._rest is not None:
            # read1: what one step gives, so bytes decompressed before a truncation still come
            # out (a whole read would drop them with the error)
            rest = self._rest
            if isinstance(rest, io.BufferedIOBase):
                return rest.read1(READ_BYTES)
            return rest.read(READ_BYTES)
        if self._end_error is not None:
            error, self._end_error = self._end_error, None
            raise error
        return b""

    def close(self) -> None:
        if self._rest is not None:
            self._rest.close()
        super().close()


class CrcChecked(_Chunks):
    """A zip member read without zipfile's own CRC check (which throws away the last chunk read),
    checked here once every byte has been handed out."""

    def __init__(self, member: io.BufferedIOBase, crc: int, name: str) -> None:
        super().__init__()
        self._member = member
        self._want = crc
        self._crc = 0
        self._name = name

    def _more(self) -> bytes:
        chunk = self._member.read(READ_BYTES)
        if chunk:
            self._crc = zlib.crc32(chunk, self._crc)
        elif self._crc != self._want:
            raise zipfile.BadZipFile(f"bad CRC-32 for zip member {self._name}")
        return chunk

    def close(self) -> None:
        self._member.close()
        super().close()


class Recode(_Over):
    """Text in another encoding (UTF-16 or UTF-32, as Windows tools write it) as UTF-8, and
    lone carriage returns (classic Mac line ends) as newlines, in bounded steps; a byte sequence
    the encoding cannot hold becomes U+FFFD, as invalid UTF-8 does elsewhere."""

    def __init__(
        self, raw: io.BufferedIOBase, encoding: str | None, lone_cr: bool, skip: int = 0
    ) -> None:
        super().__init__(raw)
        if skip:
            raw.read(skip)  # the byte-order mark
        self._decoder = codecs.getincrementaldecoder(encoding)("replace") if encoding else None
        self._lone_cr = lone_cr
        self._cr = False  # the last chunk ended with a carriage return
        self._ended = False

    def _more(self) -> bytes:
        while not self._ended:
            data = self._raw.read1(READ_BYTES)
            self._ended = not data
            out = data
            if self._decoder is not None:
                out = self._decoder.decode(data, final=self._ended).encode("utf-8")
            if self._lone_cr:
                out = self._newlines(out)
            if out:
                return out
        return b""

    def _newlines(self, out: bytes) -> bytes:
        if self._cr and out.startswith(b"\n"):
            out = out[1:]  # the \n of a \r\n cut between chunks
        self._cr = out.endswith(b"\r")
        return out.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


_BOMS = (  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def text_encoding(head: bytes) -> tuple[str | None, int]:
    """The encoding of a text that starts with ``head`` when it is not UTF-8 (None when it
    is, or is no text), and how many bytes of byte-order mark to skip: a UTF-16 or UTF-32 mark,
    UTF-16 without one (told by the zero byte every ASCII character carries), or Windows-1252
    (``_single_byte``)."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, len(bom)
    if _single_byte(head):
        return "cp1252", 0
    sample = head[:512]
    pairs = len(sample) // 2
    if pairs >= 8:
        odd = sample[1 : 2 * pairs : 2].count(0)
        even = sample[0 : 2 * pairs : 2].count(0)
        if odd >= 0.9 * pairs and even <= 0.1 * pairs:
            return "utf-16-le", 0
        if even >= 0.9 * pairs and odd <= 0.1 * pairs:
            return "utf-16-be", 0
    return None, 0


def _single_byte(head: bytes) -> bool:
    """Whether ``head`` reads as a legacy single-byte text (Windows-1252, as Excel saves a CSV):
    bytes that are no UTF-8 on two lines or more, and not one character that is, so a damaged
    record in a UTF-8 file stays damage."""
    if not head or 0 in head[:512]:
        return False
    text = head[: len(head) - 3].decode("utf-8", "surrogateescape")
    if _NON_ASCII.search(_ESCAPED_BYTE.sub("", text)):
        return False  # a real character, U+FFFD written in UTF-8 too, makes it UTF-8
    return sum(bool(_ESCAPED_BYTE.search(line)) for line in text.splitlines()) >= 2


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # a byte that is no UTF-8, kept by surrogateescape
_NON_ASCII = re.compile("[^\x00-\x7f]")


def lone_carriage_returns(head: bytes) -> bool:
    """Whether lines end with a bare carriage return (no newline in the head, two or more
    carriage returns)."""
    return b"\n" not in head and head.count(b"\r") >= 2


class JsonGroups(_Over):
    """Pretty-printed JSON objects one after another (what ``jq .`` makes of a JSON-lines file)
    as JSON lines: each object, from its line ``{`` to its line ``}`` at the margin, joined
    into one line. ``start_of`` gives the line of the file each line handed out starts on, so a
    record is still named by the line it starts on."""

    def __init__(self, raw: io.BufferedIOBase, limit: int) -> None:
        super().__init__(raw)
        self._limit = limit
        self._lineno = 0
        self._starts: list[int] = []  # of the lines made from line ``_base + 1`` on
        self._base = 0

    def start_of(self, n: int) -> int:
        """The file line the ``n``-th line handed out (from 1) starts on. The lines are asked
        about in order, so those far behind are forgotten and memory stays bounded; a source
        small enough to be read again from its head keeps them all."""
        i = n - 1 - self._base
        if i > FORGET_AFTER:
            del self._starts[:i]
            self._base += i
            i = 0
        return self._starts[i] if 0 <= i < len(self._starts) else n

    def _more(self) -> bytes:
        out: list[bytes] = []
        size = 0
        while size < READ_BYTES:
            group = self._group()
            if group is None:
                break
            out.append(group)
            size += len(group)
        return b"".join(out)

    def _line(self) -> bytes:
        line = self._raw.readline(self._limit + 1)
        if line:
            self._lineno += 1
        return line

    def _group(self) -> bytes | None:
        """The next object as one line (a line outside any object as itself), None at the end."""
        line = self._line()
        while line and not line.strip():
            line = self._line()
        if not line:
            return None
        start = self._lineno
        parts = [line.rstrip(b"\r\n")]
        size = len(parts[0])
        if line.rstrip() == b"{":
            while nxt := self._line():
                if size <= self._limit:  # past it, the rest is passed over: one record
                    parts.append(nxt.strip())
                    size += len(parts[-1]) + 1
                if nxt.rstrip() in (b"}", b"},"):
                    break
        self._starts.append(start)
        return b" ".join(parts) + b"\n"


def concatenated_objects(text: bytes) -> bool:
    """Whether ``text`` opens pretty-printed JSON objects one after another: its first line
    is ``{``, and a line ``}`` at the margin is followed by another ``{``."""
    lines = [ln.rstrip() for ln in text.split(b"\n")[:-1]]
    first = next((ln for ln in lines if ln), b"")
    if first != b"{":
        return False
    closed = False
    for ln in lines:
        if ln == b"}":
            closed = True
        elif closed and ln == b"{":
            return True
    return False
