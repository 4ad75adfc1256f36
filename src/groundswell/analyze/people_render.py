"""HTML for the people analysis: the table of public figures and their attention curves.

Small cells are suppressed before anything is drawn: a day under 10 distinct authors is drawn
as 0 and reads "< 10" in the table, so neither the table nor the chart leaks a small count.
"""

from __future__ import annotations

import html
from datetime import date, timedelta
from typing import Any

import pandas as pd

from groundswell.analyze.people import suppressed
from groundswell.analyze.registry import LineChart
from groundswell.care import MIN_CELL

TOP = 5


def attention_series(
    attention: pd.DataFrame, persons: list[str], min_cell: int = MIN_CELL
) -> tuple[list[date], dict[str, list[float]]]:
    """Consecutive days and, per person, daily distinct authors with small cells set to 0."""
    att = attention[attention["person"].isin(persons)]
    if att.empty:
        return [], {}
    days_seen = pd.to_datetime(att["day"]).dt.date
    first, last = min(days_seen), max(days_seen)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    series: dict[str, list[float]] = {}
    for person in persons:
        rows = att[att["person"] == person]
        by_day = {
            d: (float(n) if n >= min_cell else 0.0)
            for d, n in zip(pd.to_datetime(rows["day"]).dt.date, rows["authors"], strict=True)
        }
        series[person] = [by_day.get(d, 0.0) for d in days]
    return days, series


def attention_chart(frame: pd.DataFrame) -> LineChart | None:
    """Distinct authors per day naming each of the top public figures."""
    attention = frame.attrs.get("attention")
    if attention is None or attention.empty:
        return None
    public = frame[(frame["kind"].notna()) & (frame["authors"] >= MIN_CELL)]
    days, series = attention_series(attention, list(public["person"].head(TOP)))
    if not series:
        return None
    return LineChart(
        days,
        series,
        title="Attention: distinct authors per day naming each figure",
        y_label="distinct authors per day",
    )


def render_people(frame: pd.DataFrame, params: dict[str, Any]) -> str:
    """Table of named people, small cells suppressed (the report draws the attention chart)."""
    parts = [
        "<p>Public figures (the shipped gazetteer, or named by at least "
        f"{html.escape(str(params.get('min_authors', 25)))} distinct authors) by name; everyone "
        "else together as [private person]. Roles come from cue words around each mention; "
        "counts under 10 distinct authors read &lt; 10.</p>"
    ]
    if frame.empty:
        parts.append("<p class='empty'>No named people found.</p>")
    else:
        table = suppressed(frame).head(50)
        parts.append(table.to_html(index=False, escape=True, border=0, classes="data", na_rep=""))
    return "".join(parts)
