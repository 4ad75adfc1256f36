"""Tables that fit a 1024 px page: top N rows with "and K more", long cells shortened (the full
text in the hover), every table in a container that scrolls sideways when it is wider than the
page. Also readable p-values ("p < 0.001", never 1.4e-231)."""

from __future__ import annotations

import re
from html import escape, unescape

from groundswell.analyze.registry import readable_p

__all__ = ["fit_tables", "more_row", "readable_p", "shorten", "wrap"]

TOP_ROWS = 15  # rows shown of a long table
CELL_CHARS = 80  # longer text cells are shortened to this many characters

_TABLE = re.compile(r"<table\b.*?</table>", re.S | re.I)
_TBODY = re.compile(r"(<tbody[^>]*>)(.*?)(</tbody>)", re.S | re.I)
_ROW = re.compile(r"<tr\b.*?</tr>", re.S | re.I)
_HEAD_CELLS = re.compile(r"<th\b", re.I)
_HEADER = re.compile(r"(<th\b[^>]*>)([^<]*)(</th>)", re.I)
HEADERS = {"g2": "G²", "p_value": "p", "cooccurrence": "co-occurrence"}  # read as words
_LONG_CELL = re.compile(r"<td([^>]*)>([^<]{" + str(CELL_CHARS + 1) + r",})</td>", re.I)


def shorten(text: str, limit: int = CELL_CHARS) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:") + "…"


def more_row(hidden: int, columns: int, what: str = "rows") -> str:
    """The closing row of a truncated table: "and K more rows"."""
    return (
        f'<tr class="more"><td colspan="{max(columns, 1)}">and {hidden:,} more {escape(what)}'
        "</td></tr>"
    )


def wrap(table_html: str) -> str:
    """A table in a container that scrolls sideways instead of overflowing the page."""
    return f'<div class="table-wrap">{table_html}</div>'


def _short_cell(match: re.Match[str]) -> str:
    attrs, text = match.group(1), unescape(match.group(2))
    if len(text) <= CELL_CHARS:
        return match.group(0)
    return f'<td{attrs} title="{escape(text)}">{escape(shorten(text))}</td>'


def _readable_header(match: re.Match[str]) -> str:
    name = unescape(match.group(2)).strip()
    shown = HEADERS.get(name, name.replace("share_", "% ").replace("_", " "))
    return match.group(1) + escape(shown) + match.group(3)


def fit_tables(fragment: str, top: int = TOP_ROWS, total: int | None = None) -> str:
    """Every table of an HTML fragment (an analysis's, a plug-in's) made to fit: its first
    ``top`` body rows and "and K more", long text cells shortened, column names as words
    (``p_value`` -> p, ``share_backlash`` -> % backlash), in a scrolling container.
    ``total``: the rows of the result when the fragment's one table shows only some of them
    (an analysis that renders its first 50), so "and K more" counts them all."""
    single = len(_TABLE.findall(fragment)) == 1

    def one(match: re.Match[str]) -> str:
        table = match.group(0)
        body = _TBODY.search(table)
        if body:
            rows = _ROW.findall(body.group(2))
            hidden = len(rows) - top
            if single and total is not None and total >= len(rows):
                hidden = total - top
            if hidden > 0 and len(rows) > top:
                first = rows[0]
                columns = len(re.findall(r"<t[dh]\b", first, re.I)) or len(
                    _HEAD_CELLS.findall(table)
                )
                kept = "\n".join(rows[:top]) + more_row(hidden, columns)
                table = table[: body.start(2)] + kept + table[body.end(2) :]
        table = _LONG_CELL.sub(_short_cell, table)
        table = _HEADER.sub(_readable_header, table)
        return wrap(table)

    return _TABLE.sub(one, fragment)
