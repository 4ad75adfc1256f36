"""The inline SVG charts: one mark per value, tooltips, no external references."""

from __future__ import annotations

import math
import re
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.report import charts


def test_line_chart_one_polyline_per_series():
    days = [date(2017, 10, 1) + timedelta(days=i) for i in range(40)]
    series = {"#metoo": [float(i) for i in range(40)], "#himtoo": [1.0] * 40}
    svg = charts.line_chart(days, series, title="t")
    assert svg.count("<polyline") == 2
    assert "#metoo: peak 39 on 2017-11-09" in svg
    assert "#himtoo: peak &lt; 10 on" in svg  # a count under 10 never shows its number
    assert "http" not in svg and "<script" not in svg
    assert ">2 Oct<" in svg and ">9 Oct<" in svg  # 40 days: weekly ticks, on Mondays
    assert ">3 Oct<" not in svg


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
