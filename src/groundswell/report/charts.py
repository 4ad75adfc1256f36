"""Inline SVG charts for the static report: lines over time, stacked shares, horizontal bars.

Hand-written SVG so the report opens with no network and no JavaScript. Every mark carries a
``<title>`` so hovering shows the number. Nothing from fewer than 10 distinct authors is drawn
at its size (CODEBOOK section 7): such a point of a line is left out (a gap, a grey mark on the
time axis) and takes no part in the y scale; the shares of a bar withheld are one grey part
whose hover reads "< 10". Time axes adapt to the span (``axes.time_ticks``); series colours
come from the caller's map (one colour per tag for the whole report, ``colours.TagColours``),
else from the palette in order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from html import escape

from groundswell.care.suppress import WITHHELD, complementary_cells
from groundswell.report.axes import (
    count_period,
    label,
    next_period,
    period_start,
    rebin,
    time_ticks,
)
from groundswell.report.colours import TAG_PALETTE

PALETTE = TAG_PALETTE
SMALL = "< 10"
MIN_AUTHORS = 10
GREY = "#bbbbbb"  # withheld marks: the act bars' withheld parts, a line's withheld points


def _small_cell(
    value: float, authors: Mapping[str, Sequence[float]] | None, name: str, i: int
) -> bool:
    """Whether a stacked cell of ``value`` posts is withheld: fewer than 10 distinct authors
    (or, with no author counts, fewer than 10 posts)."""
    who = authors[name][i] if authors and name in authors else None
    return bool(value) and ((who is not None and who < MIN_AUTHORS) or value < MIN_AUTHORS)


PER = {"day": "per day", "week": "per week", "month": "per month"}


def colour(i: int) -> str:
    """The i-th series colour."""
    return PALETTE[i % len(PALETTE)]


def _nice_max(value: float) -> float:
    if not value > 1e-12 or not math.isfinite(value):  # zero, denormal, NaN: a unit scale
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


def _fmt(v: float) -> str:
    if v >= 1000:
        return f"{v:,.0f}"
    return f"{v:g}"


def _series_colours(names: Sequence[str], colours: Mapping[str, str] | None) -> list[str]:
    colours = colours or {}
    return [colours.get(n, colour(i)) for i, n in enumerate(names)]


def _legend_rows(names: Sequence[str], width: float, x: float) -> list[list[tuple[float, int]]]:
    """Legend entries laid out in rows that fit ``width``: [(x, name index)] per row."""
    rows: list[list[tuple[float, int]]] = [[]]
    cx = x
    for i, name in enumerate(names):
        w = 22 + 6.6 * len(name)
        if rows[-1] and cx + w > width - 8:
            rows.append([])
            cx = x
        rows[-1].append((cx, i))
        cx += w
    return rows


def _legend(names: Sequence[str], fills: Sequence[str], rows: list, y: float) -> str:
    parts = []
    for r, row in enumerate(rows):
        yy = y + 16 * r
        for cx, i in row:
            parts.append(
                f'<rect x="{cx:.1f}" y="{yy - 9:.1f}" width="10" height="10" '
                f'fill="{fills[i]}"/><text x="{cx + 14:.1f}" y="{yy:.1f}">'
                f"{escape(names[i])}</text>"
            )
    return "".join(parts)


def _x_axis(first: date, last: date, left: float, pw: float, y: float) -> str:
    """Tick marks and labels for dates from ``first`` to ``last`` over ``pw`` pixels."""
    span = max((last - first).days, 1)
    _, ticks = time_ticks(first, last, pw)
    out = []
    for d, text in ticks:
        x = left + (pw * (d - first).days / span if last > first else pw / 2)
        out.append(
            f'<line class="axis" x1="{x:.1f}" x2="{x:.1f}" y1="{y}" y2="{y + 4}"/>'
            f'<text class="tick" x="{x:.1f}" y="{y + 17}" text-anchor="middle">'
            f"{escape(text)}</text>"
        )
    return "".join(out)


def _y_grid(ymax: float, left: float, pw: float, top: float, ph: float, share: bool) -> str:
    out = []
    for k in range(5):
        v = ymax * k / 4
        y = top + ph - ph * v / ymax
        text = f"{v:.0%}" if share else _fmt(v)
        out.append(
            f'<line class="grid" x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{text}</text>'
        )
    return "".join(out)


def _withheld(value: float, authors: float | None) -> bool:
    """Whether a point of a line is withheld: a count from fewer than 10 distinct authors (or,
    with no author count, under 10 itself: a count under 10 has fewer than 10 authors). An empty
    point (0) is nobody's and is drawn; a value that is no number is never drawn."""
    if not math.isfinite(value):
        return True
    if value == 0:
        return False
    return value < MIN_AUTHORS or (authors is not None and authors < MIN_AUTHORS)


def _period_authors(
    days: Sequence[date],
    starts: Sequence[date],
    unit: str,
    name: str,
    authors: Mapping[str, Sequence[float]] | None,
    period_authors: Mapping[str, Mapping[str, Mapping[date, float]]] | None,
) -> list[float] | None:
    """Distinct authors behind each period's point of one series, or None when nothing tells.

    ``period_authors[unit][name]`` (distinct authors per period, by its first day) is exact; a
    period missing from it counts 0 authors (withheld). Without it, the daily distinct counts
    only bound a period's authors: at least the most of any one day (the same people may post
    every day, so their sum over-counts), so a period is shown only when one of its days alone
    has 10 or more authors, and withheld whenever that lower bound leaves it in doubt."""
    exact = (period_authors or {}).get(unit)
    if exact is not None and name in exact:
        return [float(exact[name].get(s, 0)) for s in starts]
    daily = authors.get(name) if authors else None
    if daily is None:
        return None
    if unit == "day":
        return [float(a) for a in daily]
    index = {s: i for i, s in enumerate(starts)}
    most = [0.0] * len(starts)
    for d, a in zip(days, daily, strict=True):
        i = index[period_start(d, unit)]
        most[i] = max(most[i], float(a))
    return most


def plotted(
    days: Sequence[date],
    series: Mapping[str, Sequence[float]],
    authors: Mapping[str, Sequence[float]] | None = None,
    period_authors: Mapping[str, Mapping[str, Mapping[date, float]]] | None = None,
) -> tuple[str, list[date], dict[str, list[float | None]]]:
    """What a line chart draws: (unit, the first day of each point, each series' points with
    None where the point is withheld for fewer than 10 distinct authors, CODEBOOK section 7).

    Undated days are left out; over more than a year the days are summed into weeks, over more
    than four years into months (``axes.count_period``), and then the period's distinct authors
    decide (see ``_period_authors``): ``authors`` gives distinct authors per day (aligned with
    ``days``), ``period_authors`` per period (unit -> series -> period's first day -> count).
    """
    keep = [i for i, d in enumerate(days) if d is not None and d == d]  # not None, not NaT
    days = [days[i] for i in keep]
    if not days or not series:
        return "day", [], {}
    series = {k: [float(v[i]) for i in keep] for k, v in series.items()}
    if authors:
        authors = {k: [v[i] for i in keep] for k, v in authors.items()}
    days = [d.date() if hasattr(d, "date") and callable(d.date) else d for d in days]
    unit = count_period(days[0], days[-1])
    starts, binned = rebin(days, series, unit)
    out: dict[str, list[float | None]] = {}
    for name, values in binned.items():
        who = _period_authors(days, starts, unit, name, authors, period_authors)
        out[name] = [
            None if _withheld(v, who[i] if who is not None else None) else v
            for i, v in enumerate(values)
        ]
    return unit, starts, out


def _runs(values: Sequence[float | None]) -> list[list[int]]:
    """The indices of each unbroken stretch of drawn points."""
    runs: list[list[int]] = []
    for i, v in enumerate(values):
        if v is None:
            continue
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def line_chart(
    days: Sequence[date],
    series: dict[str, Sequence[float]],
    *,
    title: str,
    width: int = 880,
    height: int = 300,
    y_label: str = "posts per day",
    colours: Mapping[str, str] | None = None,
    authors: Mapping[str, Sequence[float]] | None = None,
    period_authors: Mapping[str, Mapping[str, Mapping[date, float]]] | None = None,
) -> str:
    """One line per series over days (``series`` values align with ``days``, one per day).

    Over more than a year the days are summed into weeks, over more than four years into
    months, and the axis label says so. A point from fewer than 10 distinct authors is not
    drawn (``plotted``; ``authors``: distinct authors per day per series, ``period_authors``:
    per week or month, see ``plotted``), and the y scale comes from the points drawn only.
    """
    if not days or not series:
        return '<p class="empty">No data to chart.</p>'
    unit, days, values = plotted(days, series, authors, period_authors)
    if not days:
        return '<p class="empty">No dated posts to chart.</p>'
    if unit != "day":
        if y_label == "posts per day":
            y_label = f"posts {PER[unit]}"
        else:  # daily distinct authors summed are not distinct authors of the period
            y_label = f"{y_label}, summed by {unit}"
        title = title.replace("Posts per day", f"Posts {PER[unit]}")
    names = list(values)
    fills = _series_colours(names, colours)
    # a withheld point leaves a gap in its line and a grey mark on the time axis: joining its
    # neighbours would draw a height that is no count, and a bare gap would read as no posts
    withheld = {
        i: [n for n in names if values[n][i] is None]
        for i in range(len(days))
        if any(values[n][i] is None for n in names)
    }
    legend_names = [*names, f"{WITHHELD}: {SMALL} distinct authors"] if withheld else names
    legend_fills = [*fills, GREY] if withheld else fills
    left, right, top = 56, 12, 34
    pw = width - left - right
    legend = _legend_rows(legend_names, width, left)
    bottom = 30 + 16 * len(legend)
    height = max(height, top + bottom + 120)
    ph = height - top - bottom
    # the scale from drawn points only: a maximum over a withheld one would give it away
    drawn = [v for vs in values.values() for v in vs if v is not None]
    ymax = _nice_max(max(drawn, default=0))
    first, last = days[0], days[-1]
    span = (last - first).days

    def sx(d: date) -> float:
        return left + (pw * (d - first).days / span if span else pw / 2)

    def sy(v: float) -> float:
        return top + ph - ph * v / ymax

    def when(d: date) -> str:
        return {
            "day": f"on {d.isoformat()}",
            "week": f"in the week of {label(d, 'day')}",
            "month": f"in {label(d, 'month')}",
        }[unit]

    out = [_open(width, height, title), _y_grid(ymax, left, pw, top, ph, False)]
    out.append(_x_axis(first, last, left, pw, top + ph))
    out.append(
        f'<text class="tick" x="12" y="{top + ph / 2:.1f}" '
        f'transform="rotate(-90 12 {top + ph / 2:.1f})" text-anchor="middle">'
        f"{escape(y_label)}</text>"
    )
    for name, fill in zip(names, fills, strict=True):
        vals = values[name]
        shown = [i for i, v in enumerate(vals) if v is not None]
        peak = max(shown, key=lambda i: vals[i]) if shown else None
        if peak is not None and vals[peak]:
            tip = f"{name}: peak {_fmt(vals[peak])} {when(days[peak])}"
        elif len(shown) < len(vals):  # nothing drawn above 0: every count is a small one
            tip = f"{name}: every count {WITHHELD} ({SMALL} distinct authors)"
        else:
            tip = f"{name}: 0 throughout"
        marks = []
        for run in _runs(vals):
            if len(run) == 1:  # a lone point between withheld ones: a dot, as no line joins it
                i = run[0]
                marks.append(
                    f'<circle cx="{sx(days[i]):.1f}" cy="{sy(vals[i]):.1f}" r="2" '
                    f'fill="{fill}" stroke="none"/>'
                )
                continue
            pts = " ".join(f"{sx(days[i]):.1f},{sy(vals[i]):.1f}" for i in run)
            marks.append(f'<polyline points="{pts}"/>')
        out.append(
            f'<g class="series" fill="none" stroke="{fill}" stroke-width="1.6">'
            f"<title>{escape(tip)}</title>{''.join(marks)}</g>"
        )
    base = top + ph
    for i, hidden in withheld.items():
        x = sx(days[i])
        tip = f"{', '.join(hidden)} {when(days[i])}: {WITHHELD} ({SMALL} distinct authors)"
        out.append(
            f'<rect class="withheld" x="{x - 1.5:.1f}" y="{base - 3}" width="3" height="6" '
            f'fill="{GREY}"><title>{escape(tip)}</title></rect>'
        )
    out.append(_legend(legend_names, legend_fills, legend, top + ph + 38))
    out.append("</svg>")
    return "".join(out)


def stacked_bars(
    categories: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    title: str,
    width: int = 880,
    height: int = 300,
    normalise: bool = True,
    colours: Mapping[str, str] | None = None,
    authors: Mapping[str, Sequence[float]] | None = None,
    periods: Sequence[date] | None = None,
    unit: str = "week",
) -> str:
    """One bar per category, stacked by series; ``normalise`` turns counts into shares.

    ``authors`` (distinct authors per cell) makes a cell under 10 authors read "< 10" in its
    hover. ``periods`` (the first day of each bar's ``unit``) puts a time axis under the bars
    instead of category labels.
    """
    if not categories or not series:
        return '<p class="empty">No data to chart.</p>'
    names = list(series)
    fills = _series_colours(names, colours)
    left, right, top = 56, 12, 34
    pw = width - left - right
    legend = _legend_rows(names, width, left)
    bottom = 34 + 16 * len(legend)
    height = max(height, top + bottom + 120)
    ph = height - top - bottom
    totals = [sum(series[s][i] for s in series) for i in range(len(categories))]
    ymax = 1.0 if normalise else _nice_max(max(totals))
    n = len(categories)
    slot = pw / n
    bar = max(1.0, slot * 0.8)
    out = [_open(width, height, title), _y_grid(ymax, left, pw, top, ph, normalise)]
    for i, cat in enumerate(categories):
        x = left + i * slot + (slot - bar) / 2
        base = top + ph
        total = totals[i] or 1
        small = [_small_cell(series[s][i], authors, s, i) for s in names]
        # the shares of a bar sum to 1: the smallest other act is withheld beside a lone small
        # one, and the withheld acts are drawn as one grey part (no height tells either apart)
        extra = complementary_cells([int(series[s][i]) for s in names], small)
        hidden = [j for j, s in enumerate(names) if series[s][i] and (small[j] or j in extra)]
        for j, (name, fill) in enumerate(zip(names, fills, strict=True)):
            values = series[name]
            v = values[i] / total if normalise else values[i]
            h = ph * v / ymax
            if h <= 0 or (normalise and j in hidden):
                continue
            base -= h
            if small[j]:
                shown = f"{SMALL} distinct authors"
            elif j in extra:
                shown = f"{WITHHELD}, so that a {SMALL} act cannot be derived"
            elif normalise:
                shown = f"{v:.1%} of {_fmt(total)} posts"
            else:
                shown = _fmt(v)
            out.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{fill}"><title>{escape(cat)}, {escape(name)}: {escape(shown)}'
                "</title></rect>"
            )
        if normalise and hidden:
            h = ph * sum(series[names[j]][i] for j in hidden) / total / ymax
            why = ", ".join(
                f"{names[j]} ({SMALL} distinct authors)" if small[j] else f"{names[j]} ({WITHHELD})"
                for j in hidden
            )
            out.append(
                f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{GREY}"><title>{escape(cat)}, withheld together: {escape(why)}'
                "</title></rect>"
            )
    if periods:
        try:
            end = next_period(periods[-1], unit) - timedelta(days=1)
        except OverflowError:  # the last period holds 9999-12-31
            end = date.max
        out.append(_x_axis(periods[0], end, left, pw, top + ph))
    else:
        every = max(1, math.ceil(n * 7.0 * max(len(c) for c in categories) / pw))
        for i, cat in enumerate(categories):
            if i % every == 0:
                x = left + i * slot + slot / 2
                out.append(
                    f'<text class="tick" x="{x:.1f}" y="{top + ph + 15}" '
                    f'text-anchor="middle">{escape(cat)}</text>'
                )
    out.append(_legend(names, fills, legend, top + ph + 38))
    out.append("</svg>")
    return "".join(out)


def hbars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    intervals: Sequence[tuple[float, float]] | None = None,
    width: int = 560,
    share: bool = True,
    fill: str | None = None,
) -> str:
    """Horizontal bars, largest first as given; ``intervals`` draws a whisker per bar."""
    if not labels:
        return '<p class="empty">No data to chart.</p>'
    left, right, top, row = 130, 60, 30, 22
    height = top + row * len(labels) + 10
    pw = width - left - right
    vmax = 1.0 if share else _nice_max(max(values))
    fill = fill or colour(0)
    out = [_open(width, height, title)]
    for i, (text, v) in enumerate(zip(labels, values, strict=True)):
        y = top + i * row
        w = pw * v / vmax
        shown = f"{v:.1%}" if share else _fmt(v)
        tip = shown
        label_x = left + w + 4
        if intervals:  # the value goes right of the whisker, not under it
            label_x = max(label_x, left + pw * intervals[i][1] / vmax + 4)
            lo, hi = intervals[i]
            tip += f" (95% CI {lo:.1%} to {hi:.1%})"
        out.append(
            f'<text class="tick" x="{left - 6}" y="{y + 14}" text-anchor="end">'
            f'{escape(text)}</text><rect x="{left}" y="{y + 3}" width="{w:.1f}" '
            f'height="{row - 8}" fill="{fill}"><title>{escape(text)}: {tip}</title>'
            f'</rect><text class="tick" x="{label_x:.1f}" y="{y + 14}">{shown}</text>'
        )
        if intervals:
            lo, hi = intervals[i]
            x1, x2 = left + pw * lo / vmax, left + pw * hi / vmax
            ym = y + 3 + (row - 8) / 2
            out.append(
                f'<line class="ci" x1="{x1:.1f}" x2="{x2:.1f}" y1="{ym:.1f}" '
                f'y2="{ym:.1f}"/><line class="ci" x1="{x1:.1f}" x2="{x1:.1f}" '
                f'y1="{ym - 4:.1f}" y2="{ym + 4:.1f}"/><line class="ci" x1="{x2:.1f}" '
                f'x2="{x2:.1f}" y1="{ym - 4:.1f}" y2="{ym + 4:.1f}"/>'
            )
    out.append("</svg>")
    return "".join(out)


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f'<text class="chart-title" x="8" y="18">{escape(title)}</text>'
    )
