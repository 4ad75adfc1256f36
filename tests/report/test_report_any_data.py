"""The report reads well on any data: years of posts, a store without #metoo, care rules in the
example posts, tables that fit, one colour per tag, readable p-values, "< 10" hovers."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from groundswell.demo import write_corpus
from groundswell.report import build_report
from groundswell.report.axes import CHAR_PX
from groundswell.report.examples import clean_excerpt, example_posts
from groundswell.report.tables import CELL_CHARS, TOP_ROWS, fit_tables, readable_p
from groundswell.schema import Post
from groundswell.store import Store, ingest
from other_stores import blm_posts, spread_over_years

_TICK = re.compile(r'<text class="tick" x="([\d.]+)" y="[\d.]+" text-anchor="middle">([^<]+)<')


@pytest.fixture(scope="module")
def years_page(tmp_path_factory):
    """A demo-shaped store whose posts are spread over 2017-2023, classified by the shipped
    student model, and its report."""
    from groundswell import classify_store

    out = tmp_path_factory.mktemp("years")
    write_corpus(out, posts=600, seed=5, probe=False)
    with Store(out / "years.duckdb") as store:
        ingest([out / "corpus"], store, synthetic=True, progress=False)
        spread_over_years(store.con, 2500)
        classify_store(store, model="student")
        page = build_report(store, out / "report.html").read_text(encoding="utf-8")
        authors = [r[0] for r in store.con.execute("SELECT DISTINCT author FROM posts").fetchall()]
    return page, [a for a in authors if a]


@pytest.fixture(scope="module")
def blm_page(tmp_path_factory):
    """A store of #BlackLivesMatter posts only (no #metoo), classified, and its report."""
    from groundswell import classify_store

    out = tmp_path_factory.mktemp("blm")
    with Store(out / "blm.duckdb") as store:
        store.write_batch(blm_posts())
        classify_store(store, model="student")
        return build_report(store, out / "report.html").read_text(encoding="utf-8")


def _svgs(page: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", page, re.S)


def _ticks_never_overlap(page: str) -> None:
    for svg in _svgs(page):
        ticks = [(float(x), unescape(t)) for x, t in _TICK.findall(svg)]
        for (x1, t1), (x2, t2) in itertools.pairwise(ticks):
            assert x2 - x1 >= CHAR_PX * (len(t1) + len(t2)) / 2, (t1, t2)


def _tables_fit(page: str) -> None:
    tables = re.findall(r"(.{0,40})<table\b(.*?)</table>", page, re.S)
    assert tables
    for before, table in tables:
        assert before.endswith('<div class="table-wrap">')
        body = re.search(r"<tbody[^>]*>(.*?)</tbody>", table, re.S)
        if body:
            assert len(re.findall(r"<tr\b", body.group(1))) <= TOP_ROWS + 1
        for cell in re.findall(r"<td[^>]*>([^<]*)</td>", table):
            assert len(unescape(cell)) <= CELL_CHARS + 1


def _no_raw_numbers(page: str) -> None:
    text = re.sub(r"<[^>]+>", " ", page)
    assert not re.search(r"\d\.?\d*e-\d+", text)  # no 1.4e-231
    assert "(n=" not in page
    for title in re.findall(r"<title>([^<]*)</title>", page):
        for n in re.findall(r"peak ([\d,.]+)", title):
            assert float(n.replace(",", "")) >= 10, title


def _one_colour_per_tag(page: str) -> dict[str, str]:
    seen: dict[str, set[str]] = {}
    for svg in _svgs(page):
        for colour, tag in re.findall(r'stroke="(#[0-9A-Fa-f]{6})"[^>]*><title>(#\w+):', svg):
            seen.setdefault(tag, set()).add(colour)
        legend = re.findall(r'fill="(#[0-9A-Fa-f]{6})"/><text x="[\d.]+" y="[\d.]+">(#\w+)<', svg)
        for colour, tag in legend:
            seen.setdefault(tag, set()).add(colour)
    assert seen
    assert all(len(c) == 1 for c in seen.values()), seen
    return {t: next(iter(c)) for t, c in seen.items()}


def test_years_of_posts_read_well(years_page):
    page, authors = years_page
    assert 'class="error"' not in page
    ticks = [unescape(t) for svg in _svgs(page) for _, t in _TICK.findall(svg)]
    assert ticks and not any(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2}( \d{4})?", t) for t in ticks)
    assert {"2018", "2020", "2022"} <= set(ticks) or "Jan 2020" in ticks
    assert "posts per month" in page  # six years are counted by month, not drawn by day
    _ticks_never_overlap(page)
    _tables_fit(page)
    _no_raw_numbers(page)
    colours = _one_colour_per_tag(page)
    assert colours.get("#metoo") == "#0072B2"  # the seed has the first colour
    assert not any(a in page for a in authors)


def test_years_report_explains_itself(years_page):
    page, _ = years_page
    acts = re.search(r'<section id="acts">.*?</section>', page, re.S).group(0)
    assert "<dt>testimony</dt>" in acts and "<dt>backlash</dt>" in acts
    assert "Acts from the student model (version" in acts and "macro-F1" in acts
    assert '<blockquote class="example">' in acts
    assert "Not quoted: these are first-person disclosures" in acts
    testimony = re.search(r"<h4>testimony</h4>(.*?)</div>", acts, re.S).group(1)
    assert "<blockquote" not in testimony
    assert '<section id="glossary">' in page and "Wilson interval" in page
    for anchor in ("family", "timeline", "pileons", "people"):
        art = re.search(
            rf'<article class="analysis" id="analysis-{anchor}">.*?</article>', page, re.S
        )
        body = art.group(0)
        assert '<p class="intro">' in body
        # parameters folded away, after the result
        assert '<details class="method"><summary>Method details</summary>' in body
        assert body.index('<p class="intro">') < body.index("<details")


def test_a_store_without_metoo(blm_page):
    page = blm_page
    assert "Movement: <strong>#blacklivesmatter</strong>" in page
    assert "Nothing found for long-form articles: stance and claims in this store." in page
    assert 'class="error"' not in page
    assert "#metoo" not in page.replace("#MeToo", "")
    _ticks_never_overlap(page)
    _tables_fit(page)
    _no_raw_numbers(page)
    colours = _one_colour_per_tag(page)
    assert colours["#blacklivesmatter"] == "#0072B2"
    ticks = [unescape(t) for svg in _svgs(page) for _, t in _TICK.findall(svg)]
    assert "Jun 2020" in ticks or "1 Jun" in ticks or "8 Jun" in ticks


def test_examples_follow_the_care_rules(tmp_path):
    text = (
        "Thank you Jane Marlowe for speaking up, write to help@example.org or call "
        "555-123-4567, @friend_1 see https://twitter.com/someone/status/1 #MeToo"
    )
    shown = clean_excerpt(text)
    for secret in ("Marlowe", "example.org", "4567", "friend_1", "twitter.com"):
        assert secret not in shown
    assert "[private person]" in shown and "[email]" in shown and "[link]" in shown
    assert len(clean_excerpt("word " * 200)) <= 200

    posts = [
        Post(
            platform="twitter",
            id=f"s{i}",
            text=f"I believe you, so proud of all of you speaking up today, number {i} #MeToo",
            created_at=datetime(2018, 3, 1, tzinfo=UTC) + timedelta(hours=i),
            author=f"supporter{i}",
            hashtags=["#metoo"],
        )
        for i in range(30)
    ]
    with Store(tmp_path / "care.duckdb") as store:
        store.write_batch(posts)
        con = store.con
        con.execute(
            "CREATE TABLE acts (platform VARCHAR, id VARCHAR, model VARCHAR, version VARCHAR, "
            "act VARCHAR, scores VARCHAR, classified_at TIMESTAMP)"
        )
        con.execute(
            "INSERT INTO acts SELECT platform, id, 'm', '1', "
            "CASE WHEN id < 's2' THEN 'testimony' ELSE 'support' END, "
            "'{\"support\": 0.9}', now()::TIMESTAMP FROM posts"
        )
        all_authors = [r[0] for r in con.execute("SELECT author FROM posts ORDER BY id").fetchall()]
        store.record_forgotten("author", all_authors[2:])  # every support author but 2
        assert example_posts(con) == {}  # 2 authors left: under 10, nothing is quoted
        con.execute("DELETE FROM forgotten")
        shown = example_posts(con)
    assert set(shown) == {"support"} and len(shown["support"]) == 3


def test_readable_p_values_and_fitted_fragments():
    assert readable_p(1.4e-231) == "< 0.001"
    assert readable_p(0.0123) == "0.012"
    assert readable_p(0.5) == "0.5"
    assert readable_p(None) == "" and readable_p(float("nan")) == ""
    rows = "".join(f"<tr><td>{i}</td><td>{'x' * 200}</td></tr>" for i in range(40))
    head = "<thead><tr><th>a</th><th>b</th></tr></thead>"
    fragment = f"<p>t</p><table class='data'>{head}<tbody>{rows}</tbody></table>"
    fitted = fit_tables(fragment)
    assert fitted.startswith('<p>t</p><div class="table-wrap"><table')
    assert fitted.count("<tr>") == TOP_ROWS + 1
    assert "and 25 more rows" in fitted
    assert "and 185 more rows" in fit_tables(fragment, total=200)  # rendered 40 of 200
    headers = fit_tables(
        "<table><thead><tr><th>p_value</th><th>share_backlash</th></tr></thead></table>"
    )
    assert "<th>p</th><th>% backlash</th>" in headers
    assert "x" * (CELL_CHARS + 1) not in fitted.split("title=")[0]


def test_one_day_with_undated_posts_reports_without_error_boxes(tmp_path):
    posts = [
        Post(
            platform="twitter",
            id=str(i),
            text=f"#MeToo I believe you {i}",
            created_at=datetime(2017, 10, 15, i % 24, tzinfo=UTC) if i < 60 else None,
            author=f"a{i % 30}",
            hashtags=["#metoo"],
        )
        for i in range(63)
    ]
    with Store(tmp_path / "one.duckdb") as store:
        store.write_batch(posts)
        store.con.execute("CREATE TABLE acts AS SELECT platform, id, 'support' AS act FROM posts")
        page = build_report(store, tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'class="error"' not in page
    assert "15 Oct 2017" in [unescape(t) for svg in _svgs(page) for _, t in _TICK.findall(svg)]
    assert "None shown: fewer than 10 distinct authors, or no post of a length to quote" in page
    _tables_fit(page)
    _no_raw_numbers(page)
