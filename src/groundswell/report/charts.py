"""Inline SVG charts for the static report: lines over days, stacked shares, horizontal bars.

Hand-written SVG so the report opens with no network and no JavaScript. Every mark carries a
``<title>`` so hovering shows the number; colours are the Okabe-Ito palette (colour-blind safe).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from html import escape

PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
    "#999999",
    "#8C564B",
)


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


def _legend(names: Sequence[str], x: float, y: float) -> str:
    parts, cx = [], x
    for i, name in enumerate(names):
        parts.append(
            f'<rect x="{cx:.1f}" y="{y - 9:.1f}" width="10" height="10" '
            f'fill="{colour(i)}"/><text x="{cx + 14:.1f}" y="{y:.1f}">'
            f"{escape(name)}</text>"
        )
        cx += 22 + 7.2 * len(name)
    return "".join(parts)


def line_chart(
    days: Sequence[date],
    series: dict[str, Sequence[float]],
    *,
    title: str,
    width: int = 880,
    height: int = 300,
    y_label: str = "posts per day",
) -> str:
    """One line per series over consecutive days (``series`` values align with ``days``)."""
    if not days or not series:
        return '<p class="empty">No data to chart.</p>'
    left, right, top, bottom = 56, 12, 34, 44
    pw, ph = width - left - right, height - top - bottom
    ymax = _nice_max(max((max(v) for v in series.values() if len(v)), default=0))
    n = len(days)

    def sx(i: int) -> float:
        return left + (pw * i / (n - 1) if n > 1 else pw / 2)

    def sy(v: float) -> float:
        return top + ph - ph * v / ymax

    out = [_open(width, height, title)]
    for k in range(5):  # horizontal grid
        v = ymax * k / 4
        out.append(
            f'<line class="grid" x1="{left}" x2="{left + pw}" y1="{sy(v):.1f}" '
            f'y2="{sy(v):.1f}"/><text class="tick" x="{left - 6}" y="{sy(v) + 4:.1f}" '
            f'text-anchor="end">{_fmt(v)}</text>'
        )
    for i, d in enumerate(days):  # month ticks
        if d.day == 1 or i == 0:
            out.append(
                f'<line class="axis" x1="{sx(i):.1f}" x2="{sx(i):.1f}" y1="{top + ph}" '
                f'y2="{top + ph + 4}"/><text class="tick" x="{sx(i):.1f}" '
                f'y="{top + ph + 17}" text-anchor="middle">{d.strftime("%b %Y")}</text>'
            )
    out.append(
        f'<text class="tick" x="12" y="{top + ph / 2:.1f}" '
        f'transform="rotate(-90 12 {top + ph / 2:.1f})" text-anchor="middle">'
        f"{escape(y_label)}</text>"
    )
    for si, (name, values) in enumerate(series.items()):
        pts = " ".join(f"{sx(i):.1f},{sy(v):.1f}" for i, v in enumerate(values))
        peak = max(range(len(values)), key=lambda i: values[i]) if len(values) else 0
        out.append(
            f'<polyline fill="none" stroke="{colour(si)}" stroke-width="1.6" '
            f'points="{pts}"><title>{escape(name)}: peak {_fmt(values[peak])} on '
            f"{days[peak].isoformat()}</title></polyline>"
        )
    out.append(_legend(list(series), left, height - 8))
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
) -> str:
    """One bar per category, stacked by series; ``normalise`` turns counts into shares."""
    if not categories or not series:
        return '<p class="empty">No data to chart.</p>'
    left, right, top, bottom = 56, 12, 34, 58
    pw, ph = width - left - right, height - top - bottom
    totals = [sum(series[s][i] for s in series) for i in range(len(categories))]
    ymax = 1.0 if normalise else _nice_max(max(totals))
    n = len(categories)
    slot = pw / n
    bar = max(1.0, slot * 0.8)
    out = [_open(width, height, title)]
    for k in range(5):
        v = ymax * k / 4
        y = top + ph - ph * v / ymax
        label = f"{v:.0%}" if normalise else _fmt(v)
        out.append(
            f'<line class="grid" x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{label}</text>"
        )
    every = max(1, math.ceil(n / 12))
    for i, cat in enumerate(categories):
        x = left + i * slot + (slot - bar) / 2
        base = top + ph
        total = totals[i] or 1
        for si, (name, values) in enumerate(series.items()):
            v = values[i] / total if normalise else values[i]
            h = ph * v / ymax
            if h <= 0:
                continue
            base -= h
            shown = f"{v:.1%}" if normalise else _fmt(v)
            out.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colour(si)}"><title>{escape(cat)} {escape(name)}: {shown} '
                f"(n={_fmt(values[i])})</title></rect>"
            )
        if i % every == 0:
            out.append(
                f'<text class="tick" x="{x + bar / 2:.1f}" y="{top + ph + 15}" '
                f'text-anchor="middle">{escape(cat)}</text>'
            )
    out.append(_legend(list(series), left, height - 8))
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
) -> str:
    """Horizontal bars, largest first as given; ``intervals`` draws a whisker per bar."""
    if not labels:
        return '<p class="empty">No data to chart.</p>'
    left, right, top, row = 130, 60, 30, 22
    height = top + row * len(labels) + 10
    pw = width - left - right
    vmax = 1.0 if share else _nice_max(max(values))
    out = [_open(width, height, title)]
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = top + i * row
        w = pw * v / vmax
        shown = f"{v:.1%}" if share else _fmt(v)
        tip = shown
        label_x = left + w + 4
        if intervals:  # the value goes right of the whisker, not under it
            label_x = max(label_x, left + pw * intervals[i][1] / vmax + 4)
        if intervals:
            lo, hi = intervals[i]
            tip += f" (95% CI {lo:.1%} to {hi:.1%})"
        out.append(
            f'<text class="tick" x="{left - 6}" y="{y + 14}" text-anchor="end">'
            f'{escape(label)}</text><rect x="{left}" y="{y + 3}" width="{w:.1f}" '
            f'height="{row - 8}" fill="{colour(0)}"><title>{escape(label)}: {tip}</title>'
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
