"""The same stage functions give the same results in process and in a process pool."""

from __future__ import annotations

import builtins

import pytest

from groundswell.engines import map_batches
from groundswell.errors import MissingExtraError
from groundswell.ingest import read_batches
from groundswell.schema import Post
from gspaths import FIXTURES


def tag_counts(batch: list) -> dict[str, int]:
    """A stage-shaped batch function: records in, a small table out."""
    out: dict[str, int] = {}
    for rec in batch:
        if isinstance(rec, Post):
            for tag in rec.hashtags:
                out[tag] = out.get(tag, 0) + 1
    return out


def test_pool_equals_in_process():
    paths = [FIXTURES / "twitter_v2" / "pages.jsonl", FIXTURES / "twitter"]
    batches = list(read_batches(paths, batch_size=3))
    assert len(batches) > 3
    serial = list(map_batches(tag_counts, batches))
    pooled = list(map_batches(tag_counts, iter(batches), workers=2, inflight=1))
    assert pooled == serial and any(serial)


def test_ray_engine_without_ray_says_which_extra(monkeypatch):
    real_import = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray":
            raise ImportError("no ray")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(MissingExtraError, match=r"groundswell\[scale\]"):
        list(map_batches(tag_counts, [[]], engine="ray"))
