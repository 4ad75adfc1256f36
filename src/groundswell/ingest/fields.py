"""Reading the optional parts of a record whatever their type: an entity list that is a string, an
object that is a list. A reader takes what it can use and reads the rest as absent, so one field
of the wrong shape never costs a post whose id and text are intact. Also what the readers of
tweets share: ids of digits and the time a tweet id carries, and, for the tables of tweets, a
cell's id or time (a damaged one quarantines its row), a retweet's text and the mentions of a
text."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from groundswell.schema import TimeOutOfRangeError, id_text, parse_time


def obj(value: Any) -> dict:
    """``value`` when it is an object, else an empty one."""
    return value if isinstance(value, dict) else {}


def objects(value: Any) -> list[dict]:
    """The objects of a list (an entity list): [] when ``value`` is not a list; items that are
    not objects are left out."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def text(value: Any) -> str | None:
    """``value`` when it is a non-empty string, else None."""
    return value if isinstance(value, str) and value else None


def texts(values: Any) -> list[str]:
    """The non-empty strings among ``values``."""
    return [v for v in values if isinstance(v, str) and v]


def first_text(*values: Any) -> str | None:
    """The first non-empty string among ``values``."""
    return next((v for v in values if isinstance(v, str) and v), None)


def is_numeric_id(value: Any) -> bool:
    """Whether ``value`` is an id of digits (a tweet's, a user's): a string of ASCII digits or a
    non-negative integer."""
    if isinstance(value, str):
        return value.isascii() and value.isdigit()
    return type(value) is int and value >= 0


def numeric_id(value: Any) -> str | None:
    """An id of digits (an integer, or its digits as text, spaces around them dropped) as text,
    else None."""
    if isinstance(value, str):
        value = value.strip()
    return id_text(value) if is_numeric_id(value) else None


BASE36_ID = re.compile(r"[0-9a-z]{1,16}")


def is_tweet_id(value: Any) -> bool:
    """Whether ``value`` is written as a tweet id is: ASCII digits, 20 at most (64 bits)."""
    return isinstance(value, str) and is_numeric_id(value) and len(value.lstrip("0")) <= 20


def tweet_id(value: Any) -> str:
    """A tweet's id as text: digits (an integer, or ASCII digits with spaces around them
    dropped). Anything else (``1e18`` from a spreadsheet, ``-5``, a list) raises ValueError, so
    the reader quarantines the record rather than store an id that names no tweet."""
    found = numeric_id(value)
    if found is None or not is_tweet_id(found):
        raise ValueError(f"tweet id {str(value)[:40]!r} is not a whole number")
    return found


def ref_tweet_id(value: Any, what: str) -> str | None:
    """The id of a tweet a tweet refers to (``what``: which reference), None when empty; an id
    that names no tweet (a handle, ``1.2e+18``) raises ValueError, so that the tweet is
    quarantined rather than linked to it."""
    if value is None or value == "":
        return None
    found = numeric_id(value)
    if found is None or not is_tweet_id(found):
        raise ValueError(f"{what} {shown(value)} is not a tweet id")
    return found


def reddit_id(value: Any) -> str:
    """A Reddit thing's id as text: base 36 (``dpg1bbb``); anything else raises ValueError."""
    if not (isinstance(value, str) and BASE36_ID.fullmatch(value)):
        raise ValueError(f"reddit id {str(value)[:40]!r} is not a base-36 id")
    return value


REDDIT_FULLNAME = re.compile(r"t[13]_[0-9a-z]{1,16}")


def ref_reddit_fullname(value: Any, what: str) -> str | None:
    """The fullname (``t1_abc``, ``t3_xyz``) of the post or comment a Reddit thing refers to
    (``what``: which reference), None when empty; anything else (a number, a bare id, ``xyz``)
    raises ValueError, so that the thing is quarantined rather than linked to nothing."""
    if value is None or value == "":
        return None
    if not (isinstance(value, str) and REDDIT_FULLNAME.fullmatch(value)):
        raise ValueError(f"{what} {shown(value)} names no post or comment")
    return value


def id_cell(
    row: dict[str, str], column: str, blanks: frozenset[str] = frozenset(("",))
) -> str | None:
    """The tweet id a table's cell holds (``ref_tweet_id``), None when the cell (spaces dropped)
    is one of ``blanks``; a cell that holds anything else raises ValueError, so that its row is
    quarantined rather than linked to a tweet it does not name."""
    value = (row.get(column) or "").strip()
    return None if value in blanks else ref_tweet_id(value, column)


_TWITTER_EPOCH_MS = 1288834974657  # the millisecond a snowflake id counts from
_FIRST_SNOWFLAKE = 1 << 38  # ids below this are older, sequential ones with no time in them


def snowflake_time(tid: str) -> datetime | None:
    """The UTC time a tweet id of digits carries (ids since November 2010), or None."""
    n = int(tid)
    if n < _FIRST_SNOWFLAKE or n >= 1 << 63:
        return None
    return datetime.fromtimestamp(((n >> 22) + _TWITTER_EPOCH_MS) / 1000, UTC)


# how a tweet table writes a retweet's text: "RT @<the original's author>: <its text>"
RETWEET_TEXT = re.compile(r"RT @(\w{1,15}): ")
# a Twitter handle in running text: "@" not after a character that makes it part of a word or an
# address, then 1 to 15 of a handle's characters and no more of them
_MENTION = re.compile(r"(?<![A-Za-z0-9_!#$%&*@＠])[@＠]([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_@＠]|://)")


def mentions_in_text(text: str) -> list[str]:
    """The Twitter handles a text mentions (``@name``), in order, once each: for the tables that
    keep a tweet's text but not its entities."""
    if "@" not in text and "＠" not in text:
        return []
    return list(dict.fromkeys(_MENTION.findall(text)))


def stated_time(value: Any, column: str = "created_at", unit: str | None = None) -> datetime | None:
    """The UTC time a table's cell or a record's field states, None when it is empty or null; a
    value that is no time (text of no time shape, a bool, a list, NaN) or beyond what a datetime
    holds (year 10000, an epoch of 1e20) raises ValueError naming ``column``, so that its record
    is quarantined rather than stored without a time. An epoch is read in ``unit`` when the
    format documents the field's unit (see ``parse_time``)."""
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        return None
    try:
        at = parse_time(value, unit)
    except TimeOutOfRangeError as exc:
        raise TimeOutOfRangeError(f"{column} {shown(value)} is out of range") from exc
    if at is None:
        raise ValueError(f"{column} {shown(value)} is not a time")
    return at


JSON_TYPES = {dict: "an object", list: "an array", str: "a string", int: "a number"}


def shown(value: Any) -> str:
    """A JSON value as a quarantine reason names it: its first characters, or its type."""
    if value is None:
        return "null"
    if isinstance(value, str | int | float | bool):
        text = repr(value)
        return text if len(text) <= 40 else text[:37] + "..."
    return JSON_TYPES.get(type(value), type(value).__name__)
