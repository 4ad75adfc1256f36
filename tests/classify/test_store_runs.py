"""`classify` over a store: complete, resumable after a crash, forgettable; the label loop."""

from __future__ import annotations

import json

import numpy as np
import pytest
from classify_helpers import FIXTURES, fill_store, fixture_rows

from groundswell.classify import classify_store
from groundswell.classify.run import Classifier
from groundswell.cli import main


def _count(store, sql, *params):
    return store.con.execute(sql, list(params)).fetchone()[0]


def test_classify_writes_one_row_per_post(posts_store):
    out = classify_store(posts_store, model="student", batch_size=7, distil=False)
    assert out["model"] == "student" and out["classified"] == 30
    assert sum(out["acts"].values()) == 30
    assert _count(posts_store, "SELECT count(*) FROM acts") == 30
    told = _count(posts_store, "SELECT count(*) FROM acts WHERE act = 'testimony'")
    assert _count(posts_store, "SELECT count(*) FROM testimony") == told > 0
    assert (
        _count(
            posts_store,
            "SELECT count(*) FROM testimony JOIN acts USING (platform, id, model, version) "
            "WHERE act <> 'testimony'",
        )
        == 0
    )
    assert out["unsupported_language"] >= 3
    scores, evidence, text = posts_store.con.execute(
        "SELECT a.scores, a.evidence, p.text FROM acts a JOIN posts p USING (platform, id) "
        "WHERE a.id = 'p01-0'"
    ).fetchone()
    assert sum(json.loads(scores).values()) == pytest.approx(1.0, abs=1e-5)
    for ev in json.loads(evidence):
        assert text[ev["start"] : ev["end"]] == ev["text"]
    # a second run finds nothing to do
    again = classify_store(posts_store, model="student", distil=False)
    assert again["classified"] == 0 and again["pending_before"] == 0
    assert _count(posts_store, "SELECT count(*) FROM runs WHERE command = 'classify'") == 2


def test_classify_resumes_after_a_crash(store, monkeypatch):
    fill_store(store, copies=4)  # 120 posts
    real = Classifier.predicted  # what the store's run predicts each batch with
    calls = {"n": 0}

    def dying(self, *a, **kw):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt  # killed during the 4th batch
        return real(self, *a, **kw)

    monkeypatch.setattr(Classifier, "predicted", dying)
    with pytest.raises(KeyboardInterrupt):
        classify_store(store, model="student", batch_size=25, distil=False)
    assert _count(store, "SELECT count(*) FROM acts") == 75  # three committed batches
    monkeypatch.setattr(Classifier, "predicted", real)
    out = classify_store(store, model="student", batch_size=25, distil=False)
    assert out["pending_before"] == 45 and out["classified"] == 45
    assert _count(store, "SELECT count(*) FROM acts") == 120
    assert _count(store, "SELECT count(DISTINCT (platform, id)) FROM acts") == 120
    assert (
        _count(
            store,
            "SELECT count(*) FROM posts p WHERE NOT EXISTS (SELECT 1 FROM acts a "
            "WHERE a.id = p.id)",
        )
        == 0
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_classify_resumes_after_a_killed_process(tmp_path, workers):
    import subprocess
    import sys

    from groundswell.store import Store

    db = tmp_path / "kill.duckdb"
    with Store(db) as s:
        fill_store(s, copies=20)  # 600 posts
    code = (
        "import os, sys\n"
        "from groundswell.store import Store\n"
        "from groundswell.classify import classify_store\n"
        "def die(done, total):\n"
        "    if done >= 200: os._exit(9)\n"  # no cleanup, like a SIGKILL
        f"with Store({str(db)!r}) as s:\n"
        "    classify_store(s, model='student', batch_size=100, progress=die, distil=False, "
        f"workers={workers})\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert proc.returncode == 9, proc.stderr.decode()
    with Store(db) as s:
        assert _count(s, "SELECT count(*) FROM acts") == 200
        # no worker outlives its killed parent (the captured pipes above would have hung)
        out = classify_store(s, model="student", batch_size=100, distil=False, workers=workers)
        assert out["classified"] == 400
        assert _count(s, "SELECT count(*) FROM acts") == 600
        assert _count(s, "SELECT count(DISTINCT id) FROM acts") == 600


def test_parallel_classify_equals_sequential(tmp_path):
    from groundswell.store import Store

    results = []
    for workers in (1, 2):
        with Store(tmp_path / f"w{workers}.duckdb") as s:
            fill_store(s, copies=10)
            classify_store(s, model="student", batch_size=40, distil=False, workers=workers)
            results.append(
                s.con.execute(
                    "SELECT platform, id, act, scores, evidence FROM acts ORDER BY ALL"
                ).fetchall()
            )
    assert len(results[0]) == 300 and results[0] == results[1]


def test_forget_reaches_the_classifier_tables(posts_store):
    from groundswell.store.forget import forget

    classify_store(posts_store, model="student", distil=False)
    removed = forget(posts_store, ["p01-0", "p02-0"])
    assert removed.get("acts") == 2 and removed.get("testimony") == 2
    assert _count(posts_store, "SELECT count(*) FROM acts WHERE id IN ('p01-0', 'p02-0')") == 0


def test_label_loop_with_answers(tmp_path, capsys, data_dir):
    from groundswell.classify.label import select_posts
    from groundswell.store import Store

    db = tmp_path / "label.duckdb"
    with Store(db) as s:
        fill_store(s)
        picked = select_posts(s, n=8)
        assert len(picked) == 8 and len({p["id"] for p in picked}) == 8
        assert all(0 <= p["uncertainty"] <= 1 for p in picked)
    answers = tmp_path / "answers.csv"
    answers.write_text(
        "id,act\n" + "".join(f"{r['id']}-0,{r['act']}\n" for r in fixture_rows()), encoding="utf-8"
    )
    assert (
        main(
            ["label", "--db", str(db), "--answers", str(answers), "--data", str(data_dir), "--json"]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["recorded"] == 30 and out["labels"] == 30
    assert out["before"]["n"] == 30 and out["after"]["n"] == 30
    # installed exactly when its cross-validated macro-F1 beats the current model's
    assert out["installed"] == (out["after"]["macro_f1"] > out["before"]["macro_f1"])
    with Store(db) as s:
        assert _count(s, "SELECT count(*) FROM labels") == 30
        installed = _count(s, "SELECT count(*) FROM heads WHERE name = 'student'")
        assert installed == int(out["installed"])
        res = classify_store(s, model="student", distil=False)
        assert (res["version"] == out["version"]) == out["installed"]
    bad = tmp_path / "bad.csv"
    bad.write_text("id,act\np01-0,gossip\n", encoding="utf-8")
    assert main(["label", "--db", str(db), "--answers", str(bad)]) == 2
    assert "bad.csv:2" in capsys.readouterr().err


def test_classify_cli_prints_the_act_mix(tmp_path, capsys):
    from groundswell.store import Store

    db = tmp_path / "cli.duckdb"
    with Store(db) as s:
        fill_store(s)
    assert main(["classify", "--db", str(db), "--model", "student"]) == 0
    text = capsys.readouterr().out
    assert "classified 30 posts" in text and "testimony:" in text
    assert FIXTURES.exists()


def test_label_keeps_a_worse_head_aside(tmp_path, monkeypatch):
    """A retrained head that scores worse on the user's labels (here one that always answers
    `other`) is refused, kept aside, and the store goes on with the current model; so is any
    head from fewer than MIN_LABELS labels (the 3-label case that once relabelled a store)."""
    from groundswell.classify import label
    from groundswell.classify.heads import LinearHead
    from groundswell.classify.run import load_bundle
    from groundswell.store import Store

    rows = fixture_rows()
    answers = tmp_path / "answers.csv"
    answers.write_text(
        "id,act\n" + "".join(f"{r['id']}-0,{r['act']}\n" for r in rows), encoding="utf-8"
    )
    three = tmp_path / "three.csv"
    three.write_text(
        "id,act\n" + "".join(f"{r['id']}-1,{r['act']}\n" for r in rows[:3]), encoding="utf-8"
    )

    def always_other(base, data, X_data, X_labels, acts, calibrate=True):
        head = LinearHead()
        head.classes_ = np.asarray(["other", "support"])
        head.coef_ = np.zeros((2, X_labels.shape[1]))
        head.intercept_ = np.array([5.0, 0.0])
        head.temperature_ = 1.0
        return label.Bundle("student", dict(base.heads, act=head), dict(base.meta))

    shipped = load_bundle("student").version
    with Store(tmp_path / "worse.duckdb") as s:
        fill_store(s, copies=2)
        out = label.label_loop(s, answers_path=three)
        assert out["labels"] == 3 and not out["installed"] and "too few" in out["reason"]
        monkeypatch.setattr(label, "_fit_act", always_other)
        out = label.label_loop(s, answers_path=answers)
        assert not out["installed"] and out["after"]["macro_f1"] < out["before"]["macro_f1"]
        assert "kept aside" in out["reason"] and f"{out['before']['macro_f1']:.3f}" in out["reason"]
        assert _count(s, "SELECT count(*) FROM heads WHERE name = 'student'") == 0
        assert _count(s, "SELECT count(*) FROM heads WHERE name = 'student-rejected'") == 2
        assert classify_store(s, model="student")["version"] == shipped


def test_random_sample_is_uniform_and_kept_for_estimation(tmp_path):
    from groundswell.classify.label import label_loop, select_random
    from groundswell.classify.prevalence import store_act_shares
    from groundswell.store import Store

    with Store(tmp_path / "random.duckdb") as s:
        fill_store(s, copies=4)
        classify_store(s, model="student", distil=False)
        picked = select_random(s, 40)
        assert len({p["id"] for p in picked}) == 40
        assert picked == select_random(s, 40)  # seeded
        gold = {f"{r['id']}-{k}": r["act"] for r in fixture_rows() for k in range(4)}
        answers = tmp_path / "random.csv"
        answers.write_text(
            "id,act\n" + "".join(f"{p['id']},{gold[p['id']]}\n" for p in picked),
            encoding="utf-8",
        )
        label_loop(s, answers_path=answers, random=True)
        assert _count(s, "SELECT count(*) FROM labels WHERE source = 'random'") == 40
        est = store_act_shares(s.con)
        assert est["method"] == "prediction-powered inference"
        assert "40 posts" in est["labelled_set"]
        truth = {a: list(gold.values()).count(a) / len(gold) for a in set(gold.values())}
        for share in est["shares"]:
            assert share.low <= share.share <= share.high
            if share.label in truth:
                assert share.low - 0.05 <= truth[share.label] <= share.high + 0.05


def test_model_without_evaluation_gets_a_sampling_interval_not_a_point(tmp_path, monkeypatch):
    from groundswell.classify import prevalence
    from groundswell.store import Store

    with Store(tmp_path / "raw.duckdb") as s:
        fill_store(s, copies=2)
        classify_store(s, model="student", distil=False)
        monkeypatch.setattr(prevalence, "model_evaluation", lambda *_: None)
        est = prevalence.store_act_shares(s.con)
    assert est["method"] == "raw" and "Wilson" in est["reason"]
    assert sum(share.count for share in est["shares"]) == est["posts"] > 0
    for share in est["shares"]:
        assert share.low <= share.share <= share.high
        if 0 < share.count < est["posts"]:
            assert share.high - share.low > 0.01  # sampling error is never zero-width


def _act_rows(store) -> list[tuple]:
    return store.con.execute(
        "SELECT platform, id, model, version, act, scores, evidence FROM acts ORDER BY ALL"
    ).fetchall()


def test_a_store_made_with_the_key_index_classifies_the_same_rows(tmp_path):
    """New stores keep no key index on acts and testimony; one made with it (before) keeps it
    and writes the same rows through it, each post once, however often classify runs."""
    from groundswell.classify import store as cs
    from groundswell.store import Store

    keyed_sql = cs.TABLES_SQL.replace(
        "classified_at TIMESTAMP);",
        "classified_at TIMESTAMP, PRIMARY KEY (platform, id, model, version));",
    ).replace(
        "minor_at_time VARCHAR, scores VARCHAR);",
        "minor_at_time VARCHAR, scores VARCHAR, PRIMARY KEY (platform, id, model, version));",
    )
    rows, told = [], []
    for name, sql in (("old", keyed_sql), ("new", None)):
        with Store(tmp_path / f"{name}.duckdb") as s:
            if sql:
                s.con.execute(sql)
            fill_store(s, copies=10)
            for _ in range(2):
                classify_store(s, model="student", batch_size=40, distil=False)
            assert cs._keyed(s.con, "acts") == cs._keyed(s.con, "testimony") == bool(sql)
            assert _count(s, "SELECT count(*) FROM acts") == 300
            assert _count(s, "SELECT count(DISTINCT (platform, id)) FROM acts") == 300
            rows.append(_act_rows(s))
            told.append(_count(s, "SELECT count(*) FROM testimony"))
    assert rows[0] == rows[1] and told[0] == told[1] > 0
