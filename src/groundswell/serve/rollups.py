"""Rollups built once per snapshot, so every page answers from small tables.

- ``facts``: one narrow row per post (``rid``, time, day, platform, latest act, author hash);
- ``fact_tags``: a ``facts`` row per hashtag of a post (with its ``tag``), sorted by tag and
  day, so a tag filter (and a day range within it) reads only its own row groups, no join;
- ``cells``: posts and distinct authors per day and platform and act (``tag`` NULL), and per day
  and platform and act and tag. A day's distinct authors is exact; over several days or
  platforms the largest of them is a lower bound of the distinct authors, which is all that
  small-cell suppression needs to know when it reaches 10 (``queries.cell_authors`` counts
  exactly only below that).
"""

from __future__ import annotations

from typing import Any

from groundswell.store.dates import post_day

UNCLASSIFIED = "unclassified"


def latest_acts_sql(con: Any) -> str | None:
    """One act per post, the newest by ``classified_at`` when recorded; None without acts."""
    cols = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'acts' AND table_schema = 'main'"
        ).fetchall()
    }
    if not {"platform", "id", "act"} <= cols:
        return None
    pick = "arg_max(act, classified_at)" if "classified_at" in cols else "any_value(act)"
    return f"SELECT platform, id, {pick} AS act FROM acts GROUP BY platform, id"


def build(con: Any, tables: set[str]) -> None:
    """Create ``facts``, ``fact_tags`` and ``cells`` in the snapshot."""
    con.execute("CREATE INDEX posts_rid ON posts (rid)")  # the browser reads posts by rid
    acts = latest_acts_sql(con) if "acts" in tables else None
    join = f"LEFT JOIN ({acts}) a USING (platform, id)" if acts else ""
    act = f"coalesce(a.act, '{UNCLASSIFIED}')" if acts else f"'{UNCLASSIFIED}'"
    con.execute(f"""
        CREATE TABLE facts AS
        SELECT p.rid, p.created_at AS ts, {post_day("p.created_at")} AS day, p.platform,
               {act} AS act, hash(p.author) AS author
        FROM posts p {join} ORDER BY day, p.rid""")  # by day: a range skips row groups
    con.execute("""
        CREATE TABLE fact_tags AS
        SELECT t.tag, f.* FROM (SELECT DISTINCT unnest(hashtags) AS tag, rid FROM posts) t
        JOIN facts f USING (rid) ORDER BY t.tag, f.day, f.ts""")
    con.execute("""
        CREATE TABLE cells AS
        SELECT day, platform, act, NULL::VARCHAR AS tag, count(*) AS posts,
               count(DISTINCT author) AS authors
        FROM facts WHERE day IS NOT NULL GROUP BY ALL
        UNION ALL
        SELECT day, platform, act, tag, count(*), count(DISTINCT author)
        FROM fact_tags WHERE day IS NOT NULL GROUP BY ALL
        ORDER BY tag NULLS FIRST, day""")
    # exact daily series for the timeline: per tag, per act, and all posts
    con.execute("""
        CREATE TABLE tag_days AS
        SELECT tag, day, count(*) AS posts, count(DISTINCT author) AS authors
        FROM fact_tags WHERE day IS NOT NULL GROUP BY ALL ORDER BY tag, day""")
    con.execute("""
        CREATE TABLE act_days AS
        SELECT act, day, count(*) AS posts, count(DISTINCT author) AS authors
        FROM facts WHERE day IS NOT NULL GROUP BY GROUPING SETS ((act, day), (day))
        ORDER BY act NULLS FIRST, day""")
    con.execute("""
        CREATE TABLE tag_totals AS
        SELECT tag, count(*) AS posts, count(DISTINCT author) AS authors
        FROM fact_tags GROUP BY tag ORDER BY posts DESC, tag""")
