"""The report's numbers, computed in DuckDB SQL so a store of a million posts reports in seconds.

Each function takes a DuckDB connection and returns plain values or a pandas DataFrame; none of
them selects an author id or a name, only counts of distinct authors.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import orjson

from groundswell.classify.prevalence import wilson
from groundswell.schema import ACTS, HARMS, RELATIONS, SETTINGS
from groundswell.store.dates import dated, post_day
from groundswell.store.stats import QUARANTINED_RECORDS, RECORDS_PER_ROW


def table_columns(con: Any, table: str) -> set[str]:
    """The column names of a table in the store, empty when it does not exist."""
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = ? AND table_schema = 'main'",
        [table],
    ).fetchall()
    return {r[0] for r in rows}


def overview(con: Any) -> dict[str, Any]:
    """Totals of what the store holds, and whether any of it is synthetic; first and last are
    the span of days series count on (``store.dates``)."""
    posts, authors, first, last, synthetic, outside, undated = con.execute(
        f"SELECT count(*), count(DISTINCT author), min(created_at) FILTER ({dated()}), "
        f"max(created_at) FILTER ({dated()}), coalesce(bool_or(synthetic), false), "
        f"count(*) FILTER (created_at IS NOT NULL AND NOT {dated()}), "
        "count(*) FILTER (created_at IS NULL) FROM posts"
    ).fetchone()
    one = con.execute
    return {
        "posts": posts,
        "authors": authors,
        "first": first,
        "last": last,
        "dated_out_of_span": outside,  # posts whose time is no day a series counts
        "undated": undated,  # posts that state no time (one that is no time is quarantined)
        "synthetic": bool(synthetic),
        "reposts": one("SELECT count(*) FROM reposts").fetchone()[0],
        "reposters": one("SELECT count(DISTINCT author) FROM reposts").fetchone()[0],
        "articles": one("SELECT count(*) FROM articles").fetchone()[0],
        "quarantined": one(QUARANTINED_RECORDS).fetchone()[0],
        # (platform, posts, reposts, distinct authors of its posts, of its reposts)
        "by_platform": one(
            "SELECT platform, sum(posts)::BIGINT, sum(reposts)::BIGINT, sum(post_authors)::BIGINT,"
            " sum(repost_authors)::BIGINT FROM ("
            " SELECT platform, count(*) posts, 0 reposts, count(DISTINCT author) post_authors,"
            " 0 repost_authors FROM posts GROUP BY platform"
            " UNION ALL SELECT platform, 0, count(*), 0, count(DISTINCT author) FROM reposts"
            " GROUP BY platform) GROUP BY platform ORDER BY 2 DESC"
        ).fetchall(),
        "article_list": _titles_masked(
            con,
            one(
                "SELECT title, CAST(created_at AS DATE), format, len(string_split(text, ' ')) "
                "FROM articles ORDER BY created_at NULLS LAST, title LIMIT 50"
            ).fetchall(),
        ),
    }


def _titles_masked(con: Any, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Article rows with private persons' names, e-mails, phones, addresses and accounts
    hidden in their titles (``care.names.fit_to_show``)."""
    if not rows:
        return rows
    from groundswell.care.names import NameMasker, fit_to_show

    names = NameMasker.for_store(con)
    return [(fit_to_show(t, names) if t else t, *rest) for t, *rest in rows]


def ingest_runs(con: Any) -> list[dict[str, Any]]:
    """The reconciliation of every ingest run, oldest first (from the ``runs`` table)."""
    rows = con.execute(
        "SELECT started_at, counts FROM runs WHERE command = 'ingest' ORDER BY started_at"
    ).fetchall()
    out = []
    for started, counts in rows:
        try:
            parsed = orjson.loads(counts or "{}")
        except orjson.JSONDecodeError:
            parsed = {}
        out.append({"started_at": started, **parsed})
    return out


def quarantine_reasons(con: Any) -> list[tuple[str, str, int]]:
    """(format, reason class, records): the reason up to its first colon, digits as N, shown
    as a post's text is (``care.names.fit_to_show``: a reason may quote the bad value, an
    e-mail, a handle, a profile link), reasons that read the same once masked counted as one."""
    from groundswell.care.names import NameMasker, fit_to_show

    rows = con.execute(
        "SELECT coalesce(format, ''), regexp_replace(split_part(reason, ':', 1), '[0-9]+', 'N', "
        f"'g') AS why, sum({RECORDS_PER_ROW})::BIGINT FROM quarantine GROUP BY ALL"
    ).fetchall()
    if not rows:
        return []
    names = NameMasker.for_store(con)
    merged: dict[tuple[str, str], int] = {}
    for fmt, why, n in rows:
        key = (fmt, fit_to_show(why, names))
        merged[key] = merged.get(key, 0) + n
    return sorted(((f, w, n) for (f, w), n in merged.items()), key=lambda r: (-r[2], r[0], r[1]))


def top_tags(con: Any, limit: int = 15) -> Any:
    """The most used hashtags with posts, distinct authors, first day and peak day."""
    return con.execute(f"""
        WITH t AS (SELECT unnest(hashtags) AS tag, author, {post_day()} AS day
                   FROM posts WHERE {dated()}),
        agg AS (SELECT tag, count(*) AS posts, count(DISTINCT author) AS authors,
                       min(day) AS first_day FROM t GROUP BY tag ORDER BY posts DESC, tag
                       LIMIT {int(limit)}),
        daily AS (SELECT tag, day, count(*) AS n FROM t WHERE tag IN (SELECT tag FROM agg)
                  GROUP BY ALL)
        SELECT a.tag, a.posts, a.authors, a.first_day,
               first(d.day ORDER BY d.n DESC, d.day) AS peak_day, max(d.n) AS peak_posts
        FROM agg a JOIN daily d USING (tag) GROUP BY ALL ORDER BY a.posts DESC, a.tag
    """).df()


def tag_count(con: Any) -> int:
    """How many distinct hashtags the store's posts carry."""
    return con.execute(
        "SELECT count(DISTINCT tag) FROM (SELECT unnest(hashtags) AS tag FROM posts)"
    ).fetchone()[0]


def tag_daily(con: Any, tags: list[str]) -> tuple[list[date], dict[str, list[float]]]:
    """Posts per day for each tag, zero-filled over the store's whole date range."""
    if not tags:
        return [], {}
    rows = con.execute(
        "SELECT tag, day, count(*) FROM (SELECT unnest(hashtags) AS tag, "
        f"{post_day()} AS day FROM posts WHERE {dated()}) "
        "WHERE tag IN (SELECT unnest(?)) GROUP BY ALL",
        [tags],
    ).fetchall()
    bounds = con.execute(
        f"SELECT min(created_at)::DATE, max(created_at)::DATE FROM posts WHERE {dated()}"
    ).fetchone()
    if not rows or bounds[0] is None:
        return [], {}
    days = [bounds[0] + timedelta(days=i) for i in range((bounds[1] - bounds[0]).days + 1)]
    index = {d: i for i, d in enumerate(days)}
    series = {t: [0.0] * len(days) for t in tags}
    for tag, day, n in rows:
        series[tag][index[day]] = float(n)
    return days, series


def latest_acts(con: Any) -> str:
    """One act per post, however many model versions the acts table holds: the latest
    (by ``classified_at``) when the table records it, with its ``model`` and ``version``."""
    cols = table_columns(con, "acts")
    pick = "arg_max({0}, classified_at)" if "classified_at" in cols else "any_value({0})"
    extra = "".join(f", {pick.format(c)} AS {c}" for c in ("model", "version") if c in cols)
    return (
        f"(SELECT platform, id, {pick.format('act')} AS act{extra} FROM acts GROUP BY platform, id)"
    )


def act_totals(con: Any) -> Any:
    """Posts and distinct authors per act, with each act's share and Wilson interval."""
    frame = con.execute(f"""
        SELECT a.act, count(*) AS posts, count(DISTINCT p.author) AS authors
        FROM posts p JOIN {latest_acts(con)} a USING (platform, id) GROUP BY a.act
    """).df()
    total = int(frame["posts"].sum()) if len(frame) else 0
    frame["share"] = frame["posts"] / total if total else 0.0
    bounds = [wilson(int(k), total) for k in frame["posts"]]
    frame["ci_low"] = [b[0] for b in bounds]
    frame["ci_high"] = [b[1] for b in bounds]
    order = {a: i for i, a in enumerate(ACTS)}
    return frame.sort_values("act", key=lambda s: s.map(lambda a: order.get(a, 99)))


def act_by_tag(con: Any, limit: int = 12) -> tuple[Any, set[tuple[str, str]]]:
    """For the most used hashtags: classified posts, distinct authors, the share of each act.

    Also returns the (tag, act) cells written by 1 to 9 distinct authors, to be suppressed.
    """
    source = f"""
        WITH t AS (SELECT unnest(p.hashtags) AS tag, p.author, a.act
                   FROM posts p JOIN {latest_acts(con)} a USING (platform, id)),
        top AS (SELECT tag FROM t GROUP BY tag ORDER BY count(*) DESC, tag LIMIT {int(limit)})
    """
    cells = con.execute(
        source + "SELECT tag, act, count(*) AS n, count(DISTINCT author) AS authors "
        "FROM t WHERE tag IN (SELECT tag FROM top) GROUP BY ALL"
    ).df()
    if cells.empty:
        return cells, set()
    rows = dict(
        con.execute(
            source + "SELECT tag, count(DISTINCT author) FROM t "
            "WHERE tag IN (SELECT tag FROM top) GROUP BY tag"
        ).fetchall()
    )
    wide = cells.pivot_table(index="tag", columns="act", values="n", fill_value=0)
    totals = wide.sum(axis=1)
    out = wide.div(totals, axis=0)
    out = out[[a for a in ACTS if a in out.columns] + [a for a in out.columns if a not in ACTS]]
    out.insert(0, "posts", totals.astype(int))
    out.insert(1, "authors", [rows.get(t, 0) for t in out.index])
    small = {(r.tag, r.act) for r in cells.itertuples() if 0 < r.authors < 10}
    return out.sort_values("posts", ascending=False).reset_index(), small


def act_weekly(con: Any) -> tuple[list[str], dict[str, list[float]]]:
    """Posts per act per ISO week (Monday dates), for the stacked chart."""
    rows = con.execute(f"""
        SELECT CAST(date_trunc('week', p.created_at) AS DATE) AS week, a.act, count(*)
        FROM posts p JOIN {latest_acts(con)} a USING (platform, id)
        WHERE {dated("p.created_at")} GROUP BY ALL ORDER BY week
    """).fetchall()
    weeks = sorted({r[0] for r in rows})
    index = {w: i for i, w in enumerate(weeks)}
    acts = [a for a in ACTS if any(r[1] == a for r in rows)]
    acts += sorted({r[1] for r in rows} - set(acts))
    series = {a: [0.0] * len(weeks) for a in acts}
    for week, act, n in rows:
        series[act][index[week]] = float(n)
    return [w.strftime("%d %b %y") for w in weeks], series


def testimony_shares(con: Any, has_acts: bool) -> dict[str, Any]:
    """Shares of harm, relation and setting among testimonies, with Wilson intervals.

    Returns ``{"n": testimonies, "harm" | "relation" | "setting": DataFrame}``; each frame has
    label, posts, authors, share, ci_low, ci_high.
    """
    cols = table_columns(con, "testimony")
    join_acts = ""
    if has_acts:
        # the testimony labels of the model that gave the post its act, when both say which
        keys = ["platform", "id"]
        if {"model", "version"} <= cols and {"model", "version"} <= table_columns(con, "acts"):
            keys += ["model", "version"]
        join_acts = f"JOIN {latest_acts(con)} a USING ({', '.join(keys)}) WHERE a.act = 'testimony'"
    base = (
        f"(SELECT t.platform, t.id, any_value(t.harm) AS harm, "
        f"any_value(t.relation) AS relation, any_value(t.setting) AS setting, "
        f"any_value(p.author) AS author FROM testimony t JOIN posts p USING (platform, id) "
        f"{join_acts} GROUP BY t.platform, t.id)"
    )
    n = con.execute(f"SELECT count(*) FROM {base}").fetchone()[0]
    out: dict[str, Any] = {"n": n}
    queries = {
        "harm": (
            f"SELECT h AS label, count(*) AS posts, count(DISTINCT author) AS authors "
            f"FROM (SELECT unnest(harm) AS h, author FROM {base}) GROUP BY h",
            HARMS,
        ),
        "relation": (
            f"SELECT relation AS label, count(*) AS posts, count(DISTINCT author) "
            f"AS authors FROM {base} GROUP BY relation",
            RELATIONS,
        ),
        "setting": (
            f"SELECT setting AS label, count(*) AS posts, count(DISTINCT author) "
            f"AS authors FROM {base} GROUP BY setting",
            SETTINGS,
        ),
    }
    for key, (sql, order) in queries.items():
        if key not in cols:
            continue
        frame = con.execute(sql).df()
        frame = frame[frame["label"].notna()]
        frame["share"] = frame["posts"] / n if n else 0.0
        bounds = [wilson(int(k), n) for k in frame["posts"]]
        frame["ci_low"] = [b[0] for b in bounds]
        frame["ci_high"] = [b[1] for b in bounds]
        rank = {v: i for i, v in enumerate(order)}
        out[key] = frame.sort_values("label", key=lambda s, r=rank: s.map(lambda v: r.get(v, 99)))
    return out


def tag_daily_authors(con: Any, tags: list[str], days: list[date]) -> dict[str, list[float]]:
    """Distinct authors per day for each tag, aligned with ``days`` (for "< 10" hovers)."""
    if not tags or not days:
        return {}
    rows = con.execute(
        "SELECT tag, day, count(DISTINCT author) FROM (SELECT unnest(hashtags) AS tag, author, "
        f"{post_day()} AS day FROM posts WHERE {dated()}) "
        "WHERE tag IN (SELECT unnest(?)) GROUP BY ALL",
        [tags],
    ).fetchall()
    index = {d: i for i, d in enumerate(days)}
    out = {t: [0.0] * len(days) for t in tags}
    for tag, day, n in rows:
        if day in index:
            out[tag][index[day]] = float(n)
    return out


def tag_period_authors(con: Any, tags: list[str], unit: str) -> dict[str, dict[date, float]]:
    """Distinct authors per week (from Monday) or month for each tag, by the period's first day:
    the people behind a chart's point summed over the period (daily distinct counts do not add
    up: the same people posting every day of a week are counted once a day)."""
    if unit not in ("week", "month"):
        raise ValueError(f"unknown period {unit!r}; choose week or month")
    if not tags:
        return {}
    rows = con.execute(
        f"SELECT tag, CAST(date_trunc('{unit}', day) AS DATE), count(DISTINCT author) "
        f"FROM (SELECT unnest(hashtags) AS tag, author, {post_day()} AS day FROM posts "
        f"WHERE {dated()}) WHERE tag IN (SELECT unnest(?)) GROUP BY ALL",
        [tags],
    ).fetchall()
    out: dict[str, dict[date, float]] = {t: {} for t in tags}
    for tag, start, n in rows:
        out[tag][start] = float(n)
    return out


def act_periods(
    con: Any, unit: str = "week"
) -> tuple[list[date], dict[str, list[float]], dict[str, list[float]]]:
    """Posts and distinct authors per act per period (``day``, ``week``, ``month`` or
    ``quarter``; each named by its first day): (period starts, posts, authors)."""
    if unit not in ("day", "week", "month", "quarter"):
        raise ValueError(f"unknown period {unit!r}; choose day, week, month or quarter")
    rows = con.execute(f"""
        SELECT CAST(date_trunc('{unit}', p.created_at) AS DATE) AS period, a.act, count(*),
               count(DISTINCT p.author)
        FROM posts p JOIN {latest_acts(con)} a USING (platform, id)
        WHERE {dated("p.created_at")} GROUP BY ALL ORDER BY period
    """).fetchall()
    periods: list[date] = []
    if rows:  # every period from the first to the last, empty ones too, so time reads evenly
        from groundswell.report.axes import next_period

        last = max(r[0] for r in rows)
        periods.append(min(r[0] for r in rows))
        while periods[-1] < last:
            periods.append(next_period(periods[-1], unit))
    index = {w: i for i, w in enumerate(periods)}
    acts = [a for a in ACTS if any(r[1] == a for r in rows)]
    acts += sorted({r[1] for r in rows} - set(acts))
    posts = {a: [0.0] * len(periods) for a in acts}
    authors = {a: [0.0] * len(periods) for a in acts}
    for period, act, n, k in rows:
        posts[act][index[period]] = float(n)
        authors[act][index[period]] = float(k)
    return periods, posts, authors


def date_span(con: Any) -> tuple[date | None, date | None]:
    """The first and last day a post is dated."""
    first, last = con.execute(
        f"SELECT min(created_at)::DATE, max(created_at)::DATE FROM posts WHERE {dated()}"
    ).fetchone()
    return first, last
