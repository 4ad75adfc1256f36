"""Summary counts of a store, for `groundswell stats`."""

from __future__ import annotations

from typing import Any

from groundswell.store.db import Store


def table_exists(store: Store, name: str) -> bool:
    """Whether a table exists in the store (derived tables appear once a stage has run)."""
    return bool(
        store.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
        ).fetchone()[0]
    )


def stats(store: Store) -> dict[str, Any]:
    """Counts of posts, reposts, articles, quarantined records, by platform and (once classified)
    by act."""
    con = store.con
    one = lambda q: con.execute(q).fetchone()[0]  # noqa: E731
    out: dict[str, Any] = {
        "posts": one("SELECT count(*) FROM posts"),
        "reposts": one("SELECT count(*) FROM reposts"),
        "articles": one("SELECT count(*) FROM articles"),
        "quarantined": one("SELECT count(*) FROM quarantine"),
        "forgotten": one("SELECT count(*) FROM forgotten"),
        "synthetic": bool(one("SELECT count(*) FROM posts WHERE synthetic")),
        "by_platform": dict(
            con.execute(
                "SELECT platform, count(*) FROM posts GROUP BY 1 ORDER BY 2 DESC"
            ).fetchall()
        ),
        "first_post": str(one("SELECT min(created_at) FROM posts")),
        "last_post": str(one("SELECT max(created_at) FROM posts")),
    }
    if table_exists(store, "acts"):
        out["acts"] = dict(
            con.execute("SELECT act, count(*) FROM acts GROUP BY 1 ORDER BY 2 DESC").fetchall()
        )
    return out
