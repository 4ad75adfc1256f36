"""The report follows any movement: the seed given with --seed, else the store's dominant tag,
and plain "not enough data" notes (never an error box) where an analysis has too little."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from analyze.planted import plant_filtered
from groundswell.report import build_report
from groundswell.schema import Post
from groundswell.store import Store


@pytest.fixture(scope="module")
def niunamenos(tmp_path_factory):
    """A hashtag-filtered #niunamenos collection (no #metoo at all), with planted acts."""
    db = tmp_path_factory.mktemp("nium") / "n.duckdb"
    with Store(db) as store:
        plant_filtered(store, seed_tag="#niunamenos")
    return db


def _article(page: str, name: str) -> str:
    return re.search(rf'<article class="analysis" id="analysis-{name}">.*?</article>', page, re.S)[
        0
    ]


def _row(fragment: str, tag: str) -> list[str]:
    return re.findall(
        r"<td>([^<]*)</td>", re.search(rf"<tr>\s*<td>{tag}</td>.*?</tr>", fragment, re.S)[0]
    )


def test_dominant_tag_is_the_seed_and_named(niunamenos, tmp_path):
    with Store(niunamenos) as store:
        page = build_report(store, tmp_path / "r.html").read_text(encoding="utf-8")
    seed = re.search(r'<p class="meta" id="seed">(.*?)</p>', page)[1]
    assert "<strong>#niunamenos</strong>" in seed and "most used hashtag, on 95%" in seed
    assert 'class="error"' not in page and "#metoo" not in page
    family = _article(page, "family")
    assert "Membership by within-collection" in family
    assert _row(family, "#itwasme")[1] == "spin-off" and _row(family, "#himtoo")[1] == "counter"
    assert "<code>seed</code> = #niunamenos" in _article(page, "timeline")


def test_a_seed_the_store_lacks_says_not_enough_data(niunamenos, tmp_path):
    with Store(niunamenos) as store:
        page = build_report(store, tmp_path / "r.html", seed="#MeToo").read_text(encoding="utf-8")
    assert "(given with --seed)" in page
    family = _article(page, "family")
    assert (
        "Not enough data for the hashtag family because no post in the store carries #metoo."
        in family
    )
    assert 'class="error"' not in page


def test_a_store_without_hashtags_reports_without_error_boxes(tmp_path):
    posts = [
        Post(
            platform="twitter",
            id=str(i),
            text="ni una menos",
            created_at=datetime(2016, 10, 19, tzinfo=UTC),
            author=f"a{i}",
        )
        for i in range(3)
    ]
    with Store(tmp_path / "plain.duckdb") as store:
        store.write_batch(posts)
        page = build_report(store, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Movement: none (no post in the store carries a hashtag)" in page
    assert 'class="error"' not in page
    assert (
        "Not enough data for hashtag family because no post in the store carries a hashtag" in page
    )


def test_cli_report_seed(niunamenos, tmp_path, capsys):
    from groundswell.cli import main

    out = tmp_path / "cli.html"
    assert (
        main(["report", "--db", str(niunamenos), "--out", str(out), "--seed", "#NiUnaMenos"]) == 0
    )
    page = out.read_text(encoding="utf-8")
    assert "<strong>#niunamenos</strong> (given with --seed)" in page
    assert main(["report", "--db", str(niunamenos), "--out", str(out), "--seed", "#"]) == 2
    assert "not a hashtag" in capsys.readouterr().err
