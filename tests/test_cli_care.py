"""The CLI's promises: bounded arguments as one-line usage errors (exit 2), store problems as
one-line errors (exit 3), no store left by a failed first ingest, thresholds that only go up,
and a quiet end when the reader of a pipe goes away."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys

try:
    import resource
except ImportError:  # not on Windows
    resource = None

import pytest

from groundswell.cli import main
from groundswell.store import Store, ingest
from gspaths import FIXTURES

PAGES = FIXTURES / "twitter_v2" / "pages.jsonl"
ROOT = FIXTURES.parents[1]

BAD_ARGUMENTS = [
    ["ingest", "x.jsonl", "--batch-size", "0"],
    ["ingest", "x.jsonl", "--batch-size", "-5"],
    ["ingest", "x.jsonl", "--map", "nocolumn"],
    ["demo", "--posts", "-1"],
    ["demo", "--posts", "10000000000"],
    ["demo", "--seed", "-1"],
    ["people", "--min-authors", "1"],
    ["people", "--min-authors", "24"],
    ["article", "a.txt", "--mixed-min-share", "0.9"],
    ["article", "a.txt", "--mixed-min-share", "nan"],
    ["classify", "--batch-size", "0"],
    ["classify", "--workers", "-1"],
    ["label", "-n", "0"],
    ["family", "#metoo", "--min-posts", "0"],
    ["family", "#metoo", "--min-authors", "1"],
    ["family", "#metoo", "--min-cooccurrence", "-1"],
    ["family", "#metoo", "--alpha", "0"],
    ["family", "#metoo", "--min-time-overlap", "2"],
    ["family", "#metoo", "--max-rounds", "0"],
    ["family", "#metoo", "--counter-share", "-0.1"],
    ["timeline", "--top-tags", "0"],
    ["timeline", "--baseline-days", "-1"],
    ["timeline", "--alpha", "inf"],
    ["timeline", "--persist-days", "0"],
    ["timeline", "--states", "100000"],
    ["timeline", "--s", "1"],
    ["timeline", "--gamma", "-1"],
    ["pileons", "--min-authors", "1"],
    ["pileons", "--window-hours", "-24"],
    ["pileons", "--min-ratio", "0"],
    ["pileons", "--baseline-days", "0"],
    ["pileons", "--window-hours", "ten"],
]


@pytest.mark.parametrize("argv", BAD_ARGUMENTS, ids=" ".join)
def test_out_of_range_numbers_are_one_line_usage_errors(argv, tmp_path, capsys):
    db = tmp_path / "never.duckdb"
    assert main([*argv, "--db", str(db)] if argv[0] not in ("demo", "article") else argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("groundswell ") and "error:" in err, err
    assert not db.exists() and not list(tmp_path.iterdir())


@pytest.mark.parametrize("command", ["stats", "report", "export", "ingest"])
def test_an_empty_store_name_is_a_usage_error(command, tmp_path, capsys, monkeypatch):
    # an empty --db opened the current folder: 'Is a directory', exit 3
    monkeypatch.chdir(tmp_path)
    argv = [command, "--db", ""] + (
        [str(FIXTURES / "twitter_v2" / "pages.jsonl")] * (command == "ingest")
    )
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--db" in err and "no store file" in err, err
    assert not list(tmp_path.iterdir())


def test_thresholds_may_be_raised(tmp_path, capsys):
    db = str(tmp_path / "t.duckdb")
    assert main(["ingest", str(PAGES), "--db", db]) == 0
    assert main(["pileons", "--db", db, "--min-authors", "10"]) == 0
    assert main(["people", "--db", db, "--min-authors", "40"]) == 0


def test_pileons_library_refuses_a_threshold_below_the_codebook(tmp_path):
    from groundswell.analyze.pileon import pileons
    from groundswell.errors import InputError

    with Store(tmp_path / "p.duckdb") as store, pytest.raises(InputError, match="below"):
        pileons(store, min_authors=1)


def test_failed_first_ingest_leaves_nothing_behind(tmp_path, capsys):
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"\x00")
    db = tmp_path / "new.duckdb"
    assert main(["ingest", str(bad), "--db", str(db)]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.bin"]
    capsys.readouterr()
    assert main(["stats", "--db", str(db)]) == 3
    assert "no such store" in capsys.readouterr().err
    # a key put there before (as when sharing a key between stores) is not removed
    (tmp_path / "new.duckdb.key").write_text("ab" * 32)
    assert main(["ingest", str(bad), "--db", str(db)]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.duckdb.key", "x.bin"]


def test_failed_later_ingest_keeps_the_store(tmp_path):
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"\x00")
    db = str(tmp_path / "s.duckdb")
    assert main(["ingest", str(PAGES), "--db", db]) == 0
    assert main(["ingest", str(bad), "--db", db]) == 2
    with Store(db, read_only=True) as store:
        assert store.con.execute("SELECT count(*) FROM posts").fetchone()[0] == 3


def test_full_disk_while_writing_the_store_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    def full(self, *a, **kw):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Store, "write_batch", full)
    db = tmp_path / "full.duckdb"
    assert main(["ingest", str(PAGES), "--db", str(db)]) == 3
    err = capsys.readouterr().err
    assert err == "groundswell: error: No space left on device\n"
    assert not db.exists()


def _flat_tweets(path, n: int) -> None:
    """``n`` flattened twarc2 tweets, enough to grow a store by megabytes."""
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            tweet = {
                "id": str(10**17 + i),
                "text": f"#MeToo test post {i} " + "words " * 20,
                "author_id": str(i % 500),
                "created_at": "2018-10-13T14:02:11.000Z",
                "author": {"id": str(i % 500), "username": f"user{i % 500}"},
            }
            fh.write(json.dumps(tweet) + "\n")


def _limited_files(limit: int):
    """A child process that may write no file past ``limit`` bytes, as on a full disk."""

    def limit_them() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past it fails instead

    return limit_them


@pytest.mark.skipif(resource is None, reason="no resource limits on this platform")
@pytest.mark.parametrize("existing", [False, True])
def test_a_store_that_cannot_grow_is_a_one_line_error(tmp_path, existing):
    """DuckDB itself meets the full disk (a write, or the checkpoint at the end): exit 3 with
    one line, a first ingest leaves nothing behind and an earlier store keeps its posts."""
    data, db = tmp_path / "flat.jsonl", tmp_path / "s.duckdb"
    _flat_tweets(data, 60_000)
    if existing:
        assert main(["ingest", str(PAGES), "--db", str(db)]) == 0
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run(
        [sys.executable, "-m", "groundswell.cli", "ingest", str(data), "--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=_limited_files(2_100_000),
        check=False,
    )
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.startswith("groundswell: error: ") and proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr
    if existing:
        with Store(db, read_only=True) as store:
            assert store.con.execute("SELECT count(*) FROM posts").fetchone()[0] == 3
    else:
        assert not db.exists()


def test_full_disk_while_exporting_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    import groundswell.store.export as export

    db = str(tmp_path / "e.duckdb")
    with Store(db) as store:
        ingest([PAGES], store)

    class Full:
        def __init__(self, *a, **kw):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device", "out.jsonl")

    monkeypatch.setattr(export, "open", Full, raising=False)
    out = tmp_path / "out.jsonl"
    assert main(["export", "--db", db, "--out", str(out)]) == 3
    err = capsys.readouterr().err
    assert err == f"groundswell: error: {out}: cannot write: No space left on device\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.duckdb", "e.duckdb.key"]


def test_closed_pipe_ends_quietly(tmp_path):
    db = str(tmp_path / "s.duckdb")
    with Store(db) as store:
        ingest([PAGES], store)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "groundswell.cli", "stats", "--db", db, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    proc.stdout.close()  # the reader is gone before the first line is written
    err = proc.stderr.read().decode()
    proc.wait()
    assert "Traceback" not in err and "BrokenPipe" not in err and err == ""
    assert proc.returncode == 141


@pytest.mark.parametrize("command", [["stats"], ["ingest", str(PAGES)], ["classify"], ["people"]])
def test_a_duckdb_file_of_another_tool_is_refused_untouched(tmp_path, capsys, command):
    """A DuckDB database that is not a store: exit 3 with one line, no table or key added."""
    import duckdb

    db = tmp_path / "theirs.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE posts (a INTEGER); INSERT INTO posts VALUES (1)")
    assert main([*command, "--db", str(db)]) == 3
    err = capsys.readouterr().err
    assert "not a groundswell store" in err and err.count("\n") == 1
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT table_name FROM duckdb_tables()").fetchall() == [("posts",)]
    assert not (tmp_path / "theirs.duckdb.key").exists()


def test_a_store_of_another_schema_version_is_refused(tmp_path, capsys):
    db = tmp_path / "old.duckdb"
    with Store(db) as store:
        ingest([PAGES], store)
        store.con.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    assert main(["stats", "--db", str(db)]) == 3
    assert "schema 0" in capsys.readouterr().err


def test_stats_withholds_platforms_and_acts_of_few_authors(tmp_path, capsys):
    """`stats` counts a platform or act only when 10 distinct authors stand behind it; the act
    shares withhold the same acts (CODEBOOK section 7)."""
    from datetime import datetime

    from groundswell.schema import Post

    db = tmp_path / "s.duckdb"
    texts = ["Me too. It happened to me at work. #MeToo", "I believe you, so brave #MeToo"]
    posts = [
        Post(platform="twitter", id=f"t{i}", text=texts[i % 2], author=f"a{i}",
             created_at=datetime(2018, 1, 1))
        for i in range(24)
    ]  # fmt: skip
    posts += [
        Post(platform="reddit", id=f"r{i}", text=texts[0], author="lonely",
             created_at=datetime(2018, 1, 2))
        for i in range(3)
    ]  # fmt: skip
    with Store(db) as store:
        store.write_batch(posts)
    assert main(["classify", "--db", str(db), "--model", "student"]) == 0
    capsys.readouterr()
    assert main(["stats", "--db", str(db), "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    # 27 posts = twitter + reddit: twitter is withheld too, or reddit would be 27 - 24
    assert st["posts"] == 27
    assert st["by_platform"] == {"twitter": None, "reddit": None}
    assert {"by_platform.reddit", "by_platform.twitter"} <= set(st["suppressed"])
    assert "by_platform.twitter" in st["withheld"]
    with Store(db, read_only=True) as store:
        authors = dict(
            store.con.execute(
                "SELECT a.act, count(DISTINCT p.author) FROM posts p JOIN acts a "
                "USING (platform, id) GROUP BY 1"
            ).fetchall()
        )
    for act, n in st["acts"].items():  # a small act is withheld, and any other only beside one
        withheld = f"acts.{act}" in st["withheld"]
        assert (n is None) == (authors[act] < 10 or withheld), act
        assert not withheld or authors[act] >= 10
    assert sum(f"acts.{a}" in st["suppressed"] for a in st["acts"]) != 1
    for row in st["act_shares"]["shares"]:
        small = 0 < authors.get(row["label"], 0) < 10
        hidden = small or row["withheld"]
        assert (row["share"] is None) == hidden and bool(row["suppressed"]) == hidden
    assert sum(bool(r["suppressed"]) for r in st["act_shares"]["shares"]) != 1
    assert main(["stats", "--db", str(db)]) == 0
    text = capsys.readouterr().out
    assert "reddit" in text and "< 10" in text and "withheld" in text


@pytest.mark.parametrize("as_json", [False, True], ids=["table", "json"])
def test_article_of_a_local_file_hides_private_names_and_addresses(tmp_path, capsys, as_json):
    essay = tmp_path / "oped.txt"
    essay.write_text(
        "The Movement Went Too Far, says Thaddeus Brownfield\n\n"
        "The #MeToo movement went too far, and it became a witch hunt against men like Harvey "
        "Weinstein and my colleague Thaddeus Brownfield. Write to me at jane.doe@example.com or "
        "@janedoe_writes.\n\n"
        "Due process matters, @janedoe_writes reminds us. My neighbour Marisol Quintero told me "
        "the accusations were a witch hunt, and Thaddeus agreed that public shaming ruins lives.\n",
        encoding="utf-8",
    )
    assert main(["article", str(essay), *(["--json"] if as_json else [])]) == 0
    out = capsys.readouterr().out
    for raw in ("Thaddeus", "Marisol", "Quintero", "jane.doe@example.com", "janedoe_writes"):
        assert raw not in out, raw
    assert "witch hunt" in out and "Harvey Weinstein" in out  # the public figure stays named
    assert "@[account] reminds us" in out
    if as_json:
        (row,) = json.loads(out)
        assert "[private person]" in row["title"]
        assert any("[private person]" in c["sentence"] for c in row["claims"])


def test_ingest_shows_quarantine_reasons_masked_and_the_store_keeps_them(tmp_path, capsys):
    """A reason may quote the bad value (an e-mail given as an id, a handle given as a reply
    id): the terminal and --json show it masked, as the report does; the quarantine keeps it."""
    path = tmp_path / "comments.ndjson"
    rows = [
        {
            "id": "jane.doe@example.com",
            "name": "t1_x",
            "author": "a",
            "body": "b",
            "created_utc": 1508112000,
            "link_id": "t3_q",
            "parent_id": "t3_q",
            "subreddit": "s",
        },
        {
            "id": "dpg1bbb",
            "name": "t1_dpg1bbb",
            "author": "a",
            "body": "me too",
            "created_utc": 1508112000,
            "link_id": "t3_q",
            "parent_id": "t3_q",
            "subreddit": "s",
        },
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = tmp_path / "s.duckdb"
    assert main(["ingest", str(path), "--db", str(db)]) == 0
    err = capsys.readouterr().err
    assert f"{path}:1: " in err and "jane.doe@example.com" not in err and "[email]" in err
    assert main(["ingest", str(path), "--db", str(tmp_path / "t.duckdb"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["errors"] and "jane.doe@example.com" not in json.dumps(out)
    with Store(db, read_only=True) as store:
        (reason,) = store.con.execute("SELECT reason FROM quarantine").fetchone()
    assert "jane.doe@example.com" in reason  # kept whole where only the store's owner reads it


def test_terminal_lines_of_ingest_and_errors_carry_no_escape_sequence(tmp_path, capsys):
    """A file name (an archive member's, say) and a bad value quoted in a reason may hold an
    ESC sequence or a bidi override: the terminal lines show them as visible escapes, as the
    tables do, and never rewrite or recolour the terminal."""
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "export\x1b[2J\x1b]0;owned\x07\u202e.ndjson"
    good = {"id": "dpg1bbb", "name": "t1_dpg1bbb", "author": "a", "body": "me too",
            "created_utc": 1508112000, "link_id": "t3_q", "parent_id": "t3_q",
            "subreddit": "s"}  # fmt: skip
    path.write_text(json.dumps(good) + "\nnot json \x1b[31m\n", encoding="utf-8")
    db = tmp_path / "s.duckdb"
    assert main(["ingest", str(folder), "--db", str(db)]) == 0
    err = capsys.readouterr().err
    assert "quarantined: " in err and "\\u001b[2J" in err and "\\u202e" in err
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in err
    assert main(["ingest", str(tmp_path / "missing\x1b[2J.ndjson"), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("groundswell: error: ") and "\x1b" not in err and "\\u001b" in err
