"""Cost of the movement-shape analyses on a generated store of N posts (default 1,000,000).

Generates the store in DuckDB SQL (a year of posts: background tags, a #metoo family with a
spin-off, a counter-tag and allied tags, mentions, replies, an ``acts`` table and one planted
pile-on), then runs each method in its own child process so its peak memory is its own:
``family``, ``timeline`` (which grows the family first), ``pileons`` (with hostile wording), and
``hostility`` (scoring every post's text). Prints seconds and peak RSS of each, and the ratio of
its time to the baseline in the same run: one DuckDB group-by of posts per tag per day.
Usage: python bench/analyze.py [--n 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEXTS = [
    "it happened to me when I was at work and nobody believed me",
    "I stand with every survivor, I believe you",
    "this is a witch hunt and due process is dead",
    "women like her are lying sluts who want attention",
    "the director was accused of harassment and stepped down today",
    "I will speak up when I see it happen from now on",
    "it was me, I was the one who did not listen",
    "lovely weather for a walk by the river this weekend",
]
FAMILY = ["#timesup", "#himtoo", "#itwasme", "#balancetonporc", "#ihave", "#whyididntreport"]
ACTS = ["testimony", "support", "backlash", "backlash"]
ACTS += ["reporting", "pledge", "confession", "other"]


def generated_store(db: Path, n: int) -> Path:
    """The store at ``db``, generated first (n posts) when it does not exist yet."""
    from groundswell.store import Store

    if not db.exists():
        t = time.perf_counter()
        with Store(db) as store:
            generate(store, n)
        print(f"generated {n:,} posts in {time.perf_counter() - t:.1f}s")
    return db


def generate(store, n: int) -> None:
    """Write n posts and their acts with SQL (seeded), plus an 80-post pile-on."""
    con = store.con
    con.execute("SELECT setseed(0.42)")
    texts = "[" + ", ".join(f"'{t}'" for t in TEXTS) + "]"
    family = "[" + ", ".join(f"'{t}'" for t in FAMILY) + "]"
    con.execute(
        f"""
        CREATE TEMP TABLE gen AS
        SELECT i, random() AS r, random() AS r2, random() AS r3, random() AS r4
        FROM range({n}) t(i)"""
    )
    con.execute(
        f"""
        INSERT INTO posts (platform, id, author, created_at, text, hashtags, mentions, reply_to,
                           synthetic)
        SELECT 'twitter', i::VARCHAR, 'a' || (pow(r2, 2) * 200000)::INT::VARCHAR,
          TIMESTAMP '2017-01-01' + to_seconds(CASE WHEN r < 0.45 THEN (r4 * 365 * 86400)::BIGINT
               ELSE ((270 + least(-ln(1 - r4) * 20, 94)) * 86400)::BIGINT END),
          {texts}[1 + (r3 * 8)::INT % 8],
          CASE WHEN r < 0.45 THEN ['#bg' || (pow(r3, 2) * 60)::INT::VARCHAR]
               WHEN r < 0.95 THEN CASE WHEN r3 < 0.3
                   THEN ['#metoo', {family}[1 + (r2 * 6)::INT % 6]] ELSE ['#metoo'] END
               ELSE [{family}[1 + (r3 * 6)::INT % 6]] END,
          CASE WHEN r4 < 0.3 THEN ['h' || (pow(r2, 3) * 20000)::INT::VARCHAR] ELSE [] END,
          CASE WHEN r3 > 0.8 AND i > 0 THEN ((r * i)::BIGINT)::VARCHAR END,
          true
        FROM gen"""
    )
    con.execute(
        f"""
        INSERT INTO posts (platform, id, author, created_at, text, hashtags, mentions, synthetic)
        SELECT 'twitter', 'pile' || i::VARCHAR, 'mob' || (i % 60)::VARCHAR,
               TIMESTAMP '2017-10-20 10:00' + to_seconds(i * 400), {texts}[3 + i % 2],
               ['#metoo'], ['target_account'], true
        FROM range(80) t(i)"""
    )
    con.execute("CREATE TABLE acts (platform VARCHAR, id VARCHAR, act VARCHAR)")
    acts = "[" + ", ".join(f"'{a}'" for a in ACTS) + "]"
    con.execute(f"INSERT INTO acts SELECT platform, id, {acts}[1 + (hash(id) % 8)::INT] FROM posts")
    con.execute("DROP TABLE gen")
    store.checkpoint()


def run_method(db: str, method: str) -> dict:
    """In a child process: run one method on the store, report seconds and peak RSS."""
    from groundswell.store import Store

    with Store(db, read_only=True) as store:
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t = time.perf_counter()
        if method == "baseline":
            store.con.execute(
                "SELECT tag, created_at::DATE, count(*) FROM (SELECT created_at, "
                "unnest(hashtags) AS tag FROM posts) GROUP BY ALL"
            ).fetchall()
            rows = 0
        elif method == "family":
            from groundswell.analyze.family import family

            rows = len(family(store, "#metoo"))
        elif method == "timeline":
            from groundswell.analyze.timeline import timeline

            rows = len(timeline(store))
        elif method == "pileons":
            from groundswell.analyze.pileon import pileons

            rows = len(pileons(store))
        elif method == "hostility":
            from groundswell.analyze.hostility import hostile_scores

            reader = store.con.execute("SELECT text FROM posts").to_arrow_reader(100_000)
            rows = 0
            for batch in reader:
                rows += len(hostile_scores(batch.column(0).to_pylist()))
        else:
            raise SystemExit(f"unknown method {method}")
        seconds = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "method": method,
        "seconds": seconds,
        "peak_rss_mb": rss,
        "rss_before_mb": rss0,
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--keep", help="folder to keep the generated store in")
    parser.add_argument("--child", nargs=2, metavar=("DB", "METHOD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_method(*args.child)))
        return
    work = Path(args.keep or tempfile.mkdtemp(prefix="gs-bench-analyze-"))
    work.mkdir(parents=True, exist_ok=True)
    db = generated_store(work / f"analyze-{args.n}.duckdb", args.n)
    results = []
    for method in ("baseline", "family", "timeline", "pileons", "hostility"):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(db), method],
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    base = results[0]["seconds"]
    for r in results:
        print(
            f"{r['method']:<10} {r['seconds']:>7.2f}s  peak RSS {r['peak_rss_mb']:>6,.0f} MB "
            f"(after open {r['rss_before_mb']:,.0f} MB)  rows {r['rows']:>9,}  "
            f"x{r['seconds'] / base:>6.1f} baseline"
        )
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
