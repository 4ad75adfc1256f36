"""The inline SVG charts: one mark per value, tooltips, no external references."""

from __future__ import annotations

import math
import re
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from chart_points import drawn, scale
from groundswell.report import charts


def test_line_chart_one_line_per_series():
    days = [date(2017, 10, 1) + timedelta(days=i) for i in range(40)]
    series = {"#metoo": [float(i) for i in range(40)], "#himtoo": [1.0] * 40}
    svg = charts.line_chart(days, series, title="t")
    assert svg.count('<g class="series"') == 2
    assert "#metoo: peak 39 on 2017-11-09" in svg
    # a count under 10 (so of fewer than 10 authors) is not drawn at all, nor its number shown
    assert "#himtoo: every count withheld (&lt; 10 distinct authors)" in svg
    assert svg.count("<polyline") == 1  # #metoo from 10 posts a day on; 1 to 9 are gaps
    assert "http" not in svg and "<script" not in svg
    assert ">2 Oct<" in svg and ">9 Oct<" in svg  # 40 days: weekly ticks, on Mondays
    assert ">3 Oct<" not in svg


def test_a_day_of_few_authors_is_not_drawn_nor_sets_the_scale():
    """A review read the exact count of a day of 3 authors off a line chart: the point was drawn
    at its true height (y = 240.8 on a known scale) and only its hover said "< 10"; a day of
    few authors and many posts set the y axis' top tick. Now neither is drawn or scales."""
    days = [date(2017, 10, 1) + timedelta(days=i) for i in range(30)]
    posts = [10.0 + (i % 11) for i in range(30)]  # 10 to 20 posts a day, 12 authors each
    who = [12.0] * 30
    posts[10], who[10] = 3.0, 3.0  # 3 posts by 3 authors
    posts[20], who[20] = 150.0, 4.0  # 150 posts by 4 authors: the largest value, withheld
    steady = [15.0] * 30
    svg = charts.line_chart(
        days,
        {"#metoo": posts, "#steady": steady},
        title="t",
        authors={"#metoo": who, "#steady": [12.0] * 30},
    )
    value, ticks = scale(svg)
    assert max(ticks) == 20  # from the days drawn (20 at most), not 150's 200
    points = drawn(svg)
    values = [value(y) for _, y in points]
    assert len(points) == 28 + 30  # every day of both series but the two withheld
    assert not any(abs(v - 3) < 0.5 or abs(v - 150) < 0.5 for v in values)
    xs = {round(x, 1) for x, _ in points}
    left, right = min(xs), max(xs)
    at = [round(left + (right - left) * i / 29, 1) for i in (10, 20)]
    metoo = re.search(r'<g class="series"[^>]*><title>#metoo:.*?</g>', svg).group(0)
    assert not any(f"{x:.1f}," in metoo for x in at)  # a gap in #metoo's line at those days
    assert "#metoo: peak 20 on" in svg and "150" not in svg
    marks = re.findall(r'<rect class="withheld" [^>]*><title>([^<]*)</title>', svg)
    assert marks == [
        "#metoo on 2017-10-11: withheld (&lt; 10 distinct authors)",
        "#metoo on 2017-10-21: withheld (&lt; 10 distinct authors)",
    ]


def test_a_week_stands_on_its_own_distinct_authors():
    """Over more than a year the chart sums days into weeks: a week's point is drawn only when
    the week has 10 or more distinct authors (given per period, or, with daily counts only,
    when one of its days alone has), never by the days' distinct counts summed."""
    days = [date(2017, 1, 2) + timedelta(days=i) for i in range(420)]  # Mondays on 7k
    posts = [3.0] * 420  # the same 3 people every day
    daily = [3.0] * 420  # their daily distinct counts summed: 21 "authors" a week
    for i in range(420):
        if i // 7 == 5:  # the sixth week: they post 30 a day, 210 posts by 3 authors
            posts[i] = 30.0
        elif i % 7 == 0:  # every other week: a Monday of 12 more authors, 33 posts a week
            posts[i], daily[i] = 15.0, 15.0
    svg = charts.line_chart(days, {"#a": posts}, title="t", authors={"#a": daily})
    value, ticks = scale(svg)
    values = [value(y) for _, y in drawn(svg)]
    assert len(values) == 59 and not any(abs(v - 210) < 0.5 for v in values)
    assert max(ticks) == 50  # from the 33 a week drawn; the withheld 210 would make it 250
    assert "week of 6 Feb 2017: withheld" in svg
    # the weeks' own distinct authors: the sixth week had 10 (others posted that week too)
    week6 = date(2017, 2, 6)
    exact = {"week": {"#a": {d: 15.0 for d in days if d.weekday() == 0}}}
    exact["week"]["#a"][week6] = 10.0
    svg = charts.line_chart(days, {"#a": posts}, title="t", period_authors=exact)
    assert len(drawn(svg)) == 60 and "withheld" not in svg
    exact["week"]["#a"][week6] = 9.0
    svg = charts.line_chart(days, {"#a": posts}, title="t", period_authors=exact)
    assert len(drawn(svg)) == 59 and "week of 6 Feb 2017: withheld" in svg


def test_stacked_bars_shares_sum_to_the_bar():
    # counts of 10 and more: the cells of few posts are now drawn withheld together (below)
    svg = charts.stacked_bars(["w1", "w2"], {"a": [10, 30], "b": [30, 10]}, title="t")
    heights = [float(h) for h in re.findall(r'height="([^"]+)" fill="[^"]+"><title>', svg)]
    assert len(heights) == 4
    assert abs(heights[0] + heights[1] - (heights[2] + heights[3])) < 0.2
    svg = charts.stacked_bars(["w1"], {"a": [1], "b": [3]}, title="t")
    assert "w1, withheld together: a (&lt; 10 distinct authors), b (&lt; 10" in svg
    assert "n=" not in svg


def test_stacked_bar_hovers_read_under_10_by_authors():
    # a third act: with two, the other act's share (60%) would give away a's (40%), so it is
    # withheld too (test_complementary); here c, the smallest other act, is withheld beside a
    svg = charts.stacked_bars(
        ["w1"],
        {"a": [40], "b": [60], "c": [50]},
        authors={"a": [9], "b": [30], "c": [20]},
        title="t",
    )
    assert "w1, withheld together: a (&lt; 10 distinct authors), c (withheld)" in svg
    assert "w1, b: 40.0% of 150 posts" in svg


def test_hbars_draw_interval_whiskers():
    svg = charts.hbars(
        ["physical", "verbal"], [0.25, 0.75], title="harm", intervals=[(0.14, 0.40), (0.6, 0.86)]
    )
    assert svg.count('class="ci"') == 6
    assert "physical: 25.0% (95% CI 14.0% to 40.0%)" in svg


def test_empty_inputs_say_so():
    assert "No data" in charts.line_chart([], {}, title="t")
    assert "No data" in charts.hbars([], [], title="t")


@given(
    values=st.lists(st.floats(min_value=0, max_value=1e7), min_size=1, max_size=60),
    name=st.text(min_size=1, max_size=20).map(lambda t: t + "<i>"),
)
@settings(max_examples=60, deadline=None)
def test_charts_escape_labels_and_stay_finite(values, name):
    days = [date(2017, 10, 1) + timedelta(days=i) for i in range(len(values))]
    svgs = [
        charts.line_chart(days, {name: values}, title=name),
        charts.stacked_bars([name] * len(values), {name: values}, title=name),
        charts.hbars([name], [min(values[0], 1.0)], title=name, intervals=[(0.0, 1.0)]),
    ]
    for svg in svgs:
        assert "<script" not in svg
        coords = re.findall(r' (?:x|y|x1|x2|y1|y2|width|height)="([^"]*)"', svg)
        coords += [c for p in re.findall(r'points="([^"]*)"', svg) for c in re.split("[ ,]", p)]
        assert coords and all(math.isfinite(float(c)) and float(c) >= -1 for c in coords)
        # the label text only ever appears escaped (every name carries markup)
        assert "<i>" not in svg and "&lt;i&gt;" in svg
