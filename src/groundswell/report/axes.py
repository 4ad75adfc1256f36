"""Time axes that read at any span: tick spacing from days to decades, chosen so labels never
overlap, and the period (day, week, month) to count posts by for a span."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import date, timedelta

CHAR_PX = 6.6  # width of one tick-label character at the charts' 11 px font
GAP_PX = 12.0  # least free space between two tick labels

# (unit, step) from finest to coarsest; a quarter is three months
STEPS: tuple[tuple[str, int], ...] = (
    ("day", 1),
    ("day", 2),
    ("week", 1),
    ("week", 2),
    ("month", 1),
    ("quarter", 1),
    ("month", 6),
    ("year", 1),
    ("year", 2),
    ("year", 5),
    ("year", 10),
    ("year", 25),
    ("year", 50),
    ("year", 100),
)

# the most days one period of each unit spans
LONGEST = {"day": 1, "week": 7, "month": 31, "quarter": 92, "year": 366}


def _month_add(d: date, months: int) -> date:
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


def period_start(d: date, unit: str) -> date:
    """The first day of the period (day, week from Monday, month, quarter, year) holding ``d``."""
    if unit == "day":
        return d
    if unit == "week":
        return d - timedelta(days=d.weekday())
    if unit == "month":
        return d.replace(day=1)
    if unit == "quarter":
        return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
    if unit == "year":
        return date(d.year, 1, 1)
    raise ValueError(f"unknown period {unit!r}; choose day, week, month, quarter or year")


def next_period(d: date, unit: str, step: int = 1) -> date:
    """The start of the period ``step`` periods after the one starting on ``d``; OverflowError
    when that is past the last day a date holds (a post dated 9999-12-31)."""
    try:
        if unit == "day":
            return d + timedelta(days=step)
        if unit == "week":
            return d + timedelta(weeks=step)
        if unit == "month":
            return _month_add(d, step)
        if unit == "quarter":
            return _month_add(d, 3 * step)
        if unit == "year":
            return date(d.year + step, 1, 1)
    except ValueError as exc:  # a year past 9999
        raise OverflowError(f"no {unit} after {d}") from exc
    raise ValueError(f"unknown period {unit!r}; choose day, week, month, quarter or year")


def label(d: date, unit: str, span_years: bool = True) -> str:
    """A tick label for ``d`` at this spacing: "15 Oct 2017" (or "15 Oct"), "Oct 2017", "2019"."""
    if unit in ("day", "week"):
        return f"{d.day} {d:%b %Y}" if span_years else f"{d.day} {d:%b}"
    if unit in ("month", "quarter"):
        return d.strftime("%b %Y")
    return str(d.year)


def _ticks(first: date, last: date, unit: str, step: int) -> list[date]:
    """Tick days from ``first`` to ``last``, none past 9999-12-31 (OverflowError ends them)."""
    out: list[date] = []
    with contextlib.suppress(OverflowError):
        _add_ticks(out, first, last, unit, step)
    return out


def _add_ticks(out: list[date], first: date, last: date, unit: str, step: int) -> None:
    if unit == "year":
        d = date(max(1, first.year - first.year % step), 1, 1)
        while d < first:
            d = next_period(d, "year", step)
        while d <= last:
            out.append(d)
            d = next_period(d, "year", step)
        return
    if unit == "day":
        d = first
    else:
        d = period_start(first, unit)
        if unit == "month" and step > 1:  # Jan and Jul for half-years
            while (d.month - 1) % step:
                d = next_period(d, "month")
        if d < first:
            d = next_period(d, unit)
            while unit == "month" and step > 1 and (d.month - 1) % step:
                d = next_period(d, "month")
    while d <= last:
        out.append(d)
        d = next_period(d, unit, step)


def time_ticks(first: date, last: date, width_px: float) -> tuple[str, list[tuple[date, str]]]:
    """(unit, [(day, label)]): the finest tick spacing whose labels fit ``width_px`` without
    overlapping, from every day to every century; unit is day, week, month, quarter,
    half-year or year. A span of one day gets its one tick."""
    if last < first:
        first, last = last, first
    span = (last - first).days
    years = first.year != last.year
    if span == 0:
        return "day", [(first, label(first, "day", True))]
    for unit, step in STEPS:
        # ticks at most LONGEST[unit] * step days apart are at least span / that - 1; more than
        # fit side by side at GAP_PX cannot fit, so they are not listed (days over 10,000 years
        # took a minute)
        if span / (LONGEST[unit] * step) - 1 > width_px / GAP_PX + 1:
            continue
        ticks = _ticks(first, last, unit, step)
        if not ticks:
            continue
        labels = [label(d, unit, years) for d in ticks]
        xs = [width_px * (d - first).days / span for d in ticks]
        widths = [CHAR_PX * len(t) for t in labels]
        fits = all(
            xs[i + 1] - xs[i] >= (widths[i] + widths[i + 1]) / 2 + GAP_PX
            for i in range(len(xs) - 1)
        )
        if fits:
            name = "half-year" if (unit, step) == ("month", 6) else unit
            return name, list(zip(ticks, labels, strict=True))
    return "year", [(first, str(first.year))]


def count_period(first: date, last: date, *, bars: bool = False) -> str:
    """The period to count posts by over this span: days up to a year (45 days for bar
    charts), weeks up to four years (18 months for bars), months beyond."""
    span = (last - first).days
    if span <= (45 if bars else 366):
        return "day"
    if span <= (550 if bars else 1461):
        return "week"
    return "month"


def rebin(
    days: Sequence[date], series: dict[str, Sequence[float]], unit: str
) -> tuple[list[date], dict[str, list[float]]]:
    """Daily values summed into periods (``unit`` week or month); each period is named by its
    first day. ``day`` returns the input unchanged."""
    if unit == "day":
        return list(days), {k: list(v) for k, v in series.items()}
    starts: list[date] = []
    index: list[int] = []
    for d in days:
        p = period_start(d, unit)
        if not starts or starts[-1] != p:
            starts.append(p)
        index.append(len(starts) - 1)
    out = {k: [0.0] * len(starts) for k in series}
    for k, values in series.items():
        for i, v in zip(index, values, strict=True):
            out[k][i] += v
    return starts, out
