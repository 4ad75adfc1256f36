"""Stored text made safe to show: control characters (NUL, an ESC sequence that rewrites a
terminal) and bidirectional controls (U+202E reverses what follows it) read as visible
``\\uXXXX`` escapes. One rule for the CLI (``printable``), the static report (``visible_html``)
and the dashboard (``app.js``'s ``visible``, which mirrors ``HTML_UNPRINTABLE``)."""

from __future__ import annotations

import re

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
UNPRINTABLE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
# in HTML a tab, a line feed and a carriage return are only white space: they stay
HTML_UNPRINTABLE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: each control or bidi character as ``\\uXXXX``."""
    return UNPRINTABLE.sub(_escaped, text)


def visible_html(text: str) -> str:
    """``text`` (HTML, or text for it) with each control or bidi character but white space as
    ``\\uXXXX``: no override reorders a cell, no NUL reaches the page."""
    return HTML_UNPRINTABLE.sub(_escaped, text)
