"""Pile-ons (CODEBOOK section 5): a target receiving replies or mentions from many authors at once.

A target is a mentioned handle (case-folded) or the author of a replied-to post (``reply_to`` ->
``posts.author``; self-replies do not count). For every post that reaches a target, a trailing
window of ``window_hours`` ending at that post counts its distinct authors and posts. A window is a
pile-on when it has at least ``min_authors`` distinct authors and at least ``min_ratio`` times the
target's own prior daily baseline: its posts per day over the ``baseline_days`` before the window
(fewer when the store starts later), at least ``baseline_floor``. Overlapping qualifying windows
of one target make one pile-on, reported at its peak window (most authors, then most posts,
then earliest); the window runs from the first to the last post in it.

Targets are shown as a public figure's name when the handle is in the people gazetteer, otherwise
as a keyed pseudonym, always hashed for mentioned handles (they did not choose to be in the data).
A reply usually also @mentions the account it answers; a mention pile-on and a reply pile-on
sharing at least half of their posts are reported once (by the reply target, or by the public
figure's name).

Each pile-on carries its act mix (``acts`` table, when present) and the share of hostile wording
from ``groundswell.analyze.hostility``. On 1 M generated posts (bench/analyze.py, 2 shared cores):
1.5-4 s, peak RSS about 410 MB; the windows are SQL, only the peak windows' texts reach Python.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from groundswell.analyze.family import UNAVAILABLE, format_columns
from groundswell.analyze.family_growth import ACTS_SQL, has_acts
from groundswell.analyze.registry import Analysis, Params
from groundswell.care.pseudonym import Pseudonymiser
from groundswell.care.suppress import MIN_CELL
from groundswell.errors import InputError
from groundswell.schema import ACTS
from groundswell.store.dates import dated

EVENTS = "gs_pileon_events"
COLUMNS = [
    "target",
    "target_kind",
    "platform",
    "window_start",
    "window_end",
    "authors",
    "posts",
    "baseline_per_day",
    "ratio",
    "act_mix",
    "backlash_share",
    "hostile_share",
]


@dataclass
class PileonParams(Params):
    """Codebook section 5 thresholds."""

    min_authors: int = 50
    window_hours: int = 24
    min_ratio: float = 10.0
    baseline_days: int = 28
    baseline_floor: float = 1.0


def _events(con: Any) -> None:
    """One row per (post, target): mentions and replies, with the reaching author and time."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {EVENTS} AS
        SELECT platform, 'mention' AS kind, lower(handle) AS target, author, created_at AS ts, id
        FROM (SELECT platform, id, author, created_at, unnest(list_distinct(mentions)) AS handle
              FROM posts WHERE len(mentions) > 0)
        UNION ALL
        SELECT c.platform, 'reply', par.author, c.author, c.created_at, c.id
        FROM posts c JOIN posts par ON c.platform = par.platform AND c.reply_to = par.id
        WHERE c.reply_to IS NOT NULL AND par.author IS NOT NULL
          AND c.author IS DISTINCT FROM par.author"""
    )


def _peaks(con: Any, p: PileonParams) -> pd.DataFrame:
    """The peak window of each pile-on, all in SQL."""
    hours = int(p.window_hours)
    return con.execute(
        f"""
        WITH cand AS (
          SELECT platform, kind, target FROM {EVENTS} GROUP BY ALL
          HAVING count(DISTINCT author) >= $min_authors),
        ev AS (SELECT e.* FROM {EVENTS} e SEMI JOIN cand USING (platform, kind, target)),
        win AS (
          SELECT platform, kind, target, ts AS window_end,
                 min(ts) OVER w AS window_start, count(DISTINCT author) OVER w AS authors,
                 count(*) OVER w AS posts
          FROM ev
          WINDOW w AS (PARTITION BY platform, kind, target ORDER BY ts
                       RANGE BETWEEN INTERVAL {hours} HOURS PRECEDING AND CURRENT ROW)),
        big AS (SELECT * FROM win WHERE authors >= $min_authors),
        start AS (SELECT min(created_at) AS t0 FROM posts WHERE {dated()}),
        based AS (
          SELECT b.*, (SELECT count(*) FROM ev e WHERE e.platform = b.platform
                         AND e.kind = b.kind AND e.target = b.target
                         AND e.ts >= b.window_start - to_days($baseline_days)
                         AND e.ts < b.window_start) AS prior,
                 greatest(least(date_diff('second', (SELECT t0 FROM start), b.window_start)
                                / 86400.0, $baseline_days), 1.0) AS prior_days
          FROM big b),
        q AS (
          SELECT *, greatest(prior / prior_days, $floor) AS baseline_per_day,
                 posts * 24.0 / {hours} / greatest(prior / prior_days, $floor) AS ratio
          FROM based),
        ok AS (SELECT * FROM q WHERE ratio >= $min_ratio),
        isl AS (
          SELECT *, sum(CASE WHEN prev IS NULL OR window_end - prev > INTERVAL {hours} HOURS
                        THEN 1 ELSE 0 END) OVER (PARTITION BY platform, kind, target
                        ORDER BY window_end) AS episode
          FROM (SELECT *, lag(window_end) OVER (PARTITION BY platform, kind, target
                       ORDER BY window_end) AS prev FROM ok))
        SELECT platform, kind, target, window_start, window_end, authors, posts,
               baseline_per_day, ratio
        FROM (SELECT *, row_number() OVER (PARTITION BY platform, kind, target, episode
                          ORDER BY authors DESC, posts DESC, window_end) AS rank FROM isl)
        WHERE rank = 1
        ORDER BY authors DESC, window_start
        """,
        {
            "min_authors": p.min_authors,
            "baseline_days": p.baseline_days,
            "floor": p.baseline_floor,
            "min_ratio": p.min_ratio,
        },
    ).df()


def _window_posts(con: Any, peaks: pd.DataFrame, acts: bool) -> list[list[tuple]]:
    """(id, text, act) of each post in each peak window, in one query for all of them."""
    if peaks.empty:
        return []
    windows = peaks[["platform", "kind", "target", "window_start", "window_end"]].copy()
    windows["k"] = range(len(windows))
    join = f"LEFT JOIN {ACTS_SQL} a ON a.platform = e.platform AND a.id = e.id" if acts else ""
    act = "a.act" if acts else "NULL"
    con.register("gs_pileon_windows", windows)
    try:
        rows = con.execute(
            f"""SELECT w.k, e.id, p.text, {act} FROM gs_pileon_windows w
            JOIN {EVENTS} e ON e.platform = w.platform AND e.kind = w.kind
              AND e.target = w.target AND e.ts BETWEEN w.window_start AND w.window_end
            JOIN posts p ON p.platform = e.platform AND p.id = e.id {join}"""
        ).fetchall()
    finally:
        con.unregister("gs_pileon_windows")
    out: list[list[tuple]] = [[] for _ in range(len(windows))]
    for k, pid, text, label in rows:
        out[k].append((pid, text, label))
    return out


def _same_pileon(a: pd.Series, b: pd.Series, ids_a: set, ids_b: set) -> bool:
    """A mention pile-on and a reply pile-on made of mostly the same posts: replies that also
    @mention the replied-to account (usual on Twitter)."""
    return (
        a["kind"] != b["kind"]
        and a["platform"] == b["platform"]
        and len(ids_a & ids_b) >= 0.5 * min(len(ids_a), len(ids_b))
    )


def _merge_kinds(peaks: pd.DataFrame, posts: list[list], public: dict[str, str]) -> list[int]:
    """Row positions to keep: of two rows that are one pile-on, the public figure's name or
    else the reply target (the account's own pseudonym) stays."""
    ids = [{r[0] for r in rows} for rows in posts]
    drop: set[int] = set()
    for i in range(len(peaks)):
        for j in range(i + 1, len(peaks)):
            if i in drop or j in drop:
                continue
            a, b = peaks.iloc[i], peaks.iloc[j]
            if _same_pileon(a, b, ids[i], ids[j]):
                mention = i if a["kind"] == "mention" else j
                named = public.get(peaks.iloc[mention]["target"])
                drop.add((i + j - mention) if named else mention)
    return [k for k in range(len(peaks)) if k not in drop]


def _public_names() -> dict[str, str]:
    """Handle (case-folded) -> public figure's name, from the people gazetteer when present."""
    try:
        from groundswell.analyze.people_mentions import gazetteer

        return {h.lower(): person.canonical for person, _, h in gazetteer() if h}
    except (ImportError, AttributeError, ValueError):  # the people analysis is optional here
        return {}


def pileons(store: Any, **params: Any) -> pd.DataFrame:
    """Pile-ons found in the store, one row each (empty frame when none)."""
    return PileonAnalysis(**params).compute(store)


class PileonAnalysis(Analysis):
    """Pile-on detection (CODEBOOK section 5) with act mix and hostile wording."""

    name: ClassVar[str] = "pileons"
    title: ClassVar[str] = "Pile-ons"
    version: ClassVar[str] = "1"
    requires: ClassVar[tuple[str, ...]] = ("posts",)  # acts: used when present
    params_class: ClassVar[type[Params]] = PileonParams

    def compute(self, store: Any) -> pd.DataFrame:
        from groundswell.analyze.hostility import hostile_share

        p: PileonParams = self.params  # type: ignore[assignment]
        if p.min_authors < MIN_CELL:  # CODEBOOK section 7: the threshold is never below 10
            raise InputError(
                f"pile-ons: min_authors {p.min_authors} is below the codebook's small-cell "
                f"threshold; use {MIN_CELL} or more"
            )
        con = store.con
        _events(con)
        peaks = _peaks(con, p)
        acts = has_acts(con)
        hasher = Pseudonymiser(store.pseudonym.key, enabled=True)
        public = _public_names()
        posts = _window_posts(con, peaks, acts)
        out = []
        for k in _merge_kinds(peaks, posts, public):
            row = peaks.iloc[k]
            texts = [r[1] or "" for r in posts[k]]
            known = [r[2] for r in posts[k] if r[2]]
            if acts and known:
                mix = {a: known.count(a) / len(known) for a in ACTS if a in known}
                act_mix = ", ".join(
                    f"{a} {s:.0%}" for a, s in sorted(mix.items(), key=lambda kv: -kv[1])
                )
                backlash = mix.get("backlash", 0.0)
            else:
                act_mix, backlash = UNAVAILABLE, float("nan")
            if row["kind"] == "mention":
                target = public.get(row["target"]) or hasher(row["platform"], row["target"])
            elif store.pseudonymise:
                target = row["target"]  # already the store's pseudonym
            else:  # a store kept with raw ids: the pseudonym a pseudonymising store gives
                target = hasher(row["platform"], row["target"])
            out.append(
                {
                    "target": target,
                    "target_kind": row["kind"],
                    "platform": row["platform"],
                    "window_start": row["window_start"],
                    "window_end": row["window_end"],
                    "authors": int(row["authors"]),
                    "posts": int(row["posts"]),
                    "baseline_per_day": float(row["baseline_per_day"]),
                    "ratio": float(row["ratio"]),
                    "act_mix": act_mix,
                    "backlash_share": backlash,
                    "hostile_share": hostile_share(texts),
                }
            )
        con.execute(f"DROP TABLE IF EXISTS {EVENTS}")
        frame = pd.DataFrame(out, columns=COLUMNS)
        frame.attrs["acts"] = acts
        return frame

    def render(self, frame: pd.DataFrame) -> str:
        """Parameters, the rule, then the pile-ons table."""
        formats = {"backlash_share": "{:.0%}", "hostile_share": "{:.0%}", "ratio": "{:.1f}"}
        formats.update({"baseline_per_day": "{:.1f}", "window_start": "{:%Y-%m-%d %H:%M}"})
        shown = format_columns(frame, {**formats, "window_end": "{:%Y-%m-%d %H:%M}"})
        p: PileonParams = self.params  # type: ignore[assignment]
        note = (
            f"A target reached by at least {p.min_authors} distinct authors within "
            f"{p.window_hours} h and at least {p.min_ratio:g}x its prior daily baseline. "
            "Hostile wording: a linear model trained on EDOS (sexist wording), an indicator "
            "over many posts, not a verdict on one."
        )
        body = (
            "<p class='empty'>No pile-on found.</p>"
            if frame.empty
            else shown.to_html(index=False, escape=True, border=0, classes="data", na_rep="")
        )
        return f"<h2>{html.escape(self.title)}</h2><p class='note'>{html.escape(note)}</p>{body}"
