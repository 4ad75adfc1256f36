"""What the CLI shows: pinned tables on planted stores, no None/NaN cells, one JSON shape each."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from people_planted import alias_posts, attention_posts, background, private_posts, write_posts
from planted import plant_burst, plant_family, plant_pileons

from groundswell.cli import main
from groundswell.cli_output import cell, json_rows
from groundswell.store import Store

MISSING_WORDS = re.compile(r"\b(None|NaN|NaT|nan)\b|<NA>")


def _store(tmp_path, plant) -> str:
    db = tmp_path / "planted.duckdb"
    with Store(db) as store:
        plant(store)
    return str(db)


def _people_store(store) -> None:
    posts = background(40) + alias_posts() + private_posts(5)
    write_posts(store, posts + attention_posts({0: 12, 1: 3, 2: 20}))


def _run(capsys, *argv: str) -> tuple[str, str]:
    assert main(list(argv)) == 0
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_cells_read_as_a_person_reads_them():
    for missing in (None, float("nan"), np.nan, pd.NaT, pd.NA, ""):
        assert cell(missing) == "—"
    assert cell(1900) == "1,900"
    assert cell(np.int64(1234567)) == "1,234,567"
    assert cell(0.4937, "share_testimony") == "49.4%"
    assert cell(0.25, "hostile_share") == "25.0%"
    assert cell(2.0, "level") == "2"
    assert cell(21.142857) == "21.14"
    assert cell(1.0043e-119, "p_value") == "1e-119"
    assert cell(pd.Timestamp("2017-10-15")) == "2017-10-15"
    assert cell(date(2017, 10, 15)) == "2017-10-15"
    assert cell(datetime(2017, 9, 29, 20, 48, 13)) == "2017-09-29 20:48"
    assert cell("< 10") == "< 10"
    assert cell(True) == "yes"


def test_json_rows_use_null_and_name_the_suppressed_fields():
    frame = pd.DataFrame(
        {
            "tag": ["#a", "#b"],
            "authors": [12, "< 10"],
            "g2": [np.nan, "< 10"],
            "day": [pd.Timestamp("2017-10-15"), pd.NaT],
        }
    )
    assert json_rows(frame, suppression=True) == [
        {"tag": "#a", "authors": 12, "g2": None, "day": "2017-10-15", "suppressed": []},
        {"tag": "#b", "authors": None, "g2": None, "day": None, "suppressed": ["authors", "g2"]},
    ]
    assert "suppressed" not in json_rows(frame)[0]


def test_people_table_is_pinned(tmp_path, capsys):
    out, _ = _run(capsys, "people", "--db", _store(tmp_path, _people_store))
    assert out.splitlines() == [
        "parameters: min_authors 25, ner no, ner_limit 20,000",
        "person            kind         mentions  authors  persons  accused  accuser  commentator"
        "   first_day    peak_day  peak_authors",
        "Harvey Weinstein  executive          38       20        1       20     < 10         < 10"
        "  2017-10-15  2017-10-17            20",
        "Alyssa Milano     entertainer      < 10     < 10     < 10     < 10     < 10         < 10"
        "  2017-10-15  2017-10-15          < 10",
        "[private person]  —                < 10     < 10     < 10     < 10     < 10         < 10"
        "  2017-10-15           —          < 10",
    ]


def test_people_json_is_a_list_of_people_with_their_attention(tmp_path, capsys):
    out, err = _run(capsys, "people", "--db", _store(tmp_path, _people_store), "--json")
    assert err.startswith("parameters: min_authors 25")
    rows = json.loads(out)
    assert isinstance(rows, list) and all(isinstance(r, dict) for r in rows)
    by_person = {r["person"]: r for r in rows}
    hw = by_person["Harvey Weinstein"]
    assert (hw["authors"], hw["peak_day"], hw["suppressed"]) == (
        20,
        "2017-10-17",
        ["accuser", "commentator"],
    )
    assert hw["accuser"] is None
    assert hw["attention"] == [
        {"day": "2017-10-15", "authors": 12, "mentions": 13, "suppressed": []},
        {
            "day": "2017-10-16",
            "authors": None,
            "mentions": None,
            "suppressed": ["authors", "mentions"],
        },
        {"day": "2017-10-17", "authors": 20, "mentions": 21, "suppressed": []},
    ]
    private = by_person["[private person]"]
    assert private["kind"] is None and private["peak_day"] is None
    assert "authors" in private["suppressed"] and private["authors"] is None
    assert "< 10" not in out  # one way to say "withheld": null plus the suppressed list


def test_timeline_table_is_pinned(tmp_path, capsys):
    out, _ = _run(capsys, "timeline", "--db", _store(tmp_path, plant_burst), "--tag", "#metoo")
    assert out.splitlines() == [
        "series      kind        start         end  level  posts  rate_per_day  baseline_per_day"
        "  ratio  p_value",
        "(movement)  onset  2017-10-01           —      —    200           200             21.14"
        "   9.46   1e-119",
        "(movement)  burst  2017-10-01  2017-10-05      2  1,000           200             21.14"
        "   9.46        —",
        "#metoo      onset  2017-10-01           —      —    200           200             21.14"
        "   9.46   1e-119",
        "#metoo      burst  2017-10-01  2017-10-05      2  1,000           200             21.14"
        "   9.46        —",
    ]


@pytest.mark.parametrize(
    ("argv", "plant", "suppression"),
    [
        (["family", "#metoo"], plant_family, True),
        (["timeline", "--tag", "#metoo"], plant_burst, True),  # small events are withheld
        (["pileons"], plant_pileons, False),
    ],
)
def test_analysis_output_has_no_missing_words_and_json_is_rows(
    argv, plant, suppression, tmp_path, capsys
):
    db = _store(tmp_path, plant)
    out, _ = _run(capsys, *argv, "--db", db)
    assert out.strip() and not MISSING_WORDS.search(out), out
    out, _ = _run(capsys, *argv, "--db", db, "--json")
    rows = json.loads(out, parse_constant=lambda c: pytest.fail(f"not JSON: {c}"))
    assert rows and all(isinstance(r, dict) for r in rows)
    assert len({tuple(r) for r in rows}) == 1  # every row has the same fields, in order
    assert ("suppressed" in rows[0]) == suppression
    if suppression:
        assert all(isinstance(r["suppressed"], list) for r in rows)
    assert "< 10" not in out


def test_family_table_reads_shares_as_percentages_and_counts_with_separators(tmp_path, capsys):
    out, _ = _run(capsys, "family", "#metoo", "--db", _store(tmp_path, plant_family))
    lines = out.splitlines()
    assert lines[0].startswith("method: co-occurrence")
    metoo = next(line for line in lines if line.startswith("#metoo "))
    assert "1,900" in metoo and "49.4%" in metoo and "—" in metoo  # the seed has no g2
    assert "0.493684" not in out


def test_stats_are_lines_not_dicts(tmp_path, capsys):
    out, _ = _run(capsys, "stats", "--db", _store(tmp_path, plant_family))
    assert "{" not in out and not MISSING_WORDS.search(out)
    lines = out.splitlines()
    assert lines[0] == "posts        6,420"
    assert "first post   2017-09-01 00:04" in lines
    assert "synthetic    yes: generated demo data, not real posts" in lines
    assert "by platform:" in lines and "  twitter  6,420  100.0%" in lines
    assert "  other       2,735   42.6%" in lines  # raw act counts with their share


def test_stats_of_an_empty_store_show_dashes(tmp_path, capsys):
    out, _ = _run(capsys, "stats", "--db", _store(tmp_path, lambda store: None))
    assert "first post   —" in out and not MISSING_WORDS.search(out)
    assert "by platform" not in out
    out, _ = _run(capsys, "stats", "--db", _store(tmp_path, lambda store: None), "--json")
    data = json.loads(out)
    assert data["first_post"] is None and data["last_post"] is None  # null, not "None"


@pytest.mark.parametrize(
    ("columns", "argv", "plant", "seen"),
    [
        (200, ["timeline", "--tag", "#metoo"], plant_burst, "baseline_per_day"),  # one table
        (100, ["family", "#metoo"], plant_family, "│ share_testimony  │ 49.4%"),  # cards
    ],
)
def test_a_terminal_gets_rich_output_within_its_width(
    columns, argv, plant, seen, tmp_path, capsys, monkeypatch
):
    db = _store(tmp_path, plant)
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    out, _ = _run(capsys, *argv, "--db", db)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert all(len(line) <= columns for line in plain.splitlines())
    assert seen in plain and "#metoo" in plain and not MISSING_WORDS.search(plain)


UNSAFE_TAGS = ["#metoo\x1b[2J", "#\u202eootem", "#bell\x07"]


def _unsafe_tags(store) -> None:
    from datetime import UTC, timedelta

    from groundswell.schema import Post

    start = datetime(2017, 10, 15, tzinfo=UTC)
    store.write_batch(
        [
            Post(platform="twitter", id=str(i), text="#MeToo me too", author=f"u{i % 30}",
                 created_at=start + timedelta(hours=i), hashtags=["#metoo", *UNSAFE_TAGS])
            for i in range(300)
        ]
        + [
            Post(platform="twitter", id=f"n{i}", text="#news today", author=f"n{i % 40}",
                 created_at=start + timedelta(hours=i), hashtags=["#news"])
            for i in range(700)
        ]
    )  # fmt: skip


@pytest.mark.parametrize("argv", [["family", "#metoo"], ["stats"]], ids=" ".join)
def test_tables_show_control_and_bidi_characters_as_escapes(tmp_path, capsys, argv):
    out, _ = _run(capsys, *argv, "--db", _store(tmp_path, _unsafe_tags))
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f\u202e]", out), repr(out)
    if argv[0] == "family":
        assert "#metoo\\u001b[2J" in out and "#\\u202eootem" in out


def test_printable_keeps_every_visible_character():
    from groundswell.cli_output import printable

    text = "#MeToo #YoTambién #我也是 #أنا_أيضا 🙋 tab"
    assert printable(text) == text
    assert printable("a\x1b[31mb\u2066c\r") == "a\\u001b[31mb\\u2066c\\u000d"


def test_a_time_column_never_mixes_days_and_times():
    frame = pd.DataFrame(
        {
            "day": pd.to_datetime(["2017-10-15", "2017-10-16"]),
            "window_start": pd.to_datetime(["2017-10-15 00:00", "2017-10-16 13:20"]),
        }
    )
    rows = json_rows(frame)
    assert [r["day"] for r in rows] == ["2017-10-15", "2017-10-16"]
    assert [r["window_start"] for r in rows] == ["2017-10-15T00:00:00", "2017-10-16T13:20:00"]
    with_gap = pd.DataFrame({"peak_day": [pd.Timestamp("2017-10-17"), pd.NaT]})
    assert [r["peak_day"] for r in json_rows(with_gap)] == ["2017-10-17", None]
