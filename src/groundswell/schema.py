"""The one schema every stage speaks: Post, Article, Quarantined.

Readers yield these records; the store writes them; classifiers and analyses read them back.
Hashtags are normalised per CODEBOOK section 4 (``#MeToo's`` -> ``#metoo``).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

import msgspec

# CODEBOOK sections 1 and 2: the labels, in the codebook's order (acts in order of precedence)
ACTS = ("testimony", "confession", "pledge", "support", "backlash", "reporting", "other")
HARMS = ("verbal", "nonverbal", "physical", "online", "coercion", "assault")
RELATIONS = (
    "stranger",
    "boss",
    "colleague",
    "teacher",
    "friend",
    "partner",
    "family",
    "public_figure",
    "unknown",
)
SETTINGS = ("work", "school", "street", "home", "online", "social", "other", "unknown")
MINOR = ("yes", "no", "unknown")


# A hashtag in running text: '#' not preceded by a word char or '&' (HTML entity), then word chars.
# The '#' comes first and the look-behind checks the character before it, so the regex engine
# scans for '#' instead of trying the look-behind at every position (same matches, ~2.5x faster).
_TAG_IN_TEXT = re.compile(r"[#＃](?<![\w&/][#＃])(\w[\w\u200c\u200d\u0900-\u0DFF'’]*)", re.UNICODE)
# The same for a text without a fullwidth '＃' (nearly all): scanning for one character is
# another ~4x faster.
_TAG_AFTER_HASH = re.compile(r"#(?<![\w&/]#)(\w[\w\u200c\u200d\u0900-\u0DFF'’]*)", re.UNICODE)
_POSSESSIVE = re.compile(r"['’]s$")
# from the start of a run only: tried inside a long run of punctuation that does not end the
# tag ("#a" then 40,000 apostrophes then "b"), each start scanned the run again (quadratic)
_TRAILING = re.compile(r"(?<![\W_])[\W_]+$", re.UNICODE)
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")


class TimeOutOfRangeError(ValueError):
    """A time that parses but lies outside what a datetime holds (year 0, an epoch of 1e20)."""


class Post(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One post as read from an export, before pseudonymisation."""

    platform: str
    id: str
    text: str
    created_at: datetime | None = None
    author: str | None = None  # platform author id or handle (pseudonymised by the store)
    author_name: str | None = None  # display name or handle; kept only with pseudonymise off
    url: str | None = None
    lang: str | None = None
    hashtags: list[str] = []
    mentions: list[str] = []
    urls: list[str] = []
    reply_to: str | None = None
    quote_of: str | None = None
    repost_of: str | None = None
    metrics: dict[str, int] = {}
    source_file: str = ""
    source_line: int = 0  # 1-based line, or 1-based record index for whole-document formats
    format: str = ""


class Article(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A long-form text (op-ed, essay) read from a .txt, .md or .html file."""

    id: str
    title: str
    text: str
    created_at: datetime | None = None
    author: str | None = None
    url: str | None = None
    source_file: str = ""
    format: str = "article"


class Quarantined(msgspec.Struct, kw_only=True):
    """A record that could not be read; kept with its raw bytes and the reason."""

    source_file: str
    line: int
    reason: str
    raw: bytes = b""
    format: str = ""


class Deletion(msgspec.Struct, kw_only=True):
    """A platform's own notice that a post was deleted (a Jetstream delete, a v1.1 stream
    ``delete`` line): the store forgets the post and keeps it from coming back (CODEBOOK 7)."""

    platform: str
    id: str
    source_file: str = ""
    source_line: int = 0
    format: str = ""


Record = Post | Article | Quarantined | Deletion


MAX_METRIC = 2**63 - 1  # the store keeps metrics as 64-bit integers
_WHOLE_NUMBER = re.compile(r"[+-]?\d+(?:\.0*)?")


def metric(value: object, *, signed: bool = False) -> int | None:
    """One engagement metric as every reader keeps it: a whole number from 0 to ``MAX_METRIC``
    (from ``-MAX_METRIC`` with ``signed``: Reddit's score), given as an integer, a float with no
    fraction or its digits in a string. Anything else (a bool, a fraction, a negative count, a
    number beyond 64 bits, text) is no metric: the reader leaves it out and keeps the post."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not value.is_integer():  # also NaN and infinities
            return None
        value = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > 24 or not _WHOLE_NUMBER.fullmatch(text):
            return None
        value = int(text.split(".")[0])
    if not isinstance(value, int):
        return None
    low = -MAX_METRIC if signed else 0
    return value if low <= value <= MAX_METRIC else None


def metrics_of(
    record: object, names: dict[str, str], signed: tuple[str, ...] = ()
) -> dict[str, int]:
    """The usable metrics of a record (``names``: the record's key -> the schema's name), each
    as ``metric`` keeps it; a record that is not an object has none."""
    if not isinstance(record, dict):
        return {}
    found = {name: metric(record.get(key), signed=key in signed) for key, name in names.items()}
    return {name: n for name, n in found.items() if n is not None}


def id_text(value) -> str:
    """A record's id as text: a string, or an integer written out. Anything else (an object, a
    list, a float, a boolean) raises ValueError, so the reader quarantines the record instead
    of storing ``"{'a': 1}"`` as an id."""
    if isinstance(value, str):
        return value
    if type(value) is int:
        return str(value)
    raise ValueError(f"id is a {type(value).__name__}, not a string or an integer")


def normalise_hashtag(tag: str) -> str | None:
    """Return the codebook form of a hashtag (``#MeToo's`` -> ``#metoo``), or None if empty.

    NFKC and lower case; accents kept; a possessive and trailing punctuation removed. The form
    is what people see, so it is ``lower()``, not ``casefold()``: casefold would turn the Greek
    final sigma into a medial one (``#λιγναδης`` shown as ``#λιγναδησ``) and ``ß`` into ``ss``.
    """
    tag = unicodedata.normalize("NFKC", tag).strip().lstrip("#＃")
    tag = _POSSESSIVE.sub("", tag)
    tag = _TRAILING.sub("", tag)
    tag = tag.lower()
    if not tag or tag.isdigit():
        return None
    return "#" + tag


def hashtags_in_text(text: str) -> list[str]:
    """Hashtags written in running text, normalised, in order of first appearance."""
    return merge_hashtags([], tags_written_in(text))


def tags_written_in(text: str) -> list[str]:
    """The hashtags written in running text, as written (not normalised), in order."""
    return (_TAG_IN_TEXT if "＃" in text else _TAG_AFTER_HASH).findall(text)


def merge_hashtags(*groups) -> list[str]:
    """Normalise and merge several hashtag lists, keeping the first-seen order, no repeats."""
    seen: dict[str, None] = {}
    for group in groups:
        for raw in group or ():
            norm = normalise_hashtag(str(raw))
            if norm:
                seen.setdefault(norm, None)
    return list(seen)


# how many of a unit make a second, for the fields whose unit an export documents
EPOCH_UNITS = {"s": 1, "ms": 1_000, "us": 1_000_000}


def parse_time(value, unit: str | None = None) -> datetime | None:
    """Parse the time shapes exports use into an aware UTC datetime (None when absent).

    Accepts epoch numbers (int, float or numeric string), ISO-8601 with or without offset (naive
    means UTC), and Twitter v1.1's ``Thu Jul 28 16:10:07 +0000 2022``. An epoch is read in
    ``unit`` (``s``, ``ms``, ``us``: the field's documented unit) when given; without one, by its
    size (above 1e11 milliseconds, above 1e14 microseconds). A value that is not a time (a bool,
    NaN, text of no time shape) gives None; a time beyond what a datetime holds
    (``0001-01-01T00:00:00+01:00``, an epoch of 1e20, ``inf``) raises TimeOutOfRangeError, so the
    reader quarantines that one record.
    """
    try:
        return _parse_time(value, unit)
    except (OverflowError, OSError, ValueError) as exc:
        raise TimeOutOfRangeError(f"time out of range: {str(value)[:64]!r}") from exc


def _parse_time(value, unit: str | None = None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value[4:5] == "-":  # ISO-8601, the common case: fast
        try:
            dt = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, bool):
        return None
    elif isinstance(value, int | float) or (
        isinstance(value, str) and _NUMBER.fullmatch(value.strip())
    ):
        num = float(value)
        if num != num:  # NaN
            return None
        if unit is not None:
            num /= EPOCH_UNITS[unit]
        elif abs(num) > 1e14:  # microseconds
            num /= 1e6
        elif abs(num) > 1e11:  # milliseconds
            num /= 1e3
        dt = datetime.fromtimestamp(num, tz=UTC)
    else:
        s = str(value).strip()
        try:
            dt = datetime.fromisoformat(s)  # ISO-8601, 'Z' included (the common case: fast)
        except ValueError:
            try:
                dt = datetime.strptime(s, "%a %b %d %H:%M:%S %z %Y")
            except ValueError:
                # nanoseconds (Bluesky) and a lower-case 'z' are beyond fromisoformat
                s = re.sub(r"(\.\d{6})\d+", r"\1", s.replace("z", "Z"))
                try:
                    dt = datetime.fromisoformat(s)
                except ValueError:
                    return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)
