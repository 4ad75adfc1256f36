"""The label sample CSV (`groundswell label` without a terminal) keeps the care rules of
`groundswell export --to csv` (CODEBOOK section 7): ids and text pseudonymised and masked the same
way, formula cells neutralised; `label --answers` still finds every post again. `label` and
`classify` refuse a store that does not exist (exit 3) instead of making an empty one."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from groundswell.cli import main
from groundswell.store import Store, ingest
from gspaths import FIXTURES

FORMULA = re.compile(r"^[=+@\t\r-]")
TEXTS = [
    '=HYPERLINK("http://evil","x")',
    "+1+cmd|/C calc!A0",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "ask u/Jane_Doe99 or mail jane@example.org",
    "thanks @river.stone-x for this, see https://toot.example/users/lena/statuses/1",
    "bsky at://did:plc:testauthoraaaaaaaaaaaaaa/app.bsky.feed.post/3kfeed0000001",
]
# what must never reach the file: DIDs, the fixtures' and the texts' handles and names
RAW = [
    "did:plc",
    "river_stone",
    "river.stone",
    "Jane_Doe99",
    "jane@example.org",
    "/users/lena/",
    "/users/omar/",
    "/users/ada/",
    "/users/kim/",
    "@lena",
    "@kim",
    "@bo",
    "@ana",
]


@pytest.fixture
def db(tmp_path):
    """A store of Bluesky, Twitter, Mastodon and Reddit fixtures plus generic posts whose text
    and ids are spreadsheet formulas, a reddit name, an email, a handle and a DID."""
    generic = tmp_path / "formulas.jsonl"
    with open(generic, "w", encoding="utf-8") as fh:
        for i, text in enumerate(TEXTS):
            post = {
                "post_id": f"=p{i}" if i % 2 else f"p{i}",
                "body": text,
                "date": "2020-01-01T00:00:00Z",
                "user": f"=evil{i}",
            }
            fh.write(json.dumps(post) + "\n")
    sources = [
        FIXTURES / "bluesky" / "feed_page.json",
        FIXTURES / "twitter_v2" / "pages.jsonl",
        *sorted((FIXTURES / "mastodon").glob("*.json")),
        *sorted((FIXTURES / "reddit").glob("*.*json")),
        generic,
    ]
    path = tmp_path / "care.duckdb"
    with Store(path) as store:
        ingest(sources, store)
    return path


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))


@pytest.fixture
def no_retrain(monkeypatch):
    """Answers recorded without the minute-long retraining (tested in test_store_runs.py)."""
    from groundswell.classify import label

    def count(store, data_dir=None):
        return {"labels": store.con.execute("SELECT count(*) FROM labels").fetchone()[0]}

    monkeypatch.setattr(label, "retrain", count)


def _rows(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _posts(db) -> set[tuple[str, str]]:
    with Store(db, read_only=True) as store:
        return set(store.con.execute("SELECT platform, id FROM posts").fetchall())


@pytest.mark.parametrize("how", [["--random", "500"], ["-n", "500"]], ids=["random", "informative"])
def test_label_sample_has_the_care_of_the_csv_export(db, tmp_path, capsys, how):
    sample, exported = tmp_path / "sample.csv", tmp_path / "posts.csv"
    assert main(["label", *how, "--db", str(db), "--out", str(sample)]) == 0
    assert "wrote" in capsys.readouterr().err
    assert main(["export", "--to", "csv", "--db", str(db), "--out", str(exported)]) == 0
    text = sample.read_text(encoding="utf-8")
    for raw in RAW:
        assert raw not in text, raw
    rows = _rows(sample)
    assert len(rows) == len(_posts(db))
    assert list(rows[0]) == ["platform", "id", "text", "act", "ref"]
    for row in rows:
        for column in ("platform", "id", "text"):
            assert not FORMULA.match(row[column]), row
    # ids and text exactly as the export writes them
    export = {(r["platform"], r["id"]): r["text"] for r in _rows(exported)}
    for row in rows:
        assert export[(row["platform"], row["id"])] == row["text"]
    assert "'=HYPERLINK(" in text and "[email]" in text
    assert any(r["id"].startswith("at://u_") for r in rows)
    assert any("/users/u_" in r["id"] for r in rows)


def _fill(rows, path, *, drop=()) -> dict[str, str]:
    acts = ["testimony", "support", "other", "backlash"]
    columns = [c for c in rows[0] if c not in drop]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for i, row in enumerate(rows):
            writer.writerow(dict(row, act=acts[i % len(acts)]))
    return {row["ref"]: acts[i % len(acts)] for i, row in enumerate(rows)}


@pytest.mark.parametrize("drop", [(), ("ref",), ("ref", "platform")], ids=["ref", "id", "id-only"])
def test_label_sample_round_trips_through_answers(db, tmp_path, capsys, no_retrain, drop):
    """Every post of the sample is found again: by its ref, and, without the ref column, by the
    pseudonymised (and neutralised) id the CSV shows."""
    sample, answers = tmp_path / "sample.csv", tmp_path / "answers.csv"
    assert main(["label", "--random", "500", "--db", str(db), "--out", str(sample)]) == 0
    rows = _rows(sample)
    _fill(rows, answers, drop=drop)
    capsys.readouterr()
    argv = ["label", "--db", str(db), "--answers", str(answers), "--random", "500", "--json"]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["recorded"] == len(rows)
    with Store(db, read_only=True) as store:
        labelled = store.con.execute(
            "SELECT platform, id, act FROM labels WHERE source = 'random'"
        ).fetchall()
    assert {(p, i) for p, i, _ in labelled} == _posts(db)
    # the act went to the right post: the sample's order is the seeded random order
    from groundswell.classify.label import select_random

    with Store(db) as store:
        store.con.execute("DELETE FROM labels")
        order = [(p["platform"], p["id"]) for p in select_random(store, 500)]
    acts = {(p, i): a for p, i, a in labelled}
    expected = ["testimony", "support", "other", "backlash"]
    assert [acts[k] for k in order] == [expected[i % 4] for i in range(len(order))]


def test_a_sample_answered_in_part_records_the_answers(db, tmp_path, capsys, no_retrain):
    """Rows of the sample left without an act are skipped and counted, not a refused file."""
    sample, answers = tmp_path / "sample.csv", tmp_path / "answers.csv"
    assert main(["label", "--random", "8", "--db", str(db), "--out", str(sample)]) == 0
    rows = _rows(sample)
    with open(answers, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(dict(r, act="support" if i % 2 else "") for i, r in enumerate(rows))
    capsys.readouterr()
    assert main(["label", "--db", str(db), "--answers", str(answers), "--json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["recorded"] == len(rows) // 2 and out["unanswered"] == len(rows) - len(rows) // 2
    assert f"{out['unanswered']} rows of {answers} have no act" in captured.err


def test_a_bad_answer_is_named_and_the_others_are_recorded(db, tmp_path, capsys, no_retrain):
    """An act not in the codebook is one row's error (exit 2, naming its line), not the file's;
    an answer whose ref and id find no post of this store is said, not silently dropped."""
    sample, answers = tmp_path / "sample.csv", tmp_path / "answers.csv"
    assert main(["label", "--random", "6", "--db", str(db), "--out", str(sample)]) == 0
    rows = _rows(sample)
    acts = ["support", "suport", "other", "backlash", "testimony", "other"]
    filled = [dict(r, act=a) for r, a in zip(rows, acts, strict=False)]
    filled[-1] = dict(filled[-1], ref="0" * 24, id="not-an-id")  # tampered
    with open(answers, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(filled)
    capsys.readouterr()
    assert main(["label", "--db", str(db), "--answers", str(answers), "--json"]) == 2
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["recorded"] == len(rows) - 2 and out["unmatched"] == 1
    line = 3 + "".join(r["text"] for r in rows[:1]).count("\n")  # the row of "suport"
    assert out["errors"] == [
        f"{answers}:{line}: act 'suport' is not in the codebook "
        "(testimony, confession, pledge, support, backlash, reporting, other)"
    ]
    assert f"1 answers of {answers} found no post of this store" in captured.err
    assert f"error: {answers}:{line}: act 'suport'" in captured.err
    assert "the other answers were recorded" in captured.err


def test_a_filled_sample_is_never_written_over(db, tmp_path, capsys):
    """`groundswell label` run again without --answers would write a new sample over the one
    being filled in; it refuses (exit 2), the answers stay, and an unfilled one is replaced."""
    sample = tmp_path / "label-sample.csv"
    argv = ["label", "--random", "4", "--db", str(db), "--out", str(sample)]
    assert main(argv) == 0
    assert main(argv) == 0  # nothing filled in yet: a new sample
    rows = _rows(sample)
    with open(sample, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(dict(r, act="support" if i == 0 else "") for i, r in enumerate(rows))
    filled = sample.read_bytes()
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds answers already" in err
    assert sample.read_bytes() == filled


def test_answers_by_the_stores_own_ids_still_work(db, tmp_path, capsys, no_retrain):
    answers = tmp_path / "answers.csv"
    posts = sorted(_posts(db))
    with open(answers, "w", encoding="utf-8-sig", newline="") as fh:  # a BOM too
        writer = csv.writer(fh)
        writer.writerow(["id", "act"])
        writer.writerows([pid, "other"] for _platform, pid in posts)
    assert main(["label", "--db", str(db), "--answers", str(answers), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["recorded"] == len(posts)


def test_a_ref_from_another_store_finds_nothing(db, tmp_path, capsys, no_retrain):
    """The ref is keyed by the store's key: another store cannot recompute it."""
    sample, answers = tmp_path / "sample.csv", tmp_path / "answers.csv"
    assert main(["label", "--random", "5", "--db", str(db), "--out", str(sample)]) == 0
    rows = _rows(sample)
    with open(answers, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "act", "ref"])
        writer.writerows(["not-an-id", "other", r["ref"]] for r in rows)
    other = tmp_path / "other.duckdb"
    with Store(other) as store:
        ingest([FIXTURES / "twitter_v2" / "pages.jsonl"], store)
    capsys.readouterr()
    assert main(["label", "--db", str(other), "--answers", str(answers), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["recorded"] == 0


def test_the_label_prompt_shows_cleaned_text(db, monkeypatch, capsys):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal(""))
    monkeypatch.setattr("builtins.input", lambda prompt="": "")  # skip every post
    assert main(["label", "-n", "50", "--db", str(db)]) == 0
    shown = capsys.readouterr().out
    assert "u_" in shown
    for raw in RAW:
        assert raw not in shown, raw


@pytest.mark.parametrize(
    "argv",
    [
        ["label", "--out", "sample.csv"],
        ["label", "--answers", "answers.csv"],
        ["classify"],
        ["classify", "--model", "student"],
    ],
    ids=" ".join,
)
def test_label_and_classify_refuse_a_missing_store(tmp_path, monkeypatch, capsys, argv):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "answers.csv").write_text("id,act\n1001,other\n", encoding="utf-8")
    db = tmp_path / "missing.duckdb"
    assert main([*argv, "--db", str(db)]) == 3
    err = capsys.readouterr().err
    assert err.startswith("groundswell: error: ") and err.count("\n") == 1
    assert "no such store" in err and str(db) in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.csv"]  # no store, no key
