"""What a batch of posts costs to write as the store grows, against a plain anti-join baseline.

For each store size (posts with time-ordered ids, as a year of exports is), one batch of new
posts is written by the store's own insert (``Store._insert``: the keys the batch shares with
the store found by a semi-join built on the batch, then the anti-join against those), and by
the plain anti-join that hashes the whole posts table (the baseline), in the same process, on
the same store, each rolled back. Two batches: the next posts in time (the usual case: their id
range lies past the stored ones) and posts with ids scattered over the stored range (the worst
case: every row group may hold one of them). Prints ms per batch and the ratio to the baseline.

Usage: python bench/store_growth.py [--sizes 100000,1000000,5000000] [--batch 20000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from groundswell.store import Store
from groundswell.store.db import POST_ARROW_SCHEMA

FIRST_ID = 920_000_000_000_000_000  # a Twitter id of October 2017
STEP = 1_000  # ids grow with time; ``STEP`` apart leaves room for scattered ones


NEW = datetime(2017, 10, 15)  # the new posts' time (their ids run on after the store's)


def grow(store: Store, start: int, end: int) -> None:
    """Posts ``start`` to ``end`` (ids time-ordered), written by SQL: no Python per row."""
    store.con.execute(
        "INSERT INTO posts SELECT 'twitter', CAST(? + i * ? AS VARCHAR), NULL, "
        "'u_' || (i % 50000), NULL, TIMESTAMP '2017-10-15' + INTERVAL (i // 20) SECOND, 'en', "
        "'me too #metoo', "
        "['#metoo'], [], [], NULL, NULL, NULL, 'bench', 'bench', i, true, NULL "
        "FROM range(?, ?) r(i)",
        [FIRST_ID, STEP, start, end],
    )
    store.checkpoint()


def posts_table(ids: list[str], authors: list[str], text: str, when: datetime) -> pa.Table:
    """Generated posts as the store's Arrow schema (also bench/forget.py's)."""
    n = len(ids)
    cols = {
        "platform": ["twitter"] * n,
        "id": ids,
        "url": [None] * n,
        "author": authors,
        "author_name": [None] * n,
        "created_at": [when] * n,
        "lang": ["en"] * n,
        "text": [text] * n,
        "hashtags": [["#metoo"]] * n,
        "mentions": [[]] * n,
        "urls": [[]] * n,
        "reply_to": [None] * n,
        "quote_of": [None] * n,
        "metrics": [None] * n,
        "format": ["bench"] * n,
        "source_file": ["bench"] * n,
        "source_line": list(range(n)),
        "synthetic": [True] * n,
        "author_handle_key": [None] * n,
    }
    return pa.table(cols, schema=POST_ARROW_SCHEMA)


def batch(ids: list[int]) -> pa.Table:
    return posts_table([str(i) for i in ids], ["u_new"] * len(ids), "a new post #metoo", NEW)


def timed(store: Store, run, repeat: int) -> tuple[float, int]:
    """Median seconds of ``run()`` in a transaction rolled back each time; rows it inserted."""
    times, inserted = [], 0
    for _ in range(repeat):
        store.con.execute("BEGIN TRANSACTION")
        t = time.perf_counter()
        inserted = run()
        times.append(time.perf_counter() - t)
        store.con.execute("ROLLBACK")
    return statistics.median(times), inserted


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000,1000000,5000000")
    ap.add_argument("--batch", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "grow.duckdb") as store:
        have = 0
        for size in sizes:
            grow(store, have, size)
            have = size
            cases = {
                "next in time": [FIRST_ID + (size + i) * STEP for i in range(args.batch)],
                "scattered": [FIRST_ID + rng.randrange(size) * STEP + 1 for _ in range(args.batch)],
            }
            for name, ids in cases.items():
                tbl = batch(ids)

                def ours(tbl: pa.Table = tbl) -> int:
                    return store._insert("posts", tbl, tbl.num_rows)[0]

                def plain(tbl: pa.Table = tbl) -> int:
                    store.con.register("plain_batch", tbl)
                    try:
                        return store.con.execute(
                            "INSERT INTO posts SELECT * FROM plain_batch b WHERE NOT EXISTS "
                            "(SELECT 1 FROM posts x WHERE x.platform = b.platform AND x.id = b.id)"
                        ).fetchone()[0]
                    finally:
                        store.con.unregister("plain_batch")

                base, n_base = timed(store, plain, args.repeat)
                took, n = timed(store, ours, args.repeat)
                assert n == n_base == args.batch, (n, n_base)
                print(
                    f"store {size:>10,} posts, {args.batch:,} {name:12s}: store insert "
                    f"{took * 1000:7.0f} ms, plain anti-join {base * 1000:7.0f} ms, "
                    f"ratio {took / base:.2f}"
                )


if __name__ == "__main__":
    main()
