"""How the `groundswell` command shows a result: tables for people, row objects for programs.

Part of the CLI (like ``cli.py`` it may print). Human output is a rich table sized to the
terminal, or aligned plain text when stdout is not a terminal; either way a missing value reads
"—", counts carry thousands separators, shares read as percentages and days as ISO dates.
``--json`` output is always a list of row objects whose missing values are ``null`` and whose
small cells (CODEBOOK section 7) are ``null`` too, named in the row's ``suppressed`` list.
"""

from __future__ import annotations

import math
import re
import sys
from datetime import date, datetime
from typing import Any

from groundswell.visible import printable  # the CLI's modules import it from here

MISSING = "—"
SUPPRESSED = "< 10"  # what care.suppress_small_cells and analyze.people.suppressed write
WITHHELD = "withheld"  # care.WITHHELD: a cell hidden so that a "< 10" one cannot be derived
NUMBER = re.compile(r"-?[\d,]+(\.\d+)?(%|e[-+]\d+)?|\d{4}-\d\d-\d\d( \d\d:\d\d)?")


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        import pandas as pd

        return value is pd.NA or value is pd.NaT or (not isinstance(value, str) and pd.isna(value))
    except (TypeError, ValueError):  # lists, arrays: not a single missing value
        return False


def _midnight(value: Any) -> bool:
    return (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0)


def timed_columns(frame: Any) -> set[str]:
    """The columns holding a time that is not midnight: shown as times throughout (a day
    column, all midnights, reads as days), so a column never mixes the two shapes."""
    out = set()
    for column in frame.columns:
        values = frame[column]
        if (values.dtype.kind == "M" or values.dtype == object) and any(
            isinstance(v, datetime) and not _is_missing(v) and not _midnight(v) for v in values
        ):
            out.add(str(column))
    return out


def _plain(value: Any, timed: bool = False) -> Any:
    """A JSON-ready Python value: numpy scalars unwrapped, days and times as ISO 8601 (a time at
    midnight as its day unless ``timed``)."""
    if _is_missing(value):
        return None
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        if not timed and _midnight(value):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict)):
        value = value.item()  # numpy scalar
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def json_rows(frame: Any, *, suppression: bool = False) -> list[dict[str, Any]]:
    """The rows of a result frame as JSON-ready objects.

    With ``suppression`` every row also carries ``suppressed``: the names of its fields whose
    small cells were withheld (each such field is ``null``), empty when nothing was.
    """
    rows = []
    timed = timed_columns(frame)
    for record in frame.astype(object).to_dict(orient="records"):
        row: dict[str, Any] = {}
        hidden = []
        for key, value in record.items():
            if isinstance(value, str) and value == SUPPRESSED:
                hidden.append(key)
                row[key] = None
            else:
                row[key] = _plain(value, str(key) in timed)
        if suppression:
            row["suppressed"] = hidden
        rows.append(row)
    return rows


def is_share(column: str) -> bool:
    """Whether a column holds a share of 0..1, shown as a percentage."""
    return column == "share" or column.startswith("share_") or column.endswith("_share")


def cell(value: Any, column: str = "", timed: bool = False) -> str:
    """One value as a person reads it (``timed``: a midnight as a time, not a day)."""
    value = _plain(value, timed)
    if value is None or value == "":
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if is_share(column):
            return f"{value:.1%}"
        if column.startswith("p_value") or (value and abs(value) < 0.001):
            return f"{value:.2g}"
        if value.is_integer():
            return f"{value:,.0f}"
        return f"{value:,.2f}"
    if isinstance(value, str) and "T" in value and value[:4].isdigit() and value[4:5] == "-":
        return value.replace("T", " ")[:16]  # an ISO time, to the minute
    if isinstance(value, list):
        return ", ".join(cell(v) for v in value) or MISSING
    return printable(str(value))


def _numeric(column: list[str]) -> bool:
    shown = [c for c in column if c not in (MISSING, SUPPRESSED, WITHHELD)]
    if not shown:  # nothing but small or missing cells: aligned as the counts they stand for
        return SUPPRESSED in column
    return all(NUMBER.fullmatch(c) for c in shown)


def print_table(frame: Any, empty: str, *, title: str | None = None) -> None:
    """A result frame as a table: rich when stdout is a terminal, aligned plain text otherwise."""
    if frame.empty:
        print(empty)
        return
    columns = [printable(str(c)) for c in frame.columns]
    timed = timed_columns(frame)
    body = [
        [cell(v, c, c in timed) for v, c in zip(row, columns, strict=True)]
        for row in frame.itertuples(index=False)
    ]
    right = [_numeric([r[i] for r in body]) for i in range(len(columns))]
    widths = [max(len(c), *(len(r[i]) for r in body)) for i, c in enumerate(columns)]
    if sys.stdout.isatty():
        _print_rich(columns, body, right, title)
        return
    if title:
        print(title)

    def line(values: list[str]) -> str:
        parts = [
            v.rjust(w) if numeric else v.ljust(w)
            for v, w, numeric in zip(values, widths, right, strict=True)
        ]
        return "  ".join(parts).rstrip()

    print(line(columns))
    for row in body:
        print(line(row))


def _print_rich(
    columns: list[str],
    body: list[list[str]],
    right: list[bool],
    title: str | None,
) -> None:
    """One table when its columns fit the terminal; else one small field/value card per row,
    so that no column is squeezed to a sliver."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console(file=sys.stdout)
    table = Table(title=title, box=box.SIMPLE_HEAD, header_style="bold", show_edge=False)
    for name, numeric in zip(columns, right, strict=True):
        table.add_column(name, justify="right" if numeric else "left", overflow="fold")
    for row in body:
        table.add_row(*row)
    if (
        console.measure(table, options=console.options.update_width(10_000)).maximum
        <= console.width
    ):
        console.print(table)
        return
    if title:
        console.print(title, style="bold")
    for row in body:
        card = Table(title=row[0], title_justify="left", box=box.ROUNDED, show_header=False)
        card.add_column(style="bold")
        card.add_column(overflow="fold")
        for name, value in zip(columns[1:], row[1:], strict=True):
            card.add_row(name, value)
        console.print(card)


def print_stats(out: dict[str, Any]) -> None:
    """The store's counts as aligned lines, platforms and acts as small tables under them."""
    first, last = (out.get(k) for k in ("first_post", "last_post"))
    lines = [
        ("posts", SUPPRESSED if "posts" in out.get("suppressed", []) else cell(out.get("posts"))),
        (
            "reposts",
            SUPPRESSED if "reposts" in out.get("suppressed", []) else cell(out.get("reposts")),
        ),
        ("articles", cell(out.get("articles"))),
        ("quarantined", cell(out.get("quarantined"))),
        ("forgotten", cell(out.get("forgotten"))),
        ("first post", _when(first)),
        ("last post", _when(last)),
    ]
    if out.get("dated_out_of_span"):
        lines.append(
            (
                "odd times",
                f"{out['dated_out_of_span']:,} posts dated before 1980 or in the future,"
                " left out of series over days",
            )
        )
    if out.get("undated"):
        lines.append(
            (
                "no time",
                f"{out['undated']:,} posts state no time, left out of series over days",
            )
        )
    if out.get("synthetic"):
        lines.append(("synthetic", "yes: generated demo data, not real posts"))
    for key, value in out.items():  # anything the library adds later still shows
        known = {"posts", "reposts", "articles", "quarantined", "forgotten", "synthetic"}
        if key not in known | {
            "first_post",
            "last_post",
            "dated_out_of_span",
            "undated",
            "by_platform",
            "acts",
            "act_shares",
            "suppressed",
            "withheld",
        }:
            lines.append((key.replace("_", " "), cell(value)))
    width = max(len(k) for k, _ in lines)
    for key, value in lines:
        print(f"{key:<{width}}  {value}")
    withheld = set(out.get("withheld") or [])
    for key, heading in (("by_platform", "by platform"), ("acts", "acts")):
        counts = out.get(key)
        if counts:
            total = out.get("posts") or 1  # None: a store of fewer than 10 authors, all "< 10"
            print(f"\n{heading}:")
            name_w = max(len(str(k)) for k in counts)
            shown = {
                k: f"{n:,}"
                if n is not None
                else (WITHHELD if f"{key}.{k}" in withheld else SUPPRESSED)
                for k, n in counts.items()
            }
            num_w = max(len(v) for v in shown.values())
            # a cell of fewer than 10 authors reads "< 10", one hidden beside it "withheld"
            for name, n in counts.items():
                share = "" if n is None else f"{n / total:>6.1%}"
                print(printable(f"  {name!s:<{name_w}}  {shown[name]:>{num_w}}  {share}".rstrip()))


def _when(text: Any) -> str:
    """A stored time (as the stats library writes it) to the minute; "—" for an empty store."""
    if text is None or str(text) in ("None", "NaT", ""):
        return MISSING
    return str(text)[:16]
