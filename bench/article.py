"""Cost of ``groundswell article`` on long generated op-eds, against splitting them into sentences.

Writes HTML op-eds of growing size (paragraphs of everyday op-ed sentences naming public figures,
claims and a personal account, with links and scripts), reads each with the article reader and
analyses it (stance, claims, people, hashtags), and prints seconds per MB and the ratio to the
baseline run in the same process: the article's sentence split alone. Time per MB that stays
flat as the page grows is linear work; a ratio that climbs with the size is not.
Usage: python bench/article.py [--sizes 0.25,0.5,1] [--method auto|model|lexicon]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

SENTENCES = [
    "The #MeToo movement forced a reckoning with abuse of power in offices and studios.",
    "Critics call it a witch hunt that ruins careers before any court has heard the case.",
    "Survivors who spoke up were met with doubt, and many lost their jobs for it.",
    "Tarana Burke began the campaign a decade before the hashtag spread in 2017.",
    "Due process matters, and an accusation is not yet a verdict.",
    "My former editor cornered me in a hotel room, and nobody at the paper wanted to know.",
    "The reporting in The New York Times named Harvey Weinstein and changed the industry.",
    "They lost everything: the job, the friends, the trust that someone would listen.",
    "We should believe women, and we should also weigh the evidence with care.",
    "Online mobs do not care about nuance, and a reputation can end overnight.",
]


def page(size: int, seed: int = 7) -> str:
    """An HTML op-ed of about ``size`` bytes."""
    rng = random.Random(seed)
    parts = [
        "<!doctype html><html><head><title>What #MeToo changed</title>"
        '<meta property="article:published_time" content="2018-03-12"></head><body>'
        "<article><h1>What #MeToo changed</h1>"
    ]
    n = len(parts[0])
    while n < size:
        body = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(3, 8)))
        body = body.replace("Weinstein", '<a href="https://example.org/w">Weinstein</a>')
        chunk = f"<p>{body}</p>\n"
        if rng.random() < 0.05:
            chunk += f'<script>var note = "{"x" * 200}";</script>\n'
        parts.append(chunk)
        n += len(chunk)
    parts.append("</article></body></html>")
    return "".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="0.25,0.5,1", help="page sizes in MB, comma-separated")
    ap.add_argument("--method", default="auto", choices=["auto", "model", "lexicon"])
    args = ap.parse_args()

    from groundswell.analyze.article import analyze_article
    from groundswell.analyze.article_sentences import split_sentences
    from groundswell.ingest import iter_records
    from groundswell.schema import Article

    analyze_article(" ".join(SENTENCES), method=args.method)  # loads the model: not timed
    with tempfile.TemporaryDirectory() as tmp:
        head = ("MB", 5), ("sentences", 9), ("split s", 8), ("article s", 9), ("s/MB", 6)
        print(" ".join(f"{name:>{width}}" for name, width in head), f"{'ratio':>7}")
        for mb in (float(x) for x in args.sizes.split(",")):
            path = Path(tmp) / f"oped-{mb}.html"
            path.write_text(page(int(mb * 1_000_000)), encoding="utf-8")
            (article,) = [r for r in iter_records([str(path)], fmt="article")]
            assert isinstance(article, Article), article
            t = time.perf_counter()
            sentences = split_sentences(article.text)
            base = time.perf_counter() - t
            t = time.perf_counter()
            analyze_article(article, method=args.method)
            took = time.perf_counter() - t
            print(
                f"{mb:>5} {len(sentences):>9,} {base:>8.2f} {took:>9.2f} {took / mb:>6.1f} "
                f"{took / max(base, 1e-9):>7.0f}"
            )


if __name__ == "__main__":
    main()
