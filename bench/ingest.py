"""Ingest throughput per format vs a bare orjson parse loop over the same file, in one process.

For each format (twarc2 response pages, ``twarc2 flatten`` output, v1.1 stream lines, Reddit
comment dumps) generates N records, then measures in the same process: (a) the baseline,
orjson.loads over every line, counting records; (b) a full `groundswell.store.ingest` of the same
file into a fresh DuckDB file. Prints records/s of both and the ratio per format (target >= 0.5),
and (c) how long DuckDB alone takes to write the same posts in the same transactions: the share
of the ingest no parser can save.
Usage: python bench/ingest.py [--n 200000] [--formats pages,flat,v1,reddit] [--repeat 3]
[--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import orjson

TAGS = [
    "MeToo",
    "metoo",
    "TimesUp",
    "HimToo",
    "ItWasMe",
    "IWill",
    "WhyIDidntReport",
    "BelieveWomen",
]
WORDS = [
    "it",
    "happened",
    "to",
    "me",
    "when",
    "I",
    "was",
    "at",
    "work",
    "and",
    "nobody",
    "believed",
    "a",
    "word",
    "of",
    "what",
    "I",
    "said",
    "about",
    "my",
    "boss",
    "the",
    "news",
    "today",
    "reports",
    "another",
    "accusation",
    "against",
    "a",
    "director",
    "I",
    "stand",
    "with",
    "you",
    "survivors",
    "this",
    "is",
    "a",
    "witch",
    "hunt",
]


T0 = 1508025600  # 2017-10-15


def _content(rng: random.Random) -> tuple[list[str], str]:
    tags = rng.sample(TAGS, rng.randint(0, 3))
    words = " ".join(rng.choices(WORDS, k=rng.randint(8, 40)))
    return tags, words + " " + " ".join("#" + t for t in tags)


def _v2_tweet(rng: random.Random, i: int, uid: str) -> dict:
    tags, text = _content(rng)
    ts = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(T0 + i * 5))
    tweet = {
        "id": str(10**18 + i),
        "text": text,
        "author_id": uid,
        "created_at": ts,
        "lang": "en",
        "conversation_id": str(10**18 + i),
        "edit_history_tweet_ids": [str(10**18 + i)],
        "public_metrics": {
            "retweet_count": rng.randrange(50),
            "reply_count": 0,
            "like_count": rng.randrange(200),
            "quote_count": 0,
        },
        "entities": {"hashtags": [{"start": 0, "end": 1, "tag": t} for t in tags]},
    }
    if i % 5 == 0 and i > 0:
        tweet["referenced_tweets"] = [{"type": "replied_to", "id": str(10**18 + i - 1)}]
    return tweet


def generate_pages(path: Path, n: int, seed: int = 7, first: int = 0) -> None:
    """n tweets as twarc2 pages (100 tweets + includes.users per line); ids from ``first``."""
    rng = random.Random(seed)
    with open(path, "wb") as fh:
        for start in range(first, first + n, 100):
            data, users = [], {}
            for i in range(start, min(start + 100, first + n)):
                uid = str(rng.randrange(200_000))
                users[uid] = {"id": uid, "username": f"user{uid}", "name": f"User {uid}"}
                data.append(_v2_tweet(rng, i, uid))
            page = {
                "data": data,
                "includes": {"users": list(users.values())},
                "meta": {"result_count": len(data)},
            }
            fh.write(orjson.dumps(page) + b"\n")


def generate_flat(path: Path, n: int, seed: int = 7, first: int = 0) -> None:
    """n tweets as ``twarc2 flatten`` writes them: one per line, author and __twarc inlined."""
    rng = random.Random(seed)
    twarc = {"url": "https://api.twitter.com/2/tweets/search/all", "version": "2.14.0"}
    with open(path, "wb") as fh:
        for i in range(first, first + n):
            uid = str(rng.randrange(200_000))
            tweet = _v2_tweet(rng, i, uid)
            tweet["author"] = {"id": uid, "username": f"user{uid}", "name": f"User {uid}"}
            tweet["__twarc"] = twarc
            fh.write(orjson.dumps(tweet) + b"\n")


def generate_v1(path: Path, n: int, seed: int = 7, first: int = 0) -> None:
    """n v1.1 stream tweets, one per line (twarc1)."""
    rng = random.Random(seed)
    with open(path, "wb") as fh:
        for i in range(first, first + n):
            uid = str(rng.randrange(200_000))
            tags, text = _content(rng)
            tweet = {
                "created_at": time.strftime("%a %b %d %H:%M:%S +0000 %Y", time.gmtime(T0 + i * 5)),
                "id": 10**18 + i,
                "id_str": str(10**18 + i),
                "text": text,
                "user": {"id": int(uid), "id_str": uid, "screen_name": f"user{uid}"},
                "entities": {
                    "hashtags": [{"text": t, "indices": [0, 1]} for t in tags],
                    "user_mentions": [],
                    "urls": [],
                },
                "retweet_count": rng.randrange(50),
                "favorite_count": rng.randrange(200),
                "lang": "en",
                "timestamp_ms": str((T0 + i * 5) * 1000),
            }
            fh.write(orjson.dumps(tweet) + b"\n")


def generate_reddit(path: Path, n: int, seed: int = 7, first: int = 0) -> None:
    """n Reddit comments as a Pushshift/Arctic Shift dump writes them (NDJSON)."""
    rng = random.Random(seed)
    with open(path, "wb") as fh:
        for i in range(first, first + n):
            _, text = _content(rng)
            cid = f"d{i:06x}"
            comment = {
                "author": f"user{rng.randrange(200_000)}",
                "body": text,
                "created_utc": T0 + i * 5,
                "id": cid,
                "link_id": "t3_75xyz",
                "name": f"t1_{cid}",
                "parent_id": "t3_75xyz",
                "score": rng.randrange(100),
                "subreddit": "MeToo",
                "subreddit_id": "t5_2qh1i",
            }
            fh.write(orjson.dumps(comment) + b"\n")


FORMATS = {  # name: (file name, generator, records in one parsed line)
    "pages": ("tweets.jsonl", generate_pages, lambda obj: len(obj["data"])),
    "flat": ("flat.jsonl", generate_flat, lambda obj: 1),
    "v1": ("v1.jsonl", generate_v1, lambda obj: 1),
    "reddit": ("RC_2017-10.ndjson", generate_reddit, lambda obj: 1),
}


def bare_parse(path: Path, count=lambda obj: 1) -> int:
    """The baseline: parse every line with orjson and count the records."""
    n = 0
    with open(path, "rb") as fh:
        for line in fh:
            n += count(orjson.loads(line))
    return n


def write_floor(db: Path, work: Path, batch_size: int = 20_000) -> float:
    """Seconds DuckDB alone takes to write the stored posts again into a fresh store, in the
    ingest's transactions (``batch_size`` rows each) and with its final checkpoint: what no
    parser can save."""
    from groundswell.store import Store

    with Store(db, read_only=True) as store:
        table = store.con.sql("SELECT * FROM posts").to_arrow_table()
    again = work / "floor.duckdb"
    for p in (again, Path(f"{again}.wal"), Path(f"{again}.key")):
        p.unlink(missing_ok=True)
    with Store(again) as store:
        t = time.perf_counter()
        for start in range(0, table.num_rows, batch_size):
            part = table.slice(start, batch_size)
            store.con.execute("BEGIN TRANSACTION")
            store._insert("posts", part, part.num_rows)
            store.con.execute("COMMIT")
        store.checkpoint()
        return time.perf_counter() - t


def bench_format(work: Path, name: str, n: int) -> tuple[float, float]:
    """Generate (unless kept), time the baseline, the ingest and DuckDB's share of it; returns
    (ratio, the ratio DuckDB's write alone would allow)."""
    from groundswell.store import Store, ingest

    file_name, generate, count = FORMATS[name]
    src = work / file_name
    if not src.exists():
        t = time.perf_counter()
        generate(src, n)
        print(
            f"[{name}] generated {n:,} records ({src.stat().st_size / 1e6:.0f} MB) "
            f"in {time.perf_counter() - t:.1f}s"
        )
    bare_parse(src, count)  # warm the page cache so both runs read from memory
    t = time.perf_counter()
    parsed = bare_parse(src, count)
    base_s = time.perf_counter() - t
    db = work / f"bench-{name}.duckdb"
    for p in (db, Path(f"{db}.wal"), Path(f"{db}.key")):
        p.unlink(missing_ok=True)
    t = time.perf_counter()
    with Store(db) as store:
        report = ingest([src], store, progress=False)
    ingest_s = time.perf_counter() - t
    assert report.balanced and report.stored + report.reposts == parsed, report
    ratio = (report.read / ingest_s) / (parsed / base_s)
    floor_s = write_floor(db, work)
    print(f"[{name}] bare orjson parse : {parsed / base_s:>10,.0f} records/s ({base_s:.1f}s)")
    print(
        f"[{name}] groundswell ingest: {report.read / ingest_s:>10,.0f} records/s ({ingest_s:.1f}s)"
    )
    print(
        f"[{name}] DuckDB write alone: {report.read / floor_s:>10,.0f} records/s ({floor_s:.1f}s; "
        f"caps the ratio at {base_s / floor_s:.2f})"
    )
    print(f"[{name}] ratio ingest / bare parse = {ratio:.2f} (target >= 0.5)")
    return ratio, base_s / floor_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--repeat", type=int, default=1, help="runs per format; medians shown")
    parser.add_argument("--keep", help="folder to keep the generated files and stores in")
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="gs-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    runs = {
        name: [bench_format(work, name, args.n) for _ in range(args.repeat)]
        for name in args.formats.split(",")
    }
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:,.0f} MB")
    print(
        f"ratios (median of {args.repeat}): "
        + ", ".join(f"{k} {statistics.median(r for r, _ in v):.2f}" for k, v in runs.items())
    )
    print(
        "DuckDB write alone caps them at: "
        + ", ".join(f"{k} {statistics.median(c for _, c in v):.2f}" for k, v in runs.items())
    )
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
