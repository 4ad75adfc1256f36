"""Sources: one input file (or one member of a .zip), decompressed transparently and streamed.

A Source knows its name for provenance, can show its first bytes for format detection, and yields
lines with a size limit so a 10 MB line or a truncated archive becomes a quarantined record,
not a crash.
"""

from __future__ import annotations

import copy
import io
import os
import posixpath
import stat
import tarfile
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

from groundswell.ingest.streams import (
    STREAM_ERRORS,
    CrcChecked,
    Decompress,
    Inflate,
    JsonGroups,
    Recode,
    Replay,
    ZstdFrames,
    concatenated_objects,
    lone_carriage_returns,
    text_encoding,
)
from groundswell.schema import Quarantined

MAX_LINE_BYTES = 5 * 1024 * 1024  # a record larger than this is quarantined
MAX_DOCUMENT_BYTES = (
    512 * 1024 * 1024
)  # whole-document formats (result.json, CAR) above this are refused
# a zip inside compression or piped in is copied to a temporary file (it is read from its end):
# a larger one is skipped
MAX_SPOOL_BYTES = MAX_DOCUMENT_BYTES
RAW_KEEP_BYTES = 64 * 1024  # how much of an oversized record's bytes the quarantine keeps
HEAD_BYTES = 64 * 1024
RECODE_PEEK = 64 * 1024  # bytes looked at to tell UTF-16 / UTF-32 text and bare-CR line ends

_GZIP = b"\x1f\x8b"
_ZSTD = b"\x28\xb5\x2f\xfd"
MAX_LAYERS = 3  # compression layers opened one inside another (.json.gz.gz); more is a bomb
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc (Compound File Binary)
_ZIP_METHODS = frozenset(
    (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
)


READ_ERRORS = STREAM_ERRORS


class TruncatedSourceError(Exception):
    """The compressed stream ended early or is corrupt."""


class TooManyLayersError(OSError):
    """Compression inside more than ``MAX_LAYERS`` layers of compression: not opened."""


@dataclass
class Source:
    """One readable input: a plain or compressed file, a pipe or FIFO, or a member of a zip.

    The content is opened once: the head that detection looks at is kept, and the first
    ``open`` goes on from it in the same stream (a pipe cannot be opened twice). Compression is
    told from the first bytes, not from the name.
    """

    path: Path
    member: str | None = None  # name inside a zip or tar archive
    # the nth member of that name (archives may hold two of one name: both are read)
    ordinal: int = 1
    entry: zipfile.ZipInfo | tarfile.TarInfo | None = field(default=None, repr=False)
    compression: str = "none"  # none | gzip | zstd | bzip2 | xz, known once opened
    # shared by its members
    archive: zipfile.ZipFile | tarfile.TarFile | None = field(default=None, repr=False)
    skip_reason: str | None = None  # why this source cannot be read at all (an encrypted member)
    # a member of an archive read from a stream (a tar inside compression or piped in, a zip
    # copied from one): read once, in order, never opened again by its name
    streamed: bool = False
    # the compression around the archive it is a member of (x.tar.gz.gz: gzip, gzip): those
    # layers count towards MAX_LAYERS
    wrapped_in: tuple[str, ...] = ()
    # what was done to make the content UTF-8 with \n line ends ("utf-16-le", "lone CR",
    # "objects joined"); None when it already was: only such content may be read straight from
    # the file
    recoded: str | None = None
    _groups: JsonGroups | None = field(default=None, repr=False)  # joins pretty-printed objects
    _head: bytes | None = field(default=None, repr=False)
    _rest: io.BufferedIOBase | None = field(default=None, repr=False)
    # once the head read reached the end: '' or the error that ended it (a truncated stream)
    _whole: BaseException | str | None = field(default=None, repr=False)

    @cached_property
    def name(self) -> str:
        """The provenance name: the file path, plus ``!member`` for zip members. A name that is
        not UTF-8 (bytes the file system holds as they are) shows U+FFFD for each bad byte: the
        store keeps text, and the path itself is still opened as it is."""
        if self.member is None:
            return shown_name(self.path)
        again = f" ({self.ordinal})" if self.ordinal > 1 else ""
        return shown_name(f"{self.path}!{self.member}{again}")

    @property
    def suffix(self) -> str:
        """The file suffix once compression suffixes are removed (``.jsonl`` for ``x.jsonl.gz``)."""
        name = (self.member or self.path.name).lower()
        for comp in (".gz", ".zst", ".zstd", ".bz2", ".xz"):
            if name.endswith(comp):
                name = name[: -len(comp)]
        return Path(name).suffix

    @cached_property
    def reopenable(self) -> bool:
        """Whether the content can be opened again (a regular file, or a member of a zip or tar
        archive that is one)."""
        if self.member is not None:
            return not self.streamed
        try:
            return stat.S_ISREG(os.stat(self.path).st_mode)
        except OSError:
            return False

    def open(self) -> io.BufferedIOBase:
        """Open the decompressed byte stream (after ``head``: on from the head, same stream)."""
        if self._head is not None and (self._rest is not None or not self.reopenable):
            if self._whole is not None:  # the head held everything there was
                return io.BufferedReader(Replay(self._head, None, self._whole or None))
            if self._rest is None:
                raise OSError(f"{self.name}: a pipe can be read only once")
            rest, self._rest = self._rest, None
            return io.BufferedReader(Replay(self._head, rest), buffer_size=1 << 20)
        return self._open_decompressed()

    def _open_decompressed(self) -> io.BufferedIOBase:
        if self.member is not None and isinstance(self.archive, tarfile.TarFile):
            if self.archive.closed and self.streamed:
                raise OSError(f"{self.name}: the archive's stream has moved past it")
            if self.archive.closed:  # its listing ended (a worker found the member by name)
                self.archive = tarfile.open(self.path, "r:*")  # noqa: SIM115 - kept by the member
            # by its entry (a name may repeat, and a lookup by name scans every member)
            member = self.archive.extractfile(self.entry or self.member)
            if member is None:
                raise OSError(f"{self.name}: not a regular file in its tar archive")
            raw: io.BufferedIOBase = member  # a BufferedReader that owns its raw part
        elif self.member is not None:
            archive = self.archive
            if archive is None or archive.fp is None:  # none, or closed when its listing ended
                archive = self.archive = zipfile.ZipFile(self.path)
            info = copy.copy(self.entry or archive.getinfo(self.member))
            crc = info.CRC
            del info.CRC  # zipfile would drop the last chunk on a bad CRC: CrcChecked keeps it
            member = archive.open(info)
            raw = io.BufferedReader(CrcChecked(member, crc, self.member), buffer_size=RECODE_PEEK)
        else:
            raw = open(self.path, "rb", buffering=RECODE_PEEK)  # noqa: SIM115 - returned
        layers: list[str] = []
        while True:  # a file compressed twice (.json.gz.gz) is read too, up to MAX_LAYERS
            try:
                magic = raw.peek(4)[:4] if isinstance(raw, io.BufferedReader) else b""
            except READ_ERRORS as exc:
                if not layers:
                    raise
                raw.close()  # a layer broken at its start: its reader meets the error first
                raw = io.BufferedReader(Replay(b"", None, exc))
                break
            kind = _compression_of(magic)
            if kind == "none":
                break
            if len(self.wrapped_in) + len(layers) == MAX_LAYERS:  # the shape of a nested bomb
                raw.close()
                inside = "+".join((*self.wrapped_in, *layers))
                why = f"more than {MAX_LAYERS} layers of compression ({kind} inside {inside})"
                raw = io.BufferedReader(Replay(b"", None, TooManyLayersError(why)))
                break
            layers.append(kind)
            if kind == "gzip":
                raw = io.BufferedReader(Inflate(raw), buffer_size=1 << 20)
            elif kind == "zstd":
                raw = io.BufferedReader(ZstdFrames(raw), buffer_size=1 << 20)
            else:
                raw = io.BufferedReader(Decompress(raw, kind), buffer_size=1 << 20)
        self.compression = "+".join(layers) or "none"
        return self._recoded(raw)

    def _recoded(self, stream: io.BufferedIOBase) -> io.BufferedIOBase:
        """``stream`` as UTF-8 JSON or CSV lines with \\n line ends, when its first bytes show
        UTF-16, UTF-32 or Windows-1252 text, lines ended by a bare carriage return (``Recode``),
        or pretty-printed JSON objects one after another (``JsonGroups``)."""
        if not isinstance(stream, io.BufferedReader):
            return stream
        try:
            head = stream.peek(RECODE_PEEK)[:RECODE_PEEK]
        except READ_ERRORS as exc:  # nothing readable: the reader meets the error first
            stream.close()
            return io.BufferedReader(Replay(b"", None, exc))
        if archive_kind(head) is not None:  # its bytes are no text, whatever they look like
            return stream
        encoding, skip = text_encoding(head)
        text = head[skip:].decode(encoding, "replace").encode() if encoding else head
        lone_cr = lone_carriage_returns(text)
        if lone_cr:
            text = text.replace(b"\r", b"\n")
        groups = concatenated_objects(text)
        self._groups = None
        if encoding is None and not lone_cr and not groups:
            return stream
        done = (encoding, "lone CR" if lone_cr else None, "objects joined" if groups else None)
        self.recoded = ", ".join(filter(None, done))
        if encoding or lone_cr:
            stream = io.BufferedReader(Recode(stream, encoding, lone_cr, skip), 1 << 20)
        if groups:
            self._groups = JsonGroups(stream, MAX_LINE_BYTES)
            stream = io.BufferedReader(self._groups, buffer_size=1 << 20)
        return stream

    def head(self, size: int = HEAD_BYTES) -> bytes:
        """The first ``size`` bytes of the decompressed content: as many as could be read before
        the end or a break ('' for an unreadable or empty source). A ``size`` larger than an
        earlier call's reads on in the same stream (unless ``open`` has taken it)."""
        if self._head is None:
            self._head = b""
            try:
                self._rest = self._open_decompressed()
            except READ_ERRORS as exc:
                self._whole = exc
                self._ended()
        if len(self._head) < size and self._whole is None and self._rest is not None:
            parts, got = [self._head], len(self._head)
            try:
                while got < size and (chunk := self._rest.read1(size - got)):
                    parts.append(chunk)
                    got += len(chunk)
                if got < size:
                    self._whole = ""
            except READ_ERRORS as exc:
                self._whole = exc
            self._head = b"".join(parts)
            if self._whole is not None:
                self._rest.close()
                self._rest = None
                self._ended()
        return self._head if len(self._head) <= size else self._head[:size]

    def lines_after_long_ones(self, size: int = HEAD_BYTES) -> bytes:
        """About ``size`` bytes of the whole lines that follow the file's first lines longer than
        ``MAX_LINE_BYTES``, read from a stream of their own (which leaves ``head`` and ``open``
        as they were): what detection looks at when the first line alone overflows its head.
        b'' for a source that can be read only once, or when no line follows."""
        if not self.reopenable:
            return b""
        again = replace(self, _head=None, _rest=None, _whole=None, _groups=None)
        found: list[bytes] = []
        got = 0
        lines = again.lines()
        try:
            for item in lines:
                if isinstance(item, Quarantined):
                    if found:
                        break
                    continue
                found.append(item[1])
                got += len(item[1])
                if got >= size:
                    break
        finally:
            lines.close()
        return b"".join(found)

    def _ended(self) -> None:
        """Say why the source cannot be read when reading its head met a break first."""
        if isinstance(self._whole, TooManyLayersError):
            self.skip_reason = f"{self._whole}: not opened; decompress it and ingest that"
        elif not self._head and isinstance(self._whole, BaseException):
            self.skip_reason = f"unreadable {self.compression} stream: {self._whole}"

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
                            line=self._first_line(lineno),
                            reason=f"line longer than {limit} bytes (first {RAW_KEEP_BYTES} kept)",
                            raw=kept,
                        )
                        continue
                    if keep_blank or line.strip():
                        yield self._first_line(lineno), line
                        continue
                    while True:  # the blank lines after it already buffered: passed over in bulk
                        window = fh.peek(limit + 1)[: limit + 1]
                        blank = len(window) - len(window.lstrip())
                        take = window.rfind(b"\n", 0, blank) + 1  # whole lines, none over limit
                        if not take:
                            break
                        lineno += window.count(b"\n", 0, take)
                        fh.read(take)
        except READ_ERRORS as exc:
            yield Quarantined(
                source_file=self.name,
                line=lineno + 1,
                reason=f"truncated or corrupt {self.compression} stream: {exc}",
                raw=b"",
            )

    def _first_line(self, lineno: int) -> int:
        """The line of the file a line handed out starts on (objects joined: their first)."""
        return self._groups.start_of(lineno) if self._groups is not None else lineno

    def read_all(self, limit: int = MAX_DOCUMENT_BYTES) -> bytes | Quarantined:
        """The whole decompressed content, or a Quarantined record if it is too big or corrupt."""
        try:
            with self.open() as fh:
                data = fh.read(limit + 1)
        except READ_ERRORS as exc:
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


def shown_name(name: str | os.PathLike) -> str:
    """A file name as text that can be stored and printed: the bytes of a name that is not
    UTF-8 (which Python holds as lone surrogates) become U+FFFD."""
    return os.fspath(name).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _compression_of(magic: bytes) -> str:
    if magic.startswith(_GZIP):
        return "gzip"
    if magic.startswith(_ZSTD) or (magic[1:4] == b"\x2a\x4d\x18" and 0x50 <= magic[0] <= 0x5F):
        return "zstd"  # a frame, or a skippable frame first (pzstd writes one)
    if magic.startswith(b"BZh") and magic[3:4].isdigit():
        return "bzip2"
    if magic.startswith(b"\xfd7zX"):
        return "xz"
    return "none"


def sources_from_path(path: str | os.PathLike) -> Iterator[Source]:
    """Every Source under a path: a file, each zip member, or each file of a folder (recursive).

    A pipe or FIFO is one source, opened once. A zip archive is opened once for all its members;
    an encrypted member comes out with a ``skip_reason``.
    """
    root = Path(path)
    for file in _files_under(root) if root.is_dir() else [root]:
        if isinstance(file, Source):  # a folder or link that cannot be followed
            yield file
            continue
        source = Source(file)
        if not source.reopenable:
            yield from _wrapped_members(source)  # a pipe: its head is read once, here
            continue
        try:
            with open(file, "rb") as fh:
                magic = fh.read(4)
        except OSError:
            yield source
            continue
        if magic == _OLE2[:4]:
            yield Source(file, skip_reason=_office_reason("a legacy Office file (.xls, .doc)"))
            continue
        if magic.startswith(_ZIP):
            yield from _zip_members(file)
        elif _is_tar(file):
            yield from _tar_members(file, _compression_of(magic))
        elif _compression_of(magic) != "none":
            yield from _wrapped_members(source)  # a .zip.gz, a .tar.gz.gz, a .tar.zst
        else:
            yield source


def _files_under(root: Path) -> list[Path | Source]:
    """The files of a folder and its subfolders (linked ones too, each folder once), in name
    order, hidden ones (``.git``, ``.DS_Store``) left out; a subfolder that cannot be listed and
    a link to nothing come as a skipped Source each, saying why, so that nothing under the
    folder goes unreported."""
    found: list[Path | Source] = []

    def unlisted(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else root
        found.append(Source(where, skip_reason=f"folder cannot be read: {exc.strerror or exc}"))

    seen = {os.path.realpath(root)}  # a link back up the tree is followed once
    for folder, dirs, names in os.walk(root, onerror=unlisted, followlinks=True):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for d in list(dirs):
            real = os.path.realpath(os.path.join(folder, d))
            if real in seen:
                dirs.remove(d)
            seen.add(real)
        for name in names:
            if name.startswith("."):
                continue
            path = Path(folder, name)
            if path.is_file():
                found.append(path)
            elif path.is_symlink() and not path.exists():
                found.append(Source(path, skip_reason="a link to a file that does not exist"))
    return sorted(found, key=lambda f: f.path if isinstance(f, Source) else f)  # as Paths sort


def archive_kind(head: bytes) -> str | None:
    """``"zip"`` or ``"tar"`` when ``head`` is the start of such an archive, else None."""
    if head.startswith(_ZIP):
        return "zip"
    if head[257:262] == b"ustar":
        return "tar"
    return None


def _wrapped_members(source: Source) -> Iterator[Source]:
    """A pipe or compressed file as it is, or, when its content is a tar or zip archive, that
    archive's members: a tar is read on from the stream, member after member (``'r|'``); a zip,
    read from its end, is first copied to a temporary file of at most ``MAX_SPOOL_BYTES``."""
    kind = archive_kind(source.head())
    if kind is None or source.skip_reason is not None:
        yield source
    elif kind == "tar":
        yield from _streamed_tar(source)
    else:
        yield from _spooled_zip(source)


def _layers(source: Source) -> tuple[str, ...]:
    """The compression around a source's content (``gzip``, ``gzip``), none for a pipe."""
    return tuple(source.compression.split("+")) if source.compression != "none" else ()


def _wrapping(source: Source) -> str:
    """What holds an archive read from a stream: ``gzip+gzip``, or a pipe."""
    return "+".join(_layers(source)) or "a pipe"


def _streamed_tar(source: Source) -> Iterator[Source]:
    """The entries of a tar archive read as one stream, in order: each regular file a Source
    read once, as it comes; others skipped saying why; damage ends it with a skipped source
    saying where."""
    wrapped_in = _layers(source)
    stream = source.open()
    seen: Counter[str] = Counter()
    count = 0
    try:
        archive = tarfile.open(fileobj=stream, mode="r|")  # noqa: SIM115 - closed below
        while (info := archive.next()) is not None:
            count += 1
            if info.isfile():
                seen[info.name] += 1
                yield Source(
                    source.path,
                    member=info.name,
                    ordinal=seen[info.name],
                    entry=info,
                    archive=archive,
                    streamed=True,
                    wrapped_in=wrapped_in,
                )
            elif not info.isdir():
                yield Source(source.path, member=info.name, skip_reason=_entry_reason(info, seen))
            archive.members.clear()  # none is looked up again: memory stays bounded
        archive.close()
    except (*STREAM_ERRORS, tarfile.TarError) as exc:
        where = f"tar archive in {_wrapping(source)} cut or damaged after {count} members"
        yield Source(source.path, member=f"(after {count} members)", skip_reason=f"{where}: {exc}")
    finally:
        stream.close()


def _spooled_zip(source: Source) -> Iterator[Source]:
    """The members of a zip archive inside compression or piped in, from a temporary copy (a
    zip is read from its end); one larger than ``MAX_SPOOL_BYTES`` is skipped saying so."""
    inside = _wrapping(source)
    with tempfile.TemporaryFile(prefix="groundswell-") as spool:
        copied = 0
        try:
            with source.open() as stream:
                while chunk := stream.read(1 << 20):
                    copied += len(chunk)
                    if copied > MAX_SPOOL_BYTES:
                        why = (
                            f"a zip archive in {inside} larger than {MAX_SPOOL_BYTES} bytes, "
                            "not copied out: unzip it and ingest the files"
                        )
                        yield Source(source.path, skip_reason=why)
                        return
                    spool.write(chunk)
        except READ_ERRORS as exc:
            why = f"a zip archive in {inside} that cannot be read whole: {exc}"
            yield Source(source.path, skip_reason=why)
            return
        yield from _zip_members(source.path, spool, _layers(source))


def _is_tar(file: Path) -> bool:
    """Whether ``file`` is a tar archive, plain or compressed (gzip, bzip2, xz)."""
    try:
        return tarfile.is_tarfile(file)
    except (*STREAM_ERRORS, tarfile.TarError):
        return False


def _tar_members(file: Path, outer: str = "none") -> Iterator[Source]:
    """Each regular file of a tar archive as a Source, and each link, device or pipe entry as a
    skipped one saying what it is; a cut or damaged archive gives the members before the
    damage, then one skipped source saying where it broke. The compression around the tar (a
    .tar.gz: ``outer``, from the magic bytes the caller read) counts towards its members'
    ``MAX_LAYERS``, as it does around a streamed one."""
    wrapped_in = (outer,) if outer != "none" else ()
    try:
        archive = tarfile.open(file, "r:*")  # noqa: SIM115 - closed below, after its members
    except (*STREAM_ERRORS, tarfile.TarError) as exc:
        yield Source(file, skip_reason=f"corrupt tar archive: {exc}")
        return
    with archive:
        damage = None
        try:
            members = archive.getmembers()
        except (*STREAM_ERRORS, tarfile.TarError) as exc:
            members, damage = archive.members, exc  # those read before the damage
        seen: Counter[str] = Counter()
        for info in members:
            if info.isfile():
                seen[info.name] += 1
                yield Source(
                    file,
                    member=info.name,
                    ordinal=seen[info.name],
                    entry=info,
                    archive=archive,
                    wrapped_in=wrapped_in,
                )
            elif not info.isdir():
                yield Source(file, member=info.name, skip_reason=_entry_reason(info, seen))
        if damage is not None:
            reason = f"tar archive cut or damaged after {len(members)} members: {damage}"
            yield Source(file, member=f"(after {len(members)} members)", skip_reason=reason)


def _entry_reason(info: tarfile.TarInfo, files: Counter[str]) -> str:
    """Why a tar entry that is neither a file nor a folder is not read (``files``: the names of
    the files before it, where a hard link's target must be)."""
    target = info.linkname[:200]
    if info.issym():
        return f"a link inside the archive (to {target!r}), not followed"
    if info.islnk():
        if info.linkname in files or posixpath.normpath(info.linkname) in files:
            return f"a hard link to {target!r}, which is read under its own name"
        return f"a hard link to {target!r}, whose target is missing from the archive: not read"
    return "a device or pipe entry, not a file"


def _office_reason(what: str) -> str:
    return (
        f"{what}: groundswell reads the platforms' own exports (JSON, CSV); save the sheet "
        "as CSV UTF-8 and ingest that"
    )


def _office_document(archive: zipfile.ZipFile) -> str | None:
    """What Office document a zip archive is (an .xlsx is a zip of XML parts), or None."""
    names = set(archive.namelist())
    if "[Content_Types].xml" in names:
        if "xl/workbook.xml" in names:
            return "an Excel workbook (.xlsx)"
        return "an Office document (.docx, .pptx)"
    if "mimetype" in names:
        try:
            kind = archive.read("mimetype")[:100]
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
            return None
        if kind.startswith(b"application/vnd.oasis.opendocument"):
            return "an OpenDocument file (.ods, .odt)"
    return None


def _zip_members(
    file: Path, spooled: BinaryIO | None = None, wrapped_in: tuple[str, ...] = ()
) -> Iterator[Source]:
    """Each member of a zip archive (or of ``spooled``, its temporary copy) as a Source."""
    try:
        archive = zipfile.ZipFile(spooled or file)
    except (zipfile.BadZipFile, OSError) as exc:
        yield Source(file, skip_reason=f"corrupt zip archive: {exc}")
        return
    with archive:
        office = _office_document(archive)
        if office is not None:  # one file, not its XML parts
            yield Source(file, skip_reason=_office_reason(office))
            return
        seen: Counter[str] = Counter()
        for info in archive.infolist():
            if info.is_dir():
                continue
            seen[info.filename] += 1
            reason = None
            if info.flag_bits & 0x1:
                reason = "encrypted (password-protected) zip member"
            elif info.compress_type not in _ZIP_METHODS:
                reason = f"zip member compressed with unsupported method {info.compress_type}"
            yield Source(
                file,
                member=info.filename,
                ordinal=seen[info.filename],
                entry=info,
                archive=archive,
                skip_reason=reason,
                streamed=spooled is not None,
                wrapped_in=wrapped_in,
            )
