"""Reading the optional parts of a record whatever their type: an entity list that is a string, an
object that is a list. A reader takes what it can use and reads the rest as absent, so one field
of the wrong shape never costs a post whose id and text are intact."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from groundswell.schema import id_text


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


_TWITTER_EPOCH_MS = 1288834974657  # the millisecond a snowflake id counts from
_FIRST_SNOWFLAKE = 1 << 38  # ids below this are older, sequential ones with no time in them


def snowflake_time(tid: str) -> datetime | None:
    """The UTC time a tweet id of digits carries (ids since November 2010), or None."""
    n = int(tid)
    if n < _FIRST_SNOWFLAKE or n >= 1 << 63:
        return None
    return datetime.fromtimestamp(((n >> 22) + _TWITTER_EPOCH_MS) / 1000, UTC)


JSON_TYPES = {dict: "an object", list: "an array", str: "a string", int: "a number"}


def shown(value: Any) -> str:
    """A JSON value as a quarantine reason names it: its first characters, or its type."""
    if value is None:
        return "null"
    if isinstance(value, str | int | float | bool):
        text = repr(value)
        return text if len(text) <= 40 else text[:37] + "..."
    return JSON_TYPES.get(type(value), type(value).__name__)
