"""Reading the optional parts of a record whatever their type: an entity list that is a string, an
object that is a list. A reader takes what it can use and reads the rest as absent, so one field
of the wrong shape never costs a post whose id and text are intact."""

from __future__ import annotations

from typing import Any


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
