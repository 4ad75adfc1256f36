"""A small real-shaped store for the dashboard: the demo corpus (600 posts in five export
formats), classified by the shipped student, plus hostile posts, a private person and a
forgotten author."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from serve_planted import FORGOTTEN, hostile_posts


@pytest.fixture(scope="session")
def serve_db(tmp_path_factory) -> Path:
    """The store file (closed), built once per test session."""
    from groundswell.classify import classify_store
    from groundswell.demo import write_corpus
    from groundswell.schema import Post
    from groundswell.store import Store, ingest
    from groundswell.store.forget import forget

    out = tmp_path_factory.mktemp("serve")
    write_corpus(out, posts=600, seed=21, probe=False)
    db = out / "serve.duckdb"
    with Store(db) as store:
        ingest([out / "corpus"], store, synthetic=True, progress=False)
        store.write_batch(hostile_posts())
        store.write_batch(
            [
                Post(
                    platform="twitter",
                    id="gone",
                    text="a post whose author asked to be forgotten #metoo",
                    created_at=datetime(2018, 12, 31, 13, tzinfo=UTC),
                    author=FORGOTTEN,
                    hashtags=["#metoo"],
                )
            ]
        )
        classify_store(store, model="student")
        forget(store, [FORGOTTEN])
    return db
