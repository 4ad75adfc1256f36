"""Deletion-list cost: ``forget`` of N ids (default 100,000: half post ids, half raw author ids)
on a store of M posts (default 1,000,000), vs a bare DuckDB delete of the same post ids through
a temporary table in the same process. Prints seconds and the ratio to the baseline.
Usage: python bench/forget.py [--ids 100000] [--posts 1000000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from groundswell.store import Store
from groundswell.store.forget import forget
from store_growth import posts_table  # bench/: the script's own folder


def _fill(store: Store, n: int) -> None:
    authors = [store.pseudonym("twitter", str(i % 50_000)) for i in range(n)]
    ids = [str(10**9 + i) for i in range(n)]
    tbl = posts_table(ids, authors, "me too #metoo", datetime(2017, 10, 16))  # noqa: F841
    store.con.execute("INSERT INTO posts SELECT * FROM tbl")
    store.checkpoint()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ids", type=int, default=100_000)
    ap.add_argument("--posts", type=int, default=1_000_000)
    args = ap.parse_args()
    half = args.ids // 2
    post_ids = [str(10**9 + 7 * i) for i in range(half)]
    author_ids = [str(i) for i in range(0, 2 * (args.ids - half), 2)]
    with tempfile.TemporaryDirectory() as tmp:
        with Store(Path(tmp) / "base.duckdb") as store:
            _fill(store, args.posts)
            t = time.perf_counter()
            ids = pa.table({"id": post_ids})  # noqa: F841
            store.con.execute("DELETE FROM posts WHERE id IN (SELECT id FROM ids)")
            base = time.perf_counter() - t
        with Store(Path(tmp) / "forget.duckdb") as store:
            _fill(store, args.posts)
            t = time.perf_counter()
            removed = forget(store, post_ids + author_ids)
            took = time.perf_counter() - t
    print(f"baseline: bare delete of {half:,} post ids: {base:.2f} s")
    print(f"forget {args.ids:,} ids on {args.posts:,} posts: {took:.2f} s, removed {removed}")
    print(f"ratio forget / baseline: {took / base:.1f}")


if __name__ == "__main__":
    main()
