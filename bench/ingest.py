"""Ingest throughput: twarc2 v2 pages into DuckDB vs a bare orjson parse loop over the same file.

Generates N v2 tweets (default 1,000,000) as twarc2 response pages of 100 tweets, then measures in
the same process: (a) the baseline, orjson.loads over every line, counting tweets; (b) a full
`groundswell.store.ingest` into a fresh DuckDB file. Prints posts/s of both and the ratio
(target >= 0.5). Usage: python bench/ingest.py [--n 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
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


def generate(path: Path, n: int, seed: int = 7) -> None:
    """Write n tweets as twarc2 pages (100 tweets + includes.users per line)."""
    rng = random.Random(seed)
    t0 = 1508025600  # 2017-10-15
    with open(path, "wb") as fh:
        for start in range(0, n, 100):
            data, users = [], {}
            for i in range(start, min(start + 100, n)):
                uid = str(rng.randrange(200_000))
                users[uid] = {"id": uid, "username": f"user{uid}", "name": f"User {uid}"}
                tags = rng.sample(TAGS, rng.randint(0, 3))
                words = " ".join(rng.choices(WORDS, k=rng.randint(8, 40)))
                text = words + " " + " ".join("#" + t for t in tags)
                ts = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t0 + i * 5))
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
                data.append(tweet)
            page = {
                "data": data,
                "includes": {"users": list(users.values())},
                "meta": {"result_count": len(data)},
            }
            fh.write(orjson.dumps(page) + b"\n")


def bare_parse(path: Path) -> int:
    """The baseline: parse every line with orjson and count the tweets."""
    n = 0
    with open(path, "rb") as fh:
        for line in fh:
            n += len(orjson.loads(line)["data"])
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--keep", help="folder to keep the generated file and store in")
    args = parser.parse_args()
    from groundswell.store import Store, ingest

    work = Path(args.keep or tempfile.mkdtemp(prefix="gs-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    src = work / "tweets.jsonl"
    if not src.exists():
        t = time.perf_counter()
        generate(src, args.n)
        print(
            f"generated {args.n:,} tweets ({src.stat().st_size / 1e6:.0f} MB) "
            f"in {time.perf_counter() - t:.1f}s"
        )
    bare_parse(src)  # warm the page cache so both runs read from memory

    t = time.perf_counter()
    parsed = bare_parse(src)
    base_s = time.perf_counter() - t
    db = work / "bench.duckdb"
    for p in (db, Path(f"{db}.wal"), Path(f"{db}.key")):
        p.unlink(missing_ok=True)
    t = time.perf_counter()
    with Store(db) as store:
        report = ingest([src], store, progress=False)
    ingest_s = time.perf_counter() - t
    assert report.balanced and report.stored == parsed, report
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bare orjson parse : {parsed / base_s:>10,.0f} tweets/s ({base_s:.1f}s)")
    print(
        f"groundswell ingest: {report.stored / ingest_s:>10,.0f} posts/s ({ingest_s:.1f}s), "
        f"peak RSS {rss:,.0f} MB"
    )
    print(
        f"ratio ingest / bare parse = {(report.stored / ingest_s) / (parsed / base_s):.2f} "
        "(target >= 0.5)"
    )
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
