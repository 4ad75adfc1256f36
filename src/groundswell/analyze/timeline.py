"""Onsets and bursts (CODEBOOK section 5) for each family tag and for the whole movement.

Onset: the first day ``d`` whose count is significantly above the trailing baseline, the mean of
the ``baseline_days`` days before it (at least ``min_rate`` a day), by a one-sided Poisson test at
``alpha``, and stays there: days ``d .. d + persist_days - 1`` all pass the same test against that
baseline, and day ``d`` has at least ``min_count`` posts.

Bursts: Kleinberg's burst model (Kleinberg 2002, "Bursty and hierarchical structure in streams",
the infinite-state automaton truncated to ``states`` levels) on daily counts: level ``i`` emits a
Poisson count at rate ``r0 * s**i`` with ``r0`` the series' mean daily count; moving up ``j``
levels costs ``gamma * j * ln(T)`` over ``T`` days, moving down is free; the Viterbi path of least
cost gives each day a level. A burst is a maximal run of days at level >= 1, reported with its
highest level, its rate, and the rate of the ``baseline_days`` before it.

Daily counts are one DuckDB group-by; the tests run in numpy on a few hundred days per series.
On 1 M generated posts (bench/analyze.py, 2 shared cores), family growth included: 5-6 s, peak
RSS about 480 MB.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from groundswell.analyze.registry import Analysis, LineChart, Params, readable_p
from groundswell.errors import InputError
from groundswell.schema import normalise_hashtag
from groundswell.store.dates import dated, post_day

MOVEMENT = "(movement)"
CHART_LINES = 6
COLUMNS = [
    "series",
    "kind",
    "start",
    "end",
    "level",
    "posts",
    "authors",
    "rate_per_day",
    "baseline_per_day",
    "ratio",
    "p_value",
]

# an event's numbers withheld when fewer than 10 distinct authors stand behind it (CODEBOOK
# section 7): every count, and the rates and test that give the count back
SMALL_CELL_COLUMNS = ("posts", "authors", "rate_per_day", "baseline_per_day", "ratio", "p_value")


@dataclass
class TimelineParams(Params):
    """``seed``: grow the family from it and follow its members (``top_tags`` most used);
    without the seed in the store, the ``top_tags`` most used tags. The rest: see module doc."""

    seed: str = "#metoo"
    top_tags: int = 10
    baseline_days: int = 7
    alpha: float = 0.001
    persist_days: int = 3
    min_rate: float = 1.0
    min_count: int = 5
    states: int = 4
    s: float = 2.0
    gamma: float = 1.0


def onset(counts: np.ndarray, p: TimelineParams) -> tuple[int, float, float] | None:
    """(day index, baseline rate, p-value) of the first persistent significant rise, or None."""
    from scipy.stats import poisson

    counts = np.asarray(counts, dtype=float)
    n = len(counts)
    for d in range(1, n - p.persist_days + 1):
        if counts[d] < p.min_count:
            continue
        base = max(counts[max(0, d - p.baseline_days) : d].mean(), p.min_rate)
        window = counts[d : d + p.persist_days]
        pvals = poisson.sf(window - 1, base)  # P(X >= count)
        if (pvals < p.alpha).all():
            return d, float(base), float(pvals[0])
    return None


def kleinberg_levels(
    counts: np.ndarray, states: int = 4, s: float = 2.0, gamma: float = 1.0
) -> np.ndarray:
    """The burst level of each day: the least-cost state sequence of Kleinberg's automaton with
    Poisson emissions (rates ``mean * s**i``, i < ``states``)."""
    counts = np.asarray(counts, dtype=float)
    n = len(counts)
    base = counts.mean() if n else 0.0
    if n == 0 or base <= 0:
        return np.zeros(n, dtype=int)
    rates = base * s ** np.arange(states)
    emit = rates[None, :] - counts[:, None] * np.log(rates)[None, :]  # -log Poisson + const
    up = gamma * np.log(max(n, 2))
    i = np.arange(states)
    trans = np.maximum(i[None, :] - i[:, None], 0) * up  # from row to column
    cost = emit[0] + i * up  # start in level 0
    back = np.zeros((n, states), dtype=int)
    for t in range(1, n):
        total = cost[:, None] + trans
        back[t] = total.argmin(axis=0)
        cost = total.min(axis=0) + emit[t]
    path = np.zeros(n, dtype=int)
    path[-1] = int(cost.argmin())
    for t in range(n - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def series_events(name: str, days: list[date], counts: np.ndarray, p: TimelineParams) -> list[dict]:
    """Onset and bursts of one daily series, as rows of the timeline frame."""
    rows: list[dict] = []
    hit = onset(counts, p)
    if hit is not None:
        d, base, pval = hit
        rows.append(
            {
                "series": name,
                "kind": "onset",
                "start": days[d],
                "end": None,
                "level": None,
                "posts": int(counts[d]),
                "rate_per_day": float(counts[d]),
                "baseline_per_day": base,
                "ratio": counts[d] / base,
                "p_value": pval,
            }
        )
    levels = kleinberg_levels(counts, p.states, p.s, p.gamma)
    t = 0
    while t < len(levels):
        if levels[t] == 0:
            t += 1
            continue
        end = t
        while end + 1 < len(levels) and levels[end + 1] > 0:
            end += 1
        seg = counts[t : end + 1]
        prior = counts[max(0, t - p.baseline_days) : t]
        base = max(float(prior.mean()) if len(prior) else 0.0, p.min_rate)
        rows.append(
            {
                "series": name,
                "kind": "burst",
                "start": days[t],
                "end": days[end],
                "level": int(levels[t : end + 1].max()),
                "posts": int(seg.sum()),
                "rate_per_day": float(seg.mean()),
                "baseline_per_day": base,
                "ratio": float(seg.mean()) / base,
                "p_value": None,
            }
        )
        t = end + 1
    return rows


def _series_tags(store: Any, p: TimelineParams) -> list[str]:
    con = store.con
    seed = normalise_hashtag(p.seed) if p.seed else None
    if (
        seed
        and con.execute(
            "SELECT count(*) FROM posts WHERE list_contains(hashtags, ?)", [seed]
        ).fetchone()[0]
    ):
        from groundswell.analyze.family import family

        fam = family(store, seed=seed)
        return fam.sort_values("posts", ascending=False)["tag"].head(p.top_tags).tolist()
    rows = con.execute(
        "SELECT tag, count(*) n FROM (SELECT unnest(list_distinct(hashtags)) AS tag FROM posts "
        "WHERE len(hashtags) > 0) GROUP BY tag ORDER BY n DESC, tag LIMIT ?",
        [p.top_tags],
    ).fetchall()
    return [r[0] for r in rows]


def daily_counts(store: Any, tags: list[str]) -> pd.DataFrame:
    """Posts per day for each tag and for the movement (posts with any of them), days as rows,
    every day from the store's first to its last post (zeros filled)."""
    con = store.con
    first, last = con.execute(
        f"SELECT min(created_at)::DATE, max(created_at)::DATE FROM posts WHERE {dated()}"
    ).fetchone()
    if first is None or not tags:
        return pd.DataFrame()
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    frame = pd.DataFrame(0, index=pd.Index(days, name="day"), columns=[*tags, MOVEMENT])
    rows = con.execute(
        f"SELECT tag, {post_day()} AS day, count(*) FROM (SELECT created_at, "
        "unnest(list_distinct(hashtags)) AS tag FROM posts WHERE list_has_any(hashtags, ?)) "
        "WHERE list_contains(?, tag) GROUP BY ALL",
        [tags, tags],
    ).fetchall()
    rows += con.execute(
        f"SELECT '{MOVEMENT}', {post_day()}, count(*) FROM posts "
        "WHERE list_has_any(hashtags, ?) GROUP BY ALL",
        [tags],
    ).fetchall()
    for tag, day, n in rows:
        if day is not None:  # undated posts have no day to count on
            frame.at[day, tag] = n
    return frame


def event_authors(store: Any, tags: list[str], start: date, end: date | None) -> int:
    """Distinct authors of the posts with any of ``tags`` from ``start`` to ``end`` (the onset's
    one day when None): the authors behind an event's counts, for small-cell suppression."""
    return store.con.execute(
        "SELECT count(DISTINCT author) FROM posts WHERE list_has_any(hashtags, ?) "
        "AND created_at::DATE BETWEEN ? AND ?",
        [tags, start, end or start],
    ).fetchone()[0]


def given_tags(tags: list[str]) -> list[str]:
    """The tags a user named, in codebook form, each once (``#MeToo`` and ``#metoo`` are one
    series); one that is no hashtag is an InputError."""
    out: dict[str, None] = {}
    for tag in tags:
        form = normalise_hashtag(tag)
        if form is None:
            raise InputError(
                f"timeline: {tag[:40]!r} is not a hashtag; give a tag such as '#metoo'"
            )
        out[form] = None
    return list(out)


def timeline(store: Any, tags: list[str] | None = None, **params: Any) -> pd.DataFrame:
    """Onsets and bursts of each tag (default: the seed's family) and of the whole movement."""
    return TimelineAnalysis(**params).compute(store, tags=tags)


class TimelineAnalysis(Analysis):
    """Onsets and Kleinberg bursts per family tag and for the movement (CODEBOOK section 5)."""

    name: ClassVar[str] = "timeline"
    title: ClassVar[str] = "Onsets and bursts"
    version: ClassVar[str] = "1"
    requires: ClassVar[tuple[str, ...]] = ("posts",)
    params_class: ClassVar[type[Params]] = TimelineParams

    def compute(self, store: Any, tags: list[str] | None = None) -> pd.DataFrame:
        p: TimelineParams = self.params  # type: ignore[assignment]
        tags = _series_tags(store, p) if tags is None else given_tags(tags)
        daily = daily_counts(store, tags)
        rows: list[dict] = []
        if not daily.empty:
            days = list(daily.index)
            for name in [MOVEMENT, *tags]:
                rows += series_events(name, days, daily[name].to_numpy(), p)
        for row in rows:
            row["authors"] = event_authors(store, tags if row["series"] == MOVEMENT else
                                           [row["series"]], row["start"], row["end"])  # fmt: skip
        frame = pd.DataFrame(rows, columns=COLUMNS)
        frame.attrs["daily"] = daily
        if not daily.empty:  # the people behind each point the chart may draw
            frame.attrs["chart_authors"] = chart_authors(store, tags, _chart_names(daily))
        return frame

    def chart(self, frame: pd.DataFrame) -> LineChart | None:
        """Posts per day of the movement and its largest tags."""
        return _chart(frame.attrs.get("daily"), authors=frame.attrs.get("chart_authors"))

    def render(self, frame: pd.DataFrame) -> str:
        """Parameters, a chart of daily posts (the movement and its largest tags), then the
        onsets and bursts table."""
        from groundswell.analyze.family import format_columns
        from groundswell.care import suppress_small_cells

        formats: dict[str, Any] = {"level": "{:.0f}", "posts": "{:,.0f}", "p_value": readable_p}
        formats.update({c: "{:.1f}" for c in ("rate_per_day", "baseline_per_day", "ratio")})
        shown = suppress_small_cells(frame, "authors", list(SMALL_CELL_COLUMNS))
        shown = shown.drop(columns="authors")
        shown = format_columns(shown, {**formats, "end": "{}"})
        table = shown.to_html(index=False, escape=True, border=0, classes="data", na_rep="")
        note = (
            "Onset: first day above the trailing baseline by a Poisson test, staying there; "
            "bursts: Kleinberg's model on daily counts (level 1 = twice the mean rate)."
        )
        return f"<h2>{html.escape(self.title)}</h2><p class='note'>{html.escape(note)}</p>{table}"


def _chart_names(daily: pd.DataFrame, lines: int = CHART_LINES) -> list[str]:
    """The series charted: the movement and its ``lines - 1`` largest tags."""
    tags = [c for c in daily.sum().sort_values(ascending=False).index if c != MOVEMENT]
    return [MOVEMENT, *tags[: lines - 1]]


def _chart(
    daily: pd.DataFrame | None,
    lines: int = CHART_LINES,
    authors: dict[str, dict[str, dict[Any, float]]] | None = None,
) -> LineChart | None:
    """Posts per day: the movement and its ``lines - 1`` largest tags, with the distinct
    authors behind each point (``chart_authors``) so the report withholds small ones."""
    if daily is None or daily.empty:
        return None
    names = _chart_names(daily, lines)
    return LineChart(
        list(daily.index),
        {n: daily[n].astype(float).tolist() for n in names},
        title="Posts per day",
        authors=authors,
    )


def chart_authors(
    store: Any, tags: list[str], names: list[str]
) -> dict[str, dict[str, dict[date, float]]]:
    """Distinct authors per day, per week (from Monday) and per month, each period named by
    its first day, of each charted series ``names`` (tags, and the movement: posts with any of
    ``tags``): unit -> series -> period -> count. A chart that sums days into weeks needs the
    week's own distinct authors (the same people posting each day are one count, not seven)."""
    out: dict[str, dict[str, dict[date, float]]] = {
        unit: {n: {} for n in names} for unit in ("day", "week", "month")
    }
    charted = [n for n in names if n != MOVEMENT]
    parts, params = [], []
    if charted:
        parts.append(
            f"SELECT tag AS s, author, day FROM (SELECT unnest(list_distinct(hashtags)) AS tag, "
            f"author, {post_day()} AS day FROM posts WHERE list_has_any(hashtags, ?)) "
            "WHERE list_contains(?, tag)"
        )
        params += [charted, charted]
    if MOVEMENT in names:
        parts.append(
            f"SELECT '{MOVEMENT}' AS s, author, {post_day()} AS day FROM posts "
            "WHERE list_has_any(hashtags, ?)"
        )
        params.append(tags)
    if not parts:
        return out
    rows = store.con.execute(
        "SELECT s, day, week, month, count(DISTINCT author) FROM (SELECT s, author, day, "
        "CAST(date_trunc('week', day) AS DATE) AS week, "
        "CAST(date_trunc('month', day) AS DATE) AS month "
        f"FROM ({' UNION ALL '.join(parts)}) WHERE day IS NOT NULL) "
        "GROUP BY GROUPING SETS ((s, day), (s, week), (s, month))",
        params,
    ).fetchall()
    for s, day, week, month, n in rows:
        unit, start = ("day", day) if day else ("week", week) if week else ("month", month)
        out[unit][s][start] = float(n)
    return out
