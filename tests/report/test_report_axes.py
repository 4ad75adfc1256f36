"""Time axes that adapt from days to years, and one colour per tag."""

from __future__ import annotations

import re
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.report import charts
from groundswell.report.axes import CHAR_PX, GAP_PX, count_period, rebin, time_ticks
from groundswell.report.colours import TAG_PALETTE, TagColours

WIDTH = 812  # the line chart's plot width at its default 880 px


def _no_overlap(first: date, last: date, ticks: list[tuple[date, str]], width: float) -> bool:
    span = max((last - first).days, 1)
    xs = [width * (d - first).days / span for d, _ in ticks]
    ws = [CHAR_PX * len(t) for _, t in ticks]
    return all(
        xs[i + 1] - xs[i] >= (ws[i] + ws[i + 1]) / 2 + GAP_PX - 1e-9 for i in range(len(xs) - 1)
    )


def test_three_days_tick_every_day():
    first = date(2017, 10, 15)
    unit, ticks = time_ticks(first, first + timedelta(days=2), WIDTH)
    assert unit == "day"
    assert [t for _, t in ticks] == ["15 Oct", "16 Oct", "17 Oct"]


def test_two_months_tick_by_day_or_week():
    first, last = date(2017, 10, 1), date(2017, 11, 30)
    unit, ticks = time_ticks(first, last, WIDTH)
    assert unit in ("day", "week")
    assert 5 <= len(ticks) <= 31
    assert _no_overlap(first, last, ticks, WIDTH)
    if unit == "week":
        assert all(d.weekday() == 0 for d, _ in ticks)  # Mondays


def test_fourteen_months_tick_by_month():
    first, last = date(2017, 9, 10), date(2018, 11, 9)
    unit, ticks = time_ticks(first, last, WIDTH)
    assert unit == "quarter"  # 14 month labels do not fit 812 px
    labels = [t for _, t in ticks]
    assert labels == ["Oct 2017", "Jan 2018", "Apr 2018", "Jul 2018", "Oct 2018"]
    unit, ticks = time_ticks(first, last, 1400)  # a wider chart: every month
    assert unit == "month" and [t for _, t in ticks][-1] == "Nov 2018"
    assert all(d.day == 1 for d, _ in ticks)
    assert _no_overlap(first, last, ticks, 1400)


def test_six_years_tick_by_year_and_never_by_month():
    first, last = date(2017, 3, 1), date(2023, 2, 28)
    unit, ticks = time_ticks(first, last, WIDTH)
    assert unit == "half-year"
    assert [t for _, t in ticks][:3] == ["Jul 2017", "Jan 2018", "Jul 2018"]
    assert _no_overlap(first, last, ticks, WIDTH)
    unit, ticks = time_ticks(first, last, 400)  # a narrow chart: years only
    assert unit == "year"
    assert [t for _, t in ticks] == ["2018", "2019", "2020", "2021", "2022", "2023"]


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)),
    days=st.integers(min_value=0, max_value=40_000),
    width=st.integers(min_value=200, max_value=1600),
)
@settings(max_examples=200, deadline=None)
def test_ticks_never_overlap_and_stay_in_range(start, days, width):
    last = start + timedelta(days=days)
    _, ticks = time_ticks(start, last, width)
    assert ticks
    assert all(start <= d <= last for d, _ in ticks) or len(ticks) == 1
    assert _no_overlap(start, last, ticks, width)


def test_counts_go_by_week_then_month_as_the_span_grows():
    d0 = date(2017, 1, 1)
    assert count_period(d0, d0 + timedelta(days=60)) == "day"
    assert count_period(d0, d0 + timedelta(days=700)) == "week"
    assert count_period(d0, d0 + timedelta(days=2200)) == "month"
    days = [d0 + timedelta(days=i) for i in range(62)]
    starts, series = rebin(days, {"#a": [1.0] * 62}, "month")
    assert starts == [date(2017, 1, 1), date(2017, 2, 1), date(2017, 3, 1)]
    assert series["#a"] == [31.0, 28.0, 3.0]


def test_a_six_year_line_chart_counts_by_month_with_year_ticks():
    days = [date(2017, 1, 1) + timedelta(days=i) for i in range(6 * 365)]
    svg = charts.line_chart(days, {"#metoo": [20.0] * len(days)}, title="t")
    ticks = re.findall(r'class="tick" x="[^"]+" y="[^"]+" text-anchor="middle">([^<]+)<', svg)
    assert ticks and all(re.fullmatch(r"\d{4}|[A-Z][a-z]{2} \d{4}", t) for t in ticks)
    assert "posts per month" in svg
    assert svg.count(",") < 200  # about 72 monthly points, not 2,190 daily ones


def test_one_colour_per_tag_seed_family_first():
    colours = TagColours(["#metoo", "#himtoo"])
    assert colours.colour("#metoo") == TAG_PALETTE[0]
    assert colours.colour("#himtoo") == TAG_PALETTE[1]
    first = colours.for_series(["#news", "#metoo"])
    again = colours.for_series(["#metoo", "#tbt", "#news"])
    assert first["#news"] == again["#news"] == TAG_PALETTE[2]
    assert again["#metoo"] == TAG_PALETTE[0]
    svg = charts.line_chart(
        [date(2017, 10, 1), date(2017, 10, 2)],
        {"#news": [10, 20], "#metoo": [30, 40]},  # under 10 a point is withheld, undrawn
        title="t",
        colours=colours.for_series(["#news", "#metoo"]),
    )
    assert f'stroke="{TAG_PALETTE[0]}"' in svg and f'fill="{TAG_PALETTE[2]}"' in svg


def test_the_movement_series_has_its_own_colour():
    from groundswell.analyze.timeline import MOVEMENT
    from groundswell.report.colours import MOVEMENT_COLOUR, MOVEMENT_SERIES

    assert MOVEMENT_SERIES == MOVEMENT
    colours = TagColours(["#metoo"])
    assert colours.colour(MOVEMENT) == MOVEMENT_COLOUR != colours.colour("#metoo")


def test_posts_dated_year_1_and_9999_chart_quickly_without_error():
    """A store with a post dated 9999-12-31 (and one at 0001-01-01, Go's zero time) crashed
    `report` with a traceback (year 10000 is out of range) after listing every day of ten
    thousand years as a tick candidate (a minute)."""

    from groundswell.report.axes import next_period

    first, last = date(1, 1, 1), date(9999, 12, 31)
    unit, ticks = time_ticks(first, last, WIDTH)
    assert unit == "year" and ticks and all(first <= d <= last for d, _ in ticks)
    assert _no_overlap(first, last, ticks, WIDTH)
    for unit in ("day", "week", "month", "quarter", "year"):
        try:
            next_period(date(9999, 12, 31) if unit != "year" else date(9999, 1, 1), unit)
        except OverflowError:
            pass
        else:
            raise AssertionError(unit)
    _, ticks = time_ticks(date(9999, 11, 20), last, WIDTH)
    assert ticks and ticks[-1][0] <= last
    _, ticks = time_ticks(first, date(1, 2, 10), WIDTH)
    assert ticks and ticks[0][0] >= first
    periods = [date(9999, 10, 1), date(9999, 11, 1), date(9999, 12, 1)]
    svg = charts.stacked_bars(
        [str(p) for p in periods], {"support": [20.0, 30.0, 40.0]}, title="t",
        periods=periods, unit="month",
    )  # fmt: skip
    assert "Dec 9999" in svg or "9999" in svg
