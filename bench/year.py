"""The #MeToo year, measured: ingest and classify (student) on the local and Ray engines.

Generates N real-shaped posts as export files (twarc2 pages, ``twarc2 flatten`` lines, v1.1
stream lines and a Reddit comment dump, with bench/ingest.py's generators, split over several
files so the Ray engine has files to spread), then, for each engine, runs in a fresh process:
``ingest`` into a new store, then ``classify --model student``. For each stage it reports
posts/s, the driver's peak RSS, and the peak of the summed proportional set size (PSS: shared
pages counted once) of the driver and every process it started (pool workers; Ray's workers,
raylet, GCS and object store), sampled every 0.5 s. The local engine is the baseline the ratios
are taken against, measured in the same run. Then it extrapolates the 19 M-post year.

Usage: python bench/year.py [--posts 1000000] [--files 16] [--engines local,ray]
                            [--classify-posts N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

YEAR = 19_000_000  # posts in #MeToo's first year on Twitter alone
GOAL_S = 30 * 60
GOAL_RSS_MB = 4 * 1024
MIX = {"pages": 0.5, "flat": 0.2, "v1": 0.2, "reddit": 0.1}  # shares of the posts per format


def generate(out: Path, posts: int, files: int) -> list[Path]:
    """``posts`` posts over ``files`` files in the MIX of formats, ids disjoint across files."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from ingest import FORMATS  # bench/ingest.py's generators

    out.mkdir(parents=True, exist_ok=True)
    paths, first = [], 0
    for fmt, share in MIX.items():
        name, gen, _ = FORMATS[fmt]
        n_files = max(1, round(files * share))
        per_file = round(posts * share / n_files)
        for k in range(n_files):
            path = out / f"{k:02d}-{name}"
            if not path.exists():
                gen(path, per_file, seed=1000 + first % 997, first=first)
            paths.append(path)
            first += per_file
    return paths


class PeakMemory:
    """Samples the summed PSS of this process and its descendants until stopped."""

    def __init__(self, every: float = 0.5) -> None:
        import psutil

        self._me = psutil.Process()
        self._every = every
        self._stop = threading.Event()
        self.peak_mb = 0.0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for proc in [self._me, *self._me.children(recursive=True)]:
                try:
                    total += proc.memory_full_info().pss
                except Exception:  # a process that ended between the listing and the read
                    continue
            self.peak_mb = max(self.peak_mb, total / 2**20)
            self._stop.wait(self._every)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def child(stage: str, engine: str, db: str, limit: int, corpus: list[str]) -> dict[str, Any]:
    """One stage on one engine in this (fresh) process; returns its measures."""
    from groundswell.classify import classify_store
    from groundswell.store import Store, ingest

    ray_start = 0.0
    with PeakMemory() as mem:
        if engine == "ray":  # started here so its start is timed apart and its workers sampled
            import ray

            from groundswell.engines.ray_session import LOCAL_OBJECT_STORE

            t = time.perf_counter()
            ray.init(
                num_cpus=os.cpu_count(),
                object_store_memory=LOCAL_OBJECT_STORE,
                include_dashboard=False,
                log_to_driver=False,
            )
            ray_start = time.perf_counter() - t
        t = time.perf_counter()
        with Store(db) as store:
            if stage == "ingest":
                report = ingest(corpus, store, progress=False, engine=engine)
                assert report.balanced, report
                posts = report.read
            else:
                batches = -(-limit // 2000) if limit else None  # classify's default batch size
                out = classify_store(store, "student", engine=engine, max_batches=batches)
                posts = out["classified"]
        seconds = time.perf_counter() - t
        if engine == "ray":
            import ray

            ray.shutdown()
    return {
        "posts": posts,
        "seconds": seconds,
        "ray_start": ray_start,
        "driver_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "total_mb": mem.peak_mb,
    }


def run_stage(stage: str, engine: str, db: Path, limit: int, corpus: list[Path]) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", stage, engine, str(db), str(limit)]
    cmd += [str(p) for p in corpus]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{stage} on {engine} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=16)
    parser.add_argument("--engines", default="local,ray")
    parser.add_argument(
        "--classify-posts",
        type=int,
        default=0,
        help="classify only this many of the stored posts (default: all)",
    )
    parser.add_argument("--keep", help="folder to keep the generated files and stores in")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        stage, engine, db, limit, *corpus = args.child
        print(json.dumps(child(stage, engine, db, int(limit), corpus)))
        return
    work = Path(args.keep or tempfile.mkdtemp(prefix="gs-year-"))
    t = time.perf_counter()
    corpus = generate(work / f"corpus-{args.posts}", args.posts, args.files)
    size = sum(p.stat().st_size for p in corpus) / 1e6
    print(
        f"{args.posts:,} posts in {len(corpus)} files ({size:,.0f} MB), "
        f"generated in {time.perf_counter() - t:.0f}s; {os.cpu_count()} cores"
    )
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    for engine in args.engines.split(","):
        db = work / f"{engine}-{args.posts}.duckdb"
        for p in (db, Path(f"{db}.wal"), Path(f"{db}.key")):
            p.unlink(missing_ok=True)
        rows[engine] = {
            s: run_stage(s, engine, db, args.classify_posts, corpus) for s in ("ingest", "classify")
        }
    base = rows.get("local") or next(iter(rows.values()))
    print()
    print(
        "| engine | stage | posts | s | posts/s | vs local | driver peak RSS MB "
        "| all processes peak PSS MB | Ray start s |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for engine, stages in rows.items():
        for stage, m in stages.items():
            rate = m["posts"] / m["seconds"]
            ratio = rate / (base[stage]["posts"] / base[stage]["seconds"])
            print(
                f"| {engine} | {stage} | {m['posts']:,} | {m['seconds']:.1f} | {rate:,.0f} "
                f"| {ratio:.2f} | {m['driver_mb']:,.0f} | {m['total_mb']:,.0f} "
                f"| {m['ray_start']:.1f} |"
            )
    print()
    print(
        f"extrapolated to the {YEAR:,}-post year (time linear in posts; memory as measured: "
        "each stage streams in bounded blocks and DuckDB's memory limit is 1 GB):"
    )
    for engine, stages in rows.items():
        secs = sum(YEAR / (m["posts"] / m["seconds"]) for m in stages.values())
        secs += sum(m["ray_start"] for m in stages.values())
        peak = max(m["total_mb"] for m in stages.values())
        met = secs < GOAL_S and peak < GOAL_RSS_MB
        print(
            f"  {engine}: {secs / 60:,.1f} min, peak {peak:,.0f} MB "
            f"-> goal (< 30 min, < 4 GiB) {'met' if met else 'NOT met'}"
        )
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
