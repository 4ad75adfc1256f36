"""The static report: golden section structure, care rules, acts and testimony shares, analyses."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from chart_points import line_charts, scale, values
from groundswell.analyze.registry import Analysis, LineChart, Params
from groundswell.demo import write_corpus
from groundswell.report import build_report
from groundswell.report.queries import wilson
from groundswell.schema import Post
from groundswell.store import Store, ingest

GOLDEN_H2 = [
    "Overview",
    "Ingest reconciliation",
    "Quarantine",
    "Posts over time by tag",
    "Top hashtags",
    "Speech acts over time",
    "What testimonies describe",
    "Analyses",
    "Glossary",
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    write_corpus(out, posts=600, seed=21, probe=False)
    return out / "corpus"


@pytest.fixture
def demo_store(tmp_path, corpus):
    with Store(tmp_path / "r.duckdb") as store:
        ingest([corpus], store, synthetic=True, progress=False)
        yield store


def _h2(page: str) -> list[str]:
    return re.findall(r"<h2[^>]*>([^<]*)</h2>", page)


def _section(page: str, anchor: str) -> str:
    return re.search(rf'<section id="{anchor}">.*?</section>', page, re.S).group(0)


def test_golden_structure_without_labels(demo_store, tmp_path):
    page = build_report(demo_store, tmp_path / "report.html").read_text(encoding="utf-8")
    assert _h2(page) == GOLDEN_H2
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert "not classified yet" in _section(page, "acts")
    overview = _section(page, "overview")
    assert "<h3>Long-form articles</h3>" in overview
    assert "Power in numbers: what the flood of #MeToo posts tells us" in overview
    assert page.count("<svg") >= 1
    # the quarantine shows reasons and counts, never raw bytes
    quarantine = _section(page, "quarantine")
    assert "invalid JSON" in quarantine
    raw = demo_store.con.execute("SELECT raw FROM quarantine LIMIT 1").fetchone()[0]
    assert raw.decode(errors="replace")[:30] not in page


def _label(store: Store, physical: int = 10, verbal: int = 30, assault: int = 3) -> None:
    """Acts for every post (by a rule the test can recount) and 40 labelled testimonies."""
    con = store.con
    con.execute(
        "CREATE TABLE acts AS SELECT platform, id, CASE "
        "WHEN text ILIKE '%witch hunt%' OR text ILIKE '%due process%' THEN 'backlash' "
        "WHEN text ILIKE '%me too%' THEN 'testimony' ELSE 'support' END AS act "
        "FROM posts"
    )
    picked = con.execute(
        "SELECT platform, id FROM posts WHERE author IS NOT NULL "
        "QUALIFY row_number() OVER (PARTITION BY author ORDER BY id) = 1 ORDER BY id LIMIT 40"
    ).fetchall()
    assert len(picked) == 40
    con.execute(
        "CREATE TABLE testimony (platform VARCHAR, id VARCHAR, harm VARCHAR[], "
        "relation VARCHAR, setting VARCHAR)"
    )
    rows = []
    for i, (platform, pid) in enumerate(picked):
        harm = ["physical"] if i < physical else ["verbal"]
        if i < assault:
            harm = [*harm, "assault"]
        rows.append(
            (platform, pid, harm, "boss" if i % 2 else "stranger", "work" if i % 2 else "street")
        )
    con.executemany("INSERT INTO testimony VALUES (?, ?, ?, ?, ?)", rows)
    con.execute(
        "UPDATE acts SET act = 'testimony' FROM testimony t "
        "WHERE acts.platform = t.platform AND acts.id = t.id"
    )


def test_acts_mix_matches_the_store(demo_store, tmp_path):
    _label(demo_store)
    page = build_report(demo_store, tmp_path / "report.html").read_text(encoding="utf-8")
    assert _h2(page) == GOLDEN_H2
    acts = _section(page, "acts")
    assert "<svg" in acts and "Share of each speech act" in acts
    counts = dict(demo_store.con.execute("SELECT act, count(*) FROM acts GROUP BY act").fetchall())
    total = sum(counts.values())
    for act, n in counts.items():
        row = re.search(rf"<tr><td>{act}</td>(.*?)</tr>", acts).group(1)
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
        assert cells[0].replace(",", "") == str(n)
        assert cells[2] == f"{n / total:.1%}"
    assert "<h3>Act mix by hashtag</h3>" in acts
    metoo = re.search(r"<tr><td>#metoo</td>(.*?)</tr>", acts).group(1)
    shares = [c for c in re.findall(r"<td[^>]*>([^<]*)</td>", metoo)[2:]]
    numeric = [float(c.rstrip("%")) for c in shares if c != "&lt; 10"]
    assert all(c.endswith("%") or c == "&lt; 10" for c in shares)
    if len(numeric) == len(shares):
        assert abs(sum(numeric) - 100) < 0.5
    else:
        assert sum(numeric) < 100.5


def test_testimony_shares_with_wilson_intervals(demo_store, tmp_path):
    _label(demo_store)
    page = build_report(demo_store, tmp_path / "report.html").read_text(encoding="utf-8")
    section = _section(page, "testimony")
    assert "40 testimonies" in section
    physical = re.search(r"<tr><td>physical</td>(.*?)</tr>", section).group(1)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", physical)
    # 10 of 40: 25.0%, Wilson 95% interval 14.2% to 40.2% (textbook value)
    assert cells == ["10", "10", "25.0%", "14.2% to 40.2%"]
    # three testimonies by three authors: the cell is suppressed
    assault = re.search(r"<tr><td>assault</td>(.*?)</tr>", section).group(1)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", assault) == ["&lt; 10"] * 4
    for label in ("boss", "stranger", "work", "street"):
        assert f"<td>{label}</td>" in section


def test_wilson_interval_edges():
    assert wilson(0, 20)[0] == 0.0
    assert wilson(20, 20)[1] == pytest.approx(1.0)
    lo, hi = wilson(10, 40)
    assert lo == pytest.approx(0.1419, abs=1e-4) and hi == pytest.approx(0.4019, abs=1e-4)
    assert wilson(0, 0) == (0.0, 0.0)


def test_small_tag_cells_are_suppressed(demo_store, tmp_path):
    base = datetime(2017, 11, 1, tzinfo=UTC)
    posts = [
        Post(
            platform="twitter",
            id=f"rare{i}",
            text=f"#RareTag post {i}",
            created_at=base + timedelta(hours=i),
            author=f"few{i % 3}",
            hashtags=["#raretag"],
        )
        for i in range(200)
    ]
    demo_store.write_batch(posts, synthetic=True)
    page = build_report(demo_store, tmp_path / "report.html").read_text(encoding="utf-8")
    tags = _section(page, "top-tags")
    row = re.search(r"<tr><td>#raretag</td>(.*?)</tr>", tags).group(1)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    assert cells[0] == cells[1] == "&lt; 10"
    assert cells[2:] == ["&lt; 10"] * 3  # nor when its few people started or peaked
    assert "2017-11-01" not in row
    authors = [
        r[0]
        for r in demo_store.con.execute(
            "SELECT DISTINCT author FROM posts WHERE author IS NOT NULL"
        ).fetchall()
    ]
    assert not any(a in page for a in authors)


class _GoodParams(Params):
    pass


class Good(Analysis):
    name = "good"
    title = "A planted good analysis"

    def compute(self, store):
        return pd.DataFrame({"tag": ["#metoo"], "posts": [3]})

    def chart(self, frame):
        return LineChart(
            [date(2017, 10, 15), date(2017, 10, 16)],
            {"#planted": [1.0, 5.0]},
            title="A planted chart",
        )

    def render(self, frame):
        return (
            "<h2>A planted good analysis</h2><h3>Its own sub-heading</h3>"
            "<p>good result</p><script src='https://cdn.example/x.js'></script>"
            "<p>by u_0123456789abcdef0123</p>"
        )


class Broken(Analysis):
    name = "broken"
    title = "A planted broken analysis"

    def compute(self, store):
        raise ValueError("planted failure for the test")


def test_each_analysis_has_a_section_and_failures_stay_inside(demo_store, tmp_path, monkeypatch):
    monkeypatch.setattr(
        "groundswell.analyze.registry.BUILTIN_ANALYSES",
        {
            "good": f"{__name__}:Good",
            "broken": f"{__name__}:Broken",
            "missing": "groundswell.no_such_module:Analysis",
        },
    )
    page = build_report(demo_store, tmp_path / "report.html").read_text(encoding="utf-8")
    analyses = _section(page, "analyses")
    assert "A planted good analysis" in analyses and "good result" in analyses
    assert "planted failure for the test" in analyses and 'class="error"' in analyses
    assert "no_such_module" in analyses  # a plug-in that cannot load is shown, not fatal
    assert "A planted chart" in analyses and "<svg" in analyses  # the report draws the chart
    assert "Parameters" in analyses
    assert "<script" not in page and "u_0123456789abcdef0123" not in page
    assert _h2(page) == GOLDEN_H2  # a broken analysis does not break the report
    # its repeated title is dropped and its own headings sit below the report's
    assert analyses.count("A planted good analysis") == 1
    assert "<h4>Its own sub-heading</h4>" in analyses


def test_no_banner_without_synthetic_posts(tmp_path):
    with Store(tmp_path / "real.duckdb") as store:
        store.write_batch(
            [
                Post(
                    platform="twitter",
                    id="1",
                    text="#MeToo me too",
                    created_at=datetime(2017, 10, 15, tzinfo=UTC),
                    author="a",
                    hashtags=["#metoo"],
                )
            ]
        )
        page = build_report(store, tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'class="synthetic-banner"' not in page and "SYNTHETIC" not in page
    assert _h2(page) == GOLDEN_H2
    assert "No ingest run is recorded" in page


def test_cli_report(demo_store, tmp_path, capsys):
    from groundswell.cli import main

    db = demo_store.path
    demo_store.close()
    out = tmp_path / "cli.html"
    assert main(["report", "--db", str(db), "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert _h2(out.read_text(encoding="utf-8")) == GOLDEN_H2


def test_cli_report_on_missing_store_fails_without_creating_it(tmp_path, capsys):
    from groundswell.cli import main

    db = tmp_path / "missing.duckdb"
    assert main(["report", "--db", str(db), "--out", str(tmp_path / "r.html")]) == 3
    assert "no such store" in capsys.readouterr().err
    assert not db.exists() and not (tmp_path / "r.html").exists()


def test_act_mix_cells_of_few_authors_are_suppressed(tmp_path):
    base = datetime(2017, 10, 20, tzinfo=UTC)
    posts = [
        Post(
            platform="twitter",
            id=f"s{i}",
            text="I believe you #Mixed",
            created_at=base + timedelta(minutes=i),
            author=f"many{i % 50}",
            hashtags=["#mixed"],
        )
        for i in range(200)
    ] + [
        Post(
            platform="twitter",
            id=f"b{i}",
            text="witch hunt #Mixed",
            created_at=base + timedelta(minutes=i),
            author=f"few{i % 2}",
            hashtags=["#mixed"],
        )
        for i in range(5)
    ]
    with Store(tmp_path / "m.duckdb") as store:
        store.write_batch(posts, synthetic=False)
        store.con.execute(
            "CREATE TABLE acts AS SELECT platform, id, CASE WHEN id LIKE 'b%' "
            "THEN 'backlash' ELSE 'support' END AS act FROM posts"
        )
        page = build_report(store, tmp_path / "report.html").read_text(encoding="utf-8")
    acts = _section(page, "acts")
    head = re.search(r"Act mix by hashtag.*?<thead><tr>(.*?)</tr>", acts, re.S).group(1)
    columns = re.findall(r"<th>([^<]*)</th>", head)
    row = re.search(r"<tr><td>#mixed</td>(.*?)</tr>", acts.split("Act mix by hashtag")[1])
    cells = dict(zip(columns[1:], re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1)), strict=True))
    assert cells["backlash"] == "&lt; 10"
    # support's share was 97.6%: 100% less it gave backlash's away, so it is withheld too
    assert cells["support"] == "withheld"
    assert cells["posts"] == "205" and cells["distinct authors"] == "52"


def test_a_platform_of_fewer_than_10_authors_reads_under_10(tmp_path):
    """The overview's posts-per-platform table showed 2,000 posts for a platform of one author
    (and of 3), where `stats` and the dashboard withhold the cell; now it reads < 10."""
    posts = [
        Post(
            platform="twitter" if i % 2 else "reddit",
            id=str(i),
            text="#MeToo me too",
            created_at=datetime(2017, 10, 15, tzinfo=UTC) + timedelta(minutes=i),
            author=f"a{i % 24}" if i % 2 else f"r{i % 3}",
            hashtags=["#metoo"],
        )
        for i in range(2_000)
    ]
    with Store(tmp_path / "few.duckdb") as store:
        store.write_batch(posts)
        page = build_report(store, tmp_path / "report.html").read_text(encoding="utf-8")
    overview = _section(page, "overview")
    # twitter's 1,000 is withheld too: beside the total of 2,000 it gave reddit's 1,000 away
    assert re.search(r"<td>twitter</td><td[^>]*>withheld</td>", overview)
    assert re.search(r"<td>reddit</td><td[^>]*>&lt; 10</td>", overview)
    assert ">2,000<" in overview


def test_the_totals_of_a_store_of_few_authors_read_under_ten(tmp_path):
    """A store whose posts come from fewer than 10 distinct authors: the overview's post and
    author totals read "< 10", as its platform rows do and the dashboard's overview does (the
    total of one platform gave away the count its row withholds)."""
    posts = [
        Post(platform="twitter", id=str(i), text=f"I believe her #MeToo {i}",
             created_at=datetime(2017, 10, 15, tzinfo=UTC) + timedelta(hours=i),
             author=f"few{i % 3}", hashtags=["#metoo"])
        for i in range(7)
    ]  # fmt: skip
    with Store(tmp_path / "few.duckdb") as store:
        store.write_batch(posts)
        page = build_report(store, tmp_path / "report.html").read_text(encoding="utf-8")
    tiles = dict(
        (label, value)
        for value, label in re.findall(
            r'<div class="tile"><span class="big">([^<]*)</span>([^<]*)</div>',
            _section(page, "overview"),
        )
    )
    assert tiles["posts"] == tiles["distinct authors"] == "&lt; 10"
    assert tiles["reposts"] == "0"
    with Store(tmp_path / "many.duckdb") as store:
        store.write_batch(
            [Post(platform="twitter", id=f"m{i}", text="me too #MeToo", author=f"a{i}",
                  created_at=datetime(2017, 10, 16, tzinfo=UTC)) for i in range(12)]
        )  # fmt: skip
        page = build_report(store, tmp_path / "many.html").read_text(encoding="utf-8")
    assert '<span class="big">12</span>posts' in page
    assert '<span class="big">12</span>distinct authors' in page


def _tag_posts(tag: str, day: date, authors: list[str], each: int = 1) -> list[Post]:
    """``each`` posts with ``tag`` by each of ``authors`` on ``day``."""
    at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    return [
        Post(platform="twitter", id=f"{tag}-{day}-{a}-{k}", text=f"me too {tag} {k}",
             created_at=at + timedelta(minutes=k), author=a, hashtags=[tag])
        for a in authors for k in range(each)
    ]  # fmt: skip


def test_a_day_of_3_authors_is_not_drawn_in_the_report_charts(tmp_path):
    """A review read a small count off the report's line chart: a day of 3 posts by 3 authors
    was drawn at its true height (only its hover read "< 10"). No line chart of the report (the
    tags' and the timeline analysis') draws it or scales by it, nor a day of 120 posts by 4."""
    d0 = date(2017, 10, 1)
    many = [f"a{i}" for i in range(12)]
    posts = []
    for i in range(30):
        if i == 10:
            posts += _tag_posts("#metoo", d0 + timedelta(days=i), ["x1", "x2", "x3"])
        elif i == 20:
            posts += _tag_posts("#metoo", d0 + timedelta(days=i), many[:4], each=30)
        else:
            posts += _tag_posts("#metoo", d0 + timedelta(days=i), many)
    with Store(tmp_path / "few.duckdb") as store:
        store.write_batch(posts)
        page = build_report(store, tmp_path / "report.html").read_text(encoding="utf-8")
    svgs = line_charts(page)
    assert len(svgs) == 2  # the tags' chart, and the timeline's (#metoo and the movement)
    assert line_charts(_section(page, "tags-per-day"))
    for svg in svgs:
        assert not any(abs(v - 3) < 0.5 or abs(v - 120) < 0.5 for v in values(svg))
        _, ticks = scale(svg)
        assert max(ticks) == 20  # from the days of 12 posts, not 120's 200
        assert "#metoo on 2017-10-11: withheld (&lt; 10 distinct authors)" in svg
        assert "#metoo on 2017-10-21: withheld (&lt; 10 distinct authors)" in svg


def test_a_week_of_3_authors_is_not_drawn_in_the_report_charts(tmp_path):
    """Over more than a year the report's charts count by week: a week's point stands on the
    week's distinct authors. The same 3 people posting every day of a week (3 distinct authors
    a day, 21 summed, 210 posts) are withheld; 35 people, 5 a day, are drawn."""
    monday = date(2017, 1, 2)
    many = [f"a{i}" for i in range(12)]
    posts = []
    for w in range(60):
        start = monday + timedelta(weeks=w)
        if w == 5:
            for i in range(7):
                posts += _tag_posts("#metoo", start + timedelta(days=i), ["x1", "x2", "x3"], 10)
        elif w == 9:
            for i in range(7):
                people = [f"p{5 * i + k}" for k in range(5)]
                posts += _tag_posts("#metoo", start + timedelta(days=i), people)
        else:
            posts += _tag_posts("#metoo", start, many)
    with Store(tmp_path / "weeks.duckdb") as store:
        store.write_batch(posts)
        page = build_report(store, tmp_path / "report.html").read_text(encoding="utf-8")
    svgs = line_charts(page)
    assert len(svgs) == 2 and all("posts per week" in svg for svg in svgs)
    for svg in svgs:
        shown = values(svg)
        assert not any(abs(v - 210) < 0.5 for v in shown)
        assert any(abs(v - 35) < 0.5 for v in shown)
        _, ticks = scale(svg)
        assert max(ticks) == 50  # from the week of 35 people, not the 210 posts of 3
        assert "#metoo in the week of 6 Feb 2017: withheld" in svg
