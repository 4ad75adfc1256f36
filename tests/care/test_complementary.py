"""Secondary suppression (CODEBOOK section 7): beside a total, a lone "< 10" cell is not the
total less the cells shown. A store of 27 posts (twitter 24 by 24 authors, reddit 3 by one)
printed twitter 24 beside a total of 27 in `stats`, the report and the dashboard, giving
reddit's 3 away."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundswell.cli import main
from groundswell.schema import Post
from groundswell.store import Store


def _posts(reddit_authors: int = 1) -> list[Post]:
    base = datetime(2018, 1, 1, tzinfo=UTC)
    posts = [
        Post(platform="twitter", id=f"t{i}", text="I believe you #MeToo", author=f"a{i}",
             created_at=base + timedelta(hours=i), hashtags=["#metoo"])
        for i in range(24)
    ]  # fmt: skip
    posts += [
        Post(platform="reddit", id=f"r{i}", text="witch hunt #MeToo",
             author=f"lonely{i % reddit_authors}", created_at=base + timedelta(hours=i),
             hashtags=["#metoo"])
        for i in range(3)
    ]  # fmt: skip
    return posts


@pytest.fixture
def store_27(tmp_path):
    """twitter 24 posts (24 authors, support), reddit 3 (one author, backlash), acts set."""
    db = tmp_path / "s.duckdb"
    with Store(db) as store:
        store.write_batch(_posts(), synthetic=False)
        store.con.execute(
            "CREATE TABLE acts AS SELECT platform, id, CASE WHEN platform = 'reddit' "
            "THEN 'backlash' ELSE 'support' END AS act FROM posts"
        )
    return db


def test_a_lone_small_cell_takes_the_smallest_other_with_it():
    from groundswell.care import complementary_cells

    assert complementary_cells([24, 3], [False, True]) == {0}
    assert complementary_cells([50, 12, 3], [False, False, True]) == {1}
    assert complementary_cells([50, 12, 3, 4], [False, False, True, True]) == set()
    assert complementary_cells([50, 1, 1], [False, True, True]) == {0}  # 1 and 1: both known
    assert complementary_cells([50, 0, 3], [False, False, True]) == {0}  # 0 is no cover
    assert complementary_cells([50, 20], [False, False]) == set()
    # items in no cell (a label left blank) hide a small cell as a withheld one would
    assert complementary_cells([30, 3], [False, True], unshown=7) == set()
    assert complementary_cells([30, 1], [False, True], unshown=1) == {0}  # 1 and 1: known


@given(st.lists(st.tuples(st.integers(0, 60), st.booleans()), min_size=1, max_size=8))
def test_no_withheld_cell_is_the_total_less_the_shown(cells):
    from groundswell.care.suppress import complementary_cells, recoverable

    counts = [n for n, _ in cells]
    small = [s and n > 0 for n, s in cells]
    extra = complementary_cells(counts, small)
    assert not any(small[i] for i in extra) and all(counts[i] for i in extra)
    hidden = [n for i, n in enumerate(counts) if small[i] or i in extra]
    shown_left = [n for i, n in enumerate(counts) if n and not (small[i] or i in extra)]
    assert not hidden or not recoverable(hidden) or not shown_left


def test_stats_withholds_the_cell_that_gives_a_small_one_away(store_27, capsys):
    assert main(["stats", "--db", str(store_27), "--json"]) == 0
    st_ = json.loads(capsys.readouterr().out)
    assert st_["posts"] == 27
    assert st_["by_platform"] == {"twitter": None, "reddit": None}
    assert st_["acts"] == {"support": None, "backlash": None}
    assert set(st_["withheld"]) == {"by_platform.twitter", "acts.support"}
    assert main(["stats", "--db", str(store_27)]) == 0
    text = capsys.readouterr().out
    assert re.search(r"twitter\s+withheld", text) and re.search(r"reddit\s+< 10", text)
    assert "24" not in text and "88.9%" not in text


def test_stats_of_a_store_of_few_authors_reads_under_ten(tmp_path, capsys):
    db = tmp_path / "few.duckdb"
    with Store(db) as store:
        store.write_batch(_posts(3)[24:], synthetic=False)
    assert main(["stats", "--db", str(db)]) == 0
    assert re.search(r"^posts\s+< 10$", capsys.readouterr().out, re.M)
    assert main(["stats", "--db", str(db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["posts"] is None and "posts" in out["suppressed"]


def test_report_withholds_the_platform_and_act_that_give_a_small_one_away(store_27, tmp_path):
    from groundswell.report import build_report

    with Store(store_27) as store:
        page = build_report(store, tmp_path / "r.html").read_text(encoding="utf-8")
    overview = page.split('id="overview"')[1].split("</section>")[0]
    assert re.search(r"<td>twitter</td><td[^>]*>withheld</td>", overview)
    assert re.search(r"<td>reddit</td><td[^>]*>&lt; 10</td>", overview)
    acts = page.split('id="acts"')[1].split("</section>")[0]
    shares = acts.split("Overall shares")[1].split("</table>")[0]
    assert re.search(r"<td>support</td><td[^>]*>withheld</td>", shares)
    assert ">24<" not in shares and "88.9%" not in shares


def test_dashboard_withholds_the_platform_and_act_that_give_a_small_one_away(store_27):
    from groundswell.serve import queries
    from groundswell.serve.snapshot import take_snapshot

    snap = take_snapshot(store_27)
    try:
        ov = queries.overview(snap)
        browser = queries.posts(snap, queries.PostFilter())
    finally:
        snap.close()
    rows = {r["platform"]: r for r in ov["by_platform"]}
    assert ov["posts"] == 27
    assert rows["twitter"]["posts"] is None and rows["twitter"]["withheld"]
    assert rows["reddit"]["posts"] is None and not rows["reddit"]["withheld"]
    acts = {r["act"]: r for r in ov["acts"]}
    assert acts["support"]["share"] is None and "share" in acts["support"]["withheld"]
    assert browser["posts"] == 27
    assert all(r["posts"] is None for r in browser["by_act"])


def test_dashboard_timeline_withholds_the_act_day_that_gives_a_small_one_away(store_27):
    """2018-01-01: support 24 (24 authors), backlash 3 (one author), the day's posts 27 (sent
    as ``all``): support's 24 on that day gave backlash's 3 away."""
    from groundswell.serve import queries
    from groundswell.serve.snapshot import take_snapshot

    snap = take_snapshot(store_27)
    try:
        tl = queries.timeline(snap)
    finally:
        snap.close()
    day = tl["days"].index("2018-01-01")
    assert tl["all"]["posts"][day] == 27
    acts = {s["act"]: s for s in tl["acts"]}
    assert acts["backlash"]["posts"][day] is None
    assert acts["support"]["posts"][day] is None
    assert "2018-01-01" in acts["support"]["suppressed_days"]
    assert acts["support"]["withheld_days"] == ["2018-01-01"]
    assert acts["backlash"]["withheld_days"] == []
    assert tl["acts_withheld"] == [
        {"day": "2018-01-01", "posts": 27, "acts": {"support": "withheld", "backlash": "< 10"}}
    ]
    assert "counts" not in acts["support"] and "small" not in tl["all"]


@pytest.fixture
def store_40_testimonies(tmp_path):
    """40 testimonies by 40 authors: relation boss 25, stranger 12, partner 3; setting work 30,
    home 3, none stated 7; harm verbal 30, none 7, assault 3 (a testimony may name none)."""
    db = tmp_path / "t.duckdb"
    base = datetime(2018, 1, 1, tzinfo=UTC)
    with Store(db) as store:
        store.write_batch(
            [
                Post(
                    platform="twitter",
                    id=f"t{i}",
                    text="me too #MeToo",
                    author=f"a{i}",
                    created_at=base + timedelta(hours=i),
                    hashtags=["#metoo"],
                )
                for i in range(40)
            ],
            synthetic=False,
        )
        store.con.execute("CREATE TABLE acts AS SELECT platform, id, 'testimony' AS act FROM posts")
        store.con.execute(
            "CREATE TABLE testimony (platform VARCHAR, id VARCHAR, harm VARCHAR[], "
            "relation VARCHAR, setting VARCHAR)"
        )
        rows = []
        for i in range(40):
            relation = "boss" if i < 25 else "stranger" if i < 37 else "partner"
            setting = "work" if i < 30 else None if i < 37 else "home"
            harm = ["verbal"] if i < 30 else [] if i < 37 else ["assault"]
            rows.append(("twitter", f"t{i}", harm, relation, setting))
        store.con.executemany("INSERT INTO testimony VALUES (?, ?, ?, ?, ?)", rows)
    return db


def test_testimony_relation_withholds_the_row_that_gives_a_small_one_away(
    store_40_testimonies, tmp_path
):
    """boss 25 and stranger 12 of 40 testimonies gave partner's 3 away (relation is one label a
    testimony). Setting's 30 stays: 40 less 30 is home's 3 and the 7 of no setting together.
    Harm is multi-label: 40 less verbal's 30 is no harm's count, so verbal stays."""
    from groundswell.report import build_report
    from groundswell.serve import queries
    from groundswell.serve.snapshot import take_snapshot

    snap = take_snapshot(store_40_testimonies)
    try:
        data = queries.testimonies(snap)
    finally:
        snap.close()
    assert data["n"] == 40
    relation = {r["label"]: r for r in data["fields"]["relation"]}
    assert relation["boss"]["posts"] == 25
    assert relation["stranger"]["posts"] is None and relation["stranger"]["share"] is None
    assert set(relation["stranger"]["withheld"]) == {"posts", "authors", "share", "ci_low",
                                                     "ci_high"}  # fmt: skip
    assert relation["partner"]["posts"] is None and relation["partner"]["withheld"] == []
    setting = {r["label"]: r for r in data["fields"]["setting"]}
    assert setting["work"]["posts"] == 30 and setting["home"]["posts"] is None
    harm = {r["label"]: r for r in data["fields"]["harm"]}
    assert harm["verbal"]["posts"] == 30 and harm["assault"]["posts"] is None

    with Store(store_40_testimonies) as store:
        page = build_report(store, tmp_path / "r.html").read_text(encoding="utf-8")
    section = page.split('id="testimony"')[1].split("</section>")[0]
    stranger = re.search(r"<tr><td>stranger</td>(.*?)</tr>", section).group(1)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", stranger) == ["withheld"] * 4
    assert "30.0%" not in section  # stranger's 12 of 40, in no cell or chart
    for label, n in (("boss", "25"), ("work", "30"), ("verbal", "30")):
        row = re.search(rf"<tr><td>{label}</td>(.*?)</tr>", section).group(1)
        assert re.findall(r"<td[^>]*>([^<]*)</td>", row)[0] == n


def test_dashboard_platform_reposts_follow_their_own_authors(tmp_path):
    """Posts: twitter 24 (24 authors), reddit 15 (15), mastodon 3 (one author). Reposts:
    twitter 20 (20), reddit 3 (one author), mastodon 30 (30). Reposts were withheld by the posts'
    decision: reddit's 3 by one reposter were shown, mastodon's 30 hidden."""
    from groundswell.serve import queries
    from groundswell.serve.snapshot import take_snapshot

    base = datetime(2018, 1, 1, tzinfo=UTC)
    plan = {"twitter": (24, 24, 20, 20), "reddit": (15, 15, 3, 1), "mastodon": (3, 1, 30, 30)}
    posts = []
    for platform, (n, a, r, b) in plan.items():
        posts += [
            Post(platform=platform, id=f"{platform}{i}", text="I believe you #MeToo",
                 author=f"{platform}-a{i % a}", created_at=base + timedelta(hours=i),
                 hashtags=["#metoo"])
            for i in range(n)
        ]  # fmt: skip
        posts += [
            Post(platform=platform, id=f"{platform}-rt{i}", text="", author=f"{platform}-b{i % b}",
                 created_at=base + timedelta(hours=i), repost_of=f"{platform}0")
            for i in range(r)
        ]  # fmt: skip
    db = tmp_path / "r.duckdb"
    with Store(db) as store:
        store.write_batch(posts, synthetic=False)
    snap = take_snapshot(db)
    try:
        ov = queries.overview(snap)
        reddit = queries.overview(snap, "reddit")
    finally:
        snap.close()
    rows = {r["platform"]: r for r in ov["by_platform"]}
    assert ov["reposts"] == 53
    assert rows["twitter"]["posts"] == 24 and rows["twitter"]["reposts"] is None
    assert rows["twitter"]["withheld"] == ["reposts"]
    assert rows["reddit"]["reposts"] is None and "reposts" not in rows["reddit"]["withheld"]
    assert rows["reddit"]["posts"] is None and rows["reddit"]["withheld"] == ["posts", "authors"]
    assert rows["mastodon"]["reposts"] == 30 and rows["mastodon"]["posts"] is None
    assert rows["mastodon"]["withheld"] == []
    assert reddit["posts"] == 15 and reddit["reposts"] is None
    assert "reposts" in reddit["suppressed"]


def test_reposts_of_few_reposters_read_under_ten_in_stats_and_the_report(tmp_path, capsys):
    """Twelve authors post, and two accounts repost 7 times: `stats` and the report's overview
    gave 'reposts 7' though fewer than 10 distinct authors stand behind them."""
    from groundswell.report import build_report

    base = datetime(2018, 1, 1, tzinfo=UTC)
    posts = [
        Post(platform="twitter", id=f"p{i}", text="I believe you #MeToo", author=f"a{i}",
             created_at=base + timedelta(hours=i), hashtags=["#metoo"])
        for i in range(12)
    ]  # fmt: skip
    posts += [
        Post(platform="twitter", id=f"rt{i}", text="", author=f"b{i % 2}",
             created_at=base + timedelta(hours=i), repost_of="p0")
        for i in range(7)
    ]  # fmt: skip
    db = tmp_path / "rt.duckdb"
    with Store(db) as store:
        store.write_batch(posts, synthetic=False)
    assert main(["stats", "--db", str(db)]) == 0
    text = capsys.readouterr().out
    assert re.search(r"^reposts\s+< 10$", text, re.M) and re.search(r"^posts\s+12$", text, re.M)
    assert main(["stats", "--db", str(db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["reposts"] is None and "reposts" in out["suppressed"] and out["posts"] == 12
    with Store(db) as store:
        page = build_report(store, tmp_path / "r.html").read_text(encoding="utf-8")
    overview = page.split('id="overview"')[1].split("</section>")[0]
    assert re.search(r'class="big">&lt; 10</span>reposts', overview)
