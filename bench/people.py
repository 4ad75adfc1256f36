"""Named-people cost: ``people()`` over N tweet-length posts vs a bare Python loop over the texts.

Generates N posts (default 1,000,000; about 15% name a public figure in one of its alias forms,
3% accuse a made-up private person with a cue word) straight into a fresh DuckDB store, then
measures in the same process: (a) the baseline, reading every text from the store and splitting
it into words; (b) ``people(store)``, which builds ``person_mentions`` (discovery pass + lookup
pass + roles) and aggregates; (c) ``attention(store)`` from the built table; (d) optionally the
spaCy NER path on candidate posts (``--ner``), as posts/s and the candidate share. Prints
seconds, posts/s, the ratio to the baseline and peak RSS.
Usage: python bench/people.py [--n 1000000] [--ner] [--texts real_tweets.csv]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa

FIGURES = [
    "Harvey Weinstein",
    "Weinstein",
    "Weinstein's",
    "@Alyssa_Milano",
    "Alyssa Milano",
    "Kevin Spacey",
    "Tarana Burke",
    "Louis C.K.",
    "Dr. Ford",
    "Brett Kavanaugh",
    "Matt Lauer",
    "Larry Nassar",
]
GIVEN = ["Mark", "Sarah", "Peter", "Linda", "James", "Karen", "Tom", "Julie"]
SURNAMES = ["Dunmore", "Vasquez", "Okafor", "Lindqvist", "Brannigan", "Petrakis", "Holloway"]
TEMPLATES = [
    "Allegations against {p} keep coming #MeToo",
    "{p} says it happened to her too",
    "I believe {p}. #MeToo",
    "Thank you {p} for speaking up",
    "{p} resigns after the report",
]
PRIVATE = [
    "My manager {p} harassed me for two years #MeToo",
    "{p} groped me at the office party and HR did nothing",
]
CAPITALISED = [
    "in New York",
    "on Twitter",
    "at NBC News",
    "Thank you Sarah",
    "in Hollywood",
    "The Times",
    "Golden Globes",
    "Mark and I",
    "Capitol Hill",
    "on Monday",
]
_FILLER = """me too it happened at work and nobody believed a word of what I said about that night
so I stayed quiet for years until now"""
FILLER = _FILLER.split()


def make_posts(n: int, seed: int = 7, sample: list[str] | None = None) -> pa.Table:
    """N planted posts as an Arrow table in the posts schema; with ``sample``, the texts are
    those real texts over and over instead of the templates."""
    from groundswell.store.db import POST_ARROW_SCHEMA, POST_COLUMNS

    rnd = random.Random(seed)
    day0 = datetime(2017, 10, 15)
    texts, authors, times = [], [], []
    for i in range(n):
        r = rnd.random()
        if sample:
            text = sample[i % len(sample)]
        elif r < 0.15:
            text = rnd.choice(TEMPLATES).format(p=rnd.choice(FIGURES))
        elif r < 0.18:
            name = f"{rnd.choice(GIVEN)} {rnd.choice(SURNAMES)}"
            text = rnd.choice(PRIVATE).format(p=name)
        else:  # ordinary posts: a capitalised start, places, outlets, first names alone
            words = rnd.choices(FILLER, k=rnd.randint(8, 30))
            words[0] = words[0].capitalize()
            if rnd.random() < 0.5:
                words.insert(rnd.randrange(len(words)), rnd.choice(CAPITALISED))
            text = " ".join(words) + " #MeToo"
        texts.append(text)
        authors.append(f"u{rnd.randrange(n // 4 + 1)}")
        times.append(day0 + timedelta(minutes=i * 90 * 24 * 60 // n))
    cols = {k: [None] * n for k in POST_COLUMNS}
    cols.update(
        platform=["twitter"] * n,
        id=[str(i) for i in range(n)],
        author=authors,
        created_at=times,
        text=texts,
        synthetic=[True] * n,
    )
    return pa.table(cols, schema=POST_ARROW_SCHEMA)


def rss_mb() -> float:
    """Peak RSS of this process in MB (VmHWM: unlike ru_maxrss it is not inherited on exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(db: str, n: int, ner: bool) -> None:
    """The timed part, run in a fresh process so its peak RSS is people()'s own."""
    from groundswell.analyze.people import attention, people
    from groundswell.store import Store

    store = Store(db)
    print(f"posts: {n:,}; RSS after opening the store {rss_mb():,.0f} MB")
    t = time.perf_counter()
    words = 0
    for batch in store.con.sql("SELECT text FROM posts").to_arrow_reader(50_000):
        for text in batch.column(0).to_pylist():
            words += len(text.split())
    base = time.perf_counter() - t
    print(f"baseline read + split: {base:.1f} s ({n / base:,.0f} posts/s)")

    from groundswell.analyze.people import PeopleParams, _discover

    t = time.perf_counter()
    found = _discover(store, PeopleParams())
    print(f"  of which discovery (pass 1): {time.perf_counter() - t:.1f} s, {len(found)} names")
    t = time.perf_counter()
    frame = people(store)
    took = time.perf_counter() - t
    mentions = store.con.execute("SELECT count(*) FROM person_mentions").fetchall()[0][0]
    print(
        f"people(): {took:.1f} s ({n / took:,.0f} posts/s), ratio to baseline "
        f"{base / took:.2f}; {mentions:,} mentions, {len(frame)} rows; peak RSS {rss_mb():,.0f} MB"
    )
    t = time.perf_counter()
    att = attention(store)
    print(f"attention() on the built table: {time.perf_counter() - t:.2f} s, {len(att)} rows")
    if ner:
        from groundswell.analyze.people_ner import is_candidate, ner_person_names

        texts = [r[0] for r in store.con.execute("SELECT text FROM posts").fetchall()]
        share = sum(map(is_candidate, texts)) / len(texts)
        limit = 2_000
        t = time.perf_counter()
        ner_person_names(texts, limit=limit)
        rate = limit / (time.perf_counter() - t)
        print(
            f"NER on candidates: {rate:,.0f} posts/s; candidates {share:.1%} of posts, so all "
            f"candidates of 1 M posts would take {share * 1e6 / rate / 60:,.1f} min; "
            f"peak RSS with the model and all texts in a list {rss_mb():,.0f} MB"
        )
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--ner", action="store_true", help="also time the spaCy NER path")
    parser.add_argument("--texts", help="a CSV with a 'text' column to cycle through instead")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the child process's store
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.n, args.ner)
        return

    from groundswell.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.duckdb")
        with Store(db) as store:
            sample = None
            if args.texts:
                import csv

                with open(args.texts, encoding="utf-8") as fh:
                    sample = [row["text"] for row in csv.DictReader(fh) if row.get("text")]
            table = make_posts(args.n, sample=sample)
            store.con.register("bench_posts", table)
            store.con.execute("INSERT INTO posts SELECT * FROM bench_posts")
            store.con.unregister("bench_posts")
            store.checkpoint()
        cmd = [sys.executable, __file__, "--measure", db, "--n", str(args.n)]
        subprocess.run(cmd + (["--ner"] if args.ner else []), check=True)


if __name__ == "__main__":
    main()
