"""Response times of `groundswell serve` on a store of N posts (default 1,000,000).

Builds the store as ``bench/analyze.py`` does (DuckDB SQL: a year of posts, a #metoo family,
acts, a planted pile-on), or takes one with ``--db``. Starts the app under uvicorn in a thread,
times the snapshot and the background analyses, then requests every page and API endpoint
``--repeat`` times over HTTP: the first request of each (cold: computed, then kept for the
snapshot) and p50/p95 of the rest. The post browser is asked a different filter each time (tag,
act, platform, day range), so its numbers are uncached. Ratios are p95 over the baseline, measured
in the same run: one DuckDB ``count(*)`` group-by over the store's posts.
Usage: python bench/serve.py [--n 1000000] [--db FILE] [--keep DIR] [--repeat 30]
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

APIS = [
    "/api/status",
    "/api/facets",
    "/api/overview",
    "/api/overview?platform=twitter",
    "/api/timeline",
    "/api/family",
    "/api/testimonies",
    "/api/people",
    "/api/pileons",
    "/api/articles",
]


def baseline(db: Path, repeat: int) -> float:
    """Median seconds of one count(*) group-by over posts, read-only on the store file."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        con.execute(
            "SELECT platform, CAST(created_at AS DATE) AS day, count(*) FROM posts GROUP BY ALL"
        ).fetchall()
        times.append(time.perf_counter() - t)
    con.close()
    return statistics.median(times)


def post_filters(facets: dict, n: int) -> list[str]:
    """``n`` different post-browser queries over the store's tags, acts, platforms and days."""
    from datetime import date, timedelta

    first = date.fromisoformat(facets["first_day"])
    last = date.fromisoformat(facets["last_day"])
    span = max((last - first).days, 1)
    tags = facets["tags"][:10] or [""]
    acts = ["", *facets["acts"]]
    platforms = ["", *facets["platforms"]]
    out = []
    for i, (tag, act, platform) in enumerate(itertools.product(tags, acts, platforms)):
        if len(out) >= n:
            break
        start = first + timedelta(days=(i * 37) % span)
        end = start + timedelta(days=7 + (i * 11) % 60)
        q = {"tag": tag, "act": act, "platform": platform}
        if i % 3:
            q.update({"from": start.isoformat(), "to": end.isoformat()})
        out.append(
            "/api/posts?" + "&".join(f"{k}={v.replace('#', '%23')}" for k, v in q.items() if v)
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--db", help="an existing store to serve instead of a generated one")
    parser.add_argument("--keep", help="folder to keep the generated store in")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    import httpx

    from groundswell.serve import create_app, running
    from groundswell.serve.analyses import WARM
    from groundswell.serve.app import PAGES

    work = None
    if args.db:
        db = Path(args.db)
    else:
        sys.path.insert(0, str(Path(__file__).parent))
        from analyze import generated_store

        work = Path(args.keep or tempfile.mkdtemp(prefix="gs-bench-serve-"))
        work.mkdir(parents=True, exist_ok=True)
        db = generated_store(work / f"serve-{args.n}.duckdb", args.n)
    base = baseline(db, 10)
    print(f"baseline: one count(*) group-by over posts, median {base * 1000:.1f} ms")

    t = time.perf_counter()
    app = create_app(str(db))
    snap = app.state.holder.snapshot
    print(f"snapshot: {snap.seconds:.1f}s (store file held {snap.held:.1f}s for the copy, "
          "then rollups), app ready in "
          f"{time.perf_counter() - t:.1f}s")  # fmt: skip
    t = time.perf_counter()
    wanted = ("overview:", *WARM, "seed")
    while not all(n in snap._results for n in wanted) and time.perf_counter() - t < 900:
        time.sleep(0.2)
    while not any(n.startswith("family:") for n in snap._results) and time.perf_counter() - t < 900:
        time.sleep(0.2)
    print(f"analyses computed in the background in {time.perf_counter() - t:.1f}s")

    with running(app) as url:
        client = httpx.Client(base_url=url, timeout=600)
        facets = client.get("/api/facets").json()
        rows = []
        for path in [p for p, _, _ in PAGES] + APIS:
            times = []
            for _ in range(args.repeat + 1):
                t = time.perf_counter()
                r = client.get(path)
                times.append(time.perf_counter() - t)
                assert r.status_code == 200, (path, r.text[:200])
            rows.append((path, times[0], times[1:]))
        posts = post_filters(facets, args.repeat + 1)
        times = []
        for path in posts:
            t = time.perf_counter()
            assert client.get(path).status_code == 200, path
            times.append(time.perf_counter() - t)
        rows.append((f"/api/posts ({len(posts)} filters)", times[0], times[1:]))

    print(f"{'endpoint':<36} {'cold ms':>8} {'p50 ms':>8} {'p95 ms':>8} {'p95/base':>9}")
    for path, cold, rest in rows:
        rest.sort()
        p50 = statistics.median(rest)
        p95 = rest[min(len(rest) - 1, round(0.95 * (len(rest) - 1)))]
        print(f"{path:<36} {cold * 1000:>8.1f} {p50 * 1000:>8.1f} {p95 * 1000:>8.1f} "
              f"{p95 / base:>9.1f}")  # fmt: skip
    worst = max(sorted(rest)[round(0.95 * (len(rest) - 1))] for _, _, rest in rows)
    print(f"worst p95 {worst * 1000:.1f} ms (target < 200 ms)")
    if work is not None and not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
