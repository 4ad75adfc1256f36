"""Hashtag families on a store with planted members whose roles are known."""

from __future__ import annotations

import json

import pytest
from planted import BACKGROUND_TAGS, plant_family, plant_filtered

from groundswell.analyze.family import FamilyAnalysis, family
from groundswell.analyze.family_growth import g2_test
from groundswell.errors import InputError
from groundswell.store import Store


@pytest.fixture(scope="module")
def fam_store(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("fam") / "f.duckdb") as store:
        plant_family(store)
        yield store


@pytest.fixture(scope="module")
def fam(fam_store):
    return family(fam_store, "#MeToo")


def roles(frame):
    return dict(zip(frame["tag"], frame["role"], strict=True))


def test_planted_members_get_their_roles(fam):
    assert roles(fam) == {
        "#metoo": "core",
        "#balancetonporc": "core",
        "#itwasme": "spin-off",
        "#ihave": "spin-off",
        "#timesup": "allied",
        "#himtoo": "counter",
    }


def test_unrelated_popular_tag_stays_out(fam_store, fam):
    n_music = fam_store.con.execute(
        "SELECT count(*) FROM posts WHERE list_contains(hashtags, '#music')"
    ).fetchone()[0]
    # more popular than any planted member, and co-occurs with #metoo by chance only
    assert n_music > 3 * fam.loc[fam["tag"] != "#metoo", "posts"].max()
    assert "#music" not in set(fam["tag"])
    assert not set(fam["tag"]) & {"#news", "#monday", "#football"}


def test_growth_rounds_and_numbers_behind_roles(fam_store, fam):
    row = fam.set_index("tag")
    assert row.loc["#ihave", "joined"] == "round 2"  # only co-occurs with #itwasme
    assert row.loc["#itwasme", "joined"] == "round 1"
    assert row.loc["#balancetonporc", "joined"] == "equivalent"
    assert row.loc["#himtoo", "share_backlash"] > 0.5
    assert row.loc["#itwasme", "dominant_act"] == "confession"
    assert row.loc["#metoo", "dominant_act"] == "testimony"
    assert (row.loc[["#itwasme", "#himtoo", "#timesup"], "p_value"] < 0.001).all()
    n_seed, authors = fam_store.con.execute(
        "SELECT count(*), count(DISTINCT author) FROM posts WHERE list_contains(hashtags, '#metoo')"
    ).fetchone()
    assert (row.loc["#metoo", "posts"], row.loc["#metoo", "authors"]) == (n_seed, authors)
    assert str(row.loc["#himtoo", "first_day"]) >= "2017-09-17"


def test_g2_is_zero_at_independence_and_grows_with_association():
    g0, p0, e0 = g2_test(10, 100, 100, 1000)
    assert g0 == pytest.approx(0.0, abs=1e-9) and p0 == pytest.approx(1.0) and e0 == 10
    g1, p1, _ = g2_test(50, 100, 100, 1000)
    assert g1 > 50 and p1 < 1e-10


def test_without_acts_roles_are_unknown_except_core(tmp_path):
    with Store(tmp_path / "noacts.duckdb") as store:
        plant_family(store, acts=False)
        frame = family(store)
        analysis = FamilyAnalysis()
        html = analysis.render(analysis.run(store))
    r = roles(frame)
    assert r["#metoo"] == "core" and r["#balancetonporc"] == "core"
    assert {r[t] for t in ("#itwasme", "#himtoo", "#timesup")} == {"unknown"}
    assert set(frame.loc[frame["role"] == "unknown", "basis"]) == {"act mix unavailable"}
    assert "unavailable" in html.lower()


def test_render_suppresses_small_author_counts(fam_store):
    analysis = FamilyAnalysis(min_authors=1)
    frame = analysis.compute(fam_store)
    frame.loc[len(frame)] = frame.iloc[-1]
    frame.loc[len(frame) - 1, ["tag", "authors", "posts"]] = ["#tiny", 3, 4]
    html = analysis.render(frame)
    assert "#tiny" in html and "&lt; 10" in html


def test_unknown_seed_and_bad_seed_raise(fam_store):
    with pytest.raises(InputError, match="no post"):
        family(fam_store, "#nosuchtag")
    with pytest.raises(InputError):
        family(fam_store, "#")


def test_output_is_json_serialisable(fam):
    json.dumps(fam.to_dict(orient="records"), default=str)


def test_cli_family_json(tmp_path, capsys):
    from groundswell.cli import main

    db = tmp_path / "cli.duckdb"
    with Store(db) as store:
        plant_family(store)
    assert main(["family", "#MeToo", "--db", str(db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {r["tag"]: r["role"] for r in out}["#himtoo"] == "counter"
    assert main(["family", "#nosuchtag", "--db", str(db)]) == 2
    assert "no post" in capsys.readouterr().err


def test_empty_acts_table_gives_unknown_roles(tmp_path):
    with Store(tmp_path / "emptyacts.duckdb") as store:
        plant_family(store)
        store.con.execute("DELETE FROM acts")
        frame = family(store)
    r = roles(frame)
    assert r["#metoo"] == "core" and r["#himtoo"] == "unknown"
    assert (frame["classified"] == 0).all()


@pytest.fixture(scope="module")
def filtered_store(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("filtered") / "f.duckdb") as store:
        plant_filtered(store)
        yield store


@pytest.fixture(scope="module")
def filtered(filtered_store):
    return family(filtered_store, "#metoo")


def test_filtered_collection_finds_spin_off_and_counter(filtered_store, filtered):
    n_posts, n_seed = filtered_store.con.execute(
        "SELECT count(*), count(*) FILTER (list_contains(hashtags, '#metoo')) FROM posts"
    ).fetchone()
    assert n_posts == 60_000 and n_seed / n_posts >= 0.9
    row = filtered.set_index("tag")
    assert row.loc["#itwasme", "role"] == "spin-off" and row.loc["#himtoo", "role"] == "counter"
    assert (row.loc["#itwasme", "posts"], row.loc["#itwasme", "cooccurrence"]) == (2287, 1375)
    assert row.loc["#himtoo", "posts"] == 1398
    assert row.loc["#itwasme", "joined"] == "act mix: confession"
    assert row.loc["#himtoo", "joined"] == "act mix: backlash"
    assert (row.loc[["#itwasme", "#himtoo"], "p_value"] < 0.001).all()
    assert filtered.attrs["method"] == "within-collection"
    assert "#metoo is on 95% of tagged posts" in filtered.attrs["method_reason"]


def test_filtered_collection_grows_through_members_and_keeps_generic_tags_out(filtered):
    r = roles(filtered)
    row = filtered.set_index("tag")
    # act mix like the seed's, never with the seed: joins only by co-occurring with #itwasme
    assert row.loc["#believesurvivors", "joined"] == "round 2"
    assert r["#believesurvivors"] == "allied" and r["#ihave"] == "spin-off"
    assert not set(r) & {"#music", *BACKGROUND_TAGS}


def test_cooccurrence_with_a_saturated_seed_misses_the_members(filtered_store):
    frame = family(filtered_store, "#metoo", method="co-occurrence")
    assert frame.attrs["method"] == "co-occurrence"
    assert not set(frame["tag"]) & {"#itwasme", "#himtoo"}  # "below chance" at a 95% base


def test_broad_sample_uses_cooccurrence_and_says_why(fam_store, fam):
    assert fam.attrs["method"] == "co-occurrence"
    assert "below 50%" in fam.attrs["method_reason"]
    within = family(fam_store, "#metoo", method="within-collection")
    assert roles(within)["#himtoo"] == "counter" and roles(within)["#itwasme"] == "spin-off"
    with pytest.raises(InputError, match="method"):
        family(fam_store, "#metoo", method="magic")


def test_filtered_without_acts_says_why_it_cannot_grow(tmp_path):
    with Store(tmp_path / "noacts.duckdb") as store:
        plant_filtered(store, acts=False)
        analysis = FamilyAnalysis()
        frame = analysis.compute(store)
        html = analysis.render(frame)
    assert list(frame["tag"]) == ["#metoo"]
    assert "no acts table" in frame.attrs["method_reason"]
    assert "Membership by within-collection" in html


def test_cli_family_names_the_method(tmp_path, capsys):
    from groundswell.cli import main

    db = tmp_path / "cli.duckdb"
    with Store(db) as store:
        plant_family(store)
    assert main(["family", "#metoo", "--db", str(db), "--method", "within-collection"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("method: within-collection (chosen by the user")
    assert main(["family", "#metoo", "--db", str(db), "--json"]) == 0
    captured = capsys.readouterr()
    assert "method: co-occurrence" in captured.err and json.loads(captured.out)


def test_a_seed_of_fewer_than_10_authors_hides_its_dominant_act(tmp_path, capsys):
    """A seed tag of one author's 40 testimonies: every share of it was withheld, but its
    dominant act (the largest of them) was printed by `family`, the report and the dashboard."""
    from planted import Writer

    from groundswell.cli import main
    from groundswell.serve import analyses

    w = Writer(seed=4)
    for day in range(40):
        w.post(w.when(day), "solo", ["#metoo"], "testimony")
    db = tmp_path / "solo.duckdb"
    with Store(db) as store:
        w.write(store)
        analysis = FamilyAnalysis()
        frame = analysis.run(store)
        assert frame.loc[0, "dominant_act"] == "testimony"  # computed, never shown
        html = analysis.render(frame)

        class Snap:
            def store(self):
                return store

        rows = analyses.family(Snap(), "#metoo")["rows"]
    assert "<td>testimony</td>" not in html and "&lt; 10" in html
    assert rows[0]["dominant_act"] is None and "dominant_act" in rows[0]["suppressed"]
    assert main(["family", "#metoo", "--db", str(db), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert row["dominant_act"] is None and "dominant_act" in row["suppressed"]
    assert main(["family", "#metoo", "--db", str(db)]) == 0
    assert " testimony " not in capsys.readouterr().out  # the column "share_testimony" stays


def test_a_seed_of_fewer_than_10_authors_hides_its_first_day(tmp_path, capsys):
    """The first day a tag of fewer than 10 people was used narrows them down as its counts do
    (the report's top-hashtags table withholds it): `family` and the report withhold it too."""
    from planted import Writer

    from groundswell.cli import main

    w = Writer(seed=5)
    for day in range(40):
        w.post(w.when(day + 3), f"solo{day % 2}", ["#metoo"], "testimony")
    db = tmp_path / "solo.duckdb"
    with Store(db) as store:
        w.write(store)
        analysis = FamilyAnalysis()
        frame = analysis.run(store)
        first = str(frame.loc[0, "first_day"])[:10]
        html = analysis.render(frame)
    assert first[:4] == "2017" and first not in html
    assert main(["family", "#metoo", "--db", str(db), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert row["first_day"] is None and "first_day" in row["suppressed"]
    assert main(["family", "#metoo", "--db", str(db)]) == 0
    assert first not in capsys.readouterr().out
