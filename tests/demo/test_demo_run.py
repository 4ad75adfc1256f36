"""The demo end to end on a small corpus: files, store, report, and the movement's shape."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from groundswell.demo import run_demo, write_corpus
from groundswell.store import Store

POSTS = 3000


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    # the shipped student classifies at once; the teacher would take a minute on this CPU
    fast = {"model": "student", "distil": False}
    return run_demo(out, posts=POSTS, seed=11, progress=False, classify_options=fast)


@pytest.fixture(scope="module")
def con(demo):
    with Store(demo.store, read_only=True) as store:
        yield store.con


def _daily(con, tag: str) -> dict[date, int]:
    rows = con.execute(
        "SELECT CAST(created_at AS DATE), count(*) FROM posts "
        "WHERE list_contains(hashtags, ?) GROUP BY 1",
        [tag],
    ).fetchall()
    return dict(rows)


def test_report_is_written_and_offline(demo):
    page = demo.report.read_text(encoding="utf-8")
    assert demo.report == demo.out_dir / "report.html"
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    assert "@import" not in page and "url(" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?https?://""", page)


def test_synthetic_marked_everywhere(demo, con):
    page = demo.report.read_text(encoding="utf-8")
    assert 'class="synthetic-banner"' in page and "SYNTHETIC DATA" in page
    assert (demo.out_dir / "SYNTHETIC.txt").read_text().startswith("SYNTHETIC DATA")
    files = [p for p in (demo.out_dir / "corpus").rglob("*") if p.is_file()]
    assert files and all(p.name.startswith("SYNTHETIC-") for p in files)
    assert con.execute("SELECT bool_and(synthetic), count(*) FROM posts").fetchone() == (
        True,
        demo.ingest["stored"] - demo.ingest["articles"],
    )


def test_reconciliation_in_report_equals_ingest(demo):
    page = demo.report.read_text(encoding="utf-8")
    table = re.search(r'<table class="data recon">.*?</table>', page, re.S).group(0)
    cells = [c.replace(",", "") for c in re.findall(r"<td[^>]*>([^<]*)</td>", table)]
    ing = demo.ingest
    assert cells[1:7] == [
        str(ing["read"]),
        str(ing["stored"]),
        str(ing["duplicates"]),
        str(ing["reposts"]),
        str(ing["quarantined"]),
        "yes",
    ]
    assert ing["read"] == ing["stored"] + ing["duplicates"] + ing["reposts"] + ing["quarantined"]


def test_at_least_requested_posts_in_four_formats(demo, con):
    m = demo.manifest
    assert m.posts >= POSTS
    assert len([f for f, c in m.formats.items() if c["posts"] > 0]) >= 4
    read_formats = {f for f, n in demo.ingest["by_format"].items() if n and f != "article"}
    assert len(read_formats) >= 4
    assert con.execute("SELECT count(*) FROM posts").fetchone()[0] >= POSTS
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] >= 3


def test_real_readers_read_every_written_record(demo, con):
    stored = dict(con.execute("SELECT format, count(*) FROM posts GROUP BY format").fetchall())
    for fmt, counts in demo.manifest.formats.items():
        assert stored.get(fmt) == counts["posts"], fmt
        base = counts["posts"] + counts["duplicates"] + counts["bad_records"]
        # formats that embed a repost's original may yield it as well (then a duplicate)
        assert demo.ingest["by_format"][fmt] in (
            base + counts["reposts"],
            base + 2 * counts["reposts"],
        ), fmt


def test_bad_records_and_duplicates_show(demo, con):
    assert demo.ingest["quarantined"] >= 3
    reasons = [r[0] for r in con.execute("SELECT reason FROM quarantine").fetchall()]
    assert any("JSON" in r for r in reasons)
    assert demo.manifest.duplicates >= 1 and demo.ingest["duplicates"] >= demo.manifest.duplicates
    assert demo.ingest["reposts"] == demo.manifest.reposts


def test_onset_is_the_day_metoo_jumps(con):
    daily = _daily(con, "#metoo")
    start = date(2017, 10, 1)
    days = [start + timedelta(days=i) for i in range(60)]
    counts = [daily.get(d, 0) for d in days]
    jumps = [counts[i] - counts[i - 1] for i in range(1, len(counts))]
    assert days[1 + jumps.index(max(jumps))] == date(2017, 10, 15)
    onset = days.index(date(2017, 10, 15))
    before = sum(counts[:onset]) / onset
    assert counts[onset] > 10 * max(before, 1)


def test_spin_offs_follow_and_counter_tag_comes_later(con):
    def first_day(tag: str) -> date:
        return con.execute(
            "SELECT min(CAST(created_at AS DATE)) FROM posts WHERE list_contains(hashtags, ?)",
            [tag],
        ).fetchone()[0]

    onset = date(2017, 10, 15)
    spin = {t: first_day(t) for t in ("#itwasme", "#ihave", "#iwill", "#hetoo")}
    assert all(onset < d <= onset + timedelta(days=10) for d in spin.values()), spin
    assert first_day("#himtoo") > max(spin.values())
    backlash_words = con.execute(
        "SELECT avg(CASE WHEN regexp_matches(lower(text), 'witch hunt|due process|false "
        "accusations|gone too far|innocent until|hysteria|compliment|fair hearing|nobody cares')"
        " THEN 1 ELSE 0 END) FROM posts WHERE list_contains(hashtags, '#himtoo')"
    ).fetchone()[0]
    assert backlash_words > 0.5


def test_pile_on_is_planted(con, demo):
    handle = demo.manifest.pile_on["target"].lstrip("@")
    day = date.fromisoformat(demo.manifest.pile_on["day"])
    rows = con.execute(
        "SELECT CAST(created_at AS DATE) d, count(DISTINCT author) FROM posts "
        "WHERE list_contains(mentions, ?) GROUP BY d",
        [handle],
    ).fetchall()
    by_day = dict(rows)
    prior = [by_day.get(day - timedelta(days=i), 0) for i in range(1, 29)]
    assert by_day[day] >= 50
    assert by_day[day] >= 10 * max(sum(prior) / len(prior), 0.1)


def test_figures_have_attention_surges(con):
    # every alias form (full name, surname, @handle) contains the surname
    rows = dict(
        con.execute(
            "SELECT CAST(created_at AS DATE), count(DISTINCT author) FROM posts "
            "WHERE text ILIKE '%hollowell%' GROUP BY 1"
        ).fetchall()
    )
    allegation = date(2017, 11, 2)
    after = sum(rows.get(allegation + timedelta(days=i), 0) for i in range(3))
    before = sum(rows.get(allegation - timedelta(days=i), 0) for i in range(1, 6))
    assert after >= 8 and after > 4 * before


def test_no_author_ids_in_report(demo, con):
    page = demo.report.read_text(encoding="utf-8")
    authors = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT author FROM posts WHERE author IS NOT NULL LIMIT 200"
        ).fetchall()
    ]
    assert authors and not any(a in page for a in authors)
    assert "synth_" not in page


def test_same_seed_same_bytes(tmp_path):
    def digest(root: Path) -> dict[str, str]:
        return {
            str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    write_corpus(tmp_path / "a", posts=400, seed=5, probe=False)
    write_corpus(tmp_path / "b", posts=400, seed=5, probe=False)
    write_corpus(tmp_path / "c", posts=400, seed=6, probe=False)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")


def test_cli_demo_prints_report_path(tmp_path, capsys, monkeypatch):
    import json

    from groundswell.cli import main

    # the CLI is under test here, not the classifier (the module fixture runs a real one)
    monkeypatch.setattr("groundswell.classify.classify_store", lambda store, **kw: {})
    args = ["demo", "--out", str(tmp_path / "d"), "--posts", "500", "--seed", "3"]
    assert main(args) == 0
    captured = capsys.readouterr()
    out = captured.out.strip().splitlines()
    assert out[-1] == str(tmp_path / "d" / "report.html")
    assert Path(out[-1]).exists()
    assert "classify: done" in captured.err
    read = int(re.search(r"ingest: read ([\d,]+)", captured.err).group(1).replace(",", ""))
    # a second run into the same folder starts clean and reads exactly the same corpus
    assert main([*args, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ingest"]["read"] == read
    assert result["ingest"]["stored"] == result["corpus"]["posts"] + 4  # and the 4 articles
    assert set(result["seconds"]) == {"generate", "ingest", "classify", "analyze+report"}


@pytest.mark.parametrize("mine", ["store", "key", "report"])
def test_demo_never_removes_a_users_own_store_or_report(tmp_path, capsys, mine):
    """`groundswell demo --out .` in a folder that holds the user's own store (the default
    groundswell.duckdb), its key alone, or their report.html: refused, exit 2, nothing removed
    (the demo deleted them to start clean)."""
    from groundswell.cli import main
    from groundswell.store import ingest
    from gspaths import FIXTURES

    folder = tmp_path / "project"
    folder.mkdir()
    if mine == "report":
        (folder / "report.html").write_text("<html><body>my report</body></html>")
    else:
        with Store(folder / "groundswell.duckdb") as store:
            ingest([FIXTURES / "twitter_v2" / "pages.jsonl"], store, progress=False)
        if mine == "key":
            (folder / "groundswell.duckdb").unlink()
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert main(["demo", "--out", str(folder), "--posts", "200"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("groundswell: error: ") and err.count("\n") == 1
    assert "the demo did not write" in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_a_format_no_reader_claims_falls_back_to_twarc2(tmp_path, monkeypatch):
    import groundswell.demo.generator as generator

    real = generator.readable_formats

    def without_mastodon(names=None):
        out = real(names)
        out["mastodon"] = "no reader read 5 of 5 probe posts back"
        return out

    monkeypatch.setattr(generator, "readable_formats", without_mastodon)
    m = write_corpus(tmp_path, posts=500, seed=4)
    assert "mastodon" in m.fallback and "mastodon" not in m.formats
    assert not (tmp_path / "corpus" / "mastodon").exists()
    assert m.posts == 500
    assert m.formats["twitter_v2"]["posts"] > 0.4 * 500


def test_report_shows_acts_testimonies_and_every_analysis(demo):
    from groundswell.analyze.registry import analyses

    page = demo.report.read_text(encoding="utf-8")
    assert demo.classify == "done"
    acts = re.search(r'<section id="acts">.*?</section>', page, re.S).group(0)
    assert "Share of each speech act" in acts and "<svg" in acts
    testimony = re.search(r'<section id="testimony">.*?</section>', page, re.S).group(0)
    assert "95% CI" in testimony
    for name, cls in analyses().items():
        anchor = "analysis-" + re.sub(r"[^a-z0-9]+", "-", name.lower())
        assert f'id="{anchor}"' in page, name
        assert (cls.title or name) in page


def test_a_demo_store_left_empty_by_a_stopped_run_is_replaced(tmp_path):
    """A demo stopped before its ingest (Ctrl-C) leaves a store with no post: the next
    demo in that folder replaces it rather than refusing it as the user's own."""
    from groundswell.demo.run import _clear_previous

    folder = tmp_path / "groundswell-demo"
    folder.mkdir()
    with Store(folder / "groundswell.duckdb"):
        pass
    assert (folder / "groundswell.duckdb").exists()
    _clear_previous(folder)
    assert not (folder / "groundswell.duckdb").exists()
    assert not (folder / "groundswell.duckdb.key").exists()
