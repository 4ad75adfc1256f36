"""Summary counts of a store, for `groundswell stats`."""

from __future__ import annotations

from typing import Any

from groundswell.care.suppress import MIN_CELL, complementary_cells
from groundswell.store.dates import out_of_span
from groundswell.store.db import Store


def table_exists(store: Store, name: str) -> bool:
    """Whether a table exists in the store (derived tables appear once a stage has run)."""
    return bool(
        store.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
        ).fetchone()[0]
    )


def _text(value: Any) -> str | None:
    """A time as text, None (JSON null, not "None") when the store holds no dated post."""
    return None if value is None else str(value)


# how many bad records a quarantined row stands for, as ingest counted them: one, and N more
# when its line held several ("(+N more bad records of this line: ...)", ``db._another_on_line``)
RECORDS_PER_ROW = (
    "(1 + coalesce(try_cast(regexp_extract(reason, "
    r"' \(\+(\d+) more bad records? of this line: ', 1) AS INTEGER), 0))"
)
QUARANTINED_RECORDS = f"SELECT coalesce(sum({RECORDS_PER_ROW}), 0)::BIGINT FROM quarantine"


def stats(store: Store) -> dict[str, Any]:
    """Counts of posts, reposts, articles, quarantined records, by platform and (once classified)
    by act (each post's latest label). A platform or act that fewer than ``MIN_CELL`` distinct
    authors stand behind reads None and is named in ``suppressed`` (CODEBOOK section 7), as
    are the posts of a store of fewer than 10 authors, and the further cells withheld so that
    none of those is the total less the cells shown (also named in ``withheld``)."""
    con = store.con
    one = lambda q: con.execute(q).fetchone()[0]  # noqa: E731
    out: dict[str, Any] = {
        "posts": one("SELECT count(*) FROM posts"),
        "reposts": one("SELECT count(*) FROM reposts"),
        "articles": one("SELECT count(*) FROM articles"),
        "quarantined": one(QUARANTINED_RECORDS),
        "forgotten": one("SELECT count(*) FROM forgotten"),
        "synthetic": bool(one("SELECT count(*) FROM posts WHERE synthetic")),
        "first_post": _text(one("SELECT min(created_at) FROM posts")),
        "last_post": _text(one("SELECT max(created_at) FROM posts")),
        "dated_out_of_span": out_of_span(con),
        "undated": one("SELECT count(*) FROM posts WHERE created_at IS NULL"),
    }
    suppressed: list[str] = []
    groups = {
        "by_platform": "SELECT platform, count(*), count(DISTINCT author) FROM posts GROUP BY 1",
    }
    if table_exists(store, "acts"):
        from groundswell.report.queries import latest_acts

        groups["acts"] = (
            "SELECT a.act, count(*), count(DISTINCT p.author) "
            f"FROM posts p JOIN {latest_acts(con)} a USING (platform, id) GROUP BY 1"
        )
    withheld: list[str] = []
    if 0 < one("SELECT count(DISTINCT author) FROM posts") < MIN_CELL:
        out["posts"] = None  # the whole store is a cell of fewer than 10 authors (as the report)
        suppressed.append("posts")
    if 0 < one("SELECT count(DISTINCT author) FROM reposts") < MIN_CELL:
        out["reposts"] = None  # reposts by fewer than 10 distinct authors (as the report)
        suppressed.append("reposts")
    for key, sql in groups.items():
        rows = sorted(con.execute(sql).fetchall(), key=lambda r: (-r[1], str(r[0])))
        # each breakdown sums to the posts shown above it: a second cell is withheld beside
        # a lone "< 10" one, so it is not the total less the cells shown
        small = [authors < MIN_CELL for _, _, authors in rows]
        extra = complementary_cells([n for _, n, _ in rows], small)
        out[key] = {}
        for i, (name, n, _) in enumerate(rows):
            hidden = small[i] or i in extra
            out[key][name] = None if hidden else n
            if hidden:
                suppressed.append(f"{key}.{name}")
            if i in extra:
                withheld.append(f"{key}.{name}")
    out["suppressed"] = suppressed
    out["withheld"] = withheld  # those of ``suppressed`` of 10 or more authors, hidden beside one
    return out


def act_authors(store: Store) -> dict[str, int]:
    """Distinct authors behind each act (each post's latest label), for withholding small
    cells of the act shares."""
    from groundswell.report.queries import latest_acts

    if not table_exists(store, "acts"):
        return {}
    return dict(
        store.con.execute(
            "SELECT a.act, count(DISTINCT p.author) "
            f"FROM posts p JOIN {latest_acts(store.con)} a USING (platform, id) GROUP BY 1"
        ).fetchall()
    )
