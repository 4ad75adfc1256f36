"""Onsets and bursts on a store with a planted burst of known start, and on small series."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from planted import DAY0, Writer, plant_burst

from groundswell.analyze.timeline import (
    MOVEMENT,
    TimelineAnalysis,
    TimelineParams,
    kleinberg_levels,
    onset,
    timeline,
)
from groundswell.store import Store

BURST_DAY = (DAY0 + timedelta(days=30)).date()


@pytest.fixture(scope="module")
def burst_store(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("burst") / "b.duckdb") as store:
        plant_burst(store)
        yield store


def events(frame, series, kind):
    return frame[(frame["series"] == series) & (frame["kind"] == kind)]


def test_planted_burst_found_on_its_first_day(burst_store):
    frame = timeline(burst_store, tags=["#MeToo", "#news"])
    for series in ("#metoo", MOVEMENT):
        on = events(frame, series, "onset")
        assert list(on["start"]) == [BURST_DAY]
        bursts = events(frame, series, "burst")
        assert len(bursts) >= 1
        first = bursts.iloc[0]
        assert first["start"] == BURST_DAY
        assert first["end"] == BURST_DAY + timedelta(days=4)
        assert first["level"] >= 2
    first = events(frame, "#metoo", "burst").iloc[0]
    assert 8 < first["ratio"] < 12  # 200 a day against about 20
    assert events(frame, "#metoo", "onset").iloc[0]["p_value"] < 1e-10


def test_steady_tag_has_no_onset_and_no_burst(burst_store):
    frame = timeline(burst_store, tags=["#news"])
    assert events(frame, "#news", "onset").empty
    assert events(frame, "#news", "burst").empty


def test_default_series_follow_the_family(burst_store):
    analysis = TimelineAnalysis()
    frame = analysis.run(burst_store)
    assert set(frame["series"]) == {"#metoo", MOVEMENT}  # #news never co-occurs
    html = analysis.render(frame)
    assert "Kleinberg" in html and BURST_DAY.isoformat() in html
    spec = analysis.chart(frame)  # the daily chart, drawn by the report
    assert spec is not None and set(spec.series) == {MOVEMENT, "#metoo"}
    daily = frame.attrs["daily"]
    assert daily.loc[BURST_DAY, "#metoo"] == events(frame, "#metoo", "onset").iloc[0]["posts"]


def test_onset_needs_persistence():
    p = TimelineParams()
    spike = np.array([10] * 20 + [80] + [10] * 10)
    assert onset(spike, p) is None  # one day up is a spike, not an onset
    step = np.array([10] * 20 + [80] * 10)
    assert onset(step, p)[0] == 20
    fresh = np.array([0] * 12 + [30] * 8)  # a new tag: the baseline floor applies
    assert onset(fresh, p)[0] == 12


def test_kleinberg_levels_mark_the_raised_interval():
    counts = np.array([5] * 40 + [60] * 6 + [5] * 40)
    levels = kleinberg_levels(counts)
    assert (levels[40:46] >= 1).all()
    assert (levels[:40] == 0).all() and (levels[46:] == 0).all()
    assert kleinberg_levels(np.zeros(5)).tolist() == [0] * 5


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 500), min_size=1, max_size=60))
def test_levels_are_valid_states_for_any_counts(counts):
    levels = kleinberg_levels(np.array(counts), states=4)
    assert len(levels) == len(counts)
    assert levels.min() >= 0 and levels.max() <= 3


def test_empty_store_gives_empty_timeline(tmp_path):
    with Store(tmp_path / "e.duckdb") as store:
        frame = timeline(store)
    assert frame.empty


def test_cli_timeline(tmp_path, capsys):
    import json

    from groundswell.cli import main

    db = tmp_path / "cli.duckdb"
    with Store(db) as store:
        plant_burst(store)
    assert main(["timeline", "--db", str(db), "--tag", "#metoo", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    onsets = [r for r in out if r["kind"] == "onset" and r["series"] == "#metoo"]
    assert onsets[0]["start"] == BURST_DAY.isoformat()
    assert main(["timeline", "--db", str(db), "--tag", "#news"]) == 0
    assert "no onset or burst" in capsys.readouterr().out


def test_cli_timeline_tags_written_two_ways_are_one_series(tmp_path, capsys):
    """--tag '#MeToo' --tag '#metoo' is one series (the same tag twice crashed the onset test);
    a --tag that is no hashtag is a one-line error, not silently left out."""
    import json

    from groundswell.cli import main

    db = tmp_path / "cli.duckdb"
    with Store(db) as store:
        plant_burst(store)
    argv = ["timeline", "--db", str(db), "--json", "--tag", "#MeToo", "--tag", "#metoo"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    onsets = [r for r in out if r["kind"] == "onset" and r["series"] == "#metoo"]
    assert [r["start"] for r in onsets] == [BURST_DAY.isoformat()]
    for bad in ("", "#", "##"):
        assert main(["timeline", "--db", str(db), "--tag", "#metoo", "--tag", bad]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"{bad!r} is not a hashtag" in err


def test_runs_without_acts_table(tmp_path):
    with Store(tmp_path / "noacts.duckdb") as store:
        plant_burst(store)
        store.con.execute("DROP TABLE acts")
        frame = timeline(store)
    assert list(events(frame, "#metoo", "onset")["start"]) == [BURST_DAY]


def test_an_event_of_fewer_than_10_authors_is_withheld(tmp_path, capsys):
    """A tag of 3 authors bursting at 8 posts a day (asked for with --tag) was printed with its
    counts (posts 8, 32), in the CLI, the report and the dashboard's events, though every other
    output withholds a cell of fewer than 10 distinct authors; now they read < 10 / null."""
    import json

    from groundswell.cli import main
    from groundswell.serve import analyses

    w = Writer(seed=2)
    for day in range(40):
        for a in range(12):  # the movement: 12 authors a day, steady
            w.post(w.when(day), f"m{a}", ["#metoo"], "support")
        for k in range(8 if 30 <= day < 34 else (1 if day % 10 == 0 else 0)):
            w.post(w.when(day), f"side{k % 3}", ["#metoo", "#sidetag"], "testimony")
    db = tmp_path / "side.duckdb"
    with Store(db) as store:
        w.write(store)
        frame = timeline(store, tags=["#sidetag"])
        assert set(frame["authors"]) == {3}
        html = TimelineAnalysis(seed="#sidetag").render(frame)
        assert "&lt; 10" in html and ">32<" not in html and ">8<" not in html

        class Snap:
            def store(self):
                return store

        rows = analyses.timeline(Snap())  # the dashboard's events (the movement's family)
        assert rows
        for row in rows:
            assert row["authors"] is None or row["authors"] >= 10
            assert (row["posts"] is None) == ("posts" in row["suppressed"])
    assert main(["timeline", "--db", str(db), "--tag", "#sidetag", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {r["kind"] for r in out} == {"onset", "burst"}
    for row in out:
        assert row["posts"] is None and row["ratio"] is None and row["rate_per_day"] is None
        assert {"posts", "rate_per_day", "ratio", "p_value"} <= set(row["suppressed"])
    assert main(["timeline", "--db", str(db), "--tag", "#sidetag"]) == 0
    table = capsys.readouterr().out
    assert "< 10" in table and " 32 " not in table
    assert main(["timeline", "--db", str(db), "--tag", "#metoo", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert all(r["suppressed"] == [] and r["posts"] >= 10 for r in shown)
