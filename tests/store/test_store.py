"""Idempotent re-ingest, crash safety, deletions, export and stats."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import pyarrow.parquet as pq

from groundswell.cli import main
from groundswell.store import Store, ingest
from groundswell.store.export import export_posts
from groundswell.store.forget import forget
from groundswell.store.stats import stats
from gspaths import FIXTURES

PAGES = FIXTURES / "twitter_v2" / "pages.jsonl"
DATA_TABLES = ("posts", "reposts", "quarantine", "articles")


def _snapshot(db) -> dict[str, list]:
    with Store(db, read_only=True) as s:
        return {t: s.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in DATA_TABLES}


def _write_tweets(path, n: int, bad_every: int = 997) -> None:
    with open(path, "w") as fh:
        for i in range(n):
            if i % bad_every == 5:
                fh.write('{"data": [{"id": "broken"\n')
                continue
            tweet = {
                "id": str(10**6 + i),
                "text": f"post number {i} #MeToo #Tag{i % 13}",
                "author_id": str(i % 101),
                "created_at": "2017-10-16T10:00:00.000Z",
                "edit_history_tweet_ids": [str(10**6 + i)],
            }
            if i % 10 == 3:
                tweet["referenced_tweets"] = [{"type": "retweeted", "id": str(10**6 + i - 1)}]
            fh.write(json.dumps({"data": [tweet], "includes": {"users": []}}) + "\n")


def test_reingest_changes_nothing(tmp_path):
    db = tmp_path / "a.duckdb"
    with Store(db) as s:
        first = ingest([PAGES], s)
    before = _snapshot(db)
    with Store(db) as s:
        second = ingest([PAGES], s)
    assert _snapshot(db) == before
    assert second.stored == 0 and second.reposts == 0
    assert second.duplicates == first.read - first.quarantined and second.balanced


def test_sigkill_mid_ingest_then_rerun_equals_clean_run(tmp_path):
    src = tmp_path / "tweets.jsonl"
    _write_tweets(src, 60_000)
    clean, killed = tmp_path / "clean.duckdb", tmp_path / "killed.duckdb"
    cmd = [sys.executable, "-m", "groundswell.cli", "ingest", str(src), "--batch-size", "2000"]
    subprocess.run([*cmd, "--db", str(clean)], check=True, capture_output=True)
    # same pseudonymisation key, so author pseudonyms are comparable across the two stores
    (tmp_path / "killed.duckdb.key").write_text((tmp_path / "clean.duckdb.key").read_text())
    proc = subprocess.Popen(
        [*cmd, "--db", str(killed)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.time() + 60
    wal = tmp_path / "killed.duckdb.wal"
    while time.time() < deadline and not (wal.exists() and wal.stat().st_size > 200_000):
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with Store(killed, read_only=True) as s:
        partial = s.con.execute("SELECT count(*) FROM posts").fetchone()[0]
    clean_snap = _snapshot(clean)
    assert partial < len(clean_snap["posts"])  # the kill really landed mid-run
    subprocess.run([*cmd, "--db", str(killed)], check=True, capture_output=True)
    assert _snapshot(killed) == clean_snap


def test_forget_removes_everywhere_and_survives_reingest(tmp_path):
    db = tmp_path / "f.duckdb"
    with Store(db) as s:
        ingest([PAGES], s)
        s.con.execute("CREATE TABLE acts (platform VARCHAR, id VARCHAR, act VARCHAR)")
        s.con.execute("INSERT INTO acts SELECT platform, id, 'support' FROM posts")
        removed = forget(s, ["1003", "9001"])  # a post id and a raw author id
        # 9001 wrote 1001; 1002 reposts 1001 and goes with it
        assert removed == {"posts": 2, "reposts": 1, "acts": 2}
        again = ingest([PAGES], s)
        assert again.stored == again.reposts == 0 and again.forgotten == 3 and again.balanced
        ids = [
            r[0]
            for r in s.con.execute("SELECT id FROM posts UNION ALL SELECT id FROM acts").fetchall()
        ]
        assert sorted(ids) == ["1004", "1004"]


def test_export_jsonl_pseudonymised_and_masked(tmp_path):
    db = tmp_path / "e.duckdb"
    src = tmp_path / "one.jsonl"
    tweet = {
        "id": "42",
        "text": "write me at jane.doe@example.org or 555-123-4567 #MeToo",
        "author_id": "777",
        "created_at": "2017-10-15T20:00:00.000Z",
        "entities": {"hashtags": [{"start": 49, "end": 55, "tag": "MeToo"}]},
    }
    src.write_text(
        json.dumps(
            {
                "data": [tweet],
                "includes": {"users": [{"id": "777", "username": "janedoe", "name": "Jane Doe"}]},
            }
        )
        + "\n"
    )
    with Store(db) as s:
        ingest([src, PAGES], s)
        n = export_posts(s, "jsonl", tmp_path / "out.jsonl")
        export_posts(s, "parquet", tmp_path / "out.parquet")
        export_posts(s, "csv", tmp_path / "out.csv")
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert n == len(rows) == 5
    first = rows[0]
    assert first["id"] == "42" and first["created_at"] == "2017-10-15T20:00:00Z"
    assert first["text"] == "write me at [email] or [phone] #MeToo"
    assert first["author"].startswith("u_") and first["hashtags"] == ["#metoo"]
    for key in (
        "platform",
        "id",
        "author",
        "created_at",
        "text",
        "hashtags",
        "lang",
        "reply_to",
        "quote_of",
        "repost_of",
    ):
        assert key in first
    everything = (tmp_path / "out.jsonl").read_text() + (tmp_path / "out.csv").read_text()
    # as whole tokens: a short id may occur by chance inside a pseudonym's hex digits
    for secret in ("777", "janedoe", "Jane Doe", "9001", "river_stone"):
        assert not re.search(rf"(?<![0-9a-z_]){re.escape(secret)}(?![0-9a-z_])", everything)
    key = (tmp_path / "e.duckdb.key").read_text().strip()
    assert key not in everything
    assert pq.read_table(tmp_path / "out.parquet").num_rows == 5


def test_cli_ingest_stats_json_and_exit_codes(tmp_path, capsys):
    db = str(tmp_path / "c.duckdb")
    assert main(["ingest", str(PAGES), "--db", db, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["read"] == out["stored"] + out["duplicates"] + out["reposts"] + out["quarantined"]
    assert out["by_format"] == {"twitter_v2": 6}
    assert main(["stats", "--db", db, "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert (st["posts"], st["articles"], st["quarantined"], st["by_platform"]) == (
        None,  # three authors: the store is a small cell, its posts withheld as in the report
        0,
        0,
        {"twitter": None},  # three authors: a small cell, withheld
    )
    assert st["suppressed"] == ["posts", "reposts", "by_platform.twitter"]  # one reposter
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"\x00")
    assert main(["ingest", str(bad), "--db", db]) == 2
    assert capsys.readouterr().err.strip() == (
        f"groundswell: error: {bad}: nothing could be read (no known format); "
        "use --format and --map for a generic CSV/JSONL"
    )
    assert main(["stats", "--db", str(tmp_path / "missing.duckdb")]) == 3


def test_stats_counts_match_tables(tmp_path):
    with Store(tmp_path / "s.duckdb") as s:
        ingest([PAGES], s)
        st = stats(s)
        reposts = s.con.execute("SELECT count(*) FROM reposts").fetchone()[0]
    # three posts by three authors: fewer than 10, so the count is withheld (CODEBOOK 7)
    assert st["posts"] is None and "posts" in st["suppressed"]
    # one repost by one account: withheld too
    assert st["reposts"] is None and "reposts" in st["suppressed"]
    assert reposts == 1
    assert st["undated"] == 0 and not st["synthetic"]


def test_second_process_gets_a_clear_lock_message(tmp_path, capsys):
    db = tmp_path / "locked.duckdb"
    with Store(db):
        pass
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from groundswell.store import Store; s = Store(sys.argv[1]); "
            "print('held', flush=True); time.sleep(30)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        assert main(["stats", "--db", str(db)]) == 3
        err = capsys.readouterr().err
        assert "in use by another groundswell process" in err and str(db) in err
    finally:
        holder.kill()
        holder.wait()


def test_several_bad_tweets_of_one_page_are_each_counted_quarantined(tmp_path):
    """A twarc2 page (one line) with three tweets that lost their text: three quarantined
    records, not one and two 'duplicates'; the store keeps one row for the line, naming them."""
    lines = PAGES.read_text(encoding="utf-8").splitlines()
    page = json.loads(lines[0])
    extra = [{"id": f"99{i}", "author_id": "1"} for i in range(3)]  # no text
    page["data"] = [*page["data"], *extra]
    path = tmp_path / "pages.jsonl"
    path.write_text("\n".join([json.dumps(page), *lines[1:]]) + "\n", encoding="utf-8")
    with Store(tmp_path / "clean.duckdb") as clean_store:
        clean = ingest([PAGES], clean_store)
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([path], store, bulk=False)
        rows = store.con.execute("SELECT line, reason FROM quarantine").fetchall()
    assert report.balanced and report.read == clean.read + 3
    assert report.quarantined == clean.quarantined + 3
    assert report.duplicates == clean.duplicates
    ((line, reason),) = rows
    assert line == 1 and "+2 more bad records of this line" in reason


def test_a_long_query_writes_no_progress_bar_to_stdout(tmp_path):
    """DuckDB draws a progress bar on stdout (fd 1) for a query past 2 s, whatever stdout is:
    `export --out /dev/stdout | ...`, `stats --json | jq` on a big store got it mixed into
    their output. The store's connections never draw it (checked in a process of its own:
    DuckDB leaves the bar off under pytest's capture)."""
    db = tmp_path / "s.duckdb"
    with Store(db):
        pass
    probe = (
        "import sys; from groundswell.store import Store\n"
        "q = \"SELECT current_setting('enable_progress_bar')\"\n"
        "for read_only in (False, True):\n"
        "    with Store(sys.argv[1], read_only=read_only) as s:\n"
        "        print(s.con.execute(q).fetchone()[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(db)], check=True, capture_output=True, text=True
    ).stdout
    assert out.split() == ["False", "False"]
