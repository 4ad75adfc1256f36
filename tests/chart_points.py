"""Read a line chart's SVG back as a reader of the page could: its y scale from the grid's tick
labels, and the value of every point drawn (each vertex of a line, each lone dot)."""

from __future__ import annotations

import re
from collections.abc import Callable


def line_charts(page: str) -> list[str]:
    """The line charts of a page (with a line, or a series group of lines and dots)."""
    svgs = re.findall(r'<svg class="chart".*?</svg>', page, re.S)
    return [s for s in svgs if "<polyline" in s or '<g class="series"' in s]


def scale(svg: str) -> tuple[Callable[[float], float], list[float]]:
    """(the value at a y coordinate, the y axis' tick values), from the grid lines' labels."""
    grid = re.findall(
        r'<line class="grid" [^>]*y1="([^"]+)"[^>]*/><text class="tick" [^>]*>([^<]+)</text>', svg
    )
    ys = [float(y) for y, _ in grid]
    ticks = [float(t.replace(",", "")) for _, t in grid]
    (y0, v0), (y1, v1) = (ys[0], ticks[0]), (ys[-1], ticks[-1])
    return (lambda y: v0 + (y - y0) * (v1 - v0) / (y1 - y0)), ticks


def drawn(svg: str) -> list[tuple[float, float]]:
    """Every point drawn, as (x, y)."""
    pts = [
        (float(x), float(y))
        for ps in re.findall(r'<polyline [^>]*points="([^"]*)"', svg)
        for x, y in (p.split(",") for p in ps.split())
    ]
    pts += [(float(x), float(y)) for x, y in re.findall(r'<circle cx="([^"]+)" cy="([^"]+)"', svg)]
    return pts


def values(svg: str) -> list[float]:
    """The value each point drawn stands for, read off the y scale."""
    value, _ = scale(svg)
    return [value(y) for _, y in drawn(svg)]
