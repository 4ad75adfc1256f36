"""A post dated year 1, 1970 (a zero epoch) or 9999 is a clock or export error: it is counted
with the rest but no series over days spans to it (one such post made the timeline a series of
3.65 million days: 30 s and 1 GB), and `stats` and the report say how many there are."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from groundswell.schema import Post
from groundswell.store import Store

ODD = [datetime(1, 6, 1, tzinfo=UTC), datetime(1970, 1, 1, tzinfo=UTC),
       datetime(9999, 6, 1, tzinfo=UTC)]  # fmt: skip
FIRST, DAYS = date(2017, 10, 15), 15


def _posts() -> list[Post]:
    posts = [
        Post(
            platform="twitter",
            id=str(i),
            text=f"#MeToo #HimToo Harvey Weinstein post {i}",
            created_at=datetime(2017, 10, 15, 12, tzinfo=UTC) + timedelta(days=i % DAYS),
            author=f"u{i % 120}",
            hashtags=["#metoo", "#himtoo"],
        )
        for i in range(1200)
    ]
    posts += [
        Post(platform="twitter", id=f"odd{k}", text="#MeToo Harvey Weinstein odd clock",
             created_at=when, author=f"u{k}", hashtags=["#metoo"])
        for k, when in enumerate(ODD)
    ]  # fmt: skip
    return posts


@pytest.fixture
def odd_store(tmp_path):
    with Store(tmp_path / "odd.duckdb") as store:
        store.write_batch(_posts())
        yield store


def _span() -> list[date]:
    return [FIRST + timedelta(days=i) for i in range(DAYS)]


def test_the_timeline_spans_the_movement_days_only(odd_store):
    from groundswell.analyze.timeline import daily_counts, timeline

    daily = daily_counts(odd_store, ["#metoo", "#himtoo"])
    assert list(daily.index) == _span()
    assert daily["#metoo"].sum() == 1200  # the three odd posts have no day to count on
    frame = timeline(odd_store, tags=["#metoo"])
    assert len(frame.attrs["daily"]) == DAYS


def test_people_attention_and_peak_days_stay_in_the_span(odd_store):
    from groundswell.analyze.people import attention, people

    att = attention(odd_store)
    assert set(att["day"].map(lambda d: d.date() if hasattr(d, "date") else d)) <= set(_span())
    row = people(odd_store).set_index("person").loc["Harvey Weinstein"]
    assert row["mentions"] == 1203  # counted, though undated
    first = row["first_day"]
    assert (first.date() if hasattr(first, "date") else first) == FIRST


def test_report_series_and_overview(odd_store):
    from groundswell.report import queries

    con = odd_store.con
    assert queries.date_span(con) == (FIRST, FIRST + timedelta(days=DAYS - 1))
    days, series = queries.tag_daily(con, ["#metoo"])
    assert days == _span() and sum(series["#metoo"]) == 1200
    ov = queries.overview(con)
    assert ov["posts"] == 1203 and ov["dated_out_of_span"] == 3
    assert ov["first"].date() == FIRST
    tags = queries.top_tags(con).set_index("tag")
    assert tags.loc["#metoo", "posts"] == 1200
    assert tags.loc["#metoo", "first_day"].date() == FIRST


def test_stats_count_the_odd_times_and_keep_the_stated_ones(odd_store):
    from groundswell.store.stats import stats

    out = stats(odd_store)
    assert out["posts"] == 1203 and out["dated_out_of_span"] == 3
    assert out["first_post"].startswith("0001-06-01") and out["last_post"].startswith("9999")


def test_a_post_dated_tomorrow_is_still_counted(odd_store):
    from groundswell.store.dates import out_of_span

    soon = datetime.now(UTC) + timedelta(hours=20)
    odd_store.write_batch([Post(platform="twitter", id="soon", text="#MeToo now", created_at=soon,
                                author="u1", hashtags=["#metoo"])])  # fmt: skip
    assert out_of_span(odd_store.con) == 3
