"""Helpers for the classifier tests: the hand-written fixture posts and a store filler."""

from __future__ import annotations

import csv
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "classify"
REPO = Path(__file__).resolve().parents[2]


def fixture_rows() -> list[dict[str, str]]:
    """The hand-written posts of tests/data/classify/posts.csv (id, text, act, lang)."""
    with (FIXTURES / "posts.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def fill_store(store, copies: int = 1) -> int:
    """Write the fixture posts ``copies`` times (ids suffixed) into ``store``; returns count."""
    from groundswell.schema import Post

    posts = [
        Post(
            platform="twitter",
            id=f"{r['id']}-{k}",
            text=r["text"],
            lang=r["lang"] or None,
            author=f"a{i % 7}",
        )
        for k in range(copies)
        for i, r in enumerate(fixture_rows())
    ]
    store.write_batch(posts)
    return len(posts)
