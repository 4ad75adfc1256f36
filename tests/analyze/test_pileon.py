"""Pile-ons on a store with planted pile-ons, near misses and normal traffic."""

from __future__ import annotations

import json

import pytest
from planted import plant_pileons

from groundswell.analyze.pileon import PileonAnalysis, pileons
from groundswell.store import Store


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("pile") / "p.duckdb") as store:
        info = plant_pileons(store)
        analysis = PileonAnalysis()
        frame = analysis.run(store)
        yield store, info, frame, analysis


def test_planted_pileons_found_with_window_and_authors(planted):
    store, info, frame, _ = planted
    assert len(frame) == 2
    by_kind = frame.set_index("target_kind")
    mention = by_kind.loc["mention"]
    assert mention["target"] == store.pseudonym("twitter", info["mention_target"])
    assert mention["authors"] == 60 and mention["posts"] == 80
    assert mention["window_start"] == info["start"]
    assert mention["window_end"] == info["end"]
    assert mention["ratio"] >= 10
    reply = by_kind.loc["reply"]
    assert reply["target"] == info["reply_target"]  # the replied-to post's author
    assert reply["authors"] == 55 and reply["window_start"] == info["start"]


def test_act_mix_and_hostile_share(planted):
    _, _, frame, _ = planted
    mention = frame.set_index("target_kind").loc["mention"]
    assert mention["backlash_share"] == pytest.approx(0.5)
    assert "backlash 50%" in mention["act_mix"]
    assert mention["hostile_share"] == pytest.approx(0.25)  # one post in four is hostile
    assert frame.set_index("target_kind").loc["reply", "hostile_share"] == 0.0


def test_near_misses_are_not_pileons(planted):
    store, _, frame, _ = planted
    targets = set(frame["target"])
    assert store.pseudonym("twitter", "near_miss") not in targets  # 49 authors
    assert store.pseudonym("twitter", "busy_handle") not in targets  # about 5x its baseline
    looser = pileons(store, min_authors=49, min_ratio=4)
    assert {store.pseudonym("twitter", h) for h in ("near_miss", "busy_handle")} <= set(
        looser["target"]
    )


def test_no_raw_handle_in_any_output(planted):
    _, info, frame, analysis = planted
    outputs = [
        frame.to_csv(),
        json.dumps(frame.to_dict(orient="records"), default=str),
        analysis.render(frame),
    ]
    for out in outputs:
        for handle in info["handles"]:
            assert handle not in out.lower()


def test_runs_without_acts_table(tmp_path):
    with Store(tmp_path / "noacts.duckdb") as store:
        plant_pileons(store)
        store.con.execute("DROP TABLE acts")
        frame = pileons(store)
    assert len(frame) == 2
    assert set(frame["act_mix"]) == {"act mix unavailable"}
    assert frame["backlash_share"].isna().all()


def test_public_figure_shown_by_name(tmp_path):
    from groundswell.analyze.pileon import _public_names

    names = _public_names()
    if not names:
        pytest.skip("no people gazetteer")
    handle, name = next(iter(names.items()))
    with Store(tmp_path / "pub.duckdb") as store:
        plant_pileons(store)
        store.con.execute(
            "UPDATE posts SET mentions = [?] WHERE list_contains(mentions, 'VICTIM_HANDLE')",
            [handle],
        )
        frame = pileons(store)
    assert name in set(frame["target"])


def test_cli_pileons(tmp_path, capsys):
    from groundswell.cli import main

    db = tmp_path / "cli.duckdb"
    with Store(db) as store:
        plant_pileons(store)
    assert main(["pileons", "--db", str(db), "--json"]) == 0
    out = capsys.readouterr().out
    rows = json.loads(out)
    assert sorted(r["authors"] for r in rows) == [55, 60]
    assert "victim_handle" not in out.lower()
    assert main(["pileons", "--db", str(db), "--min-authors", "100"]) == 0
    assert "no pile-on found" in capsys.readouterr().out


def _replied_store(path, *, pseudonymise: bool) -> Store:
    """A post by ``victim_id_42`` that 60 distinct authors reply to within an hour, after
    three weeks of quiet: a reply pile-on."""
    from datetime import UTC, datetime, timedelta

    from groundswell.schema import Post

    base = datetime(2017, 10, 1, tzinfo=UTC)
    posts = [Post(platform="twitter", id="1", text="what happened to me #MeToo",
                  created_at=base, author="victim_id_42", hashtags=["#metoo"])]  # fmt: skip
    posts += [
        Post(platform="twitter", id=f"b{d}", text="hello #MeToo", author=f"regular{d % 12}",
             created_at=base + timedelta(days=d), hashtags=["#metoo"])
        for d in range(20)
    ]  # fmt: skip
    posts += [
        Post(platform="twitter", id=f"r{i}", text=f"you are lying, shut up #MeToo {i}",
             created_at=base + timedelta(days=25, minutes=i), author=f"piler{i}",
             hashtags=["#metoo"], reply_to="1")
        for i in range(60)
    ]  # fmt: skip
    store = Store(path, pseudonymise=pseudonymise)
    store.write_batch(posts)
    return store


def test_a_reply_target_is_a_pseudonym_in_a_store_kept_with_raw_ids(tmp_path, capsys):
    """A store made with ``--no-pseudonymise`` keeps raw author ids; the pile-on's reply target
    is still shown by the keyed pseudonym a pseudonymising store would give that author, so the
    report (which promises no author id) and the terminal never name the account piled on."""
    from groundswell.care.pseudonym import Pseudonymiser
    from groundswell.cli import main
    from groundswell.report import build_report

    with _replied_store(tmp_path / "raw.duckdb", pseudonymise=False) as store:
        analysis = PileonAnalysis()
        frame = analysis.run(store)
        pseudonym = Pseudonymiser(store.pseudonym.key, enabled=True)("twitter", "victim_id_42")
        page = build_report(store, tmp_path / "report.html").read_text(encoding="utf-8")
    (row,) = frame.to_dict(orient="records")
    assert (row["target_kind"], row["target"], row["authors"]) == ("reply", pseudonym, 60)
    assert "victim_id_42" not in analysis.render(frame) and "victim_id_42" not in page
    capsys.readouterr()
    assert main(["pileons", "--db", str(tmp_path / "raw.duckdb"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["target"] == pseudonym
    with _replied_store(tmp_path / "pseudo.duckdb", pseudonymise=True) as store:
        (same,) = PileonAnalysis().run(store).to_dict(orient="records")
        assert same["target"] == store.pseudonym("twitter", "victim_id_42")  # as before
